"""What the bench reads while the load runs: a process's memory, CPU and system calls, the
disk's flush time, event-loop lag, and the events arriving in a probe queue."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aio_pika
import asyncpg
import httpx
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from civicloop.platform.bus import Topology

from .harness import AMQP_URL, BenchError, BenchRun

RSS_SAMPLE_INTERVAL_S = 0.2
# The disk-flush probe: one 8 kB write and fdatasync this often, as a database commit does.
FLUSH_PROBE_INTERVAL_S = 0.05
FLUSH_STALL_MS = 50.0
QUEUE_POLL_INTERVAL_S = 0.1
ARRIVAL_POLL_INTERVAL_S = 0.05
PUBLISH_STALL_TIMEOUT_S = 30.0

# Processes counted by their command name (read from /proc, never signalled).
CPU_COMMANDS = {"postgres": "postgres", "rabbitmq": "beam.smp"}
LOOP_LAG_METRIC = "civicloop_event_loop_lag_seconds"


# ---- a process, from /proc ----


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


# ---- the disk ----


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


# ---- event-loop lag ----


def histogram_buckets(exposition: str, metric: str, **labels: str) -> dict[float, float]:
    """Cumulative counts of one histogram (the series with ``labels``) by upper bound, from
    Prometheus text."""
    buckets: dict[float, float] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == f"{metric}_bucket" and all(
                sample.labels.get(k) == v for k, v in labels.items()
            ):
                buckets[float(sample.labels["le"])] = sample.value
    return buckets


def lag_buckets(exposition: str) -> dict[float, float]:
    """Cumulative counts of the loop-lag histogram by upper bound, from Prometheus text."""
    return histogram_buckets(exposition, LOOP_LAG_METRIC)


async def scrape(metrics_url: str) -> str:
    async with httpx.AsyncClient(timeout=5.0) as client:
        return (await client.get(metrics_url)).text


def observed_between(before: dict[float, float], after: dict[float, float]) -> dict[float, float]:
    """A histogram's cumulative counts by upper bound (ascending) of what it observed between
    two scrapes."""
    return {le: after[le] - before.get(le, 0.0) for le in sorted(after)}


def quantile_ms(before: dict[float, float], after: dict[float, float], q: float) -> float | None:
    """The ``q`` quantile of what a histogram observed between two scrapes, in ms,
    interpolated linearly inside its bucket (as Prometheus' histogram_quantile does)."""
    observed = observed_between(before, after)
    bounds, counts = list(observed), list(observed.values())
    if not counts or not counts[-1]:
        return None
    rank = q * counts[-1]
    lower, below = 0.0, 0.0
    for le, count in zip(bounds, counts, strict=True):
        if count >= rank:
            if math.isinf(le):
                return 1000 * lower
            inside = count - below
            share = (rank - below) / inside if inside else 1.0
            return 1000 * (lower + (le - lower) * share)
        lower, below = le, count
    return None


async def service_lag_buckets(metrics_url: str) -> dict[float, float]:
    return lag_buckets(await scrape(metrics_url))


def own_lag_buckets() -> dict[float, float]:
    return lag_buckets(generate_latest(REGISTRY).decode())


@dataclass(frozen=True)
class LoopLag:
    """Event-loop lag over one phase: the difference of two scrapes of the histogram."""

    before: dict[float, float]
    after: dict[float, float]

    def p99_bound_ms(self) -> float | None:
        """The smallest bucket bound under which 99% of the phase's observations fell (a
        bound, not interpolated: a lag is judged against the buckets it was counted in)."""
        counts = observed_between(self.before, self.after)
        total = counts.get(math.inf, 0.0)
        if not total:
            return None
        return next(1000 * le for le, n in counts.items() if n >= 0.99 * total)


# ---- the service's database ----


async def unsent_outbox_rows(db: asyncpg.Connection) -> int:
    return int(await db.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL"))


async def wait_outbox_drained(db: asyncpg.Connection, what: str, timeout_s: float) -> None:
    """Wait until the relay has sent every outbox row; ``what`` names the load that wrote
    them, in the error past ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while await unsent_outbox_rows(db):
        if time.monotonic() > deadline:
            raise BenchError(
                f"{what}'s outbox rows were not sent within {timeout_s:.0f}s; is the relay running?"
            )
        await asyncio.sleep(0.05)


# ---- events arriving in a probe queue ----


def header_text(message: AbstractIncomingMessage, name: str) -> str:
    value = (message.headers or {}).get(name)
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)


async def until_done_or_stalled(done: Callable[[], bool], progress: Callable[[], int]) -> bool:
    """Until ``done()`` (True), or until ``progress()`` has not moved for
    PUBLISH_STALL_TIMEOUT_S (False)."""
    seen, since = progress(), time.monotonic()
    while not done():
        if progress() != seen:
            seen, since = progress(), time.monotonic()
        elif time.monotonic() - since > PUBLISH_STALL_TIMEOUT_S:
            return False
        await asyncio.sleep(ARRIVAL_POLL_INTERVAL_S)
    return True


class ArrivalProbe:
    """A queue bound to the events exchange for one event type (petition.submitted.v1 for
    intake, case.dispatched.v1 for dispatch). While the load runs it only polls the queue's
    depth (no consumer competing with the service for the CPU) and notes when the depth last
    grew; afterwards it drains the queue to count distinct events."""

    def __init__(self, queue: AbstractQueue) -> None:
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

    async def wait_for_count(self, expected: int) -> bool:
        """Until ``expected`` arrivals were counted (True) or they stalled (False)."""
        return await until_done_or_stalled(lambda: self.count >= expected, lambda: self.count)

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


async def open_probe(run: BenchRun, queue_base: str, event_type: str) -> ArrivalProbe:
    """A probe on a fresh queue of the run's namespace bound to ``event_type``."""
    connection = await aio_pika.connect(AMQP_URL)
    run.cleanups.push_async_callback(connection.close)
    channel = await connection.channel()
    queue = await channel.declare_queue(run.bench_queue(queue_base), durable=False)
    await queue.bind(Topology(run.namespace).events_exchange, routing_key=event_type)
    await queue.purge()
    return ArrivalProbe(queue)


class ArrivalClock:
    """Consumes a probe queue and notes when each case's event first arrived."""

    def __init__(self, queue: AbstractQueue) -> None:
        self.queue = queue
        self.first_arrival: dict[str, float] = {}
        # Per case, wall clock: when its event arrived, and the time it carries (ce-time).
        self.arrived_at: dict[str, float] = {}
        self.event_time: dict[str, float] = {}
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
                self.event_time[subject] = datetime.fromisoformat(
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
        return await until_done_or_stalled(
            lambda: cases.issubset(self.first_arrival), lambda: len(self.arrivals)
        )
