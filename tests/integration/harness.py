"""Starting real Civicloop service processes against real RabbitMQ, PostgreSQL and Redis.

Mode (CIVICLOOP_TEST_INFRA):
- ``servers`` (the default, and what CI sets): the servers named by AMQP_URL, DATABASE_URL
  (any database on the server; each run creates its own) and REDIS_URL, by default on
  127.0.0.1. A server that does not answer fails the run loudly, never a silent skip.
- ``testcontainers``: RabbitMQ, PostgreSQL and Redis containers through the Docker API at
  DOCKER_HOST (a Docker engine, or podman's compatible socket; see README).
Every run gets its own namespace and database names, so parallel runs never meet.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import asyncpg
import grpc
import httpx
import redis
from google.rpc import error_details_pb2, status_pb2

from civicloop.platform import db
from civicloop.platform.auth import audience_of, mint_dev_token
from civicloop.platform.bus import Topology
from civicloop.rating.sms import DEV_SMS_SECRET


@dataclass(frozen=True)
class Infra:
    amqp_url: str
    postgres_url: str  # server URL without a database
    redis_url: str

    def database_url(self, name: str) -> str:
        parts = urlsplit(self.postgres_url)
        return urlunsplit(parts._replace(path=f"/{name}"))


def _server_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=""))


def check_answers(infra: Infra) -> None:
    """Fail loudly, naming the server, when one does not answer."""
    problems = []
    for name, url in (
        ("RabbitMQ", infra.amqp_url),
        ("PostgreSQL", infra.postgres_url),
        ("Redis", infra.redis_url),
    ):
        parts = urlsplit(url)
        try:
            socket.create_connection((parts.hostname, parts.port), timeout=3).close()
        except OSError as exc:
            problems.append(f"{name} at {parts.hostname}:{parts.port}: {exc}")
    if problems:
        raise RuntimeError(
            "integration tests need real servers; not answering: "
            + "; ".join(problems)
            + ". Start them (see README) or set CIVICLOOP_TEST_INFRA=testcontainers."
        )
    redis.Redis.from_url(infra.redis_url).ping()


@contextmanager
def infrastructure() -> Iterator[Infra]:
    mode = os.environ.get("CIVICLOOP_TEST_INFRA", "servers")
    if mode == "servers":
        infra = Infra(
            amqp_url=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
            postgres_url=_server_url(
                os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
            ),
            redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        )
        check_answers(infra)
        yield infra
    elif mode == "testcontainers":
        with containers() as infra:
            yield infra
    else:
        raise RuntimeError(f"CIVICLOOP_TEST_INFRA={mode!r}: use servers or testcontainers")


# A short delivery limit so a poison message reaches the parking queue quickly.
DELIVERY_LIMIT = 3
# The suite's long-lived HTTP clients drop an idle connection after 2 s, before the services'
# uvicorn closes it (5 s): a request is never sent on a connection the server is closing,
# which answers it with a reset (httpx.ReadError) rather than a response.
CLIENT_LIMITS = httpx.Limits(keepalive_expiry=2.0)


# Official images where a registry answers; scripts/test_images.sh builds local equivalents.
IMAGES = {
    "rabbitmq": os.environ.get("CIVICLOOP_RABBITMQ_IMAGE", "rabbitmq:3.10"),
    "postgres": os.environ.get("CIVICLOOP_POSTGRES_IMAGE", "postgres:15"),
    "redis": os.environ.get("CIVICLOOP_REDIS_IMAGE", "redis:7"),
}


@contextmanager
def containers(timeout: float = 120.0) -> Iterator[Infra]:
    """RabbitMQ, PostgreSQL and Redis as containers through the Docker API at DOCKER_HOST."""
    from testcontainers.core.container import DockerContainer

    rabbit = DockerContainer(IMAGES["rabbitmq"]).with_exposed_ports(5672)
    postgres = (
        DockerContainer(IMAGES["postgres"])
        .with_exposed_ports(5432)
        .with_env("POSTGRES_HOST_AUTH_METHOD", "trust")
    )
    red = DockerContainer(IMAGES["redis"]).with_exposed_ports(6379)
    with rabbit, postgres, red:

        def url(container: DockerContainer, port: int) -> str:
            return f"{container.get_container_host_ip()}:{container.get_exposed_port(port)}"

        infra = Infra(
            amqp_url=f"amqp://guest:guest@{url(rabbit, 5672)}/",
            postgres_url=f"postgresql://postgres@{url(postgres, 5432)}",
            redis_url=f"redis://{url(red, 6379)}/0",
        )
        asyncio.run(_wait_until_serving(infra, timeout))
        yield infra


async def _wait_until_serving(infra: Infra, timeout: float) -> None:
    """A published port answers before the server inside does: wait for real sessions."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    # The AMQP client logs every refused attempt while RabbitMQ boots; expected here.
    for noisy in ("aio_pika", "aiormq"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    while time.monotonic() < deadline:
        try:
            connection = await aio_pika.connect(infra.amqp_url)
            await connection.close()
            conn = await asyncpg.connect(infra.database_url("postgres"))
            await conn.close()
            redis.Redis.from_url(infra.redis_url).ping()
            return
        except Exception as exc:  # not up yet: any of the three may refuse for a while
            last = exc
            await asyncio.sleep(0.5)
    raise RuntimeError(f"the containers did not start serving within {timeout}s: {last}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServiceProcess:
    """One real service process (``python -m civicloop.<name>``)."""

    name: str
    env: dict[str, str]
    run_dir: Path
    http_port: int = field(default_factory=free_port)
    grpc_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def log_path(self) -> Path:
        return self.run_dir / f"{self.name}.log"

    def start(self, **overrides: str) -> None:
        env = {
            **os.environ,
            **self.env,
            **overrides,
            "HTTP_PORT": str(self.http_port),
            "GRPC_PORT": str(self.grpc_port),
            "CIVICLOOP_RUN_DIR": str(self.run_dir),
        }
        self.run_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.command(), env=env, stdout=log, stderr=log)

    def command(self) -> list[str]:
        return [sys.executable, "-m", f"civicloop.{self.name}"]

    async def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited; log:\n{self.tail_log()}")
                try:
                    if (await client.get(f"{self.http_url}/readyz", timeout=1)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready in {timeout}s; log:\n{self.tail_log()}")

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def tail_log(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class SmsSinkProcess(ServiceProcess):
    """The development SMS sink (scripts/sms_sink.py), where rating's links arrive; started
    as ``SmsSinkProcess("sms-sink", {}, run_dir)``."""

    secret: str = DEV_SMS_SECRET

    @property
    def messages_url(self) -> str:
        return f"{self.http_url}/messages"

    def command(self) -> list[str]:
        sink = Path(__file__).resolve().parents[2] / "scripts" / "sms_sink.py"
        return [sys.executable, str(sink), "--port", str(self.http_port), "--secret", self.secret]


@dataclass
class WitnessProcess(ServiceProcess):
    """A department's civicloop-witness of a ledger; ``name`` is the witness's (a key in
    civicloop-devsigning, e.g. "civil-affairs"), ``env`` holds ORIGIN and LOG_KEY."""

    @property
    def add_checkpoint_url(self) -> str:
        return f"{self.http_url}/add-checkpoint"

    def command(self) -> list[str]:
        from importlib import resources

        key = resources.files("civicloop.devsigning").joinpath(f"dev-witness-{self.name}-key.txt")
        return [
            sys.executable,
            "-m",
            "civicloop.verify.witness",
            "--origin",
            self.env["ORIGIN"],
            "--log-key",
            self.env["LOG_KEY"],
            "--key-file",
            str(key),
            "--state",
            str(self.run_dir / f"witness-{self.name}-{self.http_port}.state"),
            "--port",
            str(self.http_port),
        ]


@dataclass
class RelayProcess(ServiceProcess):
    """A service's outbox relay as a process of its own (``python -m civicloop.platform.relay``),
    serving /readyz and /metrics on its http_port; ``env`` holds the service's settings."""

    def start(self, **overrides: str) -> None:
        super().start(RELAY_HTTP_PORT=str(self.http_port), **overrides)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "civicloop.platform.relay"]


@contextlib.asynccontextmanager
async def started(process: ServiceProcess) -> AsyncIterator[ServiceProcess]:
    """The process started and ready; stopped (SIGTERM) afterwards."""
    process.start()
    try:
        await process.wait_ready()
        yield process
    finally:
        process.stop()


@contextlib.asynccontextmanager
async def running(
    infra: Infra, name: str, env: dict[str, str], run: dict[str, Any]
) -> AsyncIterator[ServiceProcess]:
    """A service of the test run, on the database its env names, dropped afterwards."""
    try:
        async with started(ServiceProcess(name, env, Path(run["dir"]))) as service:
            yield service
    finally:
        await db.drop_database(env["DATABASE_URL"])


def civicloop_verify(*args: str) -> subprocess.CompletedProcess[str]:
    """civicloop-verify, as a separate process that knows nothing but what it is given."""
    command = [sys.executable, "-m", "civicloop.verify", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def run_id() -> str:
    return uuid.uuid4().hex[:8]


async def drop_database(infra: Infra, name: str) -> None:
    await db.drop_database(infra.database_url(name))


def service_env(infra: Infra, run: dict[str, Any], database: str) -> dict[str, str]:
    return {
        "AMQP_URL": infra.amqp_url,
        "DATABASE_URL": infra.database_url(database),
        "REDIS_URL": infra.redis_url,
        "CIVICLOOP_NAMESPACE": run["namespace"],
        "EVENT_DELIVERY_LIMIT": str(DELIVERY_LIMIT),
        "INTAKE_LIMIT_PER_ADDRESS_MINUTE": "100000",
        "SHUTDOWN_GRACE_SECONDS": "5",
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        # A run starts a dozen services at once on one PostgreSQL (100 connections by
        # default); the tests' loads need no more than this each.
        "DB_POOL_MAX": "6",
    }


# Every service a run may start (and whose queues it may leave on the broker).
SERVICES = ("intake", "dispatch", "rating", "publication", "ledger", "amenities")


def token(
    *roles: str,
    subject: str = "test-user",
    services: tuple[str, ...] = SERVICES,
    community: str = "",
) -> str:
    """A development token of a caller holding ``roles``, for ``services`` (by default every
    service a test starts; each service checks that its own audience is listed), naming the
    community a worker serves when given."""
    audience = [audience_of(s) for s in services]
    return mint_dev_token(subject, list(roles), audience=audience, community=community)


def bearer(
    *roles: str,
    subject: str = "test-user",
    services: tuple[str, ...] = SERVICES,
    community: str = "",
) -> dict[str, str]:
    """HTTP headers of a caller holding ``roles``."""
    minted = token(*roles, subject=subject, services=services, community=community)
    return {"authorization": f"Bearer {minted}"}


def grpc_auth(
    *roles: str,
    subject: str = "test-user",
    services: tuple[str, ...] = SERVICES,
    community: str = "",
) -> tuple[tuple[str, str], ...]:
    """gRPC call metadata of a caller holding ``roles``."""
    return tuple(bearer(*roles, subject=subject, services=services, community=community).items())


class EventTap:
    """A private queue bound to the run's events exchange: what the services published."""

    def __init__(self, queue: aio_pika.abc.AbstractQueue) -> None:
        self.queue = queue

    async def next(self, timeout: float = 10.0) -> aio_pika.abc.AbstractIncomingMessage:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            message = await self.queue.get(no_ack=True, fail=False)
            if message is not None:
                return message
            await asyncio.sleep(0.05)
        raise TimeoutError(f"no event on {self.queue.name} within {timeout}s")

    async def for_subject(
        self, subject: str, event_type: str, timeout: float = 10.0
    ) -> aio_pika.abc.AbstractIncomingMessage:
        """The first event of that type about that subject (others are skipped)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            message = await self.next(max(remaining, 0.01))
            headers = message.headers or {}
            if headers.get("ce-subject") == subject and headers.get("ce-type") == event_type:
                return message


def random_phone() -> str:
    return f"1{random.choice('3456789')}{random.randrange(10**9):09d}"


OPEN311_KEY = "civicloop-dev-open311-key"  # the development client's


def open311_form(**overrides: str) -> dict[str, str]:
    form = {
        "api_key": OPEN311_KEY,
        "service_code": "drainage",
        "attribute[community]": "C002",
        "description": "莲花社区柏条河路路面积水严重",
        "first_name": "四",
        "last_name": "李",
        "phone": random_phone(),
        "lat": "30.9985",
        "long": "103.6290",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v}


def petition_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "web",
        "community_code": "C001",
        "category_code": "streetlight",
        "description": "翔凤桥社区小区门口路灯不亮，晚上出行不便",
        "petitioner_name": "张三",
        "petitioner_phone": random_phone(),
        "latitude": 30.9968,
        "longitude": 103.6225,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def new_key() -> str:
    return str(uuid.uuid4())


class MovableClock:
    """Writes the instant a service under test takes for now (CIVICLOOP_CLOCK_FILE)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def set(self, at: datetime) -> None:
        self.path.write_text(at.isoformat())

    def reset(self) -> None:
        self.path.write_text("")


async def delete_namespace(infra: Infra, namespace: str) -> None:
    """Remove the run's exchanges and queues so the shared broker stays clean."""
    topology = Topology(namespace)
    connection = await aio_pika.connect(infra.amqp_url)
    async with connection:
        channel = await connection.channel()
        queues = [topology.unrouted_queue]
        for service in SERVICES:
            queues += [topology.events_queue(service), topology.parking_queue(service)]
        for queue in queues:
            await channel.queue_delete(queue)
        for exchange in (
            topology.events_exchange,
            topology.unrouted_exchange,
            topology.dead_letter_exchange,
        ):
            await channel.exchange_delete(exchange)


async def delete_redis_keys(infra: Infra, namespace: str) -> None:
    """Remove the run's Redis keys (the amenity index, rate limit counters)."""
    client = redis.Redis.from_url(infra.redis_url)
    try:
        keys = list(client.scan_iter(match=f"{namespace}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@asynccontextmanager
async def service_database(infra: Infra, name: str) -> AsyncIterator[asyncpg.Pool]:
    """Read access to a service's own database, for the tests' assertions only."""
    pool = await asyncpg.create_pool(infra.database_url(name), min_size=1, max_size=2)
    assert pool is not None
    try:
        yield pool
    finally:
        await pool.close()


def field_violations(error: grpc.aio.AioRpcError) -> list[str]:
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                bad_request = error_details_pb2.BadRequest()
                if detail.Unpack(bad_request):
                    return [v.field for v in bad_request.field_violations]
    return []


async def publish(
    amqp: aio_pika.abc.AbstractRobustConnection,
    namespace: str,
    message: aio_pika.Message,
    routing_key: str,
    *,
    times: int = 1,
) -> None:
    """Publish to the run's events exchange as a service would (confirmed, mandatory);
    ``times`` > 1 delivers the same message again."""
    channel = await amqp.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(Topology(namespace).events_exchange)
    for _ in range(times):
        await exchange.publish(message, routing_key=routing_key, mandatory=True)
    await channel.close()


async def wait_for(predicate: Any, timeout: float = 15.0) -> Any:
    """Poll ``predicate`` (a function, or a coroutine function) until it returns something
    truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        await asyncio.sleep(0.1)
    raise TimeoutError("condition not met in time")
