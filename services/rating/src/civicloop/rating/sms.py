"""Sending a rating link to a petitioner's phone: the notification port and the SMS gateway.

Requests to the gateway are signed as Standard Webhooks (HMAC-SHA256 over
``"{webhook-id}.{webhook-timestamp}.{body}"``, secret serialised as ``whsec_<base64>``), the
convention for every request Civicloop sends out. The webhook id is the rating link's id, so a
link sent again after a crash reaches the gateway as the same message and is not sent twice.

A phone number or a message text (which holds the link's token) never goes into an attempt's
record, a log line or a span; neither does the gateway URL's query string, which may carry the
gateway's own key.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import httpx
import orjson
from opentelemetry.trace import SpanKind, Status, StatusCode

from civicloop.platform import telemetry
from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.errors import Unauthenticated

log = logging.getLogger(__name__)
# httpx logs every request's full URL at INFO, query string included.
logging.getLogger("httpx").setLevel(logging.WARNING)

# Development only, shared by rating and scripts/sms_sink.py; with CIVICLOOP_ENVIRONMENT=
# production rating refuses it (settings.require_secret) and RATING_SMS_SECRET must be set.
DEV_SMS_SECRET = "whsec_Y2l2aWNsb29wLWRldi1vbmx5LXNtcy1zZWNyZXQtMzI="

SECRET_PREFIX = "whsec_"
# The specification's bounds for a symmetric signing secret.
SECRET_MIN_BYTES, SECRET_MAX_BYTES = 24, 64
# The specification's recommended replay window.
DEFAULT_TOLERANCE = timedelta(minutes=5)

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"


@dataclass(frozen=True)
class SmsMessage:
    # The rating link's id: stable across resends, so the gateway recognises a repeat.
    message_id: str
    phone: str = field(repr=False)
    text: str = field(repr=False)

    def __post_init__(self) -> None:
        # The id is one of the dot-separated parts of the signed content.
        if not self.message_id or "." in self.message_id:
            raise ValueError("message_id must be non-empty and hold no '.'")


@dataclass(frozen=True)
class DeliveryAttempt:
    number: int
    at: datetime
    status_code: int | None  # None when no response came back
    error: str  # "" on success; otherwise what went wrong, never the phone or the text


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    attempts: list[DeliveryAttempt]

    @property
    def refused(self) -> bool:
        """The gateway answered with a final refusal (a 4xx other than 429): sending the same
        message again will not help, unlike running out of attempts during an outage."""
        last = self.attempts[-1] if self.attempts else None
        return (
            not self.delivered
            and last is not None
            and last.status_code is not None
            and not is_retryable_status(last.status_code)
        )


class Notifier(Protocol):
    async def send(self, message: SmsMessage) -> DeliveryResult: ...


class InvalidWebhookSecret(ValueError):
    pass


class SignatureRefused(Unauthenticated):
    """A request whose webhook signature is missing, wrong or outside the replay window."""

    title = "Webhook signature refused"


def decode_secret(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret; a clear error for anything else."""
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidWebhookSecret(f"a webhook secret starts with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error:
        raise InvalidWebhookSecret("a webhook secret is whsec_ followed by base64") from None
    if not SECRET_MIN_BYTES <= len(key) <= SECRET_MAX_BYTES:
        raise InvalidWebhookSecret(
            f"a webhook secret holds {SECRET_MIN_BYTES} to {SECRET_MAX_BYTES} bytes, not {len(key)}"
        )
    return key


def sign(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,<base64>`` signature of one request."""
    signed_content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed_content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_headers(key: bytes, message_id: str, at: datetime, body: bytes) -> dict[str, str]:
    timestamp = int(at.timestamp())
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(key, message_id, timestamp, body),
    }


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> str:
    """Check a signed request as a receiver must; the verified webhook id, or SignatureRefused.

    The signature header may list several space-separated signatures (a secret being rotated):
    one matching ``v1`` entry is enough. Comparison is constant-time.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    missing = [h for h in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER) if not lowered.get(h)]
    if missing:
        raise SignatureRefused(f"missing header {', '.join(missing)}")
    message_id, timestamp_text = lowered[ID_HEADER], lowered[TIMESTAMP_HEADER]
    try:
        timestamp = int(timestamp_text)
    except ValueError:
        raise SignatureRefused(f"{TIMESTAMP_HEADER} is not integer unix seconds") from None
    # Replay protection: a captured request stops working once it leaves the window.
    skew = abs(now.timestamp() - timestamp)
    if skew > tolerance.total_seconds():
        raise SignatureRefused(
            f"{TIMESTAMP_HEADER} is {int(skew)} s from now, "
            f"outside the {int(tolerance.total_seconds())} s tolerance"
        )
    expected = sign(decode_secret(secret), message_id, timestamp, body)
    for candidate in lowered[SIGNATURE_HEADER].split():
        if candidate.startswith("v1,") and hmac.compare_digest(
            candidate.encode(), expected.encode()
        ):
            return message_id
    raise SignatureRefused(f"no v1 signature in {SIGNATURE_HEADER} matches")


def is_retryable_status(status_code: int) -> bool:
    """Too many requests and server errors pass; any other refusal is final."""
    return status_code == 429 or status_code >= 500


def backoff_delay(
    attempt_number: int, base_seconds: float, max_seconds: float, jitter: float
) -> float:
    """Seconds to wait after failed attempt ``attempt_number`` (1-based): the base doubled per
    attempt, capped, then scaled by a jitter in [0, 1) into [half, all] of that, so senders
    that failed together do not retry together."""
    exponential = min(max_seconds, base_seconds * 2.0 ** (attempt_number - 1))
    return exponential * (0.5 + jitter / 2)


def _retry_after_seconds(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers["retry-after"]))
    except (KeyError, ValueError):
        return None  # absent, or an HTTP date: the backoff alone decides


# The exception's class only, never its message: that may quote the URL.
_TRANSPORT_ERROR_TEXTS: dict[type[httpx.TransportError], str] = {
    httpx.ConnectError: "connect failed",
    httpx.ConnectTimeout: "connect timeout",
    httpx.ReadTimeout: "read timeout",
    httpx.WriteTimeout: "write timeout",
    httpx.PoolTimeout: "pool timeout",
}


def _transport_error_text(exc: httpx.TransportError) -> str:
    return _TRANSPORT_ERROR_TEXTS.get(type(exc), f"transport error {type(exc).__name__}")


# Failures on the way there or back, which may pass; a bad URL or proxy set-up will not.
RETRYABLE_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)

Sleep = Callable[[float], Awaitable[None]]


class SmsGateway(Notifier):
    """POSTs ``{"to": phone, "text": text}`` as JSON to the gateway, signed, retried with
    exponential backoff and jitter on timeouts, connection errors, 429 and 5xx."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        max_attempts: int = 5,
        backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 30.0,
        timeout: httpx.Timeout = httpx.Timeout(10.0, connect=3.0),
        clock: Clock = system_clock,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._key = decode_secret(secret)
        self._url = httpx.URL(url)
        if self._url.scheme not in ("http", "https") or not self._url.host:
            raise ValueError("the SMS gateway URL must be an absolute http(s) URL")
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)

    @property
    def endpoint(self) -> str:
        """The URL as logs may show it: no credentials, no query string."""
        return str(self._url.copy_with(query=None, fragment=None, username=None, password=None))

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, message: SmsMessage) -> DeliveryResult:
        # Serialised once: the bytes signed are the bytes sent.
        body = orjson.dumps({"to": message.phone, "text": message.text})
        attempts: list[DeliveryAttempt] = []
        for number in range(1, self.max_attempts + 1):
            attempt, retry_after = await self._attempt(message.message_id, number, body)
            attempts.append(attempt)
            if attempt.status_code is not None and 200 <= attempt.status_code < 300:
                return DeliveryResult(delivered=True, attempts=attempts)
            final = attempt.status_code is not None and not is_retryable_status(attempt.status_code)
            log.warning(
                "sms %s attempt %d to %s failed: %s",
                message.message_id,
                number,
                self.endpoint,
                attempt.error,
            )
            if final or number == self.max_attempts:
                break
            delay = backoff_delay(
                number, self.backoff_seconds, self.max_backoff_seconds, self._jitter()
            )
            if retry_after is not None:
                delay = max(delay, min(retry_after, self.max_backoff_seconds))
            await self._sleep(delay)
        return DeliveryResult(delivered=False, attempts=attempts)

    async def _attempt(
        self, message_id: str, number: int, body: bytes
    ) -> tuple[DeliveryAttempt, float | None]:
        """One POST; a transport error that may pass is recorded, not raised."""
        at = self._clock()
        # Signed afresh on each attempt so a late retry is not refused as a replay.
        headers = {
            "content-type": "application/json",
            **signature_headers(self._key, message_id, at, body),
        }
        # HTTP client semantic conventions, less url.full: its query may hold a key.
        with telemetry.tracer().start_as_current_span(
            "POST",
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": "POST",
                "server.address": self._url.host,
                "server.port": self._url.port or (443 if self._url.scheme == "https" else 80),
                "url.path": self._url.path,
                "http.request.resend_count": number - 1,
            },
        ) as span:
            try:
                response = await self._client.post(self._url, content=body, headers=headers)
            except RETRYABLE_TRANSPORT_ERRORS as exc:
                span.set_attribute("error.type", type(exc).__name__)
                span.set_status(Status(StatusCode.ERROR))
                return DeliveryAttempt(number, at, None, _transport_error_text(exc)), None
            span.set_attribute("http.response.status_code", response.status_code)
            if response.is_success:
                return DeliveryAttempt(number, at, response.status_code, ""), None
            span.set_attribute("error.type", str(response.status_code))
            span.set_status(Status(StatusCode.ERROR))
            # The body is not read into the record: a gateway may echo the number back.
            error = f"HTTP {response.status_code}"
            return DeliveryAttempt(number, at, response.status_code, error), _retry_after_seconds(
                response
            )
