"""The upper levels held in memory give the same inclusion proofs as the stored subtrees."""

from __future__ import annotations

import hashlib
import random

import pytest

from civicloop.ledger.domain.upper_levels import Missing, UpperLevels
from civicloop.tlog.hashing import leaf_hash
from civicloop.tlog.proofs import verify_inclusion
from civicloop.tlog.tree import CompactRange, Subtree, complete_subtrees, inclusion_plan

FIRST_LEVEL = 3  # small, so that small trees have upper levels


def stored_tree(size: int) -> tuple[dict[Subtree, bytes], bytes]:
    """Every complete subtree the sequencer would have stored, and the root."""
    tree = CompactRange()
    stored: dict[Subtree, bytes] = {}
    for i in range(size):
        leaf = leaf_hash(hashlib.sha256(i.to_bytes(4, "big")).digest())
        stored[Subtree(0, i)] = leaf
        for subtree, found in tree.append(leaf):
            stored[subtree] = found
    return stored, tree.root()


def grow(upper: UpperLevels, size: int, stored: dict[Subtree, bytes]) -> list[Missing]:
    missing = upper.missing(size)
    upper.add(
        size,
        [
            (m.level, index, stored[Subtree(m.level, index)])
            for m in missing
            for index in range(m.first, m.stop)
        ],
    )
    return missing


def proof(upper: UpperLevels, stored: dict[Subtree, bytes], index: int, size: int) -> list[bytes]:
    """As the ledger answers: siblings below the first held level from the store (here: the
    dict), those above from memory, the right edge from the store."""
    low = {
        Subtree(level, (index >> level) ^ 1): stored[Subtree(level, (index >> level) ^ 1)]
        for level in range(FIRST_LEVEL)
        if Subtree(level, (index >> level) ^ 1) in stored
    }
    edge = {s: stored[s] for s in complete_subtrees(0, size)}
    return inclusion_plan(index, size).assemble({**edge, **low, **upper.siblings(index, size)})


@pytest.mark.parametrize("final_size", [1, 2, 7, 8, 9, 64, 100, 257, 1000])
def test_proofs_from_memory_verify_as_the_tree_grows(final_size: int) -> None:
    stored, _ = stored_tree(final_size)
    upper = UpperLevels(FIRST_LEVEL)
    rng = random.Random(final_size)
    sizes = sorted({1, final_size, *(rng.randint(1, final_size) for _ in range(5))})
    for size in sizes:
        grow(upper, size, stored)
        _, root = stored_tree(size)
        for index in {0, size - 1, *(rng.randrange(size) for _ in range(20))}:
            verify_inclusion(
                index, size, stored[Subtree(0, index)], proof(upper, stored, index, size), root
            )


def test_only_subtrees_completed_since_at_the_held_levels_are_read() -> None:
    stored, _ = stored_tree(40)
    upper = UpperLevels(FIRST_LEVEL)
    assert grow(upper, 16, stored) == [Missing(3, 0, 2)]
    assert upper.missing(16) == upper.missing(15) == []
    # Leaf 16 starts a level higher: its sibling there is the first 16 leaves.
    assert grow(upper, 17, stored) == [Missing(4, 0, 1)]
    assert upper.missing(23) == []
    assert upper.missing(24) == [Missing(3, 2, 3)]
    assert upper.missing(40) == [Missing(3, 2, 5), Missing(4, 1, 2), Missing(5, 0, 1)]


def test_a_hash_read_out_of_sequence_is_left_out() -> None:
    upper = UpperLevels(FIRST_LEVEL)
    upper.add(64, [(3, 1, b"x" * 32)])
    assert upper.missing(64)[0] == Missing(3, 0, 8)
