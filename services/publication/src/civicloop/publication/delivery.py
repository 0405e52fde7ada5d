"""Delivering webhooks to media channels: due deliveries are taken a few at a time
(FOR UPDATE SKIP LOCKED, so replicas share the work), POSTed signed per Standard Webhooks, and
marked delivered, due again after a backoff, or dead (then a publisher replays them)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

import asyncpg
import httpx

from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.db import Connection
from civicloop.platform.errors import InvalidArgument
from civicloop.platform.webhooks import decode_secret, post_signed
from civicloop.publication.domain.webhooks import RetryPolicy
from civicloop.publication.secrets import SecretBox
from civicloop.publication.urls import UrlPolicy

log = logging.getLogger(__name__)

# Deliveries taken per pass; each pass sends them concurrently.
BATCH = 20


class WebhookDeliverer:
    def __init__(
        self,
        pool: asyncpg.Pool,
        secrets: SecretBox,
        urls: UrlPolicy,
        policy: RetryPolicy,
        *,
        clock: Clock = system_clock,
        jitter: Callable[[], float] = random.random,
        timeout: httpx.Timeout = httpx.Timeout(10.0, connect=3.0),
    ) -> None:
        self.pool = pool
        self.secrets = secrets
        self.urls = urls
        self.policy = policy
        self.clock = clock
        self.jitter = jitter
        self.client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def deliver_due(self) -> None:
        """One pass: every delivery due now, until none is left."""
        while await self._pass():
            pass

    async def _pass(self) -> int:
        # Signed and timed with the wall clock's idea of now, as receivers check it.
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                """SELECT d.delivery_id, d.event_id, d.body, d.attempts, d.give_up_at,
                          w.webhook_id, w.url, w.sealed_secret
                     FROM webhook_deliveries d JOIN webhooks w USING (webhook_id)
                    WHERE d.state = 'pending' AND d.next_attempt_at <= $1
                    ORDER BY d.next_attempt_at
                    LIMIT $2 FOR UPDATE OF d SKIP LOCKED""",
                now,
                BATCH,
            )
            if not rows:
                return 0
            # The POSTs go out together; the rows are written one by one on this connection.
            outcomes = await asyncio.gather(*(self._attempt(row) for row in rows))
            for row, outcome in zip(rows, outcomes, strict=True):
                await self._record(conn, row, *outcome)
        return len(rows)

    async def _attempt(self, row: asyncpg.Record) -> tuple[int | None, str, float | None]:
        """One signed POST: its status (None: no answer), error text and Retry-After."""
        number = row["attempts"] + 1
        webhook_id = str(row["webhook_id"])
        status: int | None
        retry_after: float | None = None
        try:
            url = await self.urls.check(row["url"], "url")
            secret = self.secrets.open(row["sealed_secret"], webhook_id)
            attempt, retry_after = await post_signed(
                self.client,
                url,
                decode_secret(secret),
                row["event_id"],
                row["body"],
                number,
                self.clock(),
            )
            status, error = attempt.status_code, attempt.error
        except InvalidArgument as refused:
            status, error = None, f"url refused: {refused.message}"
        return status, error, retry_after

    async def _record(
        self,
        conn: Connection,
        row: asyncpg.Record,
        status: int | None,
        error: str,
        retry_after: float | None,
    ) -> None:
        number = row["attempts"] + 1
        webhook_id = str(row["webhook_id"])
        delivered = status is not None and 200 <= status < 300
        attempted_at = self.clock()
        next_at = None
        if not delivered:
            next_at = self.policy.after_failure(
                number,
                status,
                attempted_at,
                row["give_up_at"],
                self.jitter(),
                retry_after,
            )
            log.warning(
                "webhook %s delivery %s attempt %d failed: %s",
                webhook_id,
                row["delivery_id"],
                number,
                error,
            )
        state = "delivered" if delivered else ("pending" if next_at else "dead")
        await conn.execute(
            """WITH d AS (
                 UPDATE webhook_deliveries
                    SET state = $2::text, attempts = $3, last_status = $4, last_error = $5,
                        next_attempt_at = coalesce($6::timestamptz, next_attempt_at),
                        delivered_at = CASE WHEN $2::text = 'delivered' THEN $7::timestamptz END
                  WHERE delivery_id = $1)
               UPDATE webhooks
                  SET last_delivery_at = $7::timestamptz, last_delivery_status = $4,
                      consecutive_failures = CASE WHEN $2::text = 'delivered' THEN 0
                                                  ELSE consecutive_failures + 1 END
                WHERE webhook_id = $8::uuid""",
            row["delivery_id"],
            state,
            number,
            status or 0,
            error,
            next_at,
            attempted_at,
            webhook_id,
        )

    async def aclose(self) -> None:
        await self.client.aclose()
