"""The load the bench drives: petitions (or another wrk script's requests) over HTTP with wrk,
case.opened events published to RabbitMQ in a burst or at a steady rate, and any calls at a
steady rate."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import aio_pika
import httpx
from aio_pika.abc import AbstractExchange

from civicloop.platform.bus import Topology
from civicloop.platform.envelope import EventEnvelope
from civicloop.v1 import common_pb2, events_pb2

from .harness import AMQP_URL, BenchError, BenchRun, ManagedProcess
from .probes import RssSampler, cpu_seconds
from .report import Figure, Figures

PETITIONS_PATH = "/v1/petitions"
WARM_UP_REQUESTS = 20
# POSTs a petition with a random mobile number per request and prints a BENCH_RESULT line.
WRK_SCRIPT = Path(__file__).parent / "programs" / "petition.lua"

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


# ---- petitions over HTTP ----


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


async def warm_up(url: str, requests: int = WARM_UP_REQUESTS) -> None:
    async with httpx.AsyncClient(timeout=10.0) as client:
        for _ in range(requests):
            response = await client.post(url, json=sample_petition())
            if response.status_code >= 300:
                raise BenchError(
                    f"warm-up POST {url} -> {response.status_code}: {response.text[:300]}"
                )


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


def prepare_wrk() -> dict[str, Any]:
    """A scenario's ``prepare`` when its load is driven by wrk: wrk's path, for the notes."""
    return {"wrk": ensure_wrk()}


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


async def run_wrk(
    run: BenchRun,
    url: str,
    script: Path = WRK_SCRIPT,
    script_args: Sequence[str] = (),
    seconds: int | None = None,
) -> WrkResult:
    """wrk with one of the bench's scripts (programs/*.lua), which prints BENCH_RESULT, for
    ``seconds`` (--duration unless given); ``script_args`` reach the script's init()."""
    options = run.options
    argv = [
        run.notes["wrk"],
        f"-t{options.threads}",
        f"-c{options.connections}",
        f"-d{seconds or options.duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
        *(["--", *script_args] if script_args else []),
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


async def load_http(
    run: BenchRun,
    process: ManagedProcess,
    url: str,
    script: Path = WRK_SCRIPT,
    script_args: Sequence[str] = (),
    seconds: int | None = None,
) -> LoadRun:
    """wrk against url while sampling the process's RSS and CPU time."""
    cpu_before = cpu_seconds(process.pid)
    started = time.monotonic()
    async with RssSampler(process.pid) as rss:
        result = await run_wrk(run, url, script, script_args, seconds)
    ended = time.monotonic()
    cpu_used = cpu_seconds(process.pid) - cpu_before
    return LoadRun(result, rss.peak, rss.median, 100 * cpu_used / (ended - started), started, ended)


def in_turns(loads: Sequence[LoadRun]) -> LoadRun:
    """Several wrk runs of one load (turns) as one: counts and times added up, CPU over the
    turns' time, latency p50 the median turn's and p90, p99 and max the worst turn's (no turn
    hides a bad tail), RSS the median and peak of the turns. Its start and end are the first
    turn's start and the last one's end, whatever ran between the turns."""
    if not loads:
        raise BenchError("no turns to add up")
    statuses: dict[int, int] = {}
    for load in loads:
        for status, count in load.wrk.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    seconds = sum(load.ended_at - load.started_at for load in loads)
    medians = [load.rss_median_mb for load in loads if load.rss_median_mb is not None]
    peaks = [load.rss_peak_mb for load in loads if load.rss_peak_mb is not None]
    return LoadRun(
        WrkResult(
            duration_s=sum(load.wrk.duration_s for load in loads),
            requests=sum(load.wrk.requests for load in loads),
            statuses=statuses,
            non_2xx_3xx=sum(load.wrk.non_2xx_3xx for load in loads),
            socket_errors=sum(load.wrk.socket_errors for load in loads),
            p50_ms=statistics.median(load.wrk.p50_ms for load in loads),
            p90_ms=max(load.wrk.p90_ms for load in loads),
            p99_ms=max(load.wrk.p99_ms for load in loads),
            max_ms=max(load.wrk.max_ms for load in loads),
            first_error=next((load.wrk.first_error for load in loads if load.wrk.first_error), ""),
        ),
        max(peaks) if peaks else None,
        statistics.median(medians) if medians else None,
        sum(load.cpu_percent * (load.ended_at - load.started_at) for load in loads) / seconds,
        loads[0].started_at,
        loads[-1].ended_at,
    )


def http_figures(load: LoadRun, ok_key: str, ok_label: str, ok_count: int) -> Figures:
    return [
        Figure(ok_key, ok_label, round(load.wrk.per_second(ok_count), 1), "/s"),
        Figure("responses", "responses", load.wrk.requests),
        Figure("non_2xx_3xx", "non-2xx/3xx responses", load.wrk.non_2xx_3xx),
        Figure("socket_errors", "socket errors and timeouts", load.wrk.socket_errors),
        Figure("p50_ms", "latency p50", round(load.wrk.p50_ms, 2), "ms"),
        Figure("p99_ms", "latency p99", round(load.wrk.p99_ms, 2), "ms"),
        Figure("max_ms", "latency max", round(load.wrk.max_ms, 2), "ms"),
        Figure("loaded_rss_mb", "RSS under load (median)", load.rss_median_mb, "MB"),
        Figure("peak_rss_mb", "RSS under load (peak)", load.rss_peak_mb, "MB"),
        Figure("cpu_percent", "CPU under load (100% = one core)", round(load.cpu_percent, 1), "%"),
    ]


# ---- case.opened events over AMQP ----


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


def opened_cases(count: int) -> list[tuple[str, aio_pika.Message]]:
    """``count`` case.opened messages, each with its case id."""
    return [(e.subject, e.to_amqp()) for e in (case_opened() for _ in range(count))]


async def open_publisher(run: BenchRun) -> AbstractExchange:
    """The events exchange (declared by the service at start) on a channel with confirms."""
    connection = await aio_pika.connect(AMQP_URL)
    run.cleanups.push_async_callback(connection.close)
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    return await channel.get_exchange(Topology(run.namespace).events_exchange)


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


def paced_count(run: BenchRun, rate: float) -> int:
    """How many messages a paced run of ``--duration`` seconds publishes at ``rate``."""
    return max(1, round(rate * run.options.duration))


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

    paced.seconds, paced.behind_ms = await keep_pace(
        [partial(publish, case_id, message) for case_id, message in schedule], rate
    )
    return paced


async def keep_pace(
    actions: Sequence[Callable[[], Coroutine[Any, Any, object]]], rate: float
) -> tuple[float, float]:
    """Start each action at its time in a schedule of ``rate`` per second (open loop: a slow
    one does not delay the next) and wait for them all; returns the seconds the schedule took
    and how far it fell behind, at worst, in ms."""
    behind_ms = 0.0
    started = time.monotonic()
    async with asyncio.TaskGroup() as running:
        for index, action in enumerate(actions):
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                behind_ms = max(behind_ms, -1000 * delay)
            running.create_task(action())
    return time.monotonic() - started, behind_ms


@dataclass(frozen=True)
class TimedCalls:
    """Calls made at a steady rate: the latency of each that succeeded, the failures."""

    latencies_ms: list[float]
    failures: list[str]
    seconds: float
    behind_ms: float


@dataclass
class Timed:
    """The latencies of the calls made through ``call`` that succeeded, and the failures."""

    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    async def call(self, action: Callable[[], Awaitable[object]]) -> None:
        started = time.monotonic()
        try:
            await action()
        except Exception as exc:  # reported with the figures, not raised mid-schedule
            self.failures.append(repr(exc)[:300])
            return
        self.latencies_ms.append(1000 * (time.monotonic() - started))


async def call_paced(calls: Sequence[Callable[[], Awaitable[object]]], rate: float) -> TimedCalls:
    """Make the calls at ``rate`` per second (open loop), timing each."""
    timed = Timed()
    seconds, behind_ms = await keep_pace([partial(timed.call, call) for call in calls], rate)
    return TimedCalls(timed.latencies_ms, timed.failures, seconds, behind_ms)


@dataclass
class ClosedLoop:
    """Calls made by a few callers, each calling again as soon as answered."""

    done: list[int] = field(default_factory=list)  # positions of the calls that succeeded
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.done) / self.seconds if self.seconds else 0.0


async def closed_loop(
    call: Callable[[int, int], Awaitable[object]],
    callers: int,
    seconds: float,
    calls: int | None = None,
) -> ClosedLoop:
    """``callers`` callers, each awaiting ``call(caller, position)`` again as soon as it
    returns, the positions 0, 1, 2 ... shared among them, for ``seconds`` or until ``calls``
    calls; an exception is a failure (noted, the load goes on)."""
    outcome = ClosedLoop()
    counter = iter(range(calls)) if calls is not None else itertools.count()
    deadline = time.monotonic() + seconds

    async def caller(number: int) -> None:
        for position in counter:
            if time.monotonic() >= deadline:
                return
            try:
                await call(number, position)
                outcome.done.append(position)
            except Exception as exc:
                outcome.failures.append(repr(exc)[:300])

    started = time.monotonic()
    await asyncio.gather(*(caller(n) for n in range(callers)))
    outcome.seconds = time.monotonic() - started
    return outcome
