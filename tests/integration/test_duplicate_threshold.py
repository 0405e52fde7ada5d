"""The duplicate threshold, measured where it is applied: pg_trgm in PostgreSQL."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import asyncpg

from civicloop.intake.domain.similarity import DEFAULT_MIN_SIMILARITY, bigram_text

CORPUS = Path(__file__).parents[2] / "services/intake/tests/unit/test_similarity.py"


def corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("similarity_corpus", CORPUS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def scores(intake_db: asyncpg.Pool, pairs: list[tuple[str, str, str]]) -> dict[str, float]:
    """pg_trgm's similarity of each pair, in intake's own database (its migration installs
    the extension)."""
    return {
        category: await intake_db.fetchval(
            "SELECT similarity($1, $2)", bigram_text(a), bigram_text(b)
        )
        for category, a, b in pairs
    }


async def test_the_default_threshold_proposes_every_same_issue_pair(
    intake_db: asyncpg.Pool,
) -> None:
    same = await scores(intake_db, corpus().SAME_ISSUE)
    assert min(same.values()) >= DEFAULT_MIN_SIMILARITY, same


async def test_most_unrelated_pairs_stay_below_the_threshold(intake_db: asyncpg.Pool) -> None:
    unrelated = await scores(intake_db, corpus().UNRELATED)
    below = [c for c, s in unrelated.items() if s < DEFAULT_MIN_SIMILARITY]
    # Text alone lets one of nine through; category, distance and window filter the rest.
    assert len(below) >= len(unrelated) - 1, unrelated
