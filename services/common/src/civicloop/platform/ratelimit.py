"""Rate limits on public endpoints: fixed-window counters in Redis.

Counters are safe to lose (Redis here keeps nothing on disk): a restart only forgives. The
limits protect against floods, they are not a record of anything, so while Redis is away they
are not checked (fail open): a resident can still file a petition or rate a case.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from civicloop.platform.batching import Batcher
from civicloop.platform.errors import RateLimited
from civicloop.platform.metrics import RATE_LIMITS_UNCHECKED

log = logging.getLogger(__name__)

# Every counter of a batch of callers in one round trip: INCR each key, give a new key its
# window's expiry (ARGV[i], seconds).
_COUNT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[i]) end
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


# One caller's windows as (key, seconds).
_Keys = tuple[tuple[str, int], ...]


class FixedWindows:
    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self.prefix = prefix
        self._count = redis.register_script(_COUNT)
        # Callers arriving together are counted in one script call.
        self._counter: Batcher[_Keys, list[int] | None] = Batcher(self._count_batch)
        self._redis_away = False

    def counter(self, window: Window, now: int) -> tuple[str, int]:
        """The key that counts ``window``'s hits at ``now`` (epoch seconds), and the seconds
        left until that window ends."""
        return f"{self.prefix}:{window.subject}:{now // window.seconds}", window.seconds

    async def hit(self, *windows: Window) -> list[WindowCount] | None:
        """Count one hit in each window; the counts, in order, or None when Redis is away."""
        now = int(time.time())
        keys = tuple((self.counter(w, now)[0], w.seconds) for w in windows)
        hits = await self._counter.submit(keys)
        if hits is None:
            return None
        return [
            WindowCount(count, w.seconds - now % w.seconds)
            for count, w in zip(hits, windows, strict=True)
        ]

    async def _count_batch(self, callers: list[_Keys]) -> list[list[int] | None | BaseException]:
        keys = [key for caller in callers for key, _ in caller]
        expiries = [seconds for caller in callers for _, seconds in caller]
        try:
            counts = [int(n) for n in await self._count(keys=keys, args=expiries)]
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


class AddressLimit:
    """Requests per client address per minute, for public endpoints (a page, a public RPC):
    what a credential in the request cannot stop, a flood of guesses, is refused early."""

    def __init__(self, windows: FixedWindows, per_minute: int) -> None:
        self.windows = windows
        self.per_minute = per_minute

    async def check(self, address: str | None) -> None:
        if address is None:
            return  # no address to count by (a Unix socket): one shared window would stop all
        counts = await self.windows.hit(Window(f"addr:{address}", 60))
        if counts is not None:
            self.judge(counts[0])

    def judge(self, count: WindowCount) -> None:
        if count.hits > self.per_minute:
            raise RateLimited("too many requests from this address", count.retry_after_seconds)

    def counted_with(self, address: str | None) -> CountedHit | None:
        """For a hot path that goes to Redis anyway: the hit counted in the same round trip
        as its own commands (its pipeline or script INCRs ``key``, sets the expiry on the
        window's first hit), judged from the count (``verdict``). None without an address
        (see ``check``)."""
        if address is None:
            return None
        now = int(time.time())
        key, seconds = self.windows.counter(Window(f"addr:{address}", 60), now)
        return CountedHit(self, key, seconds, seconds - now % seconds)


@dataclass(frozen=True)
class CountedHit:
    """One hit of an address window, counted by the caller's own Redis round trip: INCR
    ``key``, and on the window's first hit an expiry of ``seconds``, as the script above."""

    limit: AddressLimit
    key: str
    seconds: int
    retry_after_seconds: int

    def verdict(self, count: int) -> None:
        """Refuse the request when the count is over the limit."""
        self.limit.judge(WindowCount(count, self.retry_after_seconds))
