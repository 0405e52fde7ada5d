"""The public read model of a case: what the board may show, folded from the steps the case's
events reported. Pure: no I/O.

Events of one case come from three services (intake, dispatch, rating) and keep no common
order on the wire, and any of them may arrive twice. So the board never updates a case in
place: each event is kept as one step (at most once, by event id), and the public case is
folded from all of its steps sorted by case version. Whatever order they came in, the same
steps fold to the same case.

Nothing personal ever enters a step: the texts kept are the office's summary, the department's
measures and result, notes and reasons, each masked by the platform's redaction; a petitioner's
own words (the petition's description, a rating's comment) are never kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from civicloop.platform.domain import CaseList
from civicloop.platform.redaction import redact

# About 100 m: three decimal places of a degree of latitude are 111 m.
LOCATION_DECIMALS = 3


class PublicState(StrEnum):
    """The case states of common.proto the board follows (by their owners' events)."""

    SUBMITTED = "submitted"
    RESOLVED_ON_SITE = "resolved_on_site"
    OPEN = "open"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    RATED = "rated"
    CLOSED = "closed"
    MERGED = "merged"


# Never on the board: a petition not yet consolidated, a case merged into another.
NOT_PUBLIC = frozenset({PublicState.SUBMITTED, PublicState.MERGED})


class BoardList(StrEnum):
    """The public lists: the two a case is filed under, and the homestay opportunities."""

    URGENT_NEEDS = "urgent_needs"  # 急难愁盼
    PRACTICAL_MATTERS = "practical_matters"  # 为民办实事
    HOMESTAY_OPPORTUNITIES = "homestay_opportunities"  # 民宿机会清单


class StepKind(StrEnum):
    SUBMITTED = "submitted"
    MERGED = "merged"
    RESOLVED_ON_SITE = "resolved_on_site"
    OPENED = "opened"
    DISPATCHED = "dispatched"
    AWAITING_OFFICE = "awaiting_office"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    PROGRESS = "progress"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_DECIDED = "extension_decided"
    ESCALATED = "escalated"
    COMPLETED = "completed"
    RATED = "rated"
    REOPENED = "reopened"
    CLOSED = "closed"


# Steps the public timeline shows (the others only move the case's fields).
TIMELINE = frozenset(StepKind) - {StepKind.SUBMITTED, StepKind.MERGED}


@dataclass(frozen=True)
class Step:
    """One event of a case, as the board keeps it. ``text`` is already redacted; ``facts``
    holds what the fold needs beyond it (codes, numbers, never free text)."""

    case_id: str
    version: int
    kind: StepKind
    at: datetime
    department_code: str = ""
    text: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    # The event it came from (as the store keeps it): its evidence on the ledger is keyed so.
    event_id: str = ""

    @property
    def on_timeline(self) -> bool:
        return self.kind in TIMELINE


def step(
    case_id: str,
    version: int,
    kind: StepKind,
    at: datetime,
    *,
    department_code: str = "",
    text: str = "",
    **facts: Any,
) -> Step:
    """A step with its text redacted: the one way text enters the board."""
    return Step(case_id, version, kind, at, department_code, redact(text.strip()), facts)


def coarse(coordinate: float) -> float:
    return round(coordinate, LOCATION_DECIMALS)


@dataclass
class PublicCase:
    case_id: str
    version: int = 0
    state: PublicState = PublicState.SUBMITTED
    escalated: bool = False
    category_code: str = ""
    community_code: str = ""
    case_list: CaseList | None = None
    summary: str = ""
    petition_count: int = 0
    latitude: float | None = None
    longitude: float | None = None
    department_code: str = ""
    progress_percent: int = 0
    latest_measures: str = ""
    result_summary: str = ""
    score_total: int = 0
    rating_count: int = 0
    satisfied_count: int = 0
    merged_into: str = ""
    opened_at: datetime | None = None
    dispatched_at: datetime | None = None
    completed_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def public(self) -> bool:
        return self.state not in NOT_PUBLIC

    @property
    def average_score(self) -> float:
        return self.score_total / self.rating_count if self.rating_count else 0.0

    def board_lists(self, homestay_categories: frozenset[str]) -> list[BoardList]:
        lists = [BoardList(self.case_list.value)] if self.case_list else []
        if self.category_code in homestay_categories:
            lists.append(BoardList.HOMESTAY_OPPORTUNITIES)
        return lists


def _apply(case: PublicCase, s: Step) -> None:
    f = s.facts
    case.version = max(case.version, s.version)
    case.updated_at = max(case.updated_at, s.at) if case.updated_at else s.at
    match s.kind:
        case StepKind.SUBMITTED:
            case.category_code = case.category_code or f.get("category_code", "")
            case.community_code = case.community_code or f.get("community_code", "")
            if case.latitude is None and "latitude" in f:
                case.latitude, case.longitude = f["latitude"], f["longitude"]
            case.petition_count = max(case.petition_count, 1)
        case StepKind.MERGED:
            case.state = PublicState.MERGED
            case.merged_into = f["into"]
        case StepKind.RESOLVED_ON_SITE:
            case.state = PublicState.RESOLVED_ON_SITE
            case.result_summary = s.text
            case.closed_at = case.completed_at = s.at
        case StepKind.OPENED:
            case.state = PublicState.OPEN
            case.category_code = f["category_code"]
            case.community_code = f["community_code"]
            case.case_list = CaseList(f["list"]) if f.get("list") else None
            case.summary = s.text
            case.petition_count = f["petition_count"]
            if "latitude" in f:
                case.latitude, case.longitude = f["latitude"], f["longitude"]
            case.opened_at = s.at
            case.merged_into = ""
        case StepKind.DISPATCHED:
            case.state = PublicState.DISPATCHED
            case.department_code = s.department_code
            case.dispatched_at = s.at
            case.escalated = False
        case StepKind.AWAITING_OFFICE:
            case.state = PublicState.OPEN
        case StepKind.ACCEPTED:
            case.state = PublicState.IN_PROGRESS
            case.department_code = s.department_code
            case.escalated = False
        case StepKind.RETURNED:
            case.state = PublicState.OPEN
            case.escalated = False
        case StepKind.PROGRESS:
            case.progress_percent = f["percent"]
            case.latest_measures = s.text
        case StepKind.ESCALATED:
            case.escalated = True
        case StepKind.COMPLETED:
            case.state = PublicState.COMPLETED
            case.department_code = s.department_code or case.department_code
            case.result_summary = s.text
            case.progress_percent = 100
            case.completed_at = s.at
            case.escalated = False
        case StepKind.RATED:
            case.state = PublicState.RATED
            case.score_total += f["score"]
            case.rating_count += 1
            case.satisfied_count += int(f["satisfied"])
        case StepKind.REOPENED:
            case.state = PublicState.DISPATCHED
            case.department_code = s.department_code or case.department_code
            case.progress_percent = 0
            case.completed_at = None
        case StepKind.CLOSED:
            case.state = PublicState.CLOSED
            case.closed_at = s.at
        case StepKind.EXTENSION_REQUESTED | StepKind.EXTENSION_DECIDED:
            pass


def _order(s: Step) -> tuple[int, int, datetime]:
    # A petition's submission (its case's first version) comes before the rest; among steps
    # of one version (several services may report one), the earlier first.
    return (s.version, s.kind is not StepKind.SUBMITTED, s.at)


def fold(case_id: str, steps: Iterable[Step]) -> PublicCase:
    """The public case its steps make, the same whatever order they arrived in."""
    case = PublicCase(case_id)
    for s in sorted(steps, key=_order):
        _apply(case, s)
    return case


def timeline(steps: Iterable[Step]) -> list[Step]:
    return [s for s in sorted(steps, key=_order) if s.on_timeline]


def without_location(case: PublicCase) -> PublicCase:
    return replace(case, latitude=None, longitude=None)
