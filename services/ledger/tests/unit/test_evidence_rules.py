"""The ledger's pure rules: what it evidences, what it accepts, which sizes proofs may name."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from civicloop.ledger.domain.evidence import (
    MAX_BATCH_LEAVES,
    Entry,
    EvidenceConflict,
    case_event_types,
    check_consistency_sizes,
    check_id,
    check_leaf_in_tree,
    check_same_content,
    evidence_leaf,
    evidence_leaves,
    signed_size,
    sort_out_batch,
)
from civicloop.platform.errors import FailedPrecondition, InvalidArgument
from civicloop.platform.event_types import EVENT_TYPES
from civicloop.tlog.evidence import EvidenceLeaf

DIGEST = hashlib.sha256(b"event").digest()
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def leaf(event_id: str = "evt-1", digest: bytes = DIGEST) -> EvidenceLeaf:
    return EvidenceLeaf(event_id, "civicloop.case.opened.v1", "case-1", digest)


def entry(event_id: str, digest: bytes = DIGEST) -> Entry:
    return Entry(leaf(event_id, digest), "service:intake", NOW, None)


def fields(error: pytest.ExceptionInfo[InvalidArgument]) -> list[str]:
    return [v.field for v in error.value.violations]


def test_every_event_about_a_case_is_evidenced_and_nothing_else() -> None:
    evidenced = case_event_types(EVENT_TYPES)
    assert "civicloop.petition.submitted.v1" in evidenced
    assert "civicloop.petitions.merged.v1" in evidenced
    assert "civicloop.case.dispatched.v1" in evidenced
    assert "civicloop.case.closed.v1" in evidenced
    assert "civicloop.rating.expired.v1" in evidenced
    assert not [t for t in evidenced if ".ledger." in t or ".amenity." in t]
    assert "civicloop.duty_catalogue.changed.v1" not in evidenced
    # Every type whose payload names a case is evidenced; an amenity's problem names the case
    # that handles it, but its subject is the problem (the case's own events are evidenced).
    for event_type, payload in EVENT_TYPES.items():
        names = payload.DESCRIPTOR.fields_by_name
        if ("case_id" in names or "from_case_id" in names) and ".amenity." not in event_type:
            assert event_type in evidenced, event_type


def test_a_leaf_with_bad_fields_is_refused_naming_each() -> None:
    with pytest.raises(InvalidArgument) as refused:
        evidence_leaf("two words", "", "x" * 129, b"short")
    assert fields(refused) == [
        "leaf.event_id",
        "leaf.event_type",
        "leaf.subject",
        "leaf.event_sha256",
    ]
    assert evidence_leaf("evt-1", "civicloop.case.opened.v1", "case-1", DIGEST) == leaf()
    with pytest.raises(InvalidArgument) as bad_id:
        check_id("é", "event_id")
    assert fields(bad_id) == ["event_id"]


def test_the_same_event_with_other_content_is_a_conflict() -> None:
    check_same_content(leaf(), leaf())
    with pytest.raises(EvidenceConflict) as conflict:
        check_same_content(leaf(), leaf(digest=bytes(32)))
    assert conflict.value.grpc_code_name == "ALREADY_EXISTS"
    assert "event_sha256" in conflict.value.message


def test_a_batch_drops_what_is_logged_or_repeated_and_reports_other_content() -> None:
    logged = replace(entry("c"), leaf_index=0)
    batch = sort_out_batch(
        [entry("a"), entry("b"), entry("a"), entry("c", bytes(32)), entry("b", bytes(32))],
        [],
        {"c": logged},
        1,
    )
    assert [(e.leaf.event_id, e.leaf_index) for e in batch.new] == [("a", 1), ("b", 2)]
    assert [(known.event_id, offered.event_sha256) for known, offered in batch.conflicts] == [
        ("c", bytes(32)),
        ("b", bytes(32)),
    ]
    assert batch.answers == []


def test_each_offered_entry_is_answered_with_its_place_on_the_log() -> None:
    logged = replace(entry("c"), leaf_index=6)
    batch = sort_out_batch(
        [entry("s")],
        [entry("a"), entry("s"), entry("a"), entry("c"), entry("c", bytes(32)), entry("b")],
        {"c": logged},
        7,
    )
    assert [(e.leaf.event_id, e.leaf_index) for e in batch.new] == [("s", 7), ("a", 8), ("b", 9)]
    answers = [
        a if isinstance(a, EvidenceConflict) else (a[0].leaf.event_id, a[0].leaf_index, a[1])
        for a in batch.answers
    ]
    assert answers[:4] == [("a", 8, False), ("s", 7, True), ("a", 8, True), ("c", 6, True)]
    assert isinstance(answers[4], EvidenceConflict)
    assert answers[5] == ("b", 9, False)
    assert [v.field for v in answers[4].violations] == ["leaf.event_id"]


def test_proof_sizes_beyond_the_signed_tree_are_refused_naming_the_field() -> None:
    assert signed_size(0, 10, "tree_size") == 10
    assert signed_size(4, 10, "tree_size") == 4
    with pytest.raises(InvalidArgument) as beyond:
        signed_size(11, 10, "tree_size")
    assert fields(beyond) == ["tree_size"]
    with pytest.raises(InvalidArgument):
        signed_size(-1, 10, "tree_size")
    with pytest.raises(FailedPrecondition):
        signed_size(0, None, "tree_size")
    with pytest.raises(FailedPrecondition):
        check_leaf_in_tree(10, 10, "leaf_index")
    with pytest.raises(InvalidArgument):
        check_leaf_in_tree(-1, 10, "leaf_index")
    with pytest.raises(InvalidArgument) as first:
        check_consistency_sizes(0, 10)
    assert fields(first) == ["first_tree_size"]
    with pytest.raises(InvalidArgument):
        check_consistency_sizes(11, 10)


def offered(event_id: str, digest: bytes = DIGEST) -> tuple[str, str, str, bytes]:
    return (event_id, "civicloop.case.opened.v1", "case-1", digest)


def test_a_batch_of_well_formed_leaves_is_taken_in_order() -> None:
    leaves = evidence_leaves([offered("evt-1"), offered("evt-2")])
    assert [leaf.event_id for leaf in leaves] == ["evt-1", "evt-2"]


def test_a_bad_leaf_refuses_the_whole_batch_naming_its_position() -> None:
    with pytest.raises(InvalidArgument) as refused:
        evidence_leaves([offered("evt-1"), offered("evt 2"), offered("evt-3", b"short")])
    assert fields(refused) == ["leaves[1].leaf.event_id", "leaves[2].leaf.event_sha256"]


def test_a_batch_holds_one_to_a_thousand_leaves() -> None:
    with pytest.raises(InvalidArgument) as empty:
        evidence_leaves([])
    assert fields(empty) == ["leaves"]
    with pytest.raises(InvalidArgument) as too_many:
        evidence_leaves([offered(f"evt-{n}") for n in range(MAX_BATCH_LEAVES + 1)])
    assert fields(too_many) == ["leaves"]
    assert len(evidence_leaves([offered(f"evt-{n}") for n in range(MAX_BATCH_LEAVES)])) == 1000
