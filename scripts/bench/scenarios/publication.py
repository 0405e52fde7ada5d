"""Publication: the public board's case list page (GET /cases, filtered as readers filter it)
at 10,000 published cases, with wrk, judged against the bare endpoint.

The bench seeds publication's database (the run's own) directly, as a year of events would
have left the read model: 10,000 public cases over the 166 communities, the routed categories,
both lists and every public state, opened over the 12 months before now. The page is measured
as the service ships (rendered pages kept PUBLICATION_PAGE_CACHE_SECONDS in memory) and with
that cache off (every request queries PostgreSQL and renders the template), so the cost of the
page itself is visible too.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from civicloop.platform.months import month_of
from civicloop.reference.catalogue import communities

from ..baselines import BARE_HTTP
from ..harness import (
    HOST,
    BenchError,
    BenchRun,
    Scenario,
    Section,
    postgres_settings,
    report_header,
    start_service,
    stop_service,
)
from ..load import CASE_SUMMARIES, WRK_SCRIPT, http_figures, load_http, prepare_wrk
from ..probes import rss_mb
from ..report import Figure, Figures, Ratio, Target

HTTP_PORT = 18004
GRPC_PORT = 58054
# Publication's peers: a closed port, so that the bench never reaches another stack running on
# this machine (department names show as codes, the rates as unavailable).
NO_PEER = f"{HOST}:9"
SERVICE_ENV = {"RATING_GRPC_TARGET": NO_PEER, "DISPATCH_GRPC_TARGET": NO_PEER}
SEEDED_CASES = 10_000
SEED = 12
BOARD_SCRIPT = WRK_SCRIPT.with_name("board.lua")
STATES = ["dispatched", "in_progress", "completed", "rated", "closed", "resolved_on_site"]
DEPARTMENTS = ["urban_management", "transport", "water_affairs", "environment", "housing"]
RESULT_SUMMARY = "已现场处理完毕"
TARGET_P99_MS = 50.0
# A few readers at once: the latency a reader meets when the board is busy, not saturated.
LIGHT_CONNECTIONS = 4
TARGET_SHARE_OF_BARE = 0.30

CASE_COLUMNS = (
    "case_id",
    "version",
    "state",
    "public",
    "category_code",
    "community_code",
    "case_list",
    "board_lists",
    "summary",
    "petition_count",
    "latitude",
    "longitude",
    "department_code",
    "progress_percent",
    "result_summary",
    "score_total",
    "rating_count",
    "satisfied_count",
    "month",
    "opened_at",
    "dispatched_at",
    "completed_at",
    "updated_at",
)


async def seed_board(db: asyncpg.Connection) -> None:
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    codes = list(communities())
    rows = []
    for _ in range(SEEDED_CASES):
        opened_at = now - timedelta(days=rng.uniform(0, 365))
        category = rng.choice(list(CASE_SUMMARIES))
        case_list = rng.choice(["urgent_needs", "practical_matters"])
        state = rng.choice(STATES)
        done = state not in ("dispatched", "in_progress")
        rated = state in ("rated", "closed")
        rows.append(
            (
                uuid.uuid4(),
                rng.randint(3, 9),
                state,
                True,
                category,
                rng.choice(codes),
                case_list,
                [case_list],
                CASE_SUMMARIES[category],
                rng.randint(1, 4),
                round(30.99 + rng.uniform(-0.05, 0.05), 3),
                round(103.62 + rng.uniform(-0.05, 0.05), 3),
                rng.choice(DEPARTMENTS),
                100 if done else rng.choice([0, 30, 60]),
                RESULT_SUMMARY if done else "",
                rng.randint(3, 5) if rated else 0,
                1 if rated else 0,
                1 if rated else 0,
                month_of(opened_at),
                opened_at,
                opened_at + timedelta(minutes=5),
                opened_at + timedelta(days=2) if done else None,
                opened_at + timedelta(days=rng.uniform(0, 3)),
            )
        )
    await db.copy_records_to_table("public_cases", records=rows, columns=CASE_COLUMNS)
    await db.execute("VACUUM ANALYZE public_cases")


async def second_page_token(base_url: str) -> str:
    async with httpx.AsyncClient(base_url=base_url, timeout=10.0) as client:
        answer = await client.get("/v1/cases")
        if answer.status_code != 200:
            raise BenchError(f"GET /v1/cases -> {answer.status_code}: {answer.text[:300]}")
        token = answer.json()["next_page_token"]
        for path in ("/cases", f"/cases?page_token={token}", "/cases?community=C001"):
            page = await client.get(path)
            if page.status_code != 200:
                raise BenchError(f"warm-up GET {path} -> {page.status_code}: {page.text[:300]}")
        return str(token)


async def measure_list(run: BenchRun, *, cached: bool) -> Figures:
    env = SERVICE_ENV if cached else {**SERVICE_ENV, "PUBLICATION_PAGE_CACHE_SECONDS": "0"}
    name = "publication" if cached else "publication-uncached"
    service = await start_service(run, HTTP_PORT, GRPC_PORT, env, name=name)
    db = await asyncpg.connect(run.database_url)
    run.cleanups.push_async_callback(db.close)
    if cached:
        run.notes["postgres"] = await postgres_settings(run.database_url)
        await seed_board(db)
    seeded = int(await db.fetchval("SELECT count(*) FROM public_cases WHERE public"))
    await db.close()
    base_url = f"http://{HOST}:{HTTP_PORT}"
    token = await second_page_token(base_url)
    idle_rss = rss_mb(service.pid)
    load = await load_http(
        run, service, base_url, BOARD_SCRIPT, [month_of(datetime.now(UTC)), token]
    )
    if load.wrk.first_error:
        run.notes[f"{name}_first_error"] = load.wrk.first_error
    log_error_lines = await stop_service(run, service)
    return [
        Figure("idle_rss_mb", "idle RSS (after start and warm-up)", idle_rss, "MB"),
        Figure("cases", "public cases on the board", seeded),
        *http_figures(load, "pages_per_s", "pages served (2xx)", load.wrk.count(2)),
        log_error_lines,
    ]


async def measure_light(run: BenchRun) -> Figures:
    """A few readers at a time (wrk, LIGHT_CONNECTIONS connections, each asking again as soon
    as it is answered): the p99 a reader meets on a busy day, without the queue that 32
    connections saturating one process build."""
    service = await start_service(run, HTTP_PORT, GRPC_PORT, SERVICE_ENV, name="publication-light")
    base_url = f"http://{HOST}:{HTTP_PORT}"
    token = await second_page_token(base_url)
    light = replace(run, options=replace(run.options, connections=LIGHT_CONNECTIONS))
    load = await load_http(
        light, service, base_url, BOARD_SCRIPT, [month_of(datetime.now(UTC)), token]
    )
    log_error_lines = await stop_service(run, service)
    return [
        Figure("connections", "wrk connections", LIGHT_CONNECTIONS),
        *http_figures(load, "pages_per_s", "pages served (2xx)", load.wrk.count(2)),
        log_error_lines,
    ]


async def measure_page(run: BenchRun) -> Figures:
    return await measure_list(run, cached=True)


async def measure_page_uncached(run: BenchRun) -> Figures:
    return await measure_list(run, cached=False)


def header(run: BenchRun) -> list[str]:
    options = run.options
    return report_header(
        run,
        f"GET /cases (8 filters in turn) at {SEEDED_CASES:,} public cases: wrk "
        f"{options.threads} thread(s), {options.connections} connections, {options.duration}s",
    )


def config(run: BenchRun) -> dict[str, Any]:
    options = run.options
    return {
        "duration_s": options.duration,
        "seeded_cases": SEEDED_CASES,
        "connections": options.connections,
        "wrk_threads": options.threads,
    }


PAGE_RATIO = Ratio(
    "page_vs_bare_http",
    "case list pages / bare endpoint rate",
    ("page", "pages_per_s"),
    ("bare_http", "requests_per_s"),
)
UNCACHED_RATIO = Ratio(
    "uncached_vs_bare_http",
    "case list pages rendered every time / bare endpoint rate",
    ("page_uncached", "pages_per_s"),
    ("bare_http", "requests_per_s"),
)

SCENARIO = Scenario(
    key="publication",
    order=40,
    sections=[
        BARE_HTTP,
        Section(
            "page",
            f"Publication: GET /cases at {SEEDED_CASES:,} public cases, as shipped (wrk)",
            measure_page,
        ),
        Section(
            "light",
            f"Publication: GET /cases, {LIGHT_CONNECTIONS} readers at a time, as shipped (wrk)",
            measure_light,
        ),
        Section(
            "page_uncached",
            "Publication: GET /cases with the page cache off, every page rendered (wrk)",
            measure_page_uncached,
        ),
    ],
    ratios=[PAGE_RATIO, UNCACHED_RATIO],
    targets=[
        Target(
            f"case list p99 <= {TARGET_P99_MS:.0f} ms, {LIGHT_CONNECTIONS} readers at a time",
            ("light", "p99_ms"),
            TARGET_P99_MS,
            at_most=True,
        ),
        Target(
            f">= {TARGET_SHARE_OF_BARE:.0%} of the bare endpoint's rate",
            ("ratios", PAGE_RATIO.key),
            TARGET_SHARE_OF_BARE,
            percent=True,
        ),
    ],
    header=header,
    config=config,
    prepare=prepare_wrk,
)
