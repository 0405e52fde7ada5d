"""Repositories for cases and petitions and the unit of work around one transaction.

Committing the unit of work writes the changed aggregates, one history row and one outbox
row per domain event, all in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

import asyncpg
import orjson
from google.protobuf.message import Message

from civicloop.intake.domain.model import (
    Case,
    CaseState,
    Channel,
    DomainEvent,
    Location,
    Petition,
)
from civicloop.intake.domain.similarity import Candidate
from civicloop.intake.domain.wording import PetitionText, segment
from civicloop.platform.commands import COMMAND_CLAIM, CommandRequest
from civicloop.platform.db import Connection
from civicloop.platform.domain import Actor, CaseList, Urgency
from civicloop.platform.errors import NotFound
from civicloop.platform.outbox import OUTBOX_INSERT
from civicloop.platform.paging import Keyset, PageRequest
from civicloop.platform.protobuf import parse_uuid
from civicloop.platform.unit_of_work import HISTORY_INSERT, HistoryRow, UnitOfWork, stage

SOURCE = "intake"

_CASE_COLUMNS = """id, state, version, community_code, category_code, latitude, longitude, list,
    urgency, summary, merged_into, traceparent, department_code, created_at, updated_at,
    ARRAY(SELECT p.id::text FROM petitions p WHERE p.case_id = cases.id
          ORDER BY p.submitted_at, p.id) AS petition_ids"""

_PETITION_COLUMNS = """id, case_id, channel, community_code, category_code, latitude, longitude,
    description, submitted_by, submitted_role, submitted_at, resolved_on_site"""


def _location(row: asyncpg.Record) -> Location | None:
    if row["latitude"] is None:
        return None
    return Location(row["latitude"], row["longitude"])


def case_from_row(row: asyncpg.Record) -> Case:
    return Case(
        id=str(row["id"]),
        state=CaseState(row["state"]),
        version=row["version"],
        petition_ids=list(row["petition_ids"]),
        community_code=row["community_code"],
        category_code=row["category_code"],
        location=_location(row),
        case_list=CaseList(row["list"]) if row["list"] else None,
        urgency=Urgency(row["urgency"]) if row["urgency"] else None,
        summary=row["summary"],
        merged_into=str(row["merged_into"]) if row["merged_into"] else None,
        traceparent=row["traceparent"],
        department_code=row["department_code"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def petition_from_row(row: asyncpg.Record) -> Petition:
    return Petition(
        id=str(row["id"]),
        case_id=str(row["case_id"]),
        channel=Channel(row["channel"]),
        community_code=row["community_code"],
        category_code=row["category_code"],
        location=_location(row),
        description=row["description"],
        submitted_at=row["submitted_at"],
        submitted_by=Actor(row["submitted_by"], row["submitted_role"]),
        resolved_on_site=row["resolved_on_site"],
    )


# Newest first: cases by when they were created, petitions by when they were filed.
CASES = Keyset("cases", ("timestamp", "uuid"))
PETITIONS = Keyset("petitions", ("timestamp", "uuid"))


class CaseRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, case_id: str, *, lock: bool = False) -> Case:
        row = await self.conn.fetchrow(
            f"SELECT {_CASE_COLUMNS} FROM cases WHERE id = $1::uuid"
            + (" FOR UPDATE" if lock else ""),
            parse_uuid(case_id, "case_id"),
        )
        if row is None:
            raise NotFound(f"case {case_id} not found")
        return case_from_row(row)

    async def leads(self, case_id: str) -> set[str]:
        """The departments that lead or led the case, in any round."""
        rows = await self.conn.fetch(
            "SELECT department_code FROM case_leads WHERE case_id = $1::uuid", case_id
        )
        return {r["department_code"] for r in rows}

    async def add_lead(self, case_id: str, department_code: str) -> None:
        await self.conn.execute(
            "INSERT INTO case_leads (case_id, department_code) VALUES ($1::uuid, $2)"
            " ON CONFLICT DO NOTHING",
            case_id,
            department_code,
        )

    async def many(self, case_ids: list[str]) -> dict[str, Case]:
        """Cases by id, in one query (for lists)."""
        rows = await self.conn.fetch(
            f"SELECT {_CASE_COLUMNS} FROM cases WHERE id = ANY($1::uuid[])", case_ids
        )
        return {str(r["id"]): case_from_row(r) for r in rows}

    async def search(
        self,
        *,
        state: str | None,
        community: str | None,
        category: str | None,
        page: PageRequest,
    ) -> tuple[list[Case], str]:
        where = _Where(state=state, community_code=community, category_code=category)
        if page.after:
            where.add("(created_at, id) < (?, ?::uuid)", *page.after)
        limit = where.arg(page.limit)
        rows = await self.conn.fetch(
            f"SELECT {_CASE_COLUMNS} FROM cases{where.sql}"
            f" ORDER BY created_at DESC, id DESC LIMIT {limit}",
            *where.args,
        )
        return CASES.page([case_from_row(r) for r in rows], page, lambda c: (c.created_at, c.id))


async def record_contact_read(
    conn: Connection,
    case_id: str | None,
    reader: Actor,
    at: datetime,
    outcome: str,
    contacts: int,
) -> None:
    """One call for a case's petitioner contacts: who, as what, when, which case, told what."""
    await conn.execute(
        """INSERT INTO contact_reads (case_id, caller, role, at, outcome, contacts)
           VALUES ($1::uuid, $2, $3, $4, $5, $6)""",
        case_id,
        reader.subject,
        reader.role,
        at,
        outcome,
        contacts,
    )


class PetitionRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, petition_id: str, *, lock: bool = False) -> Petition:
        row = await self.conn.fetchrow(
            f"SELECT {_PETITION_COLUMNS} FROM petitions WHERE id = $1::uuid"
            + (" FOR UPDATE" if lock else ""),
            parse_uuid(petition_id, "petition_id"),
        )
        if row is None:
            raise NotFound(f"petition {petition_id} not found")
        return petition_from_row(row)

    async def mark_resolved_on_site(self, case_id: str) -> None:
        await self.conn.execute(
            "UPDATE petitions SET resolved_on_site = true WHERE case_id = $1::uuid", case_id
        )

    async def sealed_contacts(self, case_id: str) -> list[tuple[str, bytes]]:
        rows = await self.conn.fetch(
            "SELECT id::text, petitioner_sealed FROM petitions WHERE case_id = $1::uuid"
            " ORDER BY submitted_at, id",
            parse_uuid(case_id, "case_id"),
        )
        return [(r["id"], bytes(r["petitioner_sealed"])) for r in rows]

    async def search(
        self,
        *,
        community: str | None,
        category: str | None,
        case_id: str | None,
        page: PageRequest,
        since: datetime | None = None,
        until: datetime | None = None,
        ids: list[str] | None = None,
        categories: list[str] | None = None,
        case_states: list[str] | None = None,
    ) -> tuple[list[Petition], str]:
        where = _Where(community_code=community, category_code=category)
        if categories:
            where.add("category_code = ANY(?::text[])", categories)
        if case_states:
            where.add("case_id IN (SELECT id FROM cases WHERE state = ANY(?))", case_states)
        if case_id:
            where.add("case_id = ?::uuid", parse_uuid(case_id, "case_id"))
        if since:
            where.add("submitted_at >= ?", since)
        if until:
            where.add("submitted_at <= ?", until)
        if ids is not None:
            where.add("id = ANY(?::uuid[])", [parse_uuid(i, "petition_id") for i in ids])
        if page.after:
            where.add("(submitted_at, id) < (?, ?::uuid)", *page.after)
        limit = where.arg(page.limit)
        rows = await self.conn.fetch(
            f"SELECT {_PETITION_COLUMNS} FROM petitions{where.sql}"
            f" ORDER BY submitted_at DESC, id DESC LIMIT {limit}",
            *where.args,
        )
        return PETITIONS.page(
            [petition_from_row(r) for r in rows], page, lambda p: (p.submitted_at, p.id)
        )

    async def duplicate_window(self, *, community: str | None, since: datetime) -> dict[str, str]:
        """The petitions of submitted cases filed since ``since`` (in one community, if
        given): id -> case id. What 统单 compares; the domain keeps what it already knows."""
        rows = await self.conn.fetch(
            """SELECT p.id::text AS id, p.case_id::text AS case_id
                 FROM petitions p JOIN cases c ON c.id = p.case_id
                WHERE p.submitted_at >= $1 AND c.state = 'submitted'
                  AND ($2::text IS NULL OR p.community_code = $2)""",
            since,
            community,
        )
        return {r["id"]: r["case_id"] for r in rows}

    async def duplicate_candidates(self, petition_ids: list[str]) -> list[Candidate]:
        """These petitions as the scorer compares them, with the words stored at filing
        (segmented now for a petition filed before words were kept)."""
        rows = await self.conn.fetch(
            """SELECT id::text AS id, case_id::text AS case_id, community_code, category_code,
                      latitude, longitude, submitted_at, description, description_words
                 FROM petitions WHERE id = ANY($1::uuid[])""",
            petition_ids,
        )
        return [
            Candidate(
                petition_id=r["id"],
                case_id=r["case_id"],
                community_code=r["community_code"],
                category_code=r["category_code"],
                location=_location(r),
                submitted_at=r["submitted_at"],
                text=PetitionText.of(
                    r["description"],
                    None
                    if r["description_words"] is None
                    else tuple(r["description_words"].split()),
                ),
            )
            for r in rows
        ]


class _Where:
    """A WHERE clause of the conditions a search was given, and its arguments: in each
    condition, ``?`` stands for the next argument's placeholder."""

    def __init__(self, **equals: str | None) -> None:
        self.args: list[Any] = []
        self._conditions: list[str] = []
        for column, value in equals.items():
            if value:
                self.add(f"{column} = ?", value)

    def arg(self, value: Any) -> str:
        """Add an argument; returns its placeholder."""
        self.args.append(value)
        return f"${len(self.args)}"

    def add(self, condition: str, *values: Any) -> None:
        for value in values:
            condition = condition.replace("?", self.arg(value), 1)
        self._conditions.append(condition)

    @property
    def sql(self) -> str:
        return " WHERE " + " AND ".join(self._conditions) if self._conditions else ""


EventMapper = Callable[[Case, DomainEvent], Message]


class IntakeUnitOfWork(UnitOfWork[Case]):
    """One transaction: the cases it touched, the petitions that moved between them, their
    history and outbox rows commit together."""

    source: ClassVar[str] = SOURCE

    def open_repositories(self) -> None:
        self.cases = CaseRepository(self.conn)
        self.petitions = PetitionRepository(self.conn)
        self._new: set[str] = set()
        self._moves: dict[str, list[str]] = {}

    def track_new(self, case: Case) -> None:
        self._new.add(case.id)
        self.track(case)

    def move_petitions(self, petition_ids: list[str], to_case_id: str) -> None:
        """Moved when the case they move to is written (after it exists, if new)."""
        self._moves.setdefault(to_case_id, []).extend(petition_ids)

    async def save(self, case: Case) -> None:
        if case.id in self._new:
            await _insert_case(self.conn, case)
        else:
            await update_case(self.conn, case)
        moved = self._moves.pop(case.id, None)
        if moved:
            await self.conn.execute(
                "UPDATE petitions SET case_id = $2::uuid WHERE id = ANY($1::uuid[])",
                moved,
                case.id,
            )
        # A merged case moves without an event of its own: the absorbing case's event
        # names it; its history still gets the version.
        if case.state is CaseState.MERGED and not case.events:
            self.add_history(
                HistoryRow(
                    case.aggregate_type,
                    case.id,
                    case.version,
                    case.state.value,
                    "merged",
                    "",
                    "",
                    "",
                    case.updated_at,
                )
            )


async def _insert_case(conn: Connection, case: Case) -> None:
    loc = case.location
    await conn.execute(
        """INSERT INTO cases (id, state, version, community_code, category_code, latitude,
                              longitude, list, urgency, summary, merged_into, traceparent,
                              department_code, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)""",
        case.id,
        case.state.value,
        case.version,
        case.community_code,
        case.category_code,
        loc.latitude if loc else None,
        loc.longitude if loc else None,
        case.case_list.value if case.case_list else None,
        case.urgency.value if case.urgency else None,
        case.summary,
        case.merged_into,
        case.traceparent,
        case.department_code,
        case.created_at,
        case.updated_at,
    )


async def update_case(conn: Connection, case: Case) -> None:
    await conn.execute(
        """UPDATE cases SET state = $2, version = $3, category_code = $4, list = $5,
                            urgency = $6, summary = $7, merged_into = $8, department_code = $9,
                            updated_at = $10
            WHERE id = $1""",
        case.id,
        case.state.value,
        case.version,
        case.category_code,
        case.case_list.value if case.case_list else None,
        case.urgency.value if case.urgency else None,
        case.summary,
        case.merged_into,
        case.department_code,
        case.updated_at,
    )


# A new petition, its case, the history row and the outbox row in ONE statement. Filing is the
# hot path of intake, so instead of a transaction of five statements the writes go as
# data-modifying CTEs of one statement (atomic, one round trip), and concurrent filings
# commit together (GroupCommit). A keyed filing claims its request id first
# (``COMMAND_CLAIM``, $1-$6, its answer the petition id) and writes nothing else if a twin
# holds it.
SUBMISSION = f"""
    WITH {COMMAND_CLAIM},
    proceed AS (
        SELECT 1 WHERE $2::text IS NULL OR EXISTS (SELECT 1 FROM claim)),
    new_case AS (
        INSERT INTO cases (id, state, version, community_code, category_code, latitude,
                           longitude, traceparent, created_at, updated_at)
        SELECT $7::uuid, $8, $9, $10, $11, $12, $13, $14, $15, $15 FROM proceed
        RETURNING id),
    new_petition AS (
        INSERT INTO petitions (id, case_id, channel, community_code, category_code,
                               latitude, longitude, description, submitted_by,
                               submitted_role, submitted_at, description_words,
                               petitioner_sealed, phone_hash)
        SELECT $16::uuid, id, $17, $10, $11, $12, $13, $18, $19, $20, $15, $21, $22, $23
          FROM new_case),
    history AS (
        {HISTORY_INSERT}
        SELECT 'case', id::text, $9, $8, $24, $25, $19, $20, $15 FROM new_case),
    outbox_row AS (
        {OUTBOX_INSERT}
        SELECT $25::uuid, $24, $26, id::text, $15, $27, $28::jsonb FROM new_case)
    SELECT count(*) FROM new_case
"""

FILING = "SubmitPetition"


def submission_row(
    case: Case,
    petition: Petition,
    sealed: bytes,
    phone_hash: bytes,
    request: CommandRequest | None,
    to_message: EventMapper,
) -> tuple[Any, ...]:
    """The arguments of ``SUBMISSION`` for a petition just filed (its case's event staged)."""
    (envelope,), (history,) = stage(SOURCE, case, to_message, at=petition.submitted_at)
    loc = petition.location
    return (
        request.caller if request else None,
        request.request_id if request else None,
        FILING,
        request.request_hash if request else None,
        petition.submitted_by.role,
        petition.id.encode(),
        case.id,
        case.state.value,
        case.version,
        case.community_code,
        case.category_code,
        loc.latitude if loc else None,
        loc.longitude if loc else None,
        case.traceparent,
        petition.submitted_at,
        petition.id,
        petition.channel.value,
        petition.description,
        history.actor,
        petition.submitted_by.role,
        " ".join(segment(petition.description)),
        sealed,
        phone_hash,
        envelope.type,
        envelope.id,
        envelope.source,
        envelope.data,
        orjson.dumps(envelope.trace_headers).decode(),
    )
