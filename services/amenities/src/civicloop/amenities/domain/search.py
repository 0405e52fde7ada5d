"""FindNearby's rules, pure: which candidates of a radius search are shown, in which order,
and whether each is open at the asked moment.

The index (Redis GEO, or PostgreSQL while Redis is away) only proposes candidates near the
point; everything shown is decided here from each amenity's ``Listing``, with the distance
computed from the stored WGS-84 coordinates. So both sources give identical answers.

Opening hours are evaluated once per distinct text and moment range, not per candidate: the
status of a text holds from the moment it was evaluated until its next change, so
``OpenWindows`` keeps that window and answers every later question inside it from memory.
The city's amenities share a few hundred distinct texts ("Mo-Su 08:00-21:00", "24/7", ...).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter

from civicloop.amenities.domain.geo import distance_m
from civicloop.amenities.domain.hours import OpeningHours, OpenStatus, parse_hours
from civicloop.amenities.domain.model import (
    STALE_AFTER,
    Access,
    Amenity,
    AmenityKind,
    AmenityState,
)
from civicloop.platform.errors import Violations
from civicloop.platform.geo import METRES_PER_DEGREE

RADIUS_MAX_M = 5000
RESULTS_MAX = 50
RESULTS_DEFAULT = 20
# A window is trusted at most this long past the moment it was evaluated at, even when the
# hours say nothing changes ("24/7"): cheap insurance against a calendar that knows more.
WINDOW_MAX = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class Listing:
    """What search needs to know of one active amenity."""

    id: str
    version: int
    kind: AmenityKind
    access: Access
    latitude: float
    longitude: float
    opening_hours: str
    verified_at: datetime
    wheelchair_accessible: bool
    baby_change: bool
    all_gender: bool
    free: bool


@dataclass(frozen=True)
class Query:
    latitude: float
    longitude: float
    radius_m: int
    at: datetime
    kinds: frozenset[AmenityKind] = frozenset()
    access: Access = Access.PUBLIC
    open_only: bool = False
    limit: int = RESULTS_DEFAULT
    wheelchair_accessible: bool = False
    baby_change: bool = False
    all_gender: bool = False
    free_only: bool = False


def check_query(errors: Violations, radius_m: int, limit: int) -> int:
    """The radius and result count rules; the count asked for (0 means the default)."""
    if not 1 <= radius_m <= RADIUS_MAX_M:
        errors.add("radius_meters", f"must be 1..{RADIUS_MAX_M} metres")
    if not 0 <= limit <= RESULTS_MAX:
        errors.add("max_results", f"must be 1..{RESULTS_MAX} (0 means {RESULTS_DEFAULT})")
    return limit or RESULTS_DEFAULT


@dataclass(frozen=True, slots=True)
class Found:
    listing: Listing
    distance_m: float
    status: OpenStatus
    next_change_at: datetime | None
    stale: bool


@dataclass(frozen=True, slots=True)
class _Window:
    since: datetime
    until: datetime | None  # the next change; None: none known
    trusted_until: datetime
    status: OpenStatus


class OpenWindows:
    """Open status per distinct opening-hours text, kept for as long as it holds."""

    def __init__(self) -> None:
        self._hours: dict[str, OpeningHours] = {}
        self._windows: dict[str, _Window] = {}

    def hours(self, text: str) -> OpeningHours:
        parsed = self._hours.get(text)
        if parsed is None:
            parsed = self._hours[text] = parse_hours(text)
        return parsed

    def status(self, text: str, at: datetime) -> tuple[OpenStatus, datetime | None]:
        window = self._windows.get(text)
        if window is None or not window.since <= at < window.trusted_until:
            hours = self.hours(text)
            status, until = hours.status_at(at), hours.next_change(at)
            trusted = at + WINDOW_MAX
            if until is not None and until < trusted:
                trusted = until
            window = self._windows[text] = _Window(at, until, trusted, status)
        return window.status, window.until


def amenity_status(
    amenity: Amenity, at: datetime, windows: OpenWindows
) -> tuple[OpenStatus, datetime | None]:
    """Whether the amenity is open at ``at`` and when that changes next: by its hours while
    it is active; closed, with no change ahead, while suspended or withdrawn."""
    if amenity.state is not AmenityState.ACTIVE:
        return OpenStatus.CLOSED, None
    return windows.status(amenity.details.opening_hours, at)


_DISTANCE_THEN_ID = itemgetter(0, 1)


def _wanted(listing: Listing, query: Query) -> bool:
    return (
        listing.access is query.access
        and (not query.kinds or listing.kind in query.kinds)
        and (listing.wheelchair_accessible or not query.wheelchair_accessible)
        and (listing.baby_change or not query.baby_change)
        and (listing.all_gender or not query.all_gender)
        and (listing.free or not query.free_only)
    )


# Redis measures its distances on the coordinates of its 52-bit geohashes (within 0.6 m of the
# stored ones) with an earth radius 0.03 % larger than ours: its order and ours can disagree
# only between candidates closer together than this (at 5 km: 1.5 m), with room to spare.
ORDER_SLACK_M = 5.0
ORDER_SLACK_SHARE = 0.001


def select(
    query: Query,
    candidates: Iterable[str],
    listings: Mapping[str, Listing],
    windows: OpenWindows,
    *,
    nearest_first: bool = False,
) -> list[Found]:
    """The amenities to show among ``candidates`` (ids the index found near the point; ones
    without a listing are no longer active): within the radius, wanted by the filters, open
    if asked, nearest first (ties by id), at most ``query.limit``.

    Candidates are measured on the local plane (equirectangular: within millimetres of the
    great-circle distance at 5 km, and cheap); the distance shown is the great-circle one.

    ``nearest_first``: the candidates come nearest first by the index's own measure (Redis'
    GEOSEARCH ... ASC), so the walk stops once the results are found and the next candidate
    lies beyond the farthest of them by more than the two measures can disagree (most of a
    radius' candidates are never looked at); otherwise they are sorted first. The answer is the
    same either way."""
    measured = _measured(query, candidates, listings)
    if not nearest_first:
        measured = iter(sorted(measured, key=_DISTANCE_THEN_ID))
    return _walk(query, measured, windows)


def _measured(
    query: Query, candidates: Iterable[str], listings: Mapping[str, Listing]
) -> Iterator[tuple[float, str, Listing]]:
    """The candidates the filters want, each with its squared distance on the local plane,
    in the candidates' order."""
    lat0, lng0 = query.latitude, query.longitude
    metres_lat = METRES_PER_DEGREE
    metres_lng = metres_lat * math.cos(math.radians(lat0))
    for amenity_id in candidates:
        listing = listings.get(amenity_id)
        if listing is None or not _wanted(listing, query):
            continue
        dy = (listing.latitude - lat0) * metres_lat
        dx = (listing.longitude - lng0) * metres_lng
        yield dx * dx + dy * dy, amenity_id, listing


def _walk(
    query: Query, measured: Iterator[tuple[float, str, Listing]], windows: OpenWindows
) -> list[Found]:
    """The results among candidates coming nearest first (within the index's error)."""
    reach = float(query.radius_m) ** 2
    shown: list[tuple[float, str, Listing, OpenStatus, datetime | None]] = []
    beyond = math.inf  # squared: a candidate farther than this ends the walk
    for d2, amenity_id, listing in measured:
        if d2 > beyond:
            break
        if d2 > reach:
            continue
        status, next_change = windows.status(listing.opening_hours, query.at)
        if query.open_only and status is not OpenStatus.OPEN:
            continue
        shown.append((d2, amenity_id, listing, status, next_change))
        if len(shown) == query.limit:
            farthest = math.sqrt(max(entry[0] for entry in shown))
            beyond = (farthest * (1 + ORDER_SLACK_SHARE) + ORDER_SLACK_M) ** 2
    shown.sort(key=_DISTANCE_THEN_ID)
    stale_before = query.at - STALE_AFTER
    lat0, lng0 = query.latitude, query.longitude
    return [
        Found(
            listing,
            distance_m(lat0, lng0, listing.latitude, listing.longitude),
            status,
            next_change,
            listing.verified_at <= stale_before,
        )
        for _, _, listing, status, next_change in shown[: query.limit]
    ]
