"""The Batcher's own rules: callers of one turn share a batch, and one batch runs at a time
while the next one fills (or as many as ``in_flight`` allows)."""

from __future__ import annotations

import asyncio

import pytest

from civicloop.platform.batching import Batcher


class SlowRunner:
    """Runs a batch in a few turns of the loop, noting how many ran at once."""

    def __init__(self) -> None:
        self.running = 0
        self.most_at_once = 0
        self.sizes: list[int] = []

    async def __call__(self, items: list[int]) -> list[int | BaseException]:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        self.sizes.append(len(items))
        await asyncio.sleep(0.01)
        self.running -= 1
        return [item * 2 for item in items]


async def test_callers_of_one_turn_share_one_batch() -> None:
    runner = SlowRunner()
    batcher: Batcher[int, int] = Batcher(runner)

    results = await asyncio.gather(*(batcher.submit(i) for i in range(10)))

    assert results == [i * 2 for i in range(10)]
    assert runner.sizes == [10]


async def test_one_batch_runs_at_a_time_and_later_callers_share_the_next() -> None:
    runner = SlowRunner()
    batcher: Batcher[int, int] = Batcher(runner)

    async def arrive(item: int) -> int:
        await asyncio.sleep(0.002 * item)  # callers keep arriving while batches run
        return await batcher.submit(item)

    results = await asyncio.gather(*(arrive(i) for i in range(30)))

    assert results == [i * 2 for i in range(30)]
    assert runner.most_at_once == 1
    assert sum(runner.sizes) == 30
    assert len(runner.sizes) < 30  # the callers that came during a batch went together


async def test_in_flight_batches_overlap_up_to_the_limit_and_each_caller_gets_its_own() -> None:
    runner = SlowRunner()
    batcher: Batcher[int, int] = Batcher(runner, max_batch=4, in_flight=3)

    async def arrive(item: int) -> int:
        await asyncio.sleep(0.001 * item)
        return await batcher.submit(item)

    results = await asyncio.gather(*(arrive(i) for i in range(40)))

    assert results == [i * 2 for i in range(40)]
    assert runner.most_at_once == 3
    assert sum(runner.sizes) == 40


@pytest.mark.parametrize("in_flight", [1, 2])
async def test_stopping_cancels_the_callers_of_batches_in_flight_and_waiting(
    in_flight: int,
) -> None:
    started = asyncio.Event()

    async def never_done(items: list[int]) -> list[int | BaseException]:
        started.set()
        await asyncio.Event().wait()
        return items

    batcher: Batcher[int, int] = Batcher(never_done, max_batch=1, in_flight=in_flight)
    callers = [asyncio.create_task(batcher.submit(i)) for i in range(5)]
    await started.wait()
    await asyncio.sleep(0.01)
    assert batcher._flusher is not None
    batcher._flusher.cancel()

    # No caller is left waiting, the one whose batch is running included.
    outcomes = await asyncio.wait_for(asyncio.gather(*callers, return_exceptions=True), 2)

    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)


async def test_many_items_of_one_caller_go_in_batches_in_order_each_with_its_outcome() -> None:
    async def run(items: list[int]) -> list[int | BaseException]:
        return [ValueError(item) if item == 3 else item * 2 for item in items]

    batcher: Batcher[int, int] = Batcher(run, max_batch=4)

    outcomes = await batcher.submit_many(list(range(6)))

    assert outcomes[:3] == [0, 2, 4] and outcomes[4:] == [8, 10]
    assert isinstance(outcomes[3], ValueError)
    assert batcher.batches == 2
