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

from civicloop.platform.batching import Batcher, SetCommit
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

# The ratings of a batch and all each did to its case in ONE statement, each rating's case
# written only if its row is still as it was read (optimistic: no lock is held between the
# read and this). Every value comes as an array with the rating's position ``n`` in the
# batch; the case update comes first and every later step joins its positions, so a rating
# whose case moved meanwhile writes nothing, and its caller reads and decides again (of two
# ratings of one case in a batch, the update applies one). The link's key is claimed with the
# answer (the same submission again replays it); the claim cannot collide here, since a used
# link moved the case, so a collision is an error, not a replay.
RATED_CASES = f"""
    WITH rated_case AS (
        UPDATE cases SET version = r.version, state = r.state, reopen_count = r.reopen_count,
                         closed_as = r.closed_as, updated_at = now()
          FROM unnest($1::uuid[], $2::bigint[], $3::xid[], $4::bigint[], $5::text[],
                      $6::integer[], $7::text[]) WITH ORDINALITY
                 AS r(case_id, read_version, row_version, version, state, reopen_count,
                      closed_as, n)
         WHERE cases.case_id = r.case_id AND cases.version = r.read_version
           AND cases.xmin = r.row_version
        RETURNING r.n, cases.case_id),
    claim AS (
        INSERT INTO command_requests (caller, request_id, command, request_hash, response)
        SELECT q.caller, q.request_id, q.command, q.request_hash, q.response
          FROM unnest($8::text[], $9::text[], $10::text[], $11::bytea[], $12::bytea[])
                 WITH ORDINALITY AS q(caller, request_id, command, request_hash, response, n)
          JOIN rated_case USING (n)),
    ended_links AS (
        UPDATE rating_links l SET state = e.state, satisfied = e.satisfied, ended_at = e.ended_at
          FROM unnest($13::bigint[], $14::uuid[], $15::text[], $16::boolean[],
                      $17::timestamptz[]) AS e(n, id, state, satisfied, ended_at)
          JOIN rated_case USING (n)
         WHERE l.id = e.id),
    rating AS (
        INSERT INTO ratings (id, case_id, petition_id, round, department_code, community_code,
                             score, comment, rated_at)
        SELECT g.id, rated_case.case_id, g.petition_id, g.round, g.department_code,
               g.community_code, g.score, g.comment, g.rated_at
          FROM unnest($18::uuid[], $19::uuid[], $20::integer[], $21::text[], $22::text[],
                      $23::integer[], $24::text[], $25::timestamptz[]) WITH ORDINALITY
                 AS g(id, petition_id, round, department_code, community_code, score, comment,
                      rated_at, n)
          JOIN rated_case USING (n)),
    counted AS (
        INSERT INTO rate_count_changes (department_code, community_code, month, rated,
                                        satisfied, closed, resolved)
        SELECT g.department_code, g.community_code, g.month, g.rated, g.satisfied, g.closed,
               g.resolved
          FROM unnest($26::bigint[], $27::text[], $28::text[], $29::text[], $30::bigint[],
                      $31::bigint[], $32::bigint[], $33::bigint[])
                 AS g(n, department_code, community_code, month, rated, satisfied, closed,
                      resolved)
          JOIN rated_case USING (n)),
    events AS (
        SELECT rated_case.case_id, e.* FROM rated_case
          JOIN unnest($34::bigint[], $35::bigint[], $36::text[], $37::text[], $38::text[],
                      $39::text[], $40::text[], $41::timestamptz[], $42::bytea[], $43::text[])
                 WITH ORDINALITY
                 AS e(n, version, state, event_type, event_id, actor, role, at, payload,
                      trace_headers, position) USING (n)),
    history_rows AS (
        {HISTORY_INSERT}
        SELECT '{RatedCase.aggregate_type}', case_id::text, version, state, event_type,
               event_id, actor, role, at FROM events),
    outbox_rows AS (
        {OUTBOX_INSERT}
        SELECT event_id::uuid, event_type, '{SOURCE}', case_id::text, at, payload,
               trace_headers::jsonb
          FROM events ORDER BY position)
    SELECT n FROM rated_case
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
# Ratings read or written together at most. Under a steady crowd every rating in flight
# joined one batch, so the page's loop sat idle while that batch was in PostgreSQL and
# everything came back at once (a convoy); halves keep the loop busy with one while the other
# is written (the page's bench, 4 runs each in turn: 754-1,016/s at 64, 792-1,064/s at 16).
BATCH_AT_MOST = 16


@dataclass(frozen=True)
class RatedCaseRows:
    """What one rating writes, as the rows of each step of ``RATED_CASES``."""

    case: tuple[Any, ...]
    claim: tuple[Any, ...]
    ended_links: list[tuple[Any, ...]]
    rating: tuple[Any, ...]
    counts: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


def rated_cases_arguments(batch: list[RatedCaseRows]) -> list[list[Any]]:
    """The parameters of ``RATED_CASES`` for a batch: each step's rows as column arrays, the
    rows of variable number (links, counts, events) with their rating's position first."""

    def numbered(
        rows_of: Callable[[RatedCaseRows], list[tuple[Any, ...]]], width: int
    ) -> list[list[Any]]:
        rows = [(n, *row) for n, rated in enumerate(batch, start=1) for row in rows_of(rated)]
        return _columns(rows, width + 1)

    return [
        *_columns([r.case for r in batch], 7),
        *_columns([r.claim for r in batch], 5),
        *numbered(lambda r: r.ended_links, 4),
        *_columns([r.rating for r in batch], 8),
        *numbered(lambda r: r.counts, 7),
        *numbered(lambda r: r.events, 9),
    ]


class RatedCaseWriter:
    """Ratings through their links, read without a lock and written in one statement per
    batch of concurrent ratings (``SetCommit``): one plan, one round trip and one commit for
    the lot, their case rows locked in case id order, the same in every replica."""

    def __init__(self, pool: asyncpg.Pool, to_message: EventMapper[RatedCase]) -> None:
        self.pool = pool
        self.to_message = to_message
        # Its rows lock their case (in case id order) and append the rest, the counts too: a
        # few batches commit side by side.
        self._writes: SetCommit[RatedCaseRows] = SetCommit(
            pool,
            RATED_CASES,
            rated_cases_arguments,
            lock_order=lambda rows: str(rows.case[0]),
            in_flight=WRITES_IN_FLIGHT,
            max_batch=BATCH_AT_MOST,
        )
        # Ratings arriving together are read in one statement, as they are written.
        self._reads: Batcher[bytes, asyncpg.Record | None] = Batcher(
            self._read_batch, in_flight=2, max_batch=BATCH_AT_MOST
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
        rows = rated_case_rows(read, request, answer, self.to_message)
        return await self._writes.fetchrow(rows) is not None


def rated_case_rows(
    read: CaseAtLink,
    request: CommandRequest,
    answer: bytes,
    to_message: EventMapper[RatedCase],
) -> RatedCaseRows:
    """What ``RATED_CASES`` writes for a case the domain has just rated."""
    case = read.case
    rated = next(e.rating for e in case.events if isinstance(e, CaseRated))
    counts: dict[tuple[str, str, str], Counter[str]] = {}
    for at, added in _event_counts(case):
        key = (case.department_code, case.community_code, month_of(at))
        counts.setdefault(key, Counter()).update(added)
    envelopes, history = stage(SOURCE, case, to_message)
    return RatedCaseRows(
        case=(
            case.id,
            read.read_version,
            read.row_version,
            case.version,
            case.state.value,
            case.reopen_count,
            case.closed_as.value if case.closed_as else None,
        ),
        claim=(
            request.caller,
            request.request_id,
            request.command,
            request.request_hash,
            answer,
        ),
        ended_links=[
            (x.id, x.state.value, x.satisfied, x.ended_at)
            for x in case.links
            if x.id in read.pending_link_ids and x.state is not LinkState.PENDING
        ],
        rating=(
            rated.id,
            rated.petition_id,
            rated.round,
            rated.department_code,
            rated.community_code,
            rated.score,
            rated.comment,
            rated.rated_at,
        ),
        counts=[
            (*key, c["rated"], c["satisfied"], c["closed"], c["resolved"])
            for key, c in counts.items()
        ],
        events=[
            (
                h.version,
                h.state,
                h.event_type,
                h.event_id,
                h.actor,
                h.role,
                h.at,
                e.data,
                orjson.dumps(e.trace_headers).decode(),
            )
            for h, e in zip(history, envelopes, strict=True)
        ],
    )
