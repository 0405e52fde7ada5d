"""Translation between publication's domain and the contracts: events, gRPC messages, and the
public JSON (the JSON API, the webhook bodies) built from the same few functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from google.protobuf.message import Message

from civicloop.platform.domain import CaseList
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.errors import InvalidArgument
from civicloop.platform.protobuf import (
    CASE_LIST_FROM_PB,
    CASE_LIST_TO_PB,
    actor_message,
    aware,
    enum_maps,
    timestamp,
)
from civicloop.publication.domain.batches import Batch, BatchCorrected, BatchPublished, BatchState
from civicloop.publication.domain.board import BoardList, PublicState, Step
from civicloop.publication.domain.webhooks import DeliveryState
from civicloop.publication.queries import BatchFilter, Delivery, ShownCase, Webhook
from civicloop.v1 import common_pb2, events_pb2, publication_pb2

BATCH_STATE_TO_PB, BATCH_STATE_FROM_PB = enum_maps(
    BatchState, publication_pb2.PublicationBatchState, "PUBLICATION_BATCH_STATE"
)
LIST_TO_PB, LIST_FROM_PB = enum_maps(BoardList, publication_pb2.PublicationList, "PUBLICATION_LIST")
STATE_TO_PB, STATE_FROM_PB = enum_maps(PublicState, common_pb2.CaseState, "CASE_STATE")
DELIVERY_STATE_TO_PB, DELIVERY_STATE_FROM_PB = enum_maps(
    DeliveryState, publication_pb2.WebhookDeliveryState, "WEBHOOK_DELIVERY_STATE"
)


def event_message(batch: Batch, event: Any) -> Message:
    match event:
        case BatchPublished():
            return events_pb2.BatchPublished(
                batch_id=batch.id,
                title=batch.title,
                case_ids=list(batch.case_ids),
                channels=list(batch.channels),
                published_at=timestamp(event.at),
                published_by=actor_message(event.actor),
            )
        case BatchCorrected(correction=c):
            return events_pb2.BatchCorrected(
                batch_id=batch.id,
                edition=c.edition,
                title=batch.title,
                case_ids=list(batch.case_ids),
                added_case_ids=list(c.added_case_ids),
                removed_case_ids=list(c.removed_case_ids),
                note=c.note,
                channels=list(batch.channels),
                corrected_at=timestamp(c.at),
                corrected_by=actor_message(c.by),
            )
    raise TypeError(f"no event for {type(event).__name__}")


def batch_pb(batch: Batch) -> publication_pb2.PublicationBatch:
    f = batch.filter
    return publication_pb2.PublicationBatch(
        batch_id=batch.id,
        state=BATCH_STATE_TO_PB[batch.state],
        title=batch.title,
        description=batch.description,
        filter=publication_pb2.PublicationBatchFilter(
            category_codes=f.get("category_codes", []),
            community_codes=f.get("community_codes", []),
            states=[STATE_TO_PB[PublicState(s)] for s in f.get("states", [])],
            list=CASE_LIST_TO_PB[CaseList(f["list"])] if f.get("list") else None,
            board_list=LIST_TO_PB[BoardList(f["board_list"])] if f.get("board_list") else None,
            updated_from=timestamp(_at(f.get("updated_from"))),
            updated_to=timestamp(_at(f.get("updated_to"))),
        ),
        case_ids=list(batch.case_ids),
        version=batch.version,
        channels=list(batch.channels),
        created_at=timestamp(batch.created_at),
        created_by=actor_message(batch.created_by),
        published_at=timestamp(batch.published_at),
        published_by=actor_message(batch.published_by),
        edition=batch.edition,
        corrections=[
            publication_pb2.BatchCorrection(
                edition=c.edition,
                note=c.note,
                added_case_ids=list(c.added_case_ids),
                removed_case_ids=list(c.removed_case_ids),
                title_before=c.title_before,
                title_after=c.title_after,
                description_before=c.description_before,
                description_after=c.description_after,
                corrected_at=timestamp(c.at),
                corrected_by=actor_message(c.by),
            )
            for c in batch.corrections
        ],
        board_list=LIST_TO_PB[batch.board_list] if batch.board_list else None,
    )


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def batch_filter(f: publication_pb2.PublicationBatchFilter) -> BatchFilter:
    states = []
    for s in f.states:
        state = STATE_FROM_PB.get(s)
        if state is None or state in (PublicState.SUBMITTED, PublicState.MERGED):
            raise InvalidArgument.of("filter.states", "SUBMITTED and MERGED are never published")
        states.append(state)
    case_list = CASE_LIST_FROM_PB.get(f.list) if f.list else None
    if f.list and case_list is None:
        raise InvalidArgument.of("filter.list", "unknown list")
    board_list = LIST_FROM_PB.get(f.board_list) if f.board_list else None
    if f.board_list and board_list is None:
        raise InvalidArgument.of("filter.board_list", "unknown list")
    return BatchFilter(
        category_codes=tuple(f.category_codes),
        community_codes=tuple(f.community_codes),
        states=tuple(states),
        case_list=case_list,
        board_list=board_list,
        updated_from=aware(f.updated_from) if f.HasField("updated_from") else None,
        updated_to=aware(f.updated_to) if f.HasField("updated_to") else None,
    )


def step_pb(s: Step) -> publication_pb2.PublicCaseStep:
    return publication_pb2.PublicCaseStep(
        case_version=s.version,
        step=s.kind.value,
        at=timestamp(s.at),
        department_code=s.department_code,
        text=s.text,
    )


def case_pb(shown: ShownCase, department_name: str) -> publication_pb2.PublicCase:
    c = shown.case
    location = (
        common_pb2.GeoPoint(latitude=c.latitude, longitude=c.longitude)
        if c.latitude is not None and c.longitude is not None
        else None
    )
    return publication_pb2.PublicCase(
        case_id=c.case_id,
        state=STATE_TO_PB[c.state],
        escalated=c.escalated,
        category_code=c.category_code,
        community_code=c.community_code,
        list=CASE_LIST_TO_PB[c.case_list] if c.case_list else None,
        summary=c.summary,
        petition_count=c.petition_count,
        approximate_location=location,
        department_code=c.department_code,
        department_name=department_name if c.department_code else "",
        progress_percent=c.progress_percent,
        latest_measures=c.latest_measures,
        result_summary=c.result_summary,
        average_score=c.average_score,
        rating_count=c.rating_count,
        batch_ids=list(shown.batch_ids),
        opened_at=timestamp(c.opened_at),
        dispatched_at=timestamp(c.dispatched_at),
        completed_at=timestamp(c.completed_at),
        closed_at=timestamp(c.closed_at),
        updated_at=timestamp(c.updated_at),
        timeline=[step_pb(s) for s in shown.timeline],
        board_lists=[LIST_TO_PB[b] for b in shown.board_lists],
    )


def webhook_pb(w: Webhook) -> publication_pb2.PublicationWebhook:
    return publication_pb2.PublicationWebhook(
        webhook_id=w.webhook_id,
        channel=w.channel,
        url=w.url,
        event_types=list(w.event_types),
        description=w.description,
        secret_fingerprint=w.secret_fingerprint,
        created_at=timestamp(w.created_at),
        created_by=common_pb2.Actor(**w.created_by),
        last_delivery_at=timestamp(w.last_delivery_at),
        last_delivery_status=w.last_delivery_status,
        consecutive_failures=w.consecutive_failures,
    )


def delivery_pb(d: Delivery) -> publication_pb2.WebhookDelivery:
    return publication_pb2.WebhookDelivery(
        delivery_id=d.delivery_id,
        webhook_id=d.webhook_id,
        channel=d.channel,
        event_id=d.event_id,
        event_type=d.event_type,
        state=DELIVERY_STATE_TO_PB[DeliveryState(d.state)],
        attempts=d.attempts,
        last_status=d.last_status,
        last_error=d.last_error,
        next_attempt_at=timestamp(d.next_attempt_at),
        created_at=timestamp(d.created_at),
        delivered_at=timestamp(d.delivered_at),
    )


# ---- the public JSON: the API and the webhook bodies ----


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def case_json(shown: ShownCase, board_url: str, department_name: str = "") -> dict[str, Any]:
    c = shown.case
    body: dict[str, Any] = {
        "case_id": c.case_id,
        "url": f"{board_url}/cases/{c.case_id}",
        "state": c.state.value,
        "escalated": c.escalated,
        "category_code": c.category_code,
        "community_code": c.community_code,
        "lists": [b.value for b in shown.board_lists],
        "summary": c.summary,
        "petition_count": c.petition_count,
        "approximate_location": (
            {"latitude": c.latitude, "longitude": c.longitude} if c.latitude is not None else None
        ),
        "department_code": c.department_code or None,
        "department_name": department_name or None,
        "progress_percent": c.progress_percent,
        "latest_measures": c.latest_measures,
        "result_summary": c.result_summary,
        "average_score": round(c.average_score, 2) if c.rating_count else None,
        "rating_count": c.rating_count,
        "opened_at": _iso(c.opened_at),
        "dispatched_at": _iso(c.dispatched_at),
        "completed_at": _iso(c.completed_at),
        "closed_at": _iso(c.closed_at),
        "updated_at": _iso(c.updated_at),
    }
    if shown.timeline:
        body["timeline"] = [
            {
                "case_version": s.version,
                "step": s.kind.value,
                "at": s.at.isoformat(),
                "department_code": s.department_code or None,
                "text": s.text,
            }
            for s in shown.timeline
        ]
        body["batch_ids"] = list(shown.batch_ids)
    return body


def batch_json(batch: Batch, board_url: str) -> dict[str, Any]:
    return {
        "batch_id": batch.id,
        "url": f"{board_url}/batches/{batch.id}",
        "state": batch.state.value,
        "title": batch.title,
        "description": batch.description,
        "list": batch.board_list.value if batch.board_list else None,
        "edition": batch.edition,
        "version": batch.version,
        "case_ids": list(batch.case_ids),
        "channels": list(batch.channels),
        "published_at": _iso(batch.published_at),
        "corrections": [
            {
                "edition": c.edition,
                "note": c.note,
                "added_case_ids": list(c.added_case_ids),
                "removed_case_ids": list(c.removed_case_ids),
                "title_before": c.title_before or None,
                "title_after": c.title_after or None,
                "description_before": c.description_before or None,
                "description_after": c.description_after or None,
                "corrected_at": c.at.isoformat(),
            }
            for c in batch.corrections
        ],
    }


def webhook_body(
    envelope: EventEnvelope, batch: Batch, cases: list[ShownCase], board_url: str
) -> bytes:
    """What a media channel receives: the CloudEvent's id and type, and the published batch
    with its cases as the board shows them (redacted, like everything public)."""
    data = batch_json(batch, board_url)
    data["cases"] = [case_json(c, board_url) for c in cases]
    return orjson.dumps(
        {
            "id": envelope.id,
            "type": envelope.type,
            "source": envelope.source,
            "time": envelope.time.isoformat(),
            "data": data,
        }
    )
