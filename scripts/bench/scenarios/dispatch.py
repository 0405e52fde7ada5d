"""Dispatch: a burst of case.opened events timed to the last case.dispatched, then a paced run
at half that rate timing each case; judged against RabbitMQ's consume-and-ack rate and the
bare chain (two broker hops and one commit) at the same rate.

The client side runs on uvloop, like the service: the consume baseline then runs on the loop
dispatch's own consumer runs on, and the publisher and probe take less of the CPU the service
needs.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import asyncpg
import uvloop
from aio_pika.abc import AbstractExchange, AbstractQueue

from civicloop.platform.metrics import watch_event_loop_lag

from ..baselines import RABBITMQ_CONSUME, bare_chain
from ..harness import (
    HOST,
    BenchError,
    BenchRun,
    ManagedProcess,
    Scenario,
    Section,
    postgres_settings,
    report_header,
    start_service,
    stop_service,
)
from ..load import (
    case_opened,
    open_publisher,
    opened_cases,
    paced_count,
    publish_all,
    publish_paced,
)
from ..probes import (
    FLUSH_PROBE_INTERVAL_S,
    FLUSH_STALL_MS,
    ArrivalClock,
    ArrivalProbe,
    CpuSnapshot,
    CpuUse,
    FlushProbe,
    LoopLag,
    RssSampler,
    open_probe,
    own_lag_buckets,
    rss_mb,
    service_lag_buckets,
    unsent_outbox_rows,
)
from ..report import Figure, Figures, Ratio, Target, latency_figures, nearest_rank, yes_no

HTTP_PORT = 18002
GRPC_PORT = 58052
METRICS_URL = f"http://{HOST}:{HTTP_PORT}/metrics"
OPENED_EVENT = "civicloop.case.opened.v1"
DISPATCHED_EVENT = "civicloop.case.dispatched.v1"
WARM_UP_CASES = 50
WARM_UP_IN_FLIGHT = 8

TARGET_CASES_PER_S = 800.0
TARGET_HALF_LOAD_P99_MS = 100.0
TARGET_SHARE_OF_CONSUME = 0.10


@dataclass(frozen=True)
class Delivery:
    """The case.dispatched events one phase brought to the probe, against what it published."""

    published: frozenset[str]  # case ids
    arrivals: list[tuple[str, str]]  # (ce-id, ce-subject) of each arrival

    @property
    def distinct_cases(self) -> int:
        return len({subject for _, subject in self.arrivals})

    @property
    def distinct_ids(self) -> int:
        return len({event_id for event_id, _ in self.arrivals})

    @property
    def exactly_once(self) -> bool:
        """Every published case arrived once, under its own event id, and nothing else did."""
        subjects = {subject for _, subject in self.arrivals}
        return (
            len(self.arrivals) == len(self.published) == self.distinct_ids
            and subjects == self.published
        )


@dataclass(frozen=True)
class BurstRun:
    delivery: Delivery
    publish_s: float  # first publish .. last confirm
    elapsed_s: float | None  # first publish .. last case.dispatched arrival
    complete: bool
    rss_peak_mb: float | None
    rss_median_mb: float | None
    use: CpuUse

    @property
    def per_second(self) -> float | None:
        return len(self.delivery.arrivals) / self.elapsed_s if self.elapsed_s else None


@dataclass(frozen=True)
class PacedRun:
    rate: float  # the schedule, cases per second
    delivery: Delivery
    latencies_ms: list[float]  # publish .. case.dispatched arrival, per case that arrived
    # The same latency in two parts, at the time case.dispatched says dispatch routed the case:
    # before it (broker delivery, consumer) and after it (commit, relay, broker).
    routing_ms: list[float]
    relaying_ms: list[float]
    publish_s: float
    behind_ms: float  # how far the publisher fell behind its schedule, at worst
    complete: bool
    use: CpuUse
    flush: FlushProbe
    service_lag: LoopLag
    bench_lag: LoopLag


async def warm_up(service: ManagedProcess, exchange: AbstractExchange, probe: ArrivalProbe) -> None:
    """A few cases through the whole path (consumer, routing, outbox, relay); then an empty
    probe queue."""
    messages = [case_opened().to_amqp() for _ in range(WARM_UP_CASES)]
    probe.start()
    await publish_all(exchange, messages, OPENED_EVENT, WARM_UP_IN_FLIGHT)
    arrived = await probe.wait_for_count(len(messages))
    await probe.stop()
    if not arrived:
        raise BenchError(
            f"dispatch dispatched {probe.count} of {len(messages)} warm-up cases:\n"
            f"{service.stderr_tail()}"
        )
    await probe.queue.purge()
    probe.reset()


async def run_burst(
    run: BenchRun, service: ManagedProcess, exchange: AbstractExchange, probe: ArrivalProbe
) -> BurstRun:
    """Publish ``--cases`` case.opened as fast as confirms allow; time them to the last
    case.dispatched, then drain the probe to check each case came out once."""
    envelopes = [case_opened() for _ in range(run.options.cases)]
    messages = [envelope.to_amqp() for envelope in envelopes]
    probe.start()
    before = CpuSnapshot.take(service.pid)
    async with RssSampler(service.pid) as rss:
        started = time.monotonic()
        await publish_all(exchange, messages, OPENED_EVENT, run.options.rabbit_in_flight)
        publish_s = time.monotonic() - started
        complete = await probe.wait_for_count(len(messages))
    use = CpuUse.between(before, CpuSnapshot.take(service.pid))
    await probe.stop()
    arrivals = await probe.drain()
    elapsed = probe.last_arrival - started if probe.last_arrival else None
    published = frozenset(envelope.subject for envelope in envelopes)
    return BurstRun(
        Delivery(published, arrivals), publish_s, elapsed, complete, rss.peak, rss.median, use
    )


async def run_paced(
    run: BenchRun,
    service: ManagedProcess,
    exchange: AbstractExchange,
    queue: AbstractQueue,
    rate: float,
) -> PacedRun:
    """Publish case.opened at ``rate`` for ``--duration`` seconds (open loop: a slow confirm
    does not delay the next publish) and time each case to its case.dispatched."""
    schedule = opened_cases(paced_count(run, rate))
    clock = ArrivalClock(queue)
    await clock.start()
    flush = FlushProbe(run.work_dir)
    service_lag = await service_lag_buckets(METRICS_URL)
    bench_lag = own_lag_buckets()
    before = CpuSnapshot.take(service.pid)
    async with flush:
        paced = await publish_paced(exchange, OPENED_EVENT, schedule, rate)
    complete = await clock.wait_for(set(paced.sent))
    use = CpuUse.between(before, CpuSnapshot.take(service.pid))
    service_lag_after = await service_lag_buckets(METRICS_URL)
    await clock.stop()
    routed = [case_id for case_id in paced.sent_wall if case_id in clock.event_time]
    return PacedRun(
        rate,
        Delivery(frozenset(paced.sent), list(clock.arrivals)),
        clock.latencies_ms(paced.sent),
        [1000 * (clock.event_time[case_id] - paced.sent_wall[case_id]) for case_id in routed],
        [1000 * (clock.arrived_at[case_id] - clock.event_time[case_id]) for case_id in routed],
        paced.seconds,
        paced.behind_ms,
        complete,
        use,
        flush,
        LoopLag(service_lag, service_lag_after),
        LoopLag(bench_lag, own_lag_buckets()),
    )


async def case_states(db: asyncpg.Connection) -> dict[str, int]:
    rows = await db.fetch("SELECT state, count(*) AS n FROM cases GROUP BY state ORDER BY state")
    return {row["state"]: row["n"] for row in rows}


async def measure_dispatch(run: BenchRun) -> Figures:
    prefetch = {"EVENT_PREFETCH": str(run.options.prefetch)}
    service = await start_service(run, HTTP_PORT, GRPC_PORT, prefetch)
    run.notes["postgres"] = await postgres_settings(run.database_url)
    exchange = await open_publisher(run)
    probe = await open_probe(run, "dispatched-probe", DISPATCHED_EVENT)

    # The bench's own loop lag is measured too: a late probe would read as a slow dispatch.
    lag_watch = asyncio.create_task(watch_event_loop_lag())
    run.cleanups.callback(lag_watch.cancel)
    await warm_up(service, exchange, probe)
    await asyncio.sleep(1.0)
    idle_rss = rss_mb(service.pid)

    burst = await run_burst(run, service, exchange, probe)
    if not burst.per_second:
        raise BenchError(f"dispatch dispatched nothing in the burst:\n{service.stderr_tail()}")
    paced = await run_paced(run, service, exchange, probe.queue, burst.per_second / 2)

    db = await asyncpg.connect(run.database_url)
    run.cleanups.push_async_callback(db.close)
    states = await case_states(db)
    unsent = await unsent_outbox_rows(db)
    await db.close()
    run.notes["dispatch_cases_by_state"] = states
    log_error_lines = await stop_service(run, service)
    once = burst.delivery.exactly_once and paced.delivery.exactly_once
    return [
        Figure("prefetch", "EVENT_PREFETCH", run.options.prefetch),
        Figure("idle_rss_mb", "idle RSS (after warm-up)", idle_rss, "MB"),
        *burst_figures(burst),
        *paced_figures(paced),
        Figure("exactly_once", "every case dispatched exactly once", yes_no(once)),
        Figure(
            "awaiting_office",
            "cases left to the office (expected 0)",
            states.get("awaiting_office", 0),
        ),
        Figure("outbox_unsent", "outbox rows unsent at the end", unsent),
        log_error_lines,
    ]


def burst_figures(burst: BurstRun) -> Figures:
    cases = len(burst.delivery.published)
    use = burst.use
    return [
        Figure("burst_cases", "burst: case.opened published", cases),
        Figure(
            "burst_publish_per_s",
            "burst: publishes confirmed",
            round(cases / burst.publish_s, 1) if burst.publish_s else None,
            "/s",
        ),
        Figure(
            "dispatched_per_s",
            "burst: cases dispatched (1st publish..last arrival)",
            round(burst.per_second, 1) if burst.per_second else None,
            "/s",
        ),
        Figure(
            "burst_seconds",
            "burst: first publish..last case.dispatched",
            round(burst.elapsed_s, 2) if burst.elapsed_s else None,
            "s",
        ),
        Figure("burst_dispatched", "burst: case.dispatched arrived", len(burst.delivery.arrivals)),
        Figure(
            "burst_distinct_cases",
            "burst: distinct cases (ce-subject)",
            burst.delivery.distinct_cases,
        ),
        Figure(
            "burst_distinct_ids", "burst: distinct event ids (ce-id)", burst.delivery.distinct_ids
        ),
        Figure("burst_complete", "burst: every case arrived", yes_no(burst.complete)),
        Figure("loaded_rss_mb", "RSS in the burst (median)", burst.rss_median_mb, "MB"),
        Figure("peak_rss_mb", "RSS in the burst (peak)", burst.rss_peak_mb, "MB"),
        Figure("cpu_percent", "burst CPU: dispatch (100% = one core)", use.percent("service"), "%"),
        Figure("postgres_cpu_percent", "burst CPU: PostgreSQL", use.percent("postgres"), "%"),
        Figure("rabbitmq_cpu_percent", "burst CPU: RabbitMQ", use.percent("rabbitmq"), "%"),
        Figure(
            "bench_cpu_percent",
            "burst CPU: this script (publisher, probe)",
            use.percent("bench"),
            "%",
        ),
        Figure(
            "machine_cpu_percent",
            "burst CPU: whole machine (100% = one core)",
            use.percent("machine"),
            "%",
        ),
        Figure("cpu_ms_per_case", "dispatch CPU per case", use.ms_per("service", cases), "ms"),
        Figure(
            "postgres_cpu_ms_per_case",
            "PostgreSQL CPU per case",
            use.ms_per("postgres", cases),
            "ms",
        ),
        Figure(
            "rabbitmq_cpu_ms_per_case", "RabbitMQ CPU per case", use.ms_per("rabbitmq", cases), "ms"
        ),
        Figure(
            "write_syscalls_per_case",
            "dispatch write system calls per case",
            use.syscalls_per("syscw", cases),
        ),
        Figure(
            "read_syscalls_per_case",
            "dispatch read system calls per case",
            use.syscalls_per("syscr", cases),
        ),
    ]


def paced_figures(paced: PacedRun) -> Figures:
    cases = len(paced.delivery.published)
    return [
        Figure("half_load_rate", "half load: paced case.opened rate", round(paced.rate, 1), "/s"),
        Figure(
            "half_load_published_per_s",
            "half load: rate achieved",
            round(cases / paced.publish_s, 1) if paced.publish_s else None,
            "/s",
        ),
        Figure(
            "half_load_behind_ms",
            "half load: publisher behind schedule (max)",
            round(paced.behind_ms, 2),
            "ms",
        ),
        Figure("half_load_cases", "half load: case.opened published", cases),
        Figure(
            "half_load_dispatched",
            "half load: case.dispatched arrived",
            len(paced.delivery.arrivals),
        ),
        *latency_figures(paced.latencies_ms, "half_load_", "half load: "),
        Figure(
            "half_load_routing_p99_ms",
            "half load: p99 published .. routed (event time)",
            nearest_rank(paced.routing_ms, 0.99),
            "ms",
        ),
        Figure(
            "half_load_relaying_p99_ms",
            "half load: p99 routed .. case.dispatched arrived",
            nearest_rank(paced.relaying_ms, 0.99),
            "ms",
        ),
        Figure(
            "half_load_disk_flush_max_ms",
            "half load: slowest 8 kB disk flush (probe)",
            paced.flush.max_ms,
            "ms",
        ),
        Figure(
            "half_load_disk_flush_stalls",
            f"half load: disk flushes over {FLUSH_STALL_MS:.0f} ms (probe, every "
            f"{1000 * FLUSH_PROBE_INTERVAL_S:.0f} ms)",
            paced.flush.stalls,
        ),
        Figure(
            "half_load_dispatch_loop_lag_p99_ms",
            "half load: dispatch event-loop lag p99 (bucket bound)",
            paced.service_lag.p99_bound_ms(),
            "ms",
        ),
        Figure(
            "half_load_bench_loop_lag_p99_ms",
            "half load: this script's event-loop lag p99 (bucket bound)",
            paced.bench_lag.p99_bound_ms(),
            "ms",
        ),
        Figure(
            "half_load_cpu_percent", "half load CPU: dispatch", paced.use.percent("service"), "%"
        ),
        Figure(
            "half_load_postgres_cpu_percent",
            "half load CPU: PostgreSQL",
            paced.use.percent("postgres"),
            "%",
        ),
    ]


def header(run: BenchRun) -> list[str]:
    options = run.options
    return report_header(
        run,
        f"client loop uvloop; burst {options.cases:,} cases ({options.rabbit_in_flight} "
        f"publishes in flight); half load {options.duration}s; EVENT_PREFETCH "
        f"{options.prefetch}; consume baseline {options.consume_rounds} x "
        f"{options.consume_messages:,} messages",
    )


def config(run: BenchRun) -> dict[str, Any]:
    options = run.options
    return {
        "burst_cases": options.cases,
        "half_load_duration_s": options.duration,
        "event_prefetch": options.prefetch,
        "rabbitmq_in_flight": options.rabbit_in_flight,
        "consume_baseline_messages": options.consume_messages,
        "consume_baseline_rounds": options.consume_rounds,
        "client_loop": "uvloop",
    }


SCENARIO = Scenario(
    key="dispatch",
    order=20,
    sections=[
        RABBITMQ_CONSUME,
        Section(
            "dispatch",
            "Dispatch: case.opened published .. case.dispatched confirmed (burst, then half load)",
            measure_dispatch,
        ),
        bare_chain(
            "Baseline: the same two broker hops and one commit, without dispatch (half load)",
            rate_from=("dispatch", "half_load_rate"),
            rate_label="paced rate (dispatch's half load)",
        ),
    ],
    ratios=[
        Ratio(
            "dispatch_vs_rabbitmq_consume",
            "dispatched cases/s / RabbitMQ consume-and-ack rate",
            ("dispatch", "dispatched_per_s"),
            ("rabbitmq_consume", "consumed_per_s"),
        ),
        Ratio(
            "dispatch_p99_vs_bare_chain",
            "half-load p99 / the bare chain's p99 at the same rate",
            ("dispatch", "half_load_p99_ms"),
            ("bare_chain", "p99_ms"),
        ),
    ],
    targets=[
        Target(
            f">= {TARGET_CASES_PER_S:.0f} cases/s dispatched",
            ("dispatch", "dispatched_per_s"),
            TARGET_CASES_PER_S,
        ),
        Target(
            f"p99 <= {TARGET_HALF_LOAD_P99_MS:.0f} ms at half load",
            ("dispatch", "half_load_p99_ms"),
            TARGET_HALF_LOAD_P99_MS,
            at_most=True,
        ),
        Target(
            f">= {TARGET_SHARE_OF_CONSUME:.0%} of the raw consume-and-ack rate",
            ("ratios", "dispatch_vs_rabbitmq_consume"),
            TARGET_SHARE_OF_CONSUME,
            percent=True,
        ),
    ],
    header=header,
    config=config,
    loop_factory=uvloop.new_event_loop,
)
