"""What happens to a report, and to the problem it reveals (pure: no I/O).

A public report (listed open but closed, turned away, unclean, wrong hours, sign missing) is
moderated by a worker of the amenity's community:

    received ──confirm──► confirmed   (a problem is opened: it becomes a petition in intake)
        │    ──confirm──► joined      (the same problem is already open: the report joins it)
        └────reject─────► rejected    (with a reason; nothing is filed)

A report received while the same problem (same amenity, same reason) is already open joins
it at once: the worker confirmed that problem already, and the petition is not filed twice.

The problem follows the case that intake and dispatch make of its petition:

    filing ──filed──► open ──case completed──► fixed
                        ▲                        │
                        └────case reopened───────┘

`filing` lasts until intake has answered (the petition is filed under the problem's id as
request id, so filing again after a failure files it once). While a problem is not fixed the
amenity shows it as its open case; once fixed, the date it was fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from civicloop.amenities.domain.model import ReportState
from civicloop.platform.domain import Actor, RecordsEvents
from civicloop.platform.errors import IllegalTransition
from civicloop.platform.text import text_problem

PETITION_CATEGORY = "shared_amenity"
REJECTION_MAX = 500
# How much of the reporters' comments goes into the petition (intake allows 4,000).
PETITION_MAX = 1500


def check_moderable(report_id: str, state: str) -> None:
    if state != ReportState.RECEIVED:
        raise IllegalTransition(f"report {report_id} is already {state}: it was moderated")


class ProblemState(StrEnum):
    FILING = "filing"
    OPEN = "open"
    FIXED = "fixed"


@dataclass(frozen=True)
class ProblemChanged:
    """One step of a problem: moderated, filed, followed its case."""

    version: int
    at: datetime
    actor: Actor | None
    change: str  # "confirmed", "joined", "filed", "case_moved", "fixed", "reopened"
    report_id: str = ""


@dataclass
class Problem(RecordsEvents):
    """A confirmed problem with one amenity, and the case that handles it."""

    aggregate_type: ClassVar[str] = "amenity_problem"

    id: str
    amenity_id: str
    community_code: str
    reason_code: str
    opened_at: datetime
    report_ids: list[str]
    state: ProblemState = ProblemState.FILING
    petition_id: str = ""
    case_id: str = ""
    # The case's step as the events last told it ("submitted", "open", "dispatched", ...).
    case_state: str = ""
    fixed_at: datetime | None = None
    version: int = 1
    events: list[ProblemChanged] = field(default_factory=list)

    @classmethod
    def confirm(
        cls,
        problem_id: str,
        amenity_id: str,
        community_code: str,
        reason_code: str,
        report_id: str,
        worker: Actor,
        at: datetime,
    ) -> Problem:
        problem = cls(
            id=problem_id,
            amenity_id=amenity_id,
            community_code=community_code,
            reason_code=reason_code,
            opened_at=at,
            report_ids=[report_id],
        )
        problem.events.append(ProblemChanged(1, at, worker, "confirmed", report_id))
        return problem

    @property
    def is_open(self) -> bool:
        return self.state is not ProblemState.FIXED

    def _step(self, change: str, at: datetime, actor: Actor | None, report_id: str = "") -> None:
        self.version += 1
        self.events.append(ProblemChanged(self.version, at, actor, change, report_id))

    def join(self, report_id: str, actor: Actor | None, at: datetime) -> None:
        """Another report of this problem: it joins the petition already filed (or being)."""
        if not self.is_open:
            raise IllegalTransition(f"problem {self.id} is fixed: a new report opens a new one")
        if report_id in self.report_ids:
            return
        self.report_ids.append(report_id)
        self._step("joined", at, actor, report_id)

    def filed(self, petition_id: str, case_id: str, at: datetime) -> None:
        """Intake answered: the petition and the case it is in."""
        if self.state is not ProblemState.FILING:
            return  # a late answer to a repeated filing: already recorded
        self.petition_id, self.case_id = petition_id, case_id
        self.state = ProblemState.OPEN
        self.case_state = self.case_state or "submitted"
        self._step("filed", at, None)

    def case_moved(self, case_id: str, at: datetime) -> None:
        """Consolidation merged the petition's case into another (or split it out)."""
        if case_id and case_id != self.case_id:
            self.case_id = case_id
            self._step("case_moved", at, None)

    def case_progressed(self, case_state: str, at: datetime) -> None:
        """The case took a step that does not fix it (opened, dispatched, accepted, ...)."""
        if self.state is ProblemState.OPEN and case_state != self.case_state:
            self.case_state = case_state
            self._step(f"case_{case_state}", at, None)

    def case_completed(self, at: datetime) -> None:
        if self.state is ProblemState.OPEN:
            self.state = ProblemState.FIXED
            self.case_state = "completed"
            self.fixed_at = at
            self._step("fixed", at, None)

    def case_reopened(self, at: datetime) -> None:
        """Rated unsatisfied and reopened: not fixed after all."""
        if self.state is ProblemState.FIXED:
            self.state = ProblemState.OPEN
            self.case_state = "reopened"
            self.fixed_at = None
            self._step("reopened", at, None)


def check_rejection(reason: str) -> str | None:
    """The problem with a rejection's reason, or None when it will do."""
    reason = reason.strip()
    if not reason:
        return "is required: say why the report does not hold (the reporter may read it)"
    if len(reason) > REJECTION_MAX:
        return f"is at most {REJECTION_MAX} characters"
    return text_problem(reason)


@dataclass(frozen=True)
class PetitionText:
    amenity_name: str
    address: str
    reason_label: str
    comments: tuple[str, ...]

    def render(self) -> str:
        """The petition's description, as intake's office and the department read it."""
        lines = [f"幸福共享家设施「{self.amenity_name}」（{self.address}）：{self.reason_label}。"]
        lines += [f"群众反映：{c}" for c in self.comments if c.strip()]
        lines.append("经社区网格员核实属实，请相关部门处理。")
        text = "\n".join(lines)
        return text if len(text) <= PETITION_MAX else text[: PETITION_MAX - 1] + "…"
