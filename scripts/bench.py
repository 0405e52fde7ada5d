"""Intake and dispatch benchmarks, with the raw baselines they are judged against.

Run from the repository root:

    .venv/bin/python scripts/bench.py [--only intake|dispatch] [--duration 15] [--connections 32]

Two suites run in order (``--only`` picks one), each a list of sections, each section a
function returning figures.

Intake (var/bench/intake.json):

- bare_http: a bare FastAPI endpoint under uvicorn (one worker, httptools, uvloop, no access
  log), driven by wrk with the same Lua script as the service;
- postgres: single-row commits per second over as many connections as the service's pool;
- rabbitmq: confirmed, persistent, mandatory publishes per second to a quorum queue;
- intake: the real service (``python -m civicloop.intake``) under wrk, then how fast its
  outbox relay publishes what it committed.

Dispatch (var/bench/dispatch.json; runs on uvloop, like the service):

- rabbitmq_consume: a callback consumer (``queue.consume``, manual ack, the service's
  prefetch) draining a quorum queue pre-filled with persistent case.opened events;
- dispatch: the real service (``python -m civicloop.dispatch``): a burst of case.opened events
  published as fast as confirms allow, timed from the first publish to the last
  case.dispatched arriving in a probe queue; then a paced run at half that rate for
  ``--duration`` seconds, timing each case from its publish to its case.dispatched. The
  half-load latency is also split at the time case.dispatched carries (before: broker and
  consumer; after: commit, relay, broker), and a probe times small disk flushes meanwhile,
  so a slow tail says where it came from.

Each suite prints its figures, the ratios against its baselines and its targets for a 2-core
machine, and writes them to var/bench/<suite>.json. A MISS still exits 0 (this is a report); a
benchmark that could not run exits non-zero. Everything a run creates (its namespace's
exchanges and queues, its databases, its Redis keys, its processes) is removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import asyncpg
import httpx
import redis.asyncio as aioredis
import uvloop
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage, AbstractQueue
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from civicloop.platform.batching import Batcher
from civicloop.platform.bus import Topology
from civicloop.platform.db import drop_database, ensure_database
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.metrics import watch_event_loop_lag
from civicloop.platform.settings import ServiceSettings
from civicloop.v1 import common_pb2, events_pb2

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT_DIR = REPO_ROOT / "var" / "bench"

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
HOST = "127.0.0.1"
INTAKE_HTTP_PORT = 18001
INTAKE_GRPC_PORT = 58051
BARE_HTTP_PORT = 18099
DISPATCH_HTTP_PORT = 18002
DISPATCH_METRICS_URL = f"http://{HOST}:{DISPATCH_HTTP_PORT}/metrics"
DISPATCH_GRPC_PORT = 58052
PETITIONS_PATH = "/v1/petitions"
SUBMITTED_EVENT = "civicloop.petition.submitted.v1"
OPENED_EVENT = "civicloop.case.opened.v1"
DISPATCHED_EVENT = "civicloop.case.dispatched.v1"
NO_LIMIT = "100000000"

WARM_UP_REQUESTS = 20
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
RSS_SAMPLE_INTERVAL_S = 0.2
# The disk-flush probe: one 8 kB write and fdatasync this often, as a database commit does.
FLUSH_PROBE_INTERVAL_S = 0.05
FLUSH_STALL_MS = 50.0
QUEUE_POLL_INTERVAL_S = 0.1
PUBLISH_STALL_TIMEOUT_S = 30.0
RABBITMQ_BODY_BYTES = 300  # about the size of a petition.submitted protobuf payload
ARRIVAL_POLL_INTERVAL_S = 0.05
DISPATCH_WARM_UP_CASES = 50
CONSUME_TIMEOUT_S = 120.0

TARGET_SUBMISSIONS_PER_S = 500.0
TARGET_SHARE_OF_BARE = 0.20
TARGET_IDLE_RSS_MB = 150.0
TARGET_CASES_PER_S = 800.0
TARGET_HALF_LOAD_P99_MS = 100.0
TARGET_SHARE_OF_CONSUME = 0.10

# Cases the duty catalogue routes to a department on its own (shared_amenity, left to the
# office, is avoided on purpose: it publishes case.awaiting_office, not case.dispatched).
CASE_SUMMARIES = {
    "road_damage": "村道中间有个大坑",
    "streetlight": "小区门口路灯不亮",
    "drainage": "雨后路口积水排不出去",
    "sanitation": "垃圾桶满了没人清运",
    "greening": "行道树枝条挡住了路灯",
}
COMMUNITIES = [f"C{n:03d}" for n in range(1, 11)]

WRK_SCRIPT = r"""
-- Written by scripts/bench.py: POST a petition with a random mobile number per request and
-- count the responses by status.
local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_number", #threads)
end

function init(args)
   math.randomseed(os.time() * 100 + thread_number)
   statuses = {}
   first_error = ""
end

local body_format = '{"community_code":"C001","category_code":"streetlight",'
   .. '"description":"小区门口路灯不亮","petitioner_name":"张三",'
   .. '"petitioner_phone":"1%d%09d","latitude":30.9968,"longitude":103.6225}'
local json_headers = {["Content-Type"] = "application/json"}

function request()
   local body = string.format(body_format, math.random(3, 9), math.random(0, 999999999))
   return wrk.format("POST", nil, json_headers, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if status >= 300 and first_error == "" then
      first_error = status .. " " .. string.sub(body or "", 1, 300)
   end
end

function done(summary, latency, requests)
   local totals, sample = {}, ""
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("statuses") or {}) do
         totals[status] = (totals[status] or 0) + count
      end
      if sample == "" then sample = thread:get("first_error") or "" end
   end
   local parts = {}
   for status, count in pairs(totals) do
      parts[#parts + 1] = string.format('"%d":%d', status, count)
   end
   local e = summary.errors
   local f = math.floor
   io.write(string.format(
      'BENCH_RESULT {"duration_us":%d,"requests":%d,"non_2xx_3xx":%d,"connect_errors":%d,'
      .. '"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,'
      .. '"p99_us":%d,"max_us":%d,"statuses":{%s}}\n',
      summary.duration, summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
      f(latency:percentile(50)), f(latency:percentile(90)), f(latency:percentile(99)),
      f(latency.max), table.concat(parts, ",")))
   local oneline = string.gsub(sample, "[\r\n]", " ")
   io.write("BENCH_FIRST_ERROR " .. oneline .. "\n")
end
"""

BARE_APP_MODULE = "bench_bare_app"
BARE_APP = '''
"""The bare endpoint: what FastAPI under uvicorn does with no work behind it."""
from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/readyz")
async def readyz() -> dict[str, bool]:
    return {"ok": True}


@app.post("/v1/petitions")
async def submit(request: Request) -> dict[str, bool]:
    await request.body()
    return {"ok": True}
'''

BARE_CHAIN = '''
"""The raw chain under dispatch: consume from a quorum queue, commit one row, publish with a
confirm to another quorum queue, acknowledge. No routing, outbox, inbox or tracing."""
import asyncio
import sys

import aio_pika
import asyncpg
import uvloop


async def main(amqp_url: str, dsn: str, source: str, target: str, prefetch: int) -> None:
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=20)
    await pool.execute("CREATE TABLE IF NOT EXISTS bare_chain (id text PRIMARY KEY)")
    publishing = await aio_pika.connect(amqp_url)
    consuming = await aio_pika.connect(amqp_url)
    outbound = await publishing.channel(publisher_confirms=True)
    inbound = await consuming.channel()
    await inbound.set_qos(prefetch_count=prefetch)

    async def relay(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        await pool.execute(
            "INSERT INTO bare_chain (id) VALUES ($1) ON CONFLICT DO NOTHING", message.message_id
        )
        await outbound.default_exchange.publish(
            aio_pika.Message(
                message.body,
                headers=message.headers,
                message_id=message.message_id,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=target,
            mandatory=True,
        )
        await message.ack()

    await (await inbound.get_queue(source)).consume(relay)
    await asyncio.Event().wait()


uvloop.run(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])))
'''


class BenchError(Exception):
    """The benchmark itself could not run."""


# ---- figures, sections, ratios, targets ----


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: float | int | str | None
    unit: str = ""

    def shown(self) -> str:
        if self.value is None:
            return "n/a"
        if isinstance(self.value, float):
            return f"{self.value:,.1f} {self.unit}".rstrip()
        if isinstance(self.value, int):
            return f"{self.value:,} {self.unit}".rstrip()
        return f"{self.value} {self.unit}".rstrip()


Figures = list[Figure]
FigurePath = tuple[str, str]  # (section key, figure key)


@dataclass
class Bench:
    """What every section of a suite shares: options, names of this run, cleanups, results."""

    suite: Suite
    args: argparse.Namespace
    run_id: str
    work_dir: Path
    cleanups: contextlib.AsyncExitStack
    results: dict[str, dict[str, Figure]] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def namespace(self) -> str:
        return f"bench{self.run_id}."

    @property
    def database_name(self) -> str:
        return f"{self.suite.key}_bench_{self.run_id}"

    @property
    def database_url(self) -> str:
        return with_database(POSTGRES_URL, self.database_name)

    @property
    def wrk_script(self) -> Path:
        return self.work_dir / "petition.lua"

    def value(self, path: FigurePath) -> float | None:
        figure = self.results.get(path[0], {}).get(path[1])
        if figure is None or not isinstance(figure.value, int | float):
            return None
        return float(figure.value)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    measure: Callable[[Bench], Awaitable[Figures]]


@dataclass(frozen=True)
class Suite:
    """One benchmark: its sections, what they are judged by, how its report starts."""

    key: str  # also names its database, its service and its JSON file
    sections: list[Section]
    ratios: list[Ratio]
    targets: list[Target]
    header: Callable[[Bench], list[str]]
    config: Callable[[Bench], dict[str, Any]]
    # Synchronous set-up before the event loop starts (installing wrk); returns notes.
    prepare: Callable[[], dict[str, Any]] = dict
    # The event loop the suite's client side runs on (None: asyncio's default).
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None


@dataclass(frozen=True)
class Ratio:
    key: str
    label: str
    numerator: FigurePath
    denominator: FigurePath

    def of(self, bench: Bench) -> float | None:
        top, bottom = bench.value(self.numerator), bench.value(self.denominator)
        return None if top is None or not bottom else top / bottom


@dataclass(frozen=True)
class Target:
    label: str
    figure: FigurePath
    threshold: float
    at_most: bool = False
    percent: bool = False

    def shown(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        return f"{value:.1%}" if self.percent else f"{value:,.1f}"

    def passed(self, value: float | None) -> bool:
        if value is None:
            return False
        return value <= self.threshold if self.at_most else value >= self.threshold


# ---- small helpers: names, ports, processes, /proc ----


def with_database(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{name}"))


def random_phone() -> str:
    return f"1{random.randint(3, 9)}{random.randint(0, 999_999_999):09d}"


def sample_petition() -> dict[str, Any]:
    return {
        "community_code": "C001",
        "category_code": "streetlight",
        "description": "小区门口路灯不亮",
        "petitioner_name": "张三",
        "petitioner_phone": random_phone(),
        "latitude": 30.9968,
        "longitude": 103.6225,
    }


def require_free_port(port: int) -> None:
    with socket.socket() as sock:
        if sock.connect_ex((HOST, port)) == 0:
            raise BenchError(f"port {port} is already in use; stop whatever listens there")


def proc_status_kb(pid: int, field_name: str) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field_name}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def rss_mb(pid: int, field_name: str = "VmRSS") -> float | None:
    """Resident memory in MB (10^6 bytes); /proc reports KiB."""
    kib = proc_status_kb(pid, field_name)
    return None if kib is None else kib * 1024 / 1e6


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RssSampler:
    """Samples a process's RSS in the background while the load runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RssSampler:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _sample(self) -> None:
        while True:
            value = rss_mb(self.pid)
            if value is not None:
                self.samples.append(value)
            await asyncio.sleep(RSS_SAMPLE_INTERVAL_S)

    @property
    def peak(self) -> float | None:
        return max(self.samples, default=None)

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None


class FlushProbe:
    """Times a small write and fdatasync on the bench folder's disk in the background.

    PostgreSQL's commits and RabbitMQ's quorum log wait for such flushes. When a latency
    figure is off, this says whether the disk itself stalled meanwhile (a shared virtual disk
    can take hundreds of milliseconds now and then), which no service can hide.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / "flush-probe.dat"
        self.samples_ms: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flush-probe", daemon=True)

    async def __aenter__(self) -> FlushProbe:
        self._thread.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        self._stop.set()
        await asyncio.to_thread(self._thread.join)
        self.path.unlink(missing_ok=True)

    def _run(self) -> None:
        block = b"\0" * 8192
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while not self._stop.wait(FLUSH_PROBE_INTERVAL_S):
                started = time.perf_counter()
                os.pwrite(fd, block, 0)
                os.fdatasync(fd)
                self.samples_ms.append(1000 * (time.perf_counter() - started))
        finally:
            os.close(fd)

    @property
    def max_ms(self) -> float | None:
        return round(max(self.samples_ms), 1) if self.samples_ms else None

    @property
    def stalls(self) -> int:
        return sum(1 for sample in self.samples_ms if sample > FLUSH_STALL_MS)


@dataclass
class ManagedProcess:
    name: str
    process: asyncio.subprocess.Process
    stderr_path: Path

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
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_S)
        except TimeoutError:
            self.process.kill()
            return await self.process.wait()


async def start_process(
    bench: Bench, name: str, argv: list[str], env: dict[str, str], port: int | None
) -> ManagedProcess:
    if port is not None:
        require_free_port(port)
    stderr_path = bench.work_dir / f"{name}.stderr.log"
    with (
        stderr_path.open("wb") as stderr,
        (bench.work_dir / f"{name}.stdout.log").open("wb") as stdout,
    ):
        process = await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=REPO_ROOT, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL
        )
    managed = ManagedProcess(name, process, stderr_path)
    bench.cleanups.push_async_callback(managed.stop)
    return managed


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


async def warm_up(url: str, requests: int) -> None:
    async with httpx.AsyncClient(timeout=10.0) as client:
        for _ in range(requests):
            response = await client.post(url, json=sample_petition())
            if response.status_code >= 300:
                raise BenchError(
                    f"warm-up POST {url} -> {response.status_code}: {response.text[:300]}"
                )


# ---- wrk ----


def ensure_wrk() -> str:
    """The path of wrk, installing the Debian package if it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "wrk"]
    print("wrk is missing; installing the Debian package wrk", flush=True)
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True)
        subprocess.run(install, env=env, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise BenchError(
            "wrk is not installed and `apt-get install -y wrk` failed; "
            "install it by hand (Debian package wrk) and run again"
        )
    return found


@dataclass(frozen=True)
class WrkResult:
    duration_s: float
    requests: int
    statuses: dict[int, int]
    non_2xx_3xx: int
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    first_error: str

    def per_second(self, count: int) -> float:
        return count / self.duration_s if self.duration_s else 0.0

    def count(self, status_class: int) -> int:
        return sum(n for status, n in self.statuses.items() if status // 100 == status_class)


def parse_wrk_output(text: str) -> WrkResult:
    match = re.search(r"^BENCH_RESULT (\{.*\})$", text, re.MULTILINE)
    if not match:
        raise BenchError(f"wrk printed no result:\n{text[-2000:]}")
    raw = json.loads(match.group(1))
    error = re.search(r"^BENCH_FIRST_ERROR ?(.*)$", text, re.MULTILINE)
    return WrkResult(
        duration_s=raw["duration_us"] / 1e6,
        requests=raw["requests"],
        statuses={int(k): v for k, v in raw["statuses"].items()},
        non_2xx_3xx=raw["non_2xx_3xx"],
        socket_errors=sum(
            raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
        ),
        p50_ms=raw["p50_us"] / 1e3,
        p90_ms=raw["p90_us"] / 1e3,
        p99_ms=raw["p99_us"] / 1e3,
        max_ms=raw["max_us"] / 1e3,
        first_error=error.group(1).strip() if error else "",
    )


async def run_wrk(bench: Bench, url: str) -> WrkResult:
    args = bench.args
    if not bench.wrk_script.exists():
        bench.wrk_script.write_text(WRK_SCRIPT)
    argv = [
        bench.notes["wrk"],
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(bench.wrk_script),
        url,
    ]
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    if process.returncode != 0:
        raise BenchError(f"wrk exited with {process.returncode}:\n{text[-2000:]}")
    return parse_wrk_output(text)


@dataclass(frozen=True)
class LoadRun:
    wrk: WrkResult
    rss_peak_mb: float | None
    rss_median_mb: float | None
    cpu_percent: float
    started_at: float  # time.monotonic()
    ended_at: float


async def load(bench: Bench, process: ManagedProcess, url: str) -> LoadRun:
    """wrk against url while sampling the process's RSS and CPU time."""
    cpu_before = cpu_seconds(process.pid)
    started = time.monotonic()
    async with RssSampler(process.pid) as rss:
        result = await run_wrk(bench, url)
    ended = time.monotonic()
    cpu_used = cpu_seconds(process.pid) - cpu_before
    return LoadRun(result, rss.peak, rss.median, 100 * cpu_used / (ended - started), started, ended)


def http_figures(run: LoadRun, ok_key: str, ok_label: str, ok_count: int) -> Figures:
    return [
        Figure(ok_key, ok_label, round(run.wrk.per_second(ok_count), 1), "/s"),
        Figure("responses", "responses", run.wrk.requests),
        Figure("non_2xx_3xx", "non-2xx/3xx responses", run.wrk.non_2xx_3xx),
        Figure("socket_errors", "socket errors and timeouts", run.wrk.socket_errors),
        Figure("p50_ms", "latency p50", round(run.wrk.p50_ms, 2), "ms"),
        Figure("p99_ms", "latency p99", round(run.wrk.p99_ms, 2), "ms"),
        Figure("max_ms", "latency max", round(run.wrk.max_ms, 2), "ms"),
        Figure("loaded_rss_mb", "RSS under load (median)", run.rss_median_mb, "MB"),
        Figure("peak_rss_mb", "RSS under load (peak)", run.rss_peak_mb, "MB"),
        Figure("cpu_percent", "CPU under load (100% = one core)", round(run.cpu_percent, 1), "%"),
    ]


# ---- section: bare endpoint ----


async def measure_bare_http(bench: Bench) -> Figures:
    (bench.work_dir / f"{BARE_APP_MODULE}.py").write_text(BARE_APP)
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        f"{BARE_APP_MODULE}:app",
        "--app-dir",
        str(bench.work_dir),
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
    ]
    app = await start_process(bench, "bare-app", argv, dict(os.environ), BARE_HTTP_PORT)
    base = f"http://{HOST}:{BARE_HTTP_PORT}"
    await wait_ready(app, base + "/readyz")
    await warm_up(base + PETITIONS_PATH, WARM_UP_REQUESTS)
    idle_rss = rss_mb(app.pid)
    run = await load(bench, app, base + PETITIONS_PATH)
    await app.stop()
    if run.wrk.first_error:
        bench.notes["bare_http_first_error"] = run.wrk.first_error
    return [
        Figure("idle_rss_mb", "idle RSS", idle_rss, "MB"),
        *http_figures(run, "requests_per_s", "2xx responses", run.wrk.count(2)),
    ]


# ---- section: PostgreSQL commits ----


async def postgres_settings(dsn: str) -> dict[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        return {
            name: str(await conn.fetchval(f"SHOW {name}"))
            for name in ("server_version", "fsync", "synchronous_commit", "wal_sync_method")
        }
    finally:
        await conn.close()


async def measure_postgres_commits(bench: Bench) -> Figures:
    """Single-row INSERT transactions per second over the service's pool size in connections.

    The table is an ordinary (WAL-logged) one in the run's database, not a TEMP table: a commit
    that only touched a temp table writes no WAL and so never waits for an fsync, which would
    measure something no service transaction does.
    """
    await ensure_database(bench.database_url)
    bench.notes["postgres"] = await postgres_settings(bench.database_url)
    connections = [
        await asyncpg.connect(bench.database_url) for _ in range(bench.args.pg_connections)
    ]
    try:
        await connections[0].execute(
            "CREATE TABLE bench_commit_probe (id bigserial PRIMARY KEY, payload text NOT NULL,"
            " created_at timestamptz NOT NULL DEFAULT now())"
        )
        deadline = time.monotonic() + bench.args.baseline_seconds

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


# ---- section: RabbitMQ confirmed publishes ----


def sample_event() -> EventEnvelope:
    return EventEnvelope(
        id=secrets.token_hex(16),
        type=SUBMITTED_EVENT,
        source="/civicloop/intake",
        subject=secrets.token_hex(16),
        time=datetime.now(UTC),
        data=secrets.token_bytes(RABBITMQ_BODY_BYTES),
        trace_headers={"traceparent": f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"},
    )


async def measure_rabbitmq_confirms(bench: Bench) -> Figures:
    """Publishes per second with confirms on, persistent and mandatory, to a quorum queue."""
    names = bench_broker_names(bench.namespace)
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.declare_exchange(
            names["baseline_exchange"], aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(
            names["baseline_queue"], durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(exchange, routing_key=SUBMITTED_EVENT)
        deadline = time.monotonic() + bench.args.baseline_seconds

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
            *(publish_until_deadline() for _ in range(bench.args.rabbit_in_flight))
        )
        elapsed = time.monotonic() - started
        await queue.delete(if_unused=False, if_empty=False)
        await exchange.delete()
    finally:
        await connection.close()
    return [
        Figure("confirmed_per_s", "confirmed publishes", round(sum(counts) / elapsed, 1), "/s"),
        Figure("in_flight", "publishes in flight", bench.args.rabbit_in_flight),
        Figure("seconds", "measured for", round(elapsed, 1), "s"),
    ]


# ---- section: intake ----


class ArrivalProbe:
    """A queue bound to the events exchange for one event type (petition.submitted.v1 for
    intake, case.dispatched.v1 for dispatch). While the load runs it only polls the queue's
    depth (no consumer competing with the service for the CPU) and notes when the depth last
    grew; afterwards it drains the queue to count distinct events."""

    def __init__(self, channel: AbstractChannel, queue: AbstractQueue) -> None:
        self.channel = channel
        self.queue = queue
        self.count = 0
        self.last_arrival: float | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._poll())

    def reset(self) -> None:
        """Forget what was counted (after the queue was purged)."""
        self.count, self.last_arrival = 0, None

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._refresh()

    async def _refresh(self) -> None:
        depth = (await self.queue.declare()).message_count or 0
        if depth != self.count:
            self.count, self.last_arrival = depth, time.monotonic()

    async def _poll(self) -> None:
        while True:
            await self._refresh()
            await asyncio.sleep(QUEUE_POLL_INTERVAL_S)

    async def drain(self, timeout_s: float = 60.0) -> list[tuple[str, str]]:
        """Consume the ``count`` messages counted: (ce-id, ce-subject) of each."""
        seen: list[tuple[str, str]] = []
        drained = asyncio.Event()

        async def on_message(message: AbstractIncomingMessage) -> None:
            seen.append((message.message_id or "", header_text(message, "ce-subject")))
            if len(seen) >= self.count:
                drained.set()

        if self.count == 0:
            return []
        tag = await self.queue.consume(on_message, no_ack=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(drained.wait(), timeout_s)
        await self.queue.cancel(tag)
        return seen

    async def distinct_event_ids(self, timeout_s: float = 60.0) -> int:
        return len({event_id for event_id, _ in await self.drain(timeout_s)})


def header_text(message: AbstractIncomingMessage, name: str) -> str:
    value = (message.headers or {}).get(name)
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)


async def open_probe(
    bench: Bench, queue_key: str = "probe_queue", event_type: str = SUBMITTED_EVENT
) -> ArrivalProbe:
    connection = await aio_pika.connect(AMQP_URL)
    bench.cleanups.push_async_callback(connection.close)
    channel = await connection.channel()
    queue = await channel.declare_queue(
        bench_broker_names(bench.namespace)[queue_key], durable=False
    )
    await queue.bind(Topology(bench.namespace).events_exchange, routing_key=event_type)
    await queue.purge()
    return ArrivalProbe(channel, queue)


def intake_env(bench: Bench) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": bench.database_url,
        "AMQP_URL": AMQP_URL,
        "REDIS_URL": REDIS_URL,
        "CIVICLOOP_NAMESPACE": bench.namespace,
        "HTTP_PORT": str(INTAKE_HTTP_PORT),
        "GRPC_PORT": str(INTAKE_GRPC_PORT),
        "CIVICLOOP_RUN_DIR": str(bench.work_dir / "run"),
        "INTAKE_LIMIT_PER_PHONE_HOUR": NO_LIMIT,
        "INTAKE_LIMIT_PER_ADDRESS_MINUTE": NO_LIMIT,
    }


async def unsent_outbox_rows(db: asyncpg.Connection) -> int:
    return int(await db.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL"))


async def wait_outbox_drained(db: asyncpg.Connection, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while await unsent_outbox_rows(db):
        if time.monotonic() > deadline:
            raise BenchError(
                "the warm-up's outbox rows were not sent within "
                f"{timeout_s:.0f}s; is the relay running?"
            )
        await asyncio.sleep(0.2)


@dataclass(frozen=True)
class PublishOutcome:
    expected: int  # petition.submitted rows the load wrote to the outbox
    arrived: int
    last_arrival: float | None
    complete: bool


async def wait_for_published(
    db: asyncpg.Connection, probe: ArrivalProbe, outbox_mark: int
) -> PublishOutcome:
    """Wait until every petition.submitted row written since outbox_mark has reached the probe
    queue, or until arrivals have stalled for PUBLISH_STALL_TIMEOUT_S."""
    stalled_since = time.monotonic()
    seen = probe.count
    while True:
        expected = await db.fetchval(
            "SELECT count(*) FROM outbox WHERE id > $1 AND event_type = $2",
            outbox_mark,
            SUBMITTED_EVENT,
        )
        if probe.count >= expected and not await unsent_outbox_rows(db):
            return PublishOutcome(expected, probe.count, probe.last_arrival, True)
        if probe.count != seen:
            seen, stalled_since = probe.count, time.monotonic()
        elif time.monotonic() - stalled_since > PUBLISH_STALL_TIMEOUT_S:
            return PublishOutcome(expected, probe.count, probe.last_arrival, False)
        await asyncio.sleep(0.2)


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


async def measure_intake(bench: Bench) -> Figures:
    require_free_port(INTAKE_GRPC_PORT)
    argv = [sys.executable, "-m", "civicloop.intake"]
    service = await start_process(bench, "intake", argv, intake_env(bench), INTAKE_HTTP_PORT)
    base = f"http://{HOST}:{INTAKE_HTTP_PORT}"
    await wait_ready(service, base + "/readyz")
    await warm_up(base + PETITIONS_PATH, WARM_UP_REQUESTS)

    db = await asyncpg.connect(bench.database_url)
    bench.cleanups.push_async_callback(db.close)
    await wait_outbox_drained(db)
    await asyncio.sleep(1.0)
    idle_rss = rss_mb(service.pid)
    outbox_mark = await db.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
    probe = await open_probe(bench)

    probe.start()
    run = await load(bench, service, base + PETITIONS_PATH)
    outcome = await wait_for_published(db, probe, outbox_mark)
    await probe.stop()
    unsent = await unsent_outbox_rows(db)
    distinct = await probe.distinct_event_ids()
    await db.close()

    exit_code = await service.stop()
    errors = log_errors(service.stderr_path)
    keep_service_log(bench, service)
    if run.wrk.first_error:
        bench.notes["intake_first_error"] = run.wrk.first_error
    bench.notes["intake_log_errors"] = summarise_log_errors(errors)
    bench.notes["intake_exit_code"] = exit_code
    return [
        Figure("idle_rss_mb", "idle RSS (after warm-up)", idle_rss, "MB"),
        *http_figures(
            run, "committed_per_s", "committed (201) submissions", run.wrk.statuses.get(201, 0)
        ),
        *published_figures(run, outcome, distinct),
        Figure("outbox_unsent", "outbox rows unsent at the end", unsent),
        Figure("log_error_lines", "ERROR lines in the service log", len(errors)),
    ]


def published_figures(run: LoadRun, outcome: PublishOutcome, distinct: int) -> Figures:
    span = (outcome.last_arrival - run.started_at) if outcome.last_arrival else None
    lag = (outcome.last_arrival - run.ended_at) if outcome.last_arrival else None
    return [
        Figure("events_written", "petition.submitted rows written to the outbox", outcome.expected),
        Figure("published", "events arrived in the probe queue", outcome.arrived),
        Figure("published_distinct", "distinct event ids among them", distinct),
        Figure(
            "published_complete", "every written event arrived", "yes" if outcome.complete else "NO"
        ),
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


def keep_service_log(bench: Bench, service: ManagedProcess) -> None:
    target = bench.args.output_dir / f"{service.name}-stderr.log"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(service.stderr_path, target)
    bench.notes[f"{service.name}_log"] = str(target)


# ---- CPU and system calls, by who used them ----

# Processes counted by their command name (read from /proc, never signalled).
CPU_COMMANDS = {"postgres": "postgres", "rabbitmq": "beam.smp"}


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent not idle (every core, since boot)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle, iowait = ticks[3], ticks[4]
    return (sum(ticks) - idle - iowait) / os.sysconf("SC_CLK_TCK")


def command_cpu_seconds(command: str) -> float:
    """CPU time of every running process whose command name is ``command``."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):  # it may have just exited
            if (entry / "comm").read_text().strip() == command:
                total += cpu_seconds(int(entry.name))
    return total


def proc_io(pid: int) -> dict[str, int]:
    """The process's I/O counters (syscr/syscw count read and write system calls)."""
    with contextlib.suppress(OSError):
        text = Path(f"/proc/{pid}/io").read_text()
        return {k: int(v) for k, v in (line.split(": ") for line in text.splitlines())}
    return {}


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds used so far by the service, PostgreSQL, RabbitMQ, this process and the
    machine, and the service's system calls."""

    at: float
    seconds: dict[str, float]
    io: dict[str, int]

    @classmethod
    def take(cls, service_pid: int) -> CpuSnapshot:
        seconds = {
            "service": cpu_seconds(service_pid),
            "bench": cpu_seconds(os.getpid()),
            "machine": machine_busy_seconds(),
            **{who: command_cpu_seconds(command) for who, command in CPU_COMMANDS.items()},
        }
        return cls(time.monotonic(), seconds, proc_io(service_pid))


@dataclass(frozen=True)
class CpuUse:
    """What was used between two snapshots."""

    window_s: float
    seconds: dict[str, float]
    io: dict[str, int]

    @classmethod
    def between(cls, before: CpuSnapshot, after: CpuSnapshot) -> CpuUse:
        return cls(
            after.at - before.at,
            {k: max(0.0, v - before.seconds[k]) for k, v in after.seconds.items()},
            {k: v - before.io.get(k, 0) for k, v in after.io.items()},
        )

    def percent(self, who: str) -> float:
        """100% = one core busy for the whole window."""
        return round(100 * self.seconds[who] / self.window_s, 1) if self.window_s else 0.0

    def ms_per(self, who: str, count: int) -> float | None:
        return round(1000 * self.seconds[who] / count, 3) if count else None

    def syscalls_per(self, counter: str, count: int) -> float | None:
        value = self.io.get(counter)
        return round(value / count, 1) if value is not None and count else None


# ---- section: RabbitMQ consume-and-ack ----


def case_opened() -> EventEnvelope:
    """A case.opened event exactly as intake publishes it, for a case the catalogue routes."""
    case_id = str(uuid.uuid4())
    category = random.choice(list(CASE_SUMMARIES))
    return EventEnvelope.wrap(
        events_pb2.CaseOpened(
            case_id=case_id,
            case_version=3,
            petition_ids=[str(uuid.uuid4())],
            community_code=random.choice(COMMUNITIES),
            category_code=category,
            list=common_pb2.CASE_LIST_PRACTICAL_MATTERS,
            urgency=common_pb2.URGENCY_GENERAL,
            summary=CASE_SUMMARIES[category],
        ),
        source="intake",
        subject=case_id,
    )


async def publish_all(
    exchange: AbstractExchange,
    messages: Sequence[aio_pika.Message],
    routing_key: str,
    in_flight: int,
) -> None:
    """Publish every message (mandatory), in_flight at a time, each awaiting its confirm."""
    pending = iter(messages)

    async def publish_pending() -> None:
        for message in pending:
            await exchange.publish(message, routing_key=routing_key, mandatory=True)

    await asyncio.gather(*(publish_pending() for _ in range(in_flight)))


@dataclass(frozen=True)
class ConsumeRound:
    fill_s: float  # pre-filling the queue, confirmed publishes
    consume_s: float  # consume start .. last ack


async def consume_round(
    connection: aio_pika.abc.AbstractConnection,
    name: str,
    messages: Sequence[aio_pika.Message],
    args: argparse.Namespace,
) -> ConsumeRound:
    """Fill the quorum queue with the messages, then drain it with a callback consumer at the
    service's prefetch that acknowledges as the services' consumers do: one ``multiple`` ack
    for the deliveries handled in one turn of the loop."""
    publisher = await connection.channel(publisher_confirms=True, on_return_raises=True)
    started = time.monotonic()
    await publish_all(publisher.default_exchange, messages, name, args.rabbit_in_flight)
    fill_s = time.monotonic() - started
    await publisher.close()

    channel = await connection.channel()
    await channel.set_qos(prefetch_count=args.prefetch)
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


async def measure_rabbitmq_consume(bench: Bench) -> Figures:
    """Consume-and-ack rate of a callback consumer (queue.consume, manual ack, the service's
    prefetch) draining a quorum queue pre-filled with persistent case.opened events: what
    dispatch's consumer could do if handling an event cost nothing. Several rounds, the
    median reported: this machine's other tenants move a single round by a third."""
    name = bench_broker_names(bench.namespace)["consume_queue"]
    args = bench.args
    messages = [case_opened().to_amqp() for _ in range(args.consume_messages)]
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(
            name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        rounds = [
            await consume_round(connection, name, messages, args)
            for _ in range(args.consume_rounds)
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
        Figure("prefetch", "prefetch", args.prefetch),
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


# ---- section: dispatch ----


def dispatch_env(bench: Bench) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": bench.database_url,
        "AMQP_URL": AMQP_URL,
        "REDIS_URL": REDIS_URL,
        "CIVICLOOP_NAMESPACE": bench.namespace,
        "HTTP_PORT": str(DISPATCH_HTTP_PORT),
        "GRPC_PORT": str(DISPATCH_GRPC_PORT),
        "CIVICLOOP_RUN_DIR": str(bench.work_dir / "run"),
        "EVENT_PREFETCH": str(bench.args.prefetch),
    }


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


def nearest_rank(values: Sequence[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(fraction * len(ordered)) - 1)], 2)


LOOP_LAG_METRIC = "civicloop_event_loop_lag_seconds"


def lag_buckets(exposition: str) -> dict[float, float]:
    """Cumulative counts of the loop-lag histogram by upper bound, from Prometheus text."""
    buckets: dict[float, float] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == f"{LOOP_LAG_METRIC}_bucket":
                buckets[float(sample.labels["le"])] = sample.value
    return buckets


async def service_lag_buckets(url: str) -> dict[float, float]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        return lag_buckets((await client.get(url)).text)


def own_lag_buckets() -> dict[float, float]:
    return lag_buckets(generate_latest(REGISTRY).decode())


@dataclass(frozen=True)
class LoopLag:
    """Event-loop lag over one phase: the difference of two scrapes of the histogram."""

    before: dict[float, float]
    after: dict[float, float]

    def p99_bound_ms(self) -> float | None:
        """The smallest bucket bound under which 99% of the phase's observations fell."""
        counts = {le: self.after[le] - self.before.get(le, 0.0) for le in sorted(self.after)}
        total = counts.get(math.inf, 0.0)
        if not total:
            return None
        return next(1000 * le for le, n in counts.items() if n >= 0.99 * total)


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

    def percentile(self, fraction: float) -> float | None:
        """Nearest-rank percentile of the latencies."""
        return nearest_rank(self.latencies_ms, fraction)


class ArrivalClock:
    """Consumes the probe queue and notes when each case's case.dispatched first arrived."""

    def __init__(self, queue: AbstractQueue) -> None:
        self.queue = queue
        self.first_arrival: dict[str, float] = {}
        # Per case, wall clock: when case.dispatched arrived, and the time it carries.
        self.arrived_at: dict[str, float] = {}
        self.routed_at: dict[str, float] = {}
        self.arrivals: list[tuple[str, str]] = []
        self._tag: str | None = None

    async def start(self) -> None:
        self._tag = await self.queue.consume(self._on_message, no_ack=True)

    async def stop(self) -> None:
        if self._tag is not None:
            await self.queue.cancel(self._tag)
            self._tag = None

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        now = time.monotonic()
        subject = header_text(message, "ce-subject")
        if subject not in self.first_arrival:
            self.arrived_at[subject] = time.time()
            with contextlib.suppress(ValueError):
                self.routed_at[subject] = datetime.fromisoformat(
                    header_text(message, "ce-time")
                ).timestamp()
        self.first_arrival.setdefault(subject, now)
        self.arrivals.append((message.message_id or "", subject))

    def latencies_ms(self, sent: dict[str, float]) -> list[float]:
        """Publish to first arrival, per case that arrived (``sent``: monotonic times)."""
        return [
            1000 * (self.first_arrival[case_id] - at)
            for case_id, at in sent.items()
            if case_id in self.first_arrival
        ]

    async def wait_for(self, cases: set[str]) -> bool:
        """Until every case has arrived (True) or arrivals stalled (False)."""
        seen, since = len(self.arrivals), time.monotonic()
        while not cases.issubset(self.first_arrival):
            if len(self.arrivals) != seen:
                seen, since = len(self.arrivals), time.monotonic()
            elif time.monotonic() - since > PUBLISH_STALL_TIMEOUT_S:
                return False
            await asyncio.sleep(ARRIVAL_POLL_INTERVAL_S)
        return True


async def wait_for_count(probe: ArrivalProbe, expected: int) -> bool:
    """Until the probe has counted ``expected`` arrivals (True) or they stalled (False)."""
    seen, since = probe.count, time.monotonic()
    while probe.count < expected:
        if probe.count != seen:
            seen, since = probe.count, time.monotonic()
        elif time.monotonic() - since > PUBLISH_STALL_TIMEOUT_S:
            return False
        await asyncio.sleep(ARRIVAL_POLL_INTERVAL_S)
    return True


async def open_publisher(bench: Bench) -> AbstractExchange:
    """The events exchange (declared by dispatch at start) on a channel with confirms."""
    connection = await aio_pika.connect(AMQP_URL)
    bench.cleanups.push_async_callback(connection.close)
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    return await channel.get_exchange(Topology(bench.namespace).events_exchange)


async def warm_up_dispatch(
    service: ManagedProcess, exchange: AbstractExchange, probe: ArrivalProbe
) -> None:
    """A few cases through the whole path (consumer, routing, outbox, relay); then an empty
    probe queue."""
    messages = [case_opened().to_amqp() for _ in range(DISPATCH_WARM_UP_CASES)]
    probe.start()
    await publish_all(exchange, messages, OPENED_EVENT, 8)
    arrived = await wait_for_count(probe, len(messages))
    await probe.stop()
    if not arrived:
        raise BenchError(
            f"dispatch dispatched {probe.count} of {len(messages)} warm-up cases:\n"
            f"{service.stderr_tail()}"
        )
    await probe.queue.purge()
    probe.reset()


async def run_burst(
    bench: Bench, service: ManagedProcess, exchange: AbstractExchange, probe: ArrivalProbe
) -> BurstRun:
    """Publish ``--cases`` case.opened as fast as confirms allow; time them to the last
    case.dispatched, then drain the probe to check each case came out once."""
    envelopes = [case_opened() for _ in range(bench.args.cases)]
    messages = [envelope.to_amqp() for envelope in envelopes]
    probe.start()
    before = CpuSnapshot.take(service.pid)
    async with RssSampler(service.pid) as rss:
        started = time.monotonic()
        await publish_all(exchange, messages, OPENED_EVENT, bench.args.rabbit_in_flight)
        publish_s = time.monotonic() - started
        complete = await wait_for_count(probe, len(messages))
    use = CpuUse.between(before, CpuSnapshot.take(service.pid))
    await probe.stop()
    arrivals = await probe.drain()
    elapsed = probe.last_arrival - started if probe.last_arrival else None
    published = frozenset(envelope.subject for envelope in envelopes)
    return BurstRun(
        Delivery(published, arrivals), publish_s, elapsed, complete, rss.peak, rss.median, use
    )


def opened_cases(count: int) -> list[tuple[str, aio_pika.Message]]:
    """``count`` case.opened messages, each with its case id."""
    return [(e.subject, e.to_amqp()) for e in (case_opened() for _ in range(count))]


def paced_count(bench: Bench, rate: float) -> int:
    """How many messages a paced run of ``--duration`` seconds publishes at ``rate``."""
    return max(1, round(rate * bench.args.duration))


@dataclass
class Paced:
    """When each case's message was published (monotonic and wall clock), and how well the
    schedule was kept."""

    sent: dict[str, float] = field(default_factory=dict)
    sent_wall: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    behind_ms: float = 0.0  # how far the publisher fell behind its schedule, at worst


async def publish_paced(
    exchange: AbstractExchange,
    routing_key: str,
    schedule: Sequence[tuple[str, aio_pika.Message]],
    rate: float,
) -> Paced:
    """Publish ``(case id, message)`` pairs at ``rate`` (open loop: a slow confirm does not
    delay the next publish)."""
    paced = Paced()

    async def publish(case_id: str, message: aio_pika.Message) -> None:
        paced.sent[case_id] = time.monotonic()
        paced.sent_wall[case_id] = time.time()
        await exchange.publish(message, routing_key=routing_key, mandatory=True)

    started = time.monotonic()
    async with asyncio.TaskGroup() as publishes:
        for index, (case_id, message) in enumerate(schedule):
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                paced.behind_ms = max(paced.behind_ms, -1000 * delay)
            publishes.create_task(publish(case_id, message))
    paced.seconds = time.monotonic() - started
    return paced


async def run_paced(
    bench: Bench,
    service: ManagedProcess,
    exchange: AbstractExchange,
    queue: AbstractQueue,
    rate: float,
) -> PacedRun:
    """Publish case.opened at ``rate`` for ``--duration`` seconds (open loop: a slow confirm
    does not delay the next publish) and time each case to its case.dispatched."""
    schedule = opened_cases(paced_count(bench, rate))
    clock = ArrivalClock(queue)
    await clock.start()
    flush = FlushProbe(bench.work_dir)
    service_lag = await service_lag_buckets(DISPATCH_METRICS_URL)
    bench_lag = own_lag_buckets()
    before = CpuSnapshot.take(service.pid)
    async with flush:
        paced = await publish_paced(exchange, OPENED_EVENT, schedule, rate)
    sent, sent_wall = paced.sent, paced.sent_wall
    complete = await clock.wait_for(set(sent))
    use = CpuUse.between(before, CpuSnapshot.take(service.pid))
    service_lag_after = await service_lag_buckets(DISPATCH_METRICS_URL)
    await clock.stop()
    latencies = clock.latencies_ms(sent)
    routed = [case_id for case_id in sent_wall if case_id in clock.routed_at]
    return PacedRun(
        rate,
        Delivery(frozenset(sent), list(clock.arrivals)),
        latencies,
        [1000 * (clock.routed_at[case_id] - sent_wall[case_id]) for case_id in routed],
        [1000 * (clock.arrived_at[case_id] - clock.routed_at[case_id]) for case_id in routed],
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


async def measure_dispatch(bench: Bench) -> Figures:
    require_free_port(DISPATCH_GRPC_PORT)
    argv = [sys.executable, "-m", "civicloop.dispatch"]
    service = await start_process(bench, "dispatch", argv, dispatch_env(bench), DISPATCH_HTTP_PORT)
    await wait_ready(service, f"http://{HOST}:{DISPATCH_HTTP_PORT}/readyz")
    bench.notes["postgres"] = await postgres_settings(bench.database_url)
    exchange = await open_publisher(bench)
    probe = await open_probe(bench, "dispatch_probe_queue", DISPATCHED_EVENT)

    # The script's own loop lag is measured too: a late probe would read as a slow dispatch.
    lag_watch = asyncio.create_task(watch_event_loop_lag())
    bench.cleanups.callback(lag_watch.cancel)
    await warm_up_dispatch(service, exchange, probe)
    await asyncio.sleep(1.0)
    idle_rss = rss_mb(service.pid)

    burst = await run_burst(bench, service, exchange, probe)
    if not burst.per_second:
        raise BenchError(f"dispatch dispatched nothing in the burst:\n{service.stderr_tail()}")
    paced = await run_paced(bench, service, exchange, probe.queue, burst.per_second / 2)

    db = await asyncpg.connect(bench.database_url)
    bench.cleanups.push_async_callback(db.close)
    states = await case_states(db)
    unsent = await unsent_outbox_rows(db)
    await db.close()
    exit_code = await service.stop()
    errors = log_errors(service.stderr_path)
    keep_service_log(bench, service)
    bench.notes["dispatch_cases_by_state"] = states
    bench.notes["dispatch_log_errors"] = summarise_log_errors(errors)
    bench.notes["dispatch_exit_code"] = exit_code
    once = burst.delivery.exactly_once and paced.delivery.exactly_once
    return [
        Figure("prefetch", "EVENT_PREFETCH", bench.args.prefetch),
        Figure("idle_rss_mb", "idle RSS (after warm-up)", idle_rss, "MB"),
        *burst_figures(burst),
        *paced_figures(paced),
        Figure("exactly_once", "every case dispatched exactly once", "yes" if once else "NO"),
        Figure(
            "awaiting_office",
            "cases left to the office (expected 0)",
            states.get("awaiting_office", 0),
        ),
        Figure("outbox_unsent", "outbox rows unsent at the end", unsent),
        Figure("log_error_lines", "ERROR lines in the service log", len(errors)),
    ]


async def wait_consuming(process: ManagedProcess, queue: AbstractQueue) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not (await queue.declare()).consumer_count:
        if process.process.returncode is not None or time.monotonic() > deadline:
            raise BenchError(f"{process.name} is not consuming:\n{process.stderr_tail()}")
        await asyncio.sleep(0.1)


async def measure_bare_chain(bench: Bench) -> Figures:
    """Dispatch's path without dispatch: the bench publishes to a quorum queue at dispatch's
    half-load rate, a bare process consumes, commits one row, publishes with a confirm to a
    second quorum queue and acknowledges, and the bench times each message to its arrival.
    Two broker hops and a commit: the latency the servers alone give on this machine."""
    rate = bench.value(("dispatch", "half_load_rate"))
    if not rate:
        raise BenchError("the bare chain runs at dispatch's half-load rate, which is missing")
    names = bench_broker_names(bench.namespace)
    connection = await aio_pika.connect(AMQP_URL)
    bench.cleanups.push_async_callback(connection.close)
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    queues = [
        await channel.declare_queue(names[key], durable=True, arguments={"x-queue-type": "quorum"})
        for key in ("chain_in_queue", "chain_out_queue")
    ]
    source, target = queues
    program = bench.work_dir / "bare_chain.py"
    program.write_text(BARE_CHAIN)
    argv = [sys.executable, str(program), AMQP_URL, bench.database_url, source.name, target.name]
    chain = await start_process(
        bench, "bare-chain", [*argv, str(bench.args.prefetch)], dict(os.environ), None
    )
    await wait_consuming(chain, source)
    clock = ArrivalClock(target)
    await clock.start()
    warm_up = await publish_paced(channel.default_exchange, source.name, opened_cases(50), rate)
    await clock.wait_for(set(warm_up.sent))
    schedule = opened_cases(paced_count(bench, rate))
    paced = await publish_paced(channel.default_exchange, source.name, schedule, rate)
    complete = await clock.wait_for(set(paced.sent))
    await clock.stop()
    await chain.stop()
    for queue in queues:
        await queue.delete(if_unused=False, if_empty=False)
    latencies = clock.latencies_ms(paced.sent)
    return [
        Figure("rate", "paced rate (dispatch's half load)", round(rate, 1), "/s"),
        Figure("messages", "messages published", len(schedule)),
        Figure("complete", "every message arrived", "yes" if complete else "NO"),
        Figure("p50_ms", "latency p50", nearest_rank(latencies, 0.50), "ms"),
        Figure("p90_ms", "latency p90", nearest_rank(latencies, 0.90), "ms"),
        Figure("p99_ms", "latency p99", nearest_rank(latencies, 0.99), "ms"),
        Figure("max_ms", "latency max", nearest_rank(latencies, 1.0), "ms"),
    ]


def burst_figures(run: BurstRun) -> Figures:
    cases = len(run.delivery.published)
    use = run.use
    return [
        Figure("burst_cases", "burst: case.opened published", cases),
        Figure(
            "burst_publish_per_s",
            "burst: publishes confirmed",
            round(cases / run.publish_s, 1) if run.publish_s else None,
            "/s",
        ),
        Figure(
            "dispatched_per_s",
            "burst: cases dispatched (1st publish..last arrival)",
            round(run.per_second, 1) if run.per_second else None,
            "/s",
        ),
        Figure(
            "burst_seconds",
            "burst: first publish..last case.dispatched",
            round(run.elapsed_s, 2) if run.elapsed_s else None,
            "s",
        ),
        Figure("burst_dispatched", "burst: case.dispatched arrived", len(run.delivery.arrivals)),
        Figure(
            "burst_distinct_cases",
            "burst: distinct cases (ce-subject)",
            run.delivery.distinct_cases,
        ),
        Figure(
            "burst_distinct_ids", "burst: distinct event ids (ce-id)", run.delivery.distinct_ids
        ),
        Figure("burst_complete", "burst: every case arrived", "yes" if run.complete else "NO"),
        Figure("loaded_rss_mb", "RSS in the burst (median)", run.rss_median_mb, "MB"),
        Figure("peak_rss_mb", "RSS in the burst (peak)", run.rss_peak_mb, "MB"),
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


def paced_figures(run: PacedRun) -> Figures:
    cases = len(run.delivery.published)
    return [
        Figure("half_load_rate", "half load: paced case.opened rate", round(run.rate, 1), "/s"),
        Figure(
            "half_load_published_per_s",
            "half load: rate achieved",
            round(cases / run.publish_s, 1) if run.publish_s else None,
            "/s",
        ),
        Figure(
            "half_load_behind_ms",
            "half load: publisher behind schedule (max)",
            round(run.behind_ms, 2),
            "ms",
        ),
        Figure("half_load_cases", "half load: case.opened published", cases),
        Figure(
            "half_load_dispatched", "half load: case.dispatched arrived", len(run.delivery.arrivals)
        ),
        Figure("half_load_p50_ms", "half load: latency p50", run.percentile(0.50), "ms"),
        Figure("half_load_p90_ms", "half load: latency p90", run.percentile(0.90), "ms"),
        Figure("half_load_p99_ms", "half load: latency p99", run.percentile(0.99), "ms"),
        Figure("half_load_max_ms", "half load: latency max", run.percentile(1.0), "ms"),
        Figure(
            "half_load_routing_p99_ms",
            "half load: p99 published .. routed (event time)",
            nearest_rank(run.routing_ms, 0.99),
            "ms",
        ),
        Figure(
            "half_load_relaying_p99_ms",
            "half load: p99 routed .. case.dispatched arrived",
            nearest_rank(run.relaying_ms, 0.99),
            "ms",
        ),
        Figure(
            "half_load_disk_flush_max_ms",
            "half load: slowest 8 kB disk flush (probe)",
            run.flush.max_ms,
            "ms",
        ),
        Figure(
            "half_load_disk_flush_stalls",
            f"half load: disk flushes over {FLUSH_STALL_MS:.0f} ms (probe, every "
            f"{1000 * FLUSH_PROBE_INTERVAL_S:.0f} ms)",
            run.flush.stalls,
        ),
        Figure(
            "half_load_dispatch_loop_lag_p99_ms",
            "half load: dispatch event-loop lag p99 (bucket bound)",
            run.service_lag.p99_bound_ms(),
            "ms",
        ),
        Figure(
            "half_load_bench_loop_lag_p99_ms",
            "half load: this script's event-loop lag p99 (bucket bound)",
            run.bench_lag.p99_bound_ms(),
            "ms",
        ),
        Figure("half_load_cpu_percent", "half load CPU: dispatch", run.use.percent("service"), "%"),
        Figure(
            "half_load_postgres_cpu_percent",
            "half load CPU: PostgreSQL",
            run.use.percent("postgres"),
            "%",
        ),
    ]


# ---- what runs, and what it is judged by ----

INTAKE_SECTIONS: list[Section] = [
    Section(
        "bare_http",
        "Baseline: bare FastAPI endpoint (uvicorn, httptools, uvloop)",
        measure_bare_http,
    ),
    Section(
        "postgres", "Baseline: PostgreSQL single-row commits (asyncpg)", measure_postgres_commits
    ),
    Section(
        "rabbitmq",
        "Baseline: RabbitMQ confirmed publishes to a quorum queue (aio-pika)",
        measure_rabbitmq_confirms,
    ),
    Section("intake", "Intake: POST /v1/petitions, then the outbox relay", measure_intake),
]

INTAKE_RATIOS: list[Ratio] = [
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
]

INTAKE_TARGETS: list[Target] = [
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
]


DISPATCH_SECTIONS: list[Section] = [
    Section(
        "rabbitmq_consume",
        "Baseline: RabbitMQ consume-and-ack from a quorum queue (aio-pika, callback consumer)",
        measure_rabbitmq_consume,
    ),
    Section(
        "dispatch",
        "Dispatch: case.opened published .. case.dispatched confirmed (burst, then half load)",
        measure_dispatch,
    ),
    Section(
        "bare_chain",
        "Baseline: the same two broker hops and one commit, without dispatch (half load)",
        measure_bare_chain,
    ),
]

DISPATCH_RATIOS: list[Ratio] = [
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
]

DISPATCH_TARGETS: list[Target] = [
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
]


def intake_header(bench: Bench) -> list[str]:
    args = bench.args
    return [
        f"namespace {bench.namespace}  database {bench.database_name}  cpus {os.cpu_count()}",
        f"wrk: {args.threads} thread(s), {args.connections} connections, "
        f"{args.duration}s; baselines {args.baseline_seconds}s each",
        f"postgres: {bench.notes.get('postgres', {})}",
    ]


def intake_config(bench: Bench) -> dict[str, Any]:
    args = bench.args
    return {
        "duration_s": args.duration,
        "connections": args.connections,
        "wrk_threads": args.threads,
        "baseline_seconds": args.baseline_seconds,
        "postgres_connections": args.pg_connections,
        "rabbitmq_in_flight": args.rabbit_in_flight,
    }


def dispatch_header(bench: Bench) -> list[str]:
    args = bench.args
    return [
        f"namespace {bench.namespace}  database {bench.database_name}  cpus {os.cpu_count()}"
        "  client loop uvloop",
        f"burst {args.cases:,} cases ({args.rabbit_in_flight} publishes in flight); half load "
        f"{args.duration}s; EVENT_PREFETCH {args.prefetch}; "
        f"consume baseline {args.consume_rounds} x {args.consume_messages:,} messages",
        f"postgres: {bench.notes.get('postgres', {})}",
    ]


def dispatch_config(bench: Bench) -> dict[str, Any]:
    args = bench.args
    return {
        "burst_cases": args.cases,
        "half_load_duration_s": args.duration,
        "event_prefetch": args.prefetch,
        "rabbitmq_in_flight": args.rabbit_in_flight,
        "consume_baseline_messages": args.consume_messages,
        "consume_baseline_rounds": args.consume_rounds,
        "client_loop": "uvloop",
    }


def prepare_intake() -> dict[str, Any]:
    return {"wrk": ensure_wrk()}


SUITES: list[Suite] = [
    Suite(
        "intake",
        INTAKE_SECTIONS,
        INTAKE_RATIOS,
        INTAKE_TARGETS,
        intake_header,
        intake_config,
        prepare=prepare_intake,
    ),
    # On uvloop, like the service: the consume baseline then runs on the loop dispatch's own
    # consumer runs on, and the publisher and probe take less of the CPU the service needs.
    Suite(
        "dispatch",
        DISPATCH_SECTIONS,
        DISPATCH_RATIOS,
        DISPATCH_TARGETS,
        dispatch_header,
        dispatch_config,
        loop_factory=uvloop.new_event_loop,
    ),
]


# ---- cleanup of what the run created ----


SERVICES = ("intake", "dispatch")


def bench_broker_names(namespace: str) -> dict[str, str]:
    return {
        "probe_queue": f"{namespace}bench.probe",
        "dispatch_probe_queue": f"{namespace}bench.dispatched-probe",
        "baseline_queue": f"{namespace}bench.baseline",
        "consume_queue": f"{namespace}bench.consume-baseline",
        "chain_in_queue": f"{namespace}bench.chain-in",
        "chain_out_queue": f"{namespace}bench.chain-out",
        "baseline_exchange": f"{namespace}bench.baseline",
    }


async def delete_broker_objects(namespace: str) -> None:
    """Delete every queue and exchange this run's namespace can have (services and bench)."""
    topology = Topology(namespace)
    names = bench_broker_names(namespace)
    queues = [
        topology.unrouted_queue,
        *(topology.events_queue(service) for service in SERVICES),
        *(topology.parking_queue(service) for service in SERVICES),
        *(name for key, name in names.items() if key.endswith("_queue")),
    ]
    exchanges = [
        topology.events_exchange,
        topology.unrouted_exchange,
        topology.dead_letter_exchange,
        names["baseline_exchange"],
    ]
    connection = await aio_pika.connect(AMQP_URL)
    try:
        for name in queues:
            channel = await connection.channel()
            with contextlib.suppress(aio_pika.exceptions.AMQPError):
                await channel.queue_delete(name)
            with contextlib.suppress(aio_pika.exceptions.AMQPError):
                await channel.close()
        for name in exchanges:
            channel = await connection.channel()
            with contextlib.suppress(aio_pika.exceptions.AMQPError):
                await channel.exchange_delete(name)
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


def register_cleanups(bench: Bench) -> None:
    """Registered first, so they run last: after every process has stopped."""
    ns = bench.namespace
    bench.cleanups.push_async_callback(
        lambda: quietly("delete the broker objects", delete_broker_objects(ns))
    )
    bench.cleanups.push_async_callback(
        lambda: quietly("drop the database", drop_database(bench.database_url))
    )
    bench.cleanups.push_async_callback(
        lambda: quietly("delete the Redis keys", delete_redis_keys(ns))
    )


# ---- the report ----


def record_ratios(bench: Bench) -> None:
    bench.results["ratios"] = {
        r.key: Figure(r.key, r.label, None if (v := r.of(bench)) is None else round(v, 4))
        for r in bench.suite.ratios
    }


def render_report(bench: Bench) -> str:
    suite = bench.suite
    lines = ["", "=" * 78, f"Civicloop {suite.key} benchmark", "=" * 78, *suite.header(bench)]
    for section in suite.sections:
        lines += ["", section.title]
        lines += [f"  {f.label:.<52} {f.shown()}" for f in bench.results[section.key].values()]
    lines += ["", "Against the baselines"]
    for ratio in suite.ratios:
        top, bottom = bench.value(ratio.numerator), bench.value(ratio.denominator)
        value = bench.value(("ratios", ratio.key))
        shown = "n/a" if value is None else f"{value:.1%}"
        lines.append(f"  {ratio.label:.<60} {shown:>7}   ({top or 0:,.1f} / {bottom or 0:,.1f})")
    lines += ["", "Targets (2-core machine)"]
    for target in suite.targets:
        value = bench.value(target.figure)
        verdict = "PASS" if target.passed(value) else "MISS"
        lines.append(f"  [{verdict}] {target.label:<50} {target.shown(value)}")
    lines += ["", "Notes"]
    lines += [f"  {key}: {value}" for key, value in bench.notes.items() if key != "postgres"]
    return "\n".join(lines)


def report_json(bench: Bench) -> dict[str, Any]:
    targets = [
        {
            "label": t.label,
            "figure": ".".join(t.figure),
            "threshold": t.threshold,
            "at_most": t.at_most,
            "value": bench.value(t.figure),
            "pass": t.passed(bench.value(t.figure)),
        }
        for t in bench.suite.targets
    ]
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "config": {
            **bench.suite.config(bench),
            "cpus": os.cpu_count(),
            "namespace": bench.namespace,
        },
        "sections": {
            key: {f.key: f.value for f in figures.values()}
            for key, figures in bench.results.items()
        },
        "targets": targets,
        "notes": bench.notes,
    }


# ---- main ----


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        choices=[suite.key for suite in SUITES],
        help="run one suite (default: all of them, in order)",
    )
    parser.add_argument(
        "--duration",
        type=int,
        default=15,
        help="seconds of each wrk run (intake) and of the half-load run (dispatch)",
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
        help="where <suite>.json and the services' logs are written",
    )
    return parser.parse_args(argv)


async def run_suite(
    suite: Suite, args: argparse.Namespace, run_id: str, notes: dict[str, Any]
) -> Bench:
    async with contextlib.AsyncExitStack() as cleanups:
        work_dir = Path(
            cleanups.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-{suite.key}-"))
        )
        bench = Bench(suite, args, run_id, work_dir, cleanups, notes=notes)
        register_cleanups(bench)
        for section in suite.sections:
            print(f"-- {section.title} ...", flush=True)
            figures = await section.measure(bench)
            bench.results[section.key] = {f.key: f for f in figures}
        record_ratios(bench)
    return bench


def main() -> int:
    args = parse_args()
    run_id = secrets.token_hex(4)
    failed = False
    for suite in SUITES:
        if args.only not in (None, suite.key):
            continue
        try:
            notes = suite.prepare()
            with asyncio.Runner(loop_factory=suite.loop_factory) as runner:
                bench = runner.run(run_suite(suite, args, run_id, notes))
        except BenchError as exc:
            print(f"bench: {suite.key} could not run: {exc}", file=sys.stderr)
            failed = True
            continue
        print(render_report(bench))
        output = args.output_dir / f"{suite.key}.json"
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report_json(bench), indent=2, ensure_ascii=False) + "\n")
        print(f"\nfigures written to {output}")
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
