"""Webhooks to media channels: what a registration may say, and when a failed delivery is
tried again or given up. Pure: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from civicloop.platform.errors import InvalidArgument
from civicloop.platform.webhooks import backoff_delay, is_retryable_status

BATCH_PUBLISHED = "civicloop.publication.batch_published.v1"
BATCH_CORRECTED = "civicloop.publication.batch_corrected.v1"
BATCH_EVENT_TYPES = (BATCH_PUBLISHED, BATCH_CORRECTED)
CHANNEL = re.compile(r"[a-z][a-z0-9_]{1,63}")
DESCRIPTION_MAX = 200


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


def checked_channel(channel: str, field_name: str = "channel") -> str:
    if not CHANNEL.fullmatch(channel):
        raise InvalidArgument.of(field_name, "a channel code is lower snake case, 2..64 characters")
    return channel


def checked_event_types(event_types: list[str]) -> tuple[str, ...]:
    """Empty means every type a channel may receive."""
    unknown = [t for t in event_types if t not in BATCH_EVENT_TYPES]
    if unknown:
        raise InvalidArgument.of(
            "event_types", f"{unknown[0]!r} is not one of {', '.join(BATCH_EVENT_TYPES)}"
        )
    return tuple(dict.fromkeys(event_types)) or BATCH_EVENT_TYPES


def checked_webhook_description(description: str) -> str:
    if len(description) > DESCRIPTION_MAX:
        raise InvalidArgument.of("description", f"at most {DESCRIPTION_MAX} characters")
    return description.strip()


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter between attempts; dead after ``max_attempts``, a final
    refusal (a 4xx other than 429), or the delivery's window."""

    max_attempts: int
    backoff_seconds: float
    max_backoff_seconds: float

    def after_failure(
        self,
        attempts: int,
        status_code: int | None,
        now: datetime,
        give_up_at: datetime,
        jitter: float,
        retry_after: float | None = None,
    ) -> datetime | None:
        """When to try again after failed attempt number ``attempts``; None: it is dead."""
        if status_code is not None and not is_retryable_status(status_code):
            return None
        if attempts >= self.max_attempts:
            return None
        delay = backoff_delay(attempts, self.backoff_seconds, self.max_backoff_seconds, jitter)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_backoff_seconds))
        at = now + timedelta(seconds=delay)
        return at if at < give_up_at else None
