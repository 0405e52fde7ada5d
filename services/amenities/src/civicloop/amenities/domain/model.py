"""What may happen to an amenity (幸福共享家: a shop's toilet or hot water open to all, a
community's childcare corner or reading room).

    register ─► active ──suspend──► suspended
                 │  ▲ ◄─reinstate──┘    │
                 │  └ update, verify    │
                 └──────withdraw────────┴──► withdrawn (final; stays readable)

Every transition checks its preconditions, bumps the version and records exactly one domain
event. Who may make it (a worker of the amenity's community, or the office) and the version (the
platform's ``check_version``) are checked in the handlers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from civicloop.amenities.domain.geo import to_wgs84, within_city
from civicloop.amenities.domain.hours import InvalidHours, parse_hours
from civicloop.platform.domain import Actor, RecordsEvents
from civicloop.platform.errors import IllegalTransition, Violations
from civicloop.platform.text import text_problem


class AmenityKind(StrEnum):
    SHARED_TOILET = "shared_toilet"  # 共享厕所
    SHARED_HOT_WATER = "shared_hot_water"  # 共享热水
    CHILDCARE = "childcare"  # 托育 / 儿童之家
    READING = "reading"  # 阅读空间
    GREENWAY = "greenway"  # 绿道 rest point
    MEDICAL = "medical"
    EDUCATION = "education"
    OTHER = "other"


class Access(StrEnum):
    """Who may use it. Search never mixes the two."""

    PUBLIC = "public"
    CUSTOMERS = "customers"


class AmenityState(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


# Unverified this long, an amenity is shown as stale: shops close, signs come down.
STALE_AFTER = timedelta(days=180)

NAME_MAX = 100
DESCRIPTION_MAX = 1000
ADDRESS_MAX = 200
HOURS_MAX = 255
REASON_MAX = 500
SIGN_NUMBER_MAX = 32
# Fen per use; no shared facility charges more than 100 yuan.
FEE_MAX_FEN = 10_000

# 统一社会信用代码: 18 characters of digits and capitals (no I, O, S, V, Z).
CREDIT_CODE = re.compile(r"[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}")
# A business phone: a mobile (11 digits) or a landline with its area code (028-87654321).
PUBLIC_PHONE = re.compile(r"1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}")
SIGN_NUMBER = re.compile(r"[A-Za-z0-9-]*")


@dataclass(frozen=True)
class Merchant:
    """The business that offers the facility (absent for the community's own)."""

    name: str
    credit_code: str = ""
    public_phone: str = ""
    enrolled: bool = False
    sign_number: str = ""


@dataclass(frozen=True)
class Details:
    """The editable part of an amenity; the location is WGS-84 here."""

    kind: AmenityKind
    name: str
    address: str
    latitude: float
    longitude: float
    opening_hours: str
    description: str = ""
    merchant: Merchant | None = None
    access: Access = Access.PUBLIC
    wheelchair_accessible: bool = False
    baby_change: bool = False
    all_gender: bool = False
    fee_fen: int = 0


def _text(errors: Violations, name: str, value: str, low: int, high: int) -> None:
    if not low <= len(value) <= high:
        errors.add(name, f"must be {low}..{high} characters")
    elif value and value.strip() == "" and low > 0:
        errors.add(name, "must not be blank")
    elif problem := text_problem(value):  # plain text, as intake and the public feeds take
        errors.add(name, problem)


def check_location(
    errors: Violations, name: str, latitude: float, longitude: float, system: str
) -> tuple[float, float] | None:
    """The point in WGS-84, if it is a real point within the city; else the problem noted
    under ``name`` (``name.latitude``, ``name.longitude`` or ``name`` itself)."""
    ok = True
    if not (math.isfinite(latitude) and -90.0 <= latitude <= 90.0):
        errors.add(f"{name}.latitude", "must be -90..90 degrees")
        ok = False
    if not (math.isfinite(longitude) and -180.0 <= longitude <= 180.0):
        errors.add(f"{name}.longitude", "must be -180..180 degrees")
        ok = False
    if not ok:
        return None
    lat, lng = to_wgs84(latitude, longitude, system)
    if not within_city(lat, lng):
        errors.add(name, "is outside the city (Dujiangyan)")
        return None
    return lat, lng


def check_details(errors: Violations, details: Details, prefix: str = "details.") -> None:
    """Every rule on an amenity's details, each problem named by its field (the location is
    checked where it is converted, ``check_location``)."""
    _text(errors, f"{prefix}name", details.name, 1, NAME_MAX)
    _text(errors, f"{prefix}description", details.description, 0, DESCRIPTION_MAX)
    _text(errors, f"{prefix}address", details.address, 1, ADDRESS_MAX)
    hours_field = f"{prefix}opening_hours"
    if not 1 <= len(details.opening_hours) <= HOURS_MAX:
        errors.add(hours_field, f"must be 1..{HOURS_MAX} characters")
    else:
        try:
            parse_hours(details.opening_hours)
        except InvalidHours as exc:
            errors.add(hours_field, f"is not OpenStreetMap opening_hours syntax: {exc}")
    if not 0 <= details.fee_fen <= FEE_MAX_FEN:
        errors.add(f"{prefix}fee.fen", f"must be 0..{FEE_MAX_FEN} fen")
    # 共享厕所 means open to everyone: a customers-only toilet is not a shared one.
    if details.kind is AmenityKind.SHARED_TOILET and details.access is not Access.PUBLIC:
        errors.add(f"{prefix}access", "a shared toilet is open to the public by definition")
    merchant = details.merchant
    if merchant is not None:
        where = f"{prefix}merchant."
        _text(errors, f"{where}name", merchant.name, 1, NAME_MAX)
        if merchant.credit_code and not CREDIT_CODE.fullmatch(merchant.credit_code):
            errors.add(f"{where}credit_code", "must be an 18-character unified social credit code")
        if merchant.public_phone and not PUBLIC_PHONE.fullmatch(merchant.public_phone):
            errors.add(
                f"{where}public_phone", "must be a mobile (11 digits) or a landline (028-87654321)"
            )
        if len(merchant.sign_number) > SIGN_NUMBER_MAX or not SIGN_NUMBER.fullmatch(
            merchant.sign_number
        ):
            errors.add(
                f"{where}sign_number",
                f"must be 0..{SIGN_NUMBER_MAX} letters, digits and hyphens",
            )


def check_reason(errors: Violations, name: str, reason: str) -> str:
    reason = reason.strip()
    _text(errors, name, reason, 1, REASON_MAX)
    return reason


# ---- domain events: one per transition ----


@dataclass(frozen=True)
class AmenityRegistered:
    version: int
    at: datetime
    actor: Actor


@dataclass(frozen=True)
class AmenityChanged:
    """Any later transition; ``change`` says which (details, suspended, reinstated,
    verified, withdrawn)."""

    change: str
    version: int
    at: datetime
    actor: Actor


@dataclass
class Amenity(RecordsEvents):
    aggregate_type: ClassVar[str] = "amenity"

    id: str
    community_code: str
    details: Details
    state: AmenityState
    version: int
    registered_at: datetime
    registered_by: Actor
    updated_at: datetime
    verified_at: datetime
    withdrawn_at: datetime | None = None
    withdrawal_reason: str = ""
    suspension_reason: str = ""
    events: list[AmenityRegistered | AmenityChanged] = field(default_factory=list)

    @classmethod
    def register(
        cls, amenity_id: str, community_code: str, details: Details, actor: Actor, at: datetime
    ) -> Amenity:
        """A new amenity, active and verified now (registering is a check on site)."""
        amenity = cls(
            id=amenity_id,
            community_code=community_code,
            details=details,
            state=AmenityState.ACTIVE,
            version=1,
            registered_at=at,
            registered_by=actor,
            updated_at=at,
            verified_at=at,
        )
        amenity.events.append(AmenityRegistered(1, at, actor))
        return amenity

    # ---- transitions ----

    def _changed(self, change: str, actor: Actor, at: datetime) -> None:
        self.version += 1
        self.updated_at = at
        self.events.append(AmenityChanged(change, self.version, at, actor))

    def _require(self, *states: AmenityState, doing: str) -> None:
        if self.state not in states:
            raise IllegalTransition(f"amenity {self.id} is {self.state.value}: cannot {doing}")

    def update(self, details: Details, actor: Actor, at: datetime) -> None:
        """New details (already checked); a withdrawn amenity is history."""
        self._require(AmenityState.ACTIVE, AmenityState.SUSPENDED, doing="update it")
        self.details = details
        self._changed("details", actor, at)

    def suspend(self, reason: str, actor: Actor, at: datetime) -> None:
        self._require(AmenityState.ACTIVE, doing="suspend it")
        self.state = AmenityState.SUSPENDED
        self.suspension_reason = reason
        self._changed("suspended", actor, at)

    def reinstate(self, actor: Actor, at: datetime) -> None:
        self._require(AmenityState.SUSPENDED, doing="reinstate it")
        self.state = AmenityState.ACTIVE
        self.suspension_reason = ""
        self._changed("reinstated", actor, at)

    def verify(self, actor: Actor, at: datetime) -> None:
        self._require(AmenityState.ACTIVE, AmenityState.SUSPENDED, doing="verify it")
        self.verified_at = at
        self._changed("verified", actor, at)

    def withdraw(self, reason: str, actor: Actor, at: datetime) -> None:
        self._require(AmenityState.ACTIVE, AmenityState.SUSPENDED, doing="withdraw it")
        self.state = AmenityState.WITHDRAWN
        self.withdrawn_at = at
        self.withdrawal_reason = reason
        self._changed("withdrawn", actor, at)

    # ---- reading ----

    def is_stale(self, at: datetime) -> bool:
        return at - self.verified_at >= STALE_AFTER

    @property
    def searchable(self) -> bool:
        """On the map: active (a suspended or withdrawn one is left out of search)."""
        return self.state is AmenityState.ACTIVE


def with_paths(current: Details, new: Details, paths: list[str]) -> Details:
    """``current`` with the fields named by ``paths`` (an update mask) taken from ``new``.
    ``merchant`` replaces the whole merchant, ``merchant.<field>`` one field of it; the paths
    are checked first (``UPDATABLE``)."""
    changes: dict[str, object] = {}
    merchant = current.merchant
    for path in paths:
        head, _, tail = path.partition(".")
        if head == "location":
            changes["latitude"], changes["longitude"] = new.latitude, new.longitude
        elif head == "fee":
            changes["fee_fen"] = new.fee_fen
        elif head == "merchant" and tail:
            base = merchant or Merchant(name="")
            source = new.merchant or Merchant(name="")
            merchant = replace(base, **{tail: getattr(source, tail)})
        elif head == "merchant":
            merchant = new.merchant
        else:
            changes[head] = getattr(new, head)
    return replace(current, **changes, merchant=merchant)  # type: ignore[arg-type]


# The update mask's paths (AmenityDetails' fields); location and fee are whole messages.
UPDATABLE = frozenset(
    {
        "kind",
        "name",
        "description",
        "merchant",
        "merchant.name",
        "merchant.credit_code",
        "merchant.public_phone",
        "merchant.enrolled",
        "merchant.sign_number",
        "location",
        "address",
        "opening_hours",
        "wheelchair_accessible",
        "fee",
        "access",
        "baby_change",
        "all_gender",
    }
)


# ---- reports ----


class ReportReason(StrEnum):
    """What a resident or tourist found wrong."""

    CLOSED_WHEN_LISTED_OPEN = "closed_when_listed_open"
    TURNED_AWAY = "turned_away"  # refused although listed as shared
    UNCLEAN = "unclean"
    WRONG_HOURS = "wrong_hours"
    SIGN_MISSING = "sign_missing"
    OTHER = "other"


class ReportState(StrEnum):
    """Moderation by a worker of the community (domain/reports.py)."""

    RECEIVED = "received"
    CONFIRMED = "confirmed"  # opened a problem: a petition in intake
    JOINED = "joined"  # the same problem was open already: the report joined it
    REJECTED = "rejected"


COMMENT_MAX = 500


def check_report(errors: Violations, reason_code: str, comment: str) -> ReportReason | None:
    """The reason (known codes only) and the comment (required with "other")."""
    try:
        reason = ReportReason(reason_code)
    except ValueError:
        known = ", ".join(r.value for r in ReportReason)
        errors.add("reason_code", f"unknown reason {reason_code!r}; one of {known}")
        reason = None
    low = 1 if reason is ReportReason.OTHER else 0
    _text(errors, "comment", comment, low, COMMENT_MAX)
    return reason


@dataclass(frozen=True)
class AmenityReported:
    version: int
    at: datetime
    actor: Actor | None


@dataclass
class Report(RecordsEvents):
    """One public report about an amenity; its comment is redacted before it is made."""

    aggregate_type: ClassVar[str] = "amenity_report"

    id: str
    amenity_id: str
    community_code: str
    reason: ReportReason
    comment: str
    reported_at: datetime
    reported_by_subject: str
    state: ReportState = ReportState.RECEIVED
    version: int = 1
    events: list[AmenityReported] = field(default_factory=list)

    @classmethod
    def file(
        cls,
        report_id: str,
        amenity: Amenity,
        reason: ReportReason,
        redacted_comment: str,
        reporter: Actor | None,
        at: datetime,
    ) -> Report:
        if amenity.state is AmenityState.WITHDRAWN:
            raise IllegalTransition(f"amenity {amenity.id} is withdrawn: nothing to report")
        report = cls(
            id=report_id,
            amenity_id=amenity.id,
            community_code=amenity.community_code,
            reason=reason,
            comment=redacted_comment,
            reported_at=at,
            reported_by_subject=reporter.subject if reporter else "",
        )
        report.events.append(AmenityReported(1, at, reporter))
        return report
