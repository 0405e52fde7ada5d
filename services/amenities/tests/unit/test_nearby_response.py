"""FindNearby's answer written from serialized cards (messages.nearby_response) is the message
the contract describes, field by field."""

from __future__ import annotations

from datetime import UTC, datetime

from civicloop.amenities import messages
from civicloop.amenities.domain.hours import OpenStatus
from civicloop.amenities.domain.model import Amenity, AmenityKind, Details, Merchant
from civicloop.platform.domain import Actor
from civicloop.v1 import amenities_pb2

AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CLOSES = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


def card(name: str) -> amenities_pb2.Amenity:
    details = Details(
        kind=AmenityKind.SHARED_TOILET,
        name=name,
        address="幸福街道幸福路12号",
        latitude=30.9968,
        longitude=103.6225,
        opening_hours="Mo-Su 08:00-21:00",
        merchant=Merchant("幸福超市", enrolled=True, sign_number="DJY-XF-0012"),
    )
    amenity = Amenity.register(name, "C001", details, Actor("worker-1", "worker"), AT)
    return messages.amenity_pb(amenity)


def built_field_by_field(
    results: list[tuple[amenities_pb2.Amenity, float, OpenStatus, datetime | None, bool, int]],
) -> amenities_pb2.FindNearbyResponse:
    response = amenities_pb2.FindNearbyResponse()
    for amenity, distance, status, next_change_at, stale, reports in results:
        result = response.results.add()
        result.amenity.CopyFrom(amenity)
        result.amenity.stale = stale
        result.amenity.recent_report_count = reports
        result.distance_meters = distance
        result.open_status = messages.OPEN_TO_PB[status]
        if next_change_at is not None:
            result.next_change_at.FromDatetime(next_change_at)
        result.stale = stale
    return response


def test_each_result_shows_its_card_distance_status_next_change_stale_flags_and_reports() -> None:
    long_name = "幸福超市共享厕所" * 20  # a card over 127 bytes: a two-byte length
    results = [
        (card("a1"), 12.5, OpenStatus.OPEN, CLOSES, False, 0),
        (card(long_name), 0.0, OpenStatus.OPEN, None, True, 3),
        (card("a3"), 480.25, OpenStatus.UNKNOWN, None, False, 1),
    ]
    response = messages.nearby_response(
        (c.SerializeToString(), d, s, n, stale, r) for c, d, s, n, stale, r in results
    )
    expected = built_field_by_field(results)
    assert response == expected
    assert response.SerializeToString() == expected.SerializeToString()
    assert [r.amenity.stale for r in response.results] == [False, True, False]
    assert [r.amenity.recent_report_count for r in response.results] == [0, 3, 1]
    assert not response.results[1].HasField("next_change_at")


def test_no_results_is_an_empty_answer() -> None:
    assert messages.nearby_response([]) == amenities_pb2.FindNearbyResponse()
