"""CloudEvents 1.0 in binary mode over AMQP (the RabbitMQ protocol binding).

Attributes travel as ``ce-`` headers, ``datacontenttype`` as the AMQP content_type, the
protobuf payload as the body; the attributes are mirrored in the AMQP properties (message_id,
type, timestamp, app_id) and the W3C trace context travels as headers too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import aio_pika
import aiormq
from aiormq.abc import FieldTable
from google.protobuf.message import DecodeError, Message

from civicloop.platform.event_types import decode, event_type_of

CONTENT_TYPE = "application/protobuf"
SPEC_VERSION = "1.0"


@dataclass(frozen=True)
class EventEnvelope:
    id: str
    type: str
    source: str
    subject: str
    time: datetime
    data: bytes
    # W3C trace context of the span the event continues (the case's trace).
    trace_headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def wrap(
        cls,
        message: Message,
        *,
        source: str,
        subject: str,
        trace_headers: dict[str, str] | None = None,
        at: datetime | None = None,
    ) -> EventEnvelope:
        return cls(
            id=str(uuid.uuid4()),
            type=event_type_of(message),
            source=source,
            subject=subject,
            time=at or datetime.now(UTC),
            data=message.SerializeToString(),
            trace_headers=dict(trace_headers or {}),
        )

    def payload(self) -> Message:
        return decode(self.type, self.data)

    def readable_payload(self) -> Message:
        """The payload, or MalformedEvent when no delivery could ever apply it: a body that is
        not its type's protobuf message, or a ``case_id`` that is not a UUID (every case id
        is one, and the stores refuse anything else)."""
        try:
            message = self.payload()
        except KeyError:
            raise MalformedEvent(f"unknown event type {self.type!r}") from None
        except DecodeError as exc:
            raise MalformedEvent(f"body is not a {self.type} protobuf message: {exc}") from None
        if "case_id" in message.DESCRIPTOR.fields_by_name:
            case_id = str(cast(Any, message).case_id)
            try:
                uuid.UUID(case_id)
            except ValueError:
                raise MalformedEvent(f"case_id {case_id[:64]!r} is not a UUID") from None
        return message

    def amqp_properties(self) -> aiormq.spec.Basic.Properties:
        """The AMQP properties the event is published with (its body is ``data``)."""
        headers: FieldTable = {
            "ce-specversion": SPEC_VERSION,
            "ce-id": self.id,
            "ce-source": self.source,
            "ce-type": self.type,
            "ce-subject": self.subject,
            "ce-time": self.time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        }
        headers.update(self.trace_headers)
        return aiormq.spec.Basic.Properties(
            headers=headers,
            content_type=CONTENT_TYPE,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT.value,
            message_id=self.id,
            message_type=self.type,
            timestamp=self.time,
            app_id=self.source,
        )

    def to_amqp(self) -> aio_pika.Message:
        """The event as an aio-pika message (for publishers outside the services' bus)."""
        properties = self.amqp_properties()
        return aio_pika.Message(
            body=self.data,
            headers=properties.headers,
            content_type=properties.content_type,
            delivery_mode=properties.delivery_mode,
            message_id=properties.message_id,
            type=properties.message_type,
            timestamp=properties.timestamp,
            app_id=properties.app_id,
        )

    @classmethod
    def from_amqp(cls, message: aio_pika.abc.AbstractIncomingMessage) -> EventEnvelope:
        headers = {k.lower(): _text(v) for k, v in (message.headers or {}).items()}
        try:
            event_id = headers["ce-id"]
            event_type = headers["ce-type"]
        except KeyError as missing:
            raise MalformedEvent(f"missing CloudEvents header {missing}") from None
        time_text = headers.get("ce-time")
        return cls(
            id=event_id,
            type=event_type,
            source=headers.get("ce-source", ""),
            subject=headers.get("ce-subject", ""),
            time=datetime.fromisoformat(time_text.replace("Z", "+00:00"))
            if time_text
            else datetime.now(UTC),
            data=message.body,
            trace_headers={k: headers[k] for k in ("traceparent", "tracestate") if k in headers},
        )


class MalformedEvent(Exception):
    """A message that can never be applied, however often it is delivered: parked at once."""


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode()
    return str(value)
