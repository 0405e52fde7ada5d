"""The ledger's leaf bytes are exactly what ledger.proto says, and nothing else parses."""

from __future__ import annotations

import hashlib

import pytest

from civicloop.tlog.errors import MalformedError
from civicloop.tlog.evidence import EvidenceLeaf, parse_leaf_data
from civicloop.tlog.hashing import leaf_hash

DIGEST = hashlib.sha256(b"case.dispatched").digest()


def test_leaf_data_is_the_contract_text() -> None:
    leaf = EvidenceLeaf("evt-1", "civicloop.case.dispatched.v1", "case-0001", DIGEST)
    assert leaf.leaf_data == (
        b"civicloop-evidence-v1\nevt-1\ncivicloop.case.dispatched.v1\ncase-0001\n"
        + DIGEST.hex().encode()
        + b"\n"
    )
    assert leaf.leaf_hash == hashlib.sha256(b"\x00" + leaf.leaf_data).digest()
    assert leaf.leaf_hash == leaf_hash(leaf.leaf_data)
    assert parse_leaf_data(leaf.leaf_data) == leaf


@pytest.mark.parametrize(
    ("event_id", "why"),
    [("", "1..128"), ("a b", "without spaces"), ("x" * 129, "1..128"), ("案件", "ASCII")],
)
def test_ids_are_printable_ascii_without_spaces(event_id: str, why: str) -> None:
    with pytest.raises(MalformedError, match=why):
        EvidenceLeaf(event_id, "civicloop.case.opened.v1", "case-1", DIGEST)


def test_a_digest_is_32_bytes() -> None:
    with pytest.raises(MalformedError, match="32 bytes"):
        EvidenceLeaf("evt-1", "civicloop.case.opened.v1", "case-1", DIGEST[:31])


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"civicloop-evidence-v2\na\nb\nc\n" + DIGEST.hex().encode() + b"\n", "must start"),
        (b"civicloop-evidence-v1\na\nb\nc\n" + DIGEST.hex().upper().encode() + b"\n", "lower"),
        (b"civicloop-evidence-v1\na\nb\nc\n" + DIGEST.hex().encode(), "five lines"),
        (b"civicloop-evidence-v1\na\nb\n" + DIGEST.hex().encode() + b"\n", "five lines"),
        (b"civicloop-evidence-v1\na \nb\nc\n" + DIGEST.hex().encode() + b"\n", "without spaces"),
        (b"\xff", "not ASCII"),
    ],
)
def test_only_the_exact_format_parses(data: bytes, why: str) -> None:
    with pytest.raises(MalformedError, match=why):
        parse_leaf_data(data)
