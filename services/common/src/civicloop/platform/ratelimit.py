"""Rate limits on public endpoints: fixed-window counters in Redis.

Counters are safe to lose (Redis here keeps nothing on disk): a restart only forgives. The
limits protect against floods, they are not a record of anything, so while Redis is away they
are not checked (fail open): a resident can still file a petition or rate a case.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from civicloop.platform.batching import Batcher
from civicloop.platform.errors import RateLimited
from civicloop.platform.metrics import RATE_LIMITS_UNCHECKED

log = logging.getLogger(__name__)

# Every counter of a batch of callers in one round trip: INCRBY each key by its hits
# (ARGV[2i]), give a new key its window's expiry (ARGV[2i-1], seconds).
_COUNT = """
local counts = {}
for i, key in ipairs(KEYS) do
  local hits = tonumber(ARGV[2 * i])
  counts[i] = redis.call('INCRBY', key, hits)
  if counts[i] == hits then redis.call('EXPIRE', key, ARGV[2 * i - 1]) end
end
return counts
"""


@dataclass(frozen=True)
class Window:
    """What one limit counts (``phone:<hash>``, ``addr:<address>``), per ``seconds``."""

    subject: str
    seconds: int


@dataclass(frozen=True)
class WindowCount:
    hits: int  # this one included
    retry_after_seconds: int  # until the window ends and counting starts again


# One caller's windows as (key, seconds, hits).
_Keys = tuple[tuple[str, int, int], ...]


class FixedWindows:
    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self.prefix = prefix
        self._count = redis.register_script(_COUNT)
        # Callers arriving together are counted in one script call.
        self._counter: Batcher[_Keys, list[int] | None] = Batcher(self._count_batch)
        self._redis_away = False

    @property
    def round_trips(self) -> int:
        """Script calls made so far (each counts a batch of callers)."""
        return self._counter.batches

    def counter(self, window: Window, now: int) -> tuple[str, int]:
        """The key that counts ``window``'s hits at ``now`` (epoch seconds), and the seconds
        left until that window ends."""
        return f"{self.prefix}:{window.subject}:{now // window.seconds}", window.seconds

    async def hit(
        self, *windows: Window, hits: int = 1, now: int | None = None
    ) -> list[WindowCount] | None:
        """Count ``hits`` hits in each window at ``now`` (epoch seconds, default the clock's);
        the counts (these included), in order, or None when Redis is away."""
        now = int(time.time()) if now is None else now
        keys = tuple((self.counter(w, now)[0], w.seconds, hits) for w in windows)
        counts = await self._counter.submit(keys)
        if counts is None:
            return None
        return [
            WindowCount(count, w.seconds - now % w.seconds)
            for count, w in zip(counts, windows, strict=True)
        ]

    async def _count_batch(self, callers: list[_Keys]) -> list[list[int] | None | BaseException]:
        keys = [key for caller in callers for key, _, _ in caller]
        args = [arg for caller in callers for _, seconds, hits in caller for arg in (seconds, hits)]
        try:
            counts = [int(n) for n in await self._count(keys=keys, args=args)]
        except RedisError as exc:
            # Said once per outage in the log; the counter tells how much went unchecked.
            if not self._redis_away:
                self._redis_away = True
                log.warning("rate limits not checked until Redis answers again: %r", exc)
            RATE_LIMITS_UNCHECKED.inc(len(callers))
            return [None] * len(callers)
        if self._redis_away:
            self._redis_away = False
            log.info("Redis answers again; rate limits checked")
        answers: list[list[int] | None | BaseException] = []
        for caller in callers:
            answers.append(counts[: len(caller)])
            del counts[: len(caller)]
        return answers


class HitLeases:
    """The hits of a window that this process took from the shared counter ahead of need.

    The counter in Redis numbers every hit of a window across all replicas; a lease of n is
    one INCRBY n, and the numbers it returns are this process's to give out one per request
    without a round trip. A request is let through only with a number within the limit, so
    replicas together never let more through than the limit; numbers leased and not used
    only make it stricter. A window's lease doubles with each refill (1, 2, 4 ... ``most``),
    so an address that calls rarely costs one number per call, a busy one a round trip per
    ``most`` calls. Once a lease is half given out, the next one is asked for (``ahead``) and
    kept aside until this one runs out, so a busy address's requests do not wait for Redis
    at all. Pure bookkeeping: no I/O."""

    def __init__(self, most: int, keep: int = 10_000) -> None:
        self.most = most
        self.keep = keep  # windows remembered at most (old ones are dropped wholesale)
        # key: (next, last, size, first of the lease kept aside or 0, its last)
        self._leases: dict[str, tuple[int, int, int, int, int]] = {}

    def take(self, key: str) -> int | None:
        """The next number leased for ``key``'s window, or None: lease more first."""
        lease = self._leases.get(key)
        if lease is None:
            return None
        number, last, size, aside, aside_last = lease
        if number > last:
            if not aside:
                return None
            number, last, aside, aside_last = aside, aside_last, 0, 0
        self._leases[key] = (number + 1, last, size, aside, aside_last)
        return number

    def next_size(self, key: str) -> int:
        lease = self._leases.get(key)
        return 1 if lease is None else min(self.most, 2 * lease[2])

    def ahead(self, key: str) -> int:
        """The size of the lease to ask for now, ahead of need, or 0: none is kept aside and
        at most half of the current one is left."""
        lease = self._leases.get(key)
        if lease is None or lease[3]:
            return 0
        number, last, size, _, _ = lease
        return min(self.most, 2 * size) if last - number + 1 <= size // 2 else 0

    def leased(self, key: str, size: int, count: int) -> int:
        """The counter stood at ``count`` after an INCRBY ``size``: numbers count-size+1 ..
        count are this process's. Returns the first (for the request that leased them)."""
        self._make_room(key)
        first = count - size + 1
        aside = self._leases.get(key, (0, 0, 0, 0, 0))[3:]
        self._leases[key] = (first + 1, count, size, *aside)
        return first

    def leased_ahead(self, key: str, size: int, count: int) -> None:
        """A lease asked for ahead (``ahead``): kept aside until the current one runs out."""
        self._make_room(key)
        number, last, _, _, _ = self._leases.get(key, (1, 0, 0, 0, 0))
        self._leases[key] = (number, last, size, count - size + 1, count)

    def _make_room(self, key: str) -> None:
        if len(self._leases) >= self.keep and key not in self._leases:
            self._leases.clear()


class AddressLimit:
    """Requests per client address per minute, for public endpoints (a page, a public RPC):
    what a credential in the request cannot stop, a flood of guesses, is refused early.

    With ``lease_at_most`` above 1, hits are leased from the shared counter (``HitLeases``):
    most calls are judged without a Redis round trip, the limit still shared by replicas; the
    next lease is asked for in the background while the current one lasts."""

    def __init__(self, windows: FixedWindows, per_minute: int, *, lease_at_most: int = 1) -> None:
        self.windows = windows
        self.per_minute = per_minute
        self.leases = HitLeases(lease_at_most) if lease_at_most > 1 else None
        self._renewing: dict[str, asyncio.Task[None]] = {}

    async def check(self, address: str | None) -> None:
        if address is None:
            return  # no address to count by (a Unix socket): one shared window would stop all
        window = Window(f"addr:{address}", 60)
        if self.leases is None:
            counts = await self.windows.hit(window)
            if counts is not None:
                self.judge(counts[0])
            return
        now = int(time.time())
        key, seconds = self.windows.counter(window, now)
        number = self.leases.take(key)
        if number is None and (coming := self._renewing.get(key)) is not None:
            # The lease asked for ahead is on its way: another would count hits twice.
            await asyncio.shield(coming)
            number = self.leases.take(key)
        if number is None:
            size = self.leases.next_size(key)
            counts = await self.windows.hit(window, hits=size, now=now)
            if counts is None:
                return  # Redis away: not checked (fail open, as above)
            number = self.leases.leased(key, size, counts[0].hits)
        if (size := self.leases.ahead(key)) and key not in self._renewing:
            self._renewing[key] = asyncio.create_task(self._lease_ahead(window, key, size, now))
        self.judge(WindowCount(number, seconds - now % seconds))

    async def settled(self) -> None:
        """Once the leases asked for ahead have come (a test reading the counter)."""
        await asyncio.gather(*self._renewing.values(), return_exceptions=True)

    async def _lease_ahead(self, window: Window, key: str, size: int, now: int) -> None:
        try:
            counts = await self.windows.hit(window, hits=size, now=now)
            if counts is not None and self.leases is not None:
                self.leases.leased_ahead(key, size, counts[0].hits)
        finally:
            del self._renewing[key]

    def judge(self, count: WindowCount) -> None:
        if count.hits > self.per_minute:
            raise RateLimited("too many requests from this address", count.retry_after_seconds)
