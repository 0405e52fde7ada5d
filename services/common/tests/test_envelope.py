"""CloudEvents 1.0 in binary mode over AMQP, and the table of event types."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import aio_pika
import pytest

from civicloop.platform.envelope import CONTENT_TYPE, EventEnvelope, MalformedEvent
from civicloop.platform.event_types import EVENT_TYPES, TYPE_OF, decode, event_type_of
from civicloop.v1 import events_pb2

AT = datetime(2025, 3, 5, 9, 30, 15, 123456, tzinfo=UTC)
CASE_ID = "4f1c2a8e-0d3b-4c55-9a57-1b2e3c4d5e6f"
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@dataclass
class IncomingMessage:
    """What from_amqp reads of an aio_pika incoming message."""

    body: bytes
    headers: dict[str, object] | None = field(default_factory=dict)


def submitted() -> events_pb2.PetitionSubmitted:
    return events_pb2.PetitionSubmitted(
        petition_id="9b2f7d0e-5a1c-4e8b-8c3d-2f6a7b8c9d0e",
        case_id=CASE_ID,
        case_version=1,
        community_code="C001",
        category_code="streetlight",
        description="小区门口路灯不亮，电话138****8000",
    )


def envelope(**trace: str) -> EventEnvelope:
    return EventEnvelope.wrap(
        submitted(),
        source="intake",
        subject=CASE_ID,
        trace_headers=trace or {"traceparent": TRACEPARENT},
        at=AT,
    )


def delivered(message: aio_pika.Message) -> IncomingMessage:
    return IncomingMessage(body=message.body, headers=dict(message.headers))


# ---- wrapping a payload ----


def test_wrapping_an_event_fills_in_its_cloudevents_attributes() -> None:
    env = envelope()

    assert env.type == "civicloop.petition.submitted.v1"
    assert env.source == "intake"
    assert env.subject == CASE_ID
    assert env.time == AT
    assert uuid.UUID(env.id)
    assert env.trace_headers == {"traceparent": TRACEPARENT}


def test_the_wrapped_payload_decodes_back_to_the_same_message() -> None:
    assert envelope().payload() == submitted()


def test_every_wrap_gets_a_new_id() -> None:
    assert envelope().id != envelope().id


def test_wrapping_without_a_time_uses_now_in_utc() -> None:
    before = datetime.now(UTC)
    env = EventEnvelope.wrap(submitted(), source="intake", subject=CASE_ID)

    assert before <= env.time <= datetime.now(UTC)
    assert env.time.utcoffset() == timedelta(0)
    assert env.trace_headers == {}


def test_wrapping_a_message_that_is_not_an_event_is_refused() -> None:
    with pytest.raises(ValueError, match="not an event"):
        EventEnvelope.wrap(events_pb2.Attachment(), source="intake", subject=CASE_ID)


# ---- the AMQP message (RabbitMQ protocol binding, binary mode) ----


def test_the_amqp_message_carries_the_attributes_as_ce_headers() -> None:
    env = envelope()

    headers = env.to_amqp().headers

    assert headers["ce-specversion"] == "1.0"
    assert headers["ce-id"] == env.id
    assert headers["ce-source"] == "intake"
    assert headers["ce-type"] == "civicloop.petition.submitted.v1"
    assert headers["ce-subject"] == CASE_ID
    assert headers["ce-time"] == "2025-03-05T09:30:15.123456Z"
    assert headers["traceparent"] == TRACEPARENT


def test_the_amqp_message_body_is_the_protobuf_payload() -> None:
    message = envelope().to_amqp()

    assert message.body == submitted().SerializeToString()
    assert message.content_type == CONTENT_TYPE == "application/protobuf"
    assert "ce-datacontenttype" not in message.headers


def test_the_attributes_are_mirrored_in_the_amqp_properties() -> None:
    env = envelope()

    message = env.to_amqp()

    assert message.message_id == env.id
    assert message.type == "civicloop.petition.submitted.v1"
    assert message.app_id == "intake"
    assert message.timestamp == AT


def test_events_are_published_persistent() -> None:
    assert envelope().to_amqp().delivery_mode == aio_pika.DeliveryMode.PERSISTENT


def test_a_time_in_another_zone_is_sent_in_utc() -> None:
    chengdu = timezone(timedelta(hours=8))
    env = EventEnvelope.wrap(
        submitted(),
        source="intake",
        subject=CASE_ID,
        at=datetime(2025, 3, 5, 17, 30, tzinfo=chengdu),
    )

    assert env.to_amqp().headers["ce-time"] == "2025-03-05T09:30:00Z"


# ---- receiving ----


def test_an_envelope_survives_the_round_trip_through_amqp() -> None:
    env = envelope(traceparent=TRACEPARENT, tracestate="civicloop=case")

    received = EventEnvelope.from_amqp(delivered(env.to_amqp()))  # type: ignore[arg-type]

    assert received == env
    assert received.payload() == submitted()


def test_header_values_arriving_as_bytes_are_decoded() -> None:
    env = envelope()
    sent = env.to_amqp()
    raw = IncomingMessage(
        body=sent.body, headers={k: str(v).encode() for k, v in sent.headers.items()}
    )

    assert EventEnvelope.from_amqp(raw) == env  # type: ignore[arg-type]


def test_header_names_are_read_case_insensitively() -> None:
    env = envelope()
    sent = env.to_amqp()
    shouting = IncomingMessage(
        body=sent.body, headers={k.upper(): v for k, v in sent.headers.items()}
    )

    assert EventEnvelope.from_amqp(shouting) == env  # type: ignore[arg-type]


def test_headers_other_than_the_trace_context_are_not_taken_as_trace_headers() -> None:
    sent = envelope().to_amqp()
    headers = dict(sent.headers)
    headers["x-death"] = "[...]"
    headers["baggage"] = "user=1"

    received = EventEnvelope.from_amqp(IncomingMessage(sent.body, headers))  # type: ignore[arg-type]

    assert received.trace_headers == {"traceparent": TRACEPARENT}


def test_a_message_without_a_time_is_received_now() -> None:
    sent = envelope().to_amqp()
    headers = {k: v for k, v in sent.headers.items() if k != "ce-time"}
    before = datetime.now(UTC)

    received = EventEnvelope.from_amqp(IncomingMessage(sent.body, headers))  # type: ignore[arg-type]

    assert before <= received.time <= datetime.now(UTC)


@pytest.mark.parametrize("missing", ["ce-id", "ce-type"])
def test_a_message_without_its_id_or_type_is_malformed(missing: str) -> None:
    sent = envelope().to_amqp()
    headers = {k: v for k, v in sent.headers.items() if k != missing}

    with pytest.raises(MalformedEvent, match=missing):
        EventEnvelope.from_amqp(IncomingMessage(sent.body, headers))  # type: ignore[arg-type]


@pytest.mark.parametrize("headers", [None, {}])
def test_a_message_without_headers_is_malformed(headers: dict[str, object] | None) -> None:
    with pytest.raises(MalformedEvent):
        EventEnvelope.from_amqp(IncomingMessage(b"", headers))  # type: ignore[arg-type]


# ---- the table of event types ----


def test_every_event_message_of_events_proto_has_a_type() -> None:
    messages = set(events_pb2.DESCRIPTOR.message_types_by_name) - {"Attachment"}
    typed = {cls.DESCRIPTOR.name for cls in EVENT_TYPES.values()}

    assert messages - typed == set()
    assert typed <= messages


def test_no_two_types_share_one_message() -> None:
    assert len(TYPE_OF) == len(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_type_follows_the_naming_convention(event_type: str) -> None:
    assert event_type.startswith("civicloop.")
    assert event_type.endswith(".v1")
    assert event_type == event_type.lower()


@pytest.mark.parametrize("event_type, cls", EVENT_TYPES.items())
def test_every_type_names_its_message_and_decodes_it(event_type: str, cls: type) -> None:
    assert event_type_of(cls()) == event_type
    assert isinstance(decode(event_type, b""), cls)


def test_decoding_an_unknown_type_raises_key_error() -> None:
    with pytest.raises(KeyError):
        decode("civicloop.case.teleported.v1", b"")


def test_a_body_that_is_not_its_types_protobuf_message_can_never_be_read() -> None:
    unreadable = EventEnvelope(**{**envelope().__dict__, "data": b"\xff\xfe not a protobuf"})
    with pytest.raises(MalformedEvent, match="protobuf message"):
        unreadable.readable_payload()


def test_a_case_id_that_is_not_a_uuid_can_never_be_read() -> None:
    event = EventEnvelope.wrap(
        events_pb2.CaseDispatched(case_id="C001-42", case_version=2), source="dispatch", subject="x"
    )
    with pytest.raises(MalformedEvent, match="case_id 'C001-42' is not a UUID"):
        event.readable_payload()


def test_a_readable_event_gives_its_payload() -> None:
    assert envelope().readable_payload() == submitted()
