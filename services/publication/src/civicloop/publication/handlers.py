"""Publication's use cases: the board following the case events, and the publisher's commands
(batches and webhooks). gRPC, the pages and the bus only translate to these and back.

Every command runs in one unit of work: its request id is claimed first (a repeat gets the
first answer), the batch loaded and locked, its version checked, the change made; publishing
or correcting a batch writes its event to the outbox and one webhook delivery per registered
webhook of its channels, in the same transaction.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import orjson

from civicloop.platform.auth import Principal
from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.commands import CommandRequest
from civicloop.platform.db import Connection
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.errors import FailedPrecondition, InvalidArgument, NotFound
from civicloop.platform.protobuf import parse_uuid
from civicloop.platform.unit_of_work import record, stage
from civicloop.platform.webhooks import new_secret, secret_fingerprint
from civicloop.publication import messages
from civicloop.publication.domain.batches import (
    CHANNELS_MAX,
    Batch,
    ScheduledWindow,
    checked_cases,
    checked_description,
    checked_title,
)
from civicloop.publication.domain.board import BoardList
from civicloop.publication.domain.webhooks import (
    checked_channel,
    checked_event_types,
    checked_webhook_description,
)
from civicloop.publication.presenting import LIST_LABELS, shown_date
from civicloop.publication.queries import BatchFilter, PublicationQueries
from civicloop.publication.secrets import SecretBox
from civicloop.publication.steps import steps_of
from civicloop.publication.store.repository import SOURCE, Board, PublicationUnitOfWork
from civicloop.publication.urls import UrlPolicy

log = logging.getLogger(__name__)

# Who makes the scheduled batches.
SCHEDULER = Principal("service:publication", frozenset({"service:publication"}))
DEFAULT_BATCH_CASES = 100
MAX_BATCH_CASES = 500
# The contract: deliveries are retried for up to 24 hours; a repeat of RegisterWebhook shows
# the secret again for as long.
DELIVERY_WINDOW = timedelta(hours=24)
SECRET_SHOWN_AGAIN_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class Registered:
    webhook_id: str
    secret: str


class Projector:
    """The board follows every case event: each becomes steps, and the cases they touch are
    folded again (see domain/board.py)."""

    def __init__(self, homestay_categories: frozenset[str]) -> None:
        self.homestay_categories = homestay_categories

    async def on_case_event(self, conn: Connection, envelope: EventEnvelope) -> None:
        steps = steps_of(envelope.payload())
        await Board(conn, self.homestay_categories).record(envelope.id, steps)


class Publisher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        queries: PublicationQueries,
        secrets: SecretBox,
        urls: UrlPolicy,
        *,
        board_url: str,
        deliveries_waiting: asyncio.Event | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.pool = pool
        # Set when deliveries are queued, so the deliverer need not wait for its next look.
        self.deliveries_waiting = deliveries_waiting or asyncio.Event()
        self.queries = queries
        self.secrets = secrets
        self.urls = urls
        self.board_url = board_url.rstrip("/")
        self.clock = clock

    def _uow(self) -> PublicationUnitOfWork:
        return PublicationUnitOfWork(messages.event_message, pool=self.pool)

    @staticmethod
    def _command(
        principal: Principal, request_id: str, command: str, *body: Any
    ) -> CommandRequest | None:
        return CommandRequest.of(
            principal.subject, request_id, command, orjson.dumps(body, default=str)
        )

    # ---- batches ----

    async def create_batch(
        self,
        principal: Principal,
        request_id: str,
        title: str,
        description: str,
        wanted: BatchFilter,
        excluded: list[str],
        max_cases: int,
    ) -> Batch:
        title = checked_title(title)
        description = checked_description(description)
        if not 0 <= max_cases <= MAX_BATCH_CASES:
            raise InvalidArgument.of("max_cases", f"must be 0..{MAX_BATCH_CASES} (0 means 100)")
        if wanted.case_list and wanted.board_list:
            raise InvalidArgument.of("filter.board_list", "give list or board_list, not both")
        excluded_ids = checked_cases(excluded, "excluded_case_ids", allow_empty=True)
        request = self._command(
            principal,
            request_id,
            "CreateBatch",
            title,
            description,
            wanted.as_json(),
            excluded,
            max_cases,
        )
        async with self._uow() as uow:
            if repeated := await self._repeated(uow, request, principal):
                return repeated
            case_ids = await self.queries.matching(
                uow.conn, wanted, excluded_ids, max_cases or DEFAULT_BATCH_CASES
            )
            if not case_ids:
                raise FailedPrecondition("the filter matches no public case")
            batch = Batch(
                id=str(uuid.uuid4()),
                title=title,
                description=description,
                filter=wanted.as_json(),
                case_ids=tuple(case_ids),
                created_at=self.clock(),
                created_by=principal.actor,
                board_list=wanted.board_list or _board_list_of(wanted),
            )
            await uow.batches.save(batch)
            await uow.commit(answer=batch.id.encode(), authority=principal.role)
        return batch

    async def update_batch(
        self,
        principal: Principal,
        request_id: str,
        batch_id: str,
        expected_version: int,
        title: str,
        description: str | None,
        case_ids: list[str],
    ) -> Batch:
        new_title = checked_title(title) if title else None
        new_description = checked_description(description) if description is not None else None
        new_cases = checked_cases(case_ids, "case_ids") if case_ids else None
        request = self._command(
            principal,
            request_id,
            "UpdateBatch",
            batch_id,
            expected_version,
            title,
            description,
            case_ids,
        )
        async with self._uow() as uow:
            if repeated := await self._repeated(uow, request, principal):
                return repeated
            batch = await uow.batches.get(batch_id, lock=True)
            if new_cases:
                await self._all_public(uow.conn, new_cases, "case_ids")
            batch.update(expected_version, new_title, new_description, new_cases)
            await uow.batches.save(batch)
            await uow.commit(answer=batch.id.encode(), authority=principal.role)
        return batch

    async def publish_batch(
        self,
        principal: Principal,
        request_id: str,
        batch_id: str,
        expected_version: int,
        channels: list[str],
    ) -> Batch:
        if len(channels) > CHANNELS_MAX:
            raise InvalidArgument.of("channels", f"at most {CHANNELS_MAX}")
        if len(set(channels)) != len(channels):
            raise InvalidArgument.of("channels", "names a channel twice")
        for channel in channels:
            checked_channel(channel, "channels")
        request = self._command(
            principal, request_id, "PublishBatch", batch_id, expected_version, channels
        )
        async with self._uow() as uow:
            if repeated := await self._repeated(uow, request, principal):
                return repeated
            batch = await uow.batches.get(batch_id, lock=True)
            registered = set(
                await uow.conn.fetchval(
                    """SELECT coalesce(array_agg(DISTINCT channel), '{}') FROM webhooks
                        WHERE channel = ANY($1::text[]) AND deleted_at IS NULL""",
                    channels,
                )
            )
            missing = [c for c in channels if c not in registered]
            if missing:
                raise FailedPrecondition(
                    f"channel {missing[0]!r} has no registered webhook",
                )
            batch.publish(expected_version, tuple(channels), principal.actor, self.clock())
            await self._save_with_events(uow, batch)
            await uow.commit(answer=batch.id.encode(), authority=principal.role)
        self.deliveries_waiting.set()
        return batch

    async def correct_batch(
        self,
        principal: Principal,
        request_id: str,
        batch_id: str,
        expected_version: int,
        note: str,
        title: str,
        description: str | None,
        add: list[str],
        remove: list[str],
    ) -> Batch:
        new_title = checked_title(title) if title else None
        new_description = checked_description(description) if description is not None else None
        added = checked_cases(add, "add_case_ids", allow_empty=True)
        removed = checked_cases(remove, "remove_case_ids", allow_empty=True)
        request = self._command(
            principal,
            request_id,
            "CorrectBatch",
            batch_id,
            expected_version,
            note,
            title,
            description,
            add,
            remove,
        )
        async with self._uow() as uow:
            if repeated := await self._repeated(uow, request, principal):
                return repeated
            batch = await uow.batches.get(batch_id, lock=True)
            if added:
                await self._all_public(uow.conn, added, "add_case_ids")
            batch.correct(
                expected_version,
                note,
                new_title,
                new_description,
                added,
                removed,
                principal.actor,
                self.clock(),
            )
            await self._save_with_events(uow, batch)
            await uow.commit(answer=batch.id.encode(), authority=principal.role)
        self.deliveries_waiting.set()
        return batch

    @staticmethod
    async def _repeated(
        uow: PublicationUnitOfWork, request: CommandRequest | None, principal: Principal
    ) -> Batch | None:
        """The batch as it stands now, when this request id was answered before."""
        if earlier := await uow.commands.claim(request):
            return await uow.batches.get(earlier.replay_to(principal.roles).decode())
        return None

    async def _all_public(self, conn: Connection, case_ids: tuple[str, ...], field: str) -> None:
        public = await self.queries.public_case_ids(conn, case_ids)
        missing = [c for c in case_ids if c not in public]
        if missing:
            raise InvalidArgument.of(field, f"case {missing[0]} is not on the public board")

    async def _save_with_events(self, uow: PublicationUnitOfWork, batch: Batch) -> None:
        """The batch, its events in the outbox, and a webhook delivery per event for each
        registered webhook of its channels (the webhook-id is the event's id)."""
        envelopes, history = stage(SOURCE, batch, messages.event_message)
        await uow.batches.save(batch)
        await record(uow.conn, envelopes, history)
        cases = await self.queries.shown_cases(batch.case_ids)
        for envelope in envelopes:
            body = messages.webhook_body(envelope, batch, cases, self.board_url)
            await uow.deliveries.queue(
                batch.channels, envelope.id, envelope.type, body, self.clock(), DELIVERY_WINDOW
            )

    async def publish_scheduled(self, period: timedelta) -> None:
        """On a schedule: for each public list, the cases updated in the last whole period
        become one published batch (none when nothing moved). The request id is the list and
        the period, so replicas running the same schedule make each batch once."""
        window = ScheduledWindow.before(self.clock(), period)
        for board_list in BoardList:
            wanted = BatchFilter(
                board_list=board_list, updated_from=window.start, updated_to=window.end
            )
            label = LIST_LABELS[board_list]
            try:
                batch = await self.create_batch(
                    SCHEDULER,
                    f"scheduled:{board_list.value}:{window.key}",
                    f"{label}诉求公示（{shown_date(window.start)}至{shown_date(window.end)}）",
                    "",
                    wanted,
                    [],
                    MAX_BATCH_CASES,
                )
            except FailedPrecondition:
                continue  # nothing on this list moved in the period
            if not batch.published:
                await self.publish_batch(
                    SCHEDULER,
                    f"scheduled-publish:{batch.id}",
                    batch.id,
                    batch.version,
                    [],
                )

    # ---- webhooks ----

    async def register_webhook(
        self,
        principal: Principal,
        request_id: str,
        channel: str,
        url: str,
        event_types: list[str],
        description: str,
    ) -> Registered:
        channel = checked_channel(channel, "channel")
        types = checked_event_types(event_types)
        description = checked_webhook_description(description)
        await self.urls.check(url, "url")
        request = self._command(
            principal, request_id, "RegisterWebhook", channel, url, types, description
        )
        async with self._uow() as uow:
            if earlier := await uow.commands.claim(request):
                webhook_id = earlier.replay_to(principal.roles).decode()
                row = await uow.conn.fetchrow(
                    "SELECT sealed_secret, created_at FROM webhooks WHERE webhook_id = $1::uuid",
                    webhook_id,
                )
                if (
                    row is None
                    or row["sealed_secret"] is None
                    or self.clock() - row["created_at"] > SECRET_SHOWN_AGAIN_FOR
                ):
                    raise FailedPrecondition(
                        "this webhook's secret is no longer shown: register a new webhook"
                    )
                return Registered(webhook_id, self.secrets.open(row["sealed_secret"], webhook_id))
            webhook_id = str(uuid.uuid4())
            secret = new_secret()
            await uow.conn.execute(
                """INSERT INTO webhooks (webhook_id, channel, url, event_types, description,
                       sealed_secret, secret_fingerprint, created_at, created_by)
                   VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)""",
                webhook_id,
                channel,
                url,
                list(types),
                description,
                self.secrets.seal(secret, webhook_id),
                secret_fingerprint(secret),
                self.clock(),
                orjson.dumps(
                    {"subject": principal.actor.subject, "role": principal.actor.role}
                ).decode(),
            )
            await uow.commit(answer=webhook_id.encode(), authority=principal.role)
        return Registered(webhook_id, secret)

    async def delete_webhook(self, webhook_id: str) -> None:
        """Stop its deliveries and destroy its secret; deleting it again succeeds."""
        async with self.pool.acquire() as conn, conn.transaction():
            status = await conn.execute(
                """UPDATE webhooks SET deleted_at = coalesce(deleted_at, $2),
                          sealed_secret = NULL
                    WHERE webhook_id = $1::uuid""",
                parse_uuid(webhook_id, "webhook_id"),
                self.clock(),
            )
            if status.endswith(" 0"):
                raise NotFound(f"no webhook {webhook_id}")
            await conn.execute(
                """UPDATE webhook_deliveries SET state = 'dead', last_error = 'webhook deleted'
                    WHERE webhook_id = $1::uuid AND state = 'pending'""",
                webhook_id,
            )

    async def replay_delivery(self, delivery_id: str) -> None:
        """A dead delivery goes out again, its attempts afresh, under the same webhook-id."""
        now = self.clock()
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                """SELECT d.state, w.deleted_at FROM webhook_deliveries d
                     JOIN webhooks w USING (webhook_id) WHERE d.delivery_id = $1::uuid""",
                parse_uuid(delivery_id, "delivery_id"),
            )
            if row is None:
                raise NotFound(f"no delivery {delivery_id}")
            if row["deleted_at"] is not None:
                raise FailedPrecondition("the delivery's webhook is deleted")
            status = await conn.execute(
                """UPDATE webhook_deliveries
                      SET state = 'pending', attempts = 0, next_attempt_at = $2::timestamptz,
                          give_up_at = $2::timestamptz + $3::interval
                    WHERE delivery_id = $1::uuid AND state = 'dead'""",
                delivery_id,
                now,
                DELIVERY_WINDOW,
            )
            if status.endswith(" 0"):
                raise FailedPrecondition(f"delivery {delivery_id} is {row['state']}, not dead")
        self.deliveries_waiting.set()


def _board_list_of(wanted: BatchFilter) -> BoardList | None:
    return BoardList(wanted.case_list.value) if wanted.case_list else None
