"""Bad input to amenities is refused with the field named, and writes nothing (real process)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import grpc
import pytest
from amenities_loop import AmenityClient, details, point, spot, worker_of
from google.protobuf.field_mask_pb2 import FieldMask
from harness import field_violations

from civicloop.v1 import amenities_pb2, common_pb2

BEIJING = (39.9042, 116.4074)


async def amenity_count(db: asyncpg.Pool) -> int:
    return int(await db.fetchval("SELECT count(*) FROM amenities"))


def register_request(community: str = "C001", **overrides: Any) -> Any:
    lat, lng = spot()
    return amenities_pb2.RegisterAmenityRequest(
        request_id=str(uuid.uuid4()),
        community_code=community,
        details=details(lat, lng, **overrides),
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"opening_hours": "Mo-Fr 8点到18点"}, "details.opening_hours"),
        ({"opening_hours": "Mo-Xx 08:00-18:00"}, "details.opening_hours"),
        ({"opening_hours": ""}, "details.opening_hours"),
        ({"location": point(91.0, 103.62)}, "details.location.latitude"),
        ({"location": point(31.0, 181.0)}, "details.location.longitude"),
        ({"location": point(*BEIJING)}, "details.location"),
        ({"location": None}, "details.location"),
        ({"kind": 42}, "details.kind"),
        ({"kind": amenities_pb2.AMENITY_KIND_UNSPECIFIED}, "details.kind"),
        ({"access": amenities_pb2.AMENITY_ACCESS_CUSTOMERS}, "details.access"),
        ({"name": ""}, "details.name"),
        ({"fee": common_pb2.Money(fen=-1)}, "details.fee.fen"),
        (
            {"merchant": amenities_pb2.AmenityMerchant(name="店", public_phone="12345")},
            "details.merchant.public_phone",
        ),
    ],
)
async def test_a_bad_registration_is_refused_naming_the_field_and_writes_nothing(
    amenity_client: AmenityClient,
    amenities_db: asyncpg.Pool,
    overrides: dict[str, Any],
    field: str,
) -> None:
    before = await amenity_count(amenities_db)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await amenity_client.stub.RegisterAmenity(
            register_request(**overrides), metadata=worker_of("C001"), timeout=10
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in field_violations(refused.value)
    assert await amenity_count(amenities_db) == before


async def test_a_customers_only_toilet_cannot_be_registered_as_shared(
    amenity_client: AmenityClient,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await amenity_client.stub.RegisterAmenity(
            register_request(access=amenities_pb2.AMENITY_ACCESS_CUSTOMERS),
            metadata=worker_of("C001"),
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "public by definition" in (refused.value.details() or "")


async def test_an_unknown_community_is_refused(amenity_client: AmenityClient) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await amenity_client.stub.RegisterAmenity(
            register_request(community="C999"), metadata=worker_of("C999"), timeout=10
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(refused.value) == ["community_code"]


async def test_gcj02_and_bd09_locations_are_stored_as_wgs84(
    amenity_client: AmenityClient,
) -> None:
    lat, lng = spot()
    for system in (common_pb2.COORDINATE_SYSTEM_GCJ02, common_pb2.COORDINATE_SYSTEM_BD09):
        amenity = await amenity_client.register(
            lat, lng, location=point(lat, lng, coordinate_system=system)
        )
        stored = amenity.details.location
        assert stored.coordinate_system == common_pb2.COORDINATE_SYSTEM_WGS84
        # GCJ-02 lies some hundreds of metres off WGS-84 here; BD-09 further still.
        assert 0.001 < abs(stored.latitude - lat) + abs(stored.longitude - lng) < 0.03


async def test_a_worker_cannot_register_or_change_another_communitys_amenity(
    amenity_client: AmenityClient, amenities_db: asyncpg.Pool
) -> None:
    lat, lng = spot()
    amenity = await amenity_client.register(lat, lng, community="C001")
    stranger = worker_of("C002")

    with pytest.raises(grpc.aio.AioRpcError) as register:
        await amenity_client.stub.RegisterAmenity(
            register_request("C001"), metadata=stranger, timeout=10
        )
    assert register.value.code() == grpc.StatusCode.PERMISSION_DENIED

    with pytest.raises(grpc.aio.AioRpcError) as update:
        await amenity_client.stub.UpdateAmenity(
            amenities_pb2.UpdateAmenityRequest(
                request_id=str(uuid.uuid4()),
                amenity_id=amenity.amenity_id,
                expected_version=1,
                details=amenities_pb2.AmenityDetails(name="改个名字"),
                update_mask=FieldMask(paths=["name"]),
            ),
            metadata=stranger,
            timeout=10,
        )
    assert update.value.code() == grpc.StatusCode.PERMISSION_DENIED

    with pytest.raises(grpc.aio.AioRpcError) as withdraw:
        await amenity_client.stub.WithdrawAmenity(
            amenities_pb2.WithdrawAmenityRequest(
                request_id=str(uuid.uuid4()),
                amenity_id=amenity.amenity_id,
                expected_version=1,
                reason="不是我的",
            ),
            metadata=stranger,
            timeout=10,
        )
    assert withdraw.value.code() == grpc.StatusCode.PERMISSION_DENIED
    row = await amenities_db.fetchrow(
        "SELECT version, name, state FROM amenities WHERE amenity_id = $1", amenity.amenity_id
    )
    assert tuple(row) == (1, amenity.details.name, "active")


async def test_an_update_that_breaks_a_rule_is_refused_naming_the_field(
    amenity_client: AmenityClient,
) -> None:
    lat, lng = spot()
    amenity = await amenity_client.register(
        lat,
        lng,
        kind=amenities_pb2.AMENITY_KIND_SHARED_HOT_WATER,
        access=amenities_pb2.AMENITY_ACCESS_CUSTOMERS,
    )
    cases = [
        (
            ["kind"],
            amenities_pb2.AmenityDetails(kind=amenities_pb2.AMENITY_KIND_SHARED_TOILET),
            "details.access",
        ),
        (
            ["opening_hours"],
            amenities_pb2.AmenityDetails(opening_hours="whenever"),
            "details.opening_hours",
        ),
        (["location"], amenities_pb2.AmenityDetails(location=point(*BEIJING)), "details.location"),
        (["registered_by"], amenities_pb2.AmenityDetails(), "update_mask"),
        ([], amenities_pb2.AmenityDetails(), "update_mask"),
    ]
    for paths, new, field in cases:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await amenity_client.stub.UpdateAmenity(
                amenities_pb2.UpdateAmenityRequest(
                    request_id=str(uuid.uuid4()),
                    amenity_id=amenity.amenity_id,
                    expected_version=1,
                    details=new,
                    update_mask=FieldMask(paths=paths),
                ),
                metadata=worker_of("C001"),
                timeout=10,
            )
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, paths
        assert field in field_violations(refused.value), paths


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [
        ({"radius_meters": 0}, "radius_meters"),
        ({"radius_meters": 5001}, "radius_meters"),
        ({"max_results": 51}, "max_results"),
        ({"max_results": -1}, "max_results"),
        ({"location": point(*BEIJING)}, "location"),
        ({"location": point(-91.0, 103.6)}, "location.latitude"),
        ({"location": None}, "location"),
        ({"kinds": [99]}, "kinds[0]"),
        ({"access": 7}, "access"),
    ],
)
async def test_a_bad_search_is_refused_naming_the_field(
    amenity_client: AmenityClient, request_fields: dict[str, Any], field: str
) -> None:
    fields: dict[str, Any] = {"location": point(31.0, 103.62), "radius_meters": 500}
    fields.update(request_fields)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await amenity_client.stub.FindNearby(
            amenities_pb2.FindNearbyRequest(**{k: v for k, v in fields.items() if v is not None}),
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in field_violations(refused.value)


@pytest.mark.parametrize(
    ("reason_code", "comment", "field"),
    [
        ("too_far", "", "reason_code"),
        ("other", "", "comment"),
        ("unclean", "脏" * 501, "comment"),
    ],
)
async def test_a_bad_report_is_refused_naming_the_field(
    amenity_client: AmenityClient, reason_code: str, comment: str, field: str
) -> None:
    lat, lng = spot()
    amenity = await amenity_client.register(lat, lng)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await amenity_client.stub.ReportAmenity(
            amenities_pb2.ReportAmenityRequest(
                request_id=str(uuid.uuid4()),
                amenity_id=amenity.amenity_id,
                reason_code=reason_code,
                comment=comment,
            ),
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(refused.value) == [field]
