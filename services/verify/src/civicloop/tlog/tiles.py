"""C2SP tlog-tiles: the log as static, cacheable files, and proofs read back from them.

A tile at tile level L and index N holds up to 256 consecutive hashes of complete subtrees of
tree level 8L (level 0: leaf hashes), so every stored subtree of civicloop.tlog.tree is either a
hash in some tile or the fold of up to 128 adjacent hashes of one tile. A client holding a
checkpoint fetches the few tiles a proof needs (``tiles_for_plan``) and assembles the proof
with the same HashPlan the log uses, then verifies it against the signed root: a tile that lies
makes the proof fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from civicloop.tlog.errors import InvalidTreeRequest, MalformedError, MissingSubtree
from civicloop.tlog.hashing import HASH_SIZE, node_hash
from civicloop.tlog.tree import HashPlan, Subtree

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY_SIZE = 0xFFFF  # entries are uint16 length-prefixed in a bundle


def encode_tile_index(index: int) -> str:
    """1234067 -> 'x001/x234/067': 3-digit path elements, all but the last starting with x."""
    if index < 0:
        raise InvalidTreeRequest(f"tile index {index} is negative")
    parts = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        parts.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(parts))


def _width_suffix(width: int) -> str:
    return "" if width == TILE_WIDTH else f".p/{width}"


@dataclass(frozen=True, order=True)
class Tile:
    """The tile at tile level `level`, index `index`, holding `width` hashes (256 = full)."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not 0 <= self.level <= 63:
            raise InvalidTreeRequest(f"tile level {self.level} is not 0..63")
        if self.index < 0:
            raise InvalidTreeRequest(f"tile index {self.index} is negative")
        if not 1 <= self.width <= TILE_WIDTH:
            raise InvalidTreeRequest(f"tile width {self.width} is not 1..256")

    def path(self) -> str:
        return f"tile/{self.level}/{encode_tile_index(self.index)}{_width_suffix(self.width)}"

    @property
    def subtrees(self) -> tuple[Subtree, ...]:
        """The stored subtrees whose hashes the tile holds, in order."""
        first = self.index * TILE_WIDTH
        return tuple(Subtree(TILE_HEIGHT * self.level, first + i) for i in range(self.width))

    def full(self) -> Tile:
        return Tile(self.level, self.index)


@dataclass(frozen=True, order=True)
class EntryBundle:
    """The entries (leaf data) of leaves index*256 .. index*256 + width - 1."""

    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if self.index < 0:
            raise InvalidTreeRequest(f"entry bundle index {self.index} is negative")
        if not 1 <= self.width <= TILE_WIDTH:
            raise InvalidTreeRequest(f"entry bundle width {self.width} is not 1..256")

    def path(self) -> str:
        return f"tile/entries/{encode_tile_index(self.index)}{_width_suffix(self.width)}"

    @property
    def first_leaf(self) -> int:
        return self.index * TILE_WIDTH


_TILE_PATH = re.compile(
    r"tile/(?P<level>entries|0|[1-9][0-9]?)/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"
)


def parse_tile_path(path: str) -> Tile | EntryBundle:
    """A tile or entry bundle from its path, refusing any non-canonical spelling."""
    match = _TILE_PATH.fullmatch(path)
    if match is None:
        raise MalformedError(f"{path!r} is not a tile path (tile/<L>/<N>[.p/<W>])")
    index = int(match["index"].replace("x", "").replace("/", ""))
    width = TILE_WIDTH
    if match["width"]:
        width = int(match["width"])
        if width >= TILE_WIDTH:
            raise MalformedError(f"{path!r}: a partial tile's width is 1..255")
    try:
        found: Tile | EntryBundle = (
            EntryBundle(index, width)
            if match["level"] == "entries"
            else Tile(int(match["level"]), index, width)
        )
    except InvalidTreeRequest as exc:
        raise MalformedError(f"{path!r}: {exc}") from exc
    if found.path() != path:
        raise MalformedError(f"{path!r} is not the canonical spelling {found.path()!r}")
    return found


def _hashes_at_tile_level(level: int, tree_size: int) -> int:
    return tree_size >> (TILE_HEIGHT * level)


def tile_at(level: int, index: int, tree_size: int) -> Tile:
    """The tile (level, index) as a tree of tree_size serves it (full, or partial on the edge)."""
    available = _hashes_at_tile_level(level, tree_size) - index * TILE_WIDTH
    if available <= 0:
        raise InvalidTreeRequest(f"a tree of size {tree_size} has no tile {level}/{index}")
    return Tile(level, index, min(TILE_WIDTH, available))


def tiles_for_size(tree_size: int) -> list[Tile]:
    """Every tile of the tree of tree_size, level by level, full ones then the partial one."""
    tiles: list[Tile] = []
    level = 0
    while (count := _hashes_at_tile_level(level, tree_size)) > 0:
        tiles.extend(Tile(level, n) for n in range(count // TILE_WIDTH))
        if count % TILE_WIDTH:
            tiles.append(Tile(level, count // TILE_WIDTH, count % TILE_WIDTH))
        level += 1
    return tiles


def tiles_grown(old_size: int, new_size: int) -> list[Tile]:
    """The tiles a tree of new_size has that one of old_size does not (new, or wider).

    What a log writes (or may start caching) after signing a checkpoint at new_size.
    """
    if not 0 <= old_size <= new_size:
        raise InvalidTreeRequest(f"a tree does not shrink from {old_size} to {new_size}")
    grown: list[Tile] = []
    level = 0
    while (new_count := _hashes_at_tile_level(level, new_size)) > 0:
        old_count = _hashes_at_tile_level(level, old_size)
        for index in range(old_count // TILE_WIDTH, -(-new_count // TILE_WIDTH)):
            new_width = min(TILE_WIDTH, new_count - index * TILE_WIDTH)
            if new_width > old_count - index * TILE_WIDTH:
                grown.append(Tile(level, index, new_width))
        level += 1
    return grown


def entry_bundles_for_size(tree_size: int) -> list[EntryBundle]:
    bundles = [EntryBundle(n) for n in range(tree_size // TILE_WIDTH)]
    if tree_size % TILE_WIDTH:
        bundles.append(EntryBundle(tree_size // TILE_WIDTH, tree_size % TILE_WIDTH))
    return bundles


def entry_bundle_for_leaf(leaf_index: int, tree_size: int) -> EntryBundle:
    if not 0 <= leaf_index < tree_size:
        raise InvalidTreeRequest(f"leaf {leaf_index} is not in a tree of size {tree_size}")
    index = leaf_index // TILE_WIDTH
    return EntryBundle(index, min(TILE_WIDTH, tree_size - index * TILE_WIDTH))


def _place(subtree: Subtree, tree_size: int) -> tuple[Tile, int, int]:
    """The tile holding a subtree's hashes, and where: (tile, first offset, count)."""
    if subtree.end > tree_size:
        raise InvalidTreeRequest(f"subtree {subtree} is not complete in a tree of size {tree_size}")
    level, rest = divmod(subtree.level, TILE_HEIGHT)
    first = subtree.index << rest
    tile = tile_at(level, first // TILE_WIDTH, tree_size)
    return tile, first % TILE_WIDTH, 1 << rest


def tiles_for_plan(plan: HashPlan, tree_size: int) -> list[Tile]:
    """The tiles a client fetches to assemble a plan's hashes for a tree of tree_size."""
    return sorted({_place(s, tree_size)[0] for s in plan.subtrees})


def split_tile(tile: Tile, data: bytes) -> list[bytes]:
    """The hashes of a tile's bytes; the length must be exactly its width."""
    if len(data) != tile.width * HASH_SIZE:
        raise MalformedError(
            f"tile {tile.path()} is {len(data)} bytes, not {tile.width} hashes of 32 bytes"
        )
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def _fold_complete(hashes: Sequence[bytes]) -> bytes:
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def subtree_hashes_from_tiles(
    subtrees: Iterable[Subtree], tree_size: int, tiles: Mapping[Tile, bytes]
) -> dict[Subtree, bytes]:
    """The stored-subtree hashes a plan needs, computed from fetched tiles.

    A tile may be given in its full form even where the tree of tree_size has it partial
    (logs may delete partial tiles once full): its first hashes are the same.
    """
    found: dict[Subtree, bytes] = {}
    for subtree in subtrees:
        tile, offset, count = _place(subtree, tree_size)
        data = tiles.get(tile)
        if data is None and tile.width < TILE_WIDTH:
            data = tiles.get(tile.full())
            tile = tile.full()
        if data is None:
            raise MissingSubtree(f"tile {tile.path()} is needed for subtree {subtree}")
        hashes = split_tile(tile, data)
        found[subtree] = _fold_complete(hashes[offset : offset + count])
    return found


def tile_content(hashes: Sequence[bytes]) -> bytes:
    """A tile's bytes: its hashes, concatenated."""
    if not 1 <= len(hashes) <= TILE_WIDTH or any(len(h) != HASH_SIZE for h in hashes):
        raise MalformedError("a tile is 1..256 hashes of 32 bytes")
    return b"".join(hashes)


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Entries as big-endian uint16 length-prefixed records."""
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise MalformedError("an entry bundle holds 1..256 entries")
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_SIZE:
            raise MalformedError(f"an entry of {len(entry)} bytes does not fit a bundle")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_entry_bundle(bundle: EntryBundle, data: bytes) -> list[bytes]:
    entries: list[bytes] = []
    position = 0
    while position < len(data):
        if position + 2 > len(data):
            raise MalformedError(f"entry bundle {bundle.path()} ends inside a length prefix")
        length = int.from_bytes(data[position : position + 2], "big")
        position += 2
        if position + length > len(data):
            raise MalformedError(f"entry bundle {bundle.path()} ends inside entry {len(entries)}")
        entries.append(data[position : position + length])
        position += length
    if len(entries) != bundle.width:
        raise MalformedError(
            f"entry bundle {bundle.path()} holds {len(entries)} entries, not {bundle.width}"
        )
    return entries
