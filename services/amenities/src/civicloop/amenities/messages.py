"""Amenities' domain values to protobuf and back: the contract (amenities.proto) and the
events (events.proto). Translation only."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from google.protobuf.message import Message

from civicloop.amenities.domain.hours import OpenStatus
from civicloop.amenities.domain.model import (
    Access,
    Amenity,
    AmenityChanged,
    AmenityKind,
    AmenityRegistered,
    AmenityReported,
    AmenityState,
    Details,
    Merchant,
    Report,
)
from civicloop.amenities.domain.reports import Problem, ProblemChanged
from civicloop.platform.protobuf import actor_message, enum_maps, timestamp
from civicloop.v1 import amenities_pb2, common_pb2, events_pb2

KIND_TO_PB, KIND_FROM_PB = enum_maps(AmenityKind, amenities_pb2.AmenityKind, "AMENITY_KIND")
STATE_TO_PB, STATE_FROM_PB = enum_maps(AmenityState, amenities_pb2.AmenityState, "AMENITY_STATE")
ACCESS_TO_PB, ACCESS_FROM_PB = enum_maps(Access, amenities_pb2.AmenityAccess, "AMENITY_ACCESS")
OPEN_TO_PB, _ = enum_maps(OpenStatus, amenities_pb2.AmenityOpenStatus, "AMENITY_OPEN_STATUS")

COORDINATE_SYSTEMS = {
    common_pb2.COORDINATE_SYSTEM_UNSPECIFIED: "wgs84",
    common_pb2.COORDINATE_SYSTEM_WGS84: "wgs84",
    common_pb2.COORDINATE_SYSTEM_GCJ02: "gcj02",
    common_pb2.COORDINATE_SYSTEM_BD09: "bd09",
}


def coordinate_system(point: common_pb2.GeoPoint) -> str | None:
    """The datum's name, or None for a value this service does not know."""
    return COORDINATE_SYSTEMS.get(point.coordinate_system)


def access_from_pb(value: amenities_pb2.AmenityAccess) -> Access | None:
    """Unspecified is public; an unknown number is None."""
    if value == amenities_pb2.AMENITY_ACCESS_UNSPECIFIED:
        return Access.PUBLIC
    return ACCESS_FROM_PB.get(value)


def details_from_pb(
    d: amenities_pb2.AmenityDetails, kind: AmenityKind, access: Access, lat: float, lng: float
) -> Details:
    """The request's details, with the kind, access and WGS-84 location already checked."""
    merchant = None
    if d.HasField("merchant"):
        m = d.merchant
        merchant = Merchant(m.name, m.credit_code, m.public_phone, m.enrolled, m.sign_number)
    return Details(
        kind=kind,
        name=d.name,
        description=d.description,
        merchant=merchant,
        latitude=lat,
        longitude=lng,
        address=d.address,
        opening_hours=d.opening_hours,
        access=access,
        wheelchair_accessible=d.wheelchair_accessible,
        baby_change=d.baby_change,
        all_gender=d.all_gender,
        fee_fen=d.fee.fen,
    )


def details_pb(d: Details) -> amenities_pb2.AmenityDetails:
    m = d.merchant
    return amenities_pb2.AmenityDetails(
        kind=KIND_TO_PB[d.kind],
        name=d.name,
        description=d.description,
        merchant=(
            amenities_pb2.AmenityMerchant(
                name=m.name,
                credit_code=m.credit_code,
                public_phone=m.public_phone,
                enrolled=m.enrolled,
                sign_number=m.sign_number,
            )
            if m
            else None
        ),
        location=common_pb2.GeoPoint(
            latitude=d.latitude,
            longitude=d.longitude,
            coordinate_system=common_pb2.COORDINATE_SYSTEM_WGS84,
        ),
        address=d.address,
        opening_hours=d.opening_hours,
        wheelchair_accessible=d.wheelchair_accessible,
        fee=common_pb2.Money(fen=d.fee_fen),
        access=ACCESS_TO_PB[d.access],
        baby_change=d.baby_change,
        all_gender=d.all_gender,
    )


def amenity_pb(
    a: Amenity, *, stale: bool = False, recent_report_count: int = 0
) -> amenities_pb2.Amenity:
    return amenities_pb2.Amenity(
        amenity_id=a.id,
        community_code=a.community_code,
        details=details_pb(a.details),
        state=STATE_TO_PB[a.state],
        version=a.version,
        recent_report_count=recent_report_count,
        registered_at=timestamp(a.registered_at),
        registered_by=actor_message(a.registered_by),
        updated_at=timestamp(a.updated_at),
        withdrawn_at=timestamp(a.withdrawn_at),
        withdrawal_reason=a.withdrawal_reason,
        verified_at=timestamp(a.verified_at),
        stale=stale,
        suspension_reason=a.suspension_reason,
    )


def _delimited(tag: int, payload: bytes) -> bytes:
    """A length-delimited field on the wire: its key (``tag``, one byte: field number << 3
    | 2), the payload's length as a varint, the payload."""
    length = len(payload)
    head = bytearray((tag,))
    while length > 0x7F:
        head.append((length & 0x7F) | 0x80)
        length >>= 7
    head.append(length)
    return bytes(head) + payload


# NearbyAmenity.amenity and FindNearbyResponse.results: field 1, length-delimited.
_FIELD_1 = (1 << 3) | 2


@lru_cache(maxsize=4096)
def _nearby_status(status: OpenStatus, next_change_at: datetime | None, stale: bool) -> bytes:
    """A result's open status, next change and stale flags (the amenity's too), serialized:
    shared by every result of the same opening hours at the same moment."""
    return amenities_pb2.NearbyAmenity(
        amenity=amenities_pb2.Amenity(stale=True) if stale else None,
        open_status=OPEN_TO_PB[status],
        next_change_at=timestamp(next_change_at),
        stale=stale,
    ).SerializeToString()


@lru_cache(maxsize=256)
def _recent_reports(count: int) -> bytes:
    """A result's count of recent reports, serialized (merged into its card's amenity)."""
    return amenities_pb2.NearbyAmenity(
        amenity=amenities_pb2.Amenity(recent_report_count=count)
    ).SerializeToString()


def nearby_response(
    results: Iterable[tuple[bytes, float, OpenStatus, datetime | None, bool, int]],
) -> amenities_pb2.FindNearbyResponse:
    """FindNearby's answer from each result's card (an Amenity, serialized ahead), distance,
    open status, next change, stale flag and count of recent reports. Each result is written
    as the concatenation of its parts' serialized messages (a message field that occurs twice
    is merged: the card's amenity gains the stale flag and the count), so a search copies
    bytes instead of setting fields."""
    return amenities_pb2.FindNearbyResponse.FromString(
        b"".join(
            _delimited(
                _FIELD_1,
                _delimited(_FIELD_1, card)
                + amenities_pb2.NearbyAmenity(distance_meters=distance).SerializeToString()
                + _nearby_status(status, next_change_at, stale)
                + (_recent_reports(reports) if reports else b""),
            )
            for card, distance, status, next_change_at, stale, reports in results
        )
    )


def report_pb(r: Report) -> amenities_pb2.AmenityReport:
    return amenities_pb2.AmenityReport(
        report_id=r.id,
        amenity_id=r.amenity_id,
        community_code=r.community_code,
        reason_code=r.reason.value,
        comment=r.comment,
        reported_at=timestamp(r.reported_at),
        reported_by_subject=r.reported_by_subject,
        state=r.state.value,
    )


def _location(d: Details) -> common_pb2.GeoPoint:
    return common_pb2.GeoPoint(
        latitude=d.latitude,
        longitude=d.longitude,
        coordinate_system=common_pb2.COORDINATE_SYSTEM_WGS84,
    )


def event_message(aggregate: Any, event: Any) -> Message:
    """A domain event of an amenity or a report as its events.proto payload."""
    if isinstance(event, AmenityRegistered):
        assert isinstance(aggregate, Amenity)
        d = aggregate.details
        return events_pb2.AmenityRegistered(
            amenity_id=aggregate.id,
            kind=d.kind.value,
            community_code=aggregate.community_code,
            name=d.name,
            location=_location(d),
            opening_hours=d.opening_hours,
            registered_at=timestamp(event.at),
            access=d.access.value,
        )
    if isinstance(event, AmenityChanged):
        assert isinstance(aggregate, Amenity)
        return events_pb2.AmenityChanged(
            amenity_id=aggregate.id,
            version=event.version,
            opening_hours=aggregate.details.opening_hours,
            withdrawn=aggregate.state is AmenityState.WITHDRAWN,
            changed_at=timestamp(event.at),
            state=aggregate.state.value,
            change=event.change,
            location=_location(aggregate.details),
        )
    if isinstance(event, AmenityReported):
        assert isinstance(aggregate, Report)
        return events_pb2.AmenityReported(
            amenity_id=aggregate.amenity_id,
            report_id=aggregate.id,
            reason_code=aggregate.reason.value,
            comment=aggregate.comment,
            reported_at=timestamp(event.at),
        )
    if isinstance(event, ProblemChanged):
        assert isinstance(aggregate, Problem)
        return events_pb2.AmenityProblemChanged(
            problem_id=aggregate.id,
            amenity_id=aggregate.amenity_id,
            community_code=aggregate.community_code,
            reason_code=aggregate.reason_code,
            version=event.version,
            state=aggregate.state.value,
            change=event.change,
            report_id=event.report_id,
            petition_id=aggregate.petition_id,
            case_id=aggregate.case_id,
            changed_at=timestamp(event.at),
            fixed_at=timestamp(aggregate.fixed_at),
        )
    raise TypeError(f"no event message for {type(event).__name__}")
