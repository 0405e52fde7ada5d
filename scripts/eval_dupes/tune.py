"""``python -m scripts.eval_dupes.tune``: choose the scorer's weights and threshold.

The weighted mean of the signals (``similarity.WEIGHTED_MEAN``; the pair classifier that
ships now is fitted by ``scripts.eval_dupes.fit``). ``--cv K`` (the way it was chosen): the
development halves of the corpus (tune and held; never the fresh or blind split), cut into
K folds by cluster (a hard negative stays in the fold of the cluster it shadows, so a fold
holds whole problems and their look-alikes). It prints

- the given configuration (``WEIGHTED_MEAN``) measured on each fold alone (each fold its own
  window);
- the honest estimate of the tuning: for each fold, the grid's best setting on the other K-1
  folds (best pairwise F1 with precision at least ``--min-precision``), measured on that fold;
  the mean and spread (standard deviation) over the folds;
- the setting to ship: the grid's best mean F1 over the K folds (each measured alone) among
  the settings whose mean precision is at least the floor and no fold's precision falls below
  ``--fold-floor``. A setting chosen so is judged on sentences it was not fitted to, K times.

Without ``--cv`` it searches the grid on one half (``--split``, default the tuning half), as
before.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import random
import statistics
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from civicloop.intake.domain import similarity
from civicloop.intake.domain.similarity import WEIGHTED_MEAN, Candidate, PairScore, Weights

from . import corpus
from .corpus import LabelledPetition
from .metrics import pairs_of

# The weights that change which terms count re-score every pair; the rest only re-weigh.
TEXT_GRID: dict[str, tuple[Any, ...]] = {
    "place_words": (0.2, 0.5),
    "category_rarity": (0.0, 0.5),
}
GRID: dict[str, tuple[Any, ...]] = {
    "words": (0.45, 0.6),
    "chars": (0.0, 0.1),
    "state_conflict": (0.25, 0.5, 1.0),
    "place": (0.1, 0.2),
    "unlocated_place": (0.3, 0.6),
    "text_gate": (0.1, 0.15),
    "threshold": (0.35, 0.4, 0.45, 0.5),
    "linkage": (0.8, 1.0),
}
MIN_PRECISION = 0.9
FOLD_FLOOR = 0.8
SEED = 2026


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    correct: int
    proposed: int
    true: int


@dataclass
class Window:
    """Petitions compared together (one fold, or the folds a fold is tuned on)."""

    petitions: list[LabelledPetition]
    candidates: list[Candidate]
    truth: set[frozenset[str]]

    @classmethod
    def of(cls, petitions: list[LabelledPetition], by_id: dict[str, Candidate]) -> Window:
        return cls(
            petitions,
            [by_id[p.petition_id] for p in petitions],
            pairs_of({p.petition_id: p.cluster_id for p in petitions}),
        )


def score_of(window: Window, signals: Sequence[PairScore], w: Weights) -> Score:
    scored = [replace(p, score=similarity.combined(p, w)) for p in signals]
    proposals, _ = similarity.cluster(window.candidates, scored, w.threshold, w.linkage)
    predicted = {
        frozenset(pair) for p in proposals for pair in itertools.combinations(p.petition_ids, 2)
    }
    correct = len(predicted & window.truth)
    precision = correct / len(predicted) if predicted else 1.0
    recall = correct / len(window.truth) if window.truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if correct else 0.0
    return Score(precision, recall, f1, correct, len(predicted), len(window.truth))


def settings(base: Weights = WEIGHTED_MEAN) -> Iterator[tuple[Weights, list[Weights]]]:
    """Each setting of the text grid, with every setting of the rest of the grid under it
    (of the weights this scorer has)."""
    known = {f.name for f in dataclasses.fields(Weights)}
    grid = {name: values for name, values in GRID.items() if name in known}
    for text_values in itertools.product(*TEXT_GRID.values()):
        text_weights = replace(base, **dict(zip(TEXT_GRID, text_values, strict=True)))
        yield (
            text_weights,
            [
                replace(text_weights, **dict(zip(grid, values, strict=True)))
                for values in itertools.product(*grid.values())
            ],
        )


def folds(petitions: list[LabelledPetition], k: int) -> list[list[LabelledPetition]]:
    """K folds of whole groups (a cluster with the hard negatives that shadow it), shuffled
    with a fixed seed and dealt so that the folds hold about as many petitions each."""
    shadows = corpus.shadows()
    group_of = {p.cluster_id: shadows.get(p.cluster_id, p.cluster_id) for p in petitions}
    groups: dict[str, list[LabelledPetition]] = {}
    for p in petitions:
        groups.setdefault(group_of[p.cluster_id], []).append(p)
    order = sorted(groups)
    random.Random(SEED).shuffle(order)
    order.sort(key=lambda g: -len(groups[g]))  # stable: shuffled within a size
    dealt: list[list[LabelledPetition]] = [[] for _ in range(k)]
    for group in order:
        min(dealt, key=len).extend(groups[group])
    return dealt


def spread(values: list[float]) -> str:
    mean = statistics.fmean(values)
    deviation = statistics.pstdev(values) if len(values) > 1 else 0.0
    return f"{mean:.3f} ± {deviation:.3f} (min {min(values):.3f})"


def cross_validate(k: int, min_precision: float, fold_floor: float, base: Weights) -> None:
    # The development halves only: the fresh and blind splits are written by others.
    petitions = corpus.load(corpus.DEVELOPMENT)
    by_id = {p.petition_id: p.candidate() for p in petitions}
    parts = folds(petitions, k)
    tests = [Window.of(part, by_id) for part in parts]
    trains = [
        Window.of([p for j, other in enumerate(parts) if j != i for p in other], by_id)
        for i in range(k)
    ]
    print(f"{len(petitions)} petitions, {k} folds of {[len(p) for p in parts]} petitions")
    shipped = [
        score_of(
            t, similarity.score_pairs(t.candidates, similarity.DEFAULT_MAX_DISTANCE_M, base), base
        )
        for t in tests
    ]
    print(
        f"given configuration per fold: F1 {spread([s.f1 for s in shipped])}"
        f"  precision {spread([s.precision for s in shipped])}"
        f"  recall {spread([s.recall for s in shipped])}"
    )
    # For each setting: its score on every test fold and on every training window.
    best_train: list[tuple[float, Weights | None]] = [(-1.0, None)] * k
    test_scores: dict[Weights, list[Score]] = {}
    for text_weights, grid in settings(base):
        test_signals = [
            similarity.score_pairs(t.candidates, similarity.DEFAULT_MAX_DISTANCE_M, text_weights)
            for t in tests
        ]
        train_signals = [
            similarity.score_pairs(t.candidates, similarity.DEFAULT_MAX_DISTANCE_M, text_weights)
            for t in trains
        ]
        for w in grid:
            test_scores[w] = [score_of(t, s, w) for t, s in zip(tests, test_signals, strict=True)]
            for i, (train, signals) in enumerate(zip(trains, train_signals, strict=True)):
                s = score_of(train, signals, w)
                if s.precision >= min_precision and s.f1 > best_train[i][0]:
                    best_train[i] = (s.f1, w)
        print(f"  searched {len(test_scores)} settings", file=sys.stderr, flush=True)
    estimate = []
    for i, (_, found) in enumerate(best_train):
        if found is None:
            sys.exit(f"fold {i}: no setting reaches the precision floor on its training folds")
        estimate.append(test_scores[found][i])
    print(
        f"tuned on {k - 1} folds, measured on the 1 left out: F1 {spread([s.f1 for s in estimate])}"
        f"  precision {spread([s.precision for s in estimate])}"
        f"  recall {spread([s.recall for s in estimate])}"
    )
    eligible = [
        (statistics.fmean(s.f1 for s in scores), w, scores)
        for w, scores in test_scores.items()
        if statistics.fmean(s.precision for s in scores) >= min_precision
        and min(s.precision for s in scores) >= fold_floor
    ]
    if not eligible:
        sys.exit("no setting reaches the precision floor over the folds")
    mean_f1, chosen, scores = max(eligible, key=lambda e: (e[0], -e[1].threshold))
    print(
        f"chosen by {k}-fold CV: F1 {spread([s.f1 for s in scores])}"
        f"  precision {spread([s.precision for s in scores])}"
        f"  recall {spread([s.recall for s in scores])}"
    )
    print(f"  {chosen}")


def search(split: str, min_precision: float, base: Weights) -> None:
    petitions = corpus.load(split)
    by_id = {p.petition_id: p.candidate() for p in petitions}
    window = Window.of(petitions, by_id)
    best = 0.0
    for text_weights, grid in settings(base):
        signals = similarity.score_pairs(
            window.candidates, similarity.DEFAULT_MAX_DISTANCE_M, text_weights
        )
        for w in grid:
            s = score_of(window, signals, w)
            if s.precision >= min_precision and s.f1 > best:
                best = s.f1
                print(f"F1 {s.f1:.3f} P {s.precision:.3f} R {s.recall:.3f} {w}", flush=True)
    if not best:
        sys.exit("no setting reaches the precision floor")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.eval_dupes.tune", description=__doc__)
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="K-fold CV over both halves")
    parser.add_argument("--split", choices=corpus.SPLITS, default="tune")
    parser.add_argument("--min-precision", type=float, default=MIN_PRECISION)
    parser.add_argument("--fold-floor", type=float, default=FOLD_FLOOR)
    options = parser.parse_args()
    if options.cv:
        if options.cv < 2:
            parser.error("--cv needs at least 2 folds")
        cross_validate(options.cv, options.min_precision, options.fold_floor, WEIGHTED_MEAN)
    else:
        search(options.split, options.min_precision, WEIGHTED_MEAN)


if __name__ == "__main__":
    main()
