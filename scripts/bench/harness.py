"""What every scenario stands on: the run's names (namespace, database, queues), the processes
it starts, the infrastructure it talks to, and removing everything it created."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import asyncpg
import httpx
import redis.asyncio as aioredis
from aio_pika.abc import AbstractQueue
from grpc_health.v1 import health_pb2

from civicloop.platform.bus import Topology
from civicloop.platform.db import drop_database
from civicloop.platform.relay import MODULE as RELAY_MODULE
from civicloop.platform.relay import relay_environments

from .report import Figure, FigurePath, Figures, Ratio, Target

# The bare gRPC call a service's calls are judged against: the health check of the same
# server, through the same channel (no handler work, no store).
HEALTH_METHOD = "/grpc.health.v1.Health/Check"
HEALTH_REQUEST = health_pb2.HealthCheckRequest().SerializeToString()

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT_DIR = REPO_ROOT / "var" / "bench"

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
HOST = "127.0.0.1"

READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


class BenchError(Exception):
    """The benchmark itself could not run."""


Measure = Callable[["BenchRun"], Awaitable[Figures]]


@dataclass(frozen=True)
class BenchOptions:
    """The command line's options (``python -m scripts.bench --help`` says what each means)."""

    only: str | None
    sections: list[str] | None
    duration: int
    connections: int
    threads: int
    baseline_seconds: float
    pg_connections: int
    rabbit_in_flight: int
    cases: int
    prefetch: int
    consume_messages: int
    consume_rounds: int
    output_dir: Path


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    measure: Measure


@dataclass(frozen=True)
class Scenario:
    """One service's benchmark: its sections, what they are judged by, how its report starts."""

    key: str  # the service it measures; also names its database and its JSON file
    order: int  # scenarios run lowest first: the case's own order (intake, then dispatch, ...)
    sections: list[Section]
    ratios: list[Ratio]
    targets: list[Target]
    header: Callable[[BenchRun], list[str]]
    config: Callable[[BenchRun], dict[str, Any]]
    # Synchronous set-up before the event loop starts (installing wrk); returns notes.
    prepare: Callable[[], dict[str, Any]] = dict
    # The event loop the scenario's client side runs on (None: asyncio's default).
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None


@dataclass
class BenchRun:
    """What every section of a scenario shares: options, names of this run, cleanups, results."""

    scenario: Scenario
    options: BenchOptions
    run_id: str
    work_dir: Path
    cleanups: contextlib.AsyncExitStack
    results: dict[str, dict[str, Figure]] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    # What the run declared or started, so that the cleanup removes exactly that.
    bench_queues: set[str] = field(default_factory=set)
    bench_exchanges: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)

    @property
    def namespace(self) -> str:
        return f"bench{self.run_id}."

    @property
    def database_name(self) -> str:
        return f"{self.scenario.key}_bench_{self.run_id}"

    @property
    def database_url(self) -> str:
        return with_database(POSTGRES_URL, self.database_name)

    def bench_queue(self, base: str) -> str:
        """The name of a queue the bench itself declares in the run's namespace."""
        name = f"{self.namespace}bench.{base}"
        self.bench_queues.add(name)
        return name

    def bench_exchange(self, base: str) -> str:
        name = f"{self.namespace}bench.{base}"
        self.bench_exchanges.add(name)
        return name

    def value(self, path: FigurePath) -> float | None:
        figure = self.results.get(path[0], {}).get(path[1])
        if figure is None or not isinstance(figure.value, int | float):
            return None
        return float(figure.value)


def report_header(run: BenchRun, *about_the_load: str) -> list[str]:
    """A report's first lines: the run's names and the machine, what the load was, and the
    PostgreSQL settings that decide what a commit costs."""
    return [
        f"namespace {run.namespace}  database {run.database_name}  cpus {os.cpu_count()}",
        *about_the_load,
        f"postgres: {run.notes.get('postgres', {})}",
    ]


def with_database(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{name}"))


async def postgres_settings(dsn: str) -> dict[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        return {
            name: str(await conn.fetchval(f"SHOW {name}"))
            for name in ("server_version", "fsync", "synchronous_commit", "wal_sync_method")
        }
    finally:
        await conn.close()


# ---- processes ----


def require_free_port(port: int) -> None:
    with socket.socket() as sock:
        if sock.connect_ex((HOST, port)) == 0:
            raise BenchError(f"port {port} is already in use; stop whatever listens there")


@dataclass
class ManagedProcess:
    name: str
    process: asyncio.subprocess.Process
    stderr_path: Path
    # The service's outbox relay, when it runs as a process of its own.
    relay: ManagedProcess | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def stderr_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    async def stop(self) -> int | None:
        """SIGTERM, then SIGKILL if it has not stopped in time; returns the exit code."""
        if self.process.returncode is not None:
            return self.process.returncode
        self.process.terminate()
        try:
            return await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_S)
        except TimeoutError:
            self.process.kill()
            return await self.process.wait()


async def start_process(
    run: BenchRun, name: str, argv: list[str], env: dict[str, str], port: int | None
) -> ManagedProcess:
    """Start argv from the repository root; it is stopped when the run ends at the latest."""
    if port is not None:
        require_free_port(port)
    stderr_path = run.work_dir / f"{name}.stderr.log"
    with (
        stderr_path.open("wb") as stderr,
        (run.work_dir / f"{name}.stdout.log").open("wb") as stdout,
    ):
        process = await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=REPO_ROOT, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL
        )
    managed = ManagedProcess(name, process, stderr_path)
    run.cleanups.push_async_callback(managed.stop)
    return managed


def python_module(module: str, *args: str) -> list[str]:
    """argv running a module with this interpreter (a service, or one of the bench's programs)."""
    return [sys.executable, "-m", module, *args]


async def start_service(
    run: BenchRun,
    http_port: int,
    grpc_port: int,
    env: dict[str, str] | None = None,
    name: str | None = None,
    relay_port: int | None = None,
) -> ManagedProcess:
    """The scenario's service (``python -m civicloop.<key>``) on the run's namespace and database,
    ready to serve. ``env`` adds to or overrides its environment; ``name`` (default: the
    service's) tells apart the logs of a service started more than once in a run. With
    ``relay_port``, its outbox relay runs as a process of its own (civicloop.platform.relay),
    as the service's deployment runs it, serving its metrics on that port."""
    service = run.scenario.key
    require_free_port(grpc_port)
    service_env = {
        **os.environ,
        "DATABASE_URL": run.database_url,
        "AMQP_URL": AMQP_URL,
        "REDIS_URL": REDIS_URL,
        "CIVICLOOP_NAMESPACE": run.namespace,
        "HTTP_PORT": str(http_port),
        "GRPC_PORT": str(grpc_port),
        "CIVICLOOP_RUN_DIR": str(run.work_dir / "run"),
        **(env or {}),
    }
    run.services.add(service)
    relay_env: dict[str, str] = {}
    if relay_port is not None:
        service_env, relay_env = relay_environments(service_env, service, relay_port)
    argv = python_module(f"civicloop.{service}")
    process = await start_process(run, name or service, argv, service_env, http_port)
    await wait_ready(process, f"http://{HOST}:{http_port}/readyz")
    if relay_port is not None:
        process.relay = await start_process(
            run, f"{process.name}-relay", python_module(RELAY_MODULE), relay_env, relay_port
        )
        await wait_ready(process.relay, f"http://{HOST}:{relay_port}/readyz")
    return process


async def wait_ready(process: ManagedProcess, url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    async with httpx.AsyncClient(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.process.returncode is not None:
                raise BenchError(
                    f"{process.name} exited with {process.process.returncode}:\n"
                    f"{process.stderr_tail()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise BenchError(
        f"{process.name} not ready at {url} after {READY_TIMEOUT_S:.0f}s:\n{process.stderr_tail()}"
    )


async def wait_consuming(process: ManagedProcess, queue: AbstractQueue) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not (await queue.declare()).consumer_count:
        if process.process.returncode is not None or time.monotonic() > deadline:
            raise BenchError(f"{process.name} is not consuming:\n{process.stderr_tail()}")
        await asyncio.sleep(0.1)


# ---- the service's log ----

LOG_ERROR = re.compile(r'"level":\s*"(ERROR|CRITICAL)"|^Traceback|\bERROR\b')


def log_errors(path: Path) -> list[str]:
    with contextlib.suppress(OSError):
        return [
            line for line in path.read_text(errors="replace").splitlines() if LOG_ERROR.search(line)
        ]
    return []


def summarise_log_errors(lines: list[str], limit: int = 5) -> list[str]:
    """Distinct error messages with their counts, most frequent first."""
    counts: dict[str, int] = {}
    for line in lines:
        try:
            entry = json.loads(line)
            message = f"{entry.get('logger', '')}: {entry.get('msg', '')}"
            if entry.get("exc"):
                message += f" | {entry['exc'].strip().splitlines()[-1]}"
        except (ValueError, AttributeError):
            message = line[:300]
        counts[message] = counts.get(message, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: -item[1])
    return [f"{count}x {message}" for message, count in ordered[:limit]]


async def stop_service(run: BenchRun, service: ManagedProcess) -> Figure:
    """Stop the service, keep its log in the output folder and note its exit code and errors;
    returns the figure of its ERROR lines (and its relay's, when it has one of its own)."""
    errors = 0
    for process in (service, service.relay):  # the service first: its relay sends its last
        if process is None:
            continue
        exit_code = await process.stop()
        found = log_errors(process.stderr_path)
        kept = run.options.output_dir / f"{process.name}-stderr.log"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(process.stderr_path, kept)
        run.notes[f"{process.name}_log"] = str(kept)
        run.notes[f"{process.name}_log_errors"] = summarise_log_errors(found)
        run.notes[f"{process.name}_exit_code"] = exit_code
        errors += len(found)
    return Figure("log_error_lines", "ERROR lines in the service log", errors)


# ---- removing what the run created ----


async def delete_broker_objects(run: BenchRun) -> None:
    """Delete the queues and exchanges of the run's namespace: its services' and the bench's."""
    topology = Topology(run.namespace)
    queues = [
        topology.unrouted_queue,
        *(topology.events_queue(service) for service in sorted(run.services)),
        *(topology.parking_queue(service) for service in sorted(run.services)),
        *sorted(run.bench_queues),
    ]
    exchanges = [
        topology.events_exchange,
        topology.unrouted_exchange,
        topology.dead_letter_exchange,
        *sorted(run.bench_exchanges),
    ]
    connection = await aio_pika.connect(AMQP_URL)
    try:
        for name, is_queue in [*((q, True) for q in queues), *((e, False) for e in exchanges)]:
            # A channel each: deleting what does not exist closes the channel.
            channel = await connection.channel()
            delete = channel.queue_delete if is_queue else channel.exchange_delete
            with contextlib.suppress(aio_pika.exceptions.AMQPError):
                await delete(name)
            with contextlib.suppress(aio_pika.exceptions.AMQPError):
                await channel.close()
    finally:
        await connection.close()


async def delete_redis_keys(namespace: str) -> None:
    client = aioredis.from_url(REDIS_URL)
    try:
        batch: list[bytes] = []
        async for key in client.scan_iter(match=f"{namespace}*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                await client.delete(*batch)
                batch.clear()
        if batch:
            await client.delete(*batch)
    finally:
        await client.aclose()


async def quietly(what: str, action: Awaitable[None]) -> None:
    try:
        await action
    except Exception as exc:  # cleanup must go on; say what was left behind
        print(f"cleanup: could not {what}: {exc!r}", file=sys.stderr)


def register_cleanups(run: BenchRun) -> None:
    """Registered first, so they run last: after every process has stopped."""
    run.cleanups.push_async_callback(
        lambda: quietly("delete the broker objects", delete_broker_objects(run))
    )
    run.cleanups.push_async_callback(
        lambda: quietly("drop the database", drop_database(run.database_url))
    )
    run.cleanups.push_async_callback(
        lambda: quietly("delete the Redis keys", delete_redis_keys(run.namespace))
    )
