"""RFC 6962 / 9162 test vectors from an implementation the project did not write.

Sources: transparency-dev/merkle (Apache-2.0) at commit 417fb0c3: rfc6962/rfc6962_test.go
(hashes), testonly/constants.go (the RFC 6962 reference tree of 8 leaves: inputs, every complete
subtree, every root), proof/proof_test.go (which nodes each proof reads), and testdata/ (the
inclusion and consistency probes in vectors/, each case keeping its file name).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from civicloop.tlog.errors import InvalidTreeRequest, ProofError
from civicloop.tlog.hashing import EMPTY_ROOT, leaf_hash, node_hash
from civicloop.tlog.proofs import verify_consistency, verify_inclusion
from civicloop.tlog.tree import (
    CompactRange,
    Subtree,
    consistency_plan,
    inclusion_plan,
    root_from_leaf_hashes,
    root_plan,
)

VECTORS = Path(__file__).parent / "vectors"

# testonly/constants.go
LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f"]
]  # fmt: skip
NODE_HASHES = [
    ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
     "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
     "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
     "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
     "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
     "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
     "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
     "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"],
    ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
     "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"],
    ["d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]  # fmt: skip
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

# Cases of the probes where we refuse what transparency-dev accepts, on purpose: their roots
# are 12-byte placeholders ("don't care"), and we refuse any hash that is not 32 bytes.
STRICTER = {"testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"}


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _probes(kind: str) -> list[dict[str, Any]]:
    document = json.loads((VECTORS / f"merkle_{kind}_probes.json").read_text())
    cases: list[dict[str, Any]] = document["cases"]
    return cases


def test_hashes_are_those_of_rfc_6962() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


def test_every_root_of_the_reference_tree() -> None:
    leaves = [leaf_hash(data) for data in LEAF_INPUTS]
    for size, root in enumerate(ROOTS):
        assert root_from_leaf_hashes(leaves[:size]).hex() == root


def test_appending_stores_every_complete_subtree_of_the_reference_tree() -> None:
    tree = CompactRange()
    stored = dict(tree.extend(leaf_hash(data) for data in LEAF_INPUTS))
    expected = {
        Subtree(level, index): bytes.fromhex(digest)
        for level, row in enumerate(NODE_HASHES)
        for index, digest in enumerate(row)
    }
    assert stored == expected
    for size, root in enumerate(ROOTS):
        assert root_plan(size).assemble(stored)[0].hex() == root


@pytest.mark.parametrize("case", _probes("inclusion"), ids=lambda c: c["file"][9:])
def test_inclusion_probes(case: dict[str, Any]) -> None:
    def verify() -> None:
        verify_inclusion(
            case["leafIdx"],
            case["treeSize"],
            _b64(case["leafHash"]),
            [_b64(p) for p in case["proof"] or []],
            _b64(case["root"]),
        )

    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify()
    else:
        verify()


@pytest.mark.parametrize("case", _probes("consistency"), ids=lambda c: c["file"][9:])
def test_consistency_probes(case: dict[str, Any]) -> None:
    def verify() -> None:
        verify_consistency(
            case["size1"],
            case["size2"],
            _b64(case["root1"]),
            _b64(case["root2"]),
            [_b64(p) for p in case["proof"] or []],
        )

    if case["wantErr"] or case["file"] in STRICTER:
        with pytest.raises(ProofError):
            verify()
    else:
        verify()


# proof/proof_test.go TestInclusion and TestConsistency: the stored nodes each proof reads,
# as (level, index); a group their "rehash" folds is listed smallest first, as they list it.
INCLUSION_NODES = {
    (1, 0): [],
    (2, 0): [(0, 1)],
    (3, 1): [(0, 0), [(0, 2)]],
    (7, 0): [(0, 1), (1, 1), [(0, 6), (1, 2)]],
    (7, 3): [(0, 2), (1, 0), [(0, 6), (1, 2)]],
    (7, 4): [(0, 5), [(0, 6)], (2, 0)],
    (7, 6): [(1, 2), (2, 0)],
    (5, 3): [(0, 2), (1, 0), [(0, 4)]],
    (6, 4): [(0, 5), (2, 0)],
    (15, 10): [(0, 11), (1, 4), [(0, 14), (1, 6)], (3, 0)],
    (31, 24): [(0, 25), (1, 13), [(0, 30), (1, 14)], (3, 2), (4, 0)],
    (95, 81): [(0, 80), (1, 41), (2, 21), [(0, 94), (1, 46), (2, 22)], (4, 4), (6, 0)],
}
CONSISTENCY_NODES = {
    (1, 2): [(0, 1)],
    (1, 4): [(0, 1), (1, 1)],
    (1, 6): [(0, 1), (1, 1), [(1, 2)]],
    (2, 3): [[(0, 2)]],
    (2, 8): [(1, 1), (2, 1)],
    (3, 7): [(0, 2), (0, 3), (1, 0), [(0, 6), (1, 2)]],
    (4, 7): [[(0, 6), (1, 2)]],
    (5, 7): [(0, 4), (0, 5), [(0, 6)], (2, 0)],
    (6, 7): [(1, 2), [(0, 6)], (2, 0)],
    (7, 8): [(0, 6), (0, 7), (1, 2), (2, 0)],
    (7, 7): [],
    (3, 6): [(0, 2), (0, 3), (1, 0), [(1, 2)]],
    (10, 15): [(1, 4), (1, 5), [(0, 14), (1, 6)], (3, 0)],
    (24, 31): [(3, 2), [(0, 30), (1, 14), (2, 6)], (4, 0)],
    (81, 95): [(0, 80), (0, 81), (1, 41), (2, 21), [(0, 94), (1, 46), (2, 22)], (4, 4), (6, 0)],
}


def _as_groups(nodes: list[Any]) -> list[list[Subtree]]:
    # A group is folded from its largest (leftmost) subtree: theirs lists it smallest first.
    return [
        [Subtree(*n) for n in reversed(item)] if isinstance(item, list) else [Subtree(*item)]
        for item in nodes
    ]


@pytest.mark.parametrize(("size", "index"), list(INCLUSION_NODES))
def test_an_inclusion_proof_reads_the_stored_nodes_transparency_dev_reads(
    size: int, index: int
) -> None:
    plan = inclusion_plan(index, size)
    assert [list(group) for group in plan.elements] == _as_groups(INCLUSION_NODES[size, index])


@pytest.mark.parametrize(("first", "second"), list(CONSISTENCY_NODES))
def test_a_consistency_proof_reads_the_stored_nodes_transparency_dev_reads(
    first: int, second: int
) -> None:
    plan = consistency_plan(first, second)
    assert [list(group) for group in plan.elements] == _as_groups(CONSISTENCY_NODES[first, second])


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (2, 1), (3, 0), (8, 7), (-1, 3)])
def test_no_inclusion_proof_for_a_leaf_beyond_the_tree(index: int, size: int) -> None:
    with pytest.raises(InvalidTreeRequest, match="not in a tree"):
        inclusion_plan(index, size)


@pytest.mark.parametrize(("first", "second"), [(5, 0), (9, 8), (0, 5), (0, 0)])
def test_no_consistency_proof_between_impossible_sizes(first: int, second: int) -> None:
    with pytest.raises(InvalidTreeRequest):
        consistency_plan(first, second)
