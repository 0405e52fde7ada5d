"""How publication stores the board: each case's steps and the public case folded from them,
the batches (the unit of work writes a batch with the outbox and history rows of its events),
the webhooks and their deliveries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

import asyncpg
import orjson

from civicloop.platform.db import Connection
from civicloop.platform.domain import Actor
from civicloop.platform.errors import NotFound
from civicloop.platform.months import month_of
from civicloop.platform.protobuf import parse_uuid
from civicloop.platform.unit_of_work import UnitOfWork
from civicloop.publication.domain.batches import Batch, BatchState, Correction
from civicloop.publication.domain.board import BoardList, PublicCase, Step, StepKind, fold

SOURCE = "publication"


def _actor_json(actor: Actor | None) -> str | None:
    return orjson.dumps({"subject": actor.subject, "role": actor.role}).decode() if actor else None


def _actor(raw: Any) -> Actor | None:
    if raw is None:
        return None
    data = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    return Actor(data["subject"], data["role"])


def step_from_row(row: asyncpg.Record) -> Step:
    facts = row["facts"]
    return Step(
        str(row["case_id"]),
        row["version"],
        StepKind(row["kind"]),
        row["at"],
        row["department_code"],
        row["text"],
        orjson.loads(facts) if isinstance(facts, str) else facts,
        # An event's second step is kept as "<event id>/<n>".
        row["event_id"].split("/")[0],
    )


class Board:
    """The steps and public cases, written by the projection inside the inbox's transaction."""

    def __init__(self, conn: Connection, homestay_categories: frozenset[str]) -> None:
        self.conn = conn
        self.homestay_categories = homestay_categories

    async def record(self, event_id: str, steps: list[Step]) -> None:
        """Keep the event's steps and fold each case they touch again, one case at a time
        (a lock per case: two of its events applied at once must not fold without each
        other)."""
        for index, s in enumerate(steps):
            await self.conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))", s.case_id
            )
            await self.conn.execute(
                """INSERT INTO case_steps (event_id, case_id, version, kind, at, department_code,
                                           text, facts)
                   VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, $8::jsonb)
                   ON CONFLICT (event_id) DO NOTHING""",
                f"{event_id}/{index}" if index else event_id,
                s.case_id,
                s.version,
                s.kind.value,
                s.at,
                s.department_code,
                s.text,
                orjson.dumps(s.facts).decode(),
            )
            await self.save(fold(s.case_id, await self.steps(s.case_id)))

    async def steps(self, case_id: str) -> list[Step]:
        rows = await self.conn.fetch("SELECT * FROM case_steps WHERE case_id = $1::uuid", case_id)
        return [step_from_row(r) for r in rows]

    async def save(self, case: PublicCase) -> None:
        at = case.opened_at or case.updated_at
        await self.conn.execute(
            """INSERT INTO public_cases (case_id, version, state, public, escalated,
                   category_code, community_code, case_list, board_lists, summary,
                   petition_count, latitude, longitude, department_code, progress_percent,
                   latest_measures, result_summary, score_total, rating_count, satisfied_count,
                   merged_into, month, opened_at, dispatched_at, completed_at, closed_at,
                   updated_at)
               VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                       $16, $17, $18, $19, $20, $21::uuid, $22, $23, $24, $25, $26, $27)
               ON CONFLICT (case_id) DO UPDATE SET
                   version = EXCLUDED.version, state = EXCLUDED.state,
                   public = EXCLUDED.public, escalated = EXCLUDED.escalated,
                   category_code = EXCLUDED.category_code,
                   community_code = EXCLUDED.community_code,
                   case_list = EXCLUDED.case_list, board_lists = EXCLUDED.board_lists,
                   summary = EXCLUDED.summary, petition_count = EXCLUDED.petition_count,
                   latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
                   department_code = EXCLUDED.department_code,
                   progress_percent = EXCLUDED.progress_percent,
                   latest_measures = EXCLUDED.latest_measures,
                   result_summary = EXCLUDED.result_summary,
                   score_total = EXCLUDED.score_total, rating_count = EXCLUDED.rating_count,
                   satisfied_count = EXCLUDED.satisfied_count,
                   merged_into = EXCLUDED.merged_into, month = EXCLUDED.month,
                   opened_at = EXCLUDED.opened_at, dispatched_at = EXCLUDED.dispatched_at,
                   completed_at = EXCLUDED.completed_at, closed_at = EXCLUDED.closed_at,
                   updated_at = EXCLUDED.updated_at""",
            case.case_id,
            case.version,
            case.state.value,
            case.public,
            case.escalated,
            case.category_code,
            case.community_code,
            case.case_list.value if case.case_list else "",
            [b.value for b in case.board_lists(self.homestay_categories)],
            case.summary,
            case.petition_count,
            case.latitude,
            case.longitude,
            case.department_code,
            case.progress_percent,
            case.latest_measures,
            case.result_summary,
            case.score_total,
            case.rating_count,
            case.satisfied_count,
            case.merged_into or None,
            month_of(at) if at else "",
            case.opened_at,
            case.dispatched_at,
            case.completed_at,
            case.closed_at,
            case.updated_at,
        )


def _correction_json(c: Correction) -> dict[str, Any]:
    return {
        "edition": c.edition,
        "note": c.note,
        "added_case_ids": list(c.added_case_ids),
        "removed_case_ids": list(c.removed_case_ids),
        "title_before": c.title_before,
        "title_after": c.title_after,
        "description_before": c.description_before,
        "description_after": c.description_after,
        "at": c.at.isoformat(),
        "by": {"subject": c.by.subject, "role": c.by.role},
    }


def _correction(data: dict[str, Any]) -> Correction:
    return Correction(
        edition=data["edition"],
        note=data["note"],
        added_case_ids=tuple(data["added_case_ids"]),
        removed_case_ids=tuple(data["removed_case_ids"]),
        title_before=data["title_before"],
        title_after=data["title_after"],
        description_before=data["description_before"],
        description_after=data["description_after"],
        at=datetime.fromisoformat(data["at"]),
        by=Actor(data["by"]["subject"], data["by"]["role"]),
    )


def batch_from_row(row: asyncpg.Record) -> Batch:
    def loaded(value: Any) -> Any:
        return orjson.loads(value) if isinstance(value, str) else value

    created_by = _actor(row["created_by"])
    assert created_by is not None
    return Batch(
        id=str(row["batch_id"]),
        title=row["title"],
        description=row["description"],
        filter=loaded(row["filter"]),
        case_ids=tuple(str(c) for c in row["case_ids"]),
        created_at=row["created_at"],
        created_by=created_by,
        board_list=BoardList(row["board_list"]) if row["board_list"] else None,
        state=BatchState(row["state"]),
        version=row["version"],
        edition=row["edition"],
        channels=tuple(row["channels"]),
        published_at=row["published_at"],
        published_by=_actor(row["published_by"]),
        corrections=[_correction(c) for c in loaded(row["corrections"])],
    )


class BatchRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, batch_id: str, *, lock: bool = False) -> Batch:
        row = await self.conn.fetchrow(
            "SELECT * FROM batches WHERE batch_id = $1::uuid" + (" FOR UPDATE" if lock else ""),
            parse_uuid(batch_id, "batch_id"),
        )
        if row is None:
            raise NotFound(f"no batch {batch_id}")
        return batch_from_row(row)

    async def save(self, batch: Batch) -> None:
        await self.conn.execute(
            """INSERT INTO batches (batch_id, state, title, description, filter, board_list,
                   case_ids, version, edition, channels, created_at, created_by, published_at,
                   published_by, corrections)
               VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6, $7::uuid[], $8, $9, $10, $11,
                       $12::jsonb, $13, $14::jsonb, $15::jsonb)
               ON CONFLICT (batch_id) DO UPDATE SET
                   state = EXCLUDED.state, title = EXCLUDED.title,
                   description = EXCLUDED.description, case_ids = EXCLUDED.case_ids,
                   version = EXCLUDED.version, edition = EXCLUDED.edition,
                   channels = EXCLUDED.channels, published_at = EXCLUDED.published_at,
                   published_by = EXCLUDED.published_by, corrections = EXCLUDED.corrections""",
            batch.id,
            batch.state.value,
            batch.title,
            batch.description,
            orjson.dumps(batch.filter).decode(),
            batch.board_list.value if batch.board_list else "",
            list(batch.case_ids),
            batch.version,
            batch.edition,
            list(batch.channels),
            batch.created_at,
            _actor_json(batch.created_by),
            batch.published_at,
            _actor_json(batch.published_by),
            orjson.dumps([_correction_json(c) for c in batch.corrections]).decode(),
        )


class Deliveries:
    """Webhook deliveries queued in the transaction of the change they report."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def queue(
        self,
        channels: tuple[str, ...],
        event_id: str,
        event_type: str,
        body: bytes,
        at: datetime,
        give_up_after: timedelta,
    ) -> int:
        """One delivery per live webhook of each channel that takes this event type."""
        status = await self.conn.execute(
            """INSERT INTO webhook_deliveries (delivery_id, webhook_id, event_id, event_type,
                   body, state, next_attempt_at, give_up_at, created_at)
               SELECT gen_random_uuid(), webhook_id, $2, $3, $4, 'pending', $5, $6, $5
                 FROM webhooks
                WHERE channel = ANY($1::text[]) AND deleted_at IS NULL
                  AND $3 = ANY(event_types)
               ON CONFLICT (webhook_id, event_id) DO NOTHING""",
            list(channels),
            event_id,
            event_type,
            body,
            at,
            at + give_up_after,
        )
        return int(status.split()[-1])


class PublicationUnitOfWork(UnitOfWork[Batch]):
    source: ClassVar[str] = SOURCE

    def open_repositories(self) -> None:
        self.batches = BatchRepository(self.conn)
        self.deliveries = Deliveries(self.conn)

    async def save(self, aggregate: Batch) -> None:
        await self.batches.save(aggregate)
