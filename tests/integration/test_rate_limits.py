"""Rate limits against the real Redis: intake's submissions that arrive together are counted
in one round trip and still each counted once; rating's public page and RPC share a limit per
address."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import grpc
import httpx
import redis.asyncio as aioredis
from harness import Infra, running, service_env

from civicloop.intake.ratelimit import SubmissionLimiter
from civicloop.platform.errors import RateLimited
from civicloop.platform.grpc_server import client_channel
from civicloop.platform.ratelimit import AddressLimit, FixedWindows
from civicloop.v1 import rating_pb2, rating_pb2_grpc

PER_MINUTE = 3


async def test_concurrent_submissions_from_one_address_stop_at_the_limit(
    infra: Infra, run: dict[str, Any]
) -> None:
    redis = aioredis.from_url(infra.redis_url)
    namespace = f"{run['namespace']}limits."
    limiter = SubmissionLimiter(redis, namespace, per_phone_hour=100, per_address_minute=5)
    try:
        outcomes = await asyncio.gather(
            *(limiter.check(bytes([n]) * 32, "10.0.0.7") for n in range(12)),
            return_exceptions=True,
        )

        assert outcomes.count(None) == 5
        assert all(isinstance(o, RateLimited) for o in outcomes if o is not None)
        # Another address has its own window.
        await limiter.check(b"\xff" * 32, "10.0.0.8")
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{namespace}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def test_replicas_leasing_hits_let_through_no_more_than_the_shared_limit(
    infra: Infra, run: dict[str, Any]
) -> None:
    """Two replicas' limits over one Redis counter, each leasing up to 8 hits at a time: calls
    from one address, alternating between them, are let through up to the limit and never
    beyond, and Redis saw a round trip per lease, not per call."""
    redis = aioredis.from_url(infra.redis_url)
    namespace = f"{run['namespace']}leases."
    replicas = [
        AddressLimit(FixedWindows(redis, namespace), 20, lease_at_most=8) for _ in range(2)
    ]
    if time.time() % 60 > 50:  # one window for the whole test
        await asyncio.sleep(61 - time.time() % 60)
    try:
        outcomes: list[BaseException | None] = []
        for call in range(40):
            try:
                await replicas[call % 2].check("10.0.0.9")
                outcomes.append(None)
            except RateLimited as refused:
                outcomes.append(refused)
        # Never more than the limit; fewer by at most what each replica leased ahead and had
        # not given out yet (leased numbers unused only make it stricter).
        assert 20 - 2 * 8 <= outcomes.count(None) <= 20
        assert outcomes[:4] == [None] * 4
        for replica in replicas:
            await replica.settled()
        (key,) = [key async for key in redis.scan_iter(match=f"{namespace}*")]
        leased = int(await redis.get(key))
        # Every call counted (refused ones too, as without leases), plus what is still leased:
        # at most the rest of each replica's lease and the one it asked for ahead.
        assert 40 <= leased <= 40 + 2 * (8 + 8)
        assert sum(r.windows.round_trips for r in replicas) < 40 / 2
        await replicas[0].check("10.0.0.10")  # another address has its own window
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{namespace}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def test_the_rating_page_and_its_public_rpc_share_one_limit_per_address(
    infra: Infra, run: dict[str, Any]
) -> None:
    """Guessing tokens over gRPC or through the page counts against one window per address;
    another address is not held back. (The window is the wall clock's minute: the calls may
    straddle one boundary, so the test counts rather than expecting an exact sequence.)"""
    closed = "127.0.0.1:9"  # no peer: nothing here reaches intake, dispatch or an SMS gateway
    env = service_env(infra, run, f"rating_limits_t{run['id']}") | {
        # Its own counters: the suite's rating counts 127.0.0.1 in the run's namespace.
        "CIVICLOOP_NAMESPACE": f"{run['namespace']}limits.",
        "INTAKE_GRPC_TARGET": closed,
        "DISPATCH_GRPC_TARGET": closed,
        "RATING_SMS_URL": f"http://{closed}/messages",
        "RATING_LIMIT_PER_ADDRESS_MINUTE": str(PER_MINUTE),
    }
    guess = "A" * 43  # well formed, opens no link
    async with (
        running(infra, "rating", env, run) as rating,
        httpx.AsyncClient(base_url=rating.http_url, timeout=10) as page,
    ):
        channel = client_channel(rating.grpc_target)
        stub = rating_pb2_grpc.RatingServiceStub(channel)
        answers: list[str] = []
        try:
            for turn in range(4 * PER_MINUTE):
                if turn % 2:
                    answers.append(str((await page.get(f"/r/{guess}")).status_code))
                    continue
                try:
                    await stub.SubmitRating(
                        rating_pb2.SubmitRatingRequest(token=guess, score=4), timeout=10
                    )
                except grpc.aio.AioRpcError as refused:
                    answers.append(refused.code().name)
        finally:
            await channel.close()
        allowed = [a for a in answers if a in {"NOT_FOUND", "404"}]
        limited = [a for a in answers if a in {"RESOURCE_EXHAUSTED", "429"}]
        assert len(allowed) + len(limited) == len(answers), answers
        assert len(allowed) <= 2 * PER_MINUTE, answers  # at most two windows' worth
        assert {"RESOURCE_EXHAUSTED", "429"} <= set(limited), answers

        refused_page = await page.get(f"/r/{guess}")
        if refused_page.status_code == 429:  # unless a new minute began just now
            assert int(refused_page.headers["Retry-After"]) in range(1, 61)
        elsewhere = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(
            base_url=rating.http_url, transport=elsewhere, timeout=10
        ) as other_address:
            assert (await other_address.get(f"/r/{guess}")).status_code == 404
