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
)
from civicloop.ledger.sequencer import Sequencer
from civicloop.ledger.store import repository as repo
from civicloop.platform.batching import GroupCommit
from civicloop.platform.clock import Clock
from civicloop.platform.envelope import EventEnvelope, MalformedEvent
from civicloop.platform.errors import Unavailable
from civicloop.platform.inbox import claims_inbox
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
        # The events a consumer holds at once are staged together: one statement and one
        # commit for them all (civicloop.platform.batching), locks taken in event-id order.
        self._staged_events = GroupCommit(
            pool, repo.STAGE_EVENT, lock_order=lambda row: str(row[0])
        )

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

    @claims_inbox
    async def on_case_event(self, _pool: asyncpg.Pool, envelope: EventEnvelope) -> None:
        """The event's digest staged exactly once, its inbox row in the same statement."""
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
        entry = Entry(leaf, f"service:{source}", self.clock(), envelope.time)
        await self._staged_events.execute(repo.stage_event_row(entry))
        self.sequencer.staged.set()
