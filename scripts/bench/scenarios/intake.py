"""Intake: petitions filed over HTTP with wrk, then how fast the outbox relay publishes what
was committed; judged against a bare FastAPI endpoint, PostgreSQL commits and RabbitMQ
confirmed publishes."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import asyncpg

from ..baselines import BARE_HTTP, POSTGRES_COMMITS, RABBITMQ_CONFIRMS, SUBMITTED_EVENT
from ..harness import (
    HOST,
    BenchRun,
    Scenario,
    Section,
    report_header,
    start_service,
    stop_service,
)
from ..load import PETITIONS_PATH, LoadRun, http_figures, load_http, prepare_wrk, warm_up
from ..probes import (
    PUBLISH_STALL_TIMEOUT_S,
    ArrivalProbe,
    open_probe,
    rss_mb,
    unsent_outbox_rows,
    wait_outbox_drained,
)
from ..report import Figure, Figures, Ratio, Target, yes_no

HTTP_PORT = 18001
GRPC_PORT = 58051
NO_LIMIT = "100000000"
OUTBOX_DRAIN_TIMEOUT_S = 30.0

TARGET_SUBMISSIONS_PER_S = 500.0
TARGET_SHARE_OF_BARE = 0.20
TARGET_IDLE_RSS_MB = 150.0


@dataclass(frozen=True)
class PublishOutcome:
    expected: int  # petition.submitted rows the load wrote to the outbox
    arrived: int
    last_arrival: float | None
    complete: bool


async def submitted_events(db: asyncpg.Connection) -> int:
    """How many petition.submitted events intake has written: their history rows (the relay
    deletes each outbox row once the broker has it)."""
    return int(
        await db.fetchval("SELECT count(*) FROM history WHERE event_type = $1", SUBMITTED_EVENT)
    )


async def wait_for_published(
    db: asyncpg.Connection, probe: ArrivalProbe, submitted_before: int
) -> PublishOutcome:
    """Wait until every petition.submitted event written since ``submitted_before`` has
    reached the probe queue, or until arrivals have stalled for PUBLISH_STALL_TIMEOUT_S."""
    stalled_since = time.monotonic()
    seen = probe.count
    while True:
        expected = await submitted_events(db) - submitted_before
        if probe.count >= expected and not await unsent_outbox_rows(db):
            return PublishOutcome(expected, probe.count, probe.last_arrival, True)
        if probe.count != seen:
            seen, stalled_since = probe.count, time.monotonic()
        elif time.monotonic() - stalled_since > PUBLISH_STALL_TIMEOUT_S:
            return PublishOutcome(expected, probe.count, probe.last_arrival, False)
        await asyncio.sleep(0.2)


def published_figures(load: LoadRun, outcome: PublishOutcome, distinct: int) -> Figures:
    span = (outcome.last_arrival - load.started_at) if outcome.last_arrival else None
    lag = (outcome.last_arrival - load.ended_at) if outcome.last_arrival else None
    return [
        Figure("events_written", "petition.submitted rows written to the outbox", outcome.expected),
        Figure("published", "events arrived in the probe queue", outcome.arrived),
        Figure("published_distinct", "distinct event ids among them", distinct),
        Figure("published_complete", "every written event arrived", yes_no(outcome.complete)),
        Figure(
            "published_per_s",
            "published (arrived / load start..last arrival)",
            round(outcome.arrived / span, 1) if span else None,
            "/s",
        ),
        Figure(
            "publish_lag_s",
            "last arrival after the load ended",
            round(lag, 2) if lag is not None else None,
            "s",
        ),
    ]


async def measure_intake(run: BenchRun) -> Figures:
    # Rate limits off: wrk files from a handful of numbers and one address at a time.
    limits_off = {
        "INTAKE_LIMIT_PER_PHONE_HOUR": NO_LIMIT,
        "INTAKE_LIMIT_PER_ADDRESS_MINUTE": NO_LIMIT,
    }
    service = await start_service(run, HTTP_PORT, GRPC_PORT, limits_off)
    petitions_url = f"http://{HOST}:{HTTP_PORT}{PETITIONS_PATH}"
    await warm_up(petitions_url)

    db = await asyncpg.connect(run.database_url)
    run.cleanups.push_async_callback(db.close)
    await wait_outbox_drained(db, "the warm-up", OUTBOX_DRAIN_TIMEOUT_S)
    await asyncio.sleep(1.0)
    idle_rss = rss_mb(service.pid)
    submitted_before = await submitted_events(db)
    probe = await open_probe(run, "probe", SUBMITTED_EVENT)

    probe.start()
    load = await load_http(run, service, petitions_url)
    outcome = await wait_for_published(db, probe, submitted_before)
    await probe.stop()
    unsent = await unsent_outbox_rows(db)
    distinct = await probe.distinct_event_ids()
    await db.close()

    if load.wrk.first_error:
        run.notes["intake_first_error"] = load.wrk.first_error
    log_error_lines = await stop_service(run, service)
    return [
        Figure("idle_rss_mb", "idle RSS (after warm-up)", idle_rss, "MB"),
        *http_figures(
            load, "committed_per_s", "committed (201) submissions", load.wrk.statuses.get(201, 0)
        ),
        *published_figures(load, outcome, distinct),
        Figure("outbox_unsent", "outbox rows unsent at the end", unsent),
        log_error_lines,
    ]


def header(run: BenchRun) -> list[str]:
    options = run.options
    return report_header(
        run,
        f"wrk: {options.threads} thread(s), {options.connections} connections, "
        f"{options.duration}s; baselines {options.baseline_seconds}s each",
    )


def config(run: BenchRun) -> dict[str, Any]:
    options = run.options
    return {
        "duration_s": options.duration,
        "connections": options.connections,
        "wrk_threads": options.threads,
        "baseline_seconds": options.baseline_seconds,
        "postgres_connections": options.pg_connections,
        "rabbitmq_in_flight": options.rabbit_in_flight,
    }


SCENARIO = Scenario(
    key="intake",
    order=10,
    sections=[
        BARE_HTTP,
        POSTGRES_COMMITS,
        RABBITMQ_CONFIRMS,
        Section("intake", "Intake: POST /v1/petitions, then the outbox relay", measure_intake),
    ],
    ratios=[
        Ratio(
            "intake_vs_bare_http",
            "intake committed rate / bare endpoint rate",
            ("intake", "committed_per_s"),
            ("bare_http", "requests_per_s"),
        ),
        Ratio(
            "intake_vs_postgres",
            "intake committed rate / PostgreSQL commit rate",
            ("intake", "committed_per_s"),
            ("postgres", "commits_per_s"),
        ),
        Ratio(
            "published_vs_rabbitmq",
            "intake published rate / RabbitMQ confirmed-publish rate",
            ("intake", "published_per_s"),
            ("rabbitmq", "confirmed_per_s"),
        ),
    ],
    targets=[
        Target(
            f">= {TARGET_SUBMISSIONS_PER_S:.0f} submissions/s sustained (committed)",
            ("intake", "committed_per_s"),
            TARGET_SUBMISSIONS_PER_S,
        ),
        Target(
            f">= {TARGET_SHARE_OF_BARE:.0%} of the bare endpoint's rate",
            ("ratios", "intake_vs_bare_http"),
            TARGET_SHARE_OF_BARE,
            percent=True,
        ),
        Target(
            f"idle RSS <= {TARGET_IDLE_RSS_MB:.0f} MB",
            ("intake", "idle_rss_mb"),
            TARGET_IDLE_RSS_MB,
            at_most=True,
        ),
    ],
    header=header,
    config=config,
    prepare=prepare_wrk,
)
