"""The scorer's quality on one half of the corpus: metrics, worst misses, worst false merges."""

from __future__ import annotations

from dataclasses import dataclass

from civicloop.intake.domain import similarity
from civicloop.intake.domain.similarity import Candidate, PairScore, Weights

from .corpus import LabelledPetition
from .metrics import Quality, assignment, pooled, quality


@dataclass(frozen=True)
class Outcome:
    quality: Quality
    # True pairs left apart and false pairs put together, with the pair's score (0 when the
    # pair was never compared) and both texts.
    misses: list[tuple[float, LabelledPetition, LabelledPetition]]
    false_merges: list[tuple[float, LabelledPetition, LabelledPetition]]


def evaluate(
    petitions: list[LabelledPetition],
    weights: Weights,
    candidates: list[Candidate] | None = None,
    max_distance_m: float = similarity.DEFAULT_MAX_DISTANCE_M,
) -> Outcome:
    candidates = candidates or [p.candidate() for p in petitions]
    scored = similarity.score_pairs(candidates, max_distance_m, weights)
    proposals, _ = similarity.cluster(candidates, scored, weights.threshold, weights.linkage)
    ids = [p.petition_id for p in petitions]
    truth = {p.petition_id: p.cluster_id for p in petitions}
    predicted = assignment(ids, [p.petition_ids for p in proposals])
    by_id = {p.petition_id: p for p in petitions}
    score_of = {frozenset((s.petition_a, s.petition_b)): s for s in scored}
    misses: list[tuple[float, LabelledPetition, LabelledPetition]] = []
    false_merges: list[tuple[float, LabelledPetition, LabelledPetition]] = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            same_truth = truth[a] == truth[b]
            same_predicted = predicted[a] == predicted[b]
            if same_truth == same_predicted:
                continue
            pair: PairScore | None = score_of.get(frozenset((a, b)))
            entry = (pair.score if pair else 0.0, by_id[a], by_id[b])
            (misses if same_truth else false_merges).append(entry)
    misses.sort(key=lambda e: e[0])
    false_merges.sort(key=lambda e: -e[0])
    return Outcome(quality(truth, predicted), misses, false_merges)


def evaluate_by_file(petitions: list[LabelledPetition], weights: Weights) -> Outcome:
    """Each corpus file its own window, the outcomes taken together. Authors invent their
    streets and problems apart, so two files may each hold what a city would see as one
    problem, labelled as two: in one window those would count as false merges."""
    by_file: dict[str, list[LabelledPetition]] = {}
    for petition in petitions:
        by_file.setdefault(petition.file, []).append(petition)
    outcomes = [(evaluate(part, weights), len(part)) for part in by_file.values()]
    return Outcome(
        pooled([(o.quality, n) for o, n in outcomes]),
        sorted((m for o, _ in outcomes for m in o.misses), key=lambda e: e[0]),
        sorted((m for o, _ in outcomes for m in o.false_merges), key=lambda e: -e[0]),
    )
