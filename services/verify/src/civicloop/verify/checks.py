"""The verifier's checks: pure, given `read`, which returns a file of the log's public layout.

Each check returns an Outcome: what verified, and what failed said so that a person can tell
which entry, which checkpoint, and why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from civicloop.tlog.checkpoint import TrustedCheckpoint, open_checkpoint
from civicloop.tlog.errors import MalformedError, MissingSubtree, ProofError, SignatureError
from civicloop.tlog.evidence import parse_leaf_data
from civicloop.tlog.hashing import leaf_hash
from civicloop.tlog.note import VerifierKey
from civicloop.tlog.proofs import verify_consistency, verify_inclusion
from civicloop.tlog.tiles import (
    TILE_WIDTH,
    EntryBundle,
    Tile,
    decode_entry_bundle,
    entry_bundle_for_leaf,
    entry_bundles_for_size,
    split_tile,
    subtree_hashes_from_tiles,
    tile_at,
    tiles_for_plan,
)
from civicloop.tlog.tree import CompactRange, HashPlan, consistency_plan, inclusion_plan
from civicloop.verify.layout import CHECKPOINT_PATH, EvidenceBundle


class Unreachable(Exception):
    """A file or URL could not be read (network, permissions...)."""


class NotServed(Unreachable):
    """The source answered that it has no such file (HTTP 404, no such file)."""


Read = Callable[[str], bytes]


@dataclass(frozen=True)
class Trust:
    """The keys a verification trusts, pinned by the person running it."""

    log_key: VerifierKey
    witness_keys: tuple[VerifierKey, ...] = ()
    min_witnesses: int = 0


@dataclass
class Outcome:
    verified: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def merge(self, other: Outcome) -> Outcome:
        self.verified += other.verified
        self.failures += other.failures
        return self


def trust_checkpoint(
    text: str | bytes, trust: Trust, what: str = "checkpoint"
) -> TrustedCheckpoint:
    """The checkpoint if the log signed it and enough witnesses cosigned; SignatureError if not."""
    try:
        return open_checkpoint(text, trust.log_key, trust.witness_keys, trust.min_witnesses)
    except MalformedError as exc:
        raise MalformedError(f"{what}: {exc}") from exc
    except SignatureError as exc:
        raise SignatureError(f"{what}: {exc}") from exc


def describe(trusted: TrustedCheckpoint) -> str:
    cp = trusted.checkpoint
    witnesses = ", ".join(c.key.name for c in trusted.cosignatures) or "no witness"
    when = f", signed {cp.signed_at.isoformat()}" if cp.signed_at else ""
    return (
        f"checkpoint of {cp.origin}: {cp.size} entries, root {cp.root_hash.hex()}{when}; "
        f"signed by {trusted.log_signature.key.name}, cosigned by {witnesses}"
    )


def check_bundle(bundle: EvidenceBundle, trust: Trust) -> Outcome:
    """Every entry of an evidence bundle is in the tree of its signed checkpoint."""
    trusted = trust_checkpoint(bundle.checkpoint, trust)
    cp = trusted.checkpoint
    outcome = Outcome([describe(trusted)])
    if not bundle.entries:
        outcome.failures.append("the bundle holds no entries")
    for number, entry in enumerate(bundle.entries):
        leaf = entry.leaf
        label = f"entry {number} (leaf {entry.leaf_index}, {leaf.event_type} {leaf.event_id})"
        if bundle.case_id is not None and leaf.subject != bundle.case_id:
            outcome.failures.append(f"{label}: is about {leaf.subject}, not case {bundle.case_id}")
            continue
        try:
            verify_inclusion(
                entry.leaf_index, cp.size, leaf.leaf_hash, entry.inclusion_proof, cp.root_hash
            )
        except ProofError as exc:
            outcome.failures.append(f"{label}: not in the signed log: {exc}")
            continue
        outcome.verified.append(
            f"{label}: in the log at {entry.leaf_index}, event digest {leaf.event_sha256.hex()}"
        )
    return outcome


def read_tiles(read: Read, tiles: Sequence[Tile]) -> dict[Tile, bytes]:
    """Fetch tiles; a partial tile the log no longer serves is read from its full form."""
    found: dict[Tile, bytes] = {}
    for tile in tiles:
        try:
            found[tile] = read(tile.path())
        except NotServed:
            if tile.width == TILE_WIDTH:
                raise
            found[tile.full()] = read(tile.full().path())
    return found


def proof_from_tiles(read: Read, plan: HashPlan, tree_size: int) -> list[bytes]:
    tiles = read_tiles(read, tiles_for_plan(plan, tree_size))
    return plan.assemble(subtree_hashes_from_tiles(plan.subtrees, tree_size, tiles))


def read_entries(read: Read, bundle: EntryBundle) -> list[bytes]:
    """An entry bundle's entries; a partial one no longer served is read from its full form."""
    try:
        return decode_entry_bundle(bundle, read(bundle.path()))
    except NotServed:
        if bundle.width == TILE_WIDTH:
            raise
        full = EntryBundle(bundle.index)
        return decode_entry_bundle(full, read(full.path()))[: bundle.width]


def read_leaf_hashes(read: Read, tile: Tile) -> list[bytes]:
    data = read_tiles(read, [tile]).popitem()[1]
    return split_tile(tile, data[: tile.width * 32])


def check_inclusion_from_log(read: Read, trust: Trust, leaf_index: int) -> Outcome:
    """Leaf `leaf_index` as the log serves it is in the tree of its latest checkpoint."""
    trusted = trust_checkpoint(read(CHECKPOINT_PATH), trust)
    cp = trusted.checkpoint
    outcome = Outcome([describe(trusted)])
    if not 0 <= leaf_index < cp.size:
        outcome.failures.append(f"leaf {leaf_index} is beyond the checkpoint's {cp.size} entries")
        return outcome
    bundle = entry_bundle_for_leaf(leaf_index, cp.size)
    leaf_data = read_entries(read, bundle)[leaf_index - bundle.first_leaf]
    try:
        leaf = parse_leaf_data(leaf_data)
        label = f"leaf {leaf_index} ({leaf.event_type} {leaf.event_id}, subject {leaf.subject})"
    except MalformedError as exc:
        label = f"leaf {leaf_index}"
        outcome.failures.append(f"{label}: its entry is not an evidence leaf: {exc}")
    try:
        proof = proof_from_tiles(read, inclusion_plan(leaf_index, cp.size), cp.size)
        verify_inclusion(leaf_index, cp.size, leaf_hash(leaf_data), proof, cp.root_hash)
    except (ProofError, MissingSubtree, MalformedError) as exc:
        outcome.failures.append(f"{label}: not in the signed log: {exc}")
        return outcome
    outcome.verified.append(f"{label}: in the log under the checkpoint ({len(proof)} proof hashes)")
    return outcome


def check_consistency(
    old_text: str | bytes,
    new_text: str | bytes,
    proof: Sequence[bytes] | None,
    trust: Trust,
    read: Read | None = None,
) -> Outcome:
    """The newer checkpoint extends the older one: nothing the older one covered was rewritten.

    The proof comes from `proof` or, when None, from the tiles `read` serves.
    """
    old = trust_checkpoint(old_text, trust, "older checkpoint")
    new = trust_checkpoint(new_text, trust, "newer checkpoint")
    outcome = Outcome([describe(old), describe(new)])
    a, b = old.checkpoint, new.checkpoint
    if a.origin != b.origin:
        outcome.failures.append(f"the checkpoints are of different logs: {a.origin} and {b.origin}")
        return outcome
    if b.size < a.size:
        a, b = b, a
    if a.size == 0:
        outcome.verified.append("the older checkpoint is the empty tree: every tree extends it")
        return outcome
    if proof is None:
        if read is None:
            raise ValueError("a consistency proof or a log to read it from is needed")
        proof = (
            []
            if a.size == b.size
            else proof_from_tiles(read, consistency_plan(a.size, b.size), b.size)
        )
    try:
        verify_consistency(a.size, b.size, a.root_hash, b.root_hash, proof)
    except ProofError as exc:
        outcome.failures.append(
            f"the log of size {b.size} does not extend the one of size {a.size}: {exc}"
        )
        return outcome
    outcome.verified.append(f"size {b.size} extends size {a.size}: the log only grew")
    return outcome


def check_whole_log(read: Read, trust: Trust) -> Outcome:
    """Every entry the log serves hashes to its leaf in the tree, and the leaves to the root.

    The monitor's check: it reads all entry bundles and level-0 tiles, so it names the first
    entry whose data was changed after it was logged.
    """
    trusted = trust_checkpoint(read(CHECKPOINT_PATH), trust)
    cp = trusted.checkpoint
    outcome = Outcome([describe(trusted)])
    tree = CompactRange()
    for bundle in entry_bundles_for_size(cp.size):
        entries = read_entries(read, bundle)
        leaves = read_leaf_hashes(read, tile_at(0, bundle.index, cp.size))
        for offset, (entry, leaf) in enumerate(zip(entries, leaves, strict=True)):
            index = bundle.first_leaf + offset
            if leaf_hash(entry) != leaf:
                try:
                    about = parse_leaf_data(entry)
                    label = f"entry {index} ({about.event_type} {about.event_id})"
                except MalformedError:
                    label = f"entry {index}"
                outcome.failures.append(
                    f"{label}: its data does not hash to the leaf the tree holds: "
                    "it was changed after it was logged"
                )
            tree.append(leaf)
    if tree.root() != cp.root_hash:
        outcome.failures.append(
            f"the leaves the log serves give root {tree.root().hex()}, not the signed "
            f"{cp.root_hash.hex()}"
        )
    else:
        outcome.verified.append(f"all {cp.size} leaves give the signed root")
    return outcome
