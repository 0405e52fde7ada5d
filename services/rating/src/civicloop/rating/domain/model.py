"""What may happen to a case while rating owns it: 评单, reopening and closing.

    handling ──case.completed──► completed ──links requested──► completed (links pending)
       ▲                            │
       │   first unsatisfied rating │ every link answered satisfied or expired
       ├──(reopen_count < limit)────┤──────────────────────────────────────────► closed
       │                            │                      (outcome rated / rating_expired)
       │   unsatisfied, limit reached
       │                            ▼
       └─────office ReopenCase── awaiting_office ──office CloseCase──► closed (office_decision)

Dispatch owns the case while it is handled (``handling``); rating learns of each round from
dispatch's events and owns the case from completion on. One single-use link per petition of the
case and per completed round; only its holder rates, once. Every transition bumps the case
version and records exactly one event; a link's request and expiry record an event of their
own without moving the case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from civicloop.platform.domain import Actor, RecordsEvents
from civicloop.platform.errors import FailedPrecondition, IllegalTransition, InvalidArgument
from civicloop.platform.text import character_problem

# 1-2 unsatisfied, 3 basically satisfied, 4-5 satisfied (the 12345 hotline's scale).
LOWEST_SCORE, HIGHEST_SCORE, SATISFIED_FROM = 1, 5, 3
COMMENT_MAX = 500


class CaseState(StrEnum):
    HANDLING = "handling"  # dispatch's: opened, dispatched, in progress (again, once reopened)
    COMPLETED = "completed"  # waiting for its petitioners' ratings
    AWAITING_OFFICE = "awaiting_office"  # unsatisfied past the reopen limit
    CLOSED = "closed"


class LinkState(StrEnum):
    PENDING = "pending"
    USED = "used"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # the round ended before the petitioner answered


class Delivery(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class Outcome(StrEnum):
    """What a rating did to the case."""

    RECORDED = "recorded"  # other links of the round are still pending
    CASE_RATED = "case_rated"  # the round is complete and satisfied: the case closed
    CASE_REOPENED = "case_reopened"
    AWAITING_OFFICE = "awaiting_office"


class ClosedAs(StrEnum):
    """Why a case closed (CaseClosed.outcome); only office_decision counts as unresolved."""

    RATED = "rated"
    RATING_EXPIRED = "rating_expired"
    OFFICE_DECISION = "office_decision"


@dataclass
class RatingLink:
    id: str
    petition_id: str
    round: int
    created_at: datetime
    expires_at: datetime
    state: LinkState = LinkState.PENDING
    delivery: Delivery = Delivery.QUEUED
    ended_at: datetime | None = None
    # Set when used: whether the petitioner was satisfied.
    satisfied: bool | None = None

    def _end(self, state: LinkState, at: datetime) -> None:
        self.state = state
        self.ended_at = at


@dataclass(frozen=True)
class Rating:
    id: str
    case_id: str
    petition_id: str
    round: int
    department_code: str
    community_code: str
    score: int
    comment: str
    rated_at: datetime

    @property
    def satisfied(self) -> bool:
        return self.score >= SATISFIED_FROM


# ---- domain events ----


@dataclass(frozen=True)
class RatingRequested:
    link: RatingLink
    version: int
    actor: Actor | None = None


@dataclass(frozen=True)
class RatingExpired:
    link: RatingLink
    version: int
    at: datetime
    actor: Actor | None = None


@dataclass(frozen=True)
class CaseRated:
    rating: Rating
    version: int
    actor: Actor


@dataclass(frozen=True)
class CaseReopened:
    version: int
    department_code: str
    reopen_count: int
    reason: str
    at: datetime
    actor: Actor | None
    by_office: bool


@dataclass(frozen=True)
class CaseAwaitingOffice:
    version: int
    at: datetime
    actor: Actor | None = None
    reason: str = "reopen_limit_reached"


@dataclass(frozen=True)
class CaseClosed:
    version: int
    closed_as: ClosedAs
    at: datetime
    actor: Actor | None


DomainEvent = (
    RatingRequested | RatingExpired | CaseRated | CaseReopened | CaseAwaitingOffice | CaseClosed
)


def check_score(score: int, comment: str) -> None:
    if not LOWEST_SCORE <= score <= HIGHEST_SCORE:
        raise InvalidArgument.of("score", f"must be {LOWEST_SCORE}..{HIGHEST_SCORE}")
    if len(comment) > COMMENT_MAX:
        raise InvalidArgument.of("comment", f"at most {COMMENT_MAX} characters")
    if problem := character_problem(comment):
        raise InvalidArgument.of("comment", problem)


@dataclass
class RatedCase(RecordsEvents):
    """A case as rating knows it: what the petitioners are shown, and the current round."""

    aggregate_type: ClassVar[str] = "case"

    id: str
    version: int
    state: CaseState = CaseState.HANDLING
    community_code: str = ""
    category_code: str = ""
    summary: str = ""
    traceparent: str = ""
    department_code: str = ""
    round: int = 0
    result_summary: str = ""
    completed_at: datetime | None = None
    # The completion deadline in force (extensions included), for the on-time rate.
    complete_due_at: datetime | None = None
    reopen_count: int = 0
    closed_as: ClosedAs | None = None
    # The links of the current round.
    links: list[RatingLink] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    # ---- what dispatch reports (a projection: stale reports change nothing) ----

    def follow(self, version: int) -> bool:
        """Take the version of an owner's report; False for a stale or repeated one."""
        if version <= self.version:
            return False
        self.version = version
        return True

    def completed(
        self,
        version: int,
        department_code: str,
        round_: int,
        result_summary: str,
        at: datetime,
    ) -> bool:
        """办结: dispatch completed a round; the petitioners may now rate it."""
        if not self.follow(version):
            return False
        self.state = CaseState.COMPLETED
        self.department_code = department_code
        self.round = round_
        self.result_summary = result_summary
        self.completed_at = at
        self.links = []
        return True

    @property
    def completed_on_time(self) -> bool:
        """On time: completed by the completion deadline in force (none known: on time)."""
        assert self.completed_at is not None
        return self.complete_due_at is None or self.completed_at <= self.complete_due_at

    # ---- 评单 ----

    def request_links(
        self, petition_ids: list[str], at: datetime, expires_at: datetime
    ) -> list[RatingLink]:
        """One link per petition for the current round; the round's links if it has them."""
        if self.state is not CaseState.COMPLETED:
            raise IllegalTransition(
                f"case {self.id} is {self.state}; only a completed case is rated"
            )
        if self.links:
            return self.links
        if not petition_ids:
            raise FailedPrecondition(f"case {self.id} has no petitions to ask")
        if expires_at <= at:
            raise InvalidArgument.of("expires_in_hours", "links must expire in the future")
        for petition_id in petition_ids:
            link = RatingLink(str(uuid.uuid4()), petition_id, self.round, at, expires_at)
            self.links.append(link)
            self.events.append(RatingRequested(link, self.version))
        return self.links

    def link(self, link_id: str) -> RatingLink:
        for candidate in self.links:
            if candidate.id == link_id:
                return candidate
        raise FailedPrecondition("this link belongs to an earlier round and was withdrawn")

    def rate(
        self,
        link_id: str,
        score: int,
        comment: str,
        at: datetime,
        reopen_limit: int,
    ) -> tuple[Rating, Outcome]:
        """A petitioner's rating through its link; what it did to the case."""
        check_score(score, comment)
        link = self.link(link_id)
        if link.state is LinkState.PENDING and link.expires_at <= at:
            raise FailedPrecondition("this link has expired")
        if link.state is not LinkState.PENDING:
            raise FailedPrecondition(f"this link is {link.state.value}")
        rating = Rating(
            str(uuid.uuid4()),
            self.id,
            link.petition_id,
            link.round,
            self.department_code,
            self.community_code,
            score,
            comment,
            at,
        )
        link._end(LinkState.USED, at)
        link.satisfied = rating.satisfied
        self.version += 1
        self.events.append(
            CaseRated(rating, self.version, Actor(f"petition:{link.petition_id}", "resident"))
        )
        if not rating.satisfied:
            if self.reopen_count < reopen_limit:
                self._reopen(f"unsatisfied rating ({score})", at, None, by_office=False)
                return rating, Outcome.CASE_REOPENED
            self._withdraw_pending(at)
            self.state = CaseState.AWAITING_OFFICE
            self.version += 1
            self.events.append(CaseAwaitingOffice(self.version, at))
            return rating, Outcome.AWAITING_OFFICE
        if self._settle(at):
            return rating, Outcome.CASE_RATED
        return rating, Outcome.RECORDED

    def expire_links(self, now: datetime) -> list[RatingLink]:
        """Links not answered in time; a round whose last link expires closes."""
        if self.state is not CaseState.COMPLETED:
            return []
        expired = [x for x in self.links if x.state is LinkState.PENDING and x.expires_at <= now]
        for link in expired:
            link._end(LinkState.EXPIRED, link.expires_at)
            self.events.append(RatingExpired(link, self.version, link.expires_at))
        if expired:
            self._settle(max(link.expires_at for link in expired))
        return expired

    # ---- the office decides ----

    def reopen_by_office(self, reason: str, actor: Actor, at: datetime) -> None:
        """The office sends the case back to its department, past the limit if it must."""
        self._require_decidable("reopen")
        self._reopen(reason, at, actor, by_office=True)

    def close_by_office(self, actor: Actor, at: datetime) -> None:
        self._require_decidable("close")
        self._close(ClosedAs.OFFICE_DECISION, at, actor)

    # ---- rules shared by the transitions ----

    def _require_decidable(self, action: str) -> None:
        if self.state not in (CaseState.COMPLETED, CaseState.AWAITING_OFFICE):
            raise IllegalTransition(
                f"cannot {action} case {self.id} in state {self.state}: it must be completed"
                " or awaiting the office"
            )

    def _reopen(self, reason: str, at: datetime, actor: Actor | None, *, by_office: bool) -> None:
        self._withdraw_pending(at)
        self.reopen_count += 1
        self.state = CaseState.HANDLING
        self.version += 1
        self.events.append(
            CaseReopened(
                self.version,
                self.department_code,
                self.reopen_count,
                reason,
                at,
                actor,
                by_office,
            )
        )

    def _settle(self, at: datetime) -> bool:
        """Close the round once every link is answered or expired (none was unsatisfied, or
        the case would have reopened): rated if anyone answered, else rating_expired."""
        if any(link.state is LinkState.PENDING for link in self.links):
            return False
        answered = any(link.state is LinkState.USED for link in self.links)
        self._close(ClosedAs.RATED if answered else ClosedAs.RATING_EXPIRED, at, None)
        return True

    def _close(self, closed_as: ClosedAs, at: datetime, actor: Actor | None) -> None:
        self._withdraw_pending(at)
        self.state = CaseState.CLOSED
        self.closed_as = closed_as
        self.version += 1
        self.events.append(CaseClosed(self.version, closed_as, at, actor))

    def _withdraw_pending(self, at: datetime) -> None:
        for link in self.links:
            if link.state is LinkState.PENDING:
                link._end(LinkState.WITHDRAWN, at)
