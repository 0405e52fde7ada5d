"""The sequencer: integrates staged appends into the tree in batches and signs checkpoints.

Both steps run in one transaction each under one advisory lock, so replicas take turns: the
leaf indexes of a batch, the subtrees it completes and (separately) a checkpoint are written
whole or not at all. A batch takes what events staged (durably, in their inbox transaction)
and the appends that callers of AppendEvidence are waiting on, which are answered only once
it has committed: a process killed mid-batch leaves the staged ones for the next turn and has
acknowledged none of the others. A checkpoint is signed only over hashes already committed, at
most one per tree size (the table's primary key says so too).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

import asyncpg

from civicloop.ledger.domain.evidence import (
    Answer,
    Batch,
    Entry,
    EvidenceConflict,
    sort_out_batch,
)
from civicloop.ledger.store import repository as repo
from civicloop.ledger.store.repository import StoredCheckpoint
from civicloop.platform.batching import Batcher
from civicloop.platform.db import Connection, commit_sent
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.outbox import add_to_outbox
from civicloop.platform.protobuf import timestamp
from civicloop.tlog.checkpoint import ledger_checkpoint, sign_checkpoint
from civicloop.tlog.note import NoteSigner
from civicloop.tlog.tree import root_plan
from civicloop.v1 import events_pb2

log = logging.getLogger(__name__)

# What else a batch's transaction does with the leaves it integrated (the credentials' events).
Integrated = Callable[[Connection, Sequence[Entry]], Awaitable[None]]

# pg_advisory_xact_lock key of the sequencer ("LEDGERSQ" as a big-endian integer).
SEQUENCER_LOCK = 0x4C45444745525351


async def _lock(conn: Connection) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock($1)", SEQUENCER_LOCK)


class Sequencer:
    def __init__(
        self,
        pool: asyncpg.Pool,
        signer: NoteSigner,
        origin: str,
        batch_size: int,
        now: Callable[[], datetime],
    ) -> None:
        self.pool = pool
        self.on_integrated: list[Integrated] = []
        self.signer = signer
        self.origin = origin
        self.batch_size = batch_size
        self.now = now
        # Set when an append is staged here (integrate it now).
        self.staged = asyncio.Event()
        # Appends of concurrent callers, integrated together: one transaction and one commit
        # for all that arrive while the previous batch is in flight.
        self._offers: Batcher[Entry, tuple[Entry, bool]] = Batcher(
            self._integrate_offers, max_batch=batch_size
        )

    async def append(self, entry: Entry) -> tuple[Entry, bool]:
        """Integrate the entry (with whatever else is staged or offered meanwhile) and answer
        once it is committed: the entry as on the log, and whether it was there already.
        Raises EvidenceConflict when its event id is on the log with other content."""
        commit_sent()
        return await self._offers.submit(entry)

    async def append_many(self, entries: Sequence[Entry]) -> list[Answer]:
        """``append`` for each entry, integrated together (in order, in as few batches as
        ``batch_size`` allows): each one's answer, a conflict among them. Raises when the
        integration itself failed (the database), as ``append`` does."""
        commit_sent()
        answers: list[Answer] = []
        for outcome in await self._offers.submit_many(entries):
            if isinstance(outcome, EvidenceConflict):
                answers.append(outcome)
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                answers.append(outcome)
        return answers

    async def _integrate_offers(self, offered: list[Entry]) -> list[Answer | BaseException]:
        return list((await self.integrate(offered)).answers)

    async def integrate(self, offered: Sequence[Entry] = ()) -> Batch:
        """One batch onto the log: the oldest staged appends, then the offered entries."""
        async with self.pool.acquire() as conn, conn.transaction():
            await _lock(conn)
            staged, logged = await repo.take_pending(
                conn, self.batch_size, [e.leaf.event_id for e in offered]
            )
            if not staged and not offered:
                return Batch([], [], [])
            # The tree as stored, not as this process remembers it: a hash changed behind
            # the log's back flows into the next checkpoint, where witnesses see it.
            tree = await repo.stored_tree(conn)
            batch = sort_out_batch(staged, offered, logged, tree.size)
            for known, conflicting in batch.conflicts:
                log.error(
                    "evidence conflict: event %s is on the log as %s/%s/%s, offered as"
                    " %s/%s/%s; the offer is refused (tampering or a defect upstream)",
                    conflicting.event_id,
                    known.event_type,
                    known.subject,
                    known.event_sha256.hex(),
                    conflicting.event_type,
                    conflicting.subject,
                    conflicting.event_sha256.hex(),
                )
            if batch.new:
                completed = tree.extend(e.leaf.leaf_hash for e in batch.new)
                await repo.append_leaves(conn, batch.new, completed)
                for hook in self.on_integrated:
                    await hook(conn, batch.new)
        return batch

    async def integrate_all(self) -> None:
        """Every staged append, in batches."""
        while (await self.integrate()).staged >= self.batch_size:
            pass

    async def sign(self) -> StoredCheckpoint | None:
        """A checkpoint of the tree as integrated, when it grew since the last one."""
        async with self.pool.acquire() as conn, conn.transaction():
            await _lock(conn)
            size = await repo.tree_size(conn)
            latest = await repo.latest_checkpoint(conn)
            if latest is not None and latest.tree_size >= size:
                return None
            plan = root_plan(size)
            (root,) = plan.assemble(await repo.read_subtrees(conn, plan.subtrees))
            at = self.now()
            note = sign_checkpoint(ledger_checkpoint(self.origin, size, root, at), self.signer)
            checkpoint = StoredCheckpoint(
                size,
                root,
                note.format(),
                self.signer.name,
                self.signer.verifier.public_key,
                at,
            )
            await repo.insert_checkpoint(conn, checkpoint)
            signed = events_pb2.CheckpointSigned(
                log_id=self.origin,
                tree_size=size,
                root_hash=root,
                signature=note.signatures[0].signature,
                signed_at=timestamp(at),
            )
            await add_to_outbox(
                conn, [EventEnvelope.wrap(signed, source="ledger", subject=self.origin, at=at)]
            )
        log.info("checkpoint signed", extra={"fields": {"tree_size": size, "root": root.hex()}})
        return checkpoint
