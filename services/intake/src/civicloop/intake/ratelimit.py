"""Submission rate limits: fixed windows per phone (hashed) and per client address."""

from __future__ import annotations

import redis.asyncio as aioredis

from civicloop.platform.errors import RateLimited
from civicloop.platform.ratelimit import FixedWindows, Window


class SubmissionLimiter:
    def __init__(
        self,
        redis: aioredis.Redis,
        namespace: str,
        per_phone_hour: int,
        per_address_minute: int,
    ) -> None:
        self.windows = FixedWindows(redis, f"{namespace}intake:limit")
        self.per_phone_hour = per_phone_hour
        self.per_address_minute = per_address_minute

    async def check(self, phone_hash: bytes, address: str | None) -> None:
        counts = await self.windows.hit(
            Window(f"phone:{phone_hash.hex()[:32]}", 3600),
            Window(f"addr:{address or 'unknown'}", 60),
        )
        if counts is None:
            return
        by_phone, by_address = counts
        if address is not None and by_address.hits > self.per_address_minute:
            raise RateLimited(
                "too many submissions from this address; try again in a minute",
                retry_after_seconds=by_address.retry_after_seconds,
            )
        if by_phone.hits > self.per_phone_hour:
            raise RateLimited(
                "too many submissions for this phone number this hour",
                retry_after_seconds=by_phone.retry_after_seconds,
            )
