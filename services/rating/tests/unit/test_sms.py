"""Sending rating links by SMS: Standard Webhooks signatures, and when the gateway retries."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from civicloop.rating.sms import (
    DEV_SMS_SECRET,
    InvalidWebhookSecret,
    SignatureRefused,
    SmsGateway,
    SmsMessage,
    backoff_delay,
    decode_secret,
    sign,
    signature_headers,
    verify_signature,
)

# The test vector published with the Standard Webhooks reference libraries.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
PHONE = "13812345678"
TEXT = "【市民热线】请为您的诉求评价：https://rating.example/r/s3cr3t-t0ken"
MESSAGE = SmsMessage(message_id="link-7f3a", phone=PHONE, text=TEXT)
GATEWAY_URL = "https://sms.example/v1/messages?api_key=k3y-in-query"


def vector_headers(**overrides: str) -> dict[str, str]:
    headers = {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }
    headers.update(overrides)
    return headers


VECTOR_NOW = datetime.fromtimestamp(VECTOR_TIMESTAMP, UTC)


# ---- signing and verifying ----


def test_signing_matches_the_standard_webhooks_test_vector() -> None:
    key = decode_secret(VECTOR_SECRET)
    assert sign(key, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_the_signature_headers_carry_the_id_and_the_unix_seconds() -> None:
    headers = signature_headers(decode_secret(VECTOR_SECRET), VECTOR_ID, VECTOR_NOW, VECTOR_BODY)
    assert headers == vector_headers()


def test_the_test_vector_verifies_and_yields_its_id() -> None:
    assert verify_signature(VECTOR_SECRET, vector_headers(), VECTOR_BODY, VECTOR_NOW) == VECTOR_ID


def test_header_names_are_matched_without_regard_to_case() -> None:
    headers = {name.title(): value for name, value in vector_headers().items()}
    assert verify_signature(VECTOR_SECRET, headers, VECTOR_BODY, VECTOR_NOW) == VECTOR_ID


def test_one_matching_signature_among_several_is_enough_while_a_secret_rotates() -> None:
    rotated = f"v1,bm90IHRoaXMgb25l v1a,c29tZXRoaW5nIGVsc2U= {VECTOR_SIGNATURE}"
    headers = vector_headers(**{"webhook-signature": rotated})
    assert verify_signature(VECTOR_SECRET, headers, VECTOR_BODY, VECTOR_NOW) == VECTOR_ID


@pytest.mark.parametrize("header", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_request_without_a_signature_header_is_refused(header: str) -> None:
    headers = vector_headers()
    del headers[header]
    with pytest.raises(SignatureRefused, match=f"missing header {header}"):
        verify_signature(VECTOR_SECRET, headers, VECTOR_BODY, VECTOR_NOW)


@pytest.mark.parametrize(
    ("headers", "body", "secret"),
    [
        ({}, b'{"test": 2432232315}', VECTOR_SECRET),
        ({"webhook-id": "msg_another"}, VECTOR_BODY, VECTOR_SECRET),
        ({"webhook-timestamp": str(VECTOR_TIMESTAMP + 1)}, VECTOR_BODY, VECTOR_SECRET),
        ({}, VECTOR_BODY, DEV_SMS_SECRET),
        ({"webhook-signature": "v1a," + VECTOR_SIGNATURE[3:]}, VECTOR_BODY, VECTOR_SECRET),
        ({"webhook-signature": "garbage"}, VECTOR_BODY, VECTOR_SECRET),
    ],
    ids=["changed body", "changed id", "changed timestamp", "wrong secret", "scheme", "garbage"],
)
def test_a_request_whose_signature_does_not_match_is_refused(
    headers: dict[str, str], body: bytes, secret: str
) -> None:
    with pytest.raises(SignatureRefused, match="no v1 signature"):
        verify_signature(secret, vector_headers(**headers), body, VECTOR_NOW)


@pytest.mark.parametrize("offset", [timedelta(seconds=-301), timedelta(seconds=301)])
def test_a_request_signed_outside_the_five_minute_window_is_refused(offset: timedelta) -> None:
    with pytest.raises(SignatureRefused, match="outside the 300 s tolerance"):
        verify_signature(VECTOR_SECRET, vector_headers(), VECTOR_BODY, VECTOR_NOW - offset)


def test_a_request_at_the_edge_of_the_window_is_accepted() -> None:
    at_edge = VECTOR_NOW + timedelta(seconds=300)
    assert verify_signature(VECTOR_SECRET, vector_headers(), VECTOR_BODY, at_edge) == VECTOR_ID


def test_a_timestamp_that_is_not_unix_seconds_is_refused() -> None:
    headers = vector_headers(**{"webhook-timestamp": "2021-02-25T15:02:10Z"})
    with pytest.raises(SignatureRefused, match="not integer unix seconds"):
        verify_signature(VECTOR_SECRET, headers, VECTOR_BODY, VECTOR_NOW)


@pytest.mark.parametrize(
    "secret",
    ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", "whsec_" + "c2hvcnQ=", "whsec_"],
    ids=["no prefix", "not base64", "too short", "empty"],
)
def test_a_secret_not_in_the_whsec_form_is_refused(secret: str) -> None:
    with pytest.raises(InvalidWebhookSecret):
        decode_secret(secret)


def test_the_development_secret_is_a_valid_one() -> None:
    assert len(decode_secret(DEV_SMS_SECRET)) == 32


def test_a_message_id_with_a_dot_is_refused_as_it_would_split_the_signed_content() -> None:
    with pytest.raises(ValueError):
        SmsMessage(message_id="link.1", phone=PHONE, text=TEXT)


def test_a_message_shows_neither_phone_nor_text_when_printed() -> None:
    assert PHONE not in repr(MESSAGE) and "s3cr3t" not in repr(MESSAGE)


# ---- the backoff ----


def test_the_backoff_doubles_from_the_base_with_jitter_taking_up_to_half() -> None:
    least = [backoff_delay(n, 0.5, 30.0, jitter=0.0) for n in range(1, 5)]
    most = [backoff_delay(n, 0.5, 30.0, jitter=1.0) for n in range(1, 5)]
    assert least == [0.25, 0.5, 1.0, 2.0]
    assert most == [0.5, 1.0, 2.0, 4.0]


def test_the_backoff_stops_growing_at_its_cap() -> None:
    assert backoff_delay(12, 0.5, 30.0, jitter=1.0) == 30.0


# ---- the gateway ----


class ScriptedGateway:
    """Answers each POST with the next scripted reply (a status or an exception to raise)
    and keeps the requests; the sleeps the sender asked for are kept too."""

    def __init__(self, *replies: int | Exception) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if self.replies else 200
        if isinstance(reply, Exception):
            raise reply
        # A careless gateway echoing the message back must not leak it into the record.
        return httpx.Response(reply, json={"to": PHONE, "text": TEXT})

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def sender(self, max_attempts: int = 5, secret: str = DEV_SMS_SECRET) -> SmsGateway:
        return SmsGateway(
            GATEWAY_URL,
            secret,
            max_attempts=max_attempts,
            backoff_seconds=0.5,
            clock=lambda: NOW,
            sleep=self.sleep,
            jitter=lambda: 0.5,
            transport=httpx.MockTransport(self.handle),
        )


async def test_a_message_is_posted_as_signed_json_to_the_phone() -> None:
    gateway = ScriptedGateway(200)
    result = await gateway.sender().send(MESSAGE)
    assert result.delivered and [a.status_code for a in result.attempts] == [200]
    (request,) = gateway.requests
    assert json.loads(request.content) == {"to": PHONE, "text": TEXT}
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    assert verify_signature(DEV_SMS_SECRET, request.headers, request.content, NOW) == "link-7f3a"


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_too_many_requests_and_server_errors_are_retried_until_the_attempts_run_out(
    status: int,
) -> None:
    gateway = ScriptedGateway(*[status] * 5)
    result = await gateway.sender(max_attempts=5).send(MESSAGE)
    assert not result.delivered and not result.refused
    assert [a.number for a in result.attempts] == [1, 2, 3, 4, 5]
    assert {a.error for a in result.attempts} == {f"HTTP {status}"}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 422])
async def test_any_other_refusal_is_final_after_one_attempt(status: int) -> None:
    gateway = ScriptedGateway(status)
    result = await gateway.sender().send(MESSAGE)
    assert not result.delivered and result.refused
    assert [(a.number, a.status_code) for a in result.attempts] == [(1, status)]
    assert gateway.sleeps == []


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (httpx.ConnectTimeout("timed out"), "connect timeout"),
        (httpx.ReadTimeout("timed out"), "read timeout"),
        (httpx.ConnectError("[Errno 111] Connection refused"), "connect failed"),
        (httpx.RemoteProtocolError("peer closed"), "transport error RemoteProtocolError"),
    ],
)
async def test_timeouts_and_connection_failures_are_retried(failure: Exception, error: str) -> None:
    gateway = ScriptedGateway(failure, 200)
    result = await gateway.sender().send(MESSAGE)
    assert result.delivered
    assert [(a.status_code, a.error) for a in result.attempts] == [(None, error), (200, "")]


async def test_every_retry_carries_the_same_webhook_id_so_the_gateway_sends_once() -> None:
    gateway = ScriptedGateway(503, 503, 200)
    result = await gateway.sender().send(MESSAGE)
    assert result.delivered and len(result.attempts) == 3
    assert {r.headers["webhook-id"] for r in gateway.requests} == {"link-7f3a"}


async def test_the_sender_waits_the_backoff_between_attempts() -> None:
    gateway = ScriptedGateway(503, 503, 503, 503)
    await gateway.sender(max_attempts=4).send(MESSAGE)
    # jitter 0.5 takes three quarters of 0.5 s, 1 s, 2 s; no wait after the last attempt
    assert gateway.sleeps == [0.375, 0.75, 1.5]


async def test_a_retry_after_longer_than_the_backoff_is_honoured() -> None:
    gateway = ScriptedGateway()
    gateway.handle = lambda request: httpx.Response(429, headers={"retry-after": "7"})  # type: ignore[method-assign]
    await gateway.sender(max_attempts=2).send(MESSAGE)
    assert gateway.sleeps == [7.0]


async def test_no_attempt_record_or_log_line_holds_the_phone_the_text_or_the_query(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    failures = [httpx.ConnectError(f"cannot reach {GATEWAY_URL} for {PHONE}"), 503, 400]
    gateway = ScriptedGateway(*failures)
    result = await gateway.sender().send(MESSAGE)
    assert len(result.attempts) == 3
    recorded = " ".join(a.error for a in result.attempts) + caplog.text
    for secret_part in (PHONE, "s3cr3t-t0ken", "api_key", "k3y-in-query"):
        assert secret_part not in recorded
    assert "https://sms.example/v1/messages" in caplog.text


def test_a_gateway_url_that_is_not_http_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="http"):
        SmsGateway("sms.example/v1/messages", DEV_SMS_SECRET)


def test_a_base64_secret_is_decoded_as_the_specification_serialises_it() -> None:
    raw = bytes(range(32))
    assert decode_secret("whsec_" + base64.b64encode(raw).decode()) == raw
