"""The transactional outbox and its relay.

``add_to_outbox`` is called inside the transaction that changes state; the relay publishes
the rows afterwards and deletes each row once the broker has confirmed it: the outbox holds
only what is still to be sent (the record of what happened is the history table, and the
events themselves are on the broker and the ledger). A crash between commit and publish loses
nothing: the rows stay and the relay sends them when the process is back. Delivery is
therefore at least once; consumers make it exactly-once in effect with their inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import defaultdict
from collections.abc import Iterable

import asyncpg
import orjson
from opentelemetry.trace import SpanKind, Status, StatusCode

from civicloop.platform import telemetry
from civicloop.platform.bus import EventBus
from civicloop.platform.db import Connection
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.metrics import (
    EVENTS_PUBLISHED,
    OUTBOX_LISTEN_LOST,
    OUTBOX_OLDEST_UNSENT_SECONDS,
    OUTBOX_RELAY_LISTENING,
    OUTBOX_SENT_BY_POLL,
)

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "civicloop_outbox"
# How the relay's LISTEN connection shows in pg_stat_activity.
LISTENER_NAME = "civicloop outbox relay"

# The head of every outbox insert, here and in the services' one-statement hot paths (which
# add the row as a data-modifying CTE): VALUES or SELECT follow, in this column order.
OUTBOX_INSERT = """INSERT INTO outbox (event_id, event_type, source, subject, occurred_at,
                                       payload, trace_headers)"""


async def add_to_outbox(conn: Connection, envelopes: Iterable[EventEnvelope]) -> None:
    rows = [
        (e.id, e.type, e.source, e.subject, e.time, e.data, orjson.dumps(e.trace_headers).decode())
        for e in envelopes
    ]
    if not rows:
        return
    await conn.executemany(f"{OUTBOX_INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)", rows)
    # The outbox_notify trigger wakes the relay at commit (migration 002).


class OutboxRelay:
    """Publishes unsent outbox rows: FOR UPDATE SKIP LOCKED, woken by LISTEN/NOTIFY.

    A commit notifies only when no other row was waiting (migration 008): a notifying commit
    waits for the one before it to reach the disk. So the relay passes again after every
    pass that sent rows, and looks once more ``settle_seconds`` after the outbox ran empty,
    for a row whose commit was under way then (it did not notify: it saw rows waiting). The
    poll catches a row that a longer transaction committed later still.

    A pass holds its rows until the broker has confirmed them, which takes a quorum queue a
    disk flush. Up to ``concurrent_passes`` passes run at once, so rows committed meanwhile go
    out at once instead of waiting for those confirms; a pass leaves alone the cases another
    pass of this relay is still publishing, so one case's events keep their order.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        bus: EventBus,
        dsn: str,
        *,
        batch_size: int = 50,
        concurrent_passes: int = 3,
        poll_seconds: float = 1.0,
        max_backoff_seconds: float = 10.0,
        coalesce_seconds: float = 0.005,
        settle_seconds: float = 0.05,
        relisten_seconds: tuple[float, float] = (0.2, 10.0),
        listen_check_seconds: float = 30.0,
    ) -> None:
        self.pool = pool
        self.bus = bus
        self.dsn = dsn
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.coalesce_seconds = coalesce_seconds
        self.settle_seconds = settle_seconds
        self._last_pass_sent = False
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        # Reconnecting LISTEN waits from the first to the second, doubling each failure.
        self.relisten_seconds = relisten_seconds
        self.listen_check_seconds = listen_check_seconds
        self._lag_measured_at = 0.0
        self._longest_wait = 0.0  # the longest any row a pass took had waited, since exported
        self._slots = asyncio.Semaphore(concurrent_passes)
        self._passes: set[asyncio.Task[None]] = set()
        self._choosing = asyncio.Lock()
        self._publishing: set[str] = set()  # subjects (case ids) of the passes in flight
        self._deferred = False  # a pass left rows of busy cases: wake again when one ends
        self._backoff = 0.0

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def run(self) -> None:
        listening = asyncio.create_task(self._keep_listening(), name="outbox-listen")
        self._wake.set()  # rows left unsent by an earlier run go first
        try:
            while not self._stopping.is_set():
                polled = False
                try:
                    await asyncio.wait_for(self._wake.wait(), self._backoff or self.poll_seconds)
                    # Under load (a pass still publishing) commits arrive every few hundred
                    # microseconds: a short pause lets one pass carry many rows instead of one
                    # pass per commit. An idle relay sends a lone event at once.
                    if self._passes:
                        await asyncio.sleep(self.coalesce_seconds)
                except TimeoutError:
                    # The poll: a pass even without a notification (or the backoff's end).
                    polled = not self._backoff
                if self._stopping.is_set():
                    break
                # Before the pass, which would take the rows whose age it reports.
                await self._measure_lag()
                await self._slots.acquire()
                if self._stopping.is_set():  # stopped while every slot was busy
                    self._slots.release()
                    break
                # Cleared when the pass starts: a commit notified after this point must wake
                # the next one, or its row would wait for the poll.
                self._wake.clear()
                task = asyncio.create_task(self._pass(polled))
                self._passes.add(task)
                task.add_done_callback(self._passes.discard)
        finally:
            try:
                # Cancelled here when the runtime's grace runs out: gather cancels the passes
                # too, and their rows stay unsent for the next start.
                await asyncio.gather(*self._passes, return_exceptions=True)
            finally:
                listening.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listening

    async def _keep_listening(self) -> None:
        """Hold a LISTEN connection for as long as the relay runs, connecting again (with
        backoff) whenever it is lost: without it every event waits for the poll."""
        first, longest = self.relisten_seconds
        wait = first
        lost_before = False
        while not self._stopping.is_set():
            try:
                # Its own connection, not a pool slot: LISTEN holds it for good, and a slot
                # taken for good would starve the handlers.
                conn = await asyncpg.connect(
                    self.dsn, timeout=10, server_settings={"application_name": LISTENER_NAME}
                )
            except Exception as exc:
                log.warning(
                    "outbox relay cannot LISTEN; polling every %ss, next try in %.1fs: %r",
                    self.poll_seconds,
                    wait,
                    exc,
                )
                await asyncio.sleep(wait * random.uniform(0.8, 1.2))
                wait = min(longest, wait * 2)
                continue
            wait = first
            try:
                await self._listen_on(conn, again=lost_before)
            except Exception as exc:
                if self._stopping.is_set():
                    return
                lost_before = True
                OUTBOX_RELAY_LISTENING.set(0)
                OUTBOX_LISTEN_LOST.inc()
                log.warning(
                    "outbox relay lost its LISTEN connection; polling every %ss until it"
                    " listens again: %r",
                    self.poll_seconds,
                    exc,
                )
            finally:
                conn.terminate()
                OUTBOX_RELAY_LISTENING.set(0)

    async def _listen_on(self, conn: asyncpg.Connection, *, again: bool) -> None:
        """LISTEN on ``conn`` until the relay stops; raise when the connection is lost. A
        connection whose server vanished without a word is found by a query now and then."""
        closed = asyncio.Event()
        conn.add_termination_listener(lambda _conn: closed.set())
        await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
        OUTBOX_RELAY_LISTENING.set(1)
        self._wake.set()  # rows committed while nobody listened go now
        if again:
            log.info("outbox relay listening again")
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(closed.wait(), self.listen_check_seconds)
            if closed.is_set():
                raise ConnectionError("the server closed the LISTEN connection")
            await conn.fetchval("SELECT 1", timeout=5)

    async def _pass(self, polled: bool = False) -> None:
        try:
            sent = await self.relay_once()
            if polled and sent:
                # Sent by the poll, not by a notification: a relay that does not listen.
                OUTBOX_SENT_BY_POLL.inc(sent)
            self._backoff = 0.0
            if sent:
                # Rows committed meanwhile did not notify: they saw these waiting.
                self._wake.set()
            elif self._last_pass_sent:
                asyncio.get_running_loop().call_later(self.settle_seconds, self._wake.set)
            self._last_pass_sent = sent > 0
        except Exception:
            log.exception("outbox relay pass failed; will retry")
            self._backoff = min(self.max_backoff_seconds, max(0.2, self._backoff * 2))
        finally:
            self._slots.release()
            if self._deferred:  # rows another pass left for this pass's cases go next
                self._deferred = False
                self._wake.set()

    async def _measure_lag(self) -> None:
        """Export, at most once a second, the longest an event has waited for the relay since
        the last export: the oldest still unsent, or the longest-waiting one a pass took. A
        relay that only polls shows there the wait of its poll, however the scrapes fall."""
        now = asyncio.get_running_loop().time()
        if now - self._lag_measured_at < 1.0:
            return
        self._lag_measured_at = now
        try:
            age = await self.pool.fetchval(
                "SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)"
                " FROM outbox WHERE sent_at IS NULL"
            )
            OUTBOX_OLDEST_UNSENT_SECONDS.set(max(float(age), self._longest_wait))
            self._longest_wait = 0.0
        except Exception:
            log.warning("could not measure the outbox lag", exc_info=True)

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()  # the loop waits for a wake-up; this one tells it to end

    async def relay_once(self) -> int:
        """Publish one batch of unsent rows; returns how many were confirmed."""
        subjects: set[str] = set()
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                # The deletions need not wait for the disk: a crash that loses them only sends
                # those rows again, which consumers absorb (their inbox). A pass then never
                # holds its cases, or a relay slot, while a slow disk flushes.
                await conn.execute("SET LOCAL synchronous_commit = off")
                # Choosing rows and taking their cases is one step among this relay's
                # passes: a pass that chose before another took its cases could publish a
                # case's later event before the earlier one.
                async with self._choosing:
                    if self._publishing:
                        self._deferred = True  # rows of busy cases may be left for later
                    rows = await conn.fetch(
                        """SELECT id, event_id, event_type, source, subject, occurred_at,
                                  payload, trace_headers,
                                  EXTRACT(EPOCH FROM clock_timestamp() - created_at)::float8
                                      AS waited
                             FROM outbox
                            WHERE sent_at IS NULL AND subject <> ALL($2::text[])
                            ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED""",
                        self.batch_size,
                        list(self._publishing),
                    )
                    subjects = {row["subject"] for row in rows}
                    if rows:
                        waited = max(row["waited"] for row in rows)
                        self._longest_wait = max(self._longest_wait, waited)
                    self._publishing |= subjects
                sent, failed = await self._publish_and_remove(conn, rows) if rows else (0, [])
        finally:
            # Only once the deletions are committed: until then another pass could take a
            # later event of these cases while an earlier one is still unsent.
            self._publishing -= subjects
        # Raised after the commit, so that the attempts and errors recorded above are kept.
        if failed:
            raise RuntimeError(f"{len(failed)} outbox rows not confirmed: {failed[0][1]}")
        return sent

    async def finish(self, running: asyncio.Task[None], grace: float) -> None:
        """Stop the relay that ``running`` runs, then send what the last requests wrote; each
        step given ``grace`` seconds (rows left over wait in the outbox for the next start)."""
        self.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(running, grace)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.drain(), grace)

    async def drain(self) -> None:
        """Publish until no full batch is left (the last pass when the service stops)."""
        while await self.relay_once() >= self.batch_size:
            pass

    async def _publish_and_remove(
        self, conn: Connection, rows: list[asyncpg.Record]
    ) -> tuple[int, list[tuple[int, str]]]:
        """Publish the rows and delete those confirmed; returns how many were sent, and the
        failures (kept, with their attempt counted).

        Deleted rather than marked sent: a mark is an UPDATE, a new version of the row with an
        entry in each of its indexes, and it left every event in the table for good; a
        deletion writes one WAL record a row, and the table and its indexes stay the size of
        what waits (the rating page's bench: PostgreSQL's CPU per rating 0.83-0.92 ms with
        marks, 0.60-0.76 ms with deletions)."""
        # Within this pass, events of one case go out in order and different cases
        # concurrently. Several relays (replicas) may interleave a case's events, so
        # consumers rely on case versions, never on arrival order.
        by_subject: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for row in rows:
            by_subject[row["subject"]].append(row)
        stored = {row["id"]: orjson.loads(row["trace_headers"]) for row in rows}
        # One send span for the pass, linked to each event's creation context (the span that
        # wrote the row), as the messaging conventions have a batch publish. Each event carries
        # its own stored context, so consumers continue the case's trace from the step that
        # caused it; a span per event would double the relay's cost for no more insight.
        with telemetry.tracer().start_as_current_span(
            f"send {self.bus.topology.events_exchange}",
            kind=SpanKind.PRODUCER,
            links=[telemetry.link_to(headers) for headers in stored.values()],
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.operation.type": "send",
                "messaging.operation.name": "publish",
                "messaging.destination.name": self.bus.topology.events_exchange,
                "messaging.batch.message_count": len(rows),
            },
        ) as span:
            sent, failed = await self._publish_in_waves(list(by_subject.values()), stored)
            if failed:
                span.set_status(Status(StatusCode.ERROR, "some events were not confirmed"))
        if sent:
            await conn.execute(
                "DELETE FROM outbox WHERE id = ANY($1::bigint[])", sent
            )
        if failed:
            await conn.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1",
                [(row_id, error[:500]) for row_id, error in failed],
            )
        return len(sent), failed

    async def _publish_in_waves(
        self, groups: list[list[asyncpg.Record]], stored: dict[int, dict[str, str]]
    ) -> tuple[list[int], list[tuple[int, str]]]:
        """Each case's events in order: the first event of every case in one publish, then,
        once confirmed, the second of each, and so on. A case whose event was not confirmed
        publishes nothing more this pass (its later events wait for the next, keeping their
        order). Returns the rows sent and the rows failed, with why."""
        sent: list[int] = []
        failed: list[tuple[int, str]] = []
        for wave in range(max(len(group) for group in groups)):
            groups = [group for group in groups if len(group) > wave]
            errors = await self.bus.publish_many(
                [
                    EventEnvelope(
                        id=str(row["event_id"]),
                        type=row["event_type"],
                        source=row["source"],
                        subject=row["subject"],
                        time=row["occurred_at"],
                        data=bytes(row["payload"]),
                        trace_headers=stored[row["id"]],
                    )
                    for row in (group[wave] for group in groups)
                ]
            )
            going_on = []
            for group, error in zip(groups, errors, strict=True):
                if error is None:
                    sent.append(group[wave]["id"])
                    EVENTS_PUBLISHED.labels(group[wave]["event_type"]).inc()
                    going_on.append(group)
                else:
                    failed += [(r["id"], repr(error)) for r in group[wave:]]
            groups = going_on
        return sent, failed
