"""The event bus: CloudEvents over one RabbitMQ topic exchange, through aio-pika.

Topology (every name carries the CIVICLOOP_NAMESPACE prefix):

- ``civicloop.events``: durable topic exchange, routing key = event type. Its alternate
  exchange ``civicloop.unrouted`` keeps, in the queue of the same name, every event no service
  is bound to yet, so a missing binding is visible instead of a silent loss.
- ``<service>.events``: each consuming service's quorum queue, bound to the types it consumes,
  with a delivery limit; past it (or on a malformed message) RabbitMQ dead-letters the message
  through ``civicloop.dead-letter`` into ``<service>.parking``, where an operator inspects and
  replays it (``civicloop-ops parking``).

Publishing uses publisher confirms, mandatory routing and persistent messages. Consuming uses
callback consumers (``queue.consume``, which keeps the trace context), a small prefetch and a
coordinated stop: cancel the consumer, let in-flight handlers finish, then close. A handled
delivery is acknowledged after its handler returns, together with the others handled in the
same turn of the loop (``civicloop.platform.acks`` says when one ack may cover several).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

import aio_pika
import aiormq
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)
from aiormq.abc import ChannelFrame
from opentelemetry.trace import SpanKind, Status, StatusCode
from pamqp.header import ContentHeader

from civicloop.platform import telemetry
from civicloop.platform.acks import AckWindow
from civicloop.platform.batching import Batcher
from civicloop.platform.db import connection_lost
from civicloop.platform.envelope import EventEnvelope, MalformedEvent
from civicloop.platform.metrics import EVENTS_CONSUMED
from civicloop.platform.ordering import KeyedLock

log = logging.getLogger(__name__)

EventHandler = Callable[[EventEnvelope], Awaitable[None]]

# Headers of a message parked at once: why no delivery could apply it, and at which delivery.
PARKED_REASON = "civicloop-parked-reason"
PARKED_AT_DELIVERY = "civicloop-parked-at-delivery"


@dataclass(frozen=True)
class Topology:
    """Exchange and queue names for one namespace."""

    namespace: str = ""

    def name(self, base: str) -> str:
        return f"{self.namespace}{base}"

    @property
    def events_exchange(self) -> str:
        return self.name("civicloop.events")

    @property
    def unrouted_exchange(self) -> str:
        return self.name("civicloop.unrouted")

    @property
    def unrouted_queue(self) -> str:
        return self.name("civicloop.unrouted")

    @property
    def dead_letter_exchange(self) -> str:
        return self.name("civicloop.dead-letter")

    def events_queue(self, service: str) -> str:
        return self.name(f"{service}.events")

    def parking_queue(self, service: str) -> str:
        return self.name(f"{service}.parking")


class EventBus:
    """Two robust connections per process: one publishes, the other consumes.

    RabbitMQ throttles a connection whose publishes outrun the broker (credit flow) by not
    reading from it; sharing one connection would stall the consumers' deliveries and acks
    behind the publisher's backlog, and the other way round.
    """

    def __init__(self, amqp_url: str, service: str, namespace: str = "") -> None:
        self.amqp_url = amqp_url
        self.service = service
        self.topology = Topology(namespace)
        self._connection: AbstractRobustConnection | None = None
        self._consumer_connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._consumers: list[_Consumer] = []

    async def connect(self) -> None:
        self._connection = await aio_pika.connect_robust(
            self.amqp_url, client_properties={"connection_name": self.service}
        )
        self._publish_channel = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        await declare_shared_topology(self._publish_channel, self.topology)

    @property
    def is_connected(self) -> bool:
        # ``connected`` is cleared while a robust connection is away and reconnecting.
        opened = [c for c in (self._connection, self._consumer_connection) if c is not None]
        return self._connection is not None and all(c.connected.is_set() for c in opened)

    @property
    def connection(self) -> AbstractRobustConnection:
        """The publishing connection."""
        if self._connection is None:
            raise RuntimeError("EventBus.connect() was not awaited")
        return self._connection

    async def publish(self, envelope: EventEnvelope) -> None:
        """Publish and wait for the broker's confirm; raises if it was not routed or confirmed."""
        (error,) = await self.publish_many([envelope])
        if error is not None:
            raise error

    async def publish_many(self, envelopes: list[EventEnvelope]) -> list[BaseException | None]:
        """Publish several events in one write to the socket and wait for all their confirms;
        for each, None or why it was not routed or confirmed. The broker confirms each on its
        own (one event refused leaves the others published).

        One write instead of one per event: on this host a socket write costs the relay a
        third of its CPU, and the broker reads them together too. This follows what aiormq's
        ``Channel.basic_publish`` does for one event (its delivery tag and confirmation, and
        the message id a Basic.Return is matched by), for a list, under the channel's lock."""
        if self._publish_channel is None:
            raise RuntimeError("EventBus.connect() was not awaited")
        if not envelopes:
            return []
        channel = cast(aiormq.Channel, await self._publish_channel.get_underlay_channel())
        frames: list[Any] = []
        confirmations: list[asyncio.Future[Any]] = []
        async with channel.lock:
            tags = []
            for envelope in envelopes:
                properties = envelope.amqp_properties()
                channel.delivery_tag += 1
                tag = channel.delivery_tag
                confirmation = channel.create_future()
                channel.confirmations[tag] = confirmation
                message_id = str(properties.message_id)
                channel.message_id_delivery_tag[message_id] = tag
                confirmation.add_done_callback(_forgetting(channel, message_id, tag))
                confirmations.append(confirmation)
                tags.append(tag)
                frames += [
                    aiormq.spec.Basic.Publish(
                        exchange=self.topology.events_exchange,
                        routing_key=envelope.type,
                        mandatory=True,
                    ),
                    ContentHeader(properties=properties, body_size=len(envelope.data)),
                    *channel._split_body(envelope.data),
                ]
            try:
                await channel.write_queue.put(
                    ChannelFrame.marshall(frames=frames, channel_number=channel.number)
                )
            except BaseException:
                # Nothing was sent: give the tags back, as basic_publish does.
                channel.delivery_tag -= len(tags)
                for tag, confirmation in zip(tags, confirmations, strict=True):
                    channel.confirmations.pop(tag, None)
                    confirmation.cancel()
                raise
        results = await asyncio.gather(*confirmations, return_exceptions=True)
        return [r if isinstance(r, BaseException) else None for r in results]

    async def consume(
        self,
        event_types: Iterable[str],
        handler: EventHandler,
        *,
        prefetch: int,
        delivery_limit: int,
    ) -> None:
        """Declare this service's queue and parking queue, bind them, and start consuming."""
        event_types = list(event_types)
        if self._consumer_connection is None:
            self._consumer_connection = await aio_pika.connect_robust(
                self.amqp_url, client_properties={"connection_name": f"{self.service} consumer"}
            )
        channel = await self._consumer_connection.channel()
        # Declared on this connection too: after a broker restart it restores its bindings
        # without waiting for the publishing connection to bring the exchanges back.
        await declare_shared_topology(channel, self.topology)
        try:
            queue = await declare_service_queues(
                channel, self.topology, self.service, event_types, delivery_limit
            )
        except aiormq.exceptions.ChannelPreconditionFailed as refused:
            # The queue exists with other arguments (an earlier release's delivery limit):
            # RabbitMQ cannot change them in place. Keep consuming from it as it is and say
            # so; operators change such settings with a policy, or recreate the queue.
            log.warning("keeping the existing queue's arguments: %s", refused)
            channel = await self._consumer_connection.channel()
            queue = await channel.declare_queue(
                self.topology.events_queue(self.service), passive=True
            )
            for event_type in event_types:
                await queue.bind(self.topology.events_exchange, routing_key=event_type)
        await channel.set_qos(prefetch_count=prefetch)
        consumer = _Consumer(channel, queue, handler, self.topology.events_exchange, self.park)
        await consumer.start()
        self._consumers.append(consumer)

    async def park(self, message: AbstractIncomingMessage, reason: str) -> None:
        """Put a copy of a delivered message in this service's parking queue with the reason
        it can never be applied (``civicloop-parked-reason``), confirmed by the broker."""
        if self._publish_channel is None:
            raise RuntimeError("EventBus.connect() was not awaited")
        headers = dict(message.headers or {})
        headers[PARKED_REASON] = reason[:500]
        headers[PARKED_AT_DELIVERY] = _delivery_count(message) + 1
        exchange = await self._publish_channel.get_exchange(
            self.topology.dead_letter_exchange, ensure=False
        )
        await exchange.publish(resent(message, headers), routing_key=self.service, mandatory=True)

    async def stop_consuming(self, grace_seconds: float) -> None:
        """Cancel every consumer and wait (up to grace_seconds) for in-flight handlers."""
        await asyncio.gather(*(c.stop(grace_seconds) for c in self._consumers))
        self._consumers.clear()

    async def close(self) -> None:
        consumer, publisher = self._consumer_connection, self._connection
        self._connection = self._consumer_connection = None
        try:
            if consumer is not None:
                await consumer.close()
        finally:
            if publisher is not None:
                await publisher.close()


def resent(message: AbstractIncomingMessage, headers: dict[str, Any]) -> aio_pika.Message:
    """A delivered message as it is published again (parked, replayed), with ``headers``."""
    return aio_pika.Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        type=message.type,
        timestamp=message.timestamp,
        app_id=message.app_id,
    )


async def declare_shared_topology(channel: AbstractChannel, topology: Topology) -> AbstractExchange:
    unrouted = await channel.declare_exchange(
        topology.unrouted_exchange, aio_pika.ExchangeType.FANOUT, durable=True
    )
    unrouted_queue = await channel.declare_queue(
        topology.unrouted_queue, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await unrouted_queue.bind(unrouted)
    await channel.declare_exchange(
        topology.dead_letter_exchange, aio_pika.ExchangeType.DIRECT, durable=True
    )
    return await channel.declare_exchange(
        topology.events_exchange,
        aio_pika.ExchangeType.TOPIC,
        durable=True,
        arguments={"alternate-exchange": topology.unrouted_exchange},
    )


async def declare_service_queues(
    channel: AbstractChannel,
    topology: Topology,
    service: str,
    event_types: Iterable[str],
    delivery_limit: int,
) -> AbstractQueue:
    parking = await channel.declare_queue(
        topology.parking_queue(service), durable=True, arguments={"x-queue-type": "quorum"}
    )
    await parking.bind(topology.dead_letter_exchange, routing_key=service)
    queue = await channel.declare_queue(
        topology.events_queue(service),
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": topology.dead_letter_exchange,
            "x-dead-letter-routing-key": service,
        },
    )
    for event_type in event_types:
        await queue.bind(topology.events_exchange, routing_key=event_type)
    return queue


class _Consumer:
    def __init__(
        self,
        channel: AbstractChannel,
        queue: AbstractQueue,
        handler: EventHandler,
        exchange_name: str,
        park: Callable[[AbstractIncomingMessage, str], Awaitable[None]],
    ) -> None:
        self.channel = channel
        self.queue = queue
        self.handler = handler
        self.exchange_name = exchange_name
        self.park = park
        self._tag: str | None = None
        self._per_subject = KeyedLock()
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        # Per underlying AMQP channel: a reconnected channel numbers its deliveries from 1
        # again, and the broker redelivers what the closed one left unacknowledged.
        self._windows: dict[aiormq.abc.AbstractChannel, AckWindow] = {}
        # The deliveries handled while a batch of acks goes out are acknowledged together next.
        self._acks: Batcher[AbstractIncomingMessage, None] = Batcher(
            self._send_acks, max_batch=1000
        )

    async def start(self) -> None:
        self._tag = await self.queue.consume(self._on_message)

    async def stop(self, grace_seconds: float) -> None:
        if self._tag is not None:
            await self.queue.cancel(self._tag)
            self._tag = None
        try:
            await asyncio.wait_for(self._idle.wait(), grace_seconds)
        except TimeoutError:
            log.warning("consumer stopped with handlers still running; they will be redelivered")
        await self.channel.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self._in_flight += 1
        self._idle.clear()
        try:
            # One case's events are handled in the order they came (its owner published them
            # in order), other cases' alongside: a handler may rely on what came before.
            subject = str((message.headers or {}).get("ce-subject") or "")
            if subject:
                async with self._per_subject.hold(subject):
                    await self._process(message)
            else:
                await self._process(message)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def _process(self, message: AbstractIncomingMessage) -> None:
        try:
            envelope = EventEnvelope.from_amqp(message)
        except (MalformedEvent, ValueError) as exc:
            await self._park(message, str(exc))
            return
        parent = telemetry.extract(envelope.trace_headers)
        attributes = {
            "messaging.system": "rabbitmq",
            "messaging.operation.type": "process",
            "messaging.operation.name": "process",
            "messaging.destination.name": self.exchange_name,
            "messaging.rabbitmq.destination.routing_key": envelope.type,
            "messaging.message.id": envelope.id,
            "cloudevents.event_type": envelope.type,
            telemetry.CASE_ID: envelope.subject,
        }
        with telemetry.tracer().start_as_current_span(
            f"process {envelope.type}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes=attributes,
        ) as span:
            try:
                await self.handler(envelope)
            except MalformedEvent as exc:
                # No delivery could ever apply it: parked on its first, with the reason.
                span.set_status(Status(StatusCode.ERROR, str(exc)))
                await self._park(message, str(exc))
                return
            except Exception as exc:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, str(exc)))
                # Requeue: the quorum queue counts deliveries and parks the message past the
                # limit, so a transient failure heals and a persistent one stops looping.
                # Back off a little before handing it back, so a passing outage (database
                # restarting) does not burn through the delivery limit in milliseconds.
                deliveries = _delivery_count(message)
                await asyncio.sleep(min(5.0, 0.1 * 2**deliveries))
                fields = {"event_id": envelope.id, "event_type": envelope.type}
                if connection_lost(exc):  # passing: the redelivery applies it
                    log.warning(
                        "database connection lost; event requeued",
                        extra={"fields": {**fields, "error": repr(exc)}},
                    )
                else:
                    log.exception("event handler failed; requeued", extra={"fields": fields})
                await message.nack(requeue=True)
                self._window(message).settled_elsewhere(_tag(message))
                EVENTS_CONSUMED.labels(envelope.type, "failed").inc()
                return
        EVENTS_CONSUMED.labels(envelope.type, "applied").inc()
        # Awaited inside the handler's count of in-flight work: stop() closes the channel
        # only after these acks are written.
        await self._acks.submit(message)

    async def _park(self, message: AbstractIncomingMessage, reason: str) -> None:
        """Move a message no delivery could apply to the parking queue at once, with why."""
        headers = message.headers or {}
        event_type = str(headers.get("ce-type", "?"))
        log.error(
            "malformed message parked",
            extra={
                "fields": {
                    "error": reason,
                    "event_id": str(headers.get("ce-id", message.message_id or "?")),
                    "event_type": event_type,
                }
            },
        )
        try:
            await self.park(message, reason)
            await message.ack()
        except Exception:
            # Parked all the same, through the queue's dead-lettering; the reason is in the
            # line above only.
            log.warning("could not park with the reason attached; rejected", exc_info=True)
            await message.reject(requeue=False)
        self._window(message).settled_elsewhere(_tag(message))
        EVENTS_CONSUMED.labels(event_type, "malformed").inc()

    def _window(self, message: AbstractIncomingMessage) -> AckWindow:
        window = self._windows.get(message.channel)
        if window is None:
            for channel in [c for c in self._windows if c.is_closed]:
                del self._windows[channel]
            window = self._windows[message.channel] = AckWindow()
        return window

    async def _send_acks(
        self, handled: list[AbstractIncomingMessage]
    ) -> list[None | BaseException]:
        by_channel: dict[aiormq.abc.AbstractChannel, dict[int, AbstractIncomingMessage]] = {}
        for message in handled:
            by_channel.setdefault(message.channel, {})[_tag(message)] = message
        for messages in by_channel.values():
            plan = self._window(next(iter(messages.values()))).plan(messages)
            try:
                if plan.multiple_through is not None:
                    await messages[plan.multiple_through].ack(multiple=True)
                for tag in plan.single:
                    await messages[tag].ack()
            except (aiormq.exceptions.AMQPError, RuntimeError, ConnectionError):
                # The channel closed under us: the broker redelivers what it had not heard
                # acknowledged, and the inbox applies each event once all the same.
                log.info("acknowledgements lost with their channel; redelivery follows")
        return [None] * len(handled)


def _tag(message: AbstractIncomingMessage) -> int:
    if message.delivery_tag is None:
        raise ValueError("a consumed message has a delivery tag")
    return message.delivery_tag


def _delivery_count(message: AbstractIncomingMessage) -> int:
    """How often RabbitMQ delivered this message before (quorum queues count it)."""
    count = (message.headers or {}).get("x-delivery-count", 0)
    return int(count) if isinstance(count, int | str) and str(count).isdigit() else 0


def _forgetting(channel: aiormq.Channel, message_id: str, tag: int) -> Callable[[Any], None]:
    """Once confirmed, the message id no longer names the delivery (as basic_publish does)."""

    def forget(_: Any) -> None:
        if channel.message_id_delivery_tag.get(message_id) == tag:
            channel.message_id_delivery_tag.pop(message_id)

    return forget
