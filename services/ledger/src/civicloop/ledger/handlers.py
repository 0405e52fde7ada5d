"""What changes the log: appends by services, and the evidence of every case event."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime

import asyncpg

from civicloop.ledger.domain.evidence import (
    Answer,
    Entry,
    EvidenceConflict,
    check_same_content,
)
from civicloop.ledger.sequencer import Sequencer
from civicloop.ledger.store import repository as repo
from civicloop.platform.clock import Clock
from civicloop.platform.db import Connection
from civicloop.platform.envelope import EventEnvelope, MalformedEvent
from civicloop.platform.errors import Unavailable
from civicloop.tlog.errors import MalformedError
from civicloop.tlog.evidence import EvidenceLeaf

log = logging.getLogger(__name__)


class Ledger:
    def __init__(
        self, pool: asyncpg.Pool, sequencer: Sequencer, clock: Clock, append_wait: float
    ) -> None:
        self.pool = pool
        self.sequencer = sequencer
        self.clock = clock
        self.append_wait = append_wait

    async def _stage(self, conn: Connection, entry: Entry) -> tuple[Entry, bool]:
        stored, already = await repo.stage(conn, entry)
        if already:
            try:
                check_same_content(stored.leaf, entry.leaf)
            except EvidenceConflict:
                log.error(
                    "evidence conflict: event %s offered by %s with content other than the "
                    "log's (tampering or a defect upstream); refused",
                    entry.leaf.event_id,
                    entry.appended_by,
                )
                raise
        else:
            self.sequencer.staged.set()
        return stored, already

    async def append(
        self, leaf: EvidenceLeaf, appended_by: str, occurred_at: datetime | None
    ) -> tuple[Entry, bool]:
        """Append (or find) the leaf; answered once it has its leaf index, durably."""
        try:
            async with asyncio.timeout(self.append_wait):
                return await self.sequencer.append(
                    Entry(leaf, appended_by, self.clock(), occurred_at)
                )
        except TimeoutError:
            raise Unavailable(
                f"event {leaf.event_id} was not integrated within {self.append_wait:g} s; "
                "repeat the same request to get its leaf index"
            ) from None

    async def append_many(
        self, offered: Sequence[tuple[EvidenceLeaf, datetime | None]], appended_by: str
    ) -> list[Answer]:
        """``append`` for each (leaf, occurred at), integrated together; answered once every
        one is durably on the log: each its entry, or its conflict."""
        at = self.clock()
        try:
            async with asyncio.timeout(self.append_wait):
                return await self.sequencer.append_many(
                    [Entry(leaf, appended_by, at, occurred) for leaf, occurred in offered]
                )
        except TimeoutError:
            raise Unavailable(
                f"the batch of {len(offered)} was not integrated within {self.append_wait:g} s;"
                " repeat the same request to get the leaf indexes"
            ) from None

    async def on_case_event(self, conn: Connection, envelope: EventEnvelope) -> None:
        """Inside the inbox's transaction: the event's digest staged exactly once."""
        try:
            leaf = EvidenceLeaf(
                envelope.id,
                envelope.type,
                envelope.subject,
                hashlib.sha256(envelope.data).digest(),
            )
        except MalformedError as exc:
            # No delivery could ever be evidenced: parked at once, not retried.
            raise MalformedEvent(f"cannot be evidenced: {exc}") from None
        source = envelope.source or "unknown"
        await self._stage(conn, Entry(leaf, f"service:{source}", self.clock(), envelope.time))
