"""The GEO index lost mid-run (Redis keeps nothing on disk here): searches keep answering from
PostgreSQL, the index is rebuilt, and the answers are the same throughout.

The shared Redis serves other runs too, so "flushed" is every key of this run's namespace
deleted at once, which is what a FLUSHALL or a restart does to this service."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import grpc
import httpx
import pytest
import redis.asyncio as aioredis
from amenities_loop import AmenityClient, spot
from harness import Infra, ServiceProcess, free_port, started, wait_for

from civicloop.platform.grpc_server import client_channel
from civicloop.platform.protobuf import timestamp
from civicloop.v1 import amenities_pb2, amenities_pb2_grpc

AT = timestamp(datetime(2026, 12, 3, 2, 30, tzinfo=UTC))  # 10:30 in Shanghai


async def searches_from(amenities: ServiceProcess, source: str) -> float:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{amenities.http_url}/metrics", timeout=5)).text
    found = re.search(rf'civicloop_amenity_searches_total{{source="{source}"}} ([0-9.e+]+)', text)
    return float(found.group(1)) if found else 0.0


def answer(results: list[amenities_pb2.NearbyAmenity]) -> list[tuple[str, float, int, int]]:
    return [
        (r.amenity.amenity_id, round(r.distance_meters, 6), r.open_status, r.amenity.version)
        for r in results
    ]


async def test_searches_answer_the_same_while_the_index_is_lost_and_after_it_is_rebuilt(
    amenity_client: AmenityClient,
    amenities: ServiceProcess,
    infra: Infra,
    run: dict[str, object],
) -> None:
    lat, lng = spot()
    hours = ["24/7", "Mo-Fr 09:00-17:00", "Mo-Su 20:00-02:00", "Sa,Su 10:00-16:00"]
    for i in range(24):
        await amenity_client.register(
            lat + (i % 6) * 0.0006,
            lng + (i // 6) * 0.0007,
            name=f"共享点{i:02d}",
            opening_hours=hours[i % len(hours)],
            kind=(
                amenities_pb2.AMENITY_KIND_SHARED_TOILET
                if i % 3
                else amenities_pb2.AMENITY_KIND_SHARED_HOT_WATER
            ),
        )

    async def search() -> list[tuple[str, float, int, int]]:
        return answer(await amenity_client.nearby(lat, lng, 800, at=AT, max_results=50))

    async def open_toilets() -> list[tuple[str, float, int, int]]:
        return answer(
            await amenity_client.nearby(
                lat,
                lng,
                500,
                at=AT,
                open_now=True,
                kinds=[amenities_pb2.AMENITY_KIND_SHARED_TOILET],
            )
        )

    before, before_open = await search(), await open_toilets()
    assert len(before) >= 24 and before_open
    from_postgresql = await searches_from(amenities, "postgresql")

    client = aioredis.from_url(infra.redis_url)
    try:
        keys = [k async for k in client.scan_iter(match=f"{run['namespace']}amenities:geo*")]
        assert keys
        await client.delete(*keys)

        # The first search after the loss is answered from PostgreSQL, the same answer.
        assert await search() == before
        assert await open_toilets() == before_open
        assert await searches_from(amenities, "postgresql") > from_postgresql

        # The rebuild puts the index back; searches return to Redis with the same answers.
        await wait_for(lambda: client.exists(f"{run['namespace']}amenities:geo:ready"))
        from_redis = await searches_from(amenities, "redis")
        assert await search() == before
        assert await open_toilets() == before_open
        assert await searches_from(amenities, "redis") == from_redis + 2
    finally:
        await client.aclose()


async def test_a_replica_without_redis_answers_from_postgresql_like_one_with_it(
    amenity_client: AmenityClient, amenities: ServiceProcess
) -> None:
    lat, lng = spot()
    for i in range(5):
        await amenity_client.register(lat + i * 0.0005, lng, name=f"无Redis也能找到{i}")
    with_redis = answer(await amenity_client.nearby(lat, lng, 1000, at=AT))

    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    replica = ServiceProcess(
        "amenities", {**amenities.env, "REDIS_URL": nowhere}, amenities.run_dir
    )
    async with started(replica):
        channel = client_channel(replica.grpc_target)
        try:
            without = AmenityClient(amenities_pb2_grpc.AmenitiesServiceStub(channel))
            assert answer(await without.nearby(lat, lng, 1000, at=AT)) == with_redis
            assert await searches_from(replica, "postgresql") == 1
        finally:
            await channel.close()


async def test_searches_from_one_address_are_limited(
    amenities: ServiceProcess, infra: Infra, run: dict[str, object]
) -> None:
    # The run's other searches counted in this minute's window too: it starts afresh.
    client = aioredis.from_url(infra.redis_url)
    try:
        async for key in client.scan_iter(match=f"{run['namespace']}amenities:limit:*"):
            await client.delete(key)
    finally:
        await client.aclose()
    limited = ServiceProcess(
        "amenities",
        {**amenities.env, "AMENITIES_LIMIT_PER_ADDRESS_MINUTE": "3"},
        amenities.run_dir,
    )
    async with started(limited):
        channel = client_channel(limited.grpc_target)
        try:
            searcher = AmenityClient(amenities_pb2_grpc.AmenitiesServiceStub(channel))
            lat, lng = spot()
            for _ in range(3):
                await searcher.nearby(lat, lng)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await searcher.nearby(lat, lng)
            assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        finally:
            await channel.close()
