"""The raw servers a service is judged against, measured in the same run: a bare FastAPI
endpoint, PostgreSQL commits, RabbitMQ confirmed publishes and consume-and-ack, and the bare
chain of two broker hops and one commit."""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import aio_pika
import asyncpg
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage

from civicloop.platform.batching import Batcher
from civicloop.platform.db import ensure_database
from civicloop.platform.envelope import EventEnvelope

from .harness import (
    AMQP_URL,
    HOST,
    REPO_ROOT,
    BenchError,
    BenchOptions,
    BenchRun,
    ManagedProcess,
    Section,
    postgres_settings,
    python_module,
    start_process,
    wait_consuming,
    wait_ready,
)
from .load import (
    PETITIONS_PATH,
    case_opened,
    http_figures,
    load_http,
    opened_cases,
    paced_count,
    publish_all,
    publish_paced,
    warm_up,
)
from .probes import ArrivalClock, rss_mb
from .report import Figure, FigurePath, Figures, latency_figures, yes_no

BARE_HTTP_PORT = 18099
SUBMITTED_EVENT = "civicloop.petition.submitted.v1"
RABBITMQ_BODY_BYTES = 300  # about the size of a petition.submitted protobuf payload
CONSUME_TIMEOUT_S = 120.0
BARE_CHAIN_WARM_UP_MESSAGES = 50


# ---- a bare FastAPI endpoint ----


async def start_bare_app(run: BenchRun) -> tuple[ManagedProcess, str]:
    """The bare endpoint's process, ready and warmed up, with the same uvicorn settings as the
    service: one worker, httptools, uvloop, no access log; returns it and its POST URL."""
    argv = python_module(
        "uvicorn",
        "scripts.bench.programs.bare_app:app",
        "--app-dir",
        str(REPO_ROOT),
        "--host",
        HOST,
        "--port",
        str(BARE_HTTP_PORT),
        "--workers",
        "1",
        "--http",
        "httptools",
        "--loop",
        "uvloop",
        "--no-access-log",
        "--lifespan",
        "off",
        "--log-level",
        "warning",
    )
    app = await start_process(run, "bare-app", argv, dict(os.environ), BARE_HTTP_PORT)
    base = f"http://{HOST}:{BARE_HTTP_PORT}"
    await wait_ready(app, base + "/readyz")
    await warm_up(base + PETITIONS_PATH)
    return app, base + PETITIONS_PATH


async def measure_bare_http(run: BenchRun) -> Figures:
    app, url = await start_bare_app(run)
    idle_rss = rss_mb(app.pid)
    load = await load_http(run, app, url)
    await app.stop()
    if load.wrk.first_error:
        run.notes["bare_http_first_error"] = load.wrk.first_error
    return [
        Figure("idle_rss_mb", "idle RSS", idle_rss, "MB"),
        *http_figures(load, "requests_per_s", "2xx responses", load.wrk.count(2)),
    ]


BARE_HTTP = Section(
    "bare_http", "Baseline: bare FastAPI endpoint (uvicorn, httptools, uvloop)", measure_bare_http
)


# ---- PostgreSQL commits ----


async def measure_postgres_commits(run: BenchRun) -> Figures:
    """Single-row INSERT transactions per second over the service's pool size in connections.

    The table is an ordinary (WAL-logged) one in the run's database, not a TEMP table: a commit
    that only touched a temp table writes no WAL and so never waits for an fsync, which would
    measure something no service transaction does.
    """
    await ensure_database(run.database_url)
    run.notes["postgres"] = await postgres_settings(run.database_url)
    connections = [
        await asyncpg.connect(run.database_url) for _ in range(run.options.pg_connections)
    ]
    try:
        await connections[0].execute(
            "CREATE TABLE bench_commit_probe (id bigserial PRIMARY KEY, payload text NOT NULL,"
            " created_at timestamptz NOT NULL DEFAULT now())"
        )
        deadline = time.monotonic() + run.options.baseline_seconds

        async def commit_until_deadline(conn: asyncpg.Connection) -> int:
            commits = 0
            while time.monotonic() < deadline:
                await conn.execute(
                    "INSERT INTO bench_commit_probe (payload) VALUES ($1)", "小区门口路灯不亮"
                )
                commits += 1
            return commits

        started = time.monotonic()
        counts = await asyncio.gather(*(commit_until_deadline(c) for c in connections))
        elapsed = time.monotonic() - started
        await connections[0].execute("DROP TABLE bench_commit_probe")
    finally:
        await asyncio.gather(*(c.close() for c in connections))
    return [
        Figure("commits_per_s", "single-row commits", round(sum(counts) / elapsed, 1), "/s"),
        Figure("connections", "connections", len(connections)),
        Figure("seconds", "measured for", round(elapsed, 1), "s"),
    ]


POSTGRES_COMMITS = Section(
    "postgres", "Baseline: PostgreSQL single-row commits (asyncpg)", measure_postgres_commits
)


# ---- RabbitMQ confirmed publishes ----


def sample_event() -> EventEnvelope:
    """About what intake's relay publishes: a petition.submitted of random bytes."""
    return EventEnvelope(
        id=secrets.token_hex(16),
        type=SUBMITTED_EVENT,
        source="/civicloop/intake",
        subject=secrets.token_hex(16),
        time=datetime.now(UTC),
        data=secrets.token_bytes(RABBITMQ_BODY_BYTES),
        trace_headers={"traceparent": f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"},
    )


async def measure_rabbitmq_confirms(run: BenchRun) -> Figures:
    """Publishes per second with confirms on, persistent and mandatory, to a quorum queue."""
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.declare_exchange(
            run.bench_exchange("baseline"), aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(
            run.bench_queue("baseline"), durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(exchange, routing_key=SUBMITTED_EVENT)
        deadline = time.monotonic() + run.options.baseline_seconds

        async def publish_until_deadline() -> int:
            confirmed = 0
            while time.monotonic() < deadline:
                await exchange.publish(
                    sample_event().to_amqp(), routing_key=SUBMITTED_EVENT, mandatory=True
                )
                confirmed += 1
            return confirmed

        started = time.monotonic()
        counts = await asyncio.gather(
            *(publish_until_deadline() for _ in range(run.options.rabbit_in_flight))
        )
        elapsed = time.monotonic() - started
        await queue.delete(if_unused=False, if_empty=False)
        await exchange.delete()
    finally:
        await connection.close()
    return [
        Figure("confirmed_per_s", "confirmed publishes", round(sum(counts) / elapsed, 1), "/s"),
        Figure("in_flight", "publishes in flight", run.options.rabbit_in_flight),
        Figure("seconds", "measured for", round(elapsed, 1), "s"),
    ]


RABBITMQ_CONFIRMS = Section(
    "rabbitmq",
    "Baseline: RabbitMQ confirmed publishes to a quorum queue (aio-pika)",
    measure_rabbitmq_confirms,
)


# ---- RabbitMQ consume-and-ack ----


@dataclass(frozen=True)
class ConsumeRound:
    fill_s: float  # pre-filling the queue, confirmed publishes
    consume_s: float  # consume start .. last ack


async def consume_round(
    connection: AbstractConnection,
    name: str,
    messages: Sequence[aio_pika.Message],
    options: BenchOptions,
) -> ConsumeRound:
    """Fill the quorum queue with the messages, then drain it with a callback consumer at the
    service's prefetch that acknowledges as the services' consumers do: one ``multiple`` ack
    for the deliveries handled in one turn of the loop."""
    publisher = await connection.channel(publisher_confirms=True, on_return_raises=True)
    started = time.monotonic()
    await publish_all(publisher.default_exchange, messages, name, options.rabbit_in_flight)
    fill_s = time.monotonic() - started
    await publisher.close()

    channel = await connection.channel()
    await channel.set_qos(prefetch_count=options.prefetch)
    queue = await channel.get_queue(name)
    acked = 0
    done = asyncio.Event()

    async def ack_handled(batch: list[AbstractIncomingMessage]) -> list[None | BaseException]:
        # Handled in delivery order, at once: the newest tag covers the batch.
        await max(batch, key=lambda m: m.delivery_tag or 0).ack(multiple=True)
        return [None] * len(batch)

    acks: Batcher[AbstractIncomingMessage, None] = Batcher(ack_handled, max_batch=1000)

    async def on_message(message: AbstractIncomingMessage) -> None:
        nonlocal acked
        await acks.submit(message)
        acked += 1
        if acked >= len(messages):
            done.set()

    started = time.monotonic()
    tag = await queue.consume(on_message)
    try:
        await asyncio.wait_for(done.wait(), CONSUME_TIMEOUT_S)
    except TimeoutError:
        raise BenchError(
            f"the consume baseline acked {acked} of {len(messages)} messages "
            f"in {CONSUME_TIMEOUT_S:.0f}s"
        ) from None
    consume_s = time.monotonic() - started
    await queue.cancel(tag)
    await channel.close()
    return ConsumeRound(fill_s, consume_s)


async def measure_rabbitmq_consume(run: BenchRun) -> Figures:
    """Consume-and-ack rate of a callback consumer (queue.consume, manual ack, the service's
    prefetch) draining a quorum queue pre-filled with persistent case.opened events: what
    dispatch's consumer could do if handling an event cost nothing. Several rounds, the
    median reported: this machine's other tenants move a single round by a third."""
    name = run.bench_queue("consume-baseline")
    options = run.options
    messages = [case_opened().to_amqp() for _ in range(options.consume_messages)]
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(
            name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        rounds = [
            await consume_round(connection, name, messages, options)
            for _ in range(options.consume_rounds)
        ]
        left = (await queue.declare()).message_count
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()
    count = len(messages)
    rates = [count / r.consume_s for r in rounds]
    fill_rates = [count / r.fill_s for r in rounds]
    return [
        Figure(
            "consumed_per_s",
            "consumed and acked (median)",
            round(statistics.median(rates), 1),
            "/s",
        ),
        Figure(
            "consumed_per_s_min", "consumed and acked (slowest round)", round(min(rates), 1), "/s"
        ),
        Figure(
            "consumed_per_s_max", "consumed and acked (fastest round)", round(max(rates), 1), "/s"
        ),
        Figure("rounds", "rounds", len(rounds)),
        Figure("messages", "messages per round (persistent, pre-filled)", count),
        Figure("body_bytes", "message body (a case.opened payload)", len(messages[0].body), "B"),
        Figure("prefetch", "prefetch", options.prefetch),
        Figure(
            "seconds", "measured for (all rounds)", round(sum(r.consume_s for r in rounds), 2), "s"
        ),
        Figure(
            "fill_per_s",
            "pre-fill: confirmed publishes (median)",
            round(statistics.median(fill_rates), 1),
            "/s",
        ),
        Figure("left_in_queue", "messages left in the queue afterwards", left),
    ]


RABBITMQ_CONSUME = Section(
    "rabbitmq_consume",
    "Baseline: RabbitMQ consume-and-ack from a quorum queue (aio-pika, callback consumer)",
    measure_rabbitmq_consume,
)


# ---- the bare chain: two broker hops and one commit ----


def bare_chain(title: str, rate_from: FigurePath, rate_label: str) -> Section:
    """A service's event path without the service, at the rate one of its figures names: the
    bench publishes to a quorum queue, a bare process (programs/bare_chain.py) consumes,
    commits one row, publishes with a confirm to a second quorum queue and acknowledges, and
    the bench times each message to its arrival. Two broker hops and a commit: the latency the
    servers alone give on this machine."""

    async def measure(run: BenchRun) -> Figures:
        rate = run.value(rate_from)
        if not rate:
            raise BenchError(f"the bare chain runs at {'.'.join(rate_from)}, which is missing")
        connection = await aio_pika.connect(AMQP_URL)
        run.cleanups.push_async_callback(connection.close)
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        queues = [
            await channel.declare_queue(
                run.bench_queue(base), durable=True, arguments={"x-queue-type": "quorum"}
            )
            for base in ("chain-in", "chain-out")
        ]
        source, target = queues
        argv = python_module(
            "scripts.bench.programs.bare_chain",
            AMQP_URL,
            run.database_url,
            source.name,
            target.name,
            str(run.options.prefetch),
        )
        chain = await start_process(run, "bare-chain", argv, dict(os.environ), None)
        await wait_consuming(chain, source)
        clock = ArrivalClock(target)
        await clock.start()
        publish_to = channel.default_exchange
        warm_up_schedule = opened_cases(BARE_CHAIN_WARM_UP_MESSAGES)
        warmed = await publish_paced(publish_to, source.name, warm_up_schedule, rate)
        await clock.wait_for(set(warmed.sent))
        schedule = opened_cases(paced_count(run, rate))
        paced = await publish_paced(publish_to, source.name, schedule, rate)
        complete = await clock.wait_for(set(paced.sent))
        await clock.stop()
        await chain.stop()
        for queue in queues:
            await queue.delete(if_unused=False, if_empty=False)
        return [
            Figure("rate", rate_label, round(rate, 1), "/s"),
            Figure("messages", "messages published", len(schedule)),
            Figure("complete", "every message arrived", yes_no(complete)),
            *latency_figures(clock.latencies_ms(paced.sent), "", ""),
        ]

    return Section("bare_chain", title, measure)
