"""Fixed-window counters: concurrent callers share one round trip and each gets its own
counts; while Redis is away nothing is counted and nobody is stopped."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any, cast

import redis.asyncio as aioredis

from civicloop.platform.ratelimit import FixedWindows, Window


class CountingRedis:
    """Runs the counting script's INCRs in memory, one call per batch."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.calls = 0

    def register_script(self, _script: str) -> Any:
        async def run(keys: list[str], args: list[int]) -> list[int]:
            self.calls += 1
            counted = []
            for key in keys:
                self.counts[key] += 1
                counted.append(self.counts[key])
            return counted

        return run


async def test_callers_arriving_together_are_counted_in_one_round_trip() -> None:
    redis = CountingRedis()
    windows = FixedWindows(cast(aioredis.Redis, redis), "t:limit")
    answers = await asyncio.gather(
        *(windows.hit(Window(f"phone:{n}", 3600), Window("addr:10.0.0.7", 60)) for n in range(3))
    )
    assert redis.calls == 1
    assert [[c.hits for c in answer or []] for answer in answers] == [[1, 1], [1, 2], [1, 3]]
    for answer in answers:
        assert answer is not None
        assert 0 < answer[0].retry_after_seconds <= 3600
        assert 0 < answer[1].retry_after_seconds <= 60


async def test_nothing_is_counted_while_redis_is_unreachable() -> None:
    # Port 1 on the loopback: nothing listens there, so every command fails to connect.
    unreachable = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    windows = FixedWindows(unreachable, "t:limit")
    assert await windows.hit(Window("addr:127.0.0.1", 60)) is None
    await unreachable.aclose()
