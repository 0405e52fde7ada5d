"""How the log is stored: staged appends, leaves, subtree hashes, checkpoints, cosignatures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from civicloop.ledger.domain.evidence import Entry
from civicloop.platform.db import Connection
from civicloop.platform.inbox import INBOX_CLAIM
from civicloop.tlog.evidence import EvidenceLeaf
from civicloop.tlog.tree import CompactRange, Subtree

Executor = Connection | asyncpg.Pool

_ENTRY_COLUMNS = (
    "event_id, event_type, subject, event_sha256, appended_by, appended_at, occurred_at"
)


def entry_of(row: Any, leaf_index: int | None = None) -> Entry:
    return Entry(
        EvidenceLeaf(
            row["event_id"], row["event_type"], row["subject"], bytes(row["event_sha256"])
        ),
        row["appended_by"],
        row["appended_at"],
        row["occurred_at"],
        leaf_index,
    )


@dataclass(frozen=True)
class StoredCheckpoint:
    tree_size: int
    root_hash: bytes
    note: str
    key_name: str
    public_key: bytes
    signed_at: datetime
    cosignature_lines: tuple[str, ...] = ()

    @property
    def served(self) -> str:
        """The signed note with the witnesses' cosignature lines after the log's."""
        return self.note + "".join(self.cosignature_lines)


async def entries_of_events(db: Executor, event_ids: Sequence[str], below_size: int) -> list[Entry]:
    """The leaves of these events under a tree of ``below_size`` leaves (fewer when some are
    not integrated under it yet)."""
    rows = await db.fetch(
        f"""SELECT leaf_index, {_ENTRY_COLUMNS} FROM log_entries
             WHERE event_id = ANY($1::text[]) AND leaf_index < $2""",
        list(event_ids),
        below_size,
    )
    return [entry_of(row, row["leaf_index"]) for row in rows]


async def logged_entry(db: Executor, event_id: str) -> Entry | None:
    row = await db.fetchrow(
        f"SELECT leaf_index, {_ENTRY_COLUMNS} FROM log_entries WHERE event_id = $1", event_id
    )
    return None if row is None else entry_of(row, row["leaf_index"])


async def stage(conn: Connection, entry: Entry) -> tuple[Entry, bool]:
    """Stage an append; (the entry as stored, True) when its event id was already taken."""
    found = await logged_entry(conn, entry.leaf.event_id)
    if found is not None:
        return found, True
    leaf = entry.leaf
    inserted = await conn.fetchval(
        f"""INSERT INTO pending_entries ({_ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (event_id) DO NOTHING RETURNING true""",
        *stage_event_row(entry),
    )
    if inserted:
        return entry, False
    row = await conn.fetchrow(
        f"SELECT {_ENTRY_COLUMNS} FROM pending_entries WHERE event_id = $1", leaf.event_id
    )
    if row is None:  # integrated between the two statements
        logged = await logged_entry(conn, leaf.event_id)
        assert logged is not None
        return logged, True
    return entry_of(row), True


# A consumed event's append staged in one statement, its inbox claim first: nothing is staged
# for an event the inbox has seen (a redelivery). An event id already on the log (appended
# over gRPC) is staged all the same; the sequencer answers it as the entry on the log, or
# logs the conflict and appends nothing.
STAGE_EVENT = f"""WITH {INBOX_CLAIM}
    INSERT INTO pending_entries ({_ENTRY_COLUMNS})
    SELECT $1, $2, $3, $4, $5, $6, $7 FROM claim
    ON CONFLICT (event_id) DO NOTHING"""


def stage_event_row(entry: Entry) -> tuple[object, ...]:
    leaf = entry.leaf
    return (
        leaf.event_id,
        leaf.event_type,
        leaf.subject,
        leaf.event_sha256,
        entry.appended_by,
        entry.appended_at,
        entry.occurred_at,
    )


async def take_pending(
    conn: Connection, limit: int, offered_ids: Sequence[str]
) -> tuple[list[Entry], dict[str, Entry]]:
    """The oldest staged appends, removed from the queue (the caller's transaction logs them),
    and the entries already on the log under their event ids or ``offered_ids``: one round
    trip."""
    rows = await conn.fetch(
        f"""WITH taken AS (
                DELETE FROM pending_entries WHERE seq IN (
                    SELECT seq FROM pending_entries ORDER BY seq LIMIT $1 FOR UPDATE)
                RETURNING seq, {_ENTRY_COLUMNS})
            SELECT seq, NULL::bigint AS leaf_index, {_ENTRY_COLUMNS} FROM taken
            UNION ALL
            SELECT NULL, leaf_index, {_ENTRY_COLUMNS} FROM log_entries
             WHERE event_id = ANY($2::text[] || ARRAY(SELECT event_id FROM taken))""",
        limit,
        list(offered_ids),
    )
    staged = [entry_of(row) for row in sorted(rows, key=lambda r: r["seq"] or 0) if row["seq"]]
    logged = {
        row["event_id"]: entry_of(row, row["leaf_index"])
        for row in rows
        if row["leaf_index"] is not None
    }
    return staged, logged


async def tree_size(db: Executor) -> int:
    """Leaves integrated so far (indexes are dense: one transaction writes each batch)."""
    found = await db.fetchval("SELECT max(leaf_index) FROM log_entries")
    return 0 if found is None else int(found) + 1


async def stored_tree(conn: Connection) -> CompactRange:
    """The tree as stored: its size and right edge (``complete_subtrees(0, size)``: one
    subtree per bit set in the size), in one round trip."""
    rows = await conn.fetch(
        """WITH size AS (SELECT coalesce(max(leaf_index) + 1, 0) AS leaves FROM log_entries)
           SELECT size.leaves, edge.level, edge.index, edge.hash
             FROM size LEFT JOIN LATERAL (
                  SELECT s.level, s.index, s.hash
                    FROM generate_series(0, 62) AS bit
                    JOIN subtrees s ON s.level = bit AND s.index = (size.leaves >> bit) - 1
                   WHERE (size.leaves >> bit) & 1 = 1) AS edge ON true"""
    )
    hashes = {
        Subtree(row["level"], row["index"]): bytes(row["hash"])
        for row in rows
        if row["level"] is not None
    }
    return CompactRange.from_stored(int(rows[0]["leaves"]), hashes)


async def append_leaves(
    conn: Connection, entries: Sequence[Entry], subtrees: Sequence[tuple[Subtree, bytes]]
) -> None:
    """The leaves and the subtrees they complete, in one statement."""
    await conn.execute(
        """WITH leaves AS (
               INSERT INTO log_entries (leaf_index, event_id, event_type, subject, event_sha256,
                                        appended_by, appended_at, occurred_at)
               SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],
                                    $5::bytea[], $6::text[], $7::timestamptz[],
                                    $8::timestamptz[]))
           INSERT INTO subtrees (level, index, hash)
           SELECT * FROM unnest($9::smallint[], $10::bigint[], $11::bytea[])""",
        [e.leaf_index for e in entries],
        [e.leaf.event_id for e in entries],
        [e.leaf.event_type for e in entries],
        [e.leaf.subject for e in entries],
        [e.leaf.event_sha256 for e in entries],
        [e.appended_by for e in entries],
        [e.appended_at for e in entries],
        [e.occurred_at for e in entries],
        [s.level for s, _ in subtrees],
        [s.index for s, _ in subtrees],
        [h for _, h in subtrees],
    )


async def read_subtrees(db: Executor, subtrees: Sequence[Subtree]) -> dict[Subtree, bytes]:
    """The stored hashes of the subtrees a plan needs, in one query."""
    if not subtrees:
        return {}
    rows = await db.fetch(
        """SELECT s.level, s.index, s.hash
             FROM unnest($1::smallint[], $2::bigint[]) AS want (level, index)
             JOIN subtrees s USING (level, index)""",
        [s.level for s in subtrees],
        [s.index for s in subtrees],
    )
    return {Subtree(row["level"], row["index"]): bytes(row["hash"]) for row in rows}


# One leaf (by index or by event id) with the stored sibling of its ancestor at each of the
# lowest $2 levels (civicloop.tlog.tree.path_siblings), computed here from its index: one row,
# the siblings in an array from the leaf up, NULL where none is stored (past the tree's end).
_ENTRY_AND_SIBLINGS = f"""
SELECT e.leaf_index, {", ".join(f"e.{c.strip()}" for c in _ENTRY_COLUMNS.split(","))},
       ARRAY(SELECT (SELECT t.hash FROM subtrees t
                      WHERE t.level = up AND t.index = (e.leaf_index >> up) # 1)
               FROM generate_series(0, $2::int - 1) AS up
              ORDER BY up) AS siblings
  FROM log_entries e
 WHERE e.{{key}} = $1"""
_ENTRY_AND_SIBLINGS_BY = {
    "leaf_index": _ENTRY_AND_SIBLINGS.format(key="leaf_index"),
    "event_id": _ENTRY_AND_SIBLINGS.format(key="event_id"),
}


async def entry_and_siblings(
    db: Executor, key: str, value: int | str, levels: int
) -> tuple[Entry, dict[Subtree, bytes]] | None:
    """The leaf whose ``key`` (leaf_index or event_id) is ``value`` and, in the same query,
    the stored siblings of its ancestors at the lowest ``levels`` levels; None when no such
    leaf is on the log."""
    row = await db.fetchrow(_ENTRY_AND_SIBLINGS_BY[key], value, levels)
    if row is None:
        return None
    index = row["leaf_index"]
    hashes = {
        Subtree(level, (index >> level) ^ 1): bytes(found)
        for level, found in enumerate(row["siblings"])
        if found is not None
    }
    return entry_of(row, index), hashes


async def subtrees_from(
    db: Executor, levels: Sequence[int], firsts: Sequence[int], ends: Sequence[int]
) -> list[tuple[int, int, bytes]]:
    """Stored hashes of each level ``levels[i]`` from index ``firsts[i]`` up to ``ends[i]``
    (excluded), as (level, index, hash) in level then index order."""
    rows = await db.fetch(
        """SELECT t.level, t.index, t.hash
             FROM unnest($1::smallint[], $2::bigint[], $3::bigint[]) AS w (level, first, stop)
             JOIN subtrees t ON t.level = w.level AND t.index >= w.first AND t.index < w.stop
            ORDER BY t.level, t.index""",
        list(levels),
        list(firsts),
        list(ends),
    )
    return [(row["level"], row["index"], bytes(row["hash"])) for row in rows]


async def hashes_at(db: Executor, level: int, first: int, count: int) -> list[bytes]:
    """`count` consecutive stored hashes of one level (a tile's content)."""
    rows = await db.fetch(
        """SELECT hash FROM subtrees WHERE level = $1 AND index >= $2 AND index < $2 + $3
           ORDER BY index""",
        level,
        first,
        count,
    )
    return [bytes(row["hash"]) for row in rows]


async def entries_from(db: Executor, first: int, count: int) -> list[Entry]:
    rows = await db.fetch(
        f"""SELECT leaf_index, {_ENTRY_COLUMNS} FROM log_entries
            WHERE leaf_index >= $1 AND leaf_index < $1 + $2 ORDER BY leaf_index""",
        first,
        count,
    )
    return [entry_of(row, row["leaf_index"]) for row in rows]


async def case_entries(
    db: Executor, case_id: str, below_size: int | None, after: int | None, limit: int
) -> list[Entry]:
    """A case's leaves, oldest first; only those under `below_size` when given."""
    rows = await db.fetch(
        f"""SELECT leaf_index, {_ENTRY_COLUMNS} FROM log_entries
            WHERE subject = $1 AND leaf_index < coalesce($2, 9223372036854775807)
              AND leaf_index > coalesce($3, -1)
            ORDER BY leaf_index LIMIT $4""",
        case_id,
        below_size,
        after,
        limit,
    )
    return [entry_of(row, row["leaf_index"]) for row in rows]


_CHECKPOINT = """SELECT c.*, coalesce(
        (SELECT array_agg(line ORDER BY witness_name) FROM cosignatures w
          WHERE w.tree_size = c.tree_size), '{}') AS lines
    FROM checkpoints c"""


def _checkpoint_of(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(
        row["tree_size"],
        bytes(row["root_hash"]),
        row["note"],
        row["key_name"],
        bytes(row["public_key"]),
        row["signed_at"],
        tuple(row["lines"]),
    )


async def latest_checkpoint(db: Executor) -> StoredCheckpoint | None:
    row = await db.fetchrow(f"{_CHECKPOINT} ORDER BY tree_size DESC LIMIT 1")
    return None if row is None else _checkpoint_of(row)


async def latest_cosigned_checkpoint(
    db: Executor, witness_names: Sequence[str]
) -> StoredCheckpoint | None:
    """The newest checkpoint that every one of these witnesses has cosigned."""
    row = await db.fetchrow(
        f"""{_CHECKPOINT}
             WHERE (SELECT count(*) FROM cosignatures w
                     WHERE w.tree_size = c.tree_size AND w.witness_name = ANY($1::text[])) = $2
             ORDER BY tree_size DESC LIMIT 1""",
        list(witness_names),
        len(set(witness_names)),
    )
    return None if row is None else _checkpoint_of(row)


async def checkpoint_at(db: Executor, size: int) -> StoredCheckpoint | None:
    row = await db.fetchrow(f"{_CHECKPOINT} WHERE tree_size = $1", size)
    return None if row is None else _checkpoint_of(row)


async def insert_checkpoint(conn: Connection, checkpoint: StoredCheckpoint) -> None:
    await conn.execute(
        """INSERT INTO checkpoints (tree_size, root_hash, note, key_name, public_key, signed_at)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        checkpoint.tree_size,
        checkpoint.root_hash,
        checkpoint.note,
        checkpoint.key_name,
        checkpoint.public_key,
        checkpoint.signed_at,
    )


async def add_cosignature(db: Executor, tree_size: int, witness_name: str, line: str) -> None:
    await db.execute(
        """INSERT INTO cosignatures (tree_size, witness_name, line) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING""",
        tree_size,
        witness_name,
        line,
    )


async def witnessed_size(db: Executor, witness_name: str) -> int:
    """The largest tree size the witness cosigned (0: none yet)."""
    found = await db.fetchval(
        "SELECT max(tree_size) FROM cosignatures WHERE witness_name = $1", witness_name
    )
    return int(found or 0)
