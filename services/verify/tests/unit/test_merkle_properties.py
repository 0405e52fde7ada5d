"""Every proof the tree generates verifies, a flipped bit fails, and a library the project did
not write (sigstore's RFC 6962 inclusion verifier) agrees with ours."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sigstore._internal.merkle import verify_merkle_inclusion
from sigstore.errors import VerificationError

from civicloop.tlog.errors import MissingSubtree, ProofError
from civicloop.tlog.hashing import leaf_hash
from civicloop.tlog.proofs import verify_consistency, verify_inclusion
from civicloop.tlog.tree import (
    CompactRange,
    Subtree,
    complete_subtrees,
    consistency_plan,
    inclusion_plan,
    path_siblings,
    root_plan,
)


def _leaf(i: int) -> bytes:
    return f"entry {i}".encode()


class StoredTree:
    """What the ledger stores: every complete subtree's hash, as the sequencer appends."""

    def __init__(self, size: int) -> None:
        self.leaves = [_leaf(i) for i in range(size)]
        self.hashes: dict[Subtree, bytes] = {}
        tree = CompactRange()
        for data in self.leaves:
            self.hashes.update(tree.append(leaf_hash(data)))

    def root(self, size: int) -> bytes:
        return root_plan(size).assemble(self.hashes)[0]


TREE = StoredTree(300)


def _flip(proof: list[bytes], which: int, bit: int) -> list[bytes]:
    flipped = list(proof)
    target = bytearray(flipped[which])
    target[bit // 8] ^= 1 << (bit % 8)
    flipped[which] = bytes(target)
    return flipped


@st.composite
def leaf_in_tree(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, 300))
    return draw(st.integers(0, size - 1)), size


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    second = draw(st.integers(1, 300))
    return draw(st.integers(1, second)), second


@settings(max_examples=150, deadline=None)
@given(leaf_in_tree())
def test_every_generated_inclusion_proof_verifies(position: tuple[int, int]) -> None:
    index, size = position
    proof = inclusion_plan(index, size).assemble(TREE.hashes)
    verify_inclusion(index, size, leaf_hash(TREE.leaves[index]), proof, TREE.root(size))


@settings(max_examples=150, deadline=None)
@given(leaf_in_tree(), st.data())
def test_a_flipped_bit_in_an_inclusion_proof_fails(
    position: tuple[int, int], data: st.DataObject
) -> None:
    index, size = position
    proof = inclusion_plan(index, size).assemble(TREE.hashes)
    leaf, root = leaf_hash(TREE.leaves[index]), TREE.root(size)
    where = data.draw(st.sampled_from(["leaf", "root"] + (["proof"] if proof else [])))
    bit = data.draw(st.integers(0, 255))
    with pytest.raises(ProofError):
        if where == "proof":
            which = data.draw(st.integers(0, len(proof) - 1))
            verify_inclusion(index, size, leaf, _flip(proof, which, bit), root)
        elif where == "leaf":
            verify_inclusion(index, size, _flip([leaf], 0, bit)[0], proof, root)
        else:
            verify_inclusion(index, size, leaf, proof, _flip([root], 0, bit)[0])


@settings(max_examples=150, deadline=None)
@given(leaf_in_tree(), st.integers(-3, 3).filter(bool))
def test_an_inclusion_proof_does_not_prove_another_position(
    position: tuple[int, int], shift: int
) -> None:
    index, size = position
    proof = inclusion_plan(index, size).assemble(TREE.hashes)
    other = index + shift
    if not 0 <= other < size or TREE.leaves[other] == TREE.leaves[index]:
        return
    with pytest.raises(ProofError):
        verify_inclusion(other, size, leaf_hash(TREE.leaves[index]), proof, TREE.root(size))


@settings(max_examples=150, deadline=None)
@given(two_sizes())
def test_every_generated_consistency_proof_verifies(sizes: tuple[int, int]) -> None:
    first, second = sizes
    proof = consistency_plan(first, second).assemble(TREE.hashes)
    verify_consistency(first, second, TREE.root(first), TREE.root(second), proof)


@settings(max_examples=150, deadline=None)
@given(two_sizes().filter(lambda s: s[0] < s[1]), st.data())
def test_a_flipped_bit_in_a_consistency_proof_fails(
    sizes: tuple[int, int], data: st.DataObject
) -> None:
    first, second = sizes
    proof = consistency_plan(first, second).assemble(TREE.hashes)
    roots = [TREE.root(first), TREE.root(second)]
    where = data.draw(st.sampled_from(["proof", "first", "second"]))
    bit = data.draw(st.integers(0, 255))
    if where == "proof":
        proof = _flip(proof, data.draw(st.integers(0, len(proof) - 1)), bit)
    else:
        i = 0 if where == "first" else 1
        roots[i] = _flip([roots[i]], 0, bit)[0]
    with pytest.raises(ProofError):
        verify_consistency(first, second, roots[0], roots[1], proof)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 2**48), st.data())
def test_a_proof_reads_logarithmically_many_stored_hashes(size: int, data: st.DataObject) -> None:
    # What lets the ledger answer at a million entries from O(log n) rows.
    index = data.draw(st.integers(0, size - 1))
    first = data.draw(st.integers(1, size))
    bound = 2 * size.bit_length()
    assert len(inclusion_plan(index, size).subtrees) <= bound
    assert len(consistency_plan(first, size).subtrees) <= bound
    assert len(complete_subtrees(0, size)) == size.bit_count()


def test_a_leaf_and_its_proof_are_read_before_its_index_is_known() -> None:
    # The ledger reads a leaf found by event id and its proof's hashes in one query.
    for size in range(1, 130):
        for index in range(size):
            readable = {*path_siblings(index, size), *complete_subtrees(0, size)}
            assert set(inclusion_plan(index, size).subtrees) <= readable, (index, size)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 2**48), st.data())
def test_a_proof_in_a_large_tree_reads_only_siblings_and_the_right_edge(
    size: int, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, size - 1))
    readable = {*path_siblings(index, size), *complete_subtrees(0, size)}
    assert set(inclusion_plan(index, size).subtrees) <= readable
    assert len(readable) <= 2 * size.bit_length()


@given(st.integers(0, 2**48))
def test_the_right_edge_is_one_subtree_per_bit_of_the_size(size: int) -> None:
    # How the ledger's store finds the edge in SQL: bit b of the size set, subtree (b, size>>b - 1).
    bits = [b for b in reversed(range(size.bit_length())) if size >> b & 1]
    assert complete_subtrees(0, size) == tuple(Subtree(b, (size >> b) - 1) for b in bits)


def test_a_missing_stored_hash_is_named() -> None:
    stored = dict(TREE.hashes)
    del stored[Subtree(2, 1)]
    with pytest.raises(MissingSubtree, match="level=2, index=1"):
        inclusion_plan(0, 8).assemble(stored)


def test_a_sequencer_restarted_from_stored_hashes_goes_on_with_the_same_tree() -> None:
    resumed = CompactRange.from_stored(123, TREE.hashes)
    for data in TREE.leaves[123:]:
        completed = resumed.append(leaf_hash(data))
        assert all(TREE.hashes[node] == digest for node, digest in completed)
    assert resumed.root() == TREE.root(300)


def _sigstore_inclusion(index: int, size: int, leaf_data: bytes, proof: list[bytes], root: bytes):
    # sigstore reads a Rekor entry's inclusion proof and canonicalized body; give it ours.
    inner = SimpleNamespace(
        inclusion_proof=SimpleNamespace(
            log_index=index, tree_size=size, hashes=proof, root_hash=root
        ),
        canonicalized_body=leaf_data,
    )
    return verify_merkle_inclusion(SimpleNamespace(_inner=inner))  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(leaf_in_tree())
def test_sigstore_verifies_our_inclusion_proofs(position: tuple[int, int]) -> None:
    index, size = position
    proof = inclusion_plan(index, size).assemble(TREE.hashes)
    _sigstore_inclusion(index, size, TREE.leaves[index], proof, TREE.root(size))


@settings(max_examples=200, deadline=None)
@given(leaf_in_tree(), st.integers(0, 255))
def test_sigstore_refuses_what_we_refuse(position: tuple[int, int], bit: int) -> None:
    index, size = position
    root = TREE.root(size)
    proof = inclusion_plan(index, size).assemble(TREE.hashes)
    tampered = TREE.leaves[index] + b"!"
    with pytest.raises(VerificationError):
        _sigstore_inclusion(index, size, tampered, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf_hash(tampered), proof, root)
    bad_root = hashlib.sha256(root + bytes([bit])).digest()
    with pytest.raises(VerificationError):
        _sigstore_inclusion(index, size, TREE.leaves[index], proof, bad_root)
