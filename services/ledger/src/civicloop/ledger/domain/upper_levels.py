"""The hashes of the tree's upper levels, held in memory for inclusion proofs.

A proof needs the sibling of the leaf's ancestor at every level. The lowest levels are
different for every leaf and are read from the database with the leaf itself (its tile). From
the first held level up there is one complete subtree per 2**level leaves, and a stored
subtree hash never changes on an append-only log: at a million leaves and the first level 8,
about 7,800 hashes (half a megabyte) answer the upper half of every proof with no query. They
are grown once per tree size, and only when the tree completed a new subtree at those levels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from civicloop.tlog.tree import Subtree, tree_height


@dataclass(frozen=True, slots=True)
class Missing:
    """Hashes to read: level ``level``, indexes ``first`` up to ``stop`` (excluded)."""

    level: int
    first: int
    stop: int


@dataclass
class UpperLevels:
    """Every complete subtree at ``first_level`` and above of the tree as far as it was grown."""

    first_level: int
    # levels[i]: the hashes of level first_level + i, by index, without gaps.
    levels: list[list[bytes]] = field(default_factory=list)
    size: int = 0

    def missing(self, size: int) -> list[Missing]:
        """What to read so that every complete subtree of a tree of ``size`` leaves at the
        held levels is held (nothing when the tree grew inside its last subtrees)."""
        wanted: list[Missing] = []
        for level in range(self.first_level, tree_height(size)):
            held = self._held(level)
            complete = size >> level
            if complete > held:
                wanted.append(Missing(level, held, complete))
        return wanted

    def add(self, size: int, hashes: Iterable[tuple[int, int, bytes]]) -> None:
        """Hashes read for ``missing(size)``, as (level, index, hash) in level and index
        order; a hash out of sequence (read by a concurrent grower) is left out."""
        for level, index, found in hashes:
            offset = level - self.first_level
            while len(self.levels) <= offset:
                self.levels.append([])
            row = self.levels[offset]
            if index == len(row):
                row.append(found)
        self.size = max(self.size, size)

    def siblings(self, leaf_index: int, size: int) -> dict[Subtree, bytes]:
        """The held siblings of the leaf's ancestors in the tree of ``size`` leaves: each
        complete one (a sibling the tree's end cuts is folded from the right edge instead)."""
        found: dict[Subtree, bytes] = {}
        for offset in range(min(len(self.levels), tree_height(size) - self.first_level)):
            level = self.first_level + offset
            sibling = (leaf_index >> level) ^ 1
            row = self.levels[offset]
            if sibling < len(row) and sibling < size >> level:
                found[Subtree(level, sibling)] = row[sibling]
        return found

    def _held(self, level: int) -> int:
        offset = level - self.first_level
        return len(self.levels[offset]) if offset < len(self.levels) else 0
