"""What a scenario reports: figures, ratios against its baselines, targets, the printed table
and the JSON file."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .harness import BenchRun


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: float | int | str | None
    unit: str = ""

    def shown(self) -> str:
        if self.value is None:
            return "n/a"
        if isinstance(self.value, float):
            return f"{self.value:,.1f} {self.unit}".rstrip()
        if isinstance(self.value, int):
            return f"{self.value:,} {self.unit}".rstrip()
        return f"{self.value} {self.unit}".rstrip()


Figures = list[Figure]
FigurePath = tuple[str, str]  # (section key, figure key)


def yes_no(value: bool) -> str:
    """How a check reads in the table: a failed one stands out."""
    return "yes" if value else "NO"


def nearest_rank(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile (``fraction`` 0.99 for p99, 1.0 for the maximum)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(fraction * len(ordered)) - 1)], 2)


def handling_figures(
    quantile: Callable[[float], float | None], key_prefix: str, label: str
) -> Figures:
    """p50 and p99 of an RPC's handling time at the service (its gRPC server's histogram,
    ``quantile`` reading the buckets scraped before and after the load)."""
    return [
        Figure(
            f"{key_prefix}{name}_ms",
            f"{label} at the service (handling time) {name}",
            None if (value := quantile(fraction)) is None else round(value, 3),
            "ms",
        )
        for name, fraction in (("p50", 0.5), ("p99", 0.99))
    ]


def latency_figures(latencies_ms: Sequence[float], key_prefix: str, label_prefix: str) -> Figures:
    """p50, p90, p99 and max of one set of latencies."""
    return [
        Figure(
            f"{key_prefix}{name}_ms",
            f"{label_prefix}latency {name}",
            nearest_rank(latencies_ms, fraction),
            "ms",
        )
        for name, fraction in (("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("max", 1.0))
    ]


@dataclass(frozen=True)
class Ratio:
    key: str
    label: str
    numerator: FigurePath
    denominator: FigurePath

    def of(self, run: BenchRun) -> float | None:
        top, bottom = run.value(self.numerator), run.value(self.denominator)
        return None if top is None or not bottom else top / bottom


@dataclass(frozen=True)
class Target:
    label: str
    figure: FigurePath
    threshold: float
    at_most: bool = False
    percent: bool = False

    def shown(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        return f"{value:.1%}" if self.percent else f"{value:,.1f}"

    def passed(self, value: float | None) -> bool:
        if value is None:
            return False
        return value <= self.threshold if self.at_most else value >= self.threshold


def record_ratios(run: BenchRun) -> None:
    run.results["ratios"] = {
        r.key: Figure(r.key, r.label, None if (v := r.of(run)) is None else round(v, 4))
        for r in run.scenario.ratios
    }


def render_report(run: BenchRun) -> str:
    scenario = run.scenario
    lines = ["", "=" * 78, f"Civicloop {scenario.key} benchmark", "=" * 78]
    lines += scenario.header(run)
    for section in scenario.sections:
        if section.key not in run.results:
            continue
        lines += ["", section.title]
        lines += [f"  {f.label:.<52} {f.shown()}" for f in run.results[section.key].values()]
    lines += ["", "Against the baselines"]
    for ratio in scenario.ratios:
        top, bottom = run.value(ratio.numerator), run.value(ratio.denominator)
        value = run.value(("ratios", ratio.key))
        shown = "n/a" if value is None else f"{value:.1%}"
        lines.append(f"  {ratio.label:.<60} {shown:>7}   ({top or 0:,.1f} / {bottom or 0:,.1f})")
    lines += ["", "Targets (2-core machine)"]
    for target in scenario.targets:
        if target.figure[0] not in run.results:
            lines.append(f"  [ -- ] {target.label:<50} not run")
            continue
        value = run.value(target.figure)
        verdict = "PASS" if target.passed(value) else "MISS"
        lines.append(f"  [{verdict}] {target.label:<50} {target.shown(value)}")
    lines += ["", "Notes"]
    lines += [f"  {key}: {value}" for key, value in run.notes.items() if key != "postgres"]
    return "\n".join(lines)


def report_json(run: BenchRun) -> dict[str, Any]:
    targets = [
        {
            "label": t.label,
            "figure": ".".join(t.figure),
            "threshold": t.threshold,
            "at_most": t.at_most,
            "value": run.value(t.figure),
            "pass": t.passed(run.value(t.figure)) if t.figure[0] in run.results else None,
        }
        for t in run.scenario.targets
    ]
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "config": {
            **run.scenario.config(run),
            "cpus": os.cpu_count(),
            "namespace": run.namespace,
        },
        "sections": {
            key: {f.key: f.value for f in figures.values()} for key, figures in run.results.items()
        },
        "targets": targets,
        "notes": run.notes,
    }
