"""幸福共享家 over a real amenities process, PostgreSQL, Redis and RabbitMQ: the registry (audit
trail, versions, request ids, stewardship) and FindNearby through the Redis GEO index."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import asyncpg
import grpc
import httpx
import pytest
from amenities_loop import OFFICE, AmenityClient, point, spot, worker_of
from google.protobuf.field_mask_pb2 import FieldMask
from harness import EventTap, MovableClock, ServiceProcess

from civicloop.amenities.pages import COMMUNITY_PAGE
from civicloop.platform.bus import Topology
from civicloop.platform.protobuf import timestamp
from civicloop.v1 import amenities_pb2, events_pb2

OPEN = amenities_pb2.AMENITY_OPEN_STATUS_OPEN
CLOSED = amenities_pb2.AMENITY_OPEN_STATUS_CLOSED
SHANGHAI_NOON = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai, a Wednesday


@pytest.fixture
async def amenity_tap(
    amqp: aio_pika.abc.AbstractRobustConnection, run: dict[str, Any], amenities: ServiceProcess
) -> AsyncIterator[EventTap]:
    """What amenities published (without starting intake, as the shared ``tap`` would)."""
    channel = await amqp.channel()
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(Topology(run["namespace"]).events_exchange, routing_key="civicloop.amenity.#")
    yield EventTap(queue)
    await queue.delete(if_unused=False, if_empty=False)
    await channel.close()


async def test_a_tourist_finds_the_nearest_open_shared_toilet_first_with_its_distance(
    amenity_client: AmenityClient,
) -> None:
    lat, lng = spot()
    far = await amenity_client.register(lat + 0.003, lng, name="远一点的共享厕所")
    near = await amenity_client.register(lat + 0.001, lng, name="近的共享厕所")
    night = await amenity_client.register(
        lat, lng + 0.0005, name="夜市共享厕所", opening_hours="Mo-Su 20:00-02:00"
    )

    results = await amenity_client.nearby(lat, lng, 500, at=timestamp(SHANGHAI_NOON))
    mine = [
        r
        for r in results
        if r.amenity.amenity_id in {far.amenity_id, near.amenity_id, night.amenity_id}
    ]
    assert [r.amenity.amenity_id for r in mine] == [
        night.amenity_id,
        near.amenity_id,
        far.amenity_id,
    ]
    assert [round(r.distance_meters) for r in mine] == [48, 111, 334]
    assert [r.open_status for r in mine] == [CLOSED, OPEN, OPEN]
    # The night market's toilet opens at 20:00 Shanghai time, 12:00 UTC.
    assert mine[0].next_change_at.ToDatetime() == datetime(2026, 12, 2, 12, 0)

    open_now = await amenity_client.nearby(
        lat, lng, 500, at=timestamp(SHANGHAI_NOON), open_now=True
    )
    assert night.amenity_id not in {r.amenity.amenity_id for r in open_now}
    within_200 = await amenity_client.nearby(lat, lng, 200, at=timestamp(SHANGHAI_NOON))
    assert far.amenity_id not in {r.amenity.amenity_id for r in within_200}


async def test_public_and_customers_only_amenities_are_never_mixed_in_one_search(
    amenity_client: AmenityClient,
) -> None:
    lat, lng = spot()
    public = await amenity_client.register(
        lat, lng, kind=amenities_pb2.AMENITY_KIND_SHARED_HOT_WATER, name="公共热水点"
    )
    customers = await amenity_client.register(
        lat + 0.0005,
        lng,
        kind=amenities_pb2.AMENITY_KIND_SHARED_HOT_WATER,
        name="茶馆热水（顾客）",
        access=amenities_pb2.AMENITY_ACCESS_CUSTOMERS,
    )
    found_public = {r.amenity.amenity_id for r in await amenity_client.nearby(lat, lng)}
    found_customers = {
        r.amenity.amenity_id
        for r in await amenity_client.nearby(
            lat, lng, access=amenities_pb2.AMENITY_ACCESS_CUSTOMERS
        )
    }
    assert public.amenity_id in found_public and customers.amenity_id not in found_public
    assert customers.amenity_id in found_customers and public.amenity_id not in found_customers


async def test_search_filters_by_kind_and_by_what_a_visitor_needs(
    amenity_client: AmenityClient,
) -> None:
    lat, lng = spot()
    plain = await amenity_client.register(lat, lng, name="普通共享厕所")
    family = await amenity_client.register(
        lat + 0.0004,
        lng,
        name="无障碍母婴共享厕所",
        wheelchair_accessible=True,
        baby_change=True,
        all_gender=True,
    )
    water = await amenity_client.register(
        lat, lng + 0.0004, name="热水点", kind=amenities_pb2.AMENITY_KIND_SHARED_HOT_WATER
    )
    ids = {plain.amenity_id, family.amenity_id, water.amenity_id}

    async def found(**kw: object) -> set[str]:
        return {r.amenity.amenity_id for r in await amenity_client.nearby(lat, lng, **kw)} & ids

    assert await found() == ids
    assert await found(kinds=[amenities_pb2.AMENITY_KIND_SHARED_TOILET]) == {
        plain.amenity_id,
        family.amenity_id,
    }
    assert await found(kinds=[amenities_pb2.AMENITY_KIND_SHARED_HOT_WATER]) == {water.amenity_id}
    assert await found(baby_change=True, wheelchair_accessible=True) == {family.amenity_id}
    assert await found(all_gender=True) == {family.amenity_id}


async def test_a_change_is_versioned_audited_evented_and_followed_by_search(
    amenity_client: AmenityClient, amenities_db: asyncpg.Pool, amenity_tap: EventTap
) -> None:
    lat, lng = spot()
    amenity = await amenity_client.register(lat, lng, opening_hours="Mo-Fr 08:00-18:00")
    await amenity_tap.for_subject(amenity.amenity_id, "civicloop.amenity.registered.v1")
    worker = worker_of("C001", "worker-wang")

    changed = await amenity_client.stub.UpdateAmenity(
        amenities_pb2.UpdateAmenityRequest(
            request_id=str(uuid.uuid4()),
            amenity_id=amenity.amenity_id,
            expected_version=1,
            details=amenities_pb2.AmenityDetails(
                opening_hours="24/7", location=amenity.details.location
            ),
            update_mask=FieldMask(paths=["opening_hours", "location"]),
        ),
        metadata=worker,
        timeout=10,
    )
    assert changed.amenity.version == 2
    assert changed.amenity.details.opening_hours == "24/7"
    assert changed.amenity.details.name == amenity.details.name  # untouched by the mask
    message = await amenity_tap.for_subject(amenity.amenity_id, "civicloop.amenity.changed.v1")
    event = events_pb2.AmenityChanged.FromString(message.body)
    assert (event.version, event.opening_hours, event.change) == (2, "24/7", "details")

    sunday_night = timestamp(datetime(2026, 12, 6, 15, 0, tzinfo=UTC))
    result = await amenity_client.found(lat, lng, amenity.amenity_id, at=sunday_night)
    assert result is not None
    assert result.amenity.version == 2 and result.open_status == OPEN

    with pytest.raises(grpc.aio.AioRpcError) as stale_version:
        await amenity_client.stub.WithdrawAmenity(
            amenities_pb2.WithdrawAmenityRequest(
                request_id=str(uuid.uuid4()),
                amenity_id=amenity.amenity_id,
                expected_version=1,
                reason="商户停业",
            ),
            metadata=worker,
            timeout=10,
        )
    assert stale_version.value.code() == grpc.StatusCode.ABORTED

    withdrawn = await amenity_client.stub.WithdrawAmenity(
        amenities_pb2.WithdrawAmenityRequest(
            request_id=str(uuid.uuid4()),
            amenity_id=amenity.amenity_id,
            expected_version=2,
            reason="商户停业",
        ),
        metadata=worker,
        timeout=10,
    )
    assert withdrawn.amenity.state == amenities_pb2.AMENITY_STATE_WITHDRAWN
    assert await amenity_client.found(lat, lng, amenity.amenity_id) is None
    got = await amenity_client.stub.GetAmenity(
        amenities_pb2.GetAmenityRequest(amenity_id=amenity.amenity_id), timeout=10
    )
    assert got.amenity.withdrawal_reason == "商户停业"

    history = await amenities_db.fetch(
        """SELECT version, state, event_type, actor, role FROM history
            WHERE aggregate_type = 'amenity' AND aggregate_id = $1 ORDER BY version""",
        amenity.amenity_id,
    )
    assert [tuple(h) for h in history] == [
        (1, "active", "civicloop.amenity.registered.v1", "worker-C001", "worker"),
        (2, "active", "civicloop.amenity.changed.v1", "worker-wang", "worker"),
        (3, "withdrawn", "civicloop.amenity.changed.v1", "worker-wang", "worker"),
    ]


async def test_a_suspended_amenity_leaves_the_map_until_reinstated(
    amenity_client: AmenityClient,
) -> None:
    lat, lng = spot()
    amenity = await amenity_client.register(lat, lng)
    suspended = await amenity_client.stub.SuspendAmenity(
        amenities_pb2.SuspendAmenityRequest(
            request_id=str(uuid.uuid4()),
            amenity_id=amenity.amenity_id,
            expected_version=1,
            reason="维修中",
        ),
        metadata=OFFICE,
        timeout=10,
    )
    assert suspended.amenity.state == amenities_pb2.AMENITY_STATE_SUSPENDED
    assert await amenity_client.found(lat, lng, amenity.amenity_id) is None
    await amenity_client.stub.ReinstateAmenity(
        amenities_pb2.ReinstateAmenityRequest(
            request_id=str(uuid.uuid4()), amenity_id=amenity.amenity_id, expected_version=2
        ),
        metadata=OFFICE,
        timeout=10,
    )
    assert await amenity_client.found(lat, lng, amenity.amenity_id) is not None


async def test_a_repeated_request_id_gets_the_first_answer_and_registers_once(
    amenity_client: AmenityClient, amenities_db: asyncpg.Pool
) -> None:
    lat, lng = spot()
    request = amenities_pb2.RegisterAmenityRequest(
        request_id=str(uuid.uuid4()),
        community_code="C002",
        details=amenities_pb2.AmenityDetails(
            kind=amenities_pb2.AMENITY_KIND_READING,
            name="莲花社区阅读空间",
            address="莲花社区党群服务中心二楼",
            location=point(lat, lng),
            opening_hours="Tu-Su 09:00-17:00; PH off",
        ),
    )
    worker = worker_of("C002")
    first = await amenity_client.stub.RegisterAmenity(request, metadata=worker, timeout=10)
    again = await amenity_client.stub.RegisterAmenity(request, metadata=worker, timeout=10)
    assert again == first
    assert (
        await amenities_db.fetchval(
            "SELECT count(*) FROM amenities WHERE name = '莲花社区阅读空间' AND latitude = $1",
            first.amenity.details.location.latitude,
        )
        == 1
    )

    request.details.name = "另一个名字"
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await amenity_client.stub.RegisterAmenity(request, metadata=worker, timeout=10)
    assert reused.value.code() == grpc.StatusCode.ALREADY_EXISTS


async def test_an_amenity_unverified_for_180_days_is_shown_stale_until_a_worker_checks_it(
    amenity_client: AmenityClient, amenities_clock: MovableClock
) -> None:
    lat, lng = spot()
    amenity = await amenity_client.register(lat, lng)
    assert not amenity.stale

    amenities_clock.set(datetime.now(UTC) + timedelta(days=181))
    result = await amenity_client.found(lat, lng, amenity.amenity_id)
    assert result is not None
    assert result.stale and result.amenity.stale

    await amenity_client.stub.VerifyAmenity(
        amenities_pb2.VerifyAmenityRequest(
            request_id=str(uuid.uuid4()), amenity_id=amenity.amenity_id, expected_version=1
        ),
        metadata=worker_of("C001"),
        timeout=10,
    )
    result = await amenity_client.found(lat, lng, amenity.amenity_id)
    assert result is not None
    assert not result.stale and result.amenity.version == 2


async def test_reports_are_kept_redacted_and_listed_to_the_communitys_worker_only(
    amenity_client: AmenityClient,
) -> None:
    lat, lng = spot()
    amenity = await amenity_client.register(lat, lng, community="C003")
    report = await amenity_client.stub.ReportAmenity(
        amenities_pb2.ReportAmenityRequest(
            request_id=str(uuid.uuid4()),
            amenity_id=amenity.amenity_id,
            reason_code="closed_when_listed_open",
            comment="下午三点去门锁着，店员电话13812345678也打不通",
        ),
        timeout=10,
    )
    assert "13812345678" not in report.report.comment
    assert report.report.community_code == "C003"

    listed = await amenity_client.stub.ListReports(
        amenities_pb2.ListReportsRequest(amenity_id=amenity.amenity_id),
        metadata=worker_of("C003"),
        timeout=10,
    )
    assert [r.report_id for r in listed.reports] == [report.report.report_id]
    elsewhere = await amenity_client.stub.ListReports(
        amenities_pb2.ListReportsRequest(amenity_id=amenity.amenity_id),
        metadata=worker_of("C004"),
        timeout=10,
    )
    assert list(elsewhere.reports) == []
    got = await amenity_client.stub.GetAmenity(
        amenities_pb2.GetAmenityRequest(amenity_id=amenity.amenity_id), timeout=10
    )
    assert got.amenity.recent_report_count == 1
    # The search shows it too, from the next search on (counted where it was made).
    result = await amenity_client.found(lat, lng, amenity.amenity_id)
    assert result is not None and result.amenity.recent_report_count == 1


async def test_a_public_rpc_takes_a_caller_who_says_who_they_are_and_refuses_a_bad_token(
    amenity_client: AmenityClient,
) -> None:
    lat, lng = spot()
    amenity = await amenity_client.register(lat, lng, community="C003")
    stub = amenity_client.stub
    listed = await stub.ListAmenities(
        amenities_pb2.ListAmenitiesRequest(community_code="C003", include_withdrawn=True),
        metadata=worker_of("C003"),
        timeout=10,
    )
    assert amenity.amenity_id in {a.amenity_id for a in listed.amenities}
    for metadata, code in (
        ((), grpc.StatusCode.UNAUTHENTICATED),  # withdrawn ones are not for the public
        ((("authorization", "Bearer not-a-token"),), grpc.StatusCode.UNAUTHENTICATED),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.ListAmenities(
                amenities_pb2.ListAmenitiesRequest(community_code="C003", include_withdrawn=True),
                metadata=metadata,
                timeout=10,
            )
        assert refused.value.code() is code
    with pytest.raises(grpc.aio.AioRpcError) as bad_token:
        await stub.GetAmenity(
            amenities_pb2.GetAmenityRequest(amenity_id=amenity.amenity_id),
            metadata=(("authorization", "Bearer not-a-token"),),
            timeout=10,
        )
    assert bad_token.value.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_a_community_without_a_centre_shows_its_public_amenities_past_a_page_of_others(
    amenity_client: AmenityClient, amenities: ServiceProcess
) -> None:
    # C150 has no centre on file, so its page lists its amenities by name. More than one
    # read's worth of customer-only ones come first by name; the public one after them is
    # still shown, and none of them is.
    community = "C150"
    customers_only = {
        "kind": amenities_pb2.AMENITY_KIND_SHARED_HOT_WATER,
        "access": amenities_pb2.AMENITY_ACCESS_CUSTOMERS,
    }
    for number in range(COMMUNITY_PAGE + 2):
        await amenity_client.register(
            *spot(), community=community, name=f"A{number:03d}茶馆热水", **customers_only
        )
    await amenity_client.register(
        *spot(),
        community=community,
        name="Z街坊共享热水",
        kind=amenities_pb2.AMENITY_KIND_SHARED_HOT_WATER,
    )
    async with httpx.AsyncClient(base_url=amenities.http_url, timeout=10) as client:
        page = await client.get("/", params={"community": community})
    assert page.status_code == 200
    assert "Z街坊共享热水" in page.text
    assert "茶馆热水" not in page.text
