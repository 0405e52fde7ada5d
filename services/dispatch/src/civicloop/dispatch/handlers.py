"""Dispatch's use cases: one method per command or event. gRPC and the bus only translate."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import asyncpg
from opentelemetry import trace

from civicloop.dispatch import messages
from civicloop.dispatch.domain import rules
from civicloop.dispatch.domain.catalogue import DutyCatalogue, DutyRule
from civicloop.dispatch.domain.deadlines import Urgency
from civicloop.dispatch.domain.model import CaseDispatch, Clockwork, Limits
from civicloop.dispatch.store import catalogue as catalogue_store
from civicloop.dispatch.store.repository import (
    ROUTED_CASE,
    CaseRepository,
    UnitOfWork,
    routed_case_row,
    write_cases,
)
from civicloop.platform import telemetry
from civicloop.platform.auth import OFFICE, Principal
from civicloop.platform.batching import GroupCommit
from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.domain import Actor
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.errors import DomainError, InvalidArgument, Violations
from civicloop.platform.inbox import claims_inbox
from civicloop.platform.logs import current_case_id
from civicloop.platform.protobuf import actor_message, timestamp
from civicloop.platform.unit_of_work import record
from civicloop.reference.catalogue import categories, communities
from civicloop.v1 import events_pb2

log = logging.getLogger(__name__)

T = TypeVar("T")

OPENED = "civicloop.case.opened.v1"
REOPENED = "civicloop.case.reopened.v1"


class AlreadyExists(DomainError):
    grpc_code_name = "ALREADY_EXISTS"
    http_status = 409
    title = "Request id already used"


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.subject, principal.primary_role)


@dataclass
class Dispatcher:
    pool: asyncpg.Pool
    clockwork: Clockwork
    limits: Limits
    reasons: dict[str, rules.ReturnReason]
    clock: Clock = system_clock
    # The catalogue is read on every opened case; it is cached and re-read when its version
    # moves (checked at most every catalogue_ttl seconds, and at once after a local edit).
    catalogue_ttl: float = 2.0
    _catalogue: DutyCatalogue | None = None
    _checked_at: float = 0.0
    # Cases routed on arrival are written together: one round trip and one commit for the
    # events a consumer holds at once (see civicloop.platform.batching).
    _routed_cases: GroupCommit = field(init=False)

    def __post_init__(self) -> None:
        # Locks are taken in event-id order (the inbox claim first), the same in every replica.
        self._routed_cases = GroupCommit(self.pool, ROUTED_CASE, lock_order=lambda row: row[0])

    # ---- the catalogue ----

    async def catalogue(self, conn: Any | None = None) -> DutyCatalogue:
        """The duty catalogue, read through ``conn`` (or a pooled connection) when stale."""
        now = time.monotonic()
        if self._catalogue is None or now - self._checked_at > self.catalogue_ttl:
            # Marked checked before the reads: the events handled meanwhile use the cached
            # catalogue instead of each running the same version query.
            if self._catalogue is not None:
                self._checked_at = now
            if conn is None:
                async with self.pool.acquire() as own:
                    return await self._refresh_catalogue(own, now)
            return await self._refresh_catalogue(conn, now)
        return self._catalogue

    async def _refresh_catalogue(self, conn: Any, now: float) -> DutyCatalogue:
        version = await catalogue_store.current_version(conn)
        if self._catalogue is None or self._catalogue.version != version:
            self._catalogue = await catalogue_store.load(conn)
        self._checked_at = now
        return self._catalogue

    async def seed(self) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await catalogue_store.seed_if_empty(conn)

    # ---- events from other services ----

    @claims_inbox
    async def on_case_opened(self, _pool: asyncpg.Pool, envelope: EventEnvelope) -> None:
        """派单 as soon as intake opens a case: by the catalogue, or to the office's queue."""
        event = events_pb2.CaseOpened.FromString(envelope.data)
        current_case_id.set(event.case_id)
        case = CaseDispatch(
            case_id=event.case_id,
            version=event.case_version,
            community_code=event.community_code,
            category_code=event.category_code,
            case_list=messages.LIST_FROM_PB.get(event.list, "practical_matters"),
            urgency=messages.URGENCY_FROM_PB.get(event.urgency, Urgency.GENERAL),
            summary=event.summary,
            # The consumer span runs in the case's trace; later steps continue from it.
            traceparent=telemetry.current_traceparent(),
        )
        now = self.clock()
        case.route(await self.catalogue(), self.clockwork, now)
        if case.current:
            # The consumer span is already the case's own (intake opened the trace): the
            # routing is recorded on it rather than in a span of its own, one fewer per case.
            trace.get_current_span().set_attribute(
                telemetry.DEPARTMENT, case.current.department_code
            )
        # Nothing is written for a case already known (opened again under another id).
        await self._routed_cases.execute(
            routed_case_row(case, messages.event_message, now, (envelope.id, envelope.type))
        )

    async def on_case_reopened(self, conn: Any, envelope: EventEnvelope) -> None:
        event = events_pb2.CaseReopened.FromString(envelope.data)
        cases = CaseRepository(conn)
        case = await cases.get(event.case_id, lock=True, latest_entry=False)  # no reply to render
        now = self.clock()
        with telemetry.case_span(
            "case reopened", case.traceparent, attributes={telemetry.CASE_ID: case.case_id}
        ):
            case.version = max(case.version, event.case_version)
            case.reopen(event.reopen_count, self.limits, self.clockwork, now)
            envelopes, history = await write_cases(cases, [case], messages.event_message, now)
            await record(conn, envelopes, history)

    # ---- commands ----

    async def execute(
        self,
        name: str,
        case_id: str,
        expected_version: int,
        principal: Principal,
        request_id: str,
        request_fingerprint: bytes,
        change: Callable[[CaseDispatch, DutyCatalogue, datetime], T],
        render: Callable[[CaseDispatch, T], bytes],
        *,
        lead_only: bool = True,
    ) -> bytes:
        """Run one command on one case: idempotent by request_id, version-checked, the lead
        department only (or the office), one transaction, the answer kept for repeats."""
        if len(request_id) > 128:  # checked here, once for every command
            raise InvalidArgument.of("request_id", "at most 128 characters")
        request_hash = hashlib.sha256(name.encode() + b"|" + request_fingerprint).digest()
        async with UnitOfWork(self.pool, messages.event_message) as uow:
            # The case lock first: a retried command racing its first attempt waits here,
            # then finds the first attempt's answer below.
            case = await uow.cases.get(case_id, lock=True)
            if request_id:
                earlier = await uow.conn.fetchrow(
                    "SELECT request_hash, response FROM command_requests WHERE request_id = $1",
                    request_id,
                )
                if earlier is not None:
                    if bytes(earlier["request_hash"]) != request_hash:
                        raise AlreadyExists(
                            f"request_id {request_id!r} was used for another request"
                        )
                    return bytes(earlier["response"])
            current_case_id.set(case.case_id)
            case.check_version(expected_version)
            if lead_only:
                case.require_lead(principal.departments, OFFICE in principal.roles)
            now = self.clock()
            catalogue = await self.catalogue(uow.conn)
            with telemetry.case_span(
                f"case {name}",
                case.traceparent,
                attributes={
                    telemetry.CASE_ID: case.case_id,
                    telemetry.DEPARTMENT: case.current.department_code if case.current else "",
                },
            ):
                result = change(case, catalogue, now)
                response = render(case, result)
                uow.track(case)
                if request_id:
                    await uow.conn.execute(
                        """INSERT INTO command_requests (request_id, command, request_hash,
                               response) VALUES ($1, $2, $3, $4)""",
                        request_id,
                        name,
                        request_hash,
                        response,
                    )
                await uow.commit(now)
        return response

    # ---- reads ----

    # ---- 督办: the deadline scan ----

    async def escalate_overdue(self) -> int:
        """Climb the ladder for every overdue case; returns how many rungs were climbed."""
        now = self.clock()
        async with self.pool.acquire() as conn:
            candidates = await CaseRepository(conn).overdue(now)
        climbed = 0
        for case_id in candidates:
            async with UnitOfWork(self.pool, messages.event_message) as uow:
                # A case someone else holds is skipped, not waited for: another replica's
                # scan is escalating it, or a clerk is acting on it; the next scan sees it.
                case = await uow.cases.get_unless_locked(case_id)
                if case is None or not case.escalate(now):
                    continue
                with telemetry.case_span(
                    "case escalated", case.traceparent, attributes={telemetry.CASE_ID: case.case_id}
                ):
                    uow.track(case)
                    await uow.commit(now)
                climbed += 1
        return climbed

    # ---- the duty catalogue ----

    async def update_rule(
        self,
        rule: DutyRule | None,
        key: tuple[str, str],
        expected_version: int,
        reason: str,
        principal: Principal,
    ) -> tuple[DutyRule | None, dict[str, Any]]:
        errors = Violations()
        reason = rules.required_text(errors, "reason", reason, 500)
        async with self.pool.acquire() as conn:
            catalogue = await self.catalogue(conn)
        if rule is not None:
            if rule.category_code not in categories():
                errors.add("rule.category_code", f"unknown category {rule.category_code!r}")
            if rule.community_code and rule.community_code not in communities():
                errors.add("rule.community_code", f"unknown community {rule.community_code!r}")
            rules.departments(
                errors, catalogue, "rule.lead_department_code", [rule.lead_department_code]
            )
            rules.departments(
                errors,
                catalogue,
                "rule.assisting_department_codes",
                rule.assisting_department_codes,
            )
            if rule.lead_department_code in rule.assisting_department_codes:
                errors.add("rule.assisting_department_codes", "must not name the lead")
            if rule.fallback_department_code:
                rules.departments(
                    errors,
                    catalogue,
                    "rule.fallback_department_code",
                    [rule.fallback_department_code],
                )
        errors.raise_if_any()
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            written, change = await catalogue_store.write_rule(
                conn,
                rule,
                key,
                expected_version,
                reason,
                principal.subject,
                principal.primary_role,
                now,
            )
            envelope = EventEnvelope.wrap(
                events_pb2.DutyCatalogueChanged(
                    catalogue_version=change["catalogue_version"],
                    category_code=key[0],
                    community_code=key[1],
                    lead_department_code=written.lead_department_code if written else "",
                    assisting_department_codes=list(written.assisting_department_codes)
                    if written
                    else [],
                    note=reason,
                    changed_at=timestamp(now),
                    changed_by=actor_message(actor_of(principal)),
                ),
                source="dispatch",
                subject=f"catalogue:{change['catalogue_version']}",
                trace_headers=telemetry.inject(),
            )
            await record(conn, [envelope], [])
        self._catalogue = None  # our own edit: read it afresh at the next use
        return written, change
