"""The transaction every use case runs in: state changes, the case history and the outbox
commit together or not at all. Services subclass it with their repositories."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from google.protobuf.message import Message

from civicloop.platform import telemetry
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.outbox import add_to_outbox


@dataclass(frozen=True)
class HistoryRow:
    """One case version: which transition made it, by whom, with which event."""

    case_id: str
    version: int
    state: str
    event_type: str
    event_id: str
    actor: str
    at: datetime


def stage(
    source: str, subject: str, state: str, events: Iterable[tuple[Message, int, str]]
) -> tuple[list[EventEnvelope], list[HistoryRow]]:
    """Envelopes and history rows for one case's new events, each ``(message, version,
    actor)``. The envelopes carry the current trace context: the span of the transition."""
    trace_headers = telemetry.inject()
    envelopes: list[EventEnvelope] = []
    history: list[HistoryRow] = []
    for message, version, actor in events:
        envelope = EventEnvelope.wrap(
            message, source=source, subject=subject, trace_headers=trace_headers
        )
        envelopes.append(envelope)
        history.append(
            HistoryRow(subject, version, state, envelope.type, envelope.id, actor, envelope.time)
        )
    return envelopes, history


class Transaction:
    """Acquire a connection, open a transaction; roll back unless ``finish`` committed."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._conn: PoolConnectionProxy | None = None
        self._tx: Any = None

    async def __aenter__(self) -> Self:
        self._conn = await self.pool.acquire()
        try:
            self._tx = self._conn.transaction()
            await self._tx.start()
        except BaseException:
            # __aexit__ will not run: give the connection back, or the pool drains.
            await self.pool.release(self._conn)
            self._conn = None
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        try:
            if self._tx is not None:
                await self._tx.rollback()
        finally:
            await self.pool.release(self._conn)
            self._conn = None

    @property
    def conn(self) -> PoolConnectionProxy:
        assert self._conn is not None, "use the unit of work inside 'async with'"
        return self._conn

    async def finish(
        self, envelopes: Sequence[EventEnvelope], history: Sequence[HistoryRow]
    ) -> None:
        """Write the history and outbox rows, then commit."""
        await record(self.conn, envelopes, history)
        await self._tx.commit()
        self._tx = None


# The head of every history insert, here and in the services' one-statement hot paths.
HISTORY_INSERT = """INSERT INTO case_history (case_id, version, state, event_type, event_id,
                                              actor, at)"""


async def record(
    conn: Any, envelopes: Sequence[EventEnvelope], history: Sequence[HistoryRow]
) -> None:
    """Write history and outbox rows into the transaction open on ``conn`` (no commit):
    for event handlers, whose transaction the inbox owns."""
    if history:
        await conn.executemany(
            f"{HISTORY_INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (h.case_id, h.version, h.state, h.event_type, h.event_id, h.actor, h.at)
                for h in history
            ],
        )
    await add_to_outbox(conn, envelopes)
