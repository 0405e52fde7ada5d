"""Submission rate limits in Redis: fixed windows per phone (hashed) and per client address.

Counters are safe to lose (Redis here keeps nothing on disk): a restart only forgives.
"""

from __future__ import annotations

import time

import redis.asyncio as aioredis

from civicloop.platform.errors import RateLimited


class SubmissionLimiter:
    def __init__(
        self, redis: aioredis.Redis, namespace: str, per_phone_hour: int, per_address_minute: int
    ) -> None:
        self.redis = redis
        self.prefix = f"{namespace}intake:limit"
        self.per_phone_hour = per_phone_hour
        self.per_address_minute = per_address_minute

    async def check(self, phone_hash: bytes, address: str | None) -> None:
        now = int(time.time())
        hour, minute = now // 3600, now // 60
        phone_key = f"{self.prefix}:phone:{phone_hash.hex()[:32]}:{hour}"
        address_key = f"{self.prefix}:addr:{address or 'unknown'}:{minute}"
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.incr(phone_key)
            pipe.expire(phone_key, 3600)
            pipe.incr(address_key)
            pipe.expire(address_key, 60)
            phone_count, _, address_count, _ = await pipe.execute()
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
