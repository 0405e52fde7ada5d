"""``python -m scripts.eval_dupes.inprocess``: the scoring and clustering of ProposeClusters
alone, in one process (no database, no gRPC): 10,000 petitions in the window (the corpus's
texts refiled in random communities, about half located, over the last week, as the latency
run files them), then 60 calls with 5 more filed before each; the shipping classifier and the
weighted mean it replaced, side by side."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from civicloop.intake.domain.model import Location
from civicloop.intake.domain.similarity import (
    SHIPPING,
    WEIGHTED_MEAN,
    Candidate,
    DuplicateIndex,
    Weights,
)
from civicloop.reference.catalogue import communities

from . import corpus
from .latency import CITY, FILED_BETWEEN_CALLS, percentile


def run(weights: Weights, count: int = 10_000, calls: int = 60, seed: int = 7) -> str:
    rng = random.Random(seed)
    codes = sorted(communities())
    sources = [p.candidate() for p in corpus.load()]
    now = datetime(2026, 12, 1, tzinfo=UTC)

    def filed() -> Candidate:
        located = rng.random() < 0.55
        where = Location(CITY[0] + rng.uniform(-0.05, 0.05), CITY[1] + rng.uniform(-0.05, 0.05))
        return replace(
            rng.choice(sources),
            petition_id=str(uuid.UUID(int=rng.getrandbits(128))),
            community_code=rng.choice(codes),
            location=where if located else None,
            submitted_at=now - timedelta(hours=rng.uniform(0, 160)),
        )

    window = [filed() for _ in range(count)]
    present = {c.petition_id: c.case_id for c in window}
    index = DuplicateIndex(weights=weights)
    start = time.perf_counter()
    index.sync_and_propose(present, window, weights.threshold, 200)
    first = time.perf_counter() - start
    samples = []
    for _ in range(calls):
        new = [filed() for _ in range(FILED_BETWEEN_CALLS)]
        present.update({c.petition_id: c.case_id for c in new})
        start = time.perf_counter()
        index.sync_and_propose(present, new, weights.threshold, 200)
        samples.append((time.perf_counter() - start) * 1000)
    return (
        f"index built in {first:.1f} s ({len(index.pairs())} pairs scored); per call"
        f" p50 {percentile(samples, 0.5):.1f} ms, p99 {percentile(samples, 0.99):.1f} ms"
    )


def main() -> None:
    for name, weights in (("weighted mean", WEIGHTED_MEAN), ("classifier", SHIPPING)):
        print(f"{name}: {run(weights)}")


if __name__ == "__main__":
    main()
