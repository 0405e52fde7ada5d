"""How a case is stored in dispatch: its repository and unit of work.

A case's dispatch state is one row in ``cases`` plus its assignments (one per round), the
handling form entries, extension requests and escalations. Committing the unit of work (the
platform's) writes the changed case, one history row and one outbox row per domain event, and
the command's answer, in one transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from civicloop.dispatch.domain import model
from civicloop.dispatch.domain.deadlines import Rung
from civicloop.platform import unit_of_work
from civicloop.platform.domain import Actor, CaseList, Urgency
from civicloop.platform.errors import NotFound
from civicloop.platform.inbox import INBOX_CLAIM
from civicloop.platform.outbox import OUTBOX_INSERT
from civicloop.platform.protobuf import parse_uuid
from civicloop.platform.unit_of_work import HISTORY_INSERT, EventMapper, stage

SOURCE = "dispatch"


def _attachments(raw: Any) -> tuple[model.Attachment, ...]:
    items = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    return tuple(model.Attachment(a["url"], a["sha256"], a.get("media_type", "")) for a in items)


def _attachments_json(items: tuple[model.Attachment, ...]) -> str:
    return orjson.dumps([a.__dict__ for a in items]).decode()


def assignment_from_row(r: asyncpg.Record) -> model.Assignment:
    return model.Assignment(
        id=str(r["id"]),
        department_code=r["department_code"],
        assisting=tuple(r["assisting"]),
        round=r["round"],
        automatic=r["automatic"],
        state=model.AssignmentState(r["state"]),
        dispatched_at=r["dispatched_at"],
        dispatched_by=Actor(r["dispatched_by"], r["dispatched_role"]),
        accept_due_at=r["accept_due_at"],
        note=r["note"],
        complete_due_at=r["complete_due_at"],
        accepted_at=r["accepted_at"],
        completed_at=r["completed_at"],
        ended_at=r["ended_at"],
        progress_percent=r["progress_percent"],
        result_summary=r["result_summary"],
        result_attachments=_attachments(r["result_attachments"]),
        return_reason_code=r["return_reason_code"],
        return_reason_text=r["return_reason_text"],
        escalation_rung=Rung(r["escalation_rung"]) if r["escalation_rung"] else None,
        approved_extensions=r["approved_extensions"],
    )


def _extension_values(case_id: str, x: model.Extension) -> tuple[Any, ...]:
    """An extension as the row save() writes (the id first)."""
    return (
        x.id,
        case_id,
        x.assignment_id,
        x.state.value,
        x.previous_due_at,
        x.requested_due_at,
        x.reason,
        x.requested_at,
        x.requested_by.subject,
        x.granted_due_at,
        x.note,
        x.decided_at,
        x.decided_by.subject if x.decided_by else None,
    )


def extension_from_row(r: asyncpg.Record) -> model.Extension:
    return model.Extension(
        id=str(r["id"]),
        assignment_id=str(r["assignment_id"]),
        previous_due_at=r["previous_due_at"],
        requested_due_at=r["requested_due_at"],
        reason=r["reason"],
        requested_at=r["requested_at"],
        # Extensions keep who asked and who decided, not their roles.
        requested_by=Actor(r["requested_by"], ""),
        state=model.ExtensionState(r["state"]),
        granted_due_at=r["granted_due_at"],
        note=r["note"],
        decided_at=r["decided_at"],
        decided_by=Actor(r["decided_by"], "") if r["decided_by"] else None,
    )


def entry_from_row(r: asyncpg.Record) -> model.HandlingEntry:
    return model.HandlingEntry(
        id=str(r["id"]),
        measures_taken=r["measures_taken"],
        progress_percent=r["progress_percent"],
        expected_completion_at=r["expected_completion_at"],
        attachments=_attachments(r["attachments"]),
        at=r["at"],
        actor=Actor(r["actor"], ""),
    )


def escalation_from_row(r: asyncpg.Record) -> model.Escalation:
    return model.Escalation(
        id=str(r["id"]),
        case_id=str(r["case_id"]),
        assignment_id=str(r["assignment_id"]),
        department_code=r["department_code"],
        community_code=r["community_code"],
        rung=Rung(r["rung"]),
        deadline=r["deadline"],
        due_at=r["due_at"],
        escalated_at=r["escalated_at"],
    )


def case_from_row(row: asyncpg.Record) -> model.CaseDispatch:
    return model.CaseDispatch(
        case_id=str(row["case_id"]),
        version=row["version"],
        community_code=row["community_code"],
        category_code=row["category_code"],
        case_list=CaseList(row["case_list"]),
        urgency=Urgency(row["urgency"]),
        summary=row["summary"],
        traceparent=row["traceparent"],
        state=model.AssignmentState(row["state"]),
        awaiting_reason=row["awaiting_reason"],
        return_count=row["return_count"],
        reopen_count=row["reopen_count"],
        rounds=row["rounds"],
        fallback_department_code=row["fallback_department_code"],
        updated_at=row["updated_at"],
    )


class CaseRepository:
    def __init__(self, conn: Any) -> None:
        self.conn = conn
        # The extension rows as loaded, so that save() writes only the ones a command changed.
        self._loaded_extensions: dict[str, tuple[Any, ...]] = {}

    async def get(self, case_id: str, *, lock: bool = False) -> model.CaseDispatch:
        """The case with its current round and that round's extension requests."""
        case = await self._load(case_id, " FOR UPDATE" if lock else "")
        if case is None:
            raise NotFound(f"case {case_id} is not known to dispatch")
        return case

    async def get_unless_locked(self, case_id: str) -> model.CaseDispatch | None:
        """The case, locked for this transaction; None while another transaction (another
        replica's scan, a clerk's command) holds it, or when it is gone."""
        return await self._load(case_id, " FOR UPDATE SKIP LOCKED")

    async def _load(self, case_id: str, locking: str) -> model.CaseDispatch | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM cases WHERE case_id = $1::uuid" + locking,
            parse_uuid(case_id, "case_id"),
        )
        if row is None:
            return None
        case = case_from_row(row)
        if row["current_assignment_id"] is not None:
            current = await self.conn.fetchrow(
                "SELECT * FROM assignments WHERE id = $1", row["current_assignment_id"]
            )
            case.current = assignment_from_row(current)
            case.extensions = [
                extension_from_row(r)
                for r in await self.conn.fetch(
                    "SELECT * FROM extensions WHERE assignment_id = $1 ORDER BY requested_at",
                    row["current_assignment_id"],
                )
            ]
            for extension in case.extensions:
                self._loaded_extensions[extension.id] = _extension_values(case.case_id, extension)
        return case

    async def latest_entries(self, assignment_ids: list[str]) -> dict[str, model.HandlingEntry]:
        """The newest handling-form entry of each assignment that has one: one query."""
        rows = await self.conn.fetch(
            """SELECT DISTINCT ON (assignment_id) * FROM handling_entries
                WHERE assignment_id = ANY($1::uuid[]) ORDER BY assignment_id, at DESC""",
            assignment_ids,
        )
        return {str(r["assignment_id"]): entry_from_row(r) for r in rows}

    async def overdue(self, now: datetime, limit: int = 500) -> list[str]:
        """Cases whose current assignment has a 督办 rung due, earliest first."""
        rows = await self.conn.fetch(
            """SELECT c.case_id::text FROM assignments a
                 JOIN cases c ON c.current_assignment_id = a.id
                WHERE a.next_escalation_at <= $1
                ORDER BY a.next_escalation_at LIMIT $2""",
            now,
            limit,
        )
        return [r["case_id"] for r in rows]

    async def save(self, case: model.CaseDispatch) -> None:
        """Write the changes of a known case (a new one is written by ROUTED_CASE): the case
        row, the rounds it changed or ended, its new handling-form entries, the extension
        requests it changed and the 督办 rungs it climbed."""
        await self.conn.execute(
            """UPDATE cases SET version = $2, state = $3, awaiting_reason = $4,
                   current_assignment_id = $5, return_count = $6, reopen_count = $7,
                   rounds = $8, fallback_department_code = $9, updated_at = $10,
                   urgency = $11
                WHERE case_id = $1""",
            case.case_id,
            case.version,
            case.state.value,
            case.awaiting_reason,
            case.current.id if case.current else None,
            case.return_count,
            case.reopen_count,
            case.rounds,
            case.fallback_department_code,
            case.updated_at,
            case.urgency.value,
        )
        # After the case row: assignments reference it.
        for assignment in [*case.ended, *([case.current] if case.current else [])]:
            await self._upsert_assignment(case.case_id, assignment)
        for entry in case.entries:
            assert case.current is not None
            await self.conn.execute(
                """INSERT INTO handling_entries (id, case_id, assignment_id, measures_taken,
                       progress_percent, expected_completion_at, attachments, at, actor)
                   VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)""",
                entry.id,
                case.case_id,
                case.current.id,
                entry.measures_taken,
                entry.progress_percent,
                entry.expected_completion_at,
                _attachments_json(entry.attachments),
                entry.at,
                entry.actor.subject,
            )
        changed = [
            values
            for values in (_extension_values(case.case_id, x) for x in case.extensions)
            if self._loaded_extensions.get(values[0]) != values
        ]
        if changed:
            await self.conn.executemany(
                """INSERT INTO extensions (id, case_id, assignment_id, state, previous_due_at,
                       requested_due_at, reason, requested_at, requested_by, granted_due_at,
                       note, decided_at, decided_by)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                   ON CONFLICT (id) DO UPDATE SET state = $4, granted_due_at = $10, note = $11,
                       decided_at = $12, decided_by = $13""",
                changed,
            )
        for event in case.events:
            if isinstance(event, model.CaseEscalated):
                await self.conn.execute(
                    """INSERT INTO escalations (id, case_id, assignment_id, department_code,
                           community_code, rung, deadline, due_at, escalated_at)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
                    str(uuid.uuid4()),
                    case.case_id,
                    event.assignment.id,
                    event.assignment.department_code,
                    case.community_code,
                    event.rung.value,
                    event.deadline,
                    event.due_at,
                    event.at,
                )
        # Written: what the next save of this case must not write again.
        case.entries.clear()
        case.ended.clear()

    async def _upsert_assignment(self, case_id: str, a: model.Assignment) -> None:
        await self.conn.execute(
            """INSERT INTO assignments (id, case_id, department_code, assisting, round,
                   automatic, state, note, dispatched_at, dispatched_by, dispatched_role,
                   accept_due_at, complete_due_at, accepted_at, completed_at, ended_at,
                   progress_percent, result_summary, result_attachments, return_reason_code,
                   return_reason_text, escalation_rung, approved_extensions,
                   next_escalation_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                       $17, $18, $19::jsonb, $20, $21, $22, $23, $24)
               ON CONFLICT (id) DO UPDATE SET state = $7, complete_due_at = $13,
                   accepted_at = $14, completed_at = $15, ended_at = $16,
                   progress_percent = $17, result_summary = $18, result_attachments = $19::jsonb,
                   return_reason_code = $20, return_reason_text = $21, escalation_rung = $22,
                   approved_extensions = $23, next_escalation_at = $24""",
            a.id,
            case_id,
            a.department_code,
            list(a.assisting),
            a.round,
            a.automatic,
            a.state.value,
            a.note,
            a.dispatched_at,
            a.dispatched_by.subject,
            a.dispatched_by.role,
            a.accept_due_at,
            a.complete_due_at,
            a.accepted_at,
            a.completed_at,
            a.ended_at,
            a.progress_percent,
            a.result_summary,
            _attachments_json(a.result_attachments),
            a.return_reason_code,
            a.return_reason_text,
            a.escalation_rung.value if a.escalation_rung else None,
            a.approved_extensions,
            a.next_escalation_at(),
        )


class UnitOfWork(unit_of_work.UnitOfWork[model.CaseDispatch]):
    """One use case of dispatch: the cases it changed, their history and outbox rows and the
    command's answer commit together."""

    source = SOURCE

    def open_repositories(self) -> None:
        self.cases = CaseRepository(self.conn)

    async def save(self, aggregate: model.CaseDispatch) -> None:
        # The repository that loaded the case: it knows which rows a command left as they were.
        await self.cases.save(aggregate)


# Claims the case.opened event and writes the case routed on arrival, its assignment, history
# and outbox row: ONE statement, no transaction around it. Routing every opened case is
# dispatch's hot path, so instead of a transaction of seven statements the writes go as
# data-modifying CTEs of one, which is atomic by itself, and many such statements commit
# together (GroupCommit). The inbox claim comes first (``INBOX_CLAIM``): a redelivered event
# writes nothing, and so does the same case opened again under another event id.
ROUTED_CASE = f"""
    WITH {INBOX_CLAIM},
    new_case AS (
        INSERT INTO cases (case_id, version, community_code, category_code, case_list,
                           urgency, summary, traceparent, state, awaiting_reason,
                           current_assignment_id, rounds, fallback_department_code,
                           opened_at, updated_at)
        SELECT $3::uuid, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::uuid, $14, $15, $16,
               $16 FROM claim
        ON CONFLICT (case_id) DO NOTHING
        RETURNING case_id),
    assignment AS (
        INSERT INTO assignments (id, case_id, department_code, assisting, round, automatic,
                                 state, note, dispatched_at, dispatched_by, dispatched_role,
                                 accept_due_at, next_escalation_at)
        SELECT $13::uuid, case_id, $17, $18, $14, true, $11, '', $16, $19, $19, $20, $26
          FROM new_case WHERE $13::uuid IS NOT NULL),
    history_row AS (
        {HISTORY_INSERT}
        SELECT '{model.CaseDispatch.aggregate_type}', case_id::text, $4, $11, $21, $22, $19, $19,
               $16
          FROM new_case),
    outbox_row AS (
        {OUTBOX_INSERT}
        SELECT $22::uuid, $21, $23, $3, $16, $24, $25::jsonb FROM new_case)
    SELECT count(*) FROM new_case
"""


def routed_case_row(
    case: model.CaseDispatch,
    to_message: EventMapper[model.CaseDispatch],
    now: datetime,
    opened_event: tuple[str, str],
) -> tuple[Any, ...]:
    """The arguments of ``ROUTED_CASE`` for a case just routed (its one event staged)."""
    (envelope,), (history,) = stage(SOURCE, case, to_message)
    a = case.current
    return (
        opened_event[0],
        opened_event[1],
        case.case_id,
        case.version,
        case.community_code,
        case.category_code,
        case.case_list.value,
        case.urgency.value,
        case.summary,
        case.traceparent,
        case.state.value,
        case.awaiting_reason,
        a.id if a else None,
        case.rounds,
        case.fallback_department_code,
        now,
        a.department_code if a else "",
        list(a.assisting) if a else [],
        history.actor,
        a.accept_due_at if a else now,
        envelope.type,
        envelope.id,
        envelope.source,
        envelope.data,
        orjson.dumps(envelope.trace_headers).decode(),
        a.next_escalation_at() if a else None,
    )
