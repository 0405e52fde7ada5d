"""Idempotent consumers: the inbox row and the effect commit in one transaction.

A handler whose whole effect is one SQL statement can claim the event itself: marked with
``@claims_inbox``, it runs without a transaction around it and puts ``INBOX_CLAIM`` first in
its statement, making every write conditional on the claim. One round trip instead of four,
the same guarantee: a redelivered event changes nothing. Such a handler is given the pool, not
a connection held for it, so that its statement can join a ``GroupCommit`` with the
statements of the events handled alongside it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import asyncpg

from civicloop.platform.db import Connection
from civicloop.platform.envelope import EventEnvelope

H = TypeVar("H", bound=Callable[..., Any])

# An ordinary handler runs inside the transaction that records the event in the inbox; a
# self-claiming one (``@claims_inbox``) is called with the pool instead of a connection.
TransactionalHandler = Callable[[Connection, EventEnvelope], Awaitable[None]]
SelfClaimingHandler = Callable[[asyncpg.Pool, EventEnvelope], Awaitable[None]]
InboxHandler = TransactionalHandler | SelfClaimingHandler

# The first CTE of a self-claiming handler's statement; $1 is the event id, $2 its type.
# Later CTEs write only ``FROM claim`` (no row when the event was applied before).
INBOX_CLAIM = """claim AS (
    INSERT INTO inbox (event_id, event_type) VALUES ($1, $2)
    ON CONFLICT (event_id) DO NOTHING RETURNING true)"""


def claims_inbox(handler: H) -> H:
    """Mark a handler that records its inbox row in its own single statement."""
    handler.claims_inbox = True  # type: ignore[attr-defined]
    return handler


class Inbox:
    """Wraps a handler so a redelivered event is recognised by its id and changes nothing."""

    def __init__(self, pool: asyncpg.Pool, handlers: dict[str, InboxHandler]) -> None:
        self.pool = pool
        self.handlers = handlers

    @property
    def event_types(self) -> list[str]:
        return sorted(self.handlers)

    async def __call__(self, envelope: EventEnvelope) -> None:
        handler = self.handlers.get(envelope.type)
        if handler is not None:
            # Checked before any handler sees it: a message no delivery could apply is
            # parked at once (MalformedEvent), not retried until the delivery limit.
            envelope.readable_payload()
        if handler is not None and getattr(handler, "claims_inbox", False):
            await cast(SelfClaimingHandler, handler)(self.pool, envelope)
            return
        async with self.pool.acquire() as conn, conn.transaction():
            first_time = await conn.fetchval(
                f"WITH {INBOX_CLAIM} SELECT * FROM claim", envelope.id, envelope.type
            )
            if first_time and handler is not None:
                await cast(TransactionalHandler, handler)(conn, envelope)
