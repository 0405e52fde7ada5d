"""Dispatch's use cases: one handler per command or event. gRPC and the bus only translate.

Every command runs the same way, in one unit of work: its request id is claimed first (a
repeat gets the first answer, if its caller still holds the role the first was authorized
under); then the case is loaded and locked, its version checked (the platform's one rule),
the caller's right to act checked (首接负责制: the lead department, or the office), the
transition made, and the answer kept with the change. The answer is rendered by the edge
(``render``), so a repeat gets the very bytes the first request got.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
from opentelemetry import trace

from civicloop.dispatch import messages
from civicloop.dispatch.commands import (
    Accept,
    CaseCommand,
    Complete,
    DecideExtension,
    Dispatch,
    RequestExtension,
    Return,
    UpdateDutyRule,
    UpdateProgress,
)
from civicloop.dispatch.domain import rules
from civicloop.dispatch.domain.catalogue import DutyRule
from civicloop.dispatch.domain.model import CaseDispatch, Clockwork, Extension, Limits
from civicloop.dispatch.queries import AssignmentView
from civicloop.dispatch.store import catalogue as catalogue_store
from civicloop.dispatch.store.catalogue import CatalogueCache
from civicloop.dispatch.store.repository import (
    ROUTED_CASE,
    CaseRepository,
    UnitOfWork,
    routed_case_row,
)
from civicloop.platform import telemetry
from civicloop.platform.auth import OFFICE, Principal, department
from civicloop.platform.batching import GroupCommit
from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.db import Connection
from civicloop.platform.domain import Actor, check_version
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.errors import Violations
from civicloop.platform.inbox import claims_inbox
from civicloop.platform.logs import current_case_id
from civicloop.platform.unit_of_work import record
from civicloop.reference.catalogue import categories, communities

T = TypeVar("T")

# The edge's rendering of a command's result: the bytes kept as its answer.
Render = Callable[[T], bytes]


@dataclass(frozen=True)
class ReturnOutcome:
    """退单's answer: the round as it ended, the next one (None: the office decides)."""

    returned: AssignmentView
    next: AssignmentView | None
    return_count: int


@dataclass(frozen=True)
class ExtensionOutcome:
    """延期's answer: the request as it now stands, and the round it belongs to."""

    extension: Extension
    view: AssignmentView


@dataclass(frozen=True)
class RuleChange:
    """The rule as written (None: removed) and the audit entry of the change."""

    rule: DutyRule | None
    change: dict[str, Any]


def lead_authority(case: CaseDispatch, principal: Principal) -> str:
    """首接负责制: the role a caller acts on the case under, the office or the lead
    department; a repeat of the request must come from a holder of the same role."""
    is_office = OFFICE in principal.roles
    case.require_lead(principal.departments, is_office)
    if is_office or case.current is None:
        return OFFICE
    return department(case.current.department_code)


@dataclass
class Dispatcher:
    pool: asyncpg.Pool
    catalogue: CatalogueCache
    clockwork: Clockwork
    limits: Limits
    reasons: dict[str, rules.ReturnReason]
    clock: Clock = system_clock

    def __post_init__(self) -> None:
        # Cases routed on arrival are written together: one round trip and one commit for
        # the events a consumer holds at once (see civicloop.platform.batching). Locks are
        # taken in event-id order (the inbox claim first), the same in every replica.
        self._routed_cases = GroupCommit(self.pool, ROUTED_CASE, lock_order=lambda row: row[0])

    def _unit_of_work(self, conn: Connection | None = None) -> UnitOfWork:
        if conn is not None:
            return UnitOfWork(messages.event_message, conn=conn)
        return UnitOfWork(messages.event_message, pool=self.pool)

    async def seed(self) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await catalogue_store.seed_if_empty(conn)

    # ---- the steps every command on a case shares ----

    @staticmethod
    async def _locked_case(uow: UnitOfWork, command: CaseCommand) -> CaseDispatch:
        """The case, locked until the command commits, at the version its caller last saw;
        tracked, so that the commit writes what the command changes."""
        case = await uow.cases.get(command.case_id, lock=True)
        check_version(f"case {case.case_id}", case.version, command.expected_version)
        uow.track(case)
        return case

    async def _lead_case(self, uow: UnitOfWork, command: CaseCommand) -> tuple[CaseDispatch, Actor]:
        """The locked case, for its lead department or the office, and the caller as it acts
        on it: under the role of the two it holds (what the case's history records)."""
        case = await self._locked_case(uow, command)
        return case, command.principal.acting(lead_authority(case, command.principal)).actor

    @staticmethod
    @contextmanager
    def _step(name: str, case: CaseDispatch) -> Iterator[None]:
        department = case.current.department_code if case.current else ""
        with telemetry.case_step(name, case.case_id, case.traceparent, department=department):
            yield

    @staticmethod
    async def _view(uow: UnitOfWork, case: CaseDispatch) -> AssignmentView:
        """The case's current round as a command answers it (the form is filled only once
        the round was accepted)."""
        current = case.current
        if current is None or current.accepted_at is None:
            return AssignmentView(case, current)
        latest = await uow.cases.latest_entries([current.id])
        return AssignmentView(case, current, latest.get(current.id))

    @staticmethod
    async def _answer(uow: UnitOfWork, answer: bytes, authority: str) -> bytes:
        """Commit the change with its answer, kept for repeats of the request id."""
        await uow.commit(answer=answer, authority=authority)
        return answer

    # ---- 派单 接单 退单 ----

    async def dispatch(self, command: Dispatch, render: Render[AssignmentView]) -> bytes:
        """派单 by hand: the office sends the case to a department of its choosing."""
        errors = Violations()
        note = rules.optional_text(errors, "note", command.note, 500)
        lead, assisting = rules.dispatch_departments(
            errors,
            await self.catalogue.get(),
            command.department_code,
            command.assisting_department_codes,
        )
        errors.raise_if_any()
        async with self._unit_of_work() as uow:
            if earlier := await uow.commands.claim(command.request):
                return earlier.replay_to(command.principal.roles)
            case = await self._locked_case(uow, command)
            with self._step("case dispatched", case):
                case.dispatch(
                    lead,
                    assisting,
                    note,
                    command.actor,
                    self.clockwork,
                    self.clock(),
                    command.urgency,
                )
                return await self._answer(uow, render(await self._view(uow, case)), OFFICE)

    async def accept(self, command: Accept, render: Render[AssignmentView]) -> bytes:
        """接单: the lead department takes the case on; the completion deadline starts."""
        async with self._unit_of_work() as uow:
            if earlier := await uow.commands.claim(command.request):
                return earlier.replay_to(command.principal.roles)
            case, actor = await self._lead_case(uow, command)
            with self._step("case accepted", case):
                case.accept(actor, self.clockwork, self.clock())
                return await self._answer(uow, render(await self._view(uow, case)), actor.role)

    async def return_case(self, command: Return, render: Render[ReturnOutcome]) -> bytes:
        """退单: the lead department gives the case back, saying why; the next candidate
        gets it, or the office past the return limit."""
        errors = Violations()
        rules.return_reason(errors, self.reasons, command.reason_code)
        text = rules.required_text(errors, "reason_text", command.reason_text, 500)
        errors.raise_if_any()
        async with self._unit_of_work() as uow:
            if earlier := await uow.commands.claim(command.request):
                return earlier.replay_to(command.principal.roles)
            case, actor = await self._lead_case(uow, command)
            with self._step("case returned", case):
                returned = case.return_case(
                    command.reason_code,
                    text,
                    actor,
                    self.limits,
                    self.clockwork,
                    self.clock(),
                )
                outcome = ReturnOutcome(
                    returned=AssignmentView(case, returned),
                    next=AssignmentView(case, case.current) if case.current else None,
                    return_count=case.return_count,
                )
                return await self._answer(uow, render(outcome), actor.role)

    # ---- 办单 ----

    async def update_progress(
        self, command: UpdateProgress, render: Render[AssignmentView]
    ) -> bytes:
        """A line of the handling form: what was done, how far along, with what evidence."""
        now = self.clock()
        errors = Violations()
        measures = rules.required_text(errors, "measures_taken", command.measures_taken, 2000)
        rules.progress(errors, command.progress_percent, command.expected_completion_at, now)
        attachments = rules.attachments(errors, command.attachments)
        regression = rules.optional_text(
            errors, "regression_reason", command.regression_reason, 500
        )
        errors.raise_if_any()
        async with self._unit_of_work() as uow:
            if earlier := await uow.commands.claim(command.request):
                return earlier.replay_to(command.principal.roles)
            case, actor = await self._lead_case(uow, command)
            with self._step("case progress updated", case):
                entry = case.update_progress(
                    measures,
                    command.progress_percent,
                    command.expected_completion_at,
                    attachments,
                    regression,
                    actor,
                    now,
                )
                view = AssignmentView(case, case.current, entry)
                return await self._answer(uow, render(view), actor.role)

    async def complete(self, command: Complete, render: Render[AssignmentView]) -> bytes:
        """办结: the lead department reports the result; the case goes to rating."""
        errors = Violations()
        summary = rules.required_text(errors, "result_summary", command.result_summary, 2000)
        attachments = rules.attachments(errors, command.attachments)
        errors.raise_if_any()
        async with self._unit_of_work() as uow:
            if earlier := await uow.commands.claim(command.request):
                return earlier.replay_to(command.principal.roles)
            case, actor = await self._lead_case(uow, command)
            with self._step("case completed", case):
                case.complete(summary, attachments, actor, self.clock())
                return await self._answer(uow, render(await self._view(uow, case)), actor.role)

    # ---- 延期 ----

    async def request_extension(
        self, command: RequestExtension, render: Render[ExtensionOutcome]
    ) -> bytes:
        """延期: the lead department asks the office for a later completion deadline."""
        errors = Violations()
        reason = rules.required_text(errors, "reason", command.reason, 500)
        if command.requested_due_at is None:
            errors.add("requested_due_at", "is required")
        errors.raise_if_any()
        assert command.requested_due_at is not None
        async with self._unit_of_work() as uow:
            if earlier := await uow.commands.claim(command.request):
                return earlier.replay_to(command.principal.roles)
            case, actor = await self._lead_case(uow, command)
            with self._step("case extension requested", case):
                extension = case.request_extension(
                    command.requested_due_at, reason, actor, self.limits, self.clock()
                )
                outcome = ExtensionOutcome(extension, await self._view(uow, case))
                return await self._answer(uow, render(outcome), actor.role)

    async def decide_extension(
        self, command: DecideExtension, render: Render[ExtensionOutcome]
    ) -> bytes:
        """The office approves an extension (the requested deadline, or one it grants) or
        rejects it."""
        errors = Violations()
        note = rules.optional_text(errors, "note", command.note, 500)
        errors.raise_if_any()
        async with self._unit_of_work() as uow:
            if earlier := await uow.commands.claim(command.request):
                return earlier.replay_to(command.principal.roles)
            case = await self._locked_case(uow, command)
            with self._step("case extension decided", case):
                extension = case.decide_extension(
                    command.extension_id,
                    command.approved,
                    command.granted_due_at,
                    note,
                    command.actor,
                    self.clock(),
                )
                outcome = ExtensionOutcome(extension, await self._view(uow, case))
                return await self._answer(uow, render(outcome), OFFICE)

    # ---- the duty catalogue ----

    async def update_duty_rule(self, command: UpdateDutyRule, render: Render[RuleChange]) -> bytes:
        """The office edits the catalogue; every edit is audited and announced."""
        errors = Violations()
        reason = rules.required_text(errors, "reason", command.reason, 500)
        if command.rule is not None:
            catalogue = await self.catalogue.get()
            rules.duty_rule(errors, catalogue, command.rule, categories(), communities())
        errors.raise_if_any()
        async with self._unit_of_work() as uow:
            if earlier := await uow.commands.claim(command.request):
                return earlier.replay_to(command.principal.roles)
            now = self.clock()
            written, change = await catalogue_store.write_rule(
                uow.conn,
                command.rule,
                command.rule_key,
                command.expected_version,
                reason,
                command.actor.subject,
                command.actor.role,
                now,
            )
            envelope = EventEnvelope.wrap(
                messages.catalogue_changed(change, written, command.actor, now),
                source=UnitOfWork.source,
                subject=f"catalogue:{change['catalogue_version']}",
                trace_headers=telemetry.inject(),
            )
            await record(uow.conn, [envelope], [])
            answer = await self._answer(uow, render(RuleChange(written, change)), OFFICE)
        self.catalogue.forget()  # our own edit: read it afresh at the next use
        return answer

    # ---- events from other services ----

    @claims_inbox
    async def on_case_opened(self, _pool: asyncpg.Pool, envelope: EventEnvelope) -> None:
        """派单 as soon as intake opens a case: by the catalogue, or to the office's queue."""
        # The consumer span runs in the case's trace; later steps continue from it.
        case = messages.opened_case(envelope.data, telemetry.current_traceparent())
        current_case_id.set(case.case_id)
        now = self.clock()
        case.route(await self.catalogue.get(), self.clockwork, now)
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

    async def on_case_reopened(self, conn: Connection, envelope: EventEnvelope) -> None:
        """Rating found the petitioner unsatisfied: the same department, a new round (the
        office past the reopen limit). Written in the inbox's transaction."""
        reopening = messages.reopening(envelope.data)
        async with self._unit_of_work(conn) as uow:
            case = await uow.cases.get(reopening.case_id, lock=True)
            with self._step("case reopened", case):
                # Rating's reopen took a version of its own: the next one follows it.
                case.version = max(case.version, reopening.case_version)
                case.reopen(
                    reopening.reopen_count,
                    self.limits,
                    self.clockwork,
                    self.clock(),
                    by_office=reopening.by_office,
                )
                uow.track(case)
                await uow.commit()

    # ---- 督办: the deadline scan ----

    async def escalate_overdue(self) -> int:
        """Climb the ladder for every overdue case; returns how many rungs were climbed."""
        now = self.clock()
        async with self.pool.acquire() as conn:
            candidates = await CaseRepository(conn).overdue(now)
        climbed = 0
        for case_id in candidates:
            async with self._unit_of_work() as uow:
                # A case someone else holds is skipped, not waited for: another replica's
                # scan is escalating it, or a clerk is acting on it; the next scan sees it.
                case = await uow.cases.get_unless_locked(case_id)
                if case is None or not case.escalate(now):
                    continue
                with self._step("case escalated", case):
                    uow.track(case)
                    await uow.commit()
                climbed += 1
        return climbed
