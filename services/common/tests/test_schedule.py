"""A service's fixed-rate loop (a checkpoint's signing): starts never further apart than asked."""

from __future__ import annotations

import asyncio
import contextlib
import itertools

from civicloop.platform.runtime import on_schedule


async def starts_of(durations: list[float], every: float) -> list[float]:
    loop = asyncio.get_running_loop()
    starts: list[float] = []
    took = itertools.chain(durations, itertools.repeat(0.0))
    done = asyncio.Event()

    async def step() -> None:
        starts.append(loop.time())
        if len(starts) > len(durations):
            done.set()
        await asyncio.sleep(next(took))
        if len(starts) == 2:
            raise RuntimeError("a failed turn is logged, not fatal")

    task = asyncio.create_task(on_schedule(step, every))
    await asyncio.wait_for(done.wait(), 5)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return starts


async def test_each_turn_starts_on_schedule_however_long_the_last_one_took() -> None:
    starts = await starts_of([0.0, 0.15, 0.0, 0.0], every=0.2)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # 0.2 after the previous start, not 0.2 after the previous end (0.35 after the long one).
    assert all(gap < 0.3 for gap in gaps), gaps


async def test_a_turn_that_overran_is_followed_at_once() -> None:
    starts = await starts_of([0.3, 0.0], every=0.1)
    # At once after the 0.3 s turn, not 0.1 s later.
    assert starts[1] - starts[0] < 0.38
