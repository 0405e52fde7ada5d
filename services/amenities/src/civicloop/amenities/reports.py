"""Moderating reports and following the problems they reveal: amenities' reports workflow.

- A worker of the amenity's community (or the office) confirms or rejects a report. A
  confirmed report opens a problem, or joins the open one of the same amenity and reason; a
  new problem is filed in intake as a petition (category shared_amenity, with amenities' own
  service identity), the confirming worker its petitioner of record (网格员代办).
- Filing happens after the confirmation has committed; until intake has answered the
  problem stays `filing` and a loop files it again (the problem id is the request id, so
  intake keeps one petition however often it is asked).
- The case events (merges, dispatch, completion, reopening) move the problem: completed is
  fixed, with the date.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import grpc
import orjson

from civicloop.amenities import messages
from civicloop.amenities.domain.model import PUBLIC_PHONE, ReportState
from civicloop.amenities.domain.reports import (
    PetitionText,
    Problem,
    ProblemState,
    check_moderable,
    check_rejection,
)
from civicloop.amenities.handlers import steward_role
from civicloop.amenities.peers import IntakePetitions, Petition
from civicloop.amenities.presenting import REASONS, words
from civicloop.amenities.store.problems import ProblemRepository
from civicloop.amenities.store.repository import UnitOfWork
from civicloop.platform.auth import Principal
from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.commands import CommandRequest
from civicloop.platform.db import Connection
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.errors import Violations
from civicloop.platform.text import text_problem
from civicloop.v1 import events_pb2

log = logging.getLogger(__name__)

# What intake answers a petition it will never take as it is (the filing loop moves past it).
REFUSED = frozenset({grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION})

# The steps of a case the amenity's page names while the problem is open.
CASE_STEPS: dict[type, str] = {
    events_pb2.CaseOpened: "open",
    events_pb2.CaseDispatched: "dispatched",
    events_pb2.CaseAwaitingOffice: "awaiting_office",
    events_pb2.CaseAccepted: "in_progress",
    events_pb2.CaseReturned: "returned",
}
FOLLOWED = (
    *CASE_STEPS,
    events_pb2.CaseCompleted,
    events_pb2.CaseReopened,
    events_pb2.PetitionsMerged,
    events_pb2.PetitionSplit,
    events_pb2.PetitionResolvedOnSite,
)


@dataclass(frozen=True)
class Moderated:
    report_id: str
    state: ReportState
    problem_id: str = ""


# The filer is filed in intake as the petitioner: intake's limit on a petitioner's name.
FILER_NAME_MAX = 64


def check_filer(errors: Violations, name: str, phone: str) -> tuple[str, str]:
    name, phone = name.strip(), phone.strip().replace(" ", "")
    if not 1 <= len(name) <= FILER_NAME_MAX or text_problem(name):
        errors.add("contact_name", f"is required: 1..{FILER_NAME_MAX} characters of plain text")
    if not PUBLIC_PHONE.fullmatch(phone):
        errors.add("contact_phone", "must be a mobile (11 digits) or a landline like 028-87654321")
    return name, phone


@dataclass
class Moderator:
    pool: asyncpg.Pool
    petitions: IntakePetitions
    clock: Clock = system_clock
    # Set when a problem waits to be filed, so the filing loop need not wait for its turn.
    filing_waiting: asyncio.Event = field(default_factory=asyncio.Event)

    def _uow(self, conn: Connection | None = None) -> UnitOfWork:
        if conn is not None:
            return UnitOfWork(messages.event_message, conn=conn)
        return UnitOfWork(messages.event_message, pool=self.pool)

    async def confirm(
        self,
        principal: Principal,
        request: CommandRequest | None,
        report_id: str,
        contact_name: str,
        contact_phone: str,
    ) -> bytes:
        errors = Violations()
        name, phone = check_filer(errors, contact_name, contact_phone)
        errors.raise_if_any()
        for attempt in (1, 2):
            try:
                answer, moderated = await self._confirm(principal, request, report_id, name, phone)
                break
            except asyncpg.UniqueViolationError:
                # Another worker opened the same problem a moment ago (one open problem per
                # amenity and reason): this report joins it on the second attempt.
                if attempt == 2:
                    raise
        if moderated.state is ReportState.CONFIRMED and not await self.file(moderated.problem_id):
            self.filing_waiting.set()  # intake did not take it now: the loop tries again
        return answer

    async def _confirm(
        self,
        principal: Principal,
        request: CommandRequest | None,
        report_id: str,
        name: str,
        phone: str,
    ) -> tuple[bytes, Moderated]:
        async with self._uow() as uow:
            if earlier := await uow.commands.claim(request):
                answer = earlier.replay_to(principal.roles)
                return answer, _moderated_of(answer)
            amenity_id, community, reason, state = await uow.moderation.state_of(report_id)
            role = steward_role(principal, community)
            check_moderable(report_id, state)
            worker, now = principal.acting(role).actor, self.clock()
            problem = await uow.problems.open_one(amenity_id, reason)
            if problem is not None:
                problem.join(report_id, worker, now)
                moderated = Moderated(report_id, ReportState.JOINED, problem.id)
            else:
                problem = Problem.confirm(
                    str(uuid.uuid4()), amenity_id, community, reason, report_id, worker, now
                )
                moderated = Moderated(report_id, ReportState.CONFIRMED, problem.id)
            if moderated.state is ReportState.CONFIRMED:
                # The row first, then the petitioner of record beside it until filed.
                await uow.problems.save(problem)
                await uow.problems.keep_filer(problem.id, name, phone)
            uow.track(problem)
            answer = _answer(moderated)
            await uow.moderation.moderated(report_id, moderated.state, at=now, by=worker.subject)
            await uow.commit(answer=answer, authority=role)
        return answer, moderated

    async def reject(
        self, principal: Principal, request: CommandRequest | None, report_id: str, reason: str
    ) -> bytes:
        if problem := check_rejection(reason):
            errors = Violations()
            errors.add("reason", problem)
            errors.raise_if_any()
        async with self._uow() as uow:
            if earlier := await uow.commands.claim(request):
                return earlier.replay_to(principal.roles)
            _, community, _, state = await uow.moderation.state_of(report_id)
            role = steward_role(principal, community)
            check_moderable(report_id, state)
            worker = principal.acting(role).actor
            answer = _answer(Moderated(report_id, ReportState.REJECTED))
            await uow.moderation.moderated(
                report_id,
                ReportState.REJECTED,
                at=self.clock(),
                by=worker.subject,
                rejection_reason=reason.strip(),
            )
            await uow.commit(answer=answer, authority=role)
        return answer

    # ---- filing in intake ----

    async def file(self, problem_id: str) -> bool:
        """File one problem waiting in intake; False when intake could not take it now (the
        filing loop stops for this turn), True when filed, or refused for good (it moves on)."""
        async with self.pool.acquire() as conn:
            filer = await ProblemRepository(conn).filer(problem_id)
            row = await conn.fetchrow(
                """SELECT p.state, p.community_code, p.reason_code, a.name, a.address,
                          a.latitude, a.longitude,
                          array(SELECT r.comment FROM amenity_reports r
                                 WHERE r.report_id = ANY(p.report_ids)
                                 ORDER BY r.reported_at) AS comments
                     FROM amenity_problems p JOIN amenities a USING (amenity_id)
                    WHERE p.problem_id = $1""",
                problem_id,
            )
        if row is None or row["state"] != ProblemState.FILING or filer is None:
            return True
        text = PetitionText(
            row["name"], row["address"], words(REASONS, row["reason_code"]).zh,
            tuple(row["comments"]),
        )  # fmt: skip
        try:
            petition_id, case_id = await self.petitions.file(
                Petition(
                    request_id=problem_id,
                    community_code=row["community_code"],
                    description=text.render(),
                    latitude=row["latitude"],
                    longitude=row["longitude"],
                    petitioner_name=filer[0],
                    petitioner_phone=filer[1],
                )
            )
        except grpc.aio.AioRpcError as e:
            if e.code() in REFUSED:
                # Not a passing failure: trying again sends the same petition. Said at every
                # turn until someone corrects it, while the problems after it are filed.
                log.error(
                    "intake refuses problem %s (%s: %s); it waits here", problem_id,
                    e.code(), e.details(),
                )  # fmt: skip
                return True
            log.warning(
                "filing problem %s in intake failed (%s); trying again", problem_id, e.code()
            )
            return False
        async with self._uow() as uow:
            problem = await uow.problems.get(problem_id, lock=True)
            problem.filed(petition_id, case_id, self.clock())
            uow.track(problem)
            await uow.problems.forget_filer(problem_id)
            await uow.commit()
        return True

    async def file_waiting(self) -> None:
        """The filing loop's turn: every problem still waiting for intake."""
        async with self.pool.acquire() as conn:
            waiting = await ProblemRepository(conn).waiting_to_be_filed()
        for problem_id in waiting:
            if not await self.file(problem_id):
                return  # intake is away: the next turn tries again

    # ---- following the case ----

    async def on_case_event(self, conn: Connection, envelope: EventEnvelope) -> None:
        event = envelope.payload()
        at = envelope.time
        async with self._uow(conn) as uow:
            if isinstance(event, events_pb2.PetitionsMerged):
                found = await uow.problems.following(
                    case_ids=[], petition_ids=list(event.petition_ids)
                )
                for problem in found:
                    problem.case_moved(event.case_id, at)
            elif isinstance(event, events_pb2.PetitionSplit):
                found = await uow.problems.following(case_ids=[], petition_ids=[event.petition_id])
                for problem in found:
                    problem.case_moved(event.new_case_id, at)
            elif isinstance(event, events_pb2.PetitionResolvedOnSite):
                found = await uow.problems.following(case_ids=[], petition_ids=[event.petition_id])
                for problem in found:
                    problem.case_completed(event.resolved_at.ToDatetime(tzinfo=UTC))
            else:
                case_id: str = getattr(event, "case_id", "")
                found = await uow.problems.following(case_ids=[case_id], petition_ids=[])
                for problem in found:
                    _follow(problem, event, at)
            for problem in found:
                uow.track(problem)
            await uow.commit()

    async def problems_of(self, amenity_id: str) -> list[Problem]:
        async with self.pool.acquire() as conn:
            return await ProblemRepository(conn).of_amenity(amenity_id)


def _follow(problem: Problem, event: object, at: datetime) -> None:
    if isinstance(event, events_pb2.CaseCompleted):
        problem.case_completed(event.completed_at.ToDatetime(tzinfo=UTC))
    elif isinstance(event, events_pb2.CaseReopened):
        problem.case_reopened(at)
    elif step := CASE_STEPS.get(type(event)):
        problem.case_progressed(step, at)


def _moderated_of(answer: bytes) -> Moderated:
    kept = orjson.loads(answer)
    return Moderated(kept["report_id"], ReportState(kept["state"]), kept["problem_id"] or "")


def _answer(moderated: Moderated) -> bytes:
    return orjson.dumps(
        {
            "report_id": moderated.report_id,
            "state": moderated.state.value,
            "problem_id": moderated.problem_id or None,
        }
    )
