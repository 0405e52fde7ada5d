"""The rates' counts against the real PostgreSQL: what a fact adds is appended and folded into
the counts later; GetRates' query reads the same figures before and after the fold, at every
grain (a department, a community, both, the whole city)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from harness import Infra, drop_database, service_database

from civicloop.platform.db import PLATFORM_MIGRATIONS, ensure_database, migrate
from civicloop.platform.paging import PageRequest
from civicloop.rating.queries import Grouping, RateFilter, RatingQueries
from civicloop.rating.store.repository import fold_rate_counts

DEPARTMENTS = ("D01", "D02", "D03")
COMMUNITIES = ("C001", "C002", "C003", "C004")
MONTHS = ("2026-10", "2026-11")
COLUMNS = ("rated", "satisfied", "completed", "on_time", "closed", "resolved")


@pytest.fixture
async def pool(infra: Infra, run: dict[str, Any]) -> AsyncIterator[asyncpg.Pool]:
    name = f"rate_counts_t{run['id']}"
    await ensure_database(infra.database_url(name))
    try:
        async with service_database(infra, name) as pool:
            await migrate(pool, "platform", PLATFORM_MIGRATIONS)
            await migrate(pool, "rating", "civicloop.rating.store.migrations")
            yield pool
    finally:
        await drop_database(infra, name)


def _filters() -> list[RateFilter]:
    every = [
        frozenset(),
        frozenset({Grouping.DEPARTMENT}),
        frozenset({Grouping.COMMUNITY}),
        frozenset({Grouping.MONTH}),
        frozenset({Grouping.DEPARTMENT, Grouping.COMMUNITY, Grouping.MONTH}),
    ]
    return [
        *(RateFilter(g, None, None, MONTHS[0], MONTHS[-1]) for g in every),
        RateFilter(frozenset({Grouping.MONTH}), ["D02"], None, MONTHS[0], MONTHS[-1]),
        RateFilter(frozenset(), None, "C003", MONTHS[0], MONTHS[-1]),
        RateFilter(frozenset({Grouping.MONTH}), ["D01", "D03"], "C001", MONTHS[0], MONTHS[-1]),
    ]


async def _all_rates(queries: RatingQueries) -> list[list[Any]]:
    return [
        (await queries.rates(wanted, PageRequest(200, None)))[0] for wanted in _filters()
    ]


async def _append(pool: asyncpg.Pool, facts: list[tuple[Any, ...]]) -> None:
    await pool.executemany(
        f"""INSERT INTO rate_count_changes (department_code, community_code, month,
                                            {", ".join(COLUMNS)})
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        facts,
    )


async def test_the_rates_read_the_same_before_and_after_the_changes_are_folded(
    pool: asyncpg.Pool,
) -> None:
    chance = random.Random(11)
    queries = RatingQueries(pool)

    def facts(count: int) -> list[tuple[Any, ...]]:
        return [
            (
                chance.choice(DEPARTMENTS),
                chance.choice(COMMUNITIES),
                chance.choice(MONTHS),
                *(chance.randint(0, 1) for _ in COLUMNS),
            )
            for _ in range(count)
        ]

    first, second = facts(300), facts(200)
    await _append(pool, first)
    await fold_rate_counts(pool)
    await _append(pool, second)  # some folded, some not yet

    before = await _all_rates(queries)
    await fold_rate_counts(pool)
    after = await _all_rates(queries)

    assert before == after
    assert await pool.fetchval("SELECT count(*) FROM rate_count_changes") == 0
    # The city-wide figure of a month is the sum of what was appended for it, by hand.
    city = {row.key[2]: row.counts for row in after[3]}
    for month in MONTHS:
        appended = [f for f in first + second if f[2] == month]
        assert city[month].rated == sum(f[3] for f in appended)
        assert city[month].resolved == sum(f[8] for f in appended)
    # A department's month, the same.
    d02 = {row.key[2]: row.counts for row in after[5]}
    for month in MONTHS:
        appended = [f for f in first + second if f[2] == month and f[0] == "D02"]
        assert d02[month].on_time == sum(f[6] for f in appended)
