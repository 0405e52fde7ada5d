"""Near-duplicate detection for Chinese petitions.

Chinese has no spaces, so pg_trgm sees a whole sentence as one word: 小区门口路灯不亮 and
小区门口的路灯坏了不亮 score only 0.31. Rewriting the text as space-separated character
bigrams (小区 区门 门口 ...) makes each bigram a word; pg_trgm then scores that pair 0.50.

Measured in PostgreSQL on the corpus of tests/unit/test_similarity.py (nine categories):
same-issue paraphrases score 0.20-0.50, unrelated petitions of the same category 0.01-0.23.
Text alone cannot separate the two sets completely, so the default threshold favours recall
(0.20) and the other filters (same category, within 300 m, inside the window) cut the rest;
the office reviews every proposal before merging.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_RUNS = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff]")

DEFAULT_MIN_SIMILARITY = 0.2
DEFAULT_MAX_DISTANCE_M = 300.0
DEFAULT_WINDOW_HOURS = 168


def bigram_text(text: str) -> str:
    """The text as space-separated CJK bigrams and lower-case Latin/digit words."""
    tokens: list[str] = []
    for run in _RUNS.findall(text.lower()):
        if _CJK.match(run) and len(run) > 1:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return " ".join(tokens)


def bigram_dice(a: str, b: str) -> float:
    """Dice coefficient of the bigram sets: a pure stand-in for the database score in tests."""
    sa, sb = set(bigram_text(a).split()), set(bigram_text(b).split())
    if not sa or not sb:
        return 0.0
    return 2 * len(sa & sb) / (len(sa) + len(sb))


def clusters(pairs: Iterable[tuple[str, str, float]]) -> list[tuple[list[str], float]]:
    """Group similar pairs into clusters (connected components); each cluster carries the
    lowest similarity that joined it. Sorted largest first, then by first member."""
    parent: dict[str, str] = {}
    weakest: dict[str, float] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, score in pairs:
        ra, rb = find(a), find(b)
        low = min(score, weakest.get(ra, 1.0), weakest.get(rb, 1.0))
        if ra != rb:
            parent[rb] = ra
        weakest[ra] = low
    groups: dict[str, list[str]] = {}
    for member in parent:
        groups.setdefault(find(member), []).append(member)
    result = [(sorted(members), weakest.get(root, 1.0)) for root, members in groups.items()]
    return sorted(result, key=lambda item: (-len(item[0]), item[0][0]))
