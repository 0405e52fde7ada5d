"""The outbox relay against the real PostgreSQL and RabbitMQ: with several passes in flight
at once, every row goes out exactly once and each case's events keep their order; as a
process of its own (rating's deployment), it waits for the service's outbox, then sends it."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from harness import (
    EventTap,
    Infra,
    RelayProcess,
    delete_namespace,
    drop_database,
    service_database,
    wait_for,
)

from civicloop.platform import db
from civicloop.platform.bus import EventBus
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.outbox import NOTIFY_CHANNEL, OutboxRelay, add_to_outbox

EVENT_TYPE = "civicloop.case.progress_updated.v1"


class SlowFirstEvents(EventBus):
    """The real bus, but each case's first event takes a while to be confirmed: a later pass
    that published the case's next event meanwhile would overtake it."""

    async def publish_many(self, envelopes: list[EventEnvelope]) -> list[BaseException | None]:
        if any(envelope.data == b"0" for envelope in envelopes):
            await asyncio.sleep(0.05)
        return await super().publish_many(envelopes)


@dataclass
class RelayParts:
    pool: asyncpg.Pool
    bus: EventBus
    dsn: str
    tap: EventTap  # what the relay published, on the scratch namespace's exchange


@pytest.fixture
async def relay_parts(infra: Infra, run: dict[str, Any]) -> AsyncIterator[RelayParts]:
    name = f"relay_t{run['id']}"
    namespace = f"{run['namespace']}relay."
    dsn = infra.database_url(name)
    await db.ensure_database(dsn)
    bus = SlowFirstEvents(infra.amqp_url, "relay-test", namespace)
    try:
        async with service_database(infra, name) as pool:
            await db.migrate(pool, "platform", db.PLATFORM_MIGRATIONS)
            await bus.connect()
            channel = await bus.connection.channel()
            queue = await channel.declare_queue(exclusive=True, auto_delete=True)
            await queue.bind(bus.topology.events_exchange, routing_key=EVENT_TYPE)
            yield RelayParts(pool, bus, dsn, EventTap(queue))
    finally:
        await bus.close()
        await drop_database(infra, name)
        await delete_namespace(infra, namespace)


def numbered_events(cases: int, per_case: int) -> list[EventEnvelope]:
    """``per_case`` events for each of ``cases`` cases, interleaved as commits would be."""
    case_ids = [str(uuid.uuid4()) for _ in range(cases)]
    return [
        EventEnvelope(
            id=str(uuid.uuid4()),
            type=EVENT_TYPE,
            source="/civicloop/test",
            subject=case_id,
            time=datetime.now(UTC),
            data=str(number).encode(),  # the relay forwards the body as it is
            trace_headers={},
        )
        for number in range(per_case)
        for case_id in case_ids
    ]


async def test_concurrent_passes_send_each_row_once_and_in_case_order(
    relay_parts: RelayParts,
) -> None:
    pool = relay_parts.pool
    events = numbered_events(cases=6, per_case=25)
    # Small passes, three at a time, and commits arriving while passes are in flight: a
    # case's events spread over many overlapping passes.
    relay = OutboxRelay(pool, relay_parts.bus, relay_parts.dsn, batch_size=4, concurrent_passes=3)
    relaying = asyncio.create_task(relay.run())
    for start in range(0, len(events), 3):
        async with pool.acquire() as conn, conn.transaction():
            await add_to_outbox(conn, events[start : start + 3])
        await asyncio.sleep(0.002)

    received: dict[str, list[int]] = defaultdict(list)
    ids: list[str] = []
    for _ in events:
        message = await relay_parts.tap.next()
        headers = message.headers or {}
        received[str(headers["ce-subject"])].append(int(message.body))
        ids.append(str(headers["ce-id"]))
    relay.stop()
    await relaying

    assert sorted(ids) == sorted(e.id for e in events)  # each once
    assert all(numbers == list(range(25)) for numbers in received.values()), received
    # Each row leaves the outbox once the broker has confirmed it.
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_an_event_left_behind_for_its_busy_case_goes_out_when_the_case_is_free(
    relay_parts: RelayParts,
) -> None:
    pool = relay_parts.pool
    first, second = numbered_events(cases=1, per_case=2)
    # No poll to fall back on within the test: only a wake-up can send the second event.
    relay = OutboxRelay(pool, relay_parts.bus, relay_parts.dsn, poll_seconds=60)
    relaying = asyncio.create_task(relay.run())
    async with pool.acquire() as conn, conn.transaction():
        await add_to_outbox(conn, [first])
    await asyncio.sleep(0.02)  # the first is being published (slowly)...
    async with pool.acquire() as conn, conn.transaction():
        await add_to_outbox(conn, [second])  # ...so the pass this wakes must leave it

    received = [(await relay_parts.tap.next()).body for _ in range(2)]
    relay.stop()
    await relaying

    assert received == [b"0", b"1"]


async def test_a_commit_notifies_the_relay_only_when_no_other_row_waits(
    relay_parts: RelayParts,
) -> None:
    pool = relay_parts.pool
    notified: list[str] = []
    listener = await asyncpg.connect(relay_parts.dsn)
    await listener.add_listener(NOTIFY_CHANNEL, lambda *args: notified.append(args[2]))
    try:

        async def commit(events: list[EventEnvelope]) -> int:
            before = len(notified)
            async with pool.acquire() as conn, conn.transaction():
                await add_to_outbox(conn, events)
            await listener.fetchval("SELECT 1")  # notifications delivered by now
            return len(notified) - before

        first, second, third = numbered_events(cases=3, per_case=1)
        # An empty outbox: the relay may be asleep, so the commit wakes it (once for the
        # rows of one transaction); a row waiting already: the relay is awake or about to be,
        # and the commit does not take PostgreSQL's notification lock.
        assert await commit([first, second]) == 1
        assert await commit([third]) == 0
        await pool.execute("DELETE FROM outbox")
        assert await commit(numbered_events(cases=1, per_case=1)) == 1
    finally:
        await listener.close()


async def test_a_row_committed_as_the_outbox_ran_empty_goes_out_without_the_poll(
    relay_parts: RelayParts,
) -> None:
    pool = relay_parts.pool
    (first,) = numbered_events(cases=1, per_case=1)  # confirmed slowly (SlowFirstEvents)
    second = replace(numbered_events(cases=1, per_case=2)[1], data=b"late")
    # No poll within the test: only the relay's own passes can send the late row.
    relay = OutboxRelay(pool, relay_parts.bus, relay_parts.dsn, poll_seconds=60, settle_seconds=0.3)
    relaying = asyncio.create_task(relay.run())
    try:
        async with pool.acquire() as conn, conn.transaction():
            await add_to_outbox(conn, [first])
        await asyncio.sleep(0.01)
        async with pool.acquire() as conn, conn.transaction():
            # Inserted while the first still waits (so no notification), committed only
            # after the relay sent the first and found nothing more: the look it takes once
            # the outbox ran empty must find it.
            await add_to_outbox(conn, [second])
            assert (await relay_parts.tap.next()).body == b"0"
            await asyncio.sleep(0.1)
        assert (await relay_parts.tap.next(timeout=5)).body == b"late"
    finally:
        relay.stop()
        await relaying


async def test_the_relay_process_waits_for_the_outbox_then_sends_it_and_stops_cleanly(
    infra: Infra, run: dict[str, Any]
) -> None:
    name = f"relay_p{run['id']}"
    namespace = f"{run['namespace']}relayp."
    dsn = infra.database_url(name)
    settings = {
        "DATABASE_URL": dsn,
        "AMQP_URL": infra.amqp_url,
        "CIVICLOOP_NAMESPACE": namespace,
        "SERVICE_NAME": "relay-test",
    }
    relay = RelayProcess("outbox-relay", settings, Path(run["dir"]))
    tap_bus = EventBus(infra.amqp_url, "relay-test-tap", namespace)
    relay.start()  # before the service has created its database
    try:
        await asyncio.sleep(1.0)
        assert relay.process is not None and relay.process.poll() is None, relay.tail_log()
        await db.ensure_database(dsn)
        async with service_database(infra, name) as pool:
            await db.migrate(pool, "platform", db.PLATFORM_MIGRATIONS)
            await relay.wait_ready()
            await tap_bus.connect()
            channel = await tap_bus.connection.channel()
            queue = await channel.declare_queue(exclusive=True, auto_delete=True)
            await queue.bind(tap_bus.topology.events_exchange, routing_key=EVENT_TYPE)
            tap = EventTap(queue)

            events = numbered_events(cases=3, per_case=4)
            async with pool.acquire() as conn, conn.transaction():
                await add_to_outbox(conn, events)
            received = [await tap.next() for _ in events]

            assert sorted(str((m.headers or {})["ce-id"]) for m in received) == sorted(
                e.id for e in events
            )
            # The relay deletes the rows once the broker's confirms are in, which may be just
            # after the messages reached the tap.
            await wait_for(lambda: pool.fetchval("SELECT count(*) = 0 FROM outbox"), timeout=5)
            async with httpx.AsyncClient() as client:
                metrics = (await client.get(f"{relay.http_url}/metrics")).text
            assert "civicloop_outbox_relay_listening 1.0" in metrics
            assert relay.stop() == 0, relay.tail_log()
    finally:
        relay.stop()
        await tap_bus.close()
        await drop_database(infra, name)
        await delete_namespace(infra, namespace)


async def test_a_batch_of_events_goes_out_in_one_publish_each_confirmed_in_order(
    relay_parts: RelayParts,
) -> None:
    events = numbered_events(cases=1, per_case=5)
    bus: EventBus = relay_parts.bus
    assert await bus.publish_many([]) == []
    assert await bus.publish_many(events) == [None] * 5
    await bus.publish(numbered_events(cases=1, per_case=1)[0])
    received = [await relay_parts.tap.next() for _ in range(6)]
    assert [str((m.headers or {})["ce-id"]) for m in received[:5]] == [e.id for e in events]
    assert [m.body for m in received] == [b"0", b"1", b"2", b"3", b"4", b"0"]
