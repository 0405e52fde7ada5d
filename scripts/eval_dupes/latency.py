"""ProposeClusters' latency with 10,000 submitted petitions in the window, against one indexed
PostgreSQL query of the same rows. Starts intake on free ports over its own database
(``dupes_eval_<id>``) and namespace, and removes both afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aio_pika
import asyncpg
import httpx

from civicloop.intake.domain.wording import segment
from civicloop.platform.auth import audience_of, mint_dev_token
from civicloop.platform.bus import Topology
from civicloop.platform.db import drop_database, ensure_database
from civicloop.platform.grpc_server import client_channel
from civicloop.reference.catalogue import communities
from civicloop.v1 import intake_pb2, intake_pb2_grpc

from .corpus import LabelledPetition

POSTGRES = "postgresql://postgres@127.0.0.1:5432/"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
REDIS_URL = "redis://127.0.0.1:6379/0"
REPO_ROOT = Path(__file__).resolve().parents[2]
# The store's query (PetitionRepository.duplicate_candidates), the baseline.
CANDIDATES_QUERY = """
    SELECT p.id::text AS id, p.case_id::text AS case_id, p.community_code, p.category_code,
           p.latitude, p.longitude, p.submitted_at, p.description, p.description_words
      FROM petitions p JOIN cases c ON c.id = p.case_id
     WHERE p.submitted_at >= $1 AND c.state = 'submitted'
       AND ($2::text IS NULL OR p.community_code = $2)"""
FILED_BETWEEN_CALLS = 5
# Dujiangyan's urban area, where petitions without a community centroid are placed.
CITY = (30.998, 103.62)


@dataclass(frozen=True)
class Latency:
    petitions: int
    filed_between_calls: int
    calls: int
    first_call_ms: float
    propose_p50_ms: float
    propose_p99_ms: float
    query_p50_ms: float
    query_p99_ms: float
    clusters: int

    @property
    def ratio(self) -> float:
        return self.propose_p99_ms / self.query_p99_ms


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def petition_rows(
    corpus: list[LabelledPetition], count: int, now: datetime, seed: int = 7
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """``count`` submitted petitions over the last week: corpus texts, each refiled in a
    random community, about half with a location; cases and petitions as filing writes them
    (the words segmented the same way)."""
    rng = random.Random(seed)
    codes = sorted(communities())
    words = {p.text: " ".join(segment(p.text)) for p in corpus}
    cases: list[tuple[object, ...]] = []
    petitions: list[tuple[object, ...]] = []
    for _ in range(count):
        source = rng.choice(corpus)
        community = rng.choice(codes)
        at = now - timedelta(hours=rng.uniform(0, 160))
        lat = lon = None
        if rng.random() < 0.55:
            lat = CITY[0] + rng.uniform(-0.05, 0.05)
            lon = CITY[1] + rng.uniform(-0.05, 0.05)
        case_id, petition_id = uuid.uuid4(), uuid.uuid4()
        cases.append((case_id, "submitted", 1, community, source.category_code, lat, lon, at, at))
        petitions.append(
            (
                petition_id,
                case_id,
                source.channel,
                community,
                source.category_code,
                lat,
                lon,
                source.text,
                words[source.text],
                b"sealed",
                b"hash",
                "eval",
                "resident",
                at,
            )
        )
    return cases, petitions


async def insert(
    dsn: str,
    cases: list[tuple[object, ...]],
    petitions: list[tuple[object, ...]],
    analyze: bool = True,
) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "cases",
            records=cases,
            columns=[
                "id",
                "state",
                "version",
                "community_code",
                "category_code",
                "latitude",
                "longitude",
                "created_at",
                "updated_at",
            ],
        )
        await conn.copy_records_to_table(
            "petitions",
            records=petitions,
            columns=[
                "id",
                "case_id",
                "channel",
                "community_code",
                "category_code",
                "latitude",
                "longitude",
                "description",
                "description_words",
                "petitioner_sealed",
                "phone_hash",
                "submitted_by",
                "submitted_role",
                "submitted_at",
            ],
        )
        if analyze:
            await conn.execute("ANALYZE cases; ANALYZE petitions")
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def intake_service(run_id: str) -> AsyncIterator[tuple[str, str]]:
    """Intake on free ports, its own database and namespace; yields (database DSN, gRPC
    target) and removes what it created."""
    dsn = f"{POSTGRES}dupes_eval_{run_id}"
    namespace = f"dupes_eval_{run_id}."
    http_port, grpc_port = free_port(), free_port()
    run_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"dupes_eval_{run_id}"
    run_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "AMQP_URL": AMQP_URL,
        "REDIS_URL": REDIS_URL,
        "CIVICLOOP_NAMESPACE": namespace,
        "HTTP_PORT": str(http_port),
        "GRPC_PORT": str(grpc_port),
        "CIVICLOOP_RUN_DIR": str(run_dir),
    }
    await ensure_database(dsn)
    with (run_dir / "intake.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "civicloop.intake",
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        await wait_ready(process, f"http://127.0.0.1:{http_port}/readyz", run_dir)
        yield dsn, f"127.0.0.1:{grpc_port}"
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
        await drop_database(dsn)
        await delete_namespace(namespace)


async def wait_ready(process: asyncio.subprocess.Process, url: str, run_dir: Path) -> None:
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise SystemExit(f"intake stopped; see {run_dir / 'intake.log'}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code == 200:
                    return
            await asyncio.sleep(0.3)
    raise SystemExit(f"intake not ready in 90 s; see {run_dir / 'intake.log'}")


async def delete_namespace(namespace: str) -> None:
    topology = Topology(namespace)
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        for queue in (
            topology.unrouted_queue,
            topology.events_queue("intake"),
            topology.parking_queue("intake"),
        ):
            await channel.queue_delete(queue)
        for exchange in (
            topology.events_exchange,
            topology.unrouted_exchange,
            topology.dead_letter_exchange,
        ):
            await channel.exchange_delete(exchange)


async def measure(corpus: list[LabelledPetition], count: int = 10_000, calls: int = 60) -> Latency:
    run_id = secrets.token_hex(4)
    async with intake_service(run_id) as (dsn, target):
        now = datetime.now(UTC)
        # The window, then FILED_BETWEEN_CALLS more before each measured call, as filings
        # keep arriving while the office works.
        cases, petitions = petition_rows(corpus, count + calls * FILED_BETWEEN_CALLS, now)
        await insert(dsn, cases[:count], petitions[:count])
        token = mint_dev_token("dupes-eval", ["office"], audience=audience_of("intake"))
        metadata = (("authorization", f"Bearer {token}"),)
        channel = client_channel(target)
        stub = intake_pb2_grpc.IntakeServiceStub(channel)
        request = intake_pb2.ProposeClustersRequest()
        try:
            started = time.perf_counter()
            answer = await stub.ProposeClusters(request, metadata=metadata, timeout=60)
            first = (time.perf_counter() - started) * 1000
            propose: list[float] = []
            for call in range(calls):
                batch = slice(
                    count + call * FILED_BETWEEN_CALLS, count + (call + 1) * FILED_BETWEEN_CALLS
                )
                await insert(dsn, cases[batch], petitions[batch], analyze=False)
                started = time.perf_counter()
                await stub.ProposeClusters(request, metadata=metadata, timeout=60)
                propose.append((time.perf_counter() - started) * 1000)
        finally:
            await channel.close()
        query: list[float] = []
        conn = await asyncpg.connect(dsn)
        try:
            since = now - timedelta(hours=168)
            await conn.fetch(CANDIDATES_QUERY, since, None)
            for _ in range(calls):
                started = time.perf_counter()
                rows = await conn.fetch(CANDIDATES_QUERY, since, None)
                query.append((time.perf_counter() - started) * 1000)
        finally:
            await conn.close()
        if len(rows) != len(petitions):
            raise SystemExit(f"the baseline read {len(rows)} rows, not {len(petitions)}")
    return Latency(
        petitions=count,
        filed_between_calls=FILED_BETWEEN_CALLS,
        calls=calls,
        first_call_ms=first,
        propose_p50_ms=percentile(propose, 0.5),
        propose_p99_ms=percentile(propose, 0.99),
        query_p50_ms=percentile(query, 0.5),
        query_p99_ms=percentile(query, 0.99),
        clusters=len(answer.clusters),
    )
