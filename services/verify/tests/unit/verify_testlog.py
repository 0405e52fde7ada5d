"""A ledger's public files written the way the ledger service serves them, for the tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from civicloop.tlog.checkpoint import ledger_checkpoint, sign_checkpoint
from civicloop.tlog.evidence import EvidenceLeaf
from civicloop.tlog.note import COSIGNATURE_V1, Note, NoteSigner
from civicloop.tlog.tiles import (
    encode_entry_bundle,
    entry_bundles_for_size,
    tile_content,
    tiles_for_size,
)
from civicloop.tlog.tree import CompactRange, Subtree, inclusion_plan, root_plan
from civicloop.verify.layout import BundleEntry, EvidenceBundle, TrustedKeys

ORIGIN = "civicloop.example/ledger/v1"
SIGNED_AT = datetime(2026, 12, 1, 11, 0, 5, tzinfo=UTC)
COSIGNED_AT = 1_796_122_805
STEPS = ["opened", "dispatched", "accepted", "completed", "rated", "closed"]


def case_leaf(i: int) -> EvidenceLeaf:
    case = f"case-{i // len(STEPS):04d}"
    step = STEPS[i % len(STEPS)]
    return EvidenceLeaf(
        f"evt-{i:06d}",
        f"civicloop.case.{step}.v1",
        case,
        hashlib.sha256(f"{case} {step}".encode()).digest(),
    )


class TestLog:
    """A log with its keys, its stored subtree hashes, and its signed checkpoints."""

    __test__ = False  # not a test class

    def __init__(self, size: int) -> None:
        self.log = NoteSigner.generate(ORIGIN)
        self.witnesses = [
            NoteSigner.generate("civicloop.example/witness/civil-affairs", COSIGNATURE_V1),
            NoteSigner.generate("civicloop.example/witness/finance", COSIGNATURE_V1),
        ]
        self.leaves = [case_leaf(i) for i in range(size)]
        self.hashes: dict[Subtree, bytes] = {}
        self.rebuild()

    def rebuild(self) -> None:
        """Hash the tree again from self.leaves (after a test rewrote history)."""
        self.hashes = {}
        tree = CompactRange()
        for leaf in self.leaves:
            self.hashes.update(tree.append(leaf.leaf_hash))

    @property
    def keys(self) -> TrustedKeys:
        return TrustedKeys(self.log.verifier, tuple(w.verifier for w in self.witnesses))

    def checkpoint(self, size: int) -> Note:
        root = root_plan(size).assemble(self.hashes)[0]
        note = sign_checkpoint(ledger_checkpoint(ORIGIN, size, root, SIGNED_AT), self.log)
        return note.with_signatures(w.cosign(note.text, COSIGNED_AT) for w in self.witnesses)

    def bundle(self, case_id: str, size: int) -> EvidenceBundle:
        entries = tuple(
            BundleEntry(i, leaf, tuple(inclusion_plan(i, size).assemble(self.hashes)))
            for i, leaf in enumerate(self.leaves[:size])
            if leaf.subject == case_id
        )
        return EvidenceBundle(self.checkpoint(size).format(), entries, case_id, self.keys.format())

    def write(self, directory: Path, size: int) -> None:
        """checkpoint, keys, tile/..., tile/entries/..., evidence/<case> as the ledger serves."""

        def put(path: str, data: bytes) -> None:
            target = directory / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

        put("checkpoint", self.checkpoint(size).format().encode())
        put("keys", self.keys.format().encode())
        for tile in tiles_for_size(size):
            put(tile.path(), tile_content([self.hashes[s] for s in tile.subtrees]))
        for bundle in entry_bundles_for_size(size):
            first = bundle.first_leaf
            leaves = self.leaves[first : first + bundle.width]
            put(bundle.path(), encode_entry_bundle([leaf.leaf_data for leaf in leaves]))
        for case_id in sorted({leaf.subject for leaf in self.leaves[:size]}):
            put(f"evidence/{case_id}", self.bundle(case_id, size).to_json().encode())
