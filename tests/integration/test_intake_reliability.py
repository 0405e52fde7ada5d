"""At-least-once delivery, exactly-once effect, parking of poison messages, graceful stops."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
from harness import (
    EventTap,
    Infra,
    ServiceProcess,
    bearer,
    delete_namespace,
    drop_database,
    petition_body,
    publish,
    service_env,
    wait_for,
)

from civicloop.platform.bus import PARKED_AT_DELIVERY, PARKED_REASON, Topology
from civicloop.platform.envelope import EventEnvelope
from civicloop.v1 import events_pb2

DISPATCHED = "civicloop.case.dispatched.v1"


def dispatched_event(case_id: str, version: int, event_id: str | None = None) -> EventEnvelope:
    envelope = EventEnvelope.wrap(
        events_pb2.CaseDispatched(
            case_id=case_id,
            case_version=version,
            department_code="housing",
            round=1,
            automatic=True,
        ),
        source="dispatch",
        subject=case_id,
    )
    if event_id:
        envelope = EventEnvelope(**{**envelope.__dict__, "id": event_id})
    return envelope


async def test_sigkill_between_commit_and_publish_loses_no_event(
    infra: Infra, run: dict[str, Any], tap: EventTap
) -> None:
    database = f"intake_t{run['id']}_crash"
    crashing = ServiceProcess(
        "intake", service_env(infra, run, database), Path(run["dir"]) / "crash"
    )
    # The relay is held back, so the process dies with the event committed but unpublished.
    crashing.start(OUTBOX_RELAY_ENABLED="false")
    try:
        await crashing.wait_ready()
        async with httpx.AsyncClient(base_url=crashing.http_url) as client:
            created = (await client.post("/v1/petitions", json=petition_body())).json()
        case_id = created["case"]["case_id"]
        crashing.kill()
        with pytest.raises(TimeoutError):
            await tap.for_subject(case_id, "civicloop.petition.submitted.v1", timeout=1.0)
        db = await asyncpg.connect(infra.database_url(database))
        try:
            assert await db.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 1
            crashing.start()
            await crashing.wait_ready()
            message = await tap.for_subject(case_id, "civicloop.petition.submitted.v1")
            assert message.headers["ce-subject"] == case_id  # type: ignore[index]
            assert await wait_for(
                lambda: db.fetchval("SELECT count(*) = 0 FROM outbox WHERE sent_at IS NULL")
            )
        finally:
            await db.close()
        assert crashing.stop() == 0, crashing.tail_log()
        assert "service stopped" in crashing.tail_log()
    finally:
        crashing.stop()
        await drop_database(infra, database)


async def test_a_redelivered_event_is_applied_once(
    http: httpx.AsyncClient,
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    intake_db: asyncpg.Pool,
) -> None:
    created = (await http.post("/v1/petitions", json=petition_body())).json()
    case_id = created["case"]["case_id"]
    event = dispatched_event(case_id, version=2)
    for _ in range(3):  # the broker delivering the same event again
        await publish(amqp, run["namespace"], event.to_amqp(), DISPATCHED)

    async def dispatched() -> bool:
        case = (await http.get(f"/v1/cases/{case_id}", headers=bearer("office"))).json()
        return case["state"] == "dispatched"

    await wait_for(dispatched)
    queue = Topology(run["namespace"]).events_queue("intake")

    async def drained() -> bool:
        channel = await amqp.channel()
        declared = await channel.declare_queue(queue, passive=True)
        await channel.close()
        return declared.declaration_result.message_count == 0

    await wait_for(drained)
    await asyncio.sleep(0.5)  # let the last in-flight duplicate finish its transaction
    case = (await http.get(f"/v1/cases/{case_id}", headers=bearer("office"))).json()
    assert case["version"] == 2 and case["department_code"] == "housing"
    applied = await intake_db.fetchval("SELECT count(*) FROM history WHERE event_id = $1", event.id)
    assert applied == 1
    assert await intake_db.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event.id) == 1


async def take_from(
    amqp: aio_pika.abc.AbstractRobustConnection, queue_name: str, wanted: Any
) -> aio_pika.abc.AbstractIncomingMessage | None:
    """Look through a queue without disturbing it: ack the wanted message, leave the rest."""
    channel = await amqp.channel()
    queue = await channel.get_queue(queue_name)
    found = None
    while (message := await queue.get(no_ack=False, fail=False)) is not None:
        if wanted(message):
            found = message
            await message.ack()
            break
    await channel.close()  # every other message we looked at goes back to the queue
    return found


async def parked(
    amqp: aio_pika.abc.AbstractRobustConnection, namespace: str, event_id: str
) -> aio_pika.abc.AbstractIncomingMessage | None:
    return await take_from(
        amqp,
        Topology(namespace).parking_queue("intake"),
        lambda m: (m.headers or {}).get("ce-id") == event_id,
    )


async def test_a_message_that_keeps_failing_ends_in_the_parking_queue(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    intake: ServiceProcess,
) -> None:
    # A case intake does not know (yet): a later delivery might apply it, so it is retried.
    # What no delivery could apply is parked at once (test_faults.py).
    event = dispatched_event(str(uuid.uuid4()), version=2)
    await publish(amqp, run["namespace"], event.to_amqp(), DISPATCHED)
    found = await wait_for(lambda: parked(amqp, run["namespace"], event.id), timeout=30)
    # RabbitMQ counted the deliveries before it gave up on the message.
    deaths = found.headers.get("x-death") or []
    assert deaths and deaths[0]["reason"] in ("delivery_limit", b"delivery_limit")


async def test_a_message_without_cloudevents_attributes_is_parked_at_once(
    amqp: aio_pika.abc.AbstractRobustConnection, run: dict[str, Any], intake: ServiceProcess
) -> None:
    marker = str(uuid.uuid4())
    await publish(
        amqp, run["namespace"], aio_pika.Message(b"{}", headers={"marker": marker}), DISPATCHED
    )

    async def found() -> aio_pika.abc.AbstractIncomingMessage | None:
        return await take_from(
            amqp,
            Topology(run["namespace"]).parking_queue("intake"),
            lambda m: (m.headers or {}).get("marker") == marker,
        )

    message = await wait_for(found, timeout=15)
    # Parked at its first delivery, not retried until the delivery limit, and says why.
    assert message.headers[PARKED_AT_DELIVERY] == 1
    assert message.headers[PARKED_REASON] == "missing CloudEvents header 'ce-id'"


async def test_an_event_no_service_is_bound_to_is_kept_visible(
    amqp: aio_pika.abc.AbstractRobustConnection, run: dict[str, Any], intake: ServiceProcess
) -> None:
    envelope = EventEnvelope.wrap(
        events_pb2.BatchPublished(batch_id="b-1"), source="publication", subject="b-1"
    )
    await publish(amqp, run["namespace"], envelope.to_amqp(), envelope.type)

    async def kept() -> bool:
        return (
            await take_from(
                amqp,
                Topology(run["namespace"]).unrouted_queue,
                lambda m: m.message_id == envelope.id,
            )
            is not None
        )

    assert await wait_for(kept)


async def test_an_operator_lists_and_replays_a_parked_event(
    http: httpx.AsyncClient,
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    infra: Infra,
) -> None:
    created = (await http.post("/v1/petitions", json=petition_body())).json()
    case_id = created["case"]["case_id"]
    event = dispatched_event(case_id, version=2)
    # Parked as RabbitMQ parks it once the delivery limit is spent (say, the database was
    # down): dead-lettered to the service's parking queue.
    channel = await amqp.channel(publisher_confirms=True)
    dead_letter = await channel.get_exchange(Topology(run["namespace"]).dead_letter_exchange)
    await dead_letter.publish(event.to_amqp(), routing_key="intake", mandatory=True)
    await channel.close()
    env = {**os.environ, "AMQP_URL": infra.amqp_url, "CIVICLOOP_NAMESPACE": run["namespace"]}
    listed = await civicloop_ops(env, "parking", "list", "--service", "intake", "--limit", "100000")
    assert event.id in listed and DISPATCHED in listed
    replayed = await civicloop_ops(
        env, "parking", "replay", "--service", "intake", "--id", event.id
    )
    assert "1 event(s) replayed" in replayed

    async def applied() -> bool:
        case = (await http.get(f"/v1/cases/{case_id}", headers=bearer("office"))).json()
        return bool(case["state"] == "dispatched")

    assert await wait_for(applied)


async def civicloop_ops(env: dict[str, str], *args: str) -> str:
    """Run the operator's command as an operator would, and return what it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "civicloop.platform.ops",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_production_refuses_to_start_on_development_secrets(
    infra: Infra, run: dict[str, Any]
) -> None:
    refused = ServiceProcess(
        "intake", service_env(infra, run, f"intake_t{run['id']}_prod"), Path(run["dir"]) / "prod"
    )
    refused.start(CIVICLOOP_ENVIRONMENT="production")
    assert refused.process is not None
    code = await asyncio.to_thread(refused.process.wait, 60)
    assert code != 0
    assert "production never uses the development value" in refused.tail_log(80)
    await drop_database(infra, f"intake_t{run['id']}_prod")


async def test_a_queue_declared_with_other_arguments_is_kept_and_consumed(
    infra: Infra, run: dict[str, Any]
) -> None:
    """An upgrade that changes the delivery limit must not stop the service from starting."""
    namespace = f"{run['namespace']}upgrade."
    database = f"intake_t{run['id']}_upgrade"
    connection = await aio_pika.connect(infra.amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.declare_queue(
            f"{namespace}intake.events",
            durable=True,
            arguments={"x-queue-type": "quorum", "x-delivery-limit": 5},
        )
    upgraded = ServiceProcess(
        "intake",
        {**service_env(infra, run, database), "CIVICLOOP_NAMESPACE": namespace},
        Path(run["dir"]) / "upgrade",
    )
    upgraded.start(EVENT_DELIVERY_LIMIT="20")
    try:
        await upgraded.wait_ready()
        assert "keeping the existing queue's arguments" in upgraded.tail_log(80)
        connection = await aio_pika.connect(infra.amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(f"{namespace}intake.events", passive=True)
            assert queue.declaration_result.consumer_count == 1
    finally:
        upgraded.stop()
        await drop_database(infra, database)
        await delete_namespace(infra, namespace)
