"""What the ledger answers: checkpoints, proofs from stored subtrees, tiles, case evidence."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from civicloop.ledger.domain.evidence import (
    Entry,
    check_consistency_sizes,
    check_leaf_in_tree,
    checkpoint_not_found,
    signed_size,
)
from civicloop.ledger.domain.upper_levels import UpperLevels
from civicloop.ledger.store import repository as repo
from civicloop.ledger.store.repository import StoredCheckpoint
from civicloop.platform.errors import FailedPrecondition, NotFound
from civicloop.platform.paging import Keyset, PageRequest
from civicloop.tlog.note import VerifierKey
from civicloop.tlog.tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    EntryBundle,
    Tile,
    encode_entry_bundle,
    tile_content,
)
from civicloop.tlog.tree import (
    HashPlan,
    Subtree,
    complete_subtrees,
    consistency_plan,
    inclusion_plan,
    tree_height,
)
from civicloop.verify.layout import BundleEntry, EvidenceBundle, TrustedKeys

log = logging.getLogger(__name__)

CASE_EVIDENCE = Keyset("case_evidence", ("int",))
# How long the latest checkpoint is served as read before asking the database again.
LATEST_FOR_SECONDS = 0.5


@dataclass(frozen=True)
class Inclusion:
    entry: Entry
    audit_path: list[bytes]
    checkpoint: StoredCheckpoint


@dataclass(frozen=True)
class Consistency:
    first_size: int
    second_size: int
    proof: list[bytes]
    checkpoint: StoredCheckpoint


class LedgerQueries:
    def __init__(
        self,
        pool: asyncpg.Pool,
        log_key: VerifierKey,
        witness_keys: Sequence[VerifierKey],
        latest_for_seconds: float = LATEST_FOR_SECONDS,
    ) -> None:
        self.pool = pool
        self.keys = TrustedKeys(log_key, tuple(witness_keys))
        self.latest_for_seconds = latest_for_seconds
        self._latest: StoredCheckpoint | None = None
        self._latest_until = 0.0
        self._reading: asyncio.Task[None] | None = None
        self._edge_size = -1
        self._edge: dict[Subtree, bytes] = {}
        # Proofs read a leaf's siblings inside its tile from the database, the rest from here.
        self._upper = UpperLevels(TILE_HEIGHT)
        # Held while the tree's stored hashes (edge, upper levels) are read for a new size.
        self._growing = asyncio.Lock()

    def remember(self, checkpoint: StoredCheckpoint) -> None:
        """A checkpoint this process just signed: the latest one from now on."""
        if self._latest is None or checkpoint.tree_size > self._latest.tree_size:
            self._latest = checkpoint
            self._latest_until = time.monotonic() + self.latest_for_seconds

    async def latest(self, *, fresh: bool = False) -> StoredCheckpoint:
        """The latest signed checkpoint, as this process signed it or read it about
        ``latest_for_seconds`` ago: proofs and tiles are answered without asking the database
        which tree is the latest. Once that time is up the next caller still gets the one held
        while it is read again in the background (a request would otherwise pay that query
        every ``latest_for_seconds``), so one signed by another replica is served moments later."""
        if fresh or self._latest is None:
            return await self._read_latest()
        if time.monotonic() >= self._latest_until and self._reading is None:
            self._reading = asyncio.create_task(self._read_latest_in_background())
        return self._latest

    async def _read_latest(self) -> StoredCheckpoint:
        found = await repo.latest_checkpoint(self.pool)
        if found is None:
            raise FailedPrecondition(
                "no checkpoint is signed yet; retry after the signing interval"
            )
        if self._latest is None or found.tree_size >= self._latest.tree_size:
            self._latest = found  # not one this process signed meanwhile
        self._latest_until = time.monotonic() + self.latest_for_seconds
        return self._latest

    async def _read_latest_in_background(self) -> None:
        try:
            await self._read_latest()
        except Exception as exc:  # the one held is served on; the next caller tries again
            log.warning("the latest checkpoint was not read again: %r", exc)
        finally:
            self._reading = None

    async def witnessed(self) -> StoredCheckpoint:
        """The newest checkpoint every configured witness has cosigned (the latest one when
        none is configured): what an export carries, so that a department that requires the
        witnesses can check it offline."""
        if not self.keys.witnesses:
            return await self.latest(fresh=True)
        found = await repo.latest_cosigned_checkpoint(
            self.pool, [key.name for key in self.keys.witnesses]
        )
        if found is None:
            raise FailedPrecondition(
                "no checkpoint is cosigned by every witness yet; retry in a few seconds"
            )
        return found

    async def checkpoint(self, tree_size: int, field: str = "tree_size") -> StoredCheckpoint:
        """The latest checkpoint (0), or the one signed at that size."""
        latest = await self.latest()
        if tree_size > latest.tree_size:  # signed since we last looked?
            latest = await self.latest(fresh=True)
        size = signed_size(tree_size, latest.tree_size, field)
        if size == latest.tree_size:
            return latest
        found = await repo.checkpoint_at(self.pool, size)
        if found is None:
            raise checkpoint_not_found(size, field)
        return found

    async def _right_edge(self, size: int) -> dict[Subtree, bytes]:
        """The stored hashes of the tree's right edge at ``size``, read once per size: every
        proof under one checkpoint folds some of them."""
        if self._edge_size != size:
            async with self._growing:  # one read for the proofs that all missed at once
                if self._edge_size != size:
                    self._edge = await repo.read_subtrees(self.pool, complete_subtrees(0, size))
                    self._edge_size = size
        return self._edge

    async def _assemble(self, plans: Sequence[HashPlan]) -> list[list[bytes]]:
        """Several plans' hashes from one query."""
        wanted = tuple(dict.fromkeys(s for plan in plans for s in plan.subtrees))
        hashes = await repo.read_subtrees(self.pool, wanted)
        return [plan.assemble(hashes) for plan in plans]

    async def _upper_levels(self, size: int) -> UpperLevels:
        """The upper levels' hashes, grown to ``size`` first if the tree completed subtrees
        there since (one query, by one proof at a time)."""
        if size > self._upper.size:
            async with self._growing:
                if missing := self._upper.missing(size):
                    hashes = await repo.subtrees_from(
                        self.pool,
                        [m.level for m in missing],
                        [m.first for m in missing],
                        [m.stop for m in missing],
                    )
                    self._upper.add(size, hashes)
                else:
                    self._upper.add(size, ())
        return self._upper

    async def inclusion(
        self, leaf_index: int | None, event_id: str | None, tree_size: int
    ) -> Inclusion:
        """The leaf and its audit path under the checkpoint asked for: one query reads the leaf
        with its siblings inside its tile; those above come from memory, and the right edge of
        the tree is read once per size."""
        checkpoint = await self.checkpoint(tree_size)
        size = checkpoint.tree_size
        key: str
        value: int | str
        if event_id is not None:
            key, value = "event_id", event_id
        else:
            assert leaf_index is not None
            check_leaf_in_tree(leaf_index, size, "leaf_index")
            key, value = "leaf_index", leaf_index
        found = await repo.entry_and_siblings(
            self.pool, key, value, min(tree_height(size), TILE_HEIGHT)
        )
        if found is None:
            if event_id is not None:
                raise NotFound(f"event {event_id} is not on the log (or not integrated yet)")
            raise NotFound(f"leaf {leaf_index} is not on the log")
        entry, siblings = found
        assert entry.leaf_index is not None
        check_leaf_in_tree(entry.leaf_index, size, key)
        upper = (await self._upper_levels(size)).siblings(entry.leaf_index, size)
        hashes = {**await self._right_edge(size), **siblings, **upper}
        path = inclusion_plan(entry.leaf_index, size).assemble(hashes)
        return Inclusion(entry, path, checkpoint)

    async def consistency(self, first: int, second: int) -> Consistency:
        checkpoint = await self.checkpoint(second, "second_tree_size")
        check_consistency_sizes(first, checkpoint.tree_size)
        (proof,) = await self._assemble([consistency_plan(first, checkpoint.tree_size)])
        return Consistency(first, checkpoint.tree_size, proof, checkpoint)

    async def case_evidence(self, case_id: str, page: PageRequest) -> tuple[list[Entry], str]:
        after = page.after[0] if page.after else None
        rows = await repo.case_entries(self.pool, case_id, None, after, page.limit)
        return CASE_EVIDENCE.page(rows, page, lambda e: (e.leaf_index,))

    async def evidence_bundle(self, case_id: str) -> EvidenceBundle | None:
        """A case's entries under the latest checkpoint, each with its inclusion proof."""
        checkpoint = await self.latest()
        entries = await repo.case_entries(self.pool, case_id, checkpoint.tree_size, None, 10_000)
        if not entries:
            return None
        return self.bundle(checkpoint, await self.proven(entries, checkpoint.tree_size), case_id)

    async def proven(self, entries: Sequence[Entry], size: int) -> list[BundleEntry]:
        """Each integrated entry with its inclusion proof in the tree of ``size`` leaves, the
        hashes of them all read in one query."""
        integrated = [(e.leaf_index, e) for e in entries if e.leaf_index is not None]
        paths = await self._assemble([inclusion_plan(index, size) for index, _ in integrated])
        return [
            BundleEntry(index, e.leaf, tuple(path))
            for (index, e), path in zip(integrated, paths, strict=True)
        ]

    def bundle(
        self,
        checkpoint: StoredCheckpoint,
        entries: Sequence[BundleEntry],
        case_id: str | None = None,
    ) -> EvidenceBundle:
        """The evidence a verifier checks offline: the entries in log order, the checkpoint
        as served, and the keys that sign and witness it."""
        ordered = tuple(sorted(entries, key=lambda e: e.leaf_index))
        return EvidenceBundle(checkpoint.served, ordered, case_id, self.keys.format())

    async def tile(self, tile: Tile) -> bytes | None:
        """A tile of the latest signed tree, or None when that tree does not have it."""
        size = (await self.latest()).tree_size
        available = (size >> (TILE_HEIGHT * tile.level)) - tile.index * TILE_WIDTH
        if available < tile.width:
            return None
        first = Subtree(TILE_HEIGHT * tile.level, tile.index * TILE_WIDTH)
        hashes = await repo.hashes_at(self.pool, first.level, first.index, tile.width)
        if len(hashes) != tile.width:
            raise FailedPrecondition(f"tile {tile.path()} is not stored whole")
        return tile_content(hashes)

    async def entry_bundle(self, bundle: EntryBundle) -> bytes | None:
        size = (await self.latest()).tree_size
        if bundle.first_leaf + bundle.width > size:
            return None
        entries = await repo.entries_from(self.pool, bundle.first_leaf, bundle.width)
        if len(entries) != bundle.width:
            raise FailedPrecondition(f"entry bundle {bundle.path()} is not stored whole")
        return encode_entry_bundle([e.leaf.leaf_data for e in entries])
