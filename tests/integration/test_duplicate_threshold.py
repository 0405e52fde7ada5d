"""The duplicate threshold, measured where it is applied: pg_trgm in PostgreSQL."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import asyncpg
from harness import Infra

from civicloop.intake.domain.similarity import DEFAULT_MIN_SIMILARITY, bigram_text

CORPUS = Path(__file__).parents[2] / "services/intake/tests/unit/test_similarity.py"


def corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("similarity_corpus", CORPUS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def scores(infra: Infra, pairs: list[tuple[str, str, str]]) -> dict[str, float]:
    conn = await asyncpg.connect(infra.database_url("postgres"))
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        return {
            category: await conn.fetchval(
                "SELECT similarity($1, $2)", bigram_text(a), bigram_text(b)
            )
            for category, a, b in pairs
        }
    finally:
        await conn.close()


async def test_the_default_threshold_proposes_every_same_issue_pair(infra: Infra) -> None:
    same = await scores(infra, corpus().SAME_ISSUE)
    assert min(same.values()) >= DEFAULT_MIN_SIMILARITY, same


async def test_most_unrelated_pairs_stay_below_the_threshold(infra: Infra) -> None:
    unrelated = await scores(infra, corpus().UNRELATED)
    below = [c for c, s in unrelated.items() if s < DEFAULT_MIN_SIMILARITY]
    # Text alone lets one of nine through; category, distance and window filter the rest.
    assert len(below) >= len(unrelated) - 1, unrelated
