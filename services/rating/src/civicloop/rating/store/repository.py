"""How rating stores a case: its row, the current round's links, the ratings, and the counts
the three rates are read from. Committing the unit of work writes them with the history and
outbox rows of the case's events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

import asyncpg

from civicloop.platform.db import Connection
from civicloop.platform.errors import NotFound
from civicloop.platform.protobuf import parse_uuid
from civicloop.platform.unit_of_work import EventMapper, UnitOfWork
from civicloop.rating.domain.model import (
    CaseClosed,
    CaseRated,
    CaseState,
    ClosedAs,
    Delivery,
    LinkState,
    RatedCase,
    RatingLink,
)
from civicloop.rating.domain.rates import month_of

SOURCE = "rating"
# In rate_counts: the total over every department, or every community.
ALL = "*"

_CASE_COLUMNS = """case_id, version, state, community_code, category_code, summary, traceparent,
    department_code, round, result_summary, completed_at, complete_due_at, reopen_count,
    closed_as"""


def _case_from_row(row: asyncpg.Record) -> RatedCase:
    return RatedCase(
        id=str(row["case_id"]),
        version=row["version"],
        state=CaseState(row["state"]),
        community_code=row["community_code"],
        category_code=row["category_code"],
        summary=row["summary"],
        traceparent=row["traceparent"],
        department_code=row["department_code"],
        round=row["round"],
        result_summary=row["result_summary"],
        completed_at=row["completed_at"],
        complete_due_at=row["complete_due_at"],
        reopen_count=row["reopen_count"],
        closed_as=ClosedAs(row["closed_as"]) if row["closed_as"] else None,
    )


def _link_from_row(row: asyncpg.Record) -> RatingLink:
    return RatingLink(
        id=str(row["id"]),
        petition_id=str(row["petition_id"]),
        round=row["round"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        state=LinkState(row["state"]),
        delivery=Delivery(row["delivery"]),
        ended_at=row["ended_at"],
        satisfied=row["satisfied"],
    )


class CaseRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def find(self, case_id: str, *, lock: bool = False) -> RatedCase | None:
        row = await self.conn.fetchrow(
            f"SELECT {_CASE_COLUMNS} FROM cases WHERE case_id = $1::uuid"
            + (" FOR UPDATE" if lock else ""),
            parse_uuid(case_id, "case_id"),
        )
        if row is None:
            return None
        case = _case_from_row(row)
        case.links = [
            _link_from_row(r)
            for r in await self.conn.fetch(
                "SELECT * FROM rating_links WHERE case_id = $1 AND round = $2"
                " ORDER BY created_at, petition_id",
                row["case_id"],
                case.round,
            )
        ]
        return case

    async def get(self, case_id: str, *, lock: bool = False) -> RatedCase:
        case = await self.find(case_id, lock=lock)
        if case is None:
            raise NotFound(f"case {case_id} is not known to rating")
        return case

    async def petition_ids(self, case_id: str) -> list[str]:
        ids = await self.conn.fetchval(
            "SELECT petition_ids FROM cases WHERE case_id = $1::uuid", case_id
        )
        return [str(i) for i in ids or []]

    async def add(self, case: RatedCase) -> None:
        """A case rating hears of for the first time."""
        await self.conn.execute(
            "INSERT INTO cases (case_id, version, state, traceparent) VALUES ($1, $2, $3, $4)",
            case.id,
            case.version,
            case.state.value,
            case.traceparent,
        )

    async def describe(
        self,
        case_id: str,
        community_code: str,
        category_code: str,
        summary: str,
        petition_ids: list[str],
    ) -> None:
        """What intake opened the case with: what its petitioners are shown, and who they
        are (one link each)."""
        await self.conn.execute(
            """UPDATE cases SET community_code = $2, category_code = $3, summary = $4,
                   petition_ids = $5::uuid[]
                WHERE case_id = $1::uuid""",
            case_id,
            community_code,
            category_code,
            summary,
            petition_ids,
        )

    async def link(self, link_id: str) -> RatingLink:
        row = await self.conn.fetchrow("SELECT * FROM rating_links WHERE id = $1::uuid", link_id)
        if row is None:
            raise NotFound(f"rating link {link_id} not found")
        return _link_from_row(row)

    async def case_of_token(self, token_hash: bytes) -> tuple[str, str] | None:
        """The case and link a token opens, if any."""
        row = await self.conn.fetchrow(
            "SELECT case_id::text, id::text FROM rating_links WHERE token_hash = $1", token_hash
        )
        return (row["case_id"], row["id"]) if row else None

    async def count(self, department: str, community: str, at: datetime, **counts: int) -> None:
        """Add to the counts of the rates' groups the fact falls in: its department and
        community, and the totals over every community, every department, and both (``ALL``),
        so that GetRates reads a few hundred rows for a city-wide or per-department figure."""
        columns = list(counts)
        month = month_of(at)
        await self.conn.executemany(
            f"""INSERT INTO rate_counts (department_code, community_code, month,
                                         {", ".join(columns)})
                VALUES ($1, $2, $3, {", ".join(f"${i + 4}" for i in range(len(columns)))})
                ON CONFLICT (department_code, community_code, month) DO UPDATE SET
                {", ".join(f"{c} = rate_counts.{c} + EXCLUDED.{c}" for c in columns)}""",
            [
                (d, c, month, *counts.values())
                for d, c in (
                    (department, community),
                    (department, ALL),
                    (ALL, community),
                    (ALL, ALL),
                )
            ],
        )


class RatingUnitOfWork(UnitOfWork[RatedCase]):
    """One transaction: a case, its links and ratings, and the counts they move."""

    source: ClassVar[str] = SOURCE

    def __init__(
        self,
        to_message: EventMapper[RatedCase],
        token_hash_of: Callable[[str], bytes],
        *,
        pool: asyncpg.Pool | None = None,
        conn: Connection | None = None,
    ) -> None:
        super().__init__(to_message, pool=pool, conn=conn)
        self.token_hash_of = token_hash_of

    def open_repositories(self) -> None:
        self.cases = CaseRepository(self.conn)

    async def save(self, case: RatedCase) -> None:
        await self.conn.execute(
            """UPDATE cases SET version = $2, state = $3, department_code = $4, round = $5,
                   result_summary = $6, completed_at = $7, complete_due_at = $8,
                   reopen_count = $9, closed_as = $10, updated_at = now()
                WHERE case_id = $1""",
            case.id,
            case.version,
            case.state.value,
            case.department_code,
            case.round,
            case.result_summary,
            case.completed_at,
            case.complete_due_at,
            case.reopen_count,
            case.closed_as.value if case.closed_as else None,
        )
        if case.links:
            await self.conn.executemany(
                """INSERT INTO rating_links (id, case_id, petition_id, round, token_hash, state,
                       delivery, satisfied, created_at, expires_at, ended_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                   ON CONFLICT (id) DO UPDATE SET state = $6, delivery = $7, satisfied = $8,
                       ended_at = $11""",
                [
                    (
                        x.id,
                        case.id,
                        x.petition_id,
                        x.round,
                        self.token_hash_of(x.id),
                        x.state.value,
                        x.delivery.value,
                        x.satisfied,
                        x.created_at,
                        x.expires_at,
                        x.ended_at,
                    )
                    for x in case.links
                ],
            )
        for event in case.events:
            if isinstance(event, CaseRated):
                await self._record_rating(event)
            elif isinstance(event, CaseClosed):
                resolved = event.closed_as is not ClosedAs.OFFICE_DECISION
                await self.cases.count(
                    case.department_code,
                    case.community_code,
                    event.at,
                    closed=1,
                    resolved=int(resolved),
                )

    async def _record_rating(self, event: CaseRated) -> None:
        r = event.rating
        await self.conn.execute(
            """INSERT INTO ratings (id, case_id, petition_id, round, department_code,
                   community_code, score, comment, rated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            r.id,
            r.case_id,
            r.petition_id,
            r.round,
            r.department_code,
            r.community_code,
            r.score,
            r.comment,
            r.rated_at,
        )
        await self.cases.count(
            r.department_code,
            r.community_code,
            r.rated_at,
            rated=1,
            satisfied=int(r.satisfied),
        )
