"""Consumer acknowledgements against the real RabbitMQ: the deliveries handled together are
acknowledged together, and never one that is still in its handler."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika
from harness import Infra, delete_namespace, publish, wait_for

from civicloop.platform.bus import EventBus
from civicloop.platform.envelope import EventEnvelope

EVENT_TYPE = "civicloop.case.progress_updated.v1"


def numbered(number: int) -> aio_pika.Message:
    return EventEnvelope(
        id=str(uuid.uuid4()),
        type=EVENT_TYPE,
        source="/civicloop/test",
        subject=str(uuid.uuid4()),
        time=datetime.now(UTC),
        data=str(number).encode(),
        trace_headers={},
    ).to_amqp()


async def consume_into(bus: EventBus, handled: list[bytes], held: asyncio.Event) -> None:
    async def handler(envelope: EventEnvelope) -> None:
        if envelope.data == b"1":
            await held.wait()
        handled.append(envelope.data)

    await bus.consume([EVENT_TYPE], handler, prefetch=10, delivery_limit=20)


async def test_only_the_delivery_still_in_its_handler_comes_back(
    infra: Infra, run: dict[str, Any], amqp: aio_pika.abc.AbstractRobustConnection
) -> None:
    namespace = f"{run['namespace']}acks."
    first, second = (EventBus(infra.amqp_url, "intake", namespace) for _ in range(2))
    held, released = asyncio.Event(), asyncio.Event()
    released.set()
    try:
        handled: list[bytes] = []
        await first.connect()
        await consume_into(first, handled, held)
        for number in range(5):
            await publish(amqp, namespace, numbered(number), EVENT_TYPE)
        # Event 1 stays in its handler; 0, 2, 3 and 4 are handled and acknowledged.
        await wait_for(lambda: len(handled) == 4)
        await asyncio.sleep(0.3)
        await first.close()  # the consumer goes away with event 1 unacknowledged

        # The broker hands back exactly what was not acknowledged: event 1, and only it.
        again: list[bytes] = []
        await second.connect()
        await consume_into(second, again, released)
        await wait_for(lambda: again)
        await asyncio.sleep(0.5)
        assert sorted(handled) == [b"0", b"2", b"3", b"4"]
        assert again == [b"1"]
    finally:
        held.set()
        await second.close()
        await first.close()
        await delete_namespace(infra, namespace)
