"""Submission rate limits in Redis: fixed windows per phone (hashed) and per client address.

Counters are safe to lose (Redis here keeps nothing on disk): a restart only forgives.
"""

from __future__ import annotations

import logging
import time

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from civicloop.platform.errors import RateLimited

log = logging.getLogger(__name__)

# Both counters in one round trip: INCR each key, give a new key its window's expiry.
_COUNT_BOTH = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[i]) end
end
return counts
"""


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
        self._count_both = redis.register_script(_COUNT_BOTH)

    async def check(self, phone_hash: bytes, address: str | None) -> None:
        now = int(time.time())
        hour, minute = now // 3600, now // 60
        phone_key = f"{self.prefix}:phone:{phone_hash.hex()[:32]}:{hour}"
        address_key = f"{self.prefix}:addr:{address or 'unknown'}:{minute}"
        try:
            phone_count, address_count = await self._count_both(
                keys=[phone_key, address_key], args=[3600, 60]
            )
        except RedisError:
            # Fail open: a resident must be able to file while Redis restarts; the limits
            # protect against floods, they are not a record of anything.
            log.warning("rate limit not checked: Redis unavailable", exc_info=True)
            return
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
