"""Amenities: FindNearby (shared toilets open now within 500 m) over gRPC at 100,000 amenities,
judged against raw GEOSEARCH on the same Redis data in the same run.

The run's database is seeded by scripts.seed_amenities (the five named communities and
100,000 generated amenities, three in ten of them in the old town), then the service starts,
builds its index and its results' cards. The searches come from points drawn as the town's
amenities are (a visitor in town), the same points for the service and the baseline:

- at a steady rate (open loop), for the latency a visitor meets: FindNearby's p50/p99 against
  GEOSEARCH's, where the baseline is the one Redis command a bare implementation would make
  (every shared toilet within 500 m, nearest first, with distances, from the same key), and
  against a bare gRPC call of the same server (its health check: what any call costs before
  the handler does anything). The three are interleaved in one schedule (a search, the same
  point's GEOSEARCH, a health check), so all meet the same machine: on two shared cores its
  load moves from second to second;
- as fast as a few concurrent callers go (closed loop), for the rate, in alternating rounds
  (the median round of each is reported), for the same reason.

Both clients run in this process, on this event loop (uvloop), over the machine's loopback;
the gRPC channel is a bare one (FindNearby is public: no token, no client interceptor).
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import asyncpg
import grpc
import httpx
import redis.asyncio as aioredis
import uvloop

from civicloop.amenities.domain.model import Access, AmenityKind
from civicloop.amenities.index import GeoIndex
from civicloop.v1 import amenities_pb2, amenities_pb2_grpc, common_pb2
from scripts.seed_amenities import TOWN, TOWN_SIGMA_M, seed

from ..harness import (
    HEALTH_METHOD,
    HEALTH_REQUEST,
    HOST,
    REDIS_URL,
    BenchError,
    BenchRun,
    Scenario,
    Section,
    postgres_settings,
    report_header,
    start_service,
    stop_service,
)
from ..load import Timed, closed_loop, keep_pace
from ..probes import cpu_seconds, histogram_buckets, quantile_ms, rss_mb, scrape
from ..report import Figure, Figures, Ratio, Target, handling_figures, latency_figures

HTTP_PORT = 18006
GRPC_PORT = 58056
GENERATED = 100_000
RADIUS_M = 500
STEADY_PER_S = 100.0
CONCURRENCY = 8
ROUNDS = 3
WARM_UP_CALLS = 500
CARDS_TIMEOUT_S = 300.0
RPC_TIMEOUT_S = 5.0
SEED = 15
TARGET_P99_MS = 3.0
TARGET_P99_VS_GEOSEARCH = 3.0
# The bench is one client address; the public limit still counts each call.
SERVICE_ENV = {"AMENITIES_LIMIT_PER_ADDRESS_MINUTE": "100000000"}
TOILETS = amenities_pb2.AMENITY_KIND_SHARED_TOILET
HANDLING_METRIC = "civicloop_grpc_server_handling_seconds"
FIND_OK = {"method": "civicloop.v1.AmenitiesService/FindNearby", "code": "OK"}


def visitor_points(count: int, seed: int = SEED) -> list[tuple[float, float]]:
    """Where visitors search from: the town, as the seeded amenities are spread."""
    rng = random.Random(seed)
    lat0, lng0 = TOWN
    metres_per_degree_lng = 111_320.0 * math.cos(math.radians(lat0))
    return [
        (
            lat0 + rng.gauss(0, TOWN_SIGMA_M) / 111_320.0,
            lng0 + rng.gauss(0, TOWN_SIGMA_M) / metres_per_degree_lng,
        )
        for _ in range(count)
    ]


def nearby_request(point: tuple[float, float]) -> amenities_pb2.FindNearbyRequest:
    return amenities_pb2.FindNearbyRequest(
        location=common_pb2.GeoPoint(latitude=point[0], longitude=point[1]),
        radius_meters=RADIUS_M,
        kinds=[TOILETS],
        open_now=True,
    )


@dataclass
class Clients:
    stub: amenities_pb2_grpc.AmenitiesServiceAsyncStub
    health: Any  # the health check's unary call on the same channel
    redis: aioredis.Redis
    toilets_key: str
    results: list[int]
    candidates: list[int]

    async def find_nearby(self, point: tuple[float, float]) -> None:
        response = await self.stub.FindNearby(nearby_request(point), timeout=RPC_TIMEOUT_S)
        self.results.append(len(response.results))

    async def bare_call(self) -> None:
        await self.health(HEALTH_REQUEST, timeout=RPC_TIMEOUT_S)

    async def geosearch(self, point: tuple[float, float]) -> None:
        found = await self.redis.geosearch(
            self.toilets_key,
            longitude=point[1],
            latitude=point[0],
            radius=RADIUS_M,
            unit="m",
            sort="ASC",
            withdist=True,
        )
        self.candidates.append(len(found))


async def cards_built(metrics_url: str, expected: int) -> float:
    """Wait until the service has built a card for every active amenity; seconds waited."""
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=5.0) as client:
        while time.monotonic() - started < CARDS_TIMEOUT_S:
            text = (await client.get(metrics_url)).text
            found = re.search(r"^civicloop_amenity_cards ([0-9.e+]+)$", text, re.M)
            if found and float(found.group(1)) >= expected:
                return time.monotonic() - started
            await asyncio.sleep(1.0)
    raise BenchError(f"the service did not build its cards within {CARDS_TIMEOUT_S:.0f}s")


async def interleaved(
    clients: Clients, points: Sequence[tuple[float, float]], per_s: float
) -> tuple[Timed, Timed, Timed, float, float]:
    """FindNearby, GEOSEARCH and a bare gRPC call for each point, one after the other in one
    schedule at ``per_s`` each: (FindNearby, GEOSEARCH, bare call, seconds, max behind ms)."""
    service, raw, bare = Timed(), Timed(), Timed()
    actions: list[Callable[[], Coroutine[Any, Any, None]]] = []
    for point in points:
        actions.append(partial(service.call, partial(clients.find_nearby, point)))
        actions.append(partial(raw.call, partial(clients.geosearch, point)))
        actions.append(partial(bare.call, clients.bare_call))
    seconds, behind_ms = await keep_pace(actions, 3 * per_s)
    return service, raw, bare, seconds, behind_ms


def timed_figures(calls: Timed, prefix: str, label: str) -> Figures:
    return [
        Figure(f"{prefix}calls", f"{label}: calls", len(calls.latencies_ms)),
        Figure(f"{prefix}failed", f"{label}: calls failed", len(calls.failures)),
        *latency_figures(calls.latencies_ms, prefix, f"{label}: "),
    ]


async def at_point(
    search: Callable[[tuple[float, float]], Awaitable[None]],
    points: Sequence[tuple[float, float]],
    _caller: int,
    position: int,
) -> None:
    """A closed loop's call: the search from the points in turn."""
    await search(points[position % len(points)])


async def alternating_rounds(
    clients: Clients, points: Sequence[tuple[float, float]], seconds: float
) -> tuple[float, float, int]:
    """The median round's rate of FindNearby and of GEOSEARCH, rounds alternating; failures."""
    service_rates: list[float] = []
    raw_rates: list[float] = []
    failures = 0
    for _ in range(ROUNDS):
        for search, rates in ((clients.find_nearby, service_rates), (clients.geosearch, raw_rates)):
            loop = await closed_loop(partial(at_point, search, points), CONCURRENCY, seconds)
            rates.append(loop.per_second)
            failures += len(loop.failures)
    return statistics.median(service_rates), statistics.median(raw_rates), failures


async def measure_search(run: BenchRun) -> Figures:
    started = time.monotonic()
    await seed(run.database_url, GENERATED, REDIS_URL, run.namespace)
    seed_s = time.monotonic() - started
    run.notes["postgres"] = await postgres_settings(run.database_url)

    started = time.monotonic()
    service = await start_service(run, HTTP_PORT, GRPC_PORT, SERVICE_ENV)
    start_s = time.monotonic() - started
    db = await asyncpg.connect(run.database_url)
    active = int(await db.fetchval("SELECT count(*) FROM amenities WHERE state = 'active'"))
    await db.close()
    cards_s = await cards_built(f"http://{HOST}:{HTTP_PORT}/metrics", active)

    channel = grpc.aio.insecure_channel(f"{HOST}:{GRPC_PORT}")
    run.cleanups.push_async_callback(channel.close)
    redis = aioredis.from_url(REDIS_URL)
    run.cleanups.push_async_callback(redis.aclose)
    clients = Clients(
        amenities_pb2_grpc.AmenitiesServiceStub(channel),
        channel.unary_unary(HEALTH_METHOD),
        redis,
        GeoIndex(redis, run.namespace).key(Access.PUBLIC, AmenityKind.SHARED_TOILET),
        [],
        [],
    )
    count = int(STEADY_PER_S * run.options.duration)
    points = visitor_points(count + WARM_UP_CALLS)
    warm, measured = points[:WARM_UP_CALLS], points[WARM_UP_CALLS:]
    for point in warm:
        await clients.find_nearby(point)
        await clients.geosearch(point)
        await clients.bare_call()
    idle_rss = rss_mb(service.pid)
    clients.results.clear()
    clients.candidates.clear()

    metrics_url = f"http://{HOST}:{HTTP_PORT}/metrics"
    handled_before = histogram_buckets(await scrape(metrics_url), HANDLING_METRIC, **FIND_OK)
    cpu_before = cpu_seconds(service.pid)
    service_calls, raw_calls, bare_calls, steady_s, behind_ms = await interleaved(
        clients, measured, STEADY_PER_S
    )
    cpu_ms_per_call = 1000 * (cpu_seconds(service.pid) - cpu_before) / max(len(measured), 1)
    handled = histogram_buckets(await scrape(metrics_url), HANDLING_METRIC, **FIND_OK)
    results_mean = sum(clients.results) / max(len(clients.results), 1)
    candidates_mean = sum(clients.candidates) / max(len(clients.candidates), 1)
    service_rate, raw_rate, loop_failed = await alternating_rounds(
        clients, measured, run.options.duration / ROUNDS
    )
    busy_rss = rss_mb(service.pid)
    for name, calls in (
        ("find_nearby", service_calls),
        ("geosearch", raw_calls),
        ("bare_grpc", bare_calls),
    ):
        if calls.failures:
            run.notes[f"{name}_first_failure"] = calls.failures[0]
    log_error_lines = await stop_service(run, service)
    return [
        Figure("amenities", "active amenities", active),
        Figure("seed_s", "seeding (scripts.seed_amenities, COPY)", round(seed_s, 1), "s"),
        Figure(
            "start_s", "start until ready (listings loaded, index built)", round(start_s, 1), "s"
        ),
        Figure("cards_s", "then every result's card built", round(cards_s, 1), "s"),
        Figure("idle_rss_mb", "RSS after start and warm-up", idle_rss, "MB"),
        Figure(
            "candidates", "shared toilets within 500 m per search (mean)", round(candidates_mean, 1)
        ),
        Figure("results", "of them open now, shown (mean, at most 20)", round(results_mean, 1)),
        Figure("steady_per_s", "steady rate (each)", STEADY_PER_S, "/s"),
        Figure("steady_s", "steady schedule took", round(steady_s, 1), "s"),
        Figure("behind_ms", "schedule kept within (max behind)", round(behind_ms, 2), "ms"),
        *timed_figures(service_calls, "find_nearby_", "FindNearby"),
        *handling_figures(
            partial(quantile_ms, handled_before, handled), "find_nearby_server_", "FindNearby"
        ),
        *timed_figures(raw_calls, "geosearch_", "GEOSEARCH"),
        *timed_figures(bare_calls, "bare_grpc_", "bare gRPC call (health check)"),
        Figure(
            "cpu_ms_per_call",
            "amenities CPU per FindNearby (steady)",
            round(cpu_ms_per_call, 2),
            "ms",
        ),
        Figure("concurrency", "closed loop: concurrent callers (each)", CONCURRENCY),
        Figure(
            "find_nearby_per_s",
            f"FindNearby calls per second (median of {ROUNDS} rounds)",
            round(service_rate, 1),
            "/s",
        ),
        Figure(
            "geosearch_per_s",
            f"GEOSEARCH calls per second (median of {ROUNDS} rounds)",
            round(raw_rate, 1),
            "/s",
        ),
        Figure("loop_failed", "closed loop: calls failed", loop_failed),
        Figure("busy_rss_mb", "RSS after the load", busy_rss, "MB"),
        log_error_lines,
    ]


def header(run: BenchRun) -> list[str]:
    return report_header(
        run,
        f"FindNearby (shared toilets, open now, {RADIUS_M} m) at {GENERATED:,} generated"
        f" amenities: {STEADY_PER_S:.0f}/s each for {run.options.duration}s interleaved with raw"
        f" GEOSEARCH on the same key and points and a bare gRPC call, then {CONCURRENCY} callers"
        f" each in {ROUNDS} alternating rounds",
    )


def config(run: BenchRun) -> dict[str, Any]:
    return {
        "duration_s": run.options.duration,
        "generated_amenities": GENERATED,
        "radius_m": RADIUS_M,
        "steady_per_s": STEADY_PER_S,
        "concurrency": CONCURRENCY,
    }


P99_RATIO = Ratio(
    "find_nearby_p99_vs_geosearch",
    "FindNearby p99 / raw GEOSEARCH p99 (steady rate)",
    ("search", "find_nearby_p99_ms"),
    ("search", "geosearch_p99_ms"),
)
BARE_CALL_RATIO = Ratio(
    "find_nearby_p99_vs_bare_grpc",
    "FindNearby p99 / a bare gRPC call's p99 (steady rate)",
    ("search", "find_nearby_p99_ms"),
    ("search", "bare_grpc_p99_ms"),
)
FLOOR_RATIO = Ratio(
    "bare_grpc_p99_vs_geosearch",
    "a bare gRPC call's p99 / raw GEOSEARCH p99 (the floor)",
    ("search", "bare_grpc_p99_ms"),
    ("search", "geosearch_p99_ms"),
)
RATE_RATIO = Ratio(
    "find_nearby_rate_vs_geosearch",
    "FindNearby / raw GEOSEARCH calls per second (closed loop)",
    ("search", "find_nearby_per_s"),
    ("search", "geosearch_per_s"),
)

SCENARIO = Scenario(
    key="amenities",
    order=60,
    sections=[
        Section(
            "search",
            f"Amenities: FindNearby over gRPC at {GENERATED:,} amenities, and raw GEOSEARCH",
            measure_search,
        )
    ],
    ratios=[P99_RATIO, BARE_CALL_RATIO, FLOOR_RATIO, RATE_RATIO],
    targets=[
        Target(
            f"FindNearby p99 <= {TARGET_P99_MS:.0f} ms",
            ("search", "find_nearby_p99_ms"),
            TARGET_P99_MS,
            at_most=True,
        ),
        Target(
            f"FindNearby p99 <= {TARGET_P99_VS_GEOSEARCH:.0f}x raw GEOSEARCH's p99",
            ("ratios", P99_RATIO.key),
            TARGET_P99_VS_GEOSEARCH,
            at_most=True,
        ),
    ],
    header=header,
    config=config,
    loop_factory=uvloop.new_event_loop,
)
