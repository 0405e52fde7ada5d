"""Prometheus metrics of the event machinery, what an operator watches at 3 a.m.:
is the outbox draining, are events failing, is anything being parked, is the loop keeping up."""

from __future__ import annotations

import asyncio

from prometheus_client import Counter, Gauge, Histogram

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
    "The longest an event waited for the relay over about the last second: the oldest still"
    " unsent, or the longest-waiting one a pass took (0 when there was none): alert when it"
    " grows",
)
OUTBOX_RELAY_LISTENING = Gauge(
    "civicloop_outbox_relay_listening",
    "1 while the outbox relay holds its LISTEN connection (woken at each commit), 0 while it"
    " only polls (every event waits up to the poll interval)",
)
OUTBOX_LISTEN_LOST = Counter(
    "civicloop_outbox_listen_lost_total",
    "Times the outbox relay lost its LISTEN connection (it connects again with backoff)",
)
OUTBOX_SENT_BY_POLL = Counter(
    "civicloop_outbox_sent_by_poll_total",
    "Events the relay found only at its poll, no notification having woken it: near 0 while"
    " it listens, every event while it does not",
)
DEPENDENCY_UP = Gauge(
    "civicloop_dependency_up",
    "1 when the dependency answered the last readiness check, 0 when it did not; the service"
    " serves on without the broker (events wait in the outbox) and Redis (limits unchecked)",
    ["dependency"],
)
RATE_LIMITS_UNCHECKED = Counter(
    "civicloop_rate_limits_unchecked_total",
    "Requests let through without their rate limit checked because Redis did not answer",
)
DATABASE_CONNECTION_LOST = Counter(
    "civicloop_database_connection_lost_total",
    "Requests whose database connection was lost: retried (run again, nothing had been"
    " committed) or unavailable (answered 503 / UNAVAILABLE, the caller repeats)",
    ["outcome"],
)
for _outcome in ("retried", "unavailable"):  # at 0 from the start, so alerts see the series
    DATABASE_CONNECTION_LOST.labels(_outcome)
GRPC_SERVER_HANDLING_SECONDS = Histogram(
    "civicloop_grpc_server_handling_seconds",
    "Time a unary RPC spent in the service, from the servicer's call to its answer or"
    " refusal (what the client waits beyond the network and grpc's own queue), by method and"
    " status code; fine buckets near the millisecond, where a proof's target lies",
    ["method", "code"],
    buckets=(
        0.00025, 0.0005, 0.00075, 0.001, 0.00125, 0.0015, 0.00175, 0.002, 0.0025, 0.003,
        0.004, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
    ),
)
EVENT_LOOP_LAG_SECONDS = Histogram(
    "civicloop_event_loop_lag_seconds",
    "How late the event loop ran a timer: every request, delivery and broker confirm of the"
    " process waits this long on top of its own work",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)


async def watch_event_loop_lag(interval_seconds: float = 0.05) -> None:
    """Observe the loop's lag every interval, for as long as the process runs."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + interval_seconds
        await asyncio.sleep(interval_seconds)
        EVENT_LOOP_LAG_SECONDS.observe(max(0.0, loop.time() - due))
