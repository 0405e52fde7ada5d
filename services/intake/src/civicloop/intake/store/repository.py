"""Repositories for cases and petitions and the unit of work around one transaction.

Committing the unit of work writes the changed aggregates, one history row and one outbox
row per domain event, all in the same transaction.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg
import orjson
from google.protobuf.message import Message

from civicloop.intake.domain.model import (
    Case,
    CaseList,
    CaseState,
    Channel,
    DomainEvent,
    Location,
    Petition,
    PetitionSplit,
    Urgency,
)
from civicloop.intake.domain.similarity import bigram_text
from civicloop.platform import telemetry
from civicloop.platform.db import Connection
from civicloop.platform.domain import Actor
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.errors import InvalidArgument, NotFound
from civicloop.platform.outbox import OUTBOX_INSERT
from civicloop.platform.protobuf import parse_uuid
from civicloop.platform.unit_of_work import HISTORY_INSERT, HistoryRow, Transaction, stage

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


def encode_cursor(at: datetime, row_id: str) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{row_id}".encode()).decode()


def decode_cursor(token: str) -> tuple[datetime, str]:
    try:
        at, row_id = base64.urlsafe_b64decode(token.encode()).decode().split("|", 1)
        return datetime.fromisoformat(at), row_id
    except Exception:
        raise InvalidArgument.of("page_token", "is not a token this service issued") from None


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
        page_size: int,
        cursor: str | None,
    ) -> tuple[list[Case], str]:
        where = _Where(state=state, community_code=community, category_code=category)
        if cursor:
            where.add("(created_at, id) < (?, ?::uuid)", *decode_cursor(cursor))
        limit = where.arg(page_size + 1)
        rows = await self.conn.fetch(
            f"SELECT {_CASE_COLUMNS} FROM cases{where.sql}"
            f" ORDER BY created_at DESC, id DESC LIMIT {limit}",
            *where.args,
        )
        cases = [case_from_row(r) for r in rows[:page_size]]
        more = len(rows) > page_size
        return cases, encode_cursor(cases[-1].created_at, cases[-1].id) if more else ""


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
        page_size: int,
        cursor: str | None,
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
        if cursor:
            where.add("(submitted_at, id) < (?, ?::uuid)", *decode_cursor(cursor))
        limit = where.arg(page_size + 1)
        rows = await self.conn.fetch(
            f"SELECT {_PETITION_COLUMNS} FROM petitions{where.sql}"
            f" ORDER BY submitted_at DESC, id DESC LIMIT {limit}",
            *where.args,
        )
        petitions = [petition_from_row(r) for r in rows[:page_size]]
        more = len(rows) > page_size
        return petitions, (
            encode_cursor(petitions[-1].submitted_at, petitions[-1].id) if more else ""
        )

    async def similar_pairs(
        self,
        *,
        community: str | None,
        since: datetime,
        min_similarity: float,
        max_distance_m: float,
    ) -> list[tuple[str, str, float]]:
        """Pairs of petitions in submitted cases: same category, inside the window, text alike
        in bigram space (pg_trgm), and near each other when both have a location."""
        rows = await self.conn.fetch(
            """SELECT a.id::text AS a, b.id::text AS b,
                      similarity(a.description_grams, b.description_grams) AS score
                 FROM petitions a
                 JOIN cases ca ON ca.id = a.case_id AND ca.state = 'submitted'
                 JOIN petitions b ON b.category_code = a.category_code AND b.id > a.id
                                 AND b.submitted_at >= $1 AND b.case_id <> a.case_id
                 JOIN cases cb ON cb.id = b.case_id AND cb.state = 'submitted'
                WHERE a.submitted_at >= $1
                  AND ($2::text IS NULL OR a.community_code = $2)
                  AND ($2::text IS NULL OR b.community_code = $2)
                  AND similarity(a.description_grams, b.description_grams) >= $3
                  AND (a.latitude IS NULL OR b.latitude IS NULL OR
                       2 * 6371008.8 * asin(sqrt(
                         power(sin(radians(b.latitude - a.latitude) / 2), 2) +
                         cos(radians(a.latitude)) * cos(radians(b.latitude)) *
                         power(sin(radians(b.longitude - a.longitude) / 2), 2))) <= $4)""",
            since,
            community,
            min_similarity,
            max_distance_m,
        )
        return [(r["a"], r["b"], float(r["score"])) for r in rows]


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


class UnitOfWork(Transaction):
    """One transaction: the cases it touched, their history and outbox rows commit together."""

    def __init__(self, pool: asyncpg.Pool, to_message: EventMapper) -> None:
        super().__init__(pool)
        self.to_message = to_message
        self._new: dict[str, Case] = {}
        self._changed: dict[str, Case] = {}
        self._moves: list[tuple[list[str], str]] = []

    async def __aenter__(self) -> UnitOfWork:
        await super().__aenter__()
        self.cases = CaseRepository(self.conn)
        self.petitions = PetitionRepository(self.conn)
        return self

    def track_new(self, case: Case) -> None:
        self._new[case.id] = case

    def track(self, *cases: Case) -> None:
        for case in cases:
            if case.id not in self._new:
                self._changed[case.id] = case

    def move_petitions(self, petition_ids: list[str], to_case_id: str) -> None:
        self._moves.append((list(petition_ids), to_case_id))

    async def commit(self) -> None:
        conn = self.conn
        for case in self._new.values():
            await _insert_case(conn, case)
        for petition_ids, case_id in self._moves:
            await conn.execute(
                "UPDATE petitions SET case_id = $2::uuid WHERE id = ANY($1::uuid[])",
                petition_ids,
                case_id,
            )
        for case in self._changed.values():
            await update_case(conn, case)
        envelopes: list[EventEnvelope] = []
        history: list[HistoryRow] = []
        for case in [*self._new.values(), *self._changed.values()]:
            staged = stage(
                SOURCE,
                case.id,
                case.state.value,
                ((self.to_message(case, e), _version_of(e), _actor_of(e)) for e in case.events),
            )
            envelopes += staged[0]
            history += staged[1]
            case.events.clear()
        # Merged cases move without an event of their own: the absorbing case's event names them.
        for case in self._changed.values():
            if case.state is CaseState.MERGED and not any(h.case_id == case.id for h in history):
                history.append(
                    HistoryRow(
                        case.id, case.version, case.state.value, "merged", "", "", case.updated_at
                    )
                )
        await self.finish(envelopes, history)


def _version_of(event: DomainEvent) -> int:
    if isinstance(event, PetitionSplit):
        return event.from_case_version
    return event.case_version


def _actor_of(event: DomainEvent) -> str:
    actor = getattr(event, "actor", None)
    if actor is None:
        petition = getattr(event, "petition", None)
        actor = petition.submitted_by if petition else None
    return actor.subject if actor else ""


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
# commit together (GroupCommit). With an Idempotency-Key ($1) the key is claimed first and
# nothing else is written if a twin holds it.
SUBMISSION = f"""
    WITH claim AS (
        INSERT INTO submissions (idempotency_key, request_hash, petition_id)
        SELECT $1::text, $2::bytea, $3::uuid WHERE $1::text IS NOT NULL
        ON CONFLICT DO NOTHING RETURNING 1),
    proceed AS (
        SELECT 1 WHERE $1::text IS NULL OR EXISTS (SELECT 1 FROM claim)),
    new_case AS (
        INSERT INTO cases (id, state, version, community_code, category_code, latitude,
                           longitude, traceparent, created_at, updated_at)
        SELECT $4::uuid, $5, $6, $7, $8, $9, $10, $11, $12, $12 FROM proceed
        RETURNING id),
    new_petition AS (
        INSERT INTO petitions (id, case_id, channel, community_code, category_code,
                               latitude, longitude, description, submitted_by,
                               submitted_role, submitted_at, description_grams,
                               petitioner_sealed, phone_hash)
        SELECT $3::uuid, id, $13, $7, $8, $9, $10, $14, $15, $16, $12, $17, $18, $19
          FROM new_case),
    history AS (
        {HISTORY_INSERT}
        SELECT id, $6, $5, $20, $21, $15, $12 FROM new_case),
    outbox_row AS (
        {OUTBOX_INSERT}
        SELECT $21::uuid, $20, $22, id::text, $12, $23, $24::jsonb FROM new_case)
    SELECT count(*) FROM new_case
"""


def submission_row(
    case: Case,
    petition: Petition,
    sealed: bytes,
    phone_hash: bytes,
    idempotency: tuple[str, bytes] | None,
    to_message: EventMapper,
) -> tuple[Any, ...]:
    """The arguments of ``SUBMISSION`` for a petition just filed (its case's event staged)."""
    (event,) = case.events
    envelope = EventEnvelope.wrap(
        to_message(case, event),
        source=SOURCE,
        subject=case.id,
        trace_headers=telemetry.inject(),
        at=petition.submitted_at,
    )
    case.events.clear()
    key, request_hash = idempotency if idempotency else (None, None)
    loc = petition.location
    return (
        key,
        request_hash,
        petition.id,
        case.id,
        case.state.value,
        case.version,
        case.community_code,
        case.category_code,
        loc.latitude if loc else None,
        loc.longitude if loc else None,
        case.traceparent,
        petition.submitted_at,
        petition.channel.value,
        petition.description,
        petition.submitted_by.subject,
        petition.submitted_by.role,
        bigram_text(petition.description),
        sealed,
        phone_hash,
        envelope.type,
        envelope.id,
        envelope.source,
        envelope.data,
        orjson.dumps(envelope.trace_headers).decode(),
    )
