"""What may happen to a case while dispatch owns it.

    (case opened) ─route─► dispatched ─accept─► in_progress ─complete─► completed
         │                  │  ▲   │                 ▲  │ progress, extension
         │                  │  │   └─return─► (next candidate, or the office)
         └─no clear rule────┴──┴─► awaiting_office ─dispatch by hand─► dispatched
    completed ─reopened by rating─► dispatched to the same department, a new round

Every transition checks its preconditions, bumps the case version and records exactly one
domain event. Overdue deadlines climb the 督办 ladder without changing the state.

The version check is the platform's one rule (``civicloop.platform.domain.check_version``),
applied by the handlers before a transition.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from civicloop.dispatch.domain.catalogue import DutyCatalogue, NeedsOffice
from civicloop.dispatch.domain.deadlines import (
    LADDER,
    DeadlineKind,
    DeadlinePolicy,
    Rung,
    WorkCalendar,
    due_at,
    rung_due,
)
from civicloop.platform.domain import Actor, CaseList, RecordsEvents, Urgency
from civicloop.platform.errors import (
    FailedPrecondition,
    IllegalTransition,
    InvalidArgument,
    PermissionDenied,
)


class AssignmentState(StrEnum):
    AWAITING_OFFICE = "awaiting_office"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    RETURNED = "returned"
    SUPERSEDED = "superseded"


class ExtensionState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


SYSTEM = Actor("service:dispatch", "service:dispatch")


@dataclass(frozen=True)
class Attachment:
    url: str
    sha256: str
    media_type: str


@dataclass(frozen=True)
class Limits:
    """Bounds taken from practice (12345 standards): returns and reopens do not go on forever."""

    returns: int = 2
    reopens: int = 2
    extensions: int = 2


@dataclass(frozen=True)
class Clockwork:
    """Deadline policy and working-day calendar, handed to the transitions that need them."""

    policy: DeadlinePolicy
    calendar: WorkCalendar

    def due(self, urgency: Urgency, kind: DeadlineKind, start: datetime) -> datetime:
        return due_at(self.policy, self.calendar, urgency, kind, start)


@dataclass(frozen=True)
class HandlingEntry:
    """One line of the 我为群众办实事 handling form."""

    id: str
    measures_taken: str
    progress_percent: int
    expected_completion_at: datetime | None
    attachments: tuple[Attachment, ...]
    at: datetime
    actor: Actor


@dataclass
class Extension:
    id: str
    assignment_id: str
    previous_due_at: datetime
    requested_due_at: datetime
    reason: str
    requested_at: datetime
    requested_by: Actor
    state: ExtensionState = ExtensionState.PENDING
    granted_due_at: datetime | None = None
    note: str = ""
    decided_at: datetime | None = None
    decided_by: Actor | None = None


@dataclass
class Assignment:
    """One department's turn with the case (a round)."""

    id: str
    department_code: str
    assisting: tuple[str, ...]
    round: int
    automatic: bool
    state: AssignmentState
    dispatched_at: datetime
    dispatched_by: Actor
    accept_due_at: datetime
    note: str = ""
    complete_due_at: datetime | None = None
    accepted_at: datetime | None = None
    completed_at: datetime | None = None
    ended_at: datetime | None = None
    progress_percent: int = 0
    result_summary: str = ""
    result_attachments: tuple[Attachment, ...] = ()
    return_reason_code: str = ""
    return_reason_text: str = ""
    escalation_rung: Rung | None = None
    approved_extensions: int = 0

    def running_deadline(self) -> tuple[DeadlineKind, datetime, datetime] | None:
        """The deadline this assignment runs against now: which, when due, since when."""
        if self.state is AssignmentState.DISPATCHED:
            return "accept", self.accept_due_at, self.dispatched_at
        if self.state is AssignmentState.IN_PROGRESS and self.complete_due_at and self.accepted_at:
            return "complete", self.complete_due_at, self.accepted_at
        return None

    def next_rung(self) -> Rung | None:
        rank = -1 if self.escalation_rung is None else self.escalation_rung.rank
        return LADDER[rank + 1] if rank + 1 < len(LADDER) else None

    def next_escalation_at(self) -> datetime | None:
        """When the next 督办 rung falls due; None once the top rung is reached or the
        assignment no longer runs against a deadline. Stored, so the scan reads only the
        assignments whose time has come."""
        deadline, rung = self.running_deadline(), self.next_rung()
        if deadline is None or rung is None:
            return None
        _, due, start = deadline
        return rung_due(due, start, rung)


# ---- domain events: one per transition ----


@dataclass(frozen=True)
class CaseDispatched:
    assignment: Assignment
    version: int
    at: datetime
    actor: Actor


@dataclass(frozen=True)
class CaseAwaitingOffice:
    reason: str
    version: int
    at: datetime

    @property
    def actor(self) -> None:
        """Dispatch's own doing: no rule, or the return or reopen limit reached."""
        return None


@dataclass(frozen=True)
class CaseAccepted:
    assignment: Assignment
    version: int
    at: datetime
    actor: Actor


@dataclass(frozen=True)
class CaseReturned:
    assignment: Assignment
    return_count: int
    version: int
    at: datetime
    actor: Actor


@dataclass(frozen=True)
class ProgressUpdated:
    assignment: Assignment
    entry: HandlingEntry
    version: int

    @property
    def actor(self) -> Actor:
        return self.entry.actor


@dataclass(frozen=True)
class ExtensionRequested:
    assignment: Assignment
    extension: Extension
    version: int

    @property
    def actor(self) -> Actor:
        return self.extension.requested_by


@dataclass(frozen=True)
class ExtensionDecided:
    assignment: Assignment
    extension: Extension
    version: int

    @property
    def actor(self) -> Actor | None:
        return self.extension.decided_by


@dataclass(frozen=True)
class CaseCompleted:
    assignment: Assignment
    version: int
    at: datetime
    actor: Actor


@dataclass(frozen=True)
class CaseEscalated:
    assignment: Assignment
    rung: Rung
    deadline: DeadlineKind
    due_at: datetime
    version: int
    at: datetime

    @property
    def actor(self) -> None:
        """The deadline passed: nobody acted."""
        return None


CaseEvent = (
    CaseDispatched
    | CaseAwaitingOffice
    | CaseAccepted
    | CaseReturned
    | ProgressUpdated
    | ExtensionRequested
    | ExtensionDecided
    | CaseCompleted
    | CaseEscalated
)


@dataclass(frozen=True)
class Escalation:
    """One 督办 rung climbed: the notice a department (and past the top rung, the office)
    receives, kept for the supervisors' list."""

    id: str
    case_id: str
    assignment_id: str
    department_code: str
    community_code: str
    rung: Rung
    deadline: DeadlineKind
    due_at: datetime
    escalated_at: datetime


@dataclass
class CaseDispatch(RecordsEvents):
    """Dispatch's aggregate: one per case, with its current assignment."""

    aggregate_type: ClassVar[str] = "case"

    case_id: str
    version: int
    community_code: str
    category_code: str
    case_list: CaseList
    urgency: Urgency
    summary: str
    traceparent: str
    state: AssignmentState = AssignmentState.AWAITING_OFFICE
    awaiting_reason: str = ""
    current: Assignment | None = None
    return_count: int = 0
    reopen_count: int = 0
    rounds: int = 0
    fallback_department_code: str = ""
    # When the case last changed in dispatch (None until it is first routed).
    updated_at: datetime | None = None
    # Assignments this transaction ended (returned, superseded), to be stored too.
    ended: list[Assignment] = field(default_factory=list, repr=False)
    entries: list[HandlingEntry] = field(default_factory=list, repr=False)
    extensions: list[Extension] = field(default_factory=list, repr=False)
    events: list[CaseEvent] = field(default_factory=list, repr=False)

    @property
    def id(self) -> str:
        return self.case_id

    # ---- guards ----

    def _require(self, *allowed: AssignmentState, action: str) -> Assignment:
        if self.state not in allowed or self.current is None:
            raise IllegalTransition(f"cannot {action} case {self.case_id} in state {self.state}")
        return self.current

    def require_lead(self, departments: frozenset[str], is_office: bool) -> None:
        """首接负责制: only the lead department acts on its assignment (the office may too)."""
        if is_office:
            return
        if self.current is None or self.current.department_code not in departments:
            raise PermissionDenied(f"case {self.case_id} is not assigned to your department")

    def _bump(self, at: datetime) -> int:
        self.version += 1
        self.updated_at = at
        return self.version

    # ---- routing and dispatch ----

    def route(self, catalogue: DutyCatalogue, clock: Clockwork, at: datetime) -> None:
        """派单 by the catalogue, or leave the case to the office when no rule is clear."""
        # Only a case that was never routed: one already in the office's queue stays there
        # until the office decides, whatever the catalogue says meanwhile.
        if self.rounds or self.awaiting_reason or self.current is not None:
            raise IllegalTransition(f"case {self.case_id} is already routed")
        route = catalogue.route(self.category_code, self.community_code)
        if isinstance(route, NeedsOffice):
            self._await_office(route.reason, at)
            return
        self.fallback_department_code = route.fallback
        self._dispatch_to(route.lead, route.assisting, True, "", SYSTEM, clock, at)

    def dispatch(
        self,
        department: str,
        assisting: tuple[str, ...],
        note: str,
        actor: Actor,
        clock: Clockwork,
        at: datetime,
        urgency: Urgency | None = None,
    ) -> None:
        """派单 by hand: from the office's queue, or a re-dispatch that supersedes the current."""
        if self.state in (AssignmentState.COMPLETED,):
            raise IllegalTransition(f"case {self.case_id} is completed; it cannot be dispatched")
        if self.current is not None and self.state in (
            AssignmentState.DISPATCHED,
            AssignmentState.IN_PROGRESS,
        ):
            if not note.strip():
                raise InvalidArgument.of("note", "a re-dispatch needs a reason")
            self.ended.append(replace(self.current, state=AssignmentState.SUPERSEDED, ended_at=at))
        if urgency is not None:
            self.urgency = urgency
        self._dispatch_to(department, assisting, False, note, actor, clock, at)

    def _dispatch_to(
        self,
        department: str,
        assisting: tuple[str, ...],
        automatic: bool,
        note: str,
        actor: Actor,
        clock: Clockwork,
        at: datetime,
    ) -> None:
        self._close_pending_extensions(at)
        self.rounds += 1
        self.current = Assignment(
            id=str(uuid.uuid4()),
            department_code=department,
            assisting=tuple(a for a in assisting if a != department),
            round=self.rounds,
            automatic=automatic,
            state=AssignmentState.DISPATCHED,
            dispatched_at=at,
            dispatched_by=actor,
            accept_due_at=clock.due(self.urgency, "accept", at),
            note=note,
        )
        self.state = AssignmentState.DISPATCHED
        self.awaiting_reason = ""
        self.events.append(CaseDispatched(self.current, self._bump(at), at, actor))

    def _close_pending_extensions(self, at: datetime) -> None:
        """A request of an assignment that ended cannot bind the next department."""
        for extension in self.extensions:
            if extension.state is ExtensionState.PENDING:
                extension.state = ExtensionState.REJECTED
                extension.note = "the assignment ended before a decision"
                extension.decided_at = at

    def _await_office(self, reason: str, at: datetime) -> None:
        self._close_pending_extensions(at)
        self.state = AssignmentState.AWAITING_OFFICE
        self.awaiting_reason = reason
        self.current = None
        self.events.append(CaseAwaitingOffice(reason, self._bump(at), at))

    # ---- 接单 / 退单 ----

    def accept(self, actor: Actor, clock: Clockwork, at: datetime) -> None:
        current = self._require(AssignmentState.DISPATCHED, action="accept")
        current.state = AssignmentState.IN_PROGRESS
        current.accepted_at = at
        current.complete_due_at = clock.due(self.urgency, "complete", at)
        current.escalation_rung = None  # a new deadline starts its own ladder
        self.state = AssignmentState.IN_PROGRESS
        self.events.append(CaseAccepted(current, self._bump(at), at, actor))

    def return_case(
        self,
        reason_code: str,
        reason_text: str,
        actor: Actor,
        limits: Limits,
        clock: Clockwork,
        at: datetime,
    ) -> Assignment:
        """退单 with a reason; the next candidate gets the case, or the office past the limit.
        Returns the assignment as it ended."""
        current = self._require(AssignmentState.DISPATCHED, action="return")
        self.return_count += 1
        ended = replace(
            current,
            state=AssignmentState.RETURNED,
            ended_at=at,
            return_reason_code=reason_code,
            return_reason_text=reason_text,
        )
        self.ended.append(ended)
        self.current = None
        self.events.append(CaseReturned(ended, self.return_count, self._bump(at), at, actor))
        fallback = self.fallback_department_code
        if self.return_count >= limits.returns or not fallback or ended.department_code == fallback:
            self._await_office(
                "return_limit_reached"
                if self.return_count >= limits.returns
                else "no_next_candidate",
                at,
            )
            return ended
        self._dispatch_to(
            fallback, (), True, f"returned by {ended.department_code}", SYSTEM, clock, at
        )
        return ended

    # ---- 办单 ----

    def update_progress(
        self,
        measures: str,
        percent: int,
        expected_completion: datetime | None,
        attachments: tuple[Attachment, ...],
        regression_reason: str,
        actor: Actor,
        at: datetime,
    ) -> HandlingEntry:
        current = self._require(AssignmentState.IN_PROGRESS, action="update the progress of")
        if percent < current.progress_percent and not regression_reason.strip():
            raise InvalidArgument.of(
                "regression_reason",
                f"progress goes back from {current.progress_percent} to {percent}: say why",
            )
        entry = HandlingEntry(
            str(uuid.uuid4()), measures, percent, expected_completion, attachments, at, actor
        )
        current.progress_percent = percent
        self.entries.append(entry)
        self.events.append(ProgressUpdated(current, entry, self._bump(at)))
        return entry

    def complete(
        self, summary: str, attachments: tuple[Attachment, ...], actor: Actor, at: datetime
    ) -> None:
        current = self._require(AssignmentState.IN_PROGRESS, action="complete")
        current.state = AssignmentState.COMPLETED
        current.completed_at = current.ended_at = at
        current.progress_percent = 100
        current.result_summary = summary
        current.result_attachments = attachments
        self.state = AssignmentState.COMPLETED
        self.events.append(CaseCompleted(current, self._bump(at), at, actor))

    # ---- 延期 ----

    def request_extension(
        self, requested_due: datetime, reason: str, actor: Actor, limits: Limits, at: datetime
    ) -> Extension:
        current = self._require(AssignmentState.IN_PROGRESS, action="extend")
        assert current.complete_due_at is not None
        if any(e.state is ExtensionState.PENDING for e in self.extensions):
            raise FailedPrecondition("an extension request is already pending")
        if current.approved_extensions >= limits.extensions:
            raise FailedPrecondition(f"at most {limits.extensions} extensions per assignment")
        if requested_due <= current.complete_due_at:
            raise InvalidArgument.of("requested_due_at", "must be later than the current deadline")
        extension = Extension(
            str(uuid.uuid4()), current.id, current.complete_due_at, requested_due, reason, at, actor
        )
        self.extensions.append(extension)
        self.events.append(ExtensionRequested(current, extension, self._bump(at)))
        return extension

    def decide_extension(
        self,
        extension_id: str,
        approved: bool,
        granted_due: datetime | None,
        note: str,
        actor: Actor,
        at: datetime,
    ) -> Extension:
        current = self._require(AssignmentState.IN_PROGRESS, action="decide an extension of")
        extension = next((e for e in self.extensions if e.id == extension_id), None)
        if extension is None or extension.state is not ExtensionState.PENDING:
            raise FailedPrecondition(f"no pending extension {extension_id} on this case")
        extension.state = ExtensionState.APPROVED if approved else ExtensionState.REJECTED
        extension.note, extension.decided_at, extension.decided_by = note, at, actor
        if approved:
            extension.granted_due_at = granted_due or extension.requested_due_at
            current.complete_due_at = extension.granted_due_at
            current.approved_extensions += 1
            current.escalation_rung = None
        self.events.append(ExtensionDecided(current, extension, self._bump(at)))
        return extension

    # ---- 督办 ----

    def escalate(self, now: datetime) -> bool:
        """Climb the ladder when a deadline is missed; one rung, one event. True if it climbed."""
        current = self.current
        if current is None or self.state not in (
            AssignmentState.DISPATCHED,
            AssignmentState.IN_PROGRESS,
        ):
            return False
        deadline, rung = current.running_deadline(), current.next_rung()
        if deadline is None or rung is None:
            return False
        kind, due, start = deadline
        if now < rung_due(due, start, rung):
            return False
        # Climb one rung per scan even if several are due: each rung is its own notice.
        current.escalation_rung = rung
        self.events.append(CaseEscalated(current, rung, kind, due, self._bump(now), now))
        return True

    # ---- reopened by rating ----

    def reopen(
        self,
        reopen_count: int,
        limits: Limits,
        clock: Clockwork,
        at: datetime,
        *,
        by_office: bool = False,
    ) -> None:
        """Back to the same department as a new round; past the limit, to the office (unless
        the office itself reopened it: the limit only stops reopening without it)."""
        if self.state is not AssignmentState.COMPLETED or self.current is None:
            raise IllegalTransition(
                f"case {self.case_id} is {self.state}; only a completed case can be reopened"
            )
        self.reopen_count = max(self.reopen_count + 1, reopen_count)
        department = self.current.department_code
        assisting = self.current.assisting
        self.ended.append(self.current)
        if self.reopen_count > limits.reopens and not by_office:
            self._await_office("reopen_limit_reached", at)
            return
        self._dispatch_to(
            department, assisting, True, f"reopened ({self.reopen_count})", SYSTEM, clock, at
        )
