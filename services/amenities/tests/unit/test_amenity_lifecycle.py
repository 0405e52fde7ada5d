"""What may happen to an amenity, and the rules on its details (domain/model.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from civicloop.amenities.domain.hours import OpenStatus
from civicloop.amenities.domain.model import (
    Access,
    Amenity,
    AmenityChanged,
    AmenityKind,
    AmenityRegistered,
    AmenityState,
    Details,
    Merchant,
    Report,
    ReportReason,
    check_details,
    check_location,
    check_report,
    with_paths,
)
from civicloop.amenities.domain.search import OpenWindows, amenity_status
from civicloop.platform.domain import Actor
from civicloop.platform.errors import IllegalTransition, Violations

WORKER = Actor("worker-1", "worker")
AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
TOILET = Details(
    kind=AmenityKind.SHARED_TOILET,
    name="幸福超市共享厕所",
    address="幸福街道幸福路12号",
    latitude=30.9968,
    longitude=103.6225,
    opening_hours="Mo-Su 08:00-21:00",
    merchant=Merchant("幸福超市", enrolled=True, sign_number="DJY-XF-0012"),
)


def registered() -> Amenity:
    amenity = Amenity.register("a1", "C001", TOILET, WORKER, AT)
    amenity.pop_events()
    return amenity


def problems(details: Details) -> list[str]:
    errors = Violations()
    check_details(errors, details)
    return [v.field for v in errors.items]


def test_a_registered_amenity_is_active_verified_and_at_version_one() -> None:
    amenity = Amenity.register("a1", "C001", TOILET, WORKER, AT)
    assert (amenity.state, amenity.version, amenity.verified_at) == (AmenityState.ACTIVE, 1, AT)
    assert amenity.pop_events() == [AmenityRegistered(1, AT, WORKER)]


def test_every_change_bumps_the_version_and_records_one_event() -> None:
    amenity = registered()
    amenity.update(replace(TOILET, opening_hours="24/7"), WORKER, AT)
    amenity.suspend("维修中", WORKER, AT)
    amenity.reinstate(WORKER, AT)
    amenity.verify(WORKER, AT + timedelta(days=1))
    amenity.withdraw("商户停业", WORKER, AT)
    assert [e.change for e in amenity.pop_events() if isinstance(e, AmenityChanged)] == [
        "details",
        "suspended",
        "reinstated",
        "verified",
        "withdrawn",
    ]
    assert amenity.version == 6 and amenity.state is AmenityState.WITHDRAWN


def test_a_withdrawn_amenity_is_history_nothing_changes_it() -> None:
    amenity = registered()
    amenity.withdraw("商户停业", WORKER, AT)
    for change in (
        lambda: amenity.update(TOILET, WORKER, AT),
        lambda: amenity.suspend("x", WORKER, AT),
        lambda: amenity.verify(WORKER, AT),
        lambda: amenity.withdraw("x", WORKER, AT),
    ):
        with pytest.raises(IllegalTransition):
            change()
    assert amenity.version == 2


def test_only_a_suspended_amenity_can_be_reinstated_and_only_an_active_one_suspended() -> None:
    amenity = registered()
    with pytest.raises(IllegalTransition):
        amenity.reinstate(WORKER, AT)
    amenity.suspend("维修中", WORKER, AT)
    assert not amenity.searchable
    with pytest.raises(IllegalTransition):
        amenity.suspend("again", WORKER, AT)


def test_unverified_for_180_days_an_amenity_is_stale() -> None:
    amenity = registered()
    assert not amenity.is_stale(AT + timedelta(days=179))
    assert amenity.is_stale(AT + timedelta(days=180))
    amenity.verify(WORKER, AT + timedelta(days=200))
    assert not amenity.is_stale(AT + timedelta(days=200))


def test_a_shared_toilet_must_be_public() -> None:
    assert problems(replace(TOILET, access=Access.CUSTOMERS)) == ["details.access"]
    hot_water = replace(TOILET, kind=AmenityKind.SHARED_HOT_WATER, access=Access.CUSTOMERS)
    assert problems(hot_water) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"opening_hours": "Mo-Fr 8点-18点"}, "details.opening_hours"),
        ({"opening_hours": ""}, "details.opening_hours"),
        ({"name": ""}, "details.name"),
        ({"name": "厕" * 101}, "details.name"),
        ({"address": "   "}, "details.address"),
        ({"description": "a\x00b"}, "details.description"),
        ({"fee_fen": -1}, "details.fee.fen"),
        ({"merchant": Merchant("")}, "details.merchant.name"),
        ({"merchant": Merchant("店", credit_code="123")}, "details.merchant.credit_code"),
        ({"merchant": Merchant("店", public_phone="12345")}, "details.merchant.public_phone"),
        ({"merchant": Merchant("店", sign_number="牌子1")}, "details.merchant.sign_number"),
    ],
)
def test_each_bad_detail_is_named_by_its_field(change: dict[str, object], field: str) -> None:
    assert problems(replace(TOILET, **change)) == [field]  # type: ignore[arg-type]


def test_good_merchant_details_pass() -> None:
    merchant = Merchant("幸福超市", "91510181MA6CXXXX1X", "028-87654321", True, "DJY-XF-0012")
    assert problems(replace(TOILET, merchant=merchant)) == []


@pytest.mark.parametrize(
    ("lat", "lng", "system", "fields"),
    [
        (91.0, 103.6, "wgs84", ["here.latitude"]),
        (31.0, float("nan"), "wgs84", ["here.longitude"]),
        (39.9042, 116.4074, "wgs84", ["here"]),  # Beijing
        (31.0, 103.62, "wgs84", []),
        (31.0, 103.62, "gcj02", []),
    ],
)
def test_a_location_must_be_a_point_in_the_city(
    lat: float, lng: float, system: str, fields: list[str]
) -> None:
    errors = Violations()
    check_location(errors, "here", lat, lng, system)
    assert [v.field for v in errors.items] == fields


def test_an_update_mask_takes_only_the_named_fields() -> None:
    new = replace(
        TOILET,
        name="新名字",
        opening_hours="24/7",
        latitude=31.0,
        longitude=103.6,
        merchant=Merchant("别的店", public_phone="13812345678"),
    )
    merged = with_paths(TOILET, new, ["opening_hours", "merchant.public_phone", "location"])
    assert merged.name == TOILET.name and merged.opening_hours == "24/7"
    assert (merged.latitude, merged.longitude) == (31.0, 103.6)
    assert merged.merchant == replace(TOILET.merchant, public_phone="13812345678")  # type: ignore[type-var]


def test_a_report_needs_a_known_reason_and_a_comment_with_other() -> None:
    errors = Violations()
    assert check_report(errors, "unclean", "") is ReportReason.UNCLEAN
    assert check_report(errors, "other", "") is ReportReason.OTHER
    assert check_report(errors, "too_far", "") is None
    assert [v.field for v in errors.items] == ["comment", "reason_code"]


def test_a_withdrawn_amenity_takes_no_reports() -> None:
    amenity = registered()
    report = Report.file("r1", amenity, ReportReason.UNCLEAN, "", None, AT)
    assert (report.community_code, report.reported_by_subject, report.version) == ("C001", "", 1)
    amenity.withdraw("商户停业", WORKER, AT)
    with pytest.raises(IllegalTransition):
        Report.file("r2", amenity, ReportReason.UNCLEAN, "", None, AT)


def test_a_suspended_or_withdrawn_amenity_shows_closed_whatever_its_hours_say() -> None:
    windows = OpenWindows()  # 08:00 UTC is 16:00 in Shanghai: open by its hours
    amenity = registered()
    assert amenity_status(amenity, AT, windows)[0] is OpenStatus.OPEN
    amenity.suspend("cleaning the drains", WORKER, AT)
    assert amenity_status(amenity, AT, windows) == (OpenStatus.CLOSED, None)
    amenity.withdraw("the shop closed", WORKER, AT)
    assert amenity_status(amenity, AT, windows) == (OpenStatus.CLOSED, None)
