"""Rating: GetRates over gRPC on a year of ratings, at a steady rate, judged against one indexed
PostgreSQL query over the same rows at the same rate; then ratings submitted through the
rating page's POST with wrk, judged against the bare endpoint.

The bench seeds rating's database (the run's own) directly, as a year of practice would have
left it: 100,000 closed cases of the 166 communities, rated once each, spread over the 12
months before this one and over dispatch's departments, with the per-department, community
and month counts (rate_counts) that rating keeps as events arrive and GetRates sums. The
page's links are seeded the same way: completed cases with one pending link each, whose tokens
the bench derives with the development link key, as rating does.
"""

from __future__ import annotations

import asyncio
import base64
import math
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import asyncpg
import grpc
import httpx

from civicloop.dispatch.store.catalogue import data_file
from civicloop.platform import auth
from civicloop.platform.grpc_server import client_channel
from civicloop.platform.paging import MAX_PAGE_SIZE
from civicloop.rating.domain.rates import SHANGHAI, month_of
from civicloop.rating.links import LinkTokens
from civicloop.rating.settings import DEV_LINK_KEY, RatingSettings
from civicloop.reference.catalogue import communities
from civicloop.v1 import common_pb2, rating_pb2, rating_pb2_grpc

from ..baselines import BARE_HTTP, start_bare_app
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
from ..load import (
    CASE_SUMMARIES,
    WRK_SCRIPT,
    LoadRun,
    TimedCalls,
    call_paced,
    http_figures,
    in_turns,
    load_http,
    paced_count,
    prepare_wrk,
)
from ..probes import cpu_seconds, rss_mb, unsent_outbox_rows, wait_outbox_drained
from ..report import Figure, Figures, Ratio, Target, latency_figures

HTTP_PORT = 18003
GRPC_PORT = 58053
RELAY_PORT = 18093
# Rating's peers and SMS gateway: a closed port, so that the bench never reaches another stack
# running on this machine (the seeded links count as sent; nothing asks intake or dispatch).
NO_PEER = f"{HOST}:9"
NO_LIMIT = "100000000"
SERVICE_ENV = {
    "INTAKE_GRPC_TARGET": NO_PEER,
    "DISPATCH_GRPC_TARGET": NO_PEER,
    "RATING_SMS_URL": f"http://{NO_PEER}/messages",
    "RATING_LINK_KEY": DEV_LINK_KEY,
    # wrk rates from one address.
    "RATING_LIMIT_PER_ADDRESS_MINUTE": NO_LIMIT,
}

SEEDED_RATINGS = 100_000
SEEDED_MONTHS = 12
SEED = 11
# About 85% satisfied (score >= 3), mostly with 5.
SCORE_WEIGHTS = {5: 55, 4: 20, 3: 10, 2: 8, 1: 7}
COMMENTS = ["", "", "", "处理及时，谢谢", "师傅很负责", "还可以", "问题没有彻底解决"]
RESULT_SUMMARY = "已现场处理完毕"
GET_RATES_PER_S = 50.0
RPC_TIMEOUT_S = 10.0
WARM_UP_CALLS = 14

BASELINE_INDEX = "bench_ratings_by_department"
BASELINE_QUERY = """SELECT count(*) AS rated, count(*) FILTER (WHERE score >= 3) AS satisfied
                      FROM ratings
                     WHERE department_code = $1 AND rated_at >= $2 AND rated_at < $3"""

# POSTs a rating through each token of a file, once each.
RATING_SCRIPT = WRK_SCRIPT.with_name("rating.lua")
WARM_UP_RATINGS = 20
# The page cannot outrun the bare endpoint: links for the bare rate over the whole run, and a
# margin (or this many a second when the bare endpoint was not measured).
LINKS_MARGIN = 1.2
LINKS_PER_S_WITHOUT_BARE = 3000.0
SATISFIED_FORM = {"score": "4", "comment": "处理得很及时，谢谢"}
# The page and the bare endpoint take turns of this many seconds (measure_page).
PAGE_TURN_S = 3
OUTBOX_DRAIN_TIMEOUT_S = 30.0

TARGET_RATES_P99_VS_QUERY = 3.0
TARGET_SHARE_OF_BARE = 0.15

CASE_COLUMNS = (
    "case_id",
    "version",
    "state",
    "community_code",
    "category_code",
    "summary",
    "petition_ids",
    "department_code",
    "round",
    "result_summary",
    "completed_at",
    "complete_due_at",
    "closed_as",
)
RATING_COLUMNS = (
    "id",
    "case_id",
    "petition_id",
    "round",
    "department_code",
    "community_code",
    "score",
    "comment",
    "rated_at",
)
LINK_COLUMNS = (
    "id",
    "case_id",
    "petition_id",
    "round",
    "token_hash",
    "state",
    "delivery",
    "created_at",
    "expires_at",
)

# What rating would have counted for the seeded year: each rating in its month (the case
# closed as it was rated, resolved unless unsatisfied), each completion in its own month; per
# department and community, and the totals over every community, department, or both ('*').
COUNT_THE_SEEDED_YEAR = """
INSERT INTO rate_counts (department_code, community_code, month, rated, satisfied, completed,
                         on_time, closed, resolved)
SELECT coalesce(department_code, '*'), coalesce(community_code, '*'), month, sum(rated),
       sum(satisfied), sum(completed), sum(on_time), sum(closed), sum(resolved)
  FROM (SELECT department_code, community_code,
               to_char(rated_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month,
               1 AS rated, (score >= 3)::int AS satisfied, 0 AS completed, 0 AS on_time,
               1 AS closed, (score >= 3)::int AS resolved
          FROM ratings
        UNION ALL
        SELECT department_code, community_code,
               to_char(completed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'),
               0, 0, 1, (completed_at <= complete_due_at)::int, 0, 0
          FROM cases WHERE state = 'closed') AS facts
 GROUP BY GROUPING SETS ((department_code, community_code, month), (department_code, month),
                        (community_code, month), (month))"""


# ---- what is seeded ----


@dataclass(frozen=True)
class Reference:
    """The city the ratings come from: its communities and dispatch's departments, the first
    departments of the file (the line bureaus) taking the most cases."""

    departments: list[str]
    department_weights: list[float]
    communities: list[str]

    @classmethod
    def load(cls) -> Reference:
        departments = [
            d["code"] for d in data_file("departments.json")["departments"] if d.get("active")
        ]
        weights = [1 / (rank + 1) for rank in range(len(departments))]
        return cls(departments, weights, list(communities()))


@dataclass(frozen=True)
class SeededYear:
    """The 12 whole Shanghai months before the current one."""

    first_month: str
    last_month: str
    since: datetime
    until: datetime

    @classmethod
    def before(cls, now: datetime) -> SeededYear:
        until = now.astimezone(SHANGHAI).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        since = until
        for _ in range(SEEDED_MONTHS):
            since = (since - timedelta(days=1)).replace(day=1)
        return cls(month_of(since), month_of(until - timedelta(days=1)), since, until)


@dataclass(frozen=True)
class SeededCase:
    case_id: uuid.UUID
    petition_id: uuid.UUID
    department_code: str
    community_code: str
    category_code: str
    completed_at: datetime

    @classmethod
    def draw(cls, rng: random.Random, city: Reference, completed_at: datetime) -> SeededCase:
        return cls(
            uuid.uuid4(),
            uuid.uuid4(),
            rng.choices(city.departments, city.department_weights)[0],
            rng.choice(city.communities),
            rng.choice(list(CASE_SUMMARIES)),
            completed_at,
        )

    def row(
        self, rng: random.Random, state: str, version: int, closed_as: str | None
    ) -> tuple[Any, ...]:
        # Most rounds are completed by their deadline: it falls from 2 days before the
        # completion to 5 days after it.
        due = self.completed_at + timedelta(hours=rng.uniform(-48, 120))
        return (
            self.case_id,
            version,
            state,
            self.community_code,
            self.category_code,
            CASE_SUMMARIES[self.category_code],
            [self.petition_id],
            self.department_code,
            1,
            RESULT_SUMMARY,
            self.completed_at,
            due,
            closed_as,
        )


async def seed_year(db: asyncpg.Connection, year: SeededYear, city: Reference) -> int:
    """SEEDED_RATINGS closed and rated cases over the year, and their counts; returns how many
    rate_counts rows (department x community x month groups) they make."""
    rng = random.Random(SEED)
    span_s = (year.until - year.since).total_seconds()
    cases, ratings = [], []
    for _ in range(SEEDED_RATINGS):
        rated_at = year.since + timedelta(seconds=rng.uniform(0, span_s))
        score = rng.choices(list(SCORE_WEIGHTS), list(SCORE_WEIGHTS.values()))[0]
        case = SeededCase.draw(rng, city, rated_at - timedelta(hours=rng.uniform(1, 48)))
        # Unsatisfied past the reopen limit: the office closed it.
        closed_as = "rated" if score >= 3 else "office_decision"
        cases.append(case.row(rng, "closed", 8, closed_as))
        ratings.append(
            (
                uuid.uuid4(),
                case.case_id,
                case.petition_id,
                1,
                case.department_code,
                case.community_code,
                score,
                rng.choice(COMMENTS),
                rated_at,
            )
        )
    await db.copy_records_to_table("cases", records=cases, columns=CASE_COLUMNS)
    await db.copy_records_to_table("ratings", records=ratings, columns=RATING_COLUMNS)
    await db.execute(COUNT_THE_SEEDED_YEAR)
    for table in ("cases", "ratings", "rate_counts"):
        await db.execute(f"VACUUM ANALYZE {table}")
    return int(await db.fetchval("SELECT count(*) FROM rate_counts"))


async def seed_links(db: asyncpg.Connection, count: int, city: Reference) -> list[str]:
    """``count`` cases completed an hour ago, each with one pending link (already sent);
    returns the links' tokens."""
    rng = random.Random(SEED + 1)
    tokens = LinkTokens(base64.b64decode(DEV_LINK_KEY))
    now = datetime.now(UTC)
    expires_at = now + timedelta(hours=RatingSettings.model_fields["rating_link_ttl_hours"].default)
    cases, links = [], []
    for _ in range(count):
        case = SeededCase.draw(rng, city, now - timedelta(hours=1))
        cases.append(case.row(rng, "completed", 5, None))
        link_id = str(uuid.uuid4())
        links.append(
            (
                uuid.UUID(link_id),
                case.case_id,
                case.petition_id,
                1,
                tokens.hash_for(link_id),
                "pending",
                "sent",
                now,
                expires_at,
            )
        )
    await db.copy_records_to_table("cases", records=cases, columns=CASE_COLUMNS)
    await db.copy_records_to_table("rating_links", records=links, columns=LINK_COLUMNS)
    # Both tables' autovacuum done now, not during the turns it would share the machine with.
    for table in ("cases", "rating_links"):
        await db.execute(f"VACUUM ANALYZE {table}")
    return [tokens.token_for(str(link[0])) for link in links]


# ---- GetRates, and one indexed query ----


def typical_rates_requests(
    year: SeededYear, city: Reference, count: int
) -> list[rating_pb2.GetRatesRequest]:
    """What the office's dashboards ask, in turn, over the seeded year: one page (the
    largest) each."""
    rng = random.Random(SEED + 2)
    department = rating_pb2.RATE_GROUPING_DEPARTMENT
    community = rating_pb2.RATE_GROUPING_COMMUNITY
    month = rating_pb2.RATE_GROUPING_MONTH

    def over_the_year(
        *group_by: rating_pb2.RateGrouping, **filters: str
    ) -> rating_pb2.GetRatesRequest:
        return rating_pb2.GetRatesRequest(
            group_by=group_by,
            from_month=year.first_month,
            to_month=year.last_month,
            page=common_pb2.PageRequest(page_size=MAX_PAGE_SIZE),
            **filters,
        )

    kinds = [
        lambda: over_the_year(department),
        lambda: over_the_year(community),
        lambda: over_the_year(month),
        lambda: over_the_year(department, month),
        lambda: over_the_year(month, department_code=rng.choice(city.departments)),
        lambda: over_the_year(department, community_code=rng.choice(city.communities)),
        lambda: over_the_year(),
    ]
    return [kinds[i % len(kinds)]() for i in range(count)]


def paced_call_figures(calls: TimedCalls, rate: float, count: int) -> Figures:
    return [
        Figure("rate", "calls per second (steady)", rate, "/s"),
        Figure("calls", "calls", count),
        Figure("failed", "calls failed", len(calls.failures)),
        Figure("behind_ms", "schedule kept within (max behind)", round(calls.behind_ms, 2), "ms"),
        *latency_figures(calls.latencies_ms, "", ""),
    ]


async def measure_rates(run: BenchRun) -> Figures:
    service = await start_service(run, HTTP_PORT, GRPC_PORT, SERVICE_ENV)
    run.notes["postgres"] = await postgres_settings(run.database_url)
    office = auth.mint_dev_token("bench:office", [auth.OFFICE], audience=auth.audience_of("rating"))
    channel = client_channel(f"{HOST}:{GRPC_PORT}", office)
    run.cleanups.push_async_callback(channel.close)
    stub = rating_pb2_grpc.RatingServiceStub(channel)
    year = SeededYear.before(datetime.now(UTC))
    city = Reference.load()

    async def get_rates(request: rating_pb2.GetRatesRequest) -> None:
        await stub.GetRates(request, timeout=RPC_TIMEOUT_S)

    async def warm_up() -> None:
        try:
            for request in typical_rates_requests(year, city, WARM_UP_CALLS):
                await get_rates(request)
        except grpc.aio.AioRpcError as exc:
            raise BenchError(
                f"GetRates failed in the warm-up: {exc.code().name} {exc.details()}\n"
                f"{service.stderr_tail()}"
            ) from None

    await warm_up()
    await asyncio.sleep(1.0)
    idle_rss = rss_mb(service.pid)

    db = await asyncpg.connect(run.database_url)
    run.cleanups.push_async_callback(db.close)
    started = time.monotonic()
    groups = await seed_year(db, year, city)
    seed_s = time.monotonic() - started
    await db.close()
    await warm_up()

    requests = typical_rates_requests(year, city, paced_count(run, GET_RATES_PER_S))
    cpu_before = cpu_seconds(service.pid)
    calls = await call_paced([partial(get_rates, r) for r in requests], GET_RATES_PER_S)
    cpu_percent = 100 * (cpu_seconds(service.pid) - cpu_before) / calls.seconds
    if calls.failures:
        run.notes["get_rates_first_failure"] = calls.failures[0]
    log_error_lines = await stop_service(run, service)
    return [
        Figure("idle_rss_mb", "idle RSS (after start and warm-up)", idle_rss, "MB"),
        Figure("ratings", f"ratings seeded ({SEEDED_MONTHS} months)", SEEDED_RATINGS),
        Figure("communities", "communities", len(city.communities)),
        Figure("departments", "departments", len(city.departments)),
        Figure("rate_count_rows", "rate_counts rows (department x community x month)", groups),
        Figure("seed_s", "seeding (COPY, counts, VACUUM ANALYZE)", round(seed_s, 1), "s"),
        *paced_call_figures(calls, GET_RATES_PER_S, len(requests)),
        Figure("cpu_percent", "rating CPU (100% = one core)", round(cpu_percent, 1), "%"),
        log_error_lines,
    ]


async def measure_indexed_query(run: BenchRun) -> Figures:
    """The same number of calls at the same rate as GetRates, each one query over a random
    department's year, on an index made for it; the index goes afterwards."""
    rate, count = run.value(("rates", "rate")), run.value(("rates", "calls"))
    if not rate or not count:
        raise BenchError("the query baseline runs at GetRates' rate and count, which are missing")
    year = SeededYear.before(datetime.now(UTC))
    departments = Reference.load().departments
    rng = random.Random(SEED + 3)
    size = run.options.pg_connections
    pool = await asyncpg.create_pool(run.database_url, min_size=size, max_size=size)
    try:
        await pool.execute(f"CREATE INDEX {BASELINE_INDEX} ON ratings (department_code, rated_at)")
        await pool.execute("ANALYZE ratings")

        async def count_ratings(department: str) -> None:
            await pool.fetchrow(BASELINE_QUERY, department, year.since, year.until)

        for department in departments:
            await count_ratings(department)
        calls = await call_paced(
            [partial(count_ratings, rng.choice(departments)) for _ in range(int(count))], rate
        )
        await pool.execute(f"DROP INDEX {BASELINE_INDEX}")
    finally:
        await pool.close()
    return [
        Figure("connections", "connections", size),
        *paced_call_figures(calls, rate, int(count)),
    ]


# ---- the rating page's POST ----


async def rate_through_page(base_url: str, tokens: Sequence[str]) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=10.0) as client:
        for token in tokens:
            response = await client.post(f"/r/{token}", data=SATISFIED_FORM)
            if response.status_code >= 400:
                raise BenchError(
                    f"warm-up POST /r/<token> -> {response.status_code}: {response.text[:300]}"
                )


async def measure_page(run: BenchRun) -> Figures:
    """The page's POST and the bare endpoint, loaded in turns of PAGE_TURN_S for --duration
    seconds each, so that both meet the same moments of this shared machine (its speed drifts
    by a third within a minute, and a bare endpoint measured a minute apart from the page
    moved the ratio more than any change to the page did). Each page turn ends once its relay
    has sent what the turn wrote, so the bare endpoint's turn never shares the machine with
    the page's work."""
    # As deployed: the page's process serves, its relay (a process of its own) publishes.
    service = await start_service(
        run, HTTP_PORT, GRPC_PORT, SERVICE_ENV, name="rating-page", relay_port=RELAY_PORT
    )
    assert service.relay is not None
    bare, bare_url = await start_bare_app(run)
    db = await asyncpg.connect(run.database_url)
    run.cleanups.push_async_callback(db.close)
    bare_per_s = run.value(("bare_http", "requests_per_s")) or LINKS_PER_S_WITHOUT_BARE
    turns = max(1, round(run.options.duration / PAGE_TURN_S))
    per_turn = math.ceil(bare_per_s * PAGE_TURN_S * LINKS_MARGIN)
    tokens = await seed_links(db, per_turn * turns + WARM_UP_RATINGS, Reference.load())
    base_url = f"http://{HOST}:{HTTP_PORT}"
    await rate_through_page(base_url, tokens[:WARM_UP_RATINGS])
    await wait_outbox_drained(db, "the warm-up", OUTBOX_DRAIN_TIMEOUT_S)
    # What the seeding wrote (this section's links, and GetRates' year before it) goes to disk
    # now, not as a checkpoint's writeback during the turns.
    await db.execute("CHECKPOINT")

    page_turns: list[LoadRun] = []
    bare_turns: list[LoadRun] = []
    relay_cpu_s = 0.0
    unsent = 0
    rated_before = await db.fetchval("SELECT count(*) FROM ratings")
    for turn in range(turns):
        bare_turns.append(await load_http(run, bare, bare_url, seconds=PAGE_TURN_S))
        token_file = run.work_dir / f"rating-tokens-{turn}.txt"
        first = WARM_UP_RATINGS + turn * per_turn
        token_file.write_text("\n".join(tokens[first : first + per_turn]) + "\n")
        relay_cpu_before = cpu_seconds(service.relay.pid)
        page_turns.append(
            await load_http(
                run,
                service,
                base_url,
                RATING_SCRIPT,
                [str(token_file), str(run.options.threads)],
                seconds=PAGE_TURN_S,
            )
        )
        unsent = max(unsent, await unsent_outbox_rows(db))
        await wait_outbox_drained(db, "the page's turn", OUTBOX_DRAIN_TIMEOUT_S)
        relay_cpu_s += cpu_seconds(service.relay.pid) - relay_cpu_before
    page, bare_load = in_turns(page_turns), in_turns(bare_turns)
    recorded = await db.fetchval("SELECT count(*) FROM ratings") - rated_before
    left = await db.fetchval("SELECT count(*) FROM rating_links WHERE state = 'pending'")
    await db.close()
    await bare.stop()
    if page.wrk.first_error:
        run.notes["page_first_error"] = page.wrk.first_error
    log_error_lines = await stop_service(run, service)
    # The page's turns only; the relay's CPU counted over them includes sending each turn's
    # events after it (not the bare endpoint's turns between them).
    page_seconds = sum(turn.ended_at - turn.started_at for turn in page_turns)
    return [
        Figure("turns", f"turns of {PAGE_TURN_S}s, each load", turns),
        *http_figures(page, "ratings_per_s", "ratings recorded (rows in ratings)", recorded),
        Figure(
            "bare_per_s",
            "the bare endpoint in the turns between (2xx)",
            round(bare_load.wrk.per_second(bare_load.wrk.count(2)), 1),
            "/s",
        ),
        Figure("links_seeded", "links seeded (one per completed case)", len(tokens)),
        Figure("links_left", "links left unused (0: wrk ran out of them)", left),
        Figure("outbox_unsent", "outbox rows unsent at the end of a turn, at most", unsent),
        Figure(
            "relay_cpu",
            "its relay's CPU, sending the turns' events (100% = one core)",
            round(100 * relay_cpu_s / page_seconds, 1) if page_seconds else 0.0,
            "%",
        ),
        log_error_lines,
    ]


# ---- the scenario ----


def header(run: BenchRun) -> list[str]:
    options = run.options
    page = (
        f"page: wrk {options.threads} thread(s), {options.connections} connections, "
        f"{options.duration}s"
    )
    return report_header(
        run,
        f"GetRates: {GET_RATES_PER_S:.0f}/s for {options.duration}s over {SEEDED_RATINGS:,} "
        f"ratings; the query baseline at the same rate; {page}",
    )


def config(run: BenchRun) -> dict[str, Any]:
    options = run.options
    return {
        "duration_s": options.duration,
        "seeded_ratings": SEEDED_RATINGS,
        "seeded_months": SEEDED_MONTHS,
        "get_rates_per_s": GET_RATES_PER_S,
        "postgres_connections": options.pg_connections,
        "connections": options.connections,
        "wrk_threads": options.threads,
    }


RATES_RATIO = Ratio(
    "rates_p99_vs_query",
    "GetRates p99 / one indexed query's p99",
    ("rates", "p99_ms"),
    ("postgres_query", "p99_ms"),
)
PAGE_RATIO = Ratio(
    "page_vs_bare_http",
    "ratings through the page / bare endpoint rate, in turns",
    ("page", "ratings_per_s"),
    ("page", "bare_per_s"),
)

SCENARIO = Scenario(
    key="rating",
    order=30,
    sections=[
        Section(
            "rates",
            f"Rating: GetRates over gRPC, {SEEDED_RATINGS:,} ratings seeded, at a steady rate",
            measure_rates,
        ),
        Section(
            "postgres_query",
            "Baseline: one indexed PostgreSQL query on the same ratings, same rate and count",
            measure_indexed_query,
        ),
        BARE_HTTP,
        Section("page", "Rating: POST /r/{token} through the rating page (wrk)", measure_page),
    ],
    ratios=[RATES_RATIO, PAGE_RATIO],
    targets=[
        Target(
            f"GetRates p99 <= {TARGET_RATES_P99_VS_QUERY:.0f}x the query's p99",
            ("ratios", RATES_RATIO.key),
            TARGET_RATES_P99_VS_QUERY,
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
