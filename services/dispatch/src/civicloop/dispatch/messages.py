"""Translation between dispatch's domain and the protobuf contracts (events and gRPC)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf.message import Message

from civicloop.dispatch.commands import Reopening
from civicloop.dispatch.domain import model
from civicloop.dispatch.domain.catalogue import DutyRule
from civicloop.dispatch.domain.deadlines import Rung
from civicloop.dispatch.queries import AssignmentView
from civicloop.platform.domain import Actor, CaseList, Urgency
from civicloop.platform.protobuf import (
    CASE_LIST_FROM_PB,
    CASE_LIST_TO_PB,
    URGENCY_FROM_PB,
    URGENCY_TO_PB,
    enum_maps,
)
from civicloop.platform.protobuf import actor_message as actor_pb
from civicloop.platform.protobuf import timestamp as ts
from civicloop.v1 import dispatch_pb2, events_pb2

STATE_TO_PB, STATE_FROM_PB = enum_maps(
    model.AssignmentState, dispatch_pb2.AssignmentState, "ASSIGNMENT_STATE"
)
RUNG_TO_PB, RUNG_FROM_PB = enum_maps(Rung, dispatch_pb2.EscalationRung, "ESCALATION_RUNG")
EXTENSION_TO_PB, _ = enum_maps(model.ExtensionState, dispatch_pb2.ExtensionState, "EXTENSION_STATE")


def attachments_pb(items: tuple[model.Attachment, ...]) -> list[events_pb2.Attachment]:
    return [
        events_pb2.Attachment(url=a.url, sha256=a.sha256, media_type=a.media_type) for a in items
    ]


# ---- events consumed ----


def opened_case(data: bytes, traceparent: str) -> model.CaseDispatch:
    """The case intake opened (civicloop.case.opened.v1), not routed yet: a general practical
    matter unless the event says otherwise."""
    event = events_pb2.CaseOpened.FromString(data)
    return model.CaseDispatch(
        case_id=event.case_id,
        version=event.case_version,
        community_code=event.community_code,
        category_code=event.category_code,
        case_list=CASE_LIST_FROM_PB.get(event.list, CaseList.PRACTICAL_MATTERS),
        urgency=URGENCY_FROM_PB.get(event.urgency, Urgency.GENERAL),
        summary=event.summary,
        traceparent=traceparent,
    )


def reopening(data: bytes) -> Reopening:
    """What rating's civicloop.case.reopened.v1 tells dispatch."""
    event = events_pb2.CaseReopened.FromString(data)
    return Reopening(event.case_id, event.case_version, event.reopen_count, event.by_office)


# ---- events published ----


def catalogue_changed(
    change: dict[str, Any], written: DutyRule | None, actor: Actor, at: datetime
) -> events_pb2.DutyCatalogueChanged:
    return events_pb2.DutyCatalogueChanged(
        catalogue_version=change["catalogue_version"],
        category_code=change["category_code"],
        community_code=change["community_code"],
        lead_department_code=written.lead_department_code if written else "",
        assisting_department_codes=list(written.assisting_department_codes) if written else [],
        note=change["reason"],
        changed_at=ts(at),
        changed_by=actor_pb(actor),
    )


def event_message(case: model.CaseDispatch, event: model.CaseEvent) -> Message:
    """The integration event for a domain event of ``case``."""
    cid = case.case_id
    match event:
        case model.CaseDispatched(assignment=a):
            return events_pb2.CaseDispatched(
                case_id=cid,
                case_version=event.version,
                department_code=a.department_code,
                assisting_department_codes=list(a.assisting),
                round=a.round,
                automatic=a.automatic,
                accept_due_at=ts(a.accept_due_at),
                dispatched_at=ts(event.at),
                dispatched_by=actor_pb(event.actor),
            )
        case model.CaseAwaitingOffice():
            return events_pb2.CaseAwaitingOffice(
                case_id=cid, case_version=event.version, reason=event.reason, at=ts(event.at)
            )
        case model.CaseAccepted(assignment=a):
            return events_pb2.CaseAccepted(
                case_id=cid,
                case_version=event.version,
                department_code=a.department_code,
                complete_due_at=ts(a.complete_due_at),
                accepted_at=ts(event.at),
                accepted_by=actor_pb(event.actor),
            )
        case model.CaseReturned(assignment=a):
            return events_pb2.CaseReturned(
                case_id=cid,
                case_version=event.version,
                department_code=a.department_code,
                reason_code=a.return_reason_code,
                reason_text=a.return_reason_text,
                return_count=event.return_count,
                returned_at=ts(event.at),
                returned_by=actor_pb(event.actor),
            )
        case model.ProgressUpdated(assignment=a, entry=e):
            return events_pb2.HandlingProgressUpdated(
                case_id=cid,
                case_version=event.version,
                department_code=a.department_code,
                measures_taken=e.measures_taken,
                progress_percent=e.progress_percent,
                expected_completion_at=ts(e.expected_completion_at),
                attachments=attachments_pb(e.attachments),
                updated_at=ts(e.at),
                updated_by=actor_pb(e.actor),
            )
        case model.ExtensionRequested(assignment=a, extension=x):
            return events_pb2.ExtensionRequested(
                case_id=cid,
                case_version=event.version,
                department_code=a.department_code,
                requested_due_at=ts(x.requested_due_at),
                reason=x.reason,
                requested_at=ts(x.requested_at),
            )
        case model.ExtensionDecided(assignment=a, extension=x):
            return events_pb2.ExtensionDecided(
                case_id=cid,
                case_version=event.version,
                approved=x.state is model.ExtensionState.APPROVED,
                complete_due_at=ts(a.complete_due_at),
                note=x.note,
                decided_at=ts(x.decided_at),
                decided_by=actor_pb(x.decided_by),
            )
        case model.CaseCompleted(assignment=a):
            return events_pb2.CaseCompleted(
                case_id=cid,
                case_version=event.version,
                department_code=a.department_code,
                result_summary=a.result_summary,
                attachments=attachments_pb(a.result_attachments),
                round=a.round,
                completed_at=ts(event.at),
                completed_by=actor_pb(event.actor),
                complete_due_at=ts(a.complete_due_at),
            )
        case model.CaseEscalated(assignment=a):
            return events_pb2.CaseEscalated(
                case_id=cid,
                case_version=event.version,
                department_code=a.department_code,
                rung=event.rung.value,
                deadline=event.deadline,
                due_at=ts(event.due_at),
                escalated_at=ts(event.at),
            )
    raise TypeError(f"no integration event for {type(event).__name__}")


# ---- answers ----


def assignment_pb(view: AssignmentView) -> dispatch_pb2.DispatchAssignment:
    """The contract's view of one assignment (the current one, or a past round)."""
    case, a = view.case, view.assignment
    common: dict[str, Any] = {
        "case_id": case.case_id,
        "case_version": case.version,
        "community_code": case.community_code,
        "category_code": case.category_code,
        "list": CASE_LIST_TO_PB[case.case_list],
        "urgency": URGENCY_TO_PB[case.urgency],
        "summary": case.summary,
        "return_count": case.return_count,
        "reopen_count": case.reopen_count,
        "updated_at": ts(case.updated_at),
    }
    if a is None:
        return dispatch_pb2.DispatchAssignment(state=STATE_TO_PB[case.state], **common)
    # A case carries the extensions of its current assignment only (past rounds have none open).
    pending = next(
        (
            x
            for x in case.extensions
            if x.assignment_id == a.id and x.state is model.ExtensionState.PENDING
        ),
        None,
    )
    return dispatch_pb2.DispatchAssignment(
        assignment_id=a.id,
        state=STATE_TO_PB[a.state],
        department_code=a.department_code,
        assisting_department_codes=list(a.assisting),
        round=a.round,
        automatic=a.automatic,
        accept_due_at=ts(a.accept_due_at),
        complete_due_at=ts(a.complete_due_at),
        overdue=a.escalation_rung is not None,
        escalation_rung=RUNG_TO_PB[a.escalation_rung] if a.escalation_rung else None,
        return_reason_code=a.return_reason_code,
        return_reason_text=a.return_reason_text,
        result_summary=a.result_summary,
        result_attachments=attachments_pb(a.result_attachments),
        dispatch_note=a.note,
        dispatched_at=ts(a.dispatched_at),
        dispatched_by=actor_pb(a.dispatched_by),
        accepted_at=ts(a.accepted_at),
        completed_at=ts(a.completed_at),
        ended_at=ts(a.ended_at),
        pending_extension=extension_pb(case, pending) if pending else None,
        latest_progress=entry_pb(view.latest_entry) if view.latest_entry else None,
        **common,
    )


def entry_pb(e: model.HandlingEntry) -> dispatch_pb2.HandlingFormEntry:
    return dispatch_pb2.HandlingFormEntry(
        entry_id=e.id,
        measures_taken=e.measures_taken,
        progress_percent=e.progress_percent,
        expected_completion_at=ts(e.expected_completion_at),
        attachments=attachments_pb(e.attachments),
        updated_at=ts(e.at),
        updated_by=actor_pb(e.actor),
    )


def extension_pb(case: model.CaseDispatch, x: model.Extension) -> dispatch_pb2.DispatchExtension:
    assert case.current is not None
    return dispatch_pb2.DispatchExtension(
        extension_id=x.id,
        case_id=case.case_id,
        assignment_id=x.assignment_id,
        department_code=case.current.department_code,
        state=EXTENSION_TO_PB[x.state],
        previous_due_at=ts(x.previous_due_at),
        requested_due_at=ts(x.requested_due_at),
        reason=x.reason,
        requested_at=ts(x.requested_at),
        requested_by=actor_pb(x.requested_by),
        granted_due_at=ts(x.granted_due_at),
        decision_note=x.note,
        decided_at=ts(x.decided_at),
        decided_by=actor_pb(x.decided_by),
    )


def escalation_pb(e: model.Escalation) -> dispatch_pb2.DispatchEscalation:
    """One 督办 rung climbed."""
    return dispatch_pb2.DispatchEscalation(
        escalation_id=e.id,
        case_id=e.case_id,
        assignment_id=e.assignment_id,
        department_code=e.department_code,
        community_code=e.community_code,
        rung=RUNG_TO_PB[e.rung],
        deadline=dispatch_pb2.DEADLINE_KIND_ACCEPT
        if e.deadline == "accept"
        else dispatch_pb2.DEADLINE_KIND_COMPLETE,
        due_at=ts(e.due_at),
        escalated_at=ts(e.escalated_at),
    )
