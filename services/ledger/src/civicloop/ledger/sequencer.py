"""The sequencer: integrates staged appends into the tree in batches and signs checkpoints.

Both steps run in one transaction each under one advisory lock, so replicas take turns: the
leaf indexes of a batch, the subtrees it completes and (separately) a checkpoint are written
whole or not at all. A process killed mid-batch leaves its appends staged for the next turn,
and a checkpoint is signed only over hashes already committed, at most one per tree size (the
table's primary key says so too).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime

import asyncpg

from civicloop.ledger.domain.evidence import Entry, sort_out_batch
from civicloop.ledger.store import repository as repo
from civicloop.ledger.store.repository import StoredCheckpoint
from civicloop.platform.db import Connection
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.outbox import add_to_outbox
from civicloop.platform.protobuf import timestamp
from civicloop.tlog.checkpoint import ledger_checkpoint, sign_checkpoint
from civicloop.tlog.note import NoteSigner
from civicloop.tlog.tree import CompactRange, complete_subtrees, root_plan
from civicloop.v1 import events_pb2

log = logging.getLogger(__name__)

# What else a batch's transaction does with the leaves it integrated (the credentials' events).
Integrated = Callable[[Connection, Sequence[Entry]], Awaitable[None]]

# pg_advisory_xact_lock key of the sequencer ("LEDGERSQ" as a big-endian integer).
SEQUENCER_LOCK = 0x4C45444745525351


async def _lock(conn: Connection) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock($1)", SEQUENCER_LOCK)


async def _compact_range(conn: Connection, size: int) -> CompactRange:
    edge = complete_subtrees(0, size)
    return CompactRange.from_stored(size, await repo.read_subtrees(conn, edge))


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
        # Set by a local append (integrate now), and by each integrated batch (waiters look).
        self.staged = asyncio.Event()
        self._integrated = asyncio.Event()

    async def integrate(self) -> int:
        """One batch of staged appends onto the log; the number of leaves added."""
        async with self.pool.acquire() as conn, conn.transaction():
            await _lock(conn)
            taken = await repo.take_pending(conn, self.batch_size)
            if not taken:
                return 0
            batch = sort_out_batch(
                taken, await repo.logged_leaves(conn, [e.leaf.event_id for e in taken])
            )
            for logged, offered in batch.conflicts:
                log.error(
                    "evidence conflict: event %s is on the log as %s/%s/%s, offered as %s/%s/%s;"
                    " the offer is dropped (tampering or a defect upstream)",
                    offered.event_id,
                    logged.event_type,
                    logged.subject,
                    logged.event_sha256.hex(),
                    offered.event_type,
                    offered.subject,
                    offered.event_sha256.hex(),
                )
            size = await repo.tree_size(conn)
            tree = await _compact_range(conn, size)
            leaves = [replace(e, leaf_index=size + n) for n, e in enumerate(batch.new)]
            completed = tree.extend(e.leaf.leaf_hash for e in leaves)
            await repo.append_leaves(conn, leaves)
            await repo.store_subtrees(conn, completed)
            for hook in self.on_integrated:
                await hook(conn, leaves)
        self._integrated.set()
        self._integrated = asyncio.Event()
        return len(leaves)

    async def integrate_all(self) -> None:
        while await self.integrate() >= self.batch_size:
            pass

    async def integrated(self, seconds: float) -> None:
        """Wait for the next batch this process integrates, at most `seconds`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._integrated.wait(), seconds)

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
