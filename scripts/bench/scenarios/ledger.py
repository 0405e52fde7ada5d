"""Ledger: appends through AppendEvidence with checkpoints signed less than a second apart,
judged against PostgreSQL's batched INSERT of the same rows and the server's bare gRPC calls;
inclusion proofs over gRPC at 1,000,000 entries, judged against one indexed query over those
rows and a bare gRPC call; credential verifications (VerifyCredential over gRPC, and
civicloop-verify's check_proof in-process), judged against raw Ed25519 verification.

The million entries are seeded directly in SQL (COPY), each leaf and every complete subtree
hashed by civicloop.tlog (``CompactRange``, the code the sequencer integrates with), into a
template database named after the migrations it was built with; later runs copy the template
(seconds) instead of seeding again (a minute). It is the one thing a run leaves behind: a new
schema gets a new template and the old one is dropped.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import grpc
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from civicloop.ledger.settings import DEV_ISSUER_PUBLIC_KEY
from civicloop.platform import auth
from civicloop.platform.db import (
    PLATFORM_MIGRATIONS,
    create_pool,
    drop_database,
    ensure_database,
    migrate,
)
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.event_types import type_of
from civicloop.tlog.evidence import EvidenceLeaf
from civicloop.tlog.proofs import verify_inclusion
from civicloop.tlog.tree import CompactRange
from civicloop.v1 import events_pb2, ledger_pb2, ledger_pb2_grpc
from civicloop.verify.credential import check_proof

from ..harness import (
    HEALTH_METHOD,
    HEALTH_REQUEST,
    HOST,
    POSTGRES_URL,
    BenchError,
    BenchRun,
    Scenario,
    Section,
    postgres_settings,
    report_header,
    start_service,
    stop_service,
    with_database,
)
from ..load import ClosedLoop, call_paced, closed_loop, open_publisher, publish_all
from ..probes import cpu_seconds, histogram_buckets, quantile_ms, scrape
from ..report import Figure, Figures, Ratio, Target, handling_figures, latency_figures, yes_no

HTTP_PORT = 18005
GRPC_PORT = 58055
NO_LIMIT = "100000000"
# Signed on a 0.9 s schedule: with the sequencer lock and the loop under load, never 1 s apart.
CHECKPOINT_SECONDS = 0.9
SERVICE_ENV = {
    "LEDGER_CHECKPOINT_SECONDS": str(CHECKPOINT_SECONDS),
    # One address asks everything: the public RPCs' per-address limit would stop the bench.
    "LEDGER_LIMIT_PER_ADDRESS_MINUTE": NO_LIMIT,
    "LEDGER_WITNESSES": "",
}
RPC_TIMEOUT_S = 15.0

# Appends: this many calls in flight at once, spread over a few channels (connections).
APPEND_CLIENTS = 128
APPEND_CHANNELS = 4
WARM_UP_APPENDS = 200
# Requests are serialized before the clock starts; more than any run can send.
APPENDS_PER_S_AT_MOST = 6000
BARE_CALLS_PER_S_AT_MOST = 12000
APPEND_METHOD = "/civicloop.v1.LedgerService/AppendEvidence"
BATCH_METHOD = "/civicloop.v1.LedgerService/AppendEvidenceBatch"
# Batches: this many callers, each sending LEAVES_PER_BATCH leaves a call as soon as answered.
BATCH_CALLERS = 8
LEAVES_PER_BATCH = 100
BATCH_LEAVES_PER_S_AT_MOST = 20000
# Case events from the bus: this many per second of --duration, published as fast as
# confirms allow, timed until the last one is on the log.
BUS_EVENTS_PER_DURATION_S = 1000
BUS_WARM_UP_EVENTS = 200
ACCEPTED = type_of(events_pb2.CaseAccepted)
# The baseline: rows like log_entries' in batches of the platform's group commit.
BATCH_ROWS = 64
CATCH_UP_TIMEOUT_S = 60.0

# Proofs: the seeded log, and the steady rate of the proof calls and of the query baseline.
SEEDED_ENTRIES = 1_000_000
SEED_CHUNK = 65_536
SEED_VERSION = "1"  # bump when seed_log writes other rows
TEMPLATE_PREFIX = "ledger_bench_seed_"
PROOFS_PER_S = 200.0
PROOF_TURN_S = 1.0
WARM_UP_PROOFS = 200
SAMPLE_PROOFS_CHECKED = 50
HANDLING_METRIC = "civicloop_grpc_server_handling_seconds"
PROOF_OK = {"method": "civicloop.v1.LedgerService/GetInclusionProof", "code": "OK"}
# A case's six steps (ledger evidence of a whole loop), in turn.
CASE_STEPS = [
    "civicloop.petition.submitted.v1",
    "civicloop.case.opened.v1",
    "civicloop.case.dispatched.v1",
    "civicloop.case.accepted.v1",
    "civicloop.case.completed.v1",
    "civicloop.rating.submitted.v1",
]
SEEDED_AT = datetime(2026, 1, 1, tzinfo=UTC)

# Credentials: VerifyCredential calls in flight at once.
VERIFY_CLIENTS = 16
SHANGHAI = ZoneInfo("Asia/Shanghai")

TARGET_APPENDS_PER_S = 3000.0
TARGET_PROOF_P99_MS = 2.0
TARGET_PROOF_VS_QUERY = 3.0
TARGET_CHECKPOINT_GAP_MS = 1000.0

ENTRY_COLUMNS = (
    "leaf_index",
    "event_id",
    "event_type",
    "subject",
    "event_sha256",
    "appended_by",
    "appended_at",
    "occurred_at",
)
BASELINE_QUERY = """SELECT leaf_index, event_id, event_type, subject, event_sha256, appended_by,
                           appended_at, occurred_at
                      FROM log_entries WHERE event_id = $1"""


def bearer(subject: str, *roles: str, community: str = "") -> tuple[tuple[str, str], ...]:
    token = auth.mint_dev_token(
        subject, roles, audience=auth.audience_of("ledger"), community=community
    )
    return (("authorization", f"Bearer {token}"),)


SERVICE = bearer("service:dispatch", "service:dispatch")


def random_leaf() -> ledger_pb2.LedgerLeaf:
    return ledger_pb2.LedgerLeaf(
        event_id=str(uuid.uuid4()),
        event_type="civicloop.case.accepted.v1",
        subject=str(uuid.uuid4()),
        event_sha256=hashlib.sha256(uuid.uuid4().bytes).digest(),
    )


def channel() -> grpc.aio.Channel:
    # No interceptors: the client's own cost stays out of the service's way.
    return grpc.aio.insecure_channel(f"{HOST}:{GRPC_PORT}")


async def migrated_pool(dsn: str) -> asyncpg.Pool:
    pool = await create_pool(dsn, 1, 4)
    await migrate(pool, "platform", PLATFORM_MIGRATIONS)
    await migrate(pool, "ledger", "civicloop.ledger.store.migrations")
    return pool


# ---- appends, and PostgreSQL's batched INSERT ----


async def measure_batched_inserts(run: BenchRun) -> Figures:
    """Rows like log_entries' (its columns and indexes, in a table of their own), inserted
    BATCH_ROWS per transaction (one executemany) over the service's pool size in connections,
    each batch committed."""
    await ensure_database(run.database_url)
    run.notes["postgres"] = await postgres_settings(run.database_url)
    pool = await migrated_pool(run.database_url)
    await pool.execute(
        "CREATE TABLE bench_batched_rows (LIKE log_entries INCLUDING DEFAULTS"
        " INCLUDING CONSTRAINTS INCLUDING INDEXES)"
    )
    await pool.close()
    statement = (
        f"INSERT INTO bench_batched_rows ({', '.join(ENTRY_COLUMNS)})"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    indexes = itertools.count()
    connections = [
        await asyncpg.connect(run.database_url) for _ in range(run.options.pg_connections)
    ]
    try:
        deadline = time.monotonic() + run.options.baseline_seconds

        async def insert_until_deadline(conn: asyncpg.Connection) -> int:
            rows = 0
            while time.monotonic() < deadline:
                now = datetime.now(UTC)
                batch = [
                    (next(indexes), *fields_of(random_leaf()), "service:dispatch", now, now)
                    for _ in range(BATCH_ROWS)
                ]
                await conn.executemany(statement, batch)
                rows += len(batch)
            return rows

        started = time.monotonic()
        counts = await asyncio.gather(*(insert_until_deadline(c) for c in connections))
        elapsed = time.monotonic() - started
        await connections[0].execute("DROP TABLE bench_batched_rows")
    finally:
        await asyncio.gather(*(c.close() for c in connections))
    return [
        Figure("rows_per_s", "rows inserted", round(sum(counts) / elapsed, 1), "/s"),
        Figure("batch_rows", "rows per transaction", BATCH_ROWS),
        Figure("connections", "connections", len(connections)),
        Figure("seconds", "measured for", round(elapsed, 1), "s"),
    ]


def fields_of(leaf: ledger_pb2.LedgerLeaf) -> tuple[str, str, str, bytes]:
    return leaf.event_id, leaf.event_type, leaf.subject, leaf.event_sha256


async def checkpoint_gaps(db: asyncpg.Connection, since: datetime, until: datetime) -> list[float]:
    """Seconds between consecutive checkpoints signed while the load ran."""
    signed = [
        row["signed_at"]
        for row in await db.fetch(
            "SELECT signed_at FROM checkpoints WHERE signed_at BETWEEN $1 AND $2"
            " ORDER BY tree_size",
            since,
            until,
        )
    ]
    return [(b - a).total_seconds() for a, b in itertools.pairwise(signed)]


async def covered(stub: Any, size: int) -> bool:
    """Wait until a signed checkpoint covers ``size`` leaves."""
    deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
    while time.monotonic() < deadline:
        found = await stub.GetCheckpoint(ledger_pb2.GetCheckpointRequest(), timeout=RPC_TIMEOUT_S)
        if found.checkpoint.tree_size >= size:
            return True
        await asyncio.sleep(0.1)
    return False


async def call_in_turn(
    calls: list[Any], requests: list[bytes], metadata: Any, clients: int, seconds: float
) -> ClosedLoop:
    """Send the (serialized) requests in turn over the calls (one per channel) for
    ``seconds`` or until they run out; responses are not decoded, so the client's own cost
    stays low (it shares the machine's cores with the service)."""

    async def call(client: int, position: int) -> None:
        await calls[client % len(calls)](
            requests[position], metadata=metadata, timeout=RPC_TIMEOUT_S
        )

    return await closed_loop(call, clients, seconds, calls=len(requests))


async def measure_appends(run: BenchRun) -> Figures:
    """APPEND_CLIENTS AppendEvidence calls in flight for --duration seconds, each answered
    with its leaf index (integrated, durable); the sequencer signs every CHECKPOINT_SECONDS.
    Then the bare gRPC call rate of the same server with the same clients (Health/Check):
    what grpc.aio itself allows here."""
    service = await start_service(run, HTTP_PORT, GRPC_PORT, SERVICE_ENV)
    channels = [channel() for _ in range(APPEND_CHANNELS)]
    for opened in channels:
        run.cleanups.push_async_callback(opened.close)
    append_calls: list[Any] = [c.unary_unary(APPEND_METHOD) for c in channels]
    duration = run.options.duration
    leaves = [random_leaf() for _ in range(WARM_UP_APPENDS + APPENDS_PER_S_AT_MOST * duration)]
    requests = [ledger_pb2.AppendEvidenceRequest(leaf=leaf).SerializeToString() for leaf in leaves]

    warm_up = await call_in_turn(
        append_calls, requests[:WARM_UP_APPENDS], SERVICE, APPEND_CHANNELS, RPC_TIMEOUT_S
    )
    if warm_up.failures or len(warm_up.done) < WARM_UP_APPENDS:
        raise BenchError(
            f"AppendEvidence failed in the warm-up: {warm_up.failures[:1]}\n{service.stderr_tail()}"
        )
    since = datetime.now(UTC)
    cpu_before = cpu_seconds(service.pid)
    appends = await call_in_turn(
        append_calls, requests[WARM_UP_APPENDS:], SERVICE, APPEND_CLIENTS, duration
    )
    cpu_percent = 100 * (cpu_seconds(service.pid) - cpu_before) / appends.seconds
    until = datetime.now(UTC)
    if appends.failures:
        run.notes["append_first_failure"] = appends.failures[0]
    acknowledged = [leaves[WARM_UP_APPENDS + n].event_id for n in appends.done]

    health_calls: list[Any] = [c.unary_unary(HEALTH_METHOD) for c in channels]
    bare = await call_in_turn(
        health_calls,
        [HEALTH_REQUEST] * (BARE_CALLS_PER_S_AT_MOST * duration),
        (),
        APPEND_CLIENTS,
        run.options.baseline_seconds,
    )

    checks = await log_checks(run, channels[0], acknowledged, since, until)
    log_error_lines = await stop_service(run, service)
    return [
        Figure("appends_per_s", "appends acknowledged", round(appends.per_second, 1), "/s"),
        Figure("appends", "appends acknowledged", len(acknowledged)),
        Figure("failed", "appends failed", len(appends.failures)),
        Figure("clients", "calls in flight", APPEND_CLIENTS),
        *checks,
        Figure("cpu_percent", "ledger CPU (100% = one core)", round(cpu_percent, 1), "%"),
        cpu_per_append(cpu_percent * appends.seconds / 100, len(acknowledged)),
        Figure(
            "bare_grpc_per_s",
            "bare gRPC calls, same server and clients (Health/Check)",
            round(bare.per_second, 1),
            "/s",
        ),
        log_error_lines,
    ]


def cpu_per_append(cpu_s: float, appends: int) -> Figure:
    return Figure(
        "cpu_ms_per_append",
        "ledger CPU per append",
        round(1000 * cpu_s / appends, 3) if appends else None,
        "ms",
    )


async def log_checks(
    run: BenchRun,
    opened: grpc.aio.Channel,
    acknowledged: list[str],
    since: datetime,
    until: datetime,
) -> Figures:
    """After a load: every acknowledged event id on the log, the log dense, a signed
    checkpoint over all of it, and how far apart checkpoints were signed during the load."""
    stub: Any = ledger_pb2_grpc.LedgerServiceStub(opened)
    db = await asyncpg.connect(run.database_url)
    try:
        size = await db.fetchval("SELECT count(*) FROM log_entries")
        signed_all = await covered(stub, size)
        logged = await db.fetchval(
            "SELECT count(*) FROM log_entries WHERE event_id = ANY($1::text[])", acknowledged
        )
        gaps = await checkpoint_gaps(db, since, until)
        dense = await db.fetchval(
            "SELECT count(*) = coalesce(max(leaf_index) + 1, 0) FROM log_entries"
        )
    finally:
        await db.close()
    return [
        Figure(
            "all_logged",
            "every acknowledged append is on the log",
            yes_no(logged == len(acknowledged)),
        ),
        Figure("dense", "leaf indexes dense (0 .. size-1)", yes_no(bool(dense))),
        Figure("signed_all", "a signed checkpoint covers them all", yes_no(signed_all)),
        Figure("checkpoints", "checkpoints signed during the load", len(gaps) + 1 if gaps else 0),
        Figure(
            "checkpoint_gap_max_ms",
            "longest time between two checkpoints",
            round(1000 * max(gaps)) if gaps else None,
            "ms",
        ),
    ]


async def measure_batch_appends(run: BenchRun) -> Figures:
    """BATCH_CALLERS AppendEvidenceBatch calls of LEAVES_PER_BATCH leaves in flight for
    --duration seconds, each answered once all its leaves are integrated (durable)."""
    service = await start_service(run, HTTP_PORT, GRPC_PORT, SERVICE_ENV, name="ledger-batches")
    channels = [channel() for _ in range(APPEND_CHANNELS)]
    for opened in channels:
        run.cleanups.push_async_callback(opened.close)
    calls: list[Any] = [c.unary_unary(BATCH_METHOD) for c in channels]
    batches = [
        [random_leaf() for _ in range(LEAVES_PER_BATCH)]
        for _ in range(1 + BATCH_LEAVES_PER_S_AT_MOST * run.options.duration // LEAVES_PER_BATCH)
    ]
    requests = [
        ledger_pb2.AppendEvidenceBatchRequest(
            leaves=[ledger_pb2.AppendEvidenceRequest(leaf=leaf) for leaf in batch]
        ).SerializeToString()
        for batch in batches
    ]
    warm_up = await call_in_turn(calls, requests[:1], SERVICE, 1, RPC_TIMEOUT_S)
    if warm_up.failures or not warm_up.done:
        raise BenchError(
            f"AppendEvidenceBatch failed in the warm-up: {warm_up.failures[:1]}\n"
            f"{service.stderr_tail()}"
        )
    since = datetime.now(UTC)
    cpu_before = cpu_seconds(service.pid)
    loaded = await call_in_turn(calls, requests[1:], SERVICE, BATCH_CALLERS, run.options.duration)
    cpu_s = cpu_seconds(service.pid) - cpu_before
    until = datetime.now(UTC)
    if loaded.failures:
        run.notes["batch_first_failure"] = loaded.failures[0]
    acknowledged = [leaf.event_id for n in loaded.done for leaf in batches[1 + n]]
    checks = await log_checks(run, channels[0], acknowledged, since, until)
    log_error_lines = await stop_service(run, service)
    return [
        Figure(
            "appends_per_s",
            "appends acknowledged",
            round(len(acknowledged) / loaded.seconds, 1),
            "/s",
        ),
        Figure("appends", "appends acknowledged", len(acknowledged)),
        Figure("calls_per_s", "batch calls answered", round(loaded.per_second, 1), "/s"),
        Figure("failed", "batch calls failed", len(loaded.failures)),
        Figure("callers", "calls in flight", BATCH_CALLERS),
        Figure("leaves_per_call", "leaves per call", LEAVES_PER_BATCH),
        *checks,
        Figure(
            "cpu_percent",
            "ledger CPU (100% = one core)",
            round(100 * cpu_s / loaded.seconds, 1),
            "%",
        ),
        cpu_per_append(cpu_s, len(acknowledged)),
        log_error_lines,
    ]


def case_accepted() -> EventEnvelope:
    """A case event as its owner publishes it; the ledger evidences its body's digest."""
    case_id = str(uuid.uuid4())
    message = events_pb2.CaseAccepted(case_id=case_id, case_version=5, department_code="D01")
    return EventEnvelope.wrap(message, source="dispatch", subject=case_id)


async def measure_bus_appends(run: BenchRun) -> Figures:
    """case.accepted events published to the run's events exchange (as dispatch would), as
    fast as confirms allow, timed from the first publish until the last is on the log."""
    service = await start_service(run, HTTP_PORT, GRPC_PORT, SERVICE_ENV, name="ledger-bus")
    opened = channel()
    run.cleanups.push_async_callback(opened.close)
    exchange = await open_publisher(run)
    db = await asyncpg.connect(run.database_url)
    run.cleanups.push_async_callback(db.close)

    already = await db.fetchval("SELECT count(*) FROM log_entries")

    async def logged_at_least(size: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while await db.fetchval("SELECT count(*) FROM log_entries") < already + size:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    warm_up = [case_accepted().to_amqp() for _ in range(BUS_WARM_UP_EVENTS)]
    await publish_all(exchange, warm_up, ACCEPTED, run.options.rabbit_in_flight)
    if not await logged_at_least(BUS_WARM_UP_EVENTS, CATCH_UP_TIMEOUT_S):
        raise BenchError(f"the warm-up events never reached the log:\n{service.stderr_tail()}")
    envelopes = [case_accepted() for _ in range(BUS_EVENTS_PER_DURATION_S * run.options.duration)]
    messages = [e.to_amqp() for e in envelopes]
    since = datetime.now(UTC)
    cpu_before = cpu_seconds(service.pid)
    started = time.monotonic()
    await publish_all(exchange, messages, ACCEPTED, run.options.rabbit_in_flight)
    publish_s = time.monotonic() - started
    complete = await logged_at_least(BUS_WARM_UP_EVENTS + len(messages), CATCH_UP_TIMEOUT_S)
    elapsed = time.monotonic() - started
    cpu_s = cpu_seconds(service.pid) - cpu_before
    until = datetime.now(UTC)
    checks = await log_checks(run, opened, [e.id for e in envelopes], since, until)
    log_error_lines = await stop_service(run, service)
    return [
        Figure("appends_per_s", "events on the log", round(len(messages) / elapsed, 1), "/s"),
        Figure("events", "events published", len(messages)),
        Figure("complete", "all on the log in time", yes_no(complete)),
        Figure("publish_per_s", "published (confirmed)", round(len(messages) / publish_s, 1), "/s"),
        *checks,
        Figure("cpu_percent", "ledger CPU (100% = one core)", round(100 * cpu_s / elapsed, 1), "%"),
        cpu_per_append(cpu_s, len(messages)),
        log_error_lines,
    ]


# ---- proofs at a million entries ----


def seeded_leaf(index: int) -> EvidenceLeaf:
    """Leaf ``index`` of the seeded log: case index // 6, its step index % 6."""
    return EvidenceLeaf(
        str(uuid.UUID(int=(0xB3 << 120) | index)),
        CASE_STEPS[index % len(CASE_STEPS)],
        str(uuid.UUID(int=(0xCA << 120) | index // len(CASE_STEPS))),
        hashlib.sha256(index.to_bytes(8, "big")).digest(),
    )


def template_name() -> str:
    """Named after every migration the service would apply, and the seed's own version."""
    digest = hashlib.sha256(f"{SEED_VERSION}\n{SEEDED_ENTRIES}\n".encode())
    for package in (PLATFORM_MIGRATIONS, "civicloop.ledger.store.migrations"):
        for entry in sorted(resources.files(package).iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".sql"):
                digest.update(entry.name.encode() + b"\n" + entry.read_bytes())
    return TEMPLATE_PREFIX + digest.hexdigest()[:12]


async def seed_log(dsn: str) -> None:
    """SEEDED_ENTRIES leaves and every complete subtree over them, as the sequencer would
    have stored them, chunk by chunk."""
    pool = await migrated_pool(dsn)
    try:
        tree = CompactRange()
        async with pool.acquire() as conn:
            for first in range(0, SEEDED_ENTRIES, SEED_CHUNK):
                leaves = [
                    seeded_leaf(i) for i in range(first, min(first + SEED_CHUNK, SEEDED_ENTRIES))
                ]
                at = SEEDED_AT + timedelta(seconds=first)
                await conn.copy_records_to_table(
                    "log_entries",
                    columns=ENTRY_COLUMNS,
                    records=[
                        (
                            first + n,
                            leaf.event_id,
                            leaf.event_type,
                            leaf.subject,
                            leaf.event_sha256,
                            "service:dispatch",
                            at,
                            at,
                        )
                        for n, leaf in enumerate(leaves)
                    ],
                )
                completed = tree.extend(leaf.leaf_hash for leaf in leaves)
                await conn.copy_records_to_table(
                    "subtrees",
                    columns=["level", "index", "hash"],
                    records=[(s.level, s.index, h) for s, h in completed],
                )
            await conn.execute("VACUUM ANALYZE log_entries")
            await conn.execute("VACUUM ANALYZE subtrees")
    finally:
        await pool.close()


async def seeded_database(run: BenchRun) -> tuple[str, float, bool]:
    """The run's copy of the seeded log (its DSN), the seconds it took, and whether the
    template had to be seeded first."""
    template = template_name()
    target = f"{run.database_name}_proofs"
    admin = await asyncpg.connect(POSTGRES_URL)
    started = time.monotonic()
    seeded = False
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", template):
            building = f"{template}_{run.run_id}"
            await admin.execute(f'CREATE DATABASE "{building}"')
            try:
                await seed_log(with_database(POSTGRES_URL, building))
                await admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
            except asyncpg.DuplicateDatabaseError:
                pass  # another run built it meanwhile
            finally:
                await admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            seeded = True
            for row in await admin.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2",
                TEMPLATE_PREFIX + "%",
                template,
            ):
                await admin.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
        dsn = with_database(POSTGRES_URL, target)
        run.cleanups.push_async_callback(partial(drop_database, dsn))
        await admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    run.notes["seed_template"] = template
    return dsn, time.monotonic() - started, seeded


async def check_sample_proofs(stub: Any, checkpoint: Any, rng: random.Random) -> int:
    """Proofs of random seeded leaves verified against the signed root (RFC 9162 2.1.3.2),
    each leaf hashed here from what was seeded; returns how many verified."""
    verified = 0
    for _ in range(SAMPLE_PROOFS_CHECKED):
        index = rng.randrange(SEEDED_ENTRIES)
        leaf = seeded_leaf(index)
        found = await stub.GetInclusionProof(
            ledger_pb2.GetInclusionProofRequest(event_id=leaf.event_id, tree_size=SEEDED_ENTRIES),
            timeout=RPC_TIMEOUT_S,
        )
        verify_inclusion(
            index, SEEDED_ENTRIES, leaf.leaf_hash, found.audit_path, checkpoint.root_hash
        )
        verified += 1
    return verified


async def measure_proofs(run: BenchRun) -> Figures:
    """GetInclusionProof by event id for random seeded leaves against the latest checkpoint
    (the seeded tree's), one indexed query over the same rows (the entry by its event id, on
    a pool of the service's size) and a bare gRPC call to the same server (Health/Check):
    each at PROOFS_PER_S, in turns of PROOF_TURN_S for --duration seconds each, so that all
    three meet the same moments of this shared machine."""
    dsn, prepare_s, seeded = await seeded_database(run)
    service = await start_service(
        run, HTTP_PORT, GRPC_PORT, {**SERVICE_ENV, "DATABASE_URL": dsn}, name="ledger-proofs"
    )
    opened = channel()
    run.cleanups.push_async_callback(opened.close)
    stub: Any = ledger_pb2_grpc.LedgerServiceStub(opened)
    health: Any = opened.unary_unary(HEALTH_METHOD)
    if not await covered(stub, SEEDED_ENTRIES):
        raise BenchError(f"no checkpoint of the seeded log:\n{service.stderr_tail()}")
    checkpoint = (
        await stub.GetCheckpoint(
            ledger_pb2.GetCheckpointRequest(tree_size=SEEDED_ENTRIES), timeout=RPC_TIMEOUT_S
        )
    ).checkpoint
    rng = random.Random(14)
    verified = await check_sample_proofs(stub, checkpoint, rng)
    size = run.options.pg_connections
    pool = await asyncpg.create_pool(dsn, min_size=size, max_size=size)
    run.cleanups.push_async_callback(pool.close)

    async def prove(index: int) -> None:
        await stub.GetInclusionProof(
            ledger_pb2.GetInclusionProofRequest(event_id=seeded_leaf(index).event_id),
            timeout=RPC_TIMEOUT_S,
        )

    async def query(index: int) -> None:
        if await pool.fetchrow(BASELINE_QUERY, seeded_leaf(index).event_id) is None:
            raise BenchError(f"seeded leaf {index} is missing")

    async def bare(index: int) -> None:
        await health(HEALTH_REQUEST, timeout=RPC_TIMEOUT_S)

    series = {"proof": prove, "query": query, "grpc": bare}
    for call in series.values():
        for _ in range(WARM_UP_PROOFS):
            await call(rng.randrange(SEEDED_ENTRIES))
    per_turn = max(1, round(PROOFS_PER_S * PROOF_TURN_S))
    turns = max(1, round(run.options.duration / PROOF_TURN_S))
    latencies: dict[str, list[float]] = {name: [] for name in series}
    failures: list[str] = []
    behind_ms = 0.0
    proof_cpu_s = 0.0
    metrics_url = f"http://{HOST}:{HTTP_PORT}/metrics"
    handled_before = histogram_buckets(await scrape(metrics_url), HANDLING_METRIC, **PROOF_OK)
    for _ in range(turns):
        for name, call in series.items():
            cpu_before = cpu_seconds(service.pid)
            calls = await call_paced(
                [partial(call, rng.randrange(SEEDED_ENTRIES)) for _ in range(per_turn)],
                PROOFS_PER_S,
            )
            if name == "proof":
                proof_cpu_s += cpu_seconds(service.pid) - cpu_before
            latencies[name] += calls.latencies_ms
            failures += calls.failures
            behind_ms = max(behind_ms, calls.behind_ms)
    handled = histogram_buckets(await scrape(metrics_url), HANDLING_METRIC, **PROOF_OK)
    if failures:
        run.notes["proof_first_failure"] = failures[0]
    log_error_lines = await stop_service(run, service)
    return [
        Figure("entries", "entries on the log", SEEDED_ENTRIES),
        Figure(
            "prepare_s",
            "seeding the template (COPY) and copying it"
            if seeded
            else "copying the seeded template",
            round(prepare_s, 1),
            "s",
        ),
        Figure("sample_verified", "sample proofs verified against the signed root", verified),
        Figure("rate", "calls per second, each kind (steady)", PROOFS_PER_S, "/s"),
        Figure("calls", "calls of each kind", turns * per_turn),
        Figure("failed", "calls failed", len(failures)),
        Figure("behind_ms", "schedule kept within (max behind)", round(behind_ms, 2), "ms"),
        *latency_figures(latencies["proof"], "", "GetInclusionProof "),
        *handling_figures(
            partial(quantile_ms, handled_before, handled), "server_", "GetInclusionProof"
        ),
        Figure(
            "cpu_ms_per_proof",
            "ledger CPU per proof",
            round(1000 * proof_cpu_s / len(latencies["proof"]), 3),
            "ms",
        ),
        *latency_figures(latencies["query"], "query_", "indexed query "),
        *latency_figures(latencies["grpc"], "grpc_", "bare gRPC call "),
        log_error_lines,
    ]


# ---- credentials ----


def issue_request() -> ledger_pb2.IssueCredentialRequest:
    now = datetime.now(UTC)
    request = ledger_pb2.IssueCredentialRequest(
        request_id=str(uuid.uuid4()),
        community_code="C001",
        holder_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
        period=now.astimezone(SHANGHAI).strftime("%Y-%m"),
        evidence_type="home_visit",
    )
    request.verified_at.FromDatetime(now - timedelta(minutes=5))
    return request


def rate_for(seconds: float, check: Any) -> float:
    """How many times a second ``check`` runs, looping for ``seconds`` (this process, one
    core)."""
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(100):
            check()
        count += 100
        if time.perf_counter() >= deadline:
            return count / (time.perf_counter() - started)


async def measure_verify_credential(run: BenchRun) -> Figures:
    """VERIFY_CLIENTS VerifyCredential calls in flight for --duration seconds, each with the
    whole VC (JSON-LD) of one issued credential; every answer must say valid. Then the same
    document through civicloop-verify's check_proof in this process."""
    service = await start_service(run, HTTP_PORT, GRPC_PORT, SERVICE_ENV, name="ledger-credentials")
    opened = channel()
    run.cleanups.push_async_callback(opened.close)
    stub: Any = ledger_pb2_grpc.LedgerServiceStub(opened)
    try:
        issued = await stub.IssueCredential(
            issue_request(),
            metadata=bearer("worker:C001-07", "worker", community="C001"),
            timeout=RPC_TIMEOUT_S,
        )
    except grpc.aio.AioRpcError as exc:
        raise BenchError(
            f"IssueCredential failed: {exc.code().name} {exc.details()}\n{service.stderr_tail()}"
        ) from None
    request = ledger_pb2.VerifyCredentialRequest(vc_json_ld=issued.vc_json_ld)
    deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
    while not (answer := await stub.VerifyCredential(request, timeout=RPC_TIMEOUT_S)).valid:
        if time.monotonic() > deadline:
            raise BenchError(f"the issued credential never verified: {answer}")
        await asyncio.sleep(0.2)

    async def verify(client: int, position: int) -> None:
        answer = await stub.VerifyCredential(request, timeout=RPC_TIMEOUT_S)
        if not answer.valid:
            raise BenchError("answered not valid")

    verified = await closed_loop(verify, VERIFY_CLIENTS, run.options.duration)
    log_error_lines = await stop_service(run, service)

    document = json.loads(issued.vc_json_ld)
    # The service runs with the development issuer key (the bench sets no LEDGER_ISSUER_KEY).
    issuer_key = DEV_ISSUER_PUBLIC_KEY
    library_per_s = rate_for(
        run.options.baseline_seconds, lambda: check_proof(document, issuer_key)
    )
    return [
        Figure("rpc_per_s", "VerifyCredential answered valid", round(verified.per_second, 1), "/s"),
        Figure("invalid", "answers not valid (or failed)", len(verified.failures)),
        Figure("clients", "calls in flight", VERIFY_CLIENTS),
        Figure(
            "library_per_s",
            "civicloop-verify check_proof, in-process",
            round(library_per_s, 1),
            "/s",
        ),
        log_error_lines,
    ]


async def measure_raw_ed25519(run: BenchRun) -> Figures:
    """Ed25519 signature checks of a 64-byte message (what eddsa-jcs-2022 signs: two SHA-256
    digests) with the same library, one core."""
    key = Ed25519PrivateKey.generate()
    message = hashlib.sha256(b"proof").digest() + hashlib.sha256(b"document").digest()
    signature = key.sign(message)
    public = key.public_key()
    per_s = rate_for(run.options.baseline_seconds, lambda: public.verify(signature, message))
    return [Figure("verify_per_s", "Ed25519 verifications", round(per_s, 1), "/s")]


# ---- the scenario ----


def header(run: BenchRun) -> list[str]:
    options = run.options
    return report_header(
        run,
        f"appends: {APPEND_CLIENTS} calls in flight for {options.duration}s, a checkpoint every "
        f"{CHECKPOINT_SECONDS:g}s; proofs: {PROOFS_PER_S:.0f}/s at {SEEDED_ENTRIES:,} entries; "
        f"VerifyCredential: {VERIFY_CLIENTS} calls in flight",
    )


def config(run: BenchRun) -> dict[str, Any]:
    options = run.options
    return {
        "duration_s": options.duration,
        "append_clients": APPEND_CLIENTS,
        "checkpoint_seconds": CHECKPOINT_SECONDS,
        "batch_rows": BATCH_ROWS,
        "seeded_entries": SEEDED_ENTRIES,
        "proofs_per_s": PROOFS_PER_S,
        "verify_clients": VERIFY_CLIENTS,
        "postgres_connections": options.pg_connections,
    }


APPENDS_RATIO = Ratio(
    "appends_vs_batched_insert",
    "appends / PostgreSQL batched INSERT rate",
    ("appends", "appends_per_s"),
    ("postgres_batched", "rows_per_s"),
)
BARE_GRPC_RATIO = Ratio(
    "appends_vs_bare_grpc",
    "appends / bare gRPC calls of the same server",
    ("appends", "appends_per_s"),
    ("appends", "bare_grpc_per_s"),
)
BATCH_RATIO = Ratio(
    "batch_appends_vs_batched_insert",
    "batched appends / PostgreSQL batched INSERT rate",
    ("batches", "appends_per_s"),
    ("postgres_batched", "rows_per_s"),
)
BUS_RATIO = Ratio(
    "bus_appends_vs_batched_insert",
    "appends of consumed events / PostgreSQL batched INSERT rate",
    ("bus", "appends_per_s"),
    ("postgres_batched", "rows_per_s"),
)
PROOF_RATIO = Ratio(
    "proof_p99_vs_query",
    "inclusion proof p99 / one indexed query's p99",
    ("proofs", "p99_ms"),
    ("proofs", "query_p99_ms"),
)
PROOF_GRPC_RATIO = Ratio(
    "proof_p99_vs_bare_grpc",
    "inclusion proof p99 / a bare gRPC call's p99",
    ("proofs", "p99_ms"),
    ("proofs", "grpc_p99_ms"),
)
VERIFY_RATIO = Ratio(
    "verify_rpc_vs_ed25519",
    "VerifyCredential / raw Ed25519 verifications",
    ("credentials", "rpc_per_s"),
    ("ed25519", "verify_per_s"),
)
LIBRARY_RATIO = Ratio(
    "verify_library_vs_ed25519",
    "check_proof in-process / raw Ed25519 verifications",
    ("credentials", "library_per_s"),
    ("ed25519", "verify_per_s"),
)

SCENARIO = Scenario(
    key="ledger",
    order=50,
    sections=[
        Section(
            "postgres_batched",
            f"Baseline: PostgreSQL batched INSERT, {BATCH_ROWS} log rows per commit",
            measure_batched_inserts,
        ),
        Section(
            "appends",
            f"Ledger: AppendEvidence over gRPC, a checkpoint every {CHECKPOINT_SECONDS:g}s",
            measure_appends,
        ),
        Section(
            "batches",
            f"Ledger: AppendEvidenceBatch over gRPC, {LEAVES_PER_BATCH} leaves a call,"
            f" {BATCH_CALLERS} callers, a checkpoint every {CHECKPOINT_SECONDS:g}s",
            measure_batch_appends,
        ),
        Section(
            "bus",
            "Ledger: case events consumed from RabbitMQ onto the log, a checkpoint every"
            f" {CHECKPOINT_SECONDS:g}s",
            measure_bus_appends,
        ),
        Section(
            "proofs",
            f"Ledger: GetInclusionProof over gRPC at {SEEDED_ENTRIES:,} entries; one indexed"
            " query and a bare gRPC call, in turns at the same rate",
            measure_proofs,
        ),
        Section(
            "credentials",
            f"Ledger: VerifyCredential over gRPC, {VERIFY_CLIENTS} calls in flight",
            measure_verify_credential,
        ),
        Section(
            "ed25519", "Baseline: raw Ed25519 verification (cryptography)", measure_raw_ed25519
        ),
    ],
    ratios=[
        APPENDS_RATIO,
        BATCH_RATIO,
        BUS_RATIO,
        BARE_GRPC_RATIO,
        PROOF_RATIO,
        PROOF_GRPC_RATIO,
        VERIFY_RATIO,
        LIBRARY_RATIO,
    ],
    targets=[
        *(
            target
            for section, what in (
                ("appends", "AppendEvidence"),
                ("batches", "AppendEvidenceBatch"),
                ("bus", "consumed events"),
            )
            for target in (
                Target(
                    f"{what}: >= {TARGET_APPENDS_PER_S:,.0f} appends/s",
                    (section, "appends_per_s"),
                    TARGET_APPENDS_PER_S,
                ),
                Target(
                    f"{what}: checkpoints at most {TARGET_CHECKPOINT_GAP_MS:,.0f} ms apart",
                    (section, "checkpoint_gap_max_ms"),
                    TARGET_CHECKPOINT_GAP_MS,
                    at_most=True,
                ),
            )
        ),
        Target(
            f"inclusion proof p99 <= {TARGET_PROOF_P99_MS:g} ms at the service",
            ("proofs", "server_p99_ms"),
            TARGET_PROOF_P99_MS,
            at_most=True,
        ),
        Target(
            f"inclusion proof p99 <= {TARGET_PROOF_P99_MS:g} ms at the client",
            ("proofs", "p99_ms"),
            TARGET_PROOF_P99_MS,
            at_most=True,
        ),
        Target(
            f"inclusion proof p99 <= {TARGET_PROOF_VS_QUERY:g}x the query's p99",
            ("ratios", PROOF_RATIO.key),
            TARGET_PROOF_VS_QUERY,
            at_most=True,
        ),
    ],
    header=header,
    config=config,
)
