"""Clustering quality: pairwise precision, recall and F1, and B-cubed F1."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float
    f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    true_pairs: int
    proposed_pairs: int
    correct_pairs: int


def pairs_of(assignment: Mapping[str, str]) -> set[frozenset[str]]:
    """Every pair of items that share a label."""
    members: dict[str, list[str]] = {}
    for item, label in assignment.items():
        members.setdefault(label, []).append(item)
    return {frozenset(p) for group in members.values() for p in combinations(sorted(group), 2)}


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def quality(truth: Mapping[str, str], predicted: Mapping[str, str]) -> Quality:
    """Both map every item to its cluster label (a singleton gets a label of its own)."""
    true_pairs, proposed = pairs_of(truth), pairs_of(predicted)
    correct = len(true_pairs & proposed)
    true_groups = _groups(truth)
    predicted_groups = _groups(predicted)
    b_precision = b_recall = 0.0
    for item in truth:
        same_true = true_groups[truth[item]]
        same_predicted = predicted_groups[predicted[item]]
        overlap = len(same_true & same_predicted)
        b_precision += overlap / len(same_predicted)
        b_recall += overlap / len(same_true)
    n = len(truth) or 1
    return _of_counts(len(true_pairs), len(proposed), correct, b_precision / n, b_recall / n)


def _of_counts(
    true_pairs: int, proposed: int, correct: int, b_precision: float, b_recall: float
) -> Quality:
    precision = correct / proposed if proposed else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    return Quality(
        precision=precision,
        recall=recall,
        f1=f1(precision, recall),
        bcubed_precision=b_precision,
        bcubed_recall=b_recall,
        bcubed_f1=f1(b_precision, b_recall),
        true_pairs=true_pairs,
        proposed_pairs=proposed,
        correct_pairs=correct,
    )


def pooled(parts: list[tuple[Quality, int]]) -> Quality:
    """The quality of several windows taken together: their pairs summed, B-cubed averaged
    over every item (each part with its count of items)."""
    true_pairs = sum(q.true_pairs for q, _ in parts)
    proposed = sum(q.proposed_pairs for q, _ in parts)
    correct = sum(q.correct_pairs for q, _ in parts)
    items = sum(n for _, n in parts) or 1
    b_precision = sum(q.bcubed_precision * n for q, n in parts) / items
    b_recall = sum(q.bcubed_recall * n for q, n in parts) / items
    return _of_counts(true_pairs, proposed, correct, b_precision, b_recall)


def _groups(assignment: Mapping[str, str]) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for item, label in assignment.items():
        groups.setdefault(label, set()).add(item)
    return groups


def assignment(items: Iterable[str], clusters: Iterable[Iterable[str]]) -> dict[str, str]:
    """Each item's cluster label: the cluster's first member, or the item itself if alone."""
    label = {item: item for item in items}
    for members in clusters:
        members = list(members)
        for member in members:
            label[member] = members[0]
    return label
