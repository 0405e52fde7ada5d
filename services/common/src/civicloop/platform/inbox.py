"""Idempotent consumers: the inbox row and the effect commit in one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from civicloop.platform.db import Connection
from civicloop.platform.envelope import EventEnvelope

TransactionalHandler = Callable[[Connection, EventEnvelope], Awaitable[None]]


class Inbox:
    """Wraps a handler so a redelivered event is recognised by its id and changes nothing."""

    def __init__(self, pool: asyncpg.Pool, handlers: dict[str, TransactionalHandler]) -> None:
        self.pool = pool
        self.handlers = handlers

    @property
    def event_types(self) -> list[str]:
        return sorted(self.handlers)

    async def __call__(self, envelope: EventEnvelope) -> None:
        handler = self.handlers.get(envelope.type)
        async with self.pool.acquire() as conn, conn.transaction():
            first_time = await conn.fetchval(
                """INSERT INTO inbox (event_id, event_type) VALUES ($1, $2)
                   ON CONFLICT (event_id) DO NOTHING RETURNING true""",
                envelope.id,
                envelope.type,
            )
            if first_time and handler is not None:
                await handler(conn, envelope)
