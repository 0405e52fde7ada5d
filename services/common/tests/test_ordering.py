"""KeyedLock: one key's work in arrival order, other keys alongside, nothing kept after."""

from __future__ import annotations

import asyncio

from civicloop.platform.ordering import KeyedLock


async def test_work_on_one_key_runs_in_arrival_order_and_other_keys_alongside() -> None:
    locks = KeyedLock()
    done: list[str] = []
    running = {"case-1": 0, "case-2": 0}
    overlap: list[bool] = []

    async def handle(key: str, name: str, pause: float) -> None:
        async with locks.hold(key):
            running[key] += 1
            overlap.append(running["case-1"] > 0 and running["case-2"] > 0)
            assert running[key] == 1
            await asyncio.sleep(pause)
            done.append(name)
            running[key] -= 1

    await asyncio.gather(
        handle("case-1", "1 opened", 0.03),
        handle("case-1", "1 accepted", 0.0),
        handle("case-2", "2 opened", 0.01),
        handle("case-1", "1 completed", 0.0),
    )
    assert [n for n in done if n.startswith("1")] == ["1 opened", "1 accepted", "1 completed"]
    assert done[0] == "2 opened"  # it did not wait behind case-1's slow first event
    assert any(overlap)  # case-2 did not wait for case-1
    assert len(locks) == 0
