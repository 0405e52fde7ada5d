"""The transaction every use case runs in, for any aggregate of any service.

A unit of work opens one transaction; the use case loads aggregates through the service's
repositories, changes them, and ``track``s them. ``commit`` writes each tracked aggregate
(the service's ``save``), one outbox row and one history row per domain event it recorded,
and the answer of an idempotent command, then commits: all of it or none of it.

History is keyed by aggregate type and id (a case, an amenity, a batch, a credential...), one
row per version, the same table in every service: the audit trail a supervisor reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from google.protobuf.message import Message

from civicloop.platform import telemetry
from civicloop.platform.commands import CommandLog
from civicloop.platform.db import Connection, commit_sent
from civicloop.platform.domain import Actor, Aggregate, DomainEvent
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.outbox import add_to_outbox

A = TypeVar("A", bound=Aggregate)

# A service's mapping of one domain event of an aggregate to its events.proto payload.
EventMapper = Callable[[A, Any], Message]


@dataclass(frozen=True)
class HistoryRow:
    """One aggregate version: which transition made it, by whom, with which event."""

    aggregate_type: str
    aggregate_id: str
    version: int
    state: str
    event_type: str
    event_id: str
    # Who made the change (a token's subject), and the role it made it under.
    actor: str
    role: str
    at: datetime

    def values(self) -> tuple[Any, ...]:
        return (
            self.aggregate_type,
            self.aggregate_id,
            self.version,
            self.state,
            self.event_type,
            self.event_id,
            self.actor,
            self.role,
            self.at,
        )


# The head of every history insert, here and in the services' one-statement hot paths (which
# add the row as a data-modifying CTE): VALUES or SELECT follow, in this column order.
HISTORY_INSERT = """INSERT INTO history (aggregate_type, aggregate_id, version, state,
                                         event_type, event_id, actor, role, at)"""


def actor_of(source: str, event: DomainEvent) -> Actor:
    """Who made a change: the event's actor, or the service itself (a deadline, a schedule)."""
    if event.actor:
        return event.actor
    return Actor(f"service:{source}", f"service:{source}")


def stage(
    source: str,
    aggregate: A,
    to_message: EventMapper[A],
    *,
    at: datetime | None = None,
) -> tuple[list[EventEnvelope], list[HistoryRow]]:
    """Envelopes and history rows for the aggregate's new events, which it gives up. The
    envelopes carry the current trace context: the span of the transition."""
    trace_headers = telemetry.inject()
    envelopes: list[EventEnvelope] = []
    history: list[HistoryRow] = []
    for event in aggregate.pop_events():
        envelope = EventEnvelope.wrap(
            to_message(aggregate, event),
            source=source,
            subject=aggregate.id,
            trace_headers=trace_headers,
            at=at,
        )
        envelopes.append(envelope)
        actor = actor_of(source, event)
        history.append(
            HistoryRow(
                aggregate.aggregate_type,
                aggregate.id,
                event.version,
                aggregate.state,
                envelope.type,
                envelope.id,
                actor.subject,
                actor.role,
                envelope.time,
            )
        )
    return envelopes, history


async def record(
    conn: Connection, envelopes: Sequence[EventEnvelope], history: Iterable[HistoryRow]
) -> None:
    """Write history and outbox rows into the transaction open on ``conn`` (no commit)."""
    rows = [h.values() for h in history]
    if rows:
        await conn.executemany(
            f"{HISTORY_INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", rows
        )
    await add_to_outbox(conn, envelopes)


class UnitOfWork(Generic[A]):
    """One transaction of one use case. A service subclasses it once: it names its
    ``source``, opens its repositories in ``open_repositories`` and writes an aggregate's rows
    in ``save``.

    Built on a pool, it acquires a connection and owns the transaction. Built on a
    connection whose transaction another owns (an event handler inside the inbox's), it
    writes the same rows there and leaves the commit to that owner.
    """

    source: ClassVar[str]

    def __init__(
        self,
        to_message: EventMapper[A],
        *,
        pool: asyncpg.Pool | None = None,
        conn: Connection | None = None,
    ) -> None:
        if (pool is None) == (conn is None):
            raise TypeError("give a pool (own transaction) or a connection (joined one)")
        self.to_message = to_message
        self._pool = pool
        self._conn: Connection | None = conn
        self._tx: Any = None
        self._tracked: dict[tuple[str, str], A] = {}
        self._history: list[HistoryRow] = []

    async def __aenter__(self) -> Self:
        if self._pool is not None:
            conn = self._conn = await self._pool.acquire()
            try:
                self._tx = conn.transaction()
                await self._tx.start()
            except BaseException:
                # __aexit__ will not run: give the connection back, or the pool drains.
                await self._pool.release(conn)
                self._conn = None
                raise
        self.commands = CommandLog(self.conn)
        self.open_repositories()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is None:
            return  # a joined transaction: its owner commits or rolls back
        assert isinstance(self._conn, PoolConnectionProxy)
        try:
            # A lost connection rolled back by itself: the error that lost it is the one to
            # raise, not the rollback's "connection is closed".
            if self._tx is not None and not self._conn.is_closed():
                await self._tx.rollback()
        finally:
            await self._pool.release(self._conn)
            self._conn = None

    @property
    def conn(self) -> Connection:
        assert self._conn is not None, "use the unit of work inside 'async with'"
        return self._conn

    # ---- what a service provides ----

    def open_repositories(self) -> None:
        """Create the service's repositories on ``self.conn``."""

    async def save(self, aggregate: A) -> None:
        """Write one tracked aggregate's changed rows."""
        raise NotImplementedError

    # ---- what a use case calls ----

    def track(self, *aggregates: A) -> None:
        """Aggregates to write at commit, with their events (in the order first tracked)."""
        for aggregate in aggregates:
            self._tracked.setdefault((aggregate.aggregate_type, aggregate.id), aggregate)

    def add_history(self, row: HistoryRow) -> None:
        """A version that no event of its own reports (e.g. a case merged into another)."""
        self._history.append(row)

    async def commit(self, *, answer: bytes | None = None, authority: str = "") -> None:
        """Write the tracked aggregates, their outbox and history rows, and the command's
        answer (kept for repeats of its request id); then commit, unless joined."""
        envelopes: list[EventEnvelope] = []
        history: list[HistoryRow] = []
        for aggregate in self._tracked.values():
            await self.save(aggregate)
            staged = stage(self.source, aggregate, self.to_message)
            envelopes += staged[0]
            history += staged[1]
        history += self._history
        self._tracked.clear()
        self._history.clear()
        await record(self.conn, envelopes, history)
        if answer is not None:
            await self.commands.answer(answer, authority)
        if self._tx is not None:
            commit_sent()
            await self._tx.commit()
            self._tx = None
