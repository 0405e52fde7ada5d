"""Publication's reads: the board's cases, a case with its timeline, batches, the city's
figures, webhooks and their deliveries. Everything here is public unless the caller says
otherwise; none of it holds personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from civicloop.platform.db import Connection
from civicloop.platform.domain import CaseList
from civicloop.platform.errors import InvalidArgument, NotFound
from civicloop.platform.months import month_bounds
from civicloop.platform.paging import Keyset, PageRequest
from civicloop.platform.protobuf import parse_uuid
from civicloop.publication.domain.batches import Batch, BatchState
from civicloop.publication.domain.board import (
    NOT_PUBLIC,
    BoardList,
    PublicCase,
    PublicState,
    Step,
    StepKind,
    timeline,
)
from civicloop.publication.store.repository import batch_from_row, step_from_row

CASES = Keyset("public_cases", ("timestamp", "uuid"))
BATCHES = Keyset("batches", ("timestamp", "uuid"))
WEBHOOKS = Keyset("webhooks", ("timestamp", "uuid"))
DELIVERIES = Keyset("webhook_deliveries", ("timestamp", "uuid"))
# A merged case answers with the case that absorbed it; chains are short (a merge of merges).
MERGE_HOPS = 5


@dataclass(frozen=True)
class CaseFilter:
    """The board's filters; None or empty means any."""

    board_list: BoardList | None = None
    category_code: str | None = None
    community_code: str | None = None
    states: tuple[PublicState, ...] = ()
    month: str | None = None
    batch_id: str | None = None
    escalated_only: bool = False


@dataclass(frozen=True)
class BatchFilter:
    """Which public cases a new batch gathers (the contract's PublicationBatchFilter)."""

    category_codes: tuple[str, ...] = ()
    community_codes: tuple[str, ...] = ()
    states: tuple[PublicState, ...] = ()
    case_list: CaseList | None = None
    board_list: BoardList | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "category_codes": list(self.category_codes),
            "community_codes": list(self.community_codes),
            "states": [s.value for s in self.states],
            "list": self.case_list.value if self.case_list else "",
            "board_list": self.board_list.value if self.board_list else "",
            "updated_from": self.updated_from.isoformat() if self.updated_from else "",
            "updated_to": self.updated_to.isoformat() if self.updated_to else "",
        }


@dataclass(frozen=True)
class ShownCase:
    """A public case with the lists it is on (and, for its own page, its timeline)."""

    case: PublicCase
    board_lists: tuple[BoardList, ...]
    timeline: tuple[Step, ...] = ()
    batch_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figures:
    """The five figures of 晒单 for a period; satisfaction comes from rating."""

    received: int
    resolved_on_site: int
    consolidated: int
    completed: int
    closed: int
    public_cases: int


@dataclass(frozen=True)
class Webhook:
    webhook_id: str
    channel: str
    url: str
    event_types: tuple[str, ...]
    description: str
    secret_fingerprint: str
    created_at: datetime
    created_by: dict[str, str]
    deleted: bool
    last_delivery_at: datetime | None
    last_delivery_status: int
    consecutive_failures: int


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    webhook_id: str
    channel: str
    event_id: str
    event_type: str
    state: str
    attempts: int
    last_status: int
    last_error: str
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    body: bytes = field(repr=False, default=b"")


def case_from_row(row: asyncpg.Record) -> ShownCase:
    case = PublicCase(
        case_id=str(row["case_id"]),
        version=row["version"],
        state=PublicState(row["state"]),
        escalated=row["escalated"],
        category_code=row["category_code"],
        community_code=row["community_code"],
        case_list=CaseList(row["case_list"]) if row["case_list"] else None,
        summary=row["summary"],
        petition_count=row["petition_count"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        department_code=row["department_code"],
        progress_percent=row["progress_percent"],
        latest_measures=row["latest_measures"],
        result_summary=row["result_summary"],
        score_total=row["score_total"],
        rating_count=row["rating_count"],
        satisfied_count=row["satisfied_count"],
        merged_into=str(row["merged_into"]) if row["merged_into"] else "",
        opened_at=row["opened_at"],
        dispatched_at=row["dispatched_at"],
        completed_at=row["completed_at"],
        closed_at=row["closed_at"],
        updated_at=row["updated_at"],
    )
    return ShownCase(case, tuple(BoardList(b) for b in row["board_lists"]))


def _webhook(row: asyncpg.Record) -> Webhook:
    created_by = row["created_by"]
    return Webhook(
        str(row["webhook_id"]),
        row["channel"],
        row["url"],
        tuple(row["event_types"]),
        row["description"],
        row["secret_fingerprint"],
        row["created_at"],
        created_by if isinstance(created_by, dict) else orjson.loads(created_by),
        row["deleted_at"] is not None,
        row["last_delivery_at"],
        row["last_delivery_status"],
        row["consecutive_failures"],
    )


def delivery_from_row(row: asyncpg.Record) -> Delivery:
    return Delivery(
        str(row["delivery_id"]),
        str(row["webhook_id"]),
        row["channel"],
        row["event_id"],
        row["event_type"],
        row["state"],
        row["attempts"],
        row["last_status"],
        row["last_error"],
        row["next_attempt_at"],
        row["created_at"],
        row["delivered_at"],
        row["body"],
    )


class PublicationQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # ---- the board ----

    async def cases(self, wanted: CaseFilter, page: PageRequest) -> tuple[list[ShownCase], str]:
        # Only the filters given go into the statement, so that each shape of the board's
        # query gets a plan on its own index rather than one generic plan for all of them.
        conditions = ["public"]
        values: list[Any] = []

        def where(condition: str, value: Any) -> None:
            values.append(value)
            conditions.append(condition.replace("$?", f"${len(values)}"))

        if wanted.board_list:
            where("board_lists @> ARRAY[$?::text]", wanted.board_list.value)
        if wanted.category_code:
            where("category_code = $?", wanted.category_code)
        if wanted.community_code:
            where("community_code = $?", wanted.community_code)
        if wanted.states:
            where("state = ANY($?::text[])", [s.value for s in wanted.states])
        if wanted.month:
            since, until = month_bounds(wanted.month, "month")
            where("opened_at >= $?", since)
            where("opened_at < $?", until)
        if wanted.batch_id:
            where(
                """case_id = ANY(SELECT unnest(case_ids) FROM batches
                                  WHERE batch_id = $?::uuid AND state = 'published')""",
                parse_uuid(wanted.batch_id, "batch_id"),
            )
        if wanted.escalated_only:
            conditions.append("escalated")
        if page.after:
            values += page.after
            conditions.append(
                f"(updated_at, case_id) < (${len(values) - 1}, ${len(values)}::uuid)"
            )
        rows = await self.pool.fetch(
            f"""SELECT * FROM public_cases WHERE {" AND ".join(conditions)}
                 ORDER BY updated_at DESC, case_id DESC LIMIT {page.limit}""",
            *values,
        )
        found = [case_from_row(r) for r in rows]
        return CASES.page(found, page, lambda c: (c.case.updated_at, c.case.case_id))

    async def case(self, case_id: str) -> ShownCase:
        """A public case with its timeline; a merged case answers with the one absorbing it."""
        wanted = parse_uuid(case_id, "case_id")
        async with self.pool.acquire() as conn:
            for _ in range(MERGE_HOPS):
                row = await conn.fetchrow(
                    "SELECT * FROM public_cases WHERE case_id = $1::uuid", wanted
                )
                if row is None or not row["merged_into"]:
                    break
                wanted = str(row["merged_into"])
            if row is None or PublicState(row["state"]) in NOT_PUBLIC:
                raise NotFound(f"case {case_id} is not on the public board")
            shown = case_from_row(row)
            steps = [
                step_from_row(r)
                for r in await conn.fetch(
                    "SELECT * FROM case_steps WHERE case_id = $1::uuid", wanted
                )
            ]
            batch_ids = await conn.fetchval(
                """SELECT coalesce(array_agg(batch_id::text ORDER BY published_at), '{}')
                     FROM batches WHERE state = 'published' AND case_ids @> ARRAY[$1::uuid]""",
                wanted,
            )
        return ShownCase(shown.case, shown.board_lists, tuple(timeline(steps)), tuple(batch_ids))

    async def shown_cases(self, case_ids: tuple[str, ...]) -> list[ShownCase]:
        """The cases as the board shows them now, in the order given (those public)."""
        rows = await self.pool.fetch(
            "SELECT * FROM public_cases WHERE case_id = ANY($1::uuid[]) AND public",
            list(case_ids),
        )
        by_id = {str(r["case_id"]): case_from_row(r) for r in rows}
        return [by_id[c] for c in case_ids if c in by_id]

    async def public_case_ids(self, conn: Connection, case_ids: tuple[str, ...]) -> set[str]:
        rows = await conn.fetch(
            "SELECT case_id FROM public_cases WHERE case_id = ANY($1::uuid[]) AND public",
            list(case_ids),
        )
        return {str(r["case_id"]) for r in rows}

    async def matching(
        self, conn: Connection, wanted: BatchFilter, excluded: tuple[str, ...], limit: int
    ) -> list[str]:
        """The most recently updated public cases a batch's filter matches."""
        rows = await conn.fetch(
            """SELECT case_id FROM public_cases
                WHERE public
                  AND (cardinality($1::text[]) = 0 OR category_code = ANY($1))
                  AND (cardinality($2::text[]) = 0 OR community_code = ANY($2))
                  AND (cardinality($3::text[]) = 0 OR state = ANY($3))
                  AND ($4::text IS NULL OR case_list = $4)
                  AND ($5::text IS NULL OR board_lists @> ARRAY[$5::text])
                  AND ($6::timestamptz IS NULL OR updated_at >= $6)
                  AND ($7::timestamptz IS NULL OR updated_at < $7)
                  AND NOT case_id = ANY($8::uuid[])
                ORDER BY updated_at DESC, case_id DESC LIMIT $9""",
            list(wanted.category_codes),
            list(wanted.community_codes),
            [s.value for s in wanted.states],
            wanted.case_list.value if wanted.case_list else None,
            wanted.board_list.value if wanted.board_list else None,
            wanted.updated_from,
            wanted.updated_to,
            list(excluded),
            limit,
        )
        return [str(r["case_id"]) for r in rows]

    # ---- batches ----

    async def batch(self, batch_id: str, *, published_only: bool) -> Batch:
        row = await self.pool.fetchrow(
            "SELECT * FROM batches WHERE batch_id = $1::uuid", parse_uuid(batch_id, "batch_id")
        )
        if row is None or (published_only and row["state"] != BatchState.PUBLISHED.value):
            raise NotFound(f"no published batch {batch_id}")
        return batch_from_row(row)

    async def batches(
        self,
        page: PageRequest,
        *,
        state: BatchState | None,
        board_list: BoardList | None = None,
    ) -> tuple[list[Batch], str]:
        """Newest first: published batches by publication, drafts by creation."""
        after = page.after or (None, None)
        rows = await self.pool.fetch(
            f"""SELECT * FROM (
                  SELECT *, coalesce(published_at, created_at) AS shown_at FROM batches
                   WHERE ($1::text IS NULL OR state = $1)
                     AND ($2::text IS NULL OR board_list = $2)) b
                 WHERE $3::timestamptz IS NULL OR (shown_at, batch_id) < ($3, $4::uuid)
                 ORDER BY shown_at DESC, batch_id DESC LIMIT {page.limit}""",
            state.value if state else None,
            board_list.value if board_list else None,
            *after,
        )
        found = [batch_from_row(r) for r in rows]
        return BATCHES.page(found, page, lambda b: (b.published_at or b.created_at, b.id))

    # ---- the city's figures ----

    async def figures(self, month: str | None) -> Figures:
        since, until = month_bounds(month, "month") if month else (None, None)
        row = await self.pool.fetchrow(
            """SELECT count(*) FILTER (WHERE kind = $3) AS received,
                      count(DISTINCT case_id) FILTER (WHERE kind = $4) AS resolved_on_site,
                      count(DISTINCT case_id) FILTER (WHERE kind = $5) AS consolidated,
                      count(DISTINCT case_id) FILTER (WHERE kind = $6) AS completed,
                      count(DISTINCT case_id) FILTER (WHERE kind = $7) AS closed
                 FROM case_steps
                WHERE kind = ANY(ARRAY[$3, $4, $5, $6, $7])
                  AND ($1::timestamptz IS NULL OR at >= $1)
                  AND ($2::timestamptz IS NULL OR at < $2)""",
            since,
            until,
            StepKind.SUBMITTED.value,
            StepKind.RESOLVED_ON_SITE.value,
            StepKind.OPENED.value,
            StepKind.COMPLETED.value,
            StepKind.CLOSED.value,
        )
        shown = await self.pool.fetchval("SELECT count(*) FROM public_cases WHERE public")
        assert row is not None
        return Figures(
            row["received"],
            row["resolved_on_site"],
            row["consolidated"],
            row["completed"],
            row["closed"],
            shown,
        )

    async def board_mark(self) -> str:
        """Changes whenever the board does: a validator for ETags of pages that show it."""
        row = await self.pool.fetchrow(
            """SELECT (SELECT count(*) FROM case_steps) AS steps,
                      (SELECT coalesce(max(version), 0) + count(*) FROM batches) AS batches"""
        )
        assert row is not None
        return f"{row['steps']}.{row['batches']}"

    # ---- webhooks ----

    async def webhooks(self, page: PageRequest, channel: str | None) -> tuple[list[Webhook], str]:
        after = page.after or (None, None)
        rows = await self.pool.fetch(
            f"""SELECT * FROM webhooks
                 WHERE deleted_at IS NULL AND ($1::text IS NULL OR channel = $1)
                   AND ($2::timestamptz IS NULL OR (created_at, webhook_id) < ($2, $3::uuid))
                 ORDER BY created_at DESC, webhook_id DESC LIMIT {page.limit}""",
            channel,
            *after,
        )
        return WEBHOOKS.page(
            [_webhook(r) for r in rows], page, lambda w: (w.created_at, w.webhook_id)
        )

    async def webhook(self, webhook_id: str) -> Webhook:
        row = await self.pool.fetchrow(
            "SELECT * FROM webhooks WHERE webhook_id = $1::uuid",
            parse_uuid(webhook_id, "webhook_id"),
        )
        if row is None:
            raise NotFound(f"no webhook {webhook_id}")
        return _webhook(row)

    async def delivery(self, delivery_id: str) -> Delivery:
        row = await self.pool.fetchrow(
            """SELECT d.*, w.channel FROM webhook_deliveries d JOIN webhooks w USING (webhook_id)
                WHERE d.delivery_id = $1::uuid""",
            parse_uuid(delivery_id, "delivery_id"),
        )
        if row is None:
            raise NotFound(f"no delivery {delivery_id}")
        return delivery_from_row(row)

    async def deliveries(
        self, page: PageRequest, webhook_id: str | None, state: str | None
    ) -> tuple[list[Delivery], str]:
        after = page.after or (None, None)
        rows = await self.pool.fetch(
            f"""SELECT d.*, w.channel FROM webhook_deliveries d
                  JOIN webhooks w USING (webhook_id)
                 WHERE ($1::uuid IS NULL OR d.webhook_id = $1)
                   AND ($2::text IS NULL OR d.state = $2)
                   AND ($3::timestamptz IS NULL OR (d.created_at, d.delivery_id) < ($3, $4::uuid))
                 ORDER BY d.created_at DESC, d.delivery_id DESC LIMIT {page.limit}""",
            parse_uuid(webhook_id, "webhook_id") if webhook_id else None,
            state,
            *after,
        )
        return DELIVERIES.page(
            [delivery_from_row(r) for r in rows], page, lambda d: (d.created_at, d.delivery_id)
        )


def check_code(value: str, known: dict[str, Any], field_name: str) -> str:
    if value not in known:
        raise InvalidArgument.of(field_name, f"unknown code {value!r}")
    return value
