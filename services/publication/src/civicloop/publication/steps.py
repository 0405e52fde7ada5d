"""What each case event publication consumes becomes on the board: one step per case it
touches. Only public facts cross: codes, dates, numbers, and the texts the office and the
departments wrote (redacted in ``step``). The petition's description and a rating's comment
are a petitioner's own words and are dropped here."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from civicloop.platform.protobuf import CASE_LIST_FROM_PB, aware
from civicloop.publication.domain.board import Step, StepKind, coarse, step
from civicloop.v1 import common_pb2, events_pb2

# Every case event the board follows.
CONSUMED: tuple[type[Message], ...] = (
    events_pb2.PetitionSubmitted,
    events_pb2.PetitionResolvedOnSite,
    events_pb2.PetitionsMerged,
    events_pb2.CaseOpened,
    events_pb2.CaseDispatched,
    events_pb2.CaseAwaitingOffice,
    events_pb2.CaseAccepted,
    events_pb2.CaseReturned,
    events_pb2.HandlingProgressUpdated,
    events_pb2.ExtensionRequested,
    events_pb2.ExtensionDecided,
    events_pb2.CaseCompleted,
    events_pb2.CaseEscalated,
    events_pb2.CaseRated,
    events_pb2.CaseReopened,
    events_pb2.CaseClosed,
)


def _location(point: common_pb2.GeoPoint, present: bool) -> dict[str, Any]:
    if not present:
        return {}
    return {"latitude": coarse(point.latitude), "longitude": coarse(point.longitude)}


def steps_of(payload: Any) -> list[Step]:
    """The steps one event makes (a merge makes one per case merged away)."""
    e = payload
    match e:
        case events_pb2.PetitionSubmitted():
            # Where and what about, never what the petitioner wrote.
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.SUBMITTED,
                    aware(e.submitted_at),
                    category_code=e.category_code,
                    community_code=e.community_code,
                    **_location(e.location, e.HasField("location")),
                )
            ]
        case events_pb2.PetitionResolvedOnSite():
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.RESOLVED_ON_SITE,
                    aware(e.resolved_at),
                    text=e.note,
                )
            ]
        case events_pb2.PetitionsMerged():
            return [
                step(merged, e.case_version, StepKind.MERGED, aware(e.merged_at), into=e.case_id)
                for merged in e.merged_case_ids
                if merged != e.case_id
            ]
        case events_pb2.CaseOpened():
            case_list = CASE_LIST_FROM_PB.get(e.list)
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.OPENED,
                    aware(e.opened_at),
                    text=e.summary,
                    category_code=e.category_code,
                    community_code=e.community_code,
                    list=case_list.value if case_list else "",
                    petition_count=len(e.petition_ids),
                    **_location(e.location, e.HasField("location")),
                )
            ]
        case events_pb2.CaseDispatched():
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.DISPATCHED,
                    aware(e.dispatched_at),
                    department_code=e.department_code,
                    round=e.round,
                )
            ]
        case events_pb2.CaseAwaitingOffice():
            return [step(e.case_id, e.case_version, StepKind.AWAITING_OFFICE, aware(e.at))]
        case events_pb2.CaseAccepted():
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.ACCEPTED,
                    aware(e.accepted_at),
                    department_code=e.department_code,
                )
            ]
        case events_pb2.CaseReturned():
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.RETURNED,
                    aware(e.returned_at),
                    department_code=e.department_code,
                    text=e.reason_text,
                    reason_code=e.reason_code,
                )
            ]
        case events_pb2.HandlingProgressUpdated():
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.PROGRESS,
                    aware(e.updated_at),
                    department_code=e.department_code,
                    text=e.measures_taken,
                    percent=e.progress_percent,
                )
            ]
        case events_pb2.ExtensionRequested():
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.EXTENSION_REQUESTED,
                    aware(e.requested_at),
                    department_code=e.department_code,
                    text=e.reason,
                )
            ]
        case events_pb2.ExtensionDecided():
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.EXTENSION_DECIDED,
                    aware(e.decided_at),
                    text=e.note,
                    approved=e.approved,
                )
            ]
        case events_pb2.CaseCompleted():
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.COMPLETED,
                    aware(e.completed_at),
                    department_code=e.department_code,
                    text=e.result_summary,
                    round=e.round,
                )
            ]
        case events_pb2.CaseEscalated():
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.ESCALATED,
                    aware(e.escalated_at),
                    department_code=e.department_code,
                    rung=e.rung,
                    deadline=e.deadline,
                )
            ]
        case events_pb2.CaseRated():
            # The score is the public figure; the comment is the petitioner's own words.
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.RATED,
                    aware(e.rated_at),
                    department_code=e.department_code,
                    score=e.score,
                    satisfied=e.satisfied,
                )
            ]
        case events_pb2.CaseReopened():
            # An unsatisfied rating's reason may quote the petitioner; the office's is its own.
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.REOPENED,
                    aware(e.reopened_at),
                    department_code=e.department_code,
                    text=e.reason if e.by_office else "",
                    by_office=e.by_office,
                )
            ]
        case events_pb2.CaseClosed():
            return [
                step(
                    e.case_id,
                    e.case_version,
                    StepKind.CLOSED,
                    aware(e.closed_at),
                    outcome=e.outcome,
                )
            ]
    raise ValueError(f"{type(payload).__name__} is not an event the board follows")
