"""Proof verification exactly as RFC 9162 sections 2.1.3.2 and 2.1.4.2 give it."""

from __future__ import annotations

from collections.abc import Sequence

from civicloop.tlog.errors import ProofError
from civicloop.tlog.hashing import HASH_SIZE, node_hash


def _check_hashes(what: str, hashes: Sequence[bytes]) -> None:
    for position, digest in enumerate(hashes):
        if len(digest) != HASH_SIZE:
            raise ProofError(f"{what}[{position}] is {len(digest)} bytes, not {HASH_SIZE}")


def root_from_inclusion_proof(
    leaf_index: int, tree_size: int, leaf_hash: bytes, audit_path: Sequence[bytes]
) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 2.1.3.2 steps 1-4)."""
    if not 0 <= leaf_index < tree_size:
        raise ProofError(f"leaf index {leaf_index} is beyond the tree of size {tree_size}")
    _check_hashes("leaf hash", [leaf_hash])
    _check_hashes("audit path", audit_path)
    fn, sn = leaf_index, tree_size - 1
    r = leaf_hash
    for p in audit_path:
        if sn == 0:
            raise ProofError(f"audit path is longer than a tree of size {tree_size} allows")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"audit path is shorter than a tree of size {tree_size} needs")
    return r


def verify_inclusion(
    leaf_index: int,
    tree_size: int,
    leaf_hash: bytes,
    audit_path: Sequence[bytes],
    root_hash: bytes,
) -> None:
    """Raise ProofError unless the leaf is at leaf_index in the tree of tree_size and root_hash."""
    computed = root_from_inclusion_proof(leaf_index, tree_size, leaf_hash, audit_path)
    if computed != root_hash:
        raise ProofError(
            f"inclusion proof of leaf {leaf_index} leads to root {computed.hex()}, "
            f"not the tree's root {root_hash.hex()}"
        )


def verify_consistency(
    first_size: int,
    second_size: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """Raise ProofError unless the tree (first_size, first_root) is a prefix of the second."""
    _check_hashes("first root", [first_root])
    _check_hashes("second root", [second_root])
    _check_hashes("consistency proof", proof)
    if first_size < 0 or second_size < first_size:
        raise ProofError(f"a tree of size {second_size} cannot extend one of size {first_size}")
    if first_size == 0:
        # Every tree extends the empty one: no proof exists, and none may be accepted as one.
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if first_size == second_size:
        if proof:
            raise ProofError("trees of equal size need an empty consistency proof")
        if first_root != second_root:
            raise ProofError(f"two different roots for the same tree size {first_size}")
        return
    # RFC 9162 2.1.4.2.
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if first_size & (first_size - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first_size - 1, second_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the sizes allow")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the sizes need")
    if fr != first_root:
        raise ProofError(
            f"consistency proof does not lead to the first root (size {first_size}): "
            "the older tree is not a prefix of the newer one"
        )
    if sr != second_root:
        raise ProofError(f"consistency proof does not lead to the second root (size {second_size})")
