"""Intake's rate limiter against the real Redis: submissions that arrive together are counted
in one round trip and still each counted once."""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis
from harness import Infra

from civicloop.intake.ratelimit import SubmissionLimiter
from civicloop.platform.errors import RateLimited


async def test_concurrent_submissions_from_one_address_stop_at_the_limit(
    infra: Infra, run: dict[str, Any]
) -> None:
    redis = aioredis.from_url(infra.redis_url)
    namespace = f"{run['namespace']}limits."
    limiter = SubmissionLimiter(redis, namespace, per_phone_hour=100, per_address_minute=5)
    try:
        outcomes = await asyncio.gather(
            *(limiter.check(bytes([n]) * 32, "10.0.0.7") for n in range(12)),
            return_exceptions=True,
        )

        assert outcomes.count(None) == 5
        assert all(isinstance(o, RateLimited) for o in outcomes if o is not None)
        # Another address has its own window.
        await limiter.check(b"\xff" * 32, "10.0.0.8")
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{namespace}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
