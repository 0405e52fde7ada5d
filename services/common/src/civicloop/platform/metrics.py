"""Prometheus metrics of the event machinery, what an operator watches at 3 a.m.:
is the outbox draining, are events failing, is anything being parked."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

EVENTS_PUBLISHED = Counter(
    "civicloop_events_published_total",
    "Events the relay published and the broker confirmed",
    ["type"],
)
EVENTS_CONSUMED = Counter(
    "civicloop_events_consumed_total",
    "Events handled, by outcome: applied, failed (requeued), malformed (parked at once)",
    ["type", "outcome"],
)
OUTBOX_OLDEST_UNSENT_SECONDS = Gauge(
    "civicloop_outbox_oldest_unsent_seconds",
    "Age of the oldest event not yet published (0 when the outbox is empty): alert when it grows",
)
