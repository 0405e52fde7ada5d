"""C2SP tlog-tiles: paths, which tiles a tree has, and proofs read back from tiles alone."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from verify_testlog import TestLog

from civicloop.tlog.errors import InvalidTreeRequest, MalformedError, ProofError
from civicloop.tlog.proofs import verify_consistency, verify_inclusion
from civicloop.tlog.tiles import (
    EntryBundle,
    Tile,
    decode_entry_bundle,
    encode_entry_bundle,
    encode_tile_index,
    parse_tile_path,
    subtree_hashes_from_tiles,
    tile_content,
    tiles_for_plan,
    tiles_for_size,
    tiles_grown,
)
from civicloop.tlog.tree import consistency_plan, inclusion_plan, root_plan

# tlog-tiles.md's example, and the index encodings of Go's sumdb/tlog tile_test.go.
PATHS = [
    ("tile/0/x001/x234/067", Tile(0, 1234067)),
    ("tile/0/000", Tile(0, 0)),
    ("tile/4/001", Tile(4, 1)),
    ("tile/4/001.p/5", Tile(4, 1, 5)),
    ("tile/3/x123/x456/078", Tile(3, 123456078)),
    ("tile/3/x123/x456/078.p/2", Tile(3, 123456078, 2)),
    ("tile/1/x003/x057/500", Tile(1, 3057500)),
    ("tile/63/x001/000", Tile(63, 1000)),
    ("tile/entries/x003/x057/500", EntryBundle(3057500)),
    ("tile/entries/000.p/1", EntryBundle(0, 1)),
]


@pytest.mark.parametrize(("path", "tile"), PATHS)
def test_tile_paths(path: str, tile: Tile | EntryBundle) -> None:
    assert tile.path() == path
    assert parse_tile_path(path) == tile


@pytest.mark.parametrize(
    "path",
    [
        "tile/3/123/456/078",  # Go's: elements before the last need their x
        "tile/3/-1/123/456/078",
        "tile/0/x000/001",  # not canonical
        "tile/00/001",
        "tile/64/001",
        "tile/0/1",
        "tile/0/001.p/0",
        "tile/0/001.p/256",
        "tile/0/001.p/05",
        "tile/data/001",
        "tile/0/001/",
        "/tile/0/001",
    ],
)
def test_a_non_canonical_tile_path_is_refused(path: str) -> None:
    with pytest.raises(MalformedError):
        parse_tile_path(path)


def test_index_encoding() -> None:
    assert encode_tile_index(0) == "000"
    assert encode_tile_index(999) == "999"
    assert encode_tile_index(1000) == "x001/000"


def test_the_tiles_of_a_tree_of_70000_are_those_the_spec_lists() -> None:
    # "273 full level 0 tiles, one partial level 0 tile of width 112, one full level 1 tile,
    # one partial level 1 tile of width 17, and one partial level 2 tile of width 1."
    tiles = tiles_for_size(70_000)
    assert [t for t in tiles if t.level == 0] == [Tile(0, n) for n in range(273)] + [
        Tile(0, 273, 112)
    ]
    assert [t for t in tiles if t.level > 0] == [Tile(1, 0), Tile(1, 1, 17), Tile(2, 0, 1)]
    # "a tree of size 256 will be represented by a full level 0 tile and a partial level 1
    # tile of width 1."
    assert tiles_for_size(256) == [Tile(0, 0), Tile(1, 0, 1)]
    assert tiles_for_size(0) == []


LOG = TestLog(70_000)
SIZES = [1, 255, 256, 257, 65_535, 65_536, 65_537, 69_999, 70_000]


@functools.cache
def _served_tiles(size: int) -> dict[Tile, bytes]:
    return {
        tile: tile_content([LOG.hashes[s] for s in tile.subtrees]) for tile in tiles_for_size(size)
    }


@pytest.mark.parametrize("size", SIZES)
def test_proofs_read_from_tiles_alone_verify(size: int) -> None:
    tiles = _served_tiles(size)
    root = root_plan(size).assemble(LOG.hashes)[0]
    for index in {0, size // 3, size - 1}:
        plan = inclusion_plan(index, size)
        needed = tiles_for_plan(plan, size)
        assert len(needed) <= 2 * 3  # a handful of tiles, whatever the size
        proof = plan.assemble(subtree_hashes_from_tiles(plan.subtrees, size, tiles))
        verify_inclusion(index, size, LOG.leaves[index].leaf_hash, proof, root)
    for first in {1, size // 2 or 1, size}:
        plan = consistency_plan(first, size)
        proof = plan.assemble(subtree_hashes_from_tiles(plan.subtrees, size, tiles))
        old_root = root_plan(first).assemble(LOG.hashes)[0]
        verify_consistency(first, size, old_root, root, proof)


def test_a_full_tile_stands_in_for_a_partial_one_the_log_deleted() -> None:
    size = 1000
    later = _served_tiles(70_000)
    root = root_plan(size).assemble(LOG.hashes)[0]
    plan = inclusion_plan(999, size)
    assert Tile(0, 3, 232) in tiles_for_plan(plan, size)
    proof = plan.assemble(subtree_hashes_from_tiles(plan.subtrees, size, later))
    verify_inclusion(999, size, LOG.leaves[999].leaf_hash, proof, root)


def test_a_tile_that_lies_makes_the_proof_fail() -> None:
    size = 70_000
    tiles = dict(_served_tiles(size))
    lying = bytearray(tiles[Tile(0, 10)])
    lying[5] ^= 1
    tiles[Tile(0, 10)] = bytes(lying)
    plan = inclusion_plan(2561, size)
    proof = plan.assemble(subtree_hashes_from_tiles(plan.subtrees, size, tiles))
    with pytest.raises(ProofError):
        root = root_plan(size).assemble(LOG.hashes)[0]
        verify_inclusion(2561, size, LOG.leaves[2561].leaf_hash, proof, root)


def test_a_tile_of_the_wrong_length_is_refused() -> None:
    tiles = dict(_served_tiles(300))
    tiles[Tile(0, 1, 44)] = tiles[Tile(0, 1, 44)][:-1]
    plan = inclusion_plan(299, 300)
    with pytest.raises(MalformedError, match="not 44 hashes"):
        subtree_hashes_from_tiles(plan.subtrees, 300, tiles)


def test_no_tile_for_a_subtree_beyond_the_tree() -> None:
    with pytest.raises(InvalidTreeRequest):
        tiles_for_plan(inclusion_plan(5, 10), 9)


def test_entry_bundles_round_trip_and_refuse_truncation() -> None:
    entries = [leaf.leaf_data for leaf in LOG.leaves[:256]]
    data = encode_entry_bundle(entries)
    assert decode_entry_bundle(EntryBundle(0), data) == entries
    with pytest.raises(MalformedError, match="ends inside entry 255"):
        decode_entry_bundle(EntryBundle(0), data[:-1])
    with pytest.raises(MalformedError, match="holds 256 entries, not 3"):
        decode_entry_bundle(EntryBundle(0, 3), data)


@given(st.integers(0, 1 << 20), st.integers(0, 1 << 20))
def test_the_tiles_a_tree_grows_are_those_it_did_not_have(a: int, b: int) -> None:
    old, new = min(a, b), max(a, b)
    if new - old > 5000:  # keep the set difference cheap; the sizes still reach three levels
        old = new - 5000
    expected = set(tiles_for_size(new)) - set(tiles_for_size(old))
    assert set(tiles_grown(old, new)) == expected
