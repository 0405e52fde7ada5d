"""How rating stores a case: its row, the current round's links, the ratings, and the counts
the three rates are read from. Committing the unit of work writes them with the history and
outbox rows of the case's events; a rating through its link, rating's hot path, writes the same
rows in one statement (``RatedCaseWriter``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import asyncpg
import orjson

from civicloop.platform.batching import Batcher, GroupCommit
from civicloop.platform.commands import CommandRequest
from civicloop.platform.db import Connection
from civicloop.platform.errors import NotFound
from civicloop.platform.outbox import OUTBOX_INSERT
from civicloop.platform.protobuf import parse_uuid
from civicloop.platform.unit_of_work import HISTORY_INSERT, EventMapper, UnitOfWork, stage
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


COUNT_COLUMNS = ("rated", "satisfied", "completed", "on_time", "closed", "resolved")
_COUNTED = ", ".join(COUNT_COLUMNS)

# The counts GetRates reads: rate_counts, kept per department, community and month and in
# totals over every community, every department and both (``ALL``), so that a city-wide or
# per-department figure reads a few hundred rows; plus the changes not folded into it yet,
# each read into the same four groups.
COUNTS = f"""(SELECT department_code, community_code, month, {_COUNTED} FROM rate_counts
    UNION ALL
    SELECT g.department_code, g.community_code, c.month,
           {", ".join(f"c.{column}" for column in COUNT_COLUMNS)}
      FROM rate_count_changes c
     CROSS JOIN LATERAL (VALUES (c.department_code, c.community_code),
                                (c.department_code, '{ALL}'), ('{ALL}', c.community_code),
                                ('{ALL}', '{ALL}')) AS g(department_code, community_code))"""

# Moves the changes appended so far into rate_counts and its totals, in one transaction (a
# reader sees each change once, on one side or the other). Upserted in key order: two folds
# at once (two replicas) wait for each other, never deadlock.
FOLD_COUNTS = f"""
    WITH moved AS (
        DELETE FROM rate_count_changes
        RETURNING department_code, community_code, month, {_COUNTED})
    INSERT INTO rate_counts (department_code, community_code, month, {_COUNTED})
    SELECT coalesce(department_code, '{ALL}'), coalesce(community_code, '{ALL}'), month,
           {", ".join(f"sum({column})" for column in COUNT_COLUMNS)}
      FROM moved
     GROUP BY GROUPING SETS ((department_code, community_code, month),
                             (department_code, month), (community_code, month), (month))
     ORDER BY 1, 2, 3
    ON CONFLICT (department_code, community_code, month) DO UPDATE SET
    {", ".join(f"{c} = rate_counts.{c} + EXCLUDED.{c}" for c in COUNT_COLUMNS)}"""


async def fold_rate_counts(pool: asyncpg.Pool) -> None:
    """Fold the appended changes into rate_counts (rating does it about once a second)."""
    await pool.execute(FOLD_COUNTS)


def _event_counts(case: RatedCase) -> Iterator[tuple[datetime, dict[str, int]]]:
    """What the case's new events add to the rates' counts, and when they happened."""
    for event in case.events:
        if isinstance(event, CaseRated):
            yield event.rating.rated_at, {"rated": 1, "satisfied": int(event.rating.satisfied)}
        elif isinstance(event, CaseClosed):
            # Closed by the office's decision is closed, but not resolved.
            resolved = event.closed_as is not ClosedAs.OFFICE_DECISION
            yield event.at, {"closed": 1, "resolved": int(resolved)}


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
        """Append what a fact adds to the counts of its department, community and month
        (folded into rate_counts and its totals by ``fold_rate_counts``)."""
        columns = list(counts)
        await self.conn.execute(
            f"""INSERT INTO rate_count_changes (department_code, community_code, month,
                                                {", ".join(columns)})
                VALUES ($1, $2, $3, {", ".join(f"${i + 4}" for i in range(len(columns)))})""",
            department,
            community,
            month_of(at),
            *counts.values(),
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
        for at, counts in _event_counts(case):
            await self.cases.count(case.department_code, case.community_code, at, **counts)

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


# ---- the hot path: a rating through its link in two round trips ----

# The case a token's link belongs to and its current round's links, read in one query without
# a lock. ``row_version`` is the row's xmin: it moves with every write of the case row, also
# the writes that leave ``version`` where it is (a link expiring records an event without
# moving the case, yet changes what a rating decides).
# The cases that links open, with their current round's links, for a batch of token hashes
# (the ratings arriving together): one row per token that opens a link.
CASES_AT_LINKS = f"""
    SELECT t.token_hash, at_link.*
      FROM unnest($1::bytea[]) AS t(token_hash)
     CROSS JOIN LATERAL (
        SELECT (SELECT id::text FROM rating_links WHERE token_hash = t.token_hash) AS link_id,
               xmin AS row_version, {_CASE_COLUMNS},
               ARRAY(SELECT l FROM rating_links l
                      WHERE l.case_id = cases.case_id AND l.round = cases.round
                      ORDER BY l.created_at, l.petition_id) AS links
          FROM cases
         WHERE case_id = (SELECT case_id FROM rating_links WHERE token_hash = t.token_hash)
     ) AS at_link
"""

# A rating and all it did to the case in ONE statement, written only if the case row is still
# as it was read (optimistic: no lock is held between the read and this). The case update
# comes first and every later CTE selects FROM it, so a case that moved meanwhile writes
# nothing, and the caller reads and decides again. The link's key is claimed with the answer
# (the same submission again replays it); the claim cannot collide here, since a used link
# moved the case, so a collision is an error, not a replay. Events and counts vary in number
# per rating: they come as arrays, unnested.
RATED_CASE = f"""
    WITH rated_case AS (
        UPDATE cases SET version = $4, state = $5, reopen_count = $6, closed_as = $7,
                         updated_at = now()
         WHERE case_id = $1::uuid AND version = $2 AND xmin = $3::xid
        RETURNING case_id),
    claim AS (
        INSERT INTO command_requests (caller, request_id, command, request_hash, response)
        SELECT $8, $9, $10, $11, $12 FROM rated_case),
    ended_links AS (
        UPDATE rating_links l SET state = e.state, satisfied = e.satisfied, ended_at = e.ended_at
          FROM rated_case,
               unnest($13::uuid[], $14::text[], $15::boolean[], $16::timestamptz[])
                 AS e(id, state, satisfied, ended_at)
         WHERE l.id = e.id),
    rating AS (
        INSERT INTO ratings (id, case_id, petition_id, round, department_code, community_code,
                             score, comment, rated_at)
        SELECT $17::uuid, case_id, $18::uuid, $19, $20, $21, $22, $23, $24 FROM rated_case),
    counted AS (
        INSERT INTO rate_count_changes (department_code, community_code, month, rated,
                                        satisfied, closed, resolved)
        SELECT g.* FROM rated_case,
               unnest($25::text[], $26::text[], $27::text[], $28::bigint[], $29::bigint[],
                      $30::bigint[], $31::bigint[])
                 AS g(department_code, community_code, month, rated, satisfied, closed,
                      resolved)),
    events AS (
        SELECT e.* FROM rated_case,
               unnest($32::bigint[], $33::text[], $34::text[], $35::text[], $36::text[],
                      $40::text[], $37::timestamptz[], $38::bytea[], $39::text[])
                 WITH ORDINALITY
                 AS e(version, state, event_type, event_id, actor, role, at, payload,
                      trace_headers, position)),
    history_rows AS (
        {HISTORY_INSERT}
        SELECT '{RatedCase.aggregate_type}', $1::uuid::text, version, state, event_type,
               event_id, actor, role, at FROM events),
    outbox_rows AS (
        {OUTBOX_INSERT}
        SELECT event_id::uuid, event_type, '{SOURCE}', $1::uuid::text, at, payload,
               trace_headers::jsonb
          FROM events ORDER BY position)
    SELECT count(*) AS written FROM rated_case
"""


@dataclass(frozen=True)
class CaseAtLink:
    """A case as read for a rating through one of its links, unlocked."""

    case: RatedCase
    link_id: str
    read_version: int
    row_version: int
    # The links the rating may end (its own, and the others it withdraws).
    pending_link_ids: frozenset[str]


# Batches of ratings written at once (each on its own connection of the pool).
WRITES_IN_FLIGHT = 4


class RatedCaseWriter:
    """Ratings through their links, read without a lock and written in one statement each;
    concurrent ratings share a round trip and a commit (``GroupCommit``), their case rows
    locked in case id order, the same in every replica."""

    def __init__(self, pool: asyncpg.Pool, to_message: EventMapper[RatedCase]) -> None:
        self.pool = pool
        self.to_message = to_message
        # Its rows lock their case (in case id order) and append the rest, the counts too: a
        # few batches commit side by side.
        self._writes = GroupCommit(
            pool, RATED_CASE, lock_order=lambda row: str(row[0]), in_flight=WRITES_IN_FLIGHT
        )
        # Ratings arriving together are read in one statement, as they are written.
        self._reads: Batcher[bytes, asyncpg.Record | None] = Batcher(
            self._read_batch, in_flight=2
        )

    async def _read_batch(self, hashes: list[bytes]) -> list[asyncpg.Record | None | BaseException]:
        rows = await self.pool.fetch(CASES_AT_LINKS, hashes)
        by_hash = {bytes(row["token_hash"]): row for row in rows}
        return [by_hash.get(token_hash) for token_hash in hashes]

    async def read(self, token_hash: bytes) -> CaseAtLink | None:
        row = await self._reads.submit(token_hash)
        if row is None:
            return None
        case = _case_from_row(row)
        case.links = [_link_from_row(link) for link in row["links"]]
        pending = frozenset(x.id for x in case.links if x.state is LinkState.PENDING)
        return CaseAtLink(case, row["link_id"], case.version, row["row_version"], pending)

    async def write(self, read: CaseAtLink, request: CommandRequest, answer: bytes) -> bool:
        """Write the rated case (changed by the domain since ``read``), its events and the
        answer; False, writing nothing, when the case moved since it was read. Call it in the
        span of the transition: its events carry that trace context."""
        row = rated_case_row(read, request, answer, self.to_message)
        return bool((await self._writes.fetchrow(row))["written"])


def rated_case_row(
    read: CaseAtLink,
    request: CommandRequest,
    answer: bytes,
    to_message: EventMapper[RatedCase],
) -> tuple[Any, ...]:
    """The arguments of ``RATED_CASE`` for a case the domain has just rated."""
    case = read.case
    rated = next(e.rating for e in case.events if isinstance(e, CaseRated))
    counts: dict[tuple[str, str, str], Counter[str]] = {}
    for at, added in _event_counts(case):
        key = (case.department_code, case.community_code, month_of(at))
        counts.setdefault(key, Counter()).update(added)
    ended = [
        x for x in case.links if x.id in read.pending_link_ids and x.state is not LinkState.PENDING
    ]
    envelopes, history = stage(SOURCE, case, to_message)
    return (
        case.id,
        read.read_version,
        read.row_version,
        case.version,
        case.state.value,
        case.reopen_count,
        case.closed_as.value if case.closed_as else None,
        request.caller,
        request.request_id,
        request.command,
        request.request_hash,
        answer,
        [x.id for x in ended],
        [x.state.value for x in ended],
        [x.satisfied for x in ended],
        [x.ended_at for x in ended],
        rated.id,
        rated.petition_id,
        rated.round,
        rated.department_code,
        rated.community_code,
        rated.score,
        rated.comment,
        rated.rated_at,
        [key[0] for key in counts],
        [key[1] for key in counts],
        [key[2] for key in counts],
        [c["rated"] for c in counts.values()],
        [c["satisfied"] for c in counts.values()],
        [c["closed"] for c in counts.values()],
        [c["resolved"] for c in counts.values()],
        [h.version for h in history],
        [h.state for h in history],
        [h.event_type for h in history],
        [h.event_id for h in history],
        [h.actor for h in history],
        [h.at for h in history],
        [e.data for e in envelopes],
        [orjson.dumps(e.trace_headers).decode() for e in envelopes],
        [h.role for h in history],
    )
