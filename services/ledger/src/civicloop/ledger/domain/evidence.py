"""What the ledger accepts onto its log and what it answers about it: pure rules, no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from civicloop.platform.errors import (
    DomainError,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    Violations,
)
from civicloop.tlog.evidence import EvidenceLeaf

# Every event about a case (its subject is the case id, events.proto): the ledger evidences
# each of them. Catalogue, publication, amenity and the ledger's own events are not case steps.
CASE_EVENT_PREFIXES = (
    "civicloop.petition.",
    "civicloop.petitions.",
    "civicloop.case.",
    "civicloop.rating.",
)

_ID = re.compile(r"[\x21-\x7e]{1,128}")


class EvidenceConflict(DomainError):
    """An event id already on the log with other content: tampering, or a defect upstream."""

    grpc_code_name = "ALREADY_EXISTS"
    http_status = 409
    title = "Event id already evidenced with other content"


def case_event_types(event_types: Iterable[str]) -> list[str]:
    return sorted(t for t in event_types if t.startswith(CASE_EVENT_PREFIXES))


_ID_RULE = "must be 1..128 printable ASCII characters without spaces"


def check_id(value: str, field: str) -> str:
    if not _ID.fullmatch(value):
        raise InvalidArgument.of(field, _ID_RULE)
    return value


def evidence_leaf(
    event_id: str, event_type: str, subject: str, event_sha256: bytes, field: str = "leaf"
) -> EvidenceLeaf:
    """The leaf of a request, every bad field named (the rules of ledger.proto's leaf)."""
    problems = Violations()
    leaf = _checked_leaf(problems, field, event_id, event_type, subject, event_sha256)
    problems.raise_if_any()
    assert leaf is not None
    return leaf


def _checked_leaf(
    problems: Violations,
    field: str,
    event_id: str,
    event_type: str,
    subject: str,
    event_sha256: bytes,
) -> EvidenceLeaf | None:
    """The leaf, or None with its problems added."""
    before = len(problems.items)
    for name, value in (("event_id", event_id), ("event_type", event_type), ("subject", subject)):
        if not _ID.fullmatch(value):
            problems.add(f"{field}.{name}", _ID_RULE)
    if len(event_sha256) != 32:
        problems.add(f"{field}.event_sha256", f"must be 32 bytes, got {len(event_sha256)}")
    if len(problems.items) > before:
        return None
    return EvidenceLeaf(event_id, event_type, subject, event_sha256)


# A batch of appends (AppendEvidenceBatch): one call, at most this many leaves.
MAX_BATCH_LEAVES = 1000


def evidence_leaves(
    offered: Sequence[tuple[str, str, str, bytes]], field: str = "leaves"
) -> list[EvidenceLeaf]:
    """The leaves of a batch (event id, type, subject, digest each), all or nothing: every bad
    leaf is named by its position (``leaves[3].leaf.event_sha256``)."""
    problems = Violations()
    if not 1 <= len(offered) <= MAX_BATCH_LEAVES:
        problems.add(field, f"must hold 1..{MAX_BATCH_LEAVES} leaves, got {len(offered)}")
        problems.raise_if_any()
    leaves = [
        _checked_leaf(problems, f"{field}[{i}].leaf", *leaf) for i, leaf in enumerate(offered)
    ]
    problems.raise_if_any()
    return [leaf for leaf in leaves if leaf is not None]


@dataclass(frozen=True)
class Entry:
    """A leaf on the log (leaf_index set) or accepted and waiting for the sequencer (None)."""

    leaf: EvidenceLeaf
    appended_by: str
    appended_at: datetime
    occurred_at: datetime | None
    leaf_index: int | None = None


def check_same_content(stored: EvidenceLeaf, offered: EvidenceLeaf) -> None:
    """The same event appended again is harmless only with the same content."""
    if stored != offered:
        differing = [
            name
            for name in ("event_type", "subject", "event_sha256")
            if getattr(stored, name) != getattr(offered, name)
        ]
        raise EvidenceConflict(
            f"event {offered.event_id} is already on the log with another "
            f"{', '.join(differing)}: refused and reported",
            [FieldViolation("leaf.event_id", "already evidenced with other content")],
        )


def signed_size(requested: int, latest: int | None, field: str) -> int:
    """The tree size a proof is asked against: 0 means the latest signed one."""
    if latest is None:
        raise FailedPrecondition("no checkpoint is signed yet; retry after the signing interval")
    if requested < 0:
        raise InvalidArgument.of(field, "must not be negative (0 means the latest checkpoint)")
    if requested > latest:
        raise InvalidArgument.of(
            field, f"is beyond the tree: the latest signed checkpoint has {latest} entries"
        )
    return requested or latest


def check_leaf_in_tree(leaf_index: int, tree_size: int, field: str) -> None:
    if leaf_index < 0:
        raise InvalidArgument.of(field, "must not be negative")
    if leaf_index >= tree_size:
        raise FailedPrecondition(
            f"leaf {leaf_index} is not covered by the checkpoint of size {tree_size}; "
            "retry after the signing interval",
            [FieldViolation(field, f"not below the tree size {tree_size}")],
        )


def check_consistency_sizes(first: int, second: int) -> None:
    if first < 1:
        raise InvalidArgument.of("first_tree_size", "must be at least 1")
    if first > second:
        raise InvalidArgument.of(
            "first_tree_size", f"must not be larger than the second tree size {second}"
        )


def checkpoint_not_found(size: int, field: str) -> NotFound:
    return NotFound(
        f"no checkpoint is signed at tree size {size}",
        [FieldViolation(field, "not a signed tree size")],
    )


# What a caller who offered an entry hears: the entry as on the log and whether it was there
# already, or the conflict that refuses it.
Answer = tuple[Entry, bool] | EvidenceConflict


@dataclass(frozen=True)
class Batch:
    """What one integration appends (leaf indexes given), the offered entries it refuses, and
    the answer to each entry offered by a caller waiting for one."""

    new: list[Entry]
    conflicts: list[tuple[EvidenceLeaf, EvidenceLeaf]]  # (on the log, offered)
    answers: list[Answer]
    staged: int = 0  # how many staged appends it took


def sort_out_batch(
    staged: Sequence[Entry],
    offered: Sequence[Entry],
    logged: Mapping[str, Entry],
    size: int,
) -> Batch:
    """Staged appends (oldest first), then the entries offered by waiting callers, onto a tree
    of ``size`` leaves: each one not on the log nor earlier in the batch takes the next leaf
    index (a retry that raced the sequencer appends nothing); one with other content than the
    entry of its event id is a conflict."""
    placed = dict(logged)
    new: list[Entry] = []
    conflicts: list[tuple[EvidenceLeaf, EvidenceLeaf]] = []
    answers: list[Answer] = []
    for position, entry in enumerate([*staged, *offered]):
        known = placed.get(entry.leaf.event_id)
        answer: Answer
        if known is None:
            known = replace(entry, leaf_index=size + len(new))
            placed[entry.leaf.event_id] = known
            new.append(known)
            answer = (known, False)
        else:
            try:
                check_same_content(known.leaf, entry.leaf)
                answer = (known, True)
            except EvidenceConflict as conflict:
                conflicts.append((known.leaf, entry.leaf))
                answer = conflict
        if position >= len(staged):
            answers.append(answer)
    return Batch(new, conflicts, answers, len(staged))
