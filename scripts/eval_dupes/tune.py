"""``python -m scripts.eval_dupes.tune``: choose the scorer's weights and threshold on the
tuning half only (a grid search for the best pairwise F1 whose precision is at least 0.9).
It prints each better setting as it finds it; ``similarity.SHIPPING`` holds the one chosen."""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace

from civicloop.intake.domain import similarity
from civicloop.intake.domain.similarity import SHIPPING

from . import corpus
from .metrics import pairs_of

# The weights that change which terms count re-score every pair; the rest only re-weigh.
TEXT_GRID = {
    "place_words": (0.2, 0.5),
    "category_rarity": (0.0, 0.5, 1.0),
}
GRID = {
    "words": (0.3, 0.45, 0.6),
    "chars": (0.0, 0.15),
    "place": (0.1, 0.2),
    "time": (0.05, 0.1),
    "community": (0.05, 0.1),
    "unlocated_place": (0.3, 0.6),
    "text_gate": (0.1, 0.15),
    "threshold": (0.4, 0.45, 0.5, 0.55, 0.6),
    "linkage": (0.8, 1.0),
}
MIN_PRECISION = 0.9


def main() -> None:
    petitions = corpus.load("tune")
    candidates = [p.candidate() for p in petitions]
    truth = pairs_of({p.petition_id: p.cluster_id for p in petitions})
    best = 0.0
    for text_values in itertools.product(*TEXT_GRID.values()):
        text_weights = replace(SHIPPING, **dict(zip(TEXT_GRID, text_values, strict=True)))
        signals = similarity.score_pairs(
            candidates, similarity.DEFAULT_MAX_DISTANCE_M, text_weights
        )
        for values in itertools.product(*GRID.values()):
            w = replace(text_weights, **dict(zip(GRID, values, strict=True)))
            scored = [replace(p, score=similarity.combined(p, w)) for p in signals]
            proposals, _ = similarity.cluster(candidates, scored, w.threshold, w.linkage)
            predicted = {
                frozenset(pair)
                for p in proposals
                for pair in itertools.combinations(p.petition_ids, 2)
            }
            correct = len(predicted & truth)
            precision = correct / len(predicted) if predicted else 1.0
            recall = correct / len(truth)
            f1 = 2 * precision * recall / (precision + recall) if correct else 0.0
            if precision >= MIN_PRECISION and f1 > best:
                best = f1
                print(f"F1 {f1:.3f} P {precision:.3f} R {recall:.3f} {w}", flush=True)
    if not best:
        sys.exit("no setting reaches the precision floor")


if __name__ == "__main__":
    main()
