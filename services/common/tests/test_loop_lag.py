"""The event-loop lag histogram sees a loop that something holds."""

from __future__ import annotations

import asyncio
import contextlib
import time

from civicloop.platform.metrics import EVENT_LOOP_LAG_SECONDS, watch_event_loop_lag


def observed_at_least(seconds: float) -> float:
    """How many lag observations so far were above ``seconds`` (a bucket bound)."""
    buckets = {
        sample.labels["le"]: sample.value
        for metric in EVENT_LOOP_LAG_SECONDS.collect()
        for sample in metric.samples
        if sample.name.endswith("_bucket")
    }
    return buckets["+Inf"] - buckets[str(seconds)]


async def test_a_held_loop_is_observed_as_lag() -> None:
    before = observed_at_least(0.1)
    watcher = asyncio.create_task(watch_event_loop_lag(interval_seconds=0.01))
    await asyncio.sleep(0.02)  # the watcher's timer is set
    time.sleep(0.15)  # noqa: ASYNC251 - the point: a handler that blocks the loop
    await asyncio.sleep(0.03)  # the late timer fires and is observed
    watcher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watcher
    assert observed_at_least(0.1) >= before + 1
