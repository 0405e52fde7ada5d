"""Rating's use cases: one method per command or event. gRPC, the rating page and the bus only
translate to these and back.

Every command runs in one unit of work: its request id is claimed first (a repeat gets the
first answer), the case is loaded and locked, its version checked, the transition made. A
rating through its link, the hot path, reads the case unlocked and writes all it did in one
statement, provided the case has not moved meanwhile (``RatedCaseWriter``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

import asyncpg
import grpc
import orjson

from civicloop.platform import telemetry
from civicloop.platform.auth import OFFICE, Principal
from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.commands import CommandRequest, RequestIdReused
from civicloop.platform.db import Connection
from civicloop.platform.domain import check_version
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.errors import (
    Aborted,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
)
from civicloop.platform.protobuf import aware, parse_uuid
from civicloop.platform.redaction import redact
from civicloop.rating import messages
from civicloop.rating.domain.model import (
    CaseState,
    Delivery,
    Outcome,
    RatedCase,
    Rating,
    RatingLink,
    check_score,
)
from civicloop.rating.domain.rates import SHANGHAI
from civicloop.rating.links import LinkTokens, looks_like_token, token_hash
from civicloop.rating.sms import Notifier, SmsMessage
from civicloop.rating.store.repository import (
    CaseAtLink,
    CaseRepository,
    RatedCaseWriter,
    RatingUnitOfWork,
)
from civicloop.v1 import events_pb2

log = logging.getLogger(__name__)

REASON_MAX = 500
INVALID_LINK = "this rating link is not valid"
T = TypeVar("T")
# How long a link whose gateway was away waits before it is sent again.
RESEND_AFTER = timedelta(minutes=5)
# Intake gives the petitioners' contacts only once it has heard the case was completed, and
# that event reaches intake apart from rating: a young link asks again this soon.
ASK_AGAIN_SOON = timedelta(seconds=1)
EXPIRY_HOURS_MAX = 720
# A rating whose case moves under it this often (its co-petitioners rating at the same moment)
# is told to try again.
RATING_ATTEMPTS = 3


class ContactBook(Protocol):
    """Where the petitioners' phones come from (intake, over gRPC): asked when a link is
    sent, never kept."""

    async def phones(self, case_id: str) -> dict[str, str]: ...


class DepartmentBook(Protocol):
    async def name(self, code: str) -> str: ...


@dataclass(frozen=True)
class LinkView:
    """What the rating page shows behind a link: the case as the public may see it."""

    case: RatedCase
    link: RatingLink


@dataclass(frozen=True)
class Submitted:
    rating: Rating
    outcome: Outcome
    case_state: CaseState


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not 1 <= len(reason) <= REASON_MAX:
        raise InvalidArgument.of("reason", f"is required, at most {REASON_MAX} characters")
    return redact(reason)


class Rater:
    def __init__(
        self,
        pool: asyncpg.Pool,
        tokens: LinkTokens,
        notifier: Notifier,
        contacts: ContactBook,
        departments: DepartmentBook,
        *,
        rating_url: str,
        reopen_limit: int,
        link_ttl: timedelta,
        clock: Clock = system_clock,
    ) -> None:
        self.pool = pool
        self.tokens = tokens
        self.notifier = notifier
        self.contacts = contacts
        self.departments = departments
        self.rating_url = rating_url.rstrip("/")
        self.reopen_limit = reopen_limit
        self.link_ttl = link_ttl
        self.clock = clock
        self.rated_cases = RatedCaseWriter(pool, messages.event_message)
        # Set when links are created here, so the sender need not wait for its next look.
        self.links_waiting = asyncio.Event()

    def _uow(self, conn: Connection | None = None) -> RatingUnitOfWork:
        if conn is None:
            return RatingUnitOfWork(messages.event_message, self.tokens.hash_for, pool=self.pool)
        return RatingUnitOfWork(messages.event_message, self.tokens.hash_for, conn=conn)

    @staticmethod
    def _command(
        principal: Principal, request_id: str, command: str, *body: Any
    ) -> CommandRequest | None:
        return CommandRequest.of(principal.subject, request_id, command, orjson.dumps(body))

    # ---- what dispatch and intake report ----

    async def on_case_opened(self, conn: Connection, envelope: EventEnvelope) -> None:
        """A case enters the loop: keep what its petitioners will be shown."""
        opened = events_pb2.CaseOpened.FromString(envelope.data)
        async with self._uow(conn) as uow:
            case = await uow.cases.find(opened.case_id, lock=True)
            if case is None:
                case = RatedCase(
                    id=opened.case_id,
                    version=opened.case_version,
                    # The consumer span runs in the case's trace; rating's steps continue it.
                    traceparent=telemetry.current_traceparent(),
                )
                await uow.cases.add(case)
            else:  # a later event came first (events of two services keep no common order)
                case.follow(opened.case_version)
            await uow.cases.describe(
                case.id,
                opened.community_code,
                opened.category_code,
                opened.summary,
                list(opened.petition_ids),
            )
            uow.track(case)
            await uow.commit()

    async def on_case_handled(self, conn: Connection, envelope: EventEnvelope) -> None:
        """Dispatch moved the case on: follow its version, its department, and the completion
        deadline in force (set at 接单, moved by an approved extension)."""
        event: Any = envelope.payload()
        async with self._uow(conn) as uow:
            case = await self._known(uow, event.case_id, envelope)
            if not case.follow(event.case_version):
                return
            match event:
                case events_pb2.CaseDispatched():
                    case.department_code = event.department_code
                    case.complete_due_at = None  # a new round: its deadline comes at 接单
                case events_pb2.CaseAccepted():
                    case.department_code = event.department_code
                    case.complete_due_at = aware(event.complete_due_at)
                case events_pb2.ExtensionDecided(approved=True):
                    case.complete_due_at = aware(event.complete_due_at)
            case.state = CaseState.HANDLING
            uow.track(case)
            await uow.commit()

    async def on_case_completed(self, conn: Connection, envelope: EventEnvelope) -> None:
        """办结: count the round (on time or not) and ask each petitioner for a rating."""
        done = events_pb2.CaseCompleted.FromString(envelope.data)
        now = self.clock()
        async with self._uow(conn) as uow:
            case = await self._known(uow, done.case_id, envelope)
            with telemetry.case_step(
                "rating requested", case.id, case.traceparent, department=done.department_code
            ):
                completed_at = aware(done.completed_at)
                if done.HasField("complete_due_at"):  # dispatch's word, over what we followed
                    case.complete_due_at = aware(done.complete_due_at)
                if not case.completed(
                    done.case_version,
                    done.department_code,
                    done.round,
                    done.result_summary,
                    completed_at,
                ):
                    return
                await uow.cases.count(
                    case.department_code,
                    case.community_code,
                    completed_at,
                    completed=1,
                    on_time=int(case.completed_on_time),
                )
                case.request_links(await uow.cases.petition_ids(case.id), now, now + self.link_ttl)
                uow.track(case)
                await uow.commit()
        self.links_waiting.set()

    async def _known(
        self, uow: RatingUnitOfWork, case_id: str, envelope: EventEnvelope
    ) -> RatedCase:
        """The case, locked; one rating has not heard opened (it came before rating did) is
        taken in bare, at the version before this event, so the event still applies."""
        case = await uow.cases.find(case_id, lock=True)
        if case is None:
            case = RatedCase(id=case_id, version=0, traceparent=telemetry.current_traceparent())
            await uow.cases.add(case)
            log.warning("case first heard of at %s", envelope.type)
        return case

    # ---- commands ----

    async def request_ratings(
        self,
        principal: Principal,
        request_id: str,
        case_id: str,
        expected_version: int,
        expires_in_hours: int,
    ) -> list[RatingLink]:
        if not 0 <= expires_in_hours <= EXPIRY_HOURS_MAX:
            raise InvalidArgument.of("expires_in_hours", f"must be 0..{EXPIRY_HOURS_MAX}")
        ttl = timedelta(hours=expires_in_hours) if expires_in_hours else self.link_ttl
        request = self._command(
            principal, request_id, "RequestRatings", case_id, expected_version, expires_in_hours
        )
        async with self._uow() as uow:
            if earlier := await uow.commands.claim(request):
                case_id = earlier.replay_to(principal.roles).decode()
                return (await uow.cases.get(case_id)).links
            case = await uow.cases.get(case_id, lock=True)
            check_version(f"case {case.id}", case.version, expected_version)
            now = self.clock()
            with telemetry.case_step("rating requested", case.id, case.traceparent):
                links = case.request_links(await uow.cases.petition_ids(case.id), now, now + ttl)
                uow.track(case)
                await uow.commit(answer=case.id.encode(), authority=principal.role)
        self.links_waiting.set()
        return links

    async def link_view(self, token: str) -> LinkView:
        """What a link shows; NOT_FOUND for a token that is not a link's (forged, mistyped)."""
        async with self.pool.acquire() as conn:
            repo = CaseRepository(conn)
            case_id, link_id = await self._link_of(repo, token)
            case = await repo.get(case_id)
            # A link of an earlier round is not among the case's links: it was withdrawn.
            link = next((x for x in case.links if x.id == link_id), None)
            return LinkView(case, link or await repo.link(link_id))

    async def submit_rating(
        self,
        token: str,
        score: int,
        comment: str,
        case_id: str = "",
        *,
        admitted: Awaitable[None] | None = None,
    ) -> Submitted:
        """评单 through a link. The same submission again returns the first answer.

        The case is read without a lock, rated by the rules, and written with all the rating
        did in one statement that applies only if the case is still as read; if it moved (a
        co-petitioner rated, a link expired), it is read and rated again. A link that takes no
        rating as read (used, perhaps by this very submission; withdrawn; expired by the scan)
        goes through the unit of work, which answers a repeated submission first.

        ``case_id``, when given, is the case the caller shows: a token of another case is
        refused before anything is written. ``admitted``, when given, is a check the caller
        runs meanwhile (the page's rate limit): awaited once the case is read, before anything
        is written, so the two round trips overlap.
        """
        if case_id:
            case_id = parse_uuid(case_id, "case_id")
        check_score(score, comment)
        comment = redact(comment.strip())
        for _ in range(RATING_ATTEMPTS):
            read = await self._case_at_link(token)
            if admitted is not None:
                await admitted
            _check_case_of_token(read.case.id, case_id)
            if read.link_id not in read.pending_link_ids:
                return await self._submit_in_unit_of_work(token, score, comment)
            case = read.case
            with telemetry.case_step(
                "case rated", case.id, case.traceparent, department=case.department_code
            ):
                rating, outcome = case.rate(
                    read.link_id, score, comment, self.clock(), self.reopen_limit
                )
                submitted = Submitted(rating, outcome, case.state)
                request = _rating_request(read.link_id, score, comment)
                if await self.rated_cases.write(read, request, _submitted_answer(submitted)):
                    return submitted
        raise Aborted("the case changed while it was being rated; try again")

    async def _case_at_link(self, token: str) -> CaseAtLink:
        # Read through the hot path's statement; NOT_FOUND for a token that opens no link.
        return _found(await self.rated_cases.read(_hash_of(token)))

    async def _submit_in_unit_of_work(self, token: str, score: int, comment: str) -> Submitted:
        async with self._uow() as uow:
            case_id, link_id = await self._link_of(uow.cases, token)
            try:
                if earlier := await uow.commands.claim(_rating_request(link_id, score, comment)):
                    return _submitted_from(orjson.loads(earlier.response))
            except RequestIdReused:
                raise FailedPrecondition("this link is used") from None
            case = await uow.cases.get(case_id, lock=True)
            with telemetry.case_step(
                "case rated", case.id, case.traceparent, department=case.department_code
            ):
                rating, outcome = case.rate(
                    link_id, score, comment, self.clock(), self.reopen_limit
                )
                uow.track(case)
                submitted = Submitted(rating, outcome, case.state)
                await uow.commit(answer=_submitted_answer(submitted))
        return submitted

    async def _link_of(self, repo: CaseRepository, token: str) -> tuple[str, str]:
        """The case and link a token opens."""
        return _found(await repo.case_of_token(_hash_of(token)))

    async def decide(
        self,
        principal: Principal,
        request_id: str,
        case_id: str,
        expected_version: int,
        reason: str,
        *,
        reopen: bool,
    ) -> RatedCase:
        """The office's decision on a completed case (or one awaiting it): back to its
        department (ReopenCase, past the limit if need be), or closed (CloseCase)."""
        reason = _reason(reason)
        command = "ReopenCase" if reopen else "CloseCase"
        request = self._command(principal, request_id, command, case_id, expected_version, reason)
        async with self._uow() as uow:
            if earlier := await uow.commands.claim(request):
                return await uow.cases.get(earlier.replay_to(principal.roles).decode())
            case = await uow.cases.get(case_id, lock=True)
            check_version(f"case {case.id}", case.version, expected_version)
            with telemetry.case_step(f"case {command}", case.id, case.traceparent):
                if reopen:
                    case.reopen_by_office(reason, principal.actor, self.clock())
                else:
                    case.close_by_office(principal.actor, self.clock())
                uow.track(case)
                await uow.commit(answer=case.id.encode(), authority=OFFICE)
        return case

    # ---- the service's own loops ----

    async def expire_due_links(self) -> int:
        """Links past their time expire; a round that ends so closes. Returns how many."""
        now = self.clock()
        case_ids = await self.pool.fetch(
            """SELECT DISTINCT case_id::text FROM rating_links
                WHERE state = 'pending' AND expires_at <= $1 LIMIT 500""",
            now,
        )
        expired = 0
        for row in case_ids:
            async with self._uow() as uow:
                case = await uow.cases.get(row["case_id"], lock=True)
                with telemetry.case_step("rating expired", case.id, case.traceparent):
                    expired += len(case.expire_links(now))
                    uow.track(case)
                    await uow.commit()
        return expired

    async def send_queued_links(self) -> int:
        """Send every link not sent yet, case by case. Each case's links are held (row locks)
        while they are sent: a second replica skips them, and a process killed meanwhile
        leaves them queued, to be sent again under the same message id, which the gateway
        takes as the same message. Returns how many were delivered."""
        delivered = 0
        while True:
            async with self.pool.acquire() as conn, conn.transaction():
                rows = await conn.fetch(
                    """SELECT id::text, case_id::text, petition_id::text, expires_at, created_at,
                              (SELECT traceparent FROM cases c
                                WHERE c.case_id = rating_links.case_id) AS traceparent
                         FROM rating_links
                        WHERE delivery = 'queued' AND state = 'pending' AND send_after <= $1
                          AND case_id = (SELECT case_id FROM rating_links
                                          WHERE delivery = 'queued' AND state = 'pending'
                                            AND send_after <= $1
                                          ORDER BY send_after, created_at
                                          LIMIT 1 FOR UPDATE SKIP LOCKED)
                        FOR UPDATE SKIP LOCKED""",
                    self.clock(),
                )
                if not rows:
                    return delivered
                case_id = rows[0]["case_id"]
                with telemetry.case_step("rating links sent", case_id, rows[0]["traceparent"]):
                    delivered += await self._send_case_links(conn, rows)

    async def _send_case_links(self, conn: Connection, rows: list[asyncpg.Record]) -> int:
        try:
            phones = await self.contacts.phones(rows[0]["case_id"])
        except grpc.aio.AioRpcError as error:
            # Intake does not know the case (nothing to send, ever), has not yet heard that it
            # was completed (soon, while the links are young), or cannot answer now (later):
            # either way the next case's links need not wait behind these.
            gone = error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT)
            now = self.clock()
            not_yet = error.code() is grpc.StatusCode.FAILED_PRECONDITION and all(
                now - row["created_at"] < RESEND_AFTER for row in rows
            )
            log.warning("no contacts for a case's rating links: %s", error.code().name)
            await conn.executemany(
                "UPDATE rating_links SET delivery = $2, send_after = $3 WHERE id = $1",
                [
                    (
                        row["id"],
                        (Delivery.FAILED if gone else Delivery.QUEUED).value,
                        now + (ASK_AGAIN_SOON if not_yet else RESEND_AFTER),
                    )
                    for row in rows
                ],
            )
            return 0
        delivered = 0
        for row in rows:
            phone = phones.get(row["petition_id"])
            status = Delivery.FAILED  # no phone to send to, or the gateway refused it
            if phone:
                result = await self.notifier.send(
                    SmsMessage(row["id"], phone, self._sms_text(row["id"], row["expires_at"]))
                )
                await conn.executemany(
                    """INSERT INTO sms_attempts (link_id, attempt, at, status_code, error)
                       VALUES ($1, $2, $3, $4, $5)""",
                    [(row["id"], a.number, a.at, a.status_code, a.error) for a in result.attempts],
                )
                if result.delivered:
                    status, delivered = Delivery.SENT, delivered + 1
                elif not result.refused:
                    status = Delivery.QUEUED  # the gateway is away: later, same message id
            await conn.execute(
                "UPDATE rating_links SET delivery = $2, send_after = $3 WHERE id = $1",
                row["id"],
                status.value,
                self.clock() + RESEND_AFTER,
            )
        return delivered

    def _sms_text(self, link_id: str, expires_at: datetime) -> str:
        url = f"{self.rating_url}/r/{self.tokens.token_for(link_id)}"
        until = expires_at.astimezone(SHANGHAI).strftime("%m月%d日")
        return f"【都江堰民生服务】您反映的问题已办结，请为办理结果评分：{url} （{until}前有效）"


def _hash_of(token: str) -> bytes:
    """What a token is looked up by; a string no link's token could be is refused first."""
    if not looks_like_token(token):
        raise NotFound(INVALID_LINK)
    return token_hash(token)


def _check_case_of_token(token_case_id: str, shown_case_id: str) -> None:
    if shown_case_id and token_case_id != shown_case_id:
        description = f"this link is not one of case {shown_case_id}"
        raise FailedPrecondition(description, [FieldViolation("token", description)])


def _found(link: T | None) -> T:
    if link is None:
        raise NotFound(INVALID_LINK)
    return link


def _rating_request(link_id: str, score: int, comment: str) -> CommandRequest:
    """A rating's key: the link is the credential, and its key space (one rating per link)."""
    request = CommandRequest.of(
        f"link:{link_id}", "rating", "SubmitRating", orjson.dumps([score, comment])
    )
    assert request is not None
    return request


def _submitted_answer(s: Submitted) -> bytes:
    r = s.rating
    return orjson.dumps(
        {
            "rating": {**r.__dict__, "rated_at": r.rated_at.isoformat()},
            "outcome": s.outcome.value,
            "case_state": s.case_state.value,
        }
    )


def _submitted_from(data: dict[str, Any]) -> Submitted:
    rating = {**data["rating"], "rated_at": datetime.fromisoformat(data["rating"]["rated_at"])}
    return Submitted(Rating(**rating), Outcome(data["outcome"]), CaseState(data["case_state"]))
