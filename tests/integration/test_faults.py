"""Faults that must not degrade quietly: a relay that lost its LISTEN connection, Redis away,
events no delivery could apply, database connections dropped under a request, and a command
repeated because its answer was lost. Over real processes; each fault is made in the test's own
database, namespace or Redis, never in what other runs share."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import grpc
import httpx
import pytest
from google.rpc import error_details_pb2, status_pb2
from harness import (
    EventTap,
    Infra,
    ServiceProcess,
    delete_namespace,
    drop_database,
    free_port,
    grpc_auth,
    new_key,
    petition_body,
    publish,
    service_env,
    wait_for,
)
from prometheus_client.parser import text_string_to_metric_families
from test_intake_reliability import civicloop_ops, take_from

from civicloop.platform.bus import PARKED_AT_DELIVERY, PARKED_REASON, Topology
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.grpc_server import client_channel
from civicloop.platform.outbox import LISTENER_NAME
from civicloop.v1 import common_pb2, events_pb2, intake_pb2, intake_pb2_grpc

SUBMITTED = "civicloop.petition.submitted.v1"
OFFICE = grpc_auth("office")


@dataclass
class OwnIntake:
    """An intake process of the test's own: its database, namespace and log."""

    service: ServiceProcess
    database: str
    namespace: str
    http: httpx.AsyncClient

    def log(self) -> str:
        return self.service.log_path.read_text(errors="replace")

    async def metric(self, name: str, **labels: str) -> float:
        text = (await self.http.get("/metrics")).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(
                    sample.labels.get(k) == v for k, v in labels.items()
                ):
                    return float(sample.value)
        raise AssertionError(f"{name} {labels} not in /metrics")


@contextlib.asynccontextmanager
async def own_intake(
    infra: Infra, run: dict[str, Any], name: str, **env: str
) -> AsyncIterator[OwnIntake]:
    database = f"intake_t{run['id']}_{name}"
    namespace = f"{run['namespace']}{name}."
    process = ServiceProcess(
        "intake",
        {**service_env(infra, run, database), "CIVICLOOP_NAMESPACE": namespace, **env},
        Path(run["dir"]) / name,
    )
    process.start()
    try:
        await process.wait_ready()
        async with httpx.AsyncClient(base_url=process.http_url, timeout=30) as http:
            yield OwnIntake(process, database, namespace, http)
    finally:
        process.stop()
        await drop_database(infra, database)
        await delete_namespace(infra, namespace)


@contextlib.asynccontextmanager
async def admin_connection(infra: Infra) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(infra.database_url("postgres"))
    try:
        yield conn
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def event_tap(
    amqp: aio_pika.abc.AbstractRobustConnection, namespace: str
) -> AsyncIterator[EventTap]:
    channel = await amqp.channel()
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(Topology(namespace).events_exchange, routing_key="#")
    yield EventTap(queue)
    await channel.close()


async def listen_backend(admin: asyncpg.Connection, database: str) -> int | None:
    """The server process of the relay's LISTEN connection, if it has one."""
    pid = await admin.fetchval(
        "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
        database,
        LISTENER_NAME,
    )
    return int(pid) if pid is not None else None


async def terminate_waiting(admin: asyncpg.Connection, database: str) -> int:
    """Terminate the service's connections that wait on a lock the test holds; how many."""
    return int(
        await admin.fetchval(
            """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()""",
            database,
        )
    )


async def waiting_on_locks(admin: asyncpg.Connection, database: str) -> int:
    return int(
        await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
            database,
        )
    )


# ---- the relay and its LISTEN connection ----


async def test_the_outbox_relay_listens_again_after_its_connection_is_terminated(
    infra: Infra, run: dict[str, Any], amqp: aio_pika.abc.AbstractRobustConnection
) -> None:
    # Every pool connection opened at start: while the database refuses new connections
    # below, filing still has its connections, only the relay's LISTEN cannot come back.
    async with (
        own_intake(infra, run, "relisten", DB_POOL_MIN="4", DB_POOL_MAX="4") as intake,
        admin_connection(infra) as admin,
        event_tap(amqp, intake.namespace) as tap,
    ):
        assert await intake.metric("civicloop_outbox_relay_listening") == 1
        first = await wait_for(lambda: listen_backend(admin, intake.database))
        await admin.execute("SELECT pg_terminate_backend($1)", first)

        async def listening_anew() -> bool:
            pid = await listen_backend(admin, intake.database)
            return pid not in (None, first)

        await wait_for(listening_anew)
        await wait_for(lambda: "outbox relay listening again" in intake.log())
        assert "outbox relay lost its LISTEN connection" in intake.log()
        assert await intake.metric("civicloop_outbox_listen_lost_total") == 1
        assert await intake.metric("civicloop_outbox_relay_listening") == 1

        # Now it cannot come back for a while: the relay polls, and says so.
        second = await listen_backend(admin, intake.database)
        sent_by_poll = await intake.metric("civicloop_outbox_sent_by_poll_total")
        await admin.execute(f'ALTER DATABASE "{intake.database}" ALLOW_CONNECTIONS false')
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", second)
            await wait_for(lambda: "outbox relay cannot LISTEN" in intake.log())
            assert await intake.metric("civicloop_outbox_relay_listening") == 0
            assert await intake.metric("civicloop_outbox_listen_lost_total") == 2
            created = await intake.http.post("/v1/petitions", json=petition_body())
            assert created.status_code == 201, created.text
            case_id = created.json()["case"]["case_id"]
            await tap.for_subject(case_id, SUBMITTED)  # sent all the same, by the poll

            async def sent_by_the_poll() -> bool:
                counted = await intake.metric("civicloop_outbox_sent_by_poll_total")
                return counted >= sent_by_poll + 1

            await wait_for(sent_by_the_poll)

            # The lag gauge reports how long the event waited for that poll.
            async def lag_shown() -> bool:
                return await intake.metric("civicloop_outbox_oldest_unsent_seconds") > 0

            await wait_for(lag_shown)
        finally:
            await admin.execute(f'ALTER DATABASE "{intake.database}" ALLOW_CONNECTIONS true')

        async def listening() -> bool:
            return await intake.metric("civicloop_outbox_relay_listening") == 1

        await wait_for(listening, timeout=30)  # its backoff is at most 10 s
        assert await listen_backend(admin, intake.database) is not None


# ---- readiness: Redis is a degraded dependency, not a reason to leave ----


@contextlib.contextmanager
def own_redis() -> Any:
    """A redis-server of the test's own on a free port (the shared one is never stopped)."""
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process, f"redis://127.0.0.1:{port}/0"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def test_with_redis_down_intake_files_and_stays_ready(
    infra: Infra, run: dict[str, Any]
) -> None:
    with own_redis() as (redis_server, redis_url):
        async with own_intake(infra, run, "noredis", REDIS_URL=redis_url) as intake:
            ready = (await intake.http.get("/readyz")).json()
            assert ready["status"] == "ready" and ready["checks"]["redis"] is True
            assert await intake.metric("civicloop_dependency_up", dependency="redis") == 1

            redis_server.kill()
            redis_server.wait()

            created = await intake.http.post("/v1/petitions", json=petition_body())
            assert created.status_code == 201, created.text  # rate limits skipped, as designed
            answer = await intake.http.get("/readyz")
            assert answer.status_code == 200, answer.text
            ready = answer.json()
            assert ready["status"] == "degraded" and ready["degraded"] == ["redis"]
            assert ready["checks"]["redis"] is False and ready["checks"]["database"] is True
            assert await intake.metric("civicloop_dependency_up", dependency="redis") == 0
            assert await intake.metric("civicloop_rate_limits_unchecked_total") >= 1
            assert "rate limits not checked until Redis answers again" in intake.log()


async def test_without_its_database_a_service_is_not_ready(
    infra: Infra, run: dict[str, Any]
) -> None:
    async with own_intake(infra, run, "nodb") as intake, admin_connection(infra) as admin:
        await admin.execute(f'ALTER DATABASE "{intake.database}" ALLOW_CONNECTIONS false')
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                intake.database,
            )
            answer = await intake.http.get("/readyz")
            assert answer.status_code == 503, answer.text
            assert answer.json()["checks"]["database"] is False
            assert await intake.metric("civicloop_dependency_up", dependency="database") == 0
        finally:
            await admin.execute(f'ALTER DATABASE "{intake.database}" ALLOW_CONNECTIONS true')

        async def ready_again() -> bool:
            return (await intake.http.get("/readyz")).status_code == 200

        await wait_for(ready_again)


# ---- events no delivery could ever apply ----


def poison(kind: str, service: str) -> EventEnvelope:
    """An event of a type ``service`` consumes whose body no delivery could apply."""
    case_id = "not-a-uuid" if kind == "case_id not a UUID" else str(uuid.uuid4())
    payload = (
        events_pb2.CaseOpened(case_id=case_id, case_version=2, community_code="C001")
        if service == "dispatch"
        else events_pb2.CaseDispatched(case_id=case_id, case_version=2, department_code="housing")
    )
    envelope = EventEnvelope.wrap(payload, source="test", subject=case_id)
    if kind == "body not protobuf":
        envelope = EventEnvelope(**{**envelope.__dict__, "data": b"\xff\xfe not a protobuf"})
    return envelope


@pytest.mark.parametrize("service", ["intake", "dispatch"])
@pytest.mark.parametrize("kind", ["body not protobuf", "case_id not a UUID"])
async def test_an_event_that_can_never_be_read_is_parked_at_once_with_its_reason(
    kind: str,
    service: str,
    amqp: aio_pika.abc.AbstractRobustConnection,
    infra: Infra,
    run: dict[str, Any],
    intake: ServiceProcess,
    dispatch: ServiceProcess,
) -> None:
    consumer = intake if service == "intake" else dispatch
    event = poison(kind, service)
    await publish(amqp, run["namespace"], event.to_amqp(), event.type)

    async def parked() -> aio_pika.abc.AbstractIncomingMessage | None:
        return await take_from(
            amqp,
            Topology(run["namespace"]).parking_queue(service),
            lambda m: (m.headers or {}).get("ce-id") == event.id,
        )

    # What the operator's listing shows: the event and why it was parked.
    ops_env = {**os.environ, "AMQP_URL": infra.amqp_url, "CIVICLOOP_NAMESPACE": run["namespace"]}

    async def listed() -> str | None:
        listing = await civicloop_ops(
            ops_env, "parking", "list", "--service", service, "--limit", "100000"
        )
        return next((line for line in listing.splitlines() if event.id in line), None)

    line = await wait_for(listed, timeout=15)
    assert ("is not a UUID" if kind == "case_id not a UUID" else "protobuf message") in line
    message = await wait_for(parked, timeout=15)
    # Parked at its first delivery, not retried to the delivery limit, and says why.
    reason = "is not a UUID" if kind == "case_id not a UUID" else "protobuf message"
    assert message.headers[PARKED_AT_DELIVERY] == 1
    assert reason in str(message.headers[PARKED_REASON])
    parked_lines = [
        line
        for line in consumer.log_path.read_text(errors="replace").splitlines()
        if event.id in line
    ]
    assert any("malformed message parked" in line for line in parked_lines), parked_lines
    assert any(reason in line for line in parked_lines), parked_lines
    assert not any("requeued" in line for line in parked_lines), parked_lines


# ---- a dropped database connection under a request ----


@pytest.fixture(scope="module")
async def faulty(infra: Infra, run: dict[str, Any]) -> AsyncIterator[OwnIntake]:
    """An intake whose connections the tests terminate: none of the shared ones."""
    async with own_intake(infra, run, "faults") as intake:
        yield intake


@pytest.fixture(scope="module")
async def faulty_stub(faulty: OwnIntake) -> AsyncIterator[intake_pb2_grpc.IntakeServiceStub]:
    channel = client_channel(faulty.service.grpc_target)
    yield intake_pb2_grpc.IntakeServiceStub(channel)
    await channel.close()


@contextlib.asynccontextmanager
async def table_locked(infra: Infra, database: str, table: str) -> AsyncIterator[None]:
    """Holds ``table`` so that the service's statements on it wait (and can be terminated
    while they do); released when the block ends."""
    conn = await asyncpg.connect(infra.database_url(database))
    try:
        async with conn.transaction():
            await conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            yield
    finally:
        await conn.close()


async def drop_connections_until_answered(
    admin: asyncpg.Connection, database: str, call: asyncio.Future[Any]
) -> int:
    """Terminate every connection of the service that waits on the test's lock until the
    call has its answer; how many were terminated."""
    dropped = 0
    while not call.done():
        dropped += await terminate_waiting(admin, database)
        await asyncio.sleep(0.05)
    return dropped


async def file_petitions(intake: OwnIntake, count: int) -> list[dict[str, Any]]:
    filed = []
    for _ in range(count):
        response = await intake.http.post("/v1/petitions", json=petition_body())
        assert response.status_code == 201, response.text
        filed.append(response.json())
    return filed


def consolidation(
    petition_ids: list[str], request_id: str = ""
) -> intake_pb2.ConsolidateCaseRequest:
    return intake_pb2.ConsolidateCaseRequest(
        petition_ids=petition_ids,
        list=common_pb2.CASE_LIST_PRACTICAL_MATTERS,
        urgency=common_pb2.URGENCY_GENERAL,
        summary="翔凤桥社区小区门口路灯不亮",
        request_id=request_id,
    )


async def test_a_command_whose_connection_drops_before_it_commits_is_run_again(
    infra: Infra, faulty: OwnIntake, faulty_stub: intake_pb2_grpc.IntakeServiceStub
) -> None:
    (filed,) = await file_petitions(faulty, 1)
    case_id = filed["case"]["case_id"]
    retried = await faulty.metric("civicloop_database_connection_lost_total", outcome="retried")
    async with admin_connection(infra) as admin:
        conn = await asyncpg.connect(infra.database_url(faulty.database))
        try:
            tx = conn.transaction()
            await tx.start()
            # The case's row held: the command waits for it inside its transaction.
            await conn.execute("SELECT 1 FROM cases WHERE id = $1::uuid FOR UPDATE", case_id)
            call = asyncio.ensure_future(
                faulty_stub.ConsolidateCase(
                    consolidation([filed["petition"]["petition_id"]]), metadata=OFFICE, timeout=30
                )
            )
            await wait_for(lambda: waiting_on_locks(admin, faulty.database))
            assert await terminate_waiting(admin, faulty.database) == 1
            # Run again on a fresh connection, it waits for the row once more; then gets it.
            await wait_for(lambda: waiting_on_locks(admin, faulty.database))
            await tx.rollback()
        finally:
            await conn.close()
        answer = await call
    assert answer.case.case_id == case_id and answer.case.state == common_pb2.CASE_STATE_OPEN
    assert answer.case.version == 2  # opened once
    assert (
        await faulty.metric("civicloop_database_connection_lost_total", outcome="retried")
        == retried + 1
    )
    assert "running it again" in faulty.log()


async def test_a_filing_whose_connection_drops_at_commit_answers_503_and_its_repeat_files(
    infra: Infra, faulty: OwnIntake
) -> None:
    key = new_key()
    body = petition_body()
    async with admin_connection(infra) as admin:
        async with table_locked(infra, faulty.database, "petitions"):
            call = asyncio.create_task(
                faulty.http.post("/v1/petitions", json=body, headers={"Idempotency-Key": key})
            )
            assert await drop_connections_until_answered(admin, faulty.database, call) >= 1
        answer = await call
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "1"
    problem = answer.json()
    assert problem["status"] == 503 and "repeat the request" in problem["detail"]
    # Whether the filing committed is unknown to the service: the caller's repeat, under
    # the same key, settles it (here it had not, so the repeat files it).
    repeat = await faulty.http.post("/v1/petitions", json=body, headers={"Idempotency-Key": key})
    assert repeat.status_code == 201, repeat.text
    again = await faulty.http.post("/v1/petitions", json=body, headers={"Idempotency-Key": key})
    assert again.status_code == 200
    assert again.json()["petition"]["petition_id"] == repeat.json()["petition"]["petition_id"]
    assert "Exception in ASGI application" not in faulty.log()
    assert "database connection lost; the caller is told to try again" in faulty.log()


async def test_a_read_that_loses_its_connection_twice_answers_unavailable(
    infra: Infra, faulty: OwnIntake, faulty_stub: intake_pb2_grpc.IntakeServiceStub
) -> None:
    (filed,) = await file_petitions(faulty, 1)
    unavailable = await faulty.metric(
        "civicloop_database_connection_lost_total", outcome="unavailable"
    )
    async with admin_connection(infra) as admin:
        async with table_locked(infra, faulty.database, "cases"):
            call = asyncio.ensure_future(
                faulty_stub.GetCase(
                    intake_pb2.GetCaseRequest(case_id=filed["case"]["case_id"]),
                    metadata=OFFICE,
                    timeout=30,
                )
            )
            # The first run and the one retry each lose their connection.
            assert await drop_connections_until_answered(admin, faulty.database, call) == 2
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert retry_delay_seconds(refused.value) == 1
    assert (
        await faulty.metric("civicloop_database_connection_lost_total", outcome="unavailable")
        == unavailable + 1
    )
    assert "unexpected error" not in faulty.log()


def retry_delay_seconds(error: grpc.aio.AioRpcError) -> int | None:
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            for detail in status_pb2.Status.FromString(value).details:
                retry = error_details_pb2.RetryInfo()
                if detail.Unpack(retry):
                    return int(retry.retry_delay.seconds)
    return None


# ---- a command repeated after its answer was lost ----


async def test_consolidation_repeated_while_the_first_is_in_flight_gets_the_first_answer(
    infra: Infra, faulty: OwnIntake, faulty_stub: intake_pb2_grpc.IntakeServiceStub
) -> None:
    filed = await file_petitions(faulty, 2)
    petition_ids = [f["petition"]["petition_id"] for f in filed]
    case_ids = [f["case"]["case_id"] for f in filed]
    request = consolidation(petition_ids, request_id=new_key())
    conn = await asyncpg.connect(infra.database_url(faulty.database))
    async with admin_connection(infra) as admin:
        try:
            tx = conn.transaction()
            await tx.start()
            await conn.execute(
                "SELECT 1 FROM cases WHERE id = ANY($1::uuid[]) FOR UPDATE", case_ids
            )
            # The first call waits for the cases; its caller gives up waiting (its answer is
            # lost to it) and sends the same request again, which waits for the first.
            first = asyncio.ensure_future(
                faulty_stub.ConsolidateCase(request, metadata=OFFICE, timeout=30)
            )
            await wait_for(lambda: waiting_on_locks(admin, faulty.database))
            repeat = asyncio.ensure_future(
                faulty_stub.ConsolidateCase(request, metadata=OFFICE, timeout=30)
            )

            async def both_waiting() -> bool:
                return await waiting_on_locks(admin, faulty.database) == 2

            await wait_for(both_waiting)
            await tx.rollback()
        finally:
            await conn.close()
    answers = [(await first).case, (await repeat).case]
    assert [a.case_id for a in answers] == [case_ids[0], case_ids[0]]
    assert all(sorted(a.petition_ids) == sorted(petition_ids) for a in answers)
    assert answers[1] == answers[0]
    # And once more afterwards: the same answer, nothing written.
    later = (await faulty_stub.ConsolidateCase(request, metadata=OFFICE, timeout=10)).case
    assert later == answers[0]
    history = await history_of(infra, faulty.database, case_ids[0])
    assert history.count("civicloop.case.opened.v1") == 1, history


async def history_of(infra: Infra, database: str, case_id: str) -> list[str]:
    conn = await asyncpg.connect(infra.database_url(database))
    try:
        rows = await conn.fetch(
            "SELECT event_type FROM history WHERE aggregate_id = $1 ORDER BY version", case_id
        )
        return [row["event_type"] for row in rows]
    finally:
        await conn.close()
