"""What may happen to a case while intake owns it, and the projection of what happens later.

submitted ──on-the-spot──► resolved_on_site
    └──consolidate──► open ──(dispatch owns it from here)──► dispatched ► ... ► closed
a submitted or open case absorbs others (they become ``merged``); a petition of a
consolidated case can be split back out into a new submitted case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from civicloop.platform.domain import Actor, CaseList, RecordsEvents, Urgency, check_version
from civicloop.platform.errors import FailedPrecondition, IllegalTransition, InvalidArgument


class CaseState(StrEnum):
    SUBMITTED = "submitted"
    RESOLVED_ON_SITE = "resolved_on_site"
    OPEN = "open"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    RATED = "rated"
    CLOSED = "closed"
    MERGED = "merged"


# Intake changes a case only before it opens it: from then on dispatch routes it within
# moments, and a later change here would race dispatch for the case's versions.
OWNED_BY_INTAKE = frozenset({CaseState.SUBMITTED})


# Rating asks a case's petitioners for a rating from 办结 until the round closes or reopens:
# while the case is completed, or rated by some petitioners and awaiting the others.
AWAITING_RATING = frozenset({CaseState.COMPLETED, CaseState.RATED})


class Channel(StrEnum):
    HOME_VISIT = "home_visit"
    COURTYARD_MEETING = "courtyard_meeting"
    HOTLINE = "hotline"
    WEB = "web"
    GRID_WORKER = "grid_worker"


@dataclass(frozen=True)
class Location:
    """WGS-84 degrees."""

    latitude: float
    longitude: float


@dataclass
class Petition:
    id: str
    case_id: str
    channel: Channel
    community_code: str
    category_code: str
    location: Location | None
    # Redacted: safe for departments and the public.
    description: str
    submitted_at: datetime
    submitted_by: Actor
    resolved_on_site: bool = False


# ---- domain events: each transition records exactly one ----


@dataclass(frozen=True)
class PetitionSubmitted:
    petition: Petition
    version: int

    @property
    def actor(self) -> Actor:
        return self.petition.submitted_by


@dataclass(frozen=True)
class PetitionResolvedOnSite:
    petition_id: str
    version: int
    note: str
    actor: Actor
    at: datetime


@dataclass(frozen=True)
class PetitionsMerged:
    version: int
    petition_ids: tuple[str, ...]
    merged_case_ids: tuple[str, ...]
    actor: Actor
    at: datetime


@dataclass(frozen=True)
class CaseOpened:
    version: int
    actor: Actor
    at: datetime


@dataclass(frozen=True)
class PetitionSplit:
    petition_id: str
    version: int
    new_case_id: str
    reason: str
    actor: Actor
    at: datetime


DomainEvent = (
    PetitionSubmitted | PetitionResolvedOnSite | PetitionsMerged | CaseOpened | PetitionSplit
)


@dataclass
class Case(RecordsEvents):
    aggregate_type: ClassVar[str] = "case"

    id: str
    state: CaseState
    version: int
    petition_ids: list[str]
    community_code: str
    category_code: str
    created_at: datetime
    updated_at: datetime
    location: Location | None = None
    case_list: CaseList | None = None
    urgency: Urgency | None = None
    summary: str = ""
    merged_into: str | None = None
    # W3C traceparent of the case's root span.
    traceparent: str = ""
    department_code: str = ""
    events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    # ---- creation ----

    @classmethod
    def for_new_petition(cls, petition: Petition, traceparent: str) -> Case:
        case = cls(
            id=petition.case_id,
            state=CaseState.SUBMITTED,
            version=1,
            petition_ids=[petition.id],
            community_code=petition.community_code,
            category_code=petition.category_code,
            location=petition.location,
            created_at=petition.submitted_at,
            updated_at=petition.submitted_at,
            traceparent=traceparent,
        )
        case.events.append(PetitionSubmitted(petition, case.version))
        return case

    # ---- transitions owned by intake ----

    def _bump(self, at: datetime) -> None:
        self.version += 1
        self.updated_at = at

    def _require(self, allowed: frozenset[CaseState], action: str) -> None:
        if self.state not in allowed:
            raise IllegalTransition(f"cannot {action} case {self.id} in state {self.state}")

    def check_version(self, expected: int) -> None:
        check_version(f"case {self.id}", self.version, expected)

    def resolve_on_site(self, note: str, actor: Actor, at: datetime) -> None:
        """现场办结: the visiting unit solved it there and then."""
        self._require(frozenset({CaseState.SUBMITTED}), "resolve on site")
        if len(self.petition_ids) != 1:
            raise FailedPrecondition("only a single-petition case can be resolved on site")
        if not note.strip():
            raise InvalidArgument.of("note", "is required: say what was done on the spot")
        self.state = CaseState.RESOLVED_ON_SITE
        self._bump(at)
        self.events.append(
            PetitionResolvedOnSite(self.petition_ids[0], self.version, note, actor, at)
        )

    def absorb(self, others: list[Case], actor: Actor, at: datetime) -> None:
        """统单: take over the petitions of other cases; they end as ``merged``."""
        self._require(OWNED_BY_INTAKE, "consolidate")
        others = [other for other in others if other.id != self.id]
        # Check every case before touching any: a refusal changes nothing.
        for other in others:
            if other.state not in OWNED_BY_INTAKE:
                raise IllegalTransition(
                    f"case {other.id} is {other.state}; only submitted cases can merge"
                )
        moved: list[str] = []
        for other in others:
            moved.extend(other.petition_ids)
            self.petition_ids.extend(other.petition_ids)
            other.petition_ids = []
            other.state = CaseState.MERGED
            other.merged_into = self.id
            other._bump(at)
        if not moved:
            return
        self._bump(at)
        self.events.append(
            PetitionsMerged(
                self.version,
                tuple(moved),
                tuple(o.id for o in others),
                actor,
                at,
            )
        )

    def open(
        self,
        case_list: CaseList,
        urgency: Urgency,
        category_code: str,
        summary: str,
        actor: Actor,
        at: datetime,
    ) -> None:
        self._require(frozenset({CaseState.SUBMITTED}), "open")
        self.case_list = case_list
        self.urgency = urgency
        self.category_code = category_code or self.category_code
        self.summary = summary
        self.state = CaseState.OPEN
        self._bump(at)
        self.events.append(CaseOpened(self.version, actor, at))

    def split_out(self, petition: Petition, reason: str, actor: Actor, at: datetime) -> Case:
        """Give a wrongly merged petition a case of its own again."""
        self._require(OWNED_BY_INTAKE, "split")
        if petition.id not in self.petition_ids:
            raise FailedPrecondition(f"petition {petition.id} is not in case {self.id}")
        if len(self.petition_ids) == 1:
            raise FailedPrecondition("a case's only petition cannot be split out")
        self.petition_ids.remove(petition.id)
        new_case = Case(
            id=str(uuid.uuid4()),
            state=CaseState.SUBMITTED,
            version=1,
            petition_ids=[petition.id],
            community_code=petition.community_code,
            category_code=petition.category_code,
            location=petition.location,
            created_at=at,
            updated_at=at,
        )
        petition.case_id = new_case.id
        self._bump(at)
        self.events.append(PetitionSplit(petition.id, self.version, new_case.id, reason, actor, at))
        return new_case

    # ---- projection of what other services own ----

    def require_awaiting_rating(self) -> None:
        """The petitioners' contacts go out only while they are being asked for a rating."""
        if self.state not in AWAITING_RATING:
            raise FailedPrecondition(f"case {self.id} is {self.state}, not awaiting a rating")

    def apply_reported_state(self, state: CaseState, version: int, department: str | None) -> bool:
        """Record a later state reported by its owner; stale or repeated reports are ignored."""
        if version <= self.version:
            return False
        self.state = state
        self.version = version
        if department:
            self.department_code = department
        return True
