"""``python -m scripts.bench``: run the scenarios, print their reports, write their JSON."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from civicloop.platform.settings import ServiceSettings

from .harness import (
    DEFAULT_OUTPUT_DIR,
    BenchError,
    BenchOptions,
    BenchRun,
    Scenario,
    register_cleanups,
)
from .report import record_ratios, render_report, report_json
from .scenarios import all_scenarios


def parse_options(scenarios: list[Scenario], argv: list[str] | None = None) -> BenchOptions:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench",
        description="Civicloop's benchmarks, with the raw baselines they are judged against.",
    )
    parser.add_argument(
        "--only",
        choices=[scenario.key for scenario in scenarios],
        help="run one scenario (default: all of them, in order)",
    )
    parser.add_argument(
        "--sections",
        type=lambda text: text.split(","),
        help="with --only: run only these of its sections (comma-separated keys, e.g. proofs);"
        " ratios and targets over sections not run show n/a",
    )
    parser.add_argument(
        "--duration",
        type=int,
        default=15,
        help="seconds of each wrk run (intake, the rating page) and of the steady runs (dispatch's"
        " half load, GetRates)",
    )
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="wrk threads (1 leaves the second core to the server side)",
    )
    parser.add_argument(
        "--baseline-seconds",
        type=float,
        default=5.0,
        help="seconds of the PostgreSQL and RabbitMQ publish baselines",
    )
    parser.add_argument(
        "--pg-connections",
        type=int,
        default=ServiceSettings.model_fields["db_pool_max"].default,
        help="PostgreSQL baseline connections (default: the service's pool)",
    )
    parser.add_argument(
        "--rabbit-in-flight",
        type=int,
        default=64,
        help="concurrent confirmed publishes (RabbitMQ baseline, dispatch burst and pre-fill)",
    )
    parser.add_argument(
        "--cases", type=int, default=10_000, help="case.opened events in the dispatch burst"
    )
    parser.add_argument(
        "--prefetch",
        type=int,
        default=ServiceSettings.model_fields["event_prefetch"].default,
        help="dispatch's EVENT_PREFETCH and the consume baseline's prefetch",
    )
    parser.add_argument(
        "--consume-messages",
        type=int,
        default=10_000,
        help="messages pre-filled per round of the RabbitMQ consume-and-ack baseline",
    )
    parser.add_argument(
        "--consume-rounds",
        type=int,
        default=3,
        help="rounds of the consume-and-ack baseline (the median is reported)",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        help="where <scenario>.json and the services' logs are written",
    )
    options = BenchOptions(**vars(parser.parse_args(argv)))
    if options.sections:
        known = {
            section.key
            for scenario in scenarios
            if scenario.key == options.only
            for section in scenario.sections
        }
        if options.only is None or set(options.sections) - known:
            parser.error(f"--sections needs --only and some of its sections: {sorted(known)}")
    return options


async def run_scenario(
    scenario: Scenario, options: BenchOptions, run_id: str, notes: dict[str, Any]
) -> BenchRun:
    async with contextlib.AsyncExitStack() as cleanups:
        work_dir = Path(
            cleanups.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-{scenario.key}-"))
        )
        run = BenchRun(scenario, options, run_id, work_dir, cleanups, notes=notes)
        register_cleanups(run)
        for section in scenario.sections:
            if options.sections and section.key not in options.sections:
                continue
            print(f"-- {section.title} ...", flush=True)
            figures = await section.measure(run)
            run.results[section.key] = {f.key: f for f in figures}
        record_ratios(run)
    return run


def main() -> int:
    scenarios = all_scenarios()
    options = parse_options(scenarios)
    run_id = secrets.token_hex(4)
    failed = False
    for scenario in scenarios:
        if options.only not in (None, scenario.key):
            continue
        try:
            notes = scenario.prepare()
            with asyncio.Runner(loop_factory=scenario.loop_factory) as runner:
                run = runner.run(run_scenario(scenario, options, run_id, notes))
        except BenchError as exc:
            print(f"bench: {scenario.key} could not run: {exc}", file=sys.stderr)
            failed = True
            continue
        print(render_report(run))
        output = options.output_dir / f"{scenario.key}.json"
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report_json(run), indent=2, ensure_ascii=False) + "\n")
        print(f"\nfigures written to {output}")
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
