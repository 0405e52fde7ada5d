"""Rate limits protect against floods; they never stop a resident when Redis is away."""

from __future__ import annotations

import redis.asyncio as aioredis

from civicloop.intake.ratelimit import SubmissionLimiter


async def test_submissions_are_let_through_while_redis_is_unreachable() -> None:
    # Port 1 on the loopback: nothing listens there, so every command fails to connect.
    unreachable = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    limiter = SubmissionLimiter(unreachable, "", per_phone_hour=1, per_address_minute=1)
    for _ in range(3):
        await limiter.check(b"\x01" * 32, "127.0.0.1")  # no RateLimited, no error
    await unreachable.aclose()
