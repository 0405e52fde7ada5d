"""Rating's SMS gateway against the development SMS sink, both real: signed messages arrive,
forgeries do not, a resend is one message, and an outage is ridden out by retrying."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import pytest
from harness import SmsSinkProcess, random_phone

from civicloop.rating.sms import SmsGateway, SmsMessage

ANOTHER_SECRET = "whsec_" + base64.b64encode(b"not-the-secret-the-sink-knows").decode()


@pytest.fixture
async def sink_client(sms_sink: SmsSinkProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sms_sink.http_url, timeout=10) as client:
        yield client


@pytest.fixture
async def gateway(sms_sink: SmsSinkProcess) -> AsyncIterator[SmsGateway]:
    sender = SmsGateway(sms_sink.messages_url, sms_sink.secret, backoff_seconds=0.01)
    yield sender
    await sender.aclose()


def link_message(link_id: str, phone: str) -> SmsMessage:
    return SmsMessage(
        link_id, phone, f"【市民热线】请评价办理结果：http://127.0.0.1:8003/r/tok-{link_id}"
    )


async def test_a_signed_message_arrives_and_is_read_by_phone(
    gateway: SmsGateway, sink_client: httpx.AsyncClient
) -> None:
    phone = random_phone()
    message = link_message("link-arrives", phone)

    result = await gateway.send(message)

    assert result.delivered
    received = (await sink_client.get("/messages", params={"to": phone})).json()
    assert [(m["id"], m["to"], m["text"]) for m in received] == [
        ("link-arrives", phone, message.text)
    ]
    latest = (await sink_client.get("/messages/latest", params={"to": phone})).json()
    assert latest["id"] == "link-arrives" and latest["received_at"]


async def test_a_message_signed_with_another_secret_is_refused_and_not_stored(
    sms_sink: SmsSinkProcess, sink_client: httpx.AsyncClient
) -> None:
    phone = random_phone()
    forger = SmsGateway(sms_sink.messages_url, ANOTHER_SECRET)
    try:
        result = await forger.send(link_message("link-forged", phone))
    finally:
        await forger.aclose()

    assert not result.delivered and result.refused
    assert [(a.number, a.status_code, a.error) for a in result.attempts] == [(1, 401, "HTTP 401")]
    latest = await sink_client.get("/messages/latest", params={"to": phone})
    assert latest.status_code == 404


async def test_the_same_message_sent_twice_is_stored_once(
    gateway: SmsGateway, sink_client: httpx.AsyncClient
) -> None:
    phone = random_phone()
    message = link_message("link-resent", phone)

    first, again = await gateway.send(message), await gateway.send(message)

    assert first.delivered and again.delivered
    received = (await sink_client.get("/messages", params={"to": phone})).json()
    assert [m["id"] for m in received] == ["link-resent"]


async def test_the_gateway_rides_out_two_failures_and_delivers_on_the_third_attempt(
    gateway: SmsGateway, sink_client: httpx.AsyncClient
) -> None:
    phone = random_phone()
    faults = await sink_client.post("/faults", json={"fail_next": 2, "status": 503})
    assert faults.status_code == 200

    result = await gateway.send(link_message("link-retried", phone))

    assert result.delivered
    assert [(a.number, a.status_code) for a in result.attempts] == [(1, 503), (2, 503), (3, 200)]
    assert [a.error for a in result.attempts] == ["HTTP 503", "HTTP 503", ""]
    assert result.attempts[0].at <= result.attempts[1].at <= result.attempts[2].at
    received = (await sink_client.get("/messages", params={"to": phone})).json()
    assert [m["id"] for m in received] == ["link-retried"]
