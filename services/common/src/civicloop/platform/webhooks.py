"""Standard Webhooks (https://www.standardwebhooks.com): how every request Civicloop sends out
is signed, and how a receiver checks one. HMAC-SHA256 over
``"{webhook-id}.{webhook-timestamp}.{body}"``, the secret serialised as ``whsec_<base64>``.

Also the sending side's shared rules: which answers are worth retrying, the backoff between
attempts, and one signed POST whose record holds no URL query, body or secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from opentelemetry.trace import SpanKind, Status, StatusCode

from civicloop.platform import telemetry
from civicloop.platform.errors import Unauthenticated

SECRET_PREFIX = "whsec_"
# The specification's bounds for a symmetric signing secret.
SECRET_MIN_BYTES, SECRET_MAX_BYTES = 24, 64
# The specification's recommended replay window.
DEFAULT_TOLERANCE = timedelta(minutes=5)

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"


@dataclass(frozen=True)
class DeliveryAttempt:
    number: int
    at: datetime
    status_code: int | None  # None when no response came back
    error: str  # "" on success; otherwise what went wrong, never the phone or the text


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


def retry_after_seconds(response: httpx.Response) -> float | None:
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


def transport_error_text(exc: httpx.TransportError) -> str:
    return _TRANSPORT_ERROR_TEXTS.get(type(exc), f"transport error {type(exc).__name__}")


# Failures on the way there or back, which may pass; a bad URL or proxy set-up will not.
RETRYABLE_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes, ``whsec_<base64>``."""
    return SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode("ascii")


def secret_fingerprint(secret: str) -> str:
    """First 8 hex characters of SHA-256 over the secret's bytes: tells secrets apart in a
    listing without showing one."""
    return hashlib.sha256(decode_secret(secret)).hexdigest()[:8]


async def post_signed(
    client: httpx.AsyncClient,
    url: httpx.URL,
    key: bytes,
    message_id: str,
    body: bytes,
    number: int,
    at: datetime,
) -> tuple[DeliveryAttempt, float | None]:
    """One signed POST of ``body`` (attempt ``number``, signed at ``at``): its record, and the
    receiver's Retry-After in seconds when it gave one. A transport error that may pass is
    recorded, not raised."""
    # Signed afresh on each attempt so a late retry is not refused as a replay.
    headers = {
        "content-type": "application/json",
        **signature_headers(key, message_id, at, body),
    }
    # HTTP client semantic conventions, less url.full: its query may hold a key.
    with telemetry.tracer().start_as_current_span(
        "POST",
        kind=SpanKind.CLIENT,
        attributes={
            "http.request.method": "POST",
            "server.address": url.host,
            "server.port": url.port or (443 if url.scheme == "https" else 80),
            "url.path": url.path,
            "http.request.resend_count": number - 1,
        },
    ) as span:
        try:
            response = await client.post(url, content=body, headers=headers)
        except RETRYABLE_TRANSPORT_ERRORS as exc:
            span.set_attribute("error.type", type(exc).__name__)
            span.set_status(Status(StatusCode.ERROR))
            return DeliveryAttempt(number, at, None, transport_error_text(exc)), None
        span.set_attribute("http.response.status_code", response.status_code)
        if response.is_success:
            return DeliveryAttempt(number, at, response.status_code, ""), None
        span.set_attribute("error.type", str(response.status_code))
        span.set_status(Status(StatusCode.ERROR))
        # The body is not read into the record: a receiver may echo what it was sent.
        error = f"HTTP {response.status_code}"
        return DeliveryAttempt(number, at, response.status_code, error), retry_after_seconds(
            response
        )
