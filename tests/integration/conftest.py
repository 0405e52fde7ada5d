"""Fixtures: one namespace, one set of databases and real service processes per test run."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import grpc
import httpx
import pytest
from harness import Infra, ServiceProcess, drop_database, infrastructure, run_id

from civicloop.platform.auth import mint_dev_token
from civicloop.platform.bus import Topology
from civicloop.platform.grpc_server import client_channel

# A short delivery limit so a poison message reaches the parking queue quickly.
DELIVERY_LIMIT = 3


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with infrastructure() as found:
        yield found


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    rid = run_id()
    return {"id": rid, "namespace": f"t{rid}.", "dir": tmp_path_factory.mktemp(f"run{rid}")}


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
    }


@pytest.fixture(scope="session")
async def intake(infra: Infra, run: dict[str, Any]) -> AsyncIterator[ServiceProcess]:
    database = f"intake_t{run['id']}"
    service = ServiceProcess("intake", service_env(infra, run, database), Path(run["dir"]))
    service.start()
    try:
        await service.wait_ready()
        yield service
    finally:
        service.stop()
        await drop_database(infra, database)
        await delete_namespace(infra, run["namespace"])


async def delete_namespace(infra: Infra, namespace: str) -> None:
    """Remove the run's exchanges and queues so the shared broker stays clean."""
    topology = Topology(namespace)
    connection = await aio_pika.connect(infra.amqp_url)
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


@pytest.fixture(scope="session")
async def intake_db(
    infra: Infra, run: dict[str, Any], intake: ServiceProcess
) -> AsyncIterator[asyncpg.Pool]:
    """Read access to intake's own database, for the tests' assertions only."""
    pool = await asyncpg.create_pool(
        infra.database_url(f"intake_t{run['id']}"), min_size=1, max_size=2
    )
    assert pool is not None
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
async def http(intake: ServiceProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=intake.http_url, timeout=10) as client:
        yield client


def token(*roles: str, subject: str = "test-user") -> str:
    return mint_dev_token(subject, list(roles))


def bearer(*roles: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token(*roles)}"}


@pytest.fixture(scope="session")
async def grpc_channel(intake: ServiceProcess) -> AsyncIterator[grpc.aio.Channel]:
    channel = client_channel(intake.grpc_target)
    yield channel
    await channel.close()


@pytest.fixture(scope="session")
async def amqp(infra: Infra) -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(infra.amqp_url)
    yield connection
    await connection.close()


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


@pytest.fixture
async def tap(
    amqp: aio_pika.abc.AbstractRobustConnection, run: dict[str, Any], intake: ServiceProcess
) -> AsyncIterator[EventTap]:
    channel = await amqp.channel()
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(Topology(run["namespace"]).events_exchange, routing_key="#")
    yield EventTap(queue)
    await queue.delete(if_unused=False, if_empty=False)
    await channel.close()


def random_phone() -> str:
    return f"1{random.choice('3456789')}{random.randrange(10**9):09d}"


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
