"""Fixtures: one namespace, one set of databases and real service processes per test run."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import grpc
import httpx
import pytest
from amenities_loop import AmenityClient
from browser import phone_browser
from harness import (
    CLIENT_LIMITS,
    EventTap,
    Infra,
    MovableClock,
    RelayProcess,
    ServiceProcess,
    SmsSinkProcess,
    delete_namespace,
    delete_redis_keys,
    drop_database,
    infrastructure,
    run_id,
    running,
    service_database,
    service_env,
    started,
)
from rating_loop import Loop
from selenium import webdriver

from civicloop.platform.bus import Topology
from civicloop.platform.grpc_server import client_channel
from civicloop.platform.relay import relay_environments
from civicloop.v1 import (
    amenities_pb2_grpc,
    dispatch_pb2_grpc,
    intake_pb2_grpc,
    rating_pb2_grpc,
)


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with infrastructure() as found:
        yield found


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    rid = run_id()
    return {"id": rid, "namespace": f"t{rid}.", "dir": tmp_path_factory.mktemp(f"run{rid}")}


@pytest.fixture(scope="session")
async def intake(infra: Infra, run: dict[str, Any]) -> AsyncIterator[ServiceProcess]:
    database = f"intake_t{run['id']}"
    try:
        async with running(infra, "intake", service_env(infra, run, database), run) as service:
            yield service
    finally:
        await delete_namespace(infra, run["namespace"])


@pytest.fixture(scope="session")
async def intake_db(
    infra: Infra, run: dict[str, Any], intake: ServiceProcess
) -> AsyncIterator[asyncpg.Pool]:
    """Read access to intake's own database, for the tests' assertions only."""
    async with service_database(infra, f"intake_t{run['id']}") as pool:
        yield pool


@pytest.fixture(scope="session")
async def http(intake: ServiceProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=intake.http_url, timeout=10, limits=CLIENT_LIMITS
    ) as client:
        yield client


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


# ---- dispatch ----

# A calendar of the tests' own: Wednesday 2031-03-05 is a holiday.
TEST_CALENDAR = {"holidays": ["2031-03-05"], "makeup_workdays": []}


@pytest.fixture(scope="session")
async def dispatch(
    infra: Infra, run: dict[str, Any], intake: ServiceProcess
) -> AsyncIterator[ServiceProcess]:
    database = f"dispatch_t{run['id']}"
    run_dir = Path(run["dir"])
    calendar = run_dir / "calendar.json"
    calendar.write_text(json.dumps(TEST_CALENDAR))
    env = service_env(infra, run, database) | {
        "CIVICLOOP_CLOCK_FILE": str(run_dir / "clock"),
        "DISPATCH_CALENDAR_FILE": str(calendar),
        "DISPATCH_ESCALATION_SCAN_SECONDS": "0.2",
    }
    async with running(infra, "dispatch", env, run) as service:
        yield service


@pytest.fixture
def clock(dispatch: ServiceProcess) -> Iterator[MovableClock]:
    """Moves dispatch's clock; back to real time after the test."""
    moved = MovableClock(Path(dispatch.env["CIVICLOOP_CLOCK_FILE"]))
    yield moved
    moved.reset()


@pytest.fixture(scope="session")
async def dispatch_channel(dispatch: ServiceProcess) -> AsyncIterator[grpc.aio.Channel]:
    channel = client_channel(dispatch.grpc_target)
    yield channel
    await channel.close()


@pytest.fixture(scope="session")
async def dispatch_db(
    infra: Infra, run: dict[str, Any], dispatch: ServiceProcess
) -> AsyncIterator[asyncpg.Pool]:
    async with service_database(infra, f"dispatch_t{run['id']}") as pool:
        yield pool


@pytest.fixture(scope="session")
async def sms_sink(run: dict[str, Any]) -> AsyncIterator[SmsSinkProcess]:
    """The development SMS sink, where rating's links arrive."""
    sink = SmsSinkProcess("sms-sink", {}, Path(run["dir"]))
    async with started(sink):
        yield sink


@pytest.fixture(scope="session")
async def rating(
    infra: Infra,
    run: dict[str, Any],
    intake: ServiceProcess,
    dispatch: ServiceProcess,
    sms_sink: SmsSinkProcess,
) -> AsyncIterator[ServiceProcess]:
    database = f"rating_t{run['id']}"
    run_dir = Path(run["dir"])
    env = service_env(infra, run, database) | {
        "CIVICLOOP_CLOCK_FILE": str(run_dir / "rating-clock"),
        "INTAKE_GRPC_TARGET": intake.grpc_target,
        "DISPATCH_GRPC_TARGET": dispatch.grpc_target,
        "RATING_SMS_URL": sms_sink.messages_url,
        "RATING_SMS_BACKOFF_SECONDS": "0.05",
        "RATING_SCAN_SECONDS": "0.2",
        # Every test rates from 127.0.0.1: the per-address limit is for the public.
        "RATING_LIMIT_PER_ADDRESS_MINUTE": "100000",
    }
    # As deployed: its outbox relay runs as a process of its own, beside it.
    relay = RelayProcess("rating-relay", {}, run_dir)
    env, relay.env = relay_environments(env, "rating", relay.http_port)
    async with running(infra, "rating", env, run) as service, started(relay):
        yield service


@pytest.fixture
def rating_clock(rating: ServiceProcess) -> Iterator[MovableClock]:
    """Moves rating's clock (links expire); back to real time after the test."""
    moved = MovableClock(Path(rating.env["CIVICLOOP_CLOCK_FILE"]))
    yield moved
    moved.reset()


@pytest.fixture(scope="session")
async def rating_channel(rating: ServiceProcess) -> AsyncIterator[grpc.aio.Channel]:
    channel = client_channel(rating.grpc_target)
    yield channel
    await channel.close()


@pytest.fixture(scope="session")
async def rating_db(
    infra: Infra, run: dict[str, Any], rating: ServiceProcess
) -> AsyncIterator[asyncpg.Pool]:
    async with service_database(infra, f"rating_t{run['id']}") as pool:
        yield pool


@pytest.fixture
async def loop(
    http: httpx.AsyncClient,
    grpc_channel: grpc.aio.Channel,
    dispatch_channel: grpc.aio.Channel,
    rating_channel: grpc.aio.Channel,
    sms_sink: SmsSinkProcess,
    tap: EventTap,
) -> AsyncIterator[Loop]:
    async with httpx.AsyncClient(
        base_url=sms_sink.http_url, timeout=10, limits=CLIENT_LIMITS
    ) as sink:
        yield Loop(
            http,
            intake_pb2_grpc.IntakeServiceStub(grpc_channel),
            dispatch_pb2_grpc.DispatchServiceStub(dispatch_channel),
            rating_pb2_grpc.RatingServiceStub(rating_channel),
            sink,
            tap,
        )


# ---- publication ----


@pytest.fixture(scope="session")
async def publication(
    infra: Infra,
    run: dict[str, Any],
    intake: ServiceProcess,
    dispatch: ServiceProcess,
    rating: ServiceProcess,
    ledger: ServiceProcess,
) -> AsyncIterator[ServiceProcess]:
    """Started with intake, dispatch, rating and the ledger, before the tests file anything:
    its queue must be bound before the events it shows are published."""
    database = f"publication_t{run['id']}"
    env = service_env(infra, run, database) | {
        "RATING_GRPC_TARGET": rating.grpc_target,
        "DISPATCH_GRPC_TARGET": dispatch.grpc_target,
        "LEDGER_GRPC_TARGET": ledger.grpc_target,
        "LEDGER_PUBLIC_BASE_URL": ledger.http_url,
        # The tests' webhook receivers listen on this machine, over http.
        "PUBLICATION_WEBHOOK_ALLOW_PRIVATE": "true",
        "PUBLICATION_WEBHOOK_MAX_ATTEMPTS": "3",
        "PUBLICATION_WEBHOOK_BACKOFF_SECONDS": "0.05",
        "PUBLICATION_WEBHOOK_SCAN_SECONDS": "0.2",
        # Every page rendered afresh, so a test sees the event it just caused.
        "PUBLICATION_PAGE_CACHE_SECONDS": "0",
        "PUBLICATION_RATES_KEEP_SECONDS": "0",
        "PUBLICATION_LIMIT_PER_ADDRESS_MINUTE": "100000",
    }
    process = ServiceProcess("publication", env, Path(run["dir"]))
    process.env["PUBLICATION_PUBLIC_BASE_URL"] = process.http_url
    try:
        async with started(process) as service:
            yield service
    finally:
        await drop_database(infra, database)


@pytest.fixture(scope="session")
async def publication_channel(publication: ServiceProcess) -> AsyncIterator[grpc.aio.Channel]:
    channel = client_channel(publication.grpc_target)
    yield channel
    await channel.close()


@pytest.fixture(scope="session")
async def board(publication: ServiceProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=publication.http_url, timeout=10, limits=CLIENT_LIMITS
    ) as client:
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    chrome = phone_browser()
    yield chrome
    chrome.quit()


# ---- ledger ----


def ledger_env(infra: Infra, run: dict[str, Any], database: str) -> dict[str, str]:
    return service_env(infra, run, database) | {
        "LEDGER_CHECKPOINT_SECONDS": "0.2",
        "LEDGER_INTEGRATE_SECONDS": "0.05",
        "LEDGER_LIMIT_PER_ADDRESS_MINUTE": "100000",
    }


@pytest.fixture(scope="session")
async def ledger(
    infra: Infra, run: dict[str, Any], intake: ServiceProcess
) -> AsyncIterator[ServiceProcess]:
    """The run's ledger, evidencing every case event of the run's intake and dispatch."""
    async with running(infra, "ledger", ledger_env(infra, run, f"ledger_t{run['id']}"), run) as s:
        yield s


@pytest.fixture(scope="session")
async def ledger_channel(ledger: ServiceProcess) -> AsyncIterator[grpc.aio.Channel]:
    channel = client_channel(ledger.grpc_target)
    yield channel
    await channel.close()


@pytest.fixture(scope="session")
async def ledger_db(
    infra: Infra, run: dict[str, Any], ledger: ServiceProcess
) -> AsyncIterator[asyncpg.Pool]:
    async with service_database(infra, f"ledger_t{run['id']}") as pool:
        yield pool


# ---- amenities ----


def amenities_env(infra: Infra, run: dict[str, Any], database: str) -> dict[str, str]:
    return service_env(infra, run, database) | {
        "CIVICLOOP_CLOCK_FILE": str(Path(run["dir"]) / "amenities-clock"),
        "AMENITIES_LIMIT_PER_ADDRESS_MINUTE": "100000",
        # Its tests need few connections; the whole run shares PostgreSQL's 100.
        "DB_POOL_MAX": "3",
    }


@pytest.fixture(scope="session")
async def amenities(
    infra: Infra, run: dict[str, Any], intake: ServiceProcess
) -> AsyncIterator[ServiceProcess]:
    """The run's amenities service, on a database and Redis keys of its own; confirmed
    reports become petitions in the run's intake."""
    env = amenities_env(infra, run, f"amenities_t{run['id']}") | {
        "INTAKE_GRPC_TARGET": intake.grpc_target,
        "AMENITIES_FILING_SCAN_SECONDS": "0.5",
    }
    try:
        async with running(infra, "amenities", env, run) as service:
            yield service
    finally:
        await delete_redis_keys(infra, run["namespace"])


@pytest.fixture(scope="session")
async def amenities_channel(amenities: ServiceProcess) -> AsyncIterator[grpc.aio.Channel]:
    channel = client_channel(amenities.grpc_target)
    yield channel
    await channel.close()


@pytest.fixture(scope="session")
async def amenities_db(
    infra: Infra, run: dict[str, Any], amenities: ServiceProcess
) -> AsyncIterator[asyncpg.Pool]:
    async with service_database(infra, f"amenities_t{run['id']}") as pool:
        yield pool


@pytest.fixture
def amenities_clock(amenities: ServiceProcess) -> Iterator[MovableClock]:
    """Moves amenities' clock (verifications age); back to real time after the test."""
    moved = MovableClock(Path(amenities.env["CIVICLOOP_CLOCK_FILE"]))
    yield moved
    moved.reset()


@pytest.fixture(scope="session")
def amenity_client(amenities_channel: grpc.aio.Channel) -> AmenityClient:
    return AmenityClient(amenities_pb2_grpc.AmenitiesServiceStub(amenities_channel))
