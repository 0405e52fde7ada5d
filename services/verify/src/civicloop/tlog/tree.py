"""The Merkle tree of RFC 9162 section 2.1 over stored complete subtrees.

A log stores the hash of every *complete subtree* it has: the subtree at (level, index) covers
leaves [index * 2**level, (index + 1) * 2**level), level 0 being the leaf hashes; these are the
hashes tlog-tiles serves (a tile at tile level L holds the subtrees of level 8L). Every node of
any past tree is either such a complete subtree or, on the tree's right edge, the fold of a few
of them, so a proof at any size reads O(log n) stored hashes and is never recomputed from the
leaves.

The functions here are sans-I/O: a *plan* says which stored subtrees a root or a proof needs;
the caller reads them in one query and the plan assembles the answer::

    plan = inclusion_plan(index, size)
    hashes = store.read_subtrees(plan.subtrees)      # {Subtree: hash}
    proof = plan.assemble(hashes)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from civicloop.tlog.errors import InvalidTreeRequest, MissingSubtree
from civicloop.tlog.hashing import EMPTY_ROOT, HASH_SIZE, node_hash


@dataclass(frozen=True, order=True, slots=True)
class Subtree:
    """A complete subtree: 2**level leaves starting at index * 2**level."""

    level: int
    index: int

    @property
    def start(self) -> int:
        return self.index << self.level

    @property
    def end(self) -> int:
        return (self.index + 1) << self.level

    @property
    def children(self) -> tuple[Subtree, Subtree]:
        if self.level == 0:
            raise InvalidTreeRequest("a leaf has no children")
        return Subtree(self.level - 1, 2 * self.index), Subtree(self.level - 1, 2 * self.index + 1)


def _largest_power_of_two_below(n: int) -> int:
    """k of RFC 9162: the largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def complete_subtrees(start: int, end: int) -> tuple[Subtree, ...]:
    """The fewest complete subtrees covering [start, end), left to right (a compact range)."""
    if not 0 <= start <= end:
        raise InvalidTreeRequest(f"range [{start}, {end}) is not a range of leaves")
    subtrees: list[Subtree] = []
    position = start
    while position < end:
        # The largest aligned block starting here that still fits.
        level = (
            (position & -position).bit_length() - 1 if position else (end - position).bit_length()
        )
        while (1 << level) > end - position:
            level -= 1
        subtrees.append(Subtree(level, position >> level))
        position += 1 << level
    return tuple(subtrees)


def fold_right_edge(hashes: Sequence[bytes]) -> bytes:
    """MTH of a right-edge node from its complete subtrees, largest first.

    RFC 9162 splits at the largest power of two, so [a, n) with a aligned is the first (largest)
    complete subtree joined with the MTH of the rest: fold from the right.
    """
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _range_subtrees(start: int, end: int) -> tuple[Subtree, ...]:
    """The subtrees of a node [start, end) of some tree: decreasing sizes, folded from the right."""
    subtrees = complete_subtrees(start, end)
    levels = [s.level for s in subtrees]
    if levels != sorted(levels, reverse=True) or len(set(levels)) != len(levels):
        raise InvalidTreeRequest(f"[{start}, {end}) is not a node of a Merkle tree")
    return subtrees


@dataclass(frozen=True)
class HashPlan:
    """Hashes to produce, each the fold of one or more stored subtrees (left to right)."""

    elements: tuple[tuple[Subtree, ...], ...]

    @property
    def subtrees(self) -> tuple[Subtree, ...]:
        """Every stored subtree the plan reads, each once, in a stable order."""
        return tuple(dict.fromkeys(s for element in self.elements for s in element))

    def assemble(self, hashes: Mapping[Subtree, bytes]) -> list[bytes]:
        out: list[bytes] = []
        for element in self.elements:
            parts: list[bytes] = []
            for subtree in element:
                found = hashes.get(subtree)
                if found is None:
                    raise MissingSubtree(f"stored hash of subtree {subtree} is missing")
                if len(found) != HASH_SIZE:
                    raise MissingSubtree(f"stored hash of subtree {subtree} is not 32 bytes")
                parts.append(found)
            out.append(fold_right_edge(parts))
        return out


def root_plan(size: int) -> HashPlan:
    """The root of the tree of `size` leaves (one element; the empty tree's root needs none)."""
    if size < 0:
        raise InvalidTreeRequest(f"tree size {size} is negative")
    return HashPlan((complete_subtrees(0, size),))


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """RFC 9162 2.1.3.1 PATH(index, D[0:size]) as leaf ranges, leaf to root."""
    if not 0 <= index < size:
        raise InvalidTreeRequest(f"leaf index {index} is not in a tree of size {size}")
    path: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    path.reverse()
    return path


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """RFC 9162 2.1.4.1 PROOF(first, D[0:second]) as leaf ranges; empty when the sizes are equal."""
    if not 0 < first <= second:
        raise InvalidTreeRequest(
            f"no consistency proof from size {first} to size {second} (needs 0 < first <= second)"
        )
    proof: list[tuple[int, int]] = []
    start, end, whole = 0, second, True
    while True:
        if first - start == end - start:
            # SUBPROOF(m, D[m], b): the old root itself, unless the verifier already has it.
            if not whole:
                proof.append((start, end))
            break
        k = _largest_power_of_two_below(end - start)
        if first - start <= k:
            proof.append((start + k, end))
            end = start + k
        else:
            proof.append((start, start + k))
            start += k
            whole = False
    proof.reverse()
    return proof


def inclusion_plan(index: int, size: int) -> HashPlan:
    return HashPlan(tuple(_range_subtrees(a, b) for a, b in inclusion_ranges(index, size)))


def path_siblings(index: int, size: int) -> tuple[Subtree, ...]:
    """The sibling of the leaf's ancestor at each level below the tree's height, stored or not.

    With the tree's right edge, ``complete_subtrees(0, size)``, they hold every subtree that
    ``inclusion_plan(index, size)`` reads: a path node is a left sibling (always complete), a
    complete right sibling, or the one right sibling the tree's end cuts, whose complete
    subtrees are those of the right edge below its level. So a store can read a leaf and its
    proof's hashes in one query before it knows the leaf's index.
    """
    return tuple(Subtree(level, (index >> level) ^ 1) for level in range(tree_height(size)))


def tree_height(size: int) -> int:
    """Levels above the leaves in the tree of ``size`` leaves (0 for one leaf)."""
    return (size - 1).bit_length() if size > 1 else 0


def consistency_plan(first: int, second: int) -> HashPlan:
    return HashPlan(tuple(_range_subtrees(a, b) for a, b in consistency_ranges(first, second)))


@dataclass
class CompactRange:
    """The right edge of a growing tree: the complete subtrees covering [0, size).

    What a sequencer keeps in memory: appending a leaf hash returns the complete subtrees it
    finished (to store), and the root is the fold of the edge. Rebuilt after a restart from the
    stored hashes of `complete_subtrees(0, size)`.
    """

    size: int = 0
    edge: list[tuple[Subtree, bytes]] = field(default_factory=list)

    @classmethod
    def from_stored(cls, size: int, hashes: Mapping[Subtree, bytes]) -> CompactRange:
        edge = []
        for subtree in complete_subtrees(0, size):
            found = hashes.get(subtree)
            if found is None:
                raise MissingSubtree(f"stored hash of subtree {subtree} is missing")
            edge.append((subtree, found))
        return cls(size, edge)

    def append(self, leaf: bytes) -> list[tuple[Subtree, bytes]]:
        """Add one leaf hash; return every complete subtree it completes, the leaf first."""
        if len(leaf) != HASH_SIZE:
            raise InvalidTreeRequest("a leaf hash is 32 bytes")
        node, digest = Subtree(0, self.size), leaf
        completed = [(node, digest)]
        while self.edge and self.edge[-1][0].level == node.level:
            left, left_hash = self.edge.pop()
            node, digest = Subtree(node.level + 1, left.index >> 1), node_hash(left_hash, digest)
            completed.append((node, digest))
        self.edge.append((node, digest))
        self.size += 1
        return completed

    def extend(self, leaves: Iterable[bytes]) -> list[tuple[Subtree, bytes]]:
        completed: list[tuple[Subtree, bytes]] = []
        for leaf in leaves:
            completed.extend(self.append(leaf))
        return completed

    def root(self) -> bytes:
        return fold_right_edge([digest for _, digest in self.edge])


def root_from_leaf_hashes(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH(D[0:n]) of RFC 9162 2.1.1 from the leaf hashes, in one pass and O(log n) memory."""
    tree = CompactRange()
    tree.extend(leaf_hashes)
    return tree.root()
