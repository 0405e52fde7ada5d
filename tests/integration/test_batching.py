"""Batching against the real PostgreSQL: concurrent statements commit together, and one bad
row fails only its own caller."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from harness import Infra, drop_database, service_database

from civicloop.platform.batching import GroupCommit, SetCommit
from civicloop.platform.db import ensure_database

STATEMENT = "INSERT INTO readings (id, value) VALUES ($1, $2)"


@pytest.fixture
async def pool(infra: Infra, run: dict[str, Any]) -> AsyncIterator[asyncpg.Pool]:
    name = f"batching_t{run['id']}"
    await ensure_database(infra.database_url(name))
    try:
        async with service_database(infra, name) as pool:
            await pool.execute(
                "CREATE TABLE readings (id int PRIMARY KEY, value int NOT NULL CHECK (value >= 0))"
            )
            yield pool
    finally:
        await drop_database(infra, name)


async def test_concurrent_statements_share_batches(pool: asyncpg.Pool) -> None:
    group = GroupCommit(pool, STATEMENT)

    await asyncio.gather(*(group.execute((i, i)) for i in range(40)))

    assert await pool.fetchval("SELECT count(*) FROM readings") == 40
    assert group.batches < 40  # callers that arrived together shared a commit


async def test_a_bad_row_fails_only_its_caller(pool: asyncpg.Pool) -> None:
    group = GroupCommit(pool, STATEMENT)
    values = [5, 6, -1, 7, 8]  # -1 breaks the CHECK

    results = await asyncio.gather(
        *(group.execute((i, v)) for i, v in enumerate(values)), return_exceptions=True
    )

    assert [type(r) for r in results] == [
        type(None),
        type(None),
        asyncpg.CheckViolationError,
        type(None),
        type(None),
    ]
    rows = await pool.fetch("SELECT id FROM readings ORDER BY id")
    assert [r["id"] for r in rows] == [0, 1, 3, 4]


async def test_a_single_statement_reports_its_own_error(pool: asyncpg.Pool) -> None:
    group = GroupCommit(pool, STATEMENT)
    await group.execute((1, 1))

    with pytest.raises(asyncpg.UniqueViolationError):
        await group.execute((1, 2))

    assert await pool.fetchval("SELECT value FROM readings WHERE id = 1") == 1


async def test_a_caller_that_gave_up_is_not_served(pool: asyncpg.Pool) -> None:
    group = GroupCommit(pool, STATEMENT)
    gave_up = asyncio.create_task(group.execute((1, 1)))
    kept = asyncio.create_task(group.execute((2, 2)))
    await asyncio.sleep(0)  # both are waiting for the batch

    gave_up.cancel()
    await kept

    assert [r["id"] for r in await pool.fetch("SELECT id FROM readings")] == [2]


async def test_each_caller_gets_its_own_returned_row_in_lock_order_batches(
    pool: asyncpg.Pool,
) -> None:
    # Locks taken in descending id order: the rows still go back to their own callers.
    group = GroupCommit(
        pool,
        "INSERT INTO readings (id, value) VALUES ($1, $2) RETURNING id * 100 + value AS echo",
        lock_order=lambda row: f"{1000 - row[0]:04d}",
    )

    rows = await asyncio.gather(*(group.fetchrow((i, i % 7)) for i in range(30)))

    assert [row["echo"] for row in rows] == [i * 100 + i % 7 for i in range(30)]


# One run for the whole batch: each item's values as column arrays, only the values not
# negative kept back (a reading it leaves alone), each applied item's position returned.
SET_STATEMENT = """
    WITH written AS (
        INSERT INTO readings (id, value)
        SELECT id, value FROM unnest($1::int[], $2::int[]) WITH ORDINALITY AS r(id, value, n)
         WHERE value <> 99
        RETURNING id)
    SELECT r.n, r.id * 100 + r.value AS echo
      FROM unnest($1::int[], $2::int[]) WITH ORDINALITY AS r(id, value, n)
      JOIN written USING (id)"""


def readings_arguments(items: list[tuple[int, int]]) -> list[list[int]]:
    return [[i for i, _ in items], [v for _, v in items]]


def set_commit(pool: asyncpg.Pool) -> SetCommit[tuple[int, int]]:
    # Locks taken in descending id order: the rows still go back to their own callers.
    return SetCommit(
        pool, SET_STATEMENT, readings_arguments, lock_order=lambda item: f"{1000 - item[0]:04d}"
    )


async def test_a_set_commit_runs_a_batch_as_one_statement_each_caller_its_own_row(
    pool: asyncpg.Pool,
) -> None:
    group = set_commit(pool)

    rows = await asyncio.gather(*(group.fetchrow((i, 99 if i == 3 else i % 7)) for i in range(30)))

    assert [row["echo"] if row else None for row in rows] == [
        None if i == 3 else i * 100 + i % 7 for i in range(30)
    ]
    assert group.batches < 30
    assert await pool.fetchval("SELECT count(*) FROM readings") == 29


async def test_a_bad_item_of_a_set_commit_fails_only_its_caller(pool: asyncpg.Pool) -> None:
    group = set_commit(pool)
    values = [5, 6, -1, 7, 8]  # -1 breaks the CHECK

    results = await asyncio.gather(
        *(group.fetchrow((i, v)) for i, v in enumerate(values)), return_exceptions=True
    )

    assert [type(r).__name__ for r in results] == [
        "Record",
        "Record",
        "CheckViolationError",
        "Record",
        "Record",
    ]
    rows = await pool.fetch("SELECT id FROM readings ORDER BY id")
    assert [r["id"] for r in rows] == [0, 1, 3, 4]
