"""Sending a rating link to a petitioner's phone: the notification port and the SMS gateway.

Requests to the gateway are signed as Standard Webhooks (``civicloop.platform.webhooks``), the
convention for every request Civicloop sends out. The webhook id is the rating link's id, so a
link sent again after a crash reaches the gateway as the same message and is not sent twice.

A phone number or a message text (which holds the link's token) never goes into an attempt's
record, a log line or a span; neither does the gateway URL's query string, which may carry the
gateway's own key.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import httpx
import orjson

from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.webhooks import (
    DeliveryAttempt,
    InvalidWebhookSecret,
    SignatureRefused,
    backoff_delay,
    decode_secret,
    is_retryable_status,
    post_signed,
    sign,
    signature_headers,
    verify_signature,
)

log = logging.getLogger(__name__)
# httpx logs every request's full URL at INFO, query string included.
logging.getLogger("httpx").setLevel(logging.WARNING)

# Development only, shared by rating and scripts/sms_sink.py; with CIVICLOOP_ENVIRONMENT=
# production rating refuses it (settings.require_secret) and RATING_SMS_SECRET must be set.
DEV_SMS_SECRET = "whsec_Y2l2aWNsb29wLWRldi1vbmx5LXNtcy1zZWNyZXQtMzI="

# The signing names rating's callers and scripts/sms_sink.py have always imported from here.
__all__ = [
    "DEV_SMS_SECRET",
    "DeliveryAttempt",
    "DeliveryResult",
    "InvalidWebhookSecret",
    "Notifier",
    "SignatureRefused",
    "SmsGateway",
    "SmsMessage",
    "backoff_delay",
    "decode_secret",
    "sign",
    "signature_headers",
    "verify_signature",
]


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
        return await post_signed(
            self._client, self._url, self._key, message_id, body, number, self._clock()
        )
