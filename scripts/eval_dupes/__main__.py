"""``make eval-dupes`` (``python -m scripts.eval_dupes``): the shipping scorer on the corpus
held out from it (the blind split, written by someone who never saw the
scorer; ``--split`` names one), then ProposeClusters' latency with 10,000 petitions in the
window."""

from __future__ import annotations

import argparse
import asyncio

from civicloop.intake.domain.similarity import SHIPPING

from . import corpus
from .latency import measure
from .quality import Outcome, evaluate_by_file

TARGET_F1 = TARGET_PRECISION = 0.85
TARGET_P99_MS = 200.0


def short(text: str, width: int = 34) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def print_quality(split: str, outcome: Outcome, worst: int) -> None:
    q = outcome.quality
    print(f"统单 on the {split} split ({q.true_pairs} true duplicate pairs):")
    print(
        f"  pairwise precision {q.precision:.3f}  recall {q.recall:.3f}  F1 {q.f1:.3f}"
        f"   ({q.correct_pairs} of {q.proposed_pairs} proposed pairs right)"
    )
    print(
        f"  B-cubed   precision {q.bcubed_precision:.3f}  recall {q.bcubed_recall:.3f}"
        f"  F1 {q.bcubed_f1:.3f}"
    )
    print("  worst misses (true pairs left apart; score, 0 = never compared or gated):")
    for score, a, b in outcome.misses[:worst]:
        print(f"    {score:.3f}  [{a.cluster_id}] {short(a.text)} | {short(b.text)}")
    print("  worst false merges (pairs proposed together that are two problems):")
    for score, a, b in outcome.false_merges[:worst]:
        print(
            f"    {score:.3f}  {short(a.text)} [{a.cluster_id}] | {short(b.text)} [{b.cluster_id}]"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.eval_dupes", description=__doc__)
    parser.add_argument("--split", choices=corpus.SPLITS, help="one split (default: each held out)")
    parser.add_argument("--worst", type=int, default=8, help="misses and false merges shown")
    parser.add_argument("--no-latency", action="store_true", help="skip the latency run")
    parser.add_argument("--petitions", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=60)
    options = parser.parse_args()
    print(f"shipping configuration: {SHIPPING}")
    verdicts = []
    for split in (options.split,) if options.split else corpus.HELD_OUT:
        petitions = corpus.load(split)
        if not petitions:
            continue
        outcome = evaluate_by_file(petitions, SHIPPING)
        print_quality(split, outcome, options.worst)
        q = outcome.quality
        verdicts += [
            (f"{split}: pairwise F1", q.f1 >= TARGET_F1),
            (f"{split}: pairwise precision", q.precision >= TARGET_PRECISION),
        ]
    if not options.no_latency:
        latency = asyncio.run(measure(corpus.load(), options.petitions, options.calls))
        print(
            f"ProposeClusters with {latency.petitions} submitted petitions in the window, "
            f"{latency.filed_between_calls} more filed before each call "
            f"({latency.clusters} clusters proposed), {latency.calls} calls:"
        )
        print(
            f"  p50 {latency.propose_p50_ms:.1f} ms  p99 {latency.propose_p99_ms:.1f} ms"
            f"  (first call, index built: {latency.first_call_ms:.0f} ms)"
        )
        print(
            f"  one indexed PostgreSQL query of the same rows: p50 {latency.query_p50_ms:.1f} ms"
            f"  p99 {latency.query_p99_ms:.1f} ms"
        )
        print(f"  ratio p99 / query p99: {latency.ratio:.1f}x")
        verdicts.append(("p99", latency.propose_p99_ms <= TARGET_P99_MS))
    print("targets: " + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in verdicts))


if __name__ == "__main__":
    main()
