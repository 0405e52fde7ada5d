"""What the publication tests share: waiting for the board to show a case, building events as
the owning services would publish them, and publishing batches as the office."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import httpx
from google.protobuf.message import Message
from harness import grpc_auth, new_key, wait_for

from civicloop.platform.bus import Topology
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.event_types import event_type_of
from civicloop.v1 import publication_pb2, publication_pb2_grpc

PUBLISHER = grpc_auth("publisher", subject="publisher:01")


async def board_case(board: httpx.AsyncClient, case_id: str, **expected: Any) -> dict[str, Any]:
    """The case as the board's JSON shows it, once it shows every field expected."""
    found: dict[str, Any] = {}

    async def shown() -> bool:
        answer = await board.get(f"/v1/cases/{case_id}")
        if answer.status_code != 200:
            return False
        found.update(answer.json())
        return all(found.get(k) == v for k, v in expected.items())

    try:
        await wait_for(shown, timeout=20)
    except TimeoutError:
        raise AssertionError(f"the board never showed {expected}; it shows {found}") from None
    return found


def event_message(payload: Message, subject: str, source: str) -> aio_pika.Message:
    """The event as its owning service's relay publishes it (CloudEvents binary mode)."""
    return EventEnvelope.wrap(payload, source=source, subject=subject, trace_headers={}).to_amqp()


async def deliver_to_board(
    amqp: aio_pika.abc.AbstractRobustConnection,
    namespace: str,
    message: aio_pika.Message,
    times: int = 1,
) -> None:
    """Put an event on publication's own queue only (the default exchange routes by queue
    name), so that no other service of the run acts on a case the test made up."""
    channel = await amqp.channel(publisher_confirms=True)
    queue = Topology(namespace).events_queue("publication")
    for _ in range(times):
        await channel.default_exchange.publish(message, routing_key=queue, mandatory=True)
    await channel.close()


def stamp(message: Any, field: str, at: datetime) -> None:
    getattr(message, field).FromDatetime(at)


def minutes(n: int) -> datetime:
    return datetime(2026, 11, 20, 9, 0, tzinfo=UTC) + timedelta(minutes=n)


async def create_and_publish(
    stub: publication_pb2_grpc.PublicationServiceAsyncStub,
    title: str,
    batch_filter: publication_pb2.PublicationBatchFilter,
    channels: tuple[str, ...] = (),
) -> publication_pb2.PublicationBatch:
    created = await stub.CreateBatch(
        publication_pb2.CreateBatchRequest(request_id=new_key(), title=title, filter=batch_filter),
        metadata=PUBLISHER,
        timeout=10,
    )
    published = await stub.PublishBatch(
        publication_pb2.PublishBatchRequest(
            request_id=new_key(),
            batch_id=created.batch.batch_id,
            expected_version=created.batch.version,
            channels=list(channels),
        ),
        metadata=PUBLISHER,
        timeout=10,
    )
    return published.batch


def a_case_id() -> str:
    return str(uuid.uuid4())


__all__ = ["event_type_of"]
