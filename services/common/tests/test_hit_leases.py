"""Leased hits of a shared rate-limit counter: numbers are unique across replicas, and a busy
address goes to Redis once per lease rather than once per call."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest

from civicloop.platform.errors import RateLimited
from civicloop.platform.ratelimit import (
    AddressLimit,
    FixedWindows,
    HitLeases,
    Window,
    WindowCount,
)


def test_a_lease_gives_out_its_numbers_one_per_call_then_asks_for_a_larger_one() -> None:
    leases = HitLeases(most=4)
    assert leases.take("w") is None
    assert leases.next_size("w") == 1
    assert leases.leased("w", 1, 1) == 1
    assert leases.take("w") is None
    assert leases.next_size("w") == 2
    assert leases.leased("w", 2, 3) == 2
    assert leases.take("w") == 3
    assert leases.take("w") is None
    assert leases.next_size("w") == 4
    assert leases.leased("w", 4, 7) == 4
    assert [leases.take("w") for _ in range(4)] == [5, 6, 7, None]
    assert leases.next_size("w") == 4  # never above ``most``


def test_two_replicas_leasing_from_one_counter_never_give_out_a_number_twice() -> None:
    counter = 0
    given: list[int] = []
    replicas = [HitLeases(most=8), HitLeases(most=8)]
    for call in range(200):
        leases = replicas[call % 2]
        number = leases.take("w")
        if number is None:
            size = leases.next_size("w")
            counter += size
            number = leases.leased("w", size, counter)
        given.append(number)
    assert len(set(given)) == len(given)
    assert max(given) <= counter


def test_old_windows_are_forgotten_past_the_bound() -> None:
    leases = HitLeases(most=4, keep=2)
    leases.leased("a", 1, 1)
    leases.leased("b", 1, 1)
    leases.leased("c", 1, 1)
    assert leases.next_size("a") == 1 and leases.next_size("c") == 2


def test_the_next_lease_is_asked_for_ahead_once_half_is_given_out_and_used_after() -> None:
    leases = HitLeases(most=8)
    assert leases.ahead("w") == 0  # nothing leased yet: the first lease is waited for
    assert leases.leased("w", 4, 4) == 1
    assert leases.take("w") == 2
    assert leases.ahead("w") == 8  # two of four left: ask for the next now
    leases.leased_ahead("w", 8, 20)  # other replicas took 5..12 meanwhile
    assert leases.ahead("w") == 0  # one is kept aside already
    assert [leases.take("w") for _ in range(4)] == [3, 4, 13, 14]
    assert leases.ahead("w") == 0  # six of eight left
    assert [leases.take("w") for _ in range(4)] == [15, 16, 17, 18]
    assert leases.ahead("w") == 8
    assert [leases.take("w") for _ in range(3)] == [19, 20, None]


def test_replicas_leasing_ahead_never_give_out_a_number_twice() -> None:
    counter = 0
    given: list[int] = []
    replicas = [HitLeases(most=8), HitLeases(most=8), HitLeases(most=4)]
    for call in range(300):
        leases = replicas[call % 3 if call % 7 else 0]
        number = leases.take("w")
        if number is None:
            size = leases.next_size("w")
            counter += size
            number = leases.leased("w", size, counter)
        if size := leases.ahead("w"):
            counter += size
            leases.leased_ahead("w", size, counter)
        given.append(number)
    assert len(set(given)) == len(given)
    assert max(given) <= counter


class SlowCounter:
    """FixedWindows' two methods AddressLimit uses, over one in-memory counter whose INCRBY
    answers after a pause (as Redis does, a round trip later)."""

    def __init__(self) -> None:
        self.count = 0
        self.round_trips = 0

    def counter(self, window: Window, now: int) -> tuple[str, int]:
        return f"{window.subject}:{now // window.seconds}", window.seconds

    async def hit(self, window: Window, hits: int = 1, now: int | None = None) -> list[WindowCount]:
        self.round_trips += 1
        await asyncio.sleep(0.01)
        self.count += hits
        return [WindowCount(self.count, 60)]


async def test_a_call_waits_for_the_lease_on_its_way_instead_of_leasing_again() -> None:
    counter = SlowCounter()
    limit = AddressLimit(cast(FixedWindows, counter), per_minute=3, lease_at_most=8)
    await limit.check("10.0.0.7")  # leases 1, asks for 2 more ahead
    await limit.check("10.0.0.7")  # before they came: waits for them, does not lease again
    await limit.check("10.0.0.7")
    with pytest.raises(RateLimited):
        await limit.check("10.0.0.7")
    assert counter.round_trips == 3  # 1, then 2 ahead, then 4 ahead
