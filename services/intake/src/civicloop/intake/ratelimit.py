"""Submission rate limits in Redis: fixed windows per phone (hashed) and per client address.

Counters are safe to lose (Redis here keeps nothing on disk): a restart only forgives.
"""

from __future__ import annotations

import logging
import time

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from civicloop.platform.batching import Batcher
from civicloop.platform.errors import RateLimited

log = logging.getLogger(__name__)

# Every counter of a batch of submissions in one round trip: INCR each key, give a new key
# its window's expiry (ARGV[i], seconds).
_COUNT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[i]) end
end
return counts
"""

# (phone key, address key) -> (phone count, address count), or None when Redis is away.
Counts = tuple[int, int] | None


class SubmissionLimiter:
    def __init__(
        self,
        redis: aioredis.Redis,
        namespace: str,
        per_phone_hour: int,
        per_address_minute: int,
    ) -> None:
        self.prefix = f"{namespace}intake:limit"
        self.per_phone_hour = per_phone_hour
        self.per_address_minute = per_address_minute
        self._count = redis.register_script(_COUNT)
        # Submissions arriving together are counted in one script call.
        self._counter: Batcher[tuple[str, str], Counts] = Batcher(self._count_batch)

    async def check(self, phone_hash: bytes, address: str | None) -> None:
        now = int(time.time())
        hour, minute = now // 3600, now // 60
        phone_key = f"{self.prefix}:phone:{phone_hash.hex()[:32]}:{hour}"
        address_key = f"{self.prefix}:addr:{address or 'unknown'}:{minute}"
        counts = await self._counter.submit((phone_key, address_key))
        if counts is None:
            return
        phone_count, address_count = counts
        if address is not None and address_count > self.per_address_minute:
            raise RateLimited(
                "too many submissions from this address; try again in a minute",
                retry_after_seconds=60 - now % 60,
            )
        if phone_count > self.per_phone_hour:
            raise RateLimited(
                "too many submissions for this phone number this hour",
                retry_after_seconds=3600 - now % 3600,
            )

    async def _count_batch(self, pairs: list[tuple[str, str]]) -> list[Counts | BaseException]:
        keys = [key for pair in pairs for key in pair]
        try:
            counts = await self._count(keys=keys, args=[3600, 60] * len(pairs))
        except RedisError:
            # Fail open: a resident must be able to file while Redis restarts; the limits
            # protect against floods, they are not a record of anything.
            log.warning("rate limit not checked: Redis unavailable", exc_info=True)
            return [None] * len(pairs)
        return [(int(counts[2 * i]), int(counts[2 * i + 1])) for i in range(len(pairs))]
