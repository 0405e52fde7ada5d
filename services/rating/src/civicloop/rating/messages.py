"""Translation between rating's domain and the protobuf contracts (events and gRPC)."""

from __future__ import annotations

from google.protobuf.message import Message

from civicloop.platform.protobuf import actor_message, enum_maps, timestamp
from civicloop.rating.domain import model
from civicloop.rating.domain.rates import Counts
from civicloop.v1 import common_pb2, events_pb2, rating_pb2

LINK_STATE_TO_PB, LINK_STATE_FROM_PB = enum_maps(
    model.LinkState, rating_pb2.RatingLinkState, "RATING_LINK_STATE"
)
OUTCOME_TO_PB, OUTCOME_FROM_PB = enum_maps(
    model.Outcome, rating_pb2.RatingOutcome, "RATING_OUTCOME"
)

# The case state a petitioner or clerk is told after a rating (common.proto's states).
CASE_STATE_TO_PB: dict[model.CaseState, common_pb2.CaseState] = {
    model.CaseState.HANDLING: common_pb2.CASE_STATE_DISPATCHED,
    model.CaseState.COMPLETED: common_pb2.CASE_STATE_COMPLETED,
    model.CaseState.AWAITING_OFFICE: common_pb2.CASE_STATE_RATED,
    model.CaseState.CLOSED: common_pb2.CASE_STATE_CLOSED,
}


def event_message(case: model.RatedCase, event: model.DomainEvent) -> Message:
    """The integration event for a domain event of ``case``."""
    match event:
        case model.RatingRequested(link=link):
            return events_pb2.RatingRequested(
                case_id=case.id,
                case_version=event.version,
                petition_id=link.petition_id,
                expires_at=timestamp(link.expires_at),
                requested_at=timestamp(link.created_at),
            )
        case model.RatingExpired(link=link):
            return events_pb2.RatingRequestExpired(
                case_id=case.id, petition_id=link.petition_id, expired_at=timestamp(event.at)
            )
        case model.CaseRated(rating=r):
            return events_pb2.CaseRated(
                case_id=case.id,
                case_version=event.version,
                petition_id=r.petition_id,
                department_code=r.department_code,
                community_code=r.community_code,
                score=r.score,
                satisfied=r.satisfied,
                comment=r.comment,
                rated_at=timestamp(r.rated_at),
            )
        case model.CaseReopened():
            return events_pb2.CaseReopened(
                case_id=case.id,
                case_version=event.version,
                department_code=event.department_code,
                reopen_count=event.reopen_count,
                reason=event.reason,
                reopened_at=timestamp(event.at),
                by_office=event.by_office,
                reopened_by=actor_message(event.actor),
            )
        case model.CaseAwaitingOffice():
            return events_pb2.CaseAwaitingOffice(
                case_id=case.id,
                case_version=event.version,
                reason=event.reason,
                at=timestamp(event.at),
            )
        case model.CaseClosed():
            return events_pb2.CaseClosed(
                case_id=case.id,
                case_version=event.version,
                outcome=event.closed_as.value,
                closed_at=timestamp(event.at),
                closed_by=actor_message(event.actor),
            )
    raise TypeError(f"no integration event for {type(event).__name__}")


def link_pb(link: model.RatingLink, case_id: str) -> rating_pb2.RatingLink:
    return rating_pb2.RatingLink(
        link_id=link.id,
        case_id=case_id,
        petition_id=link.petition_id,
        round=link.round,
        state=LINK_STATE_TO_PB[link.state],
        delivery_status=link.delivery.value,
        created_at=timestamp(link.created_at),
        expires_at=timestamp(link.expires_at),
        ended_at=timestamp(link.ended_at),
    )


def rating_pb(r: model.Rating) -> rating_pb2.Rating:
    return rating_pb2.Rating(
        rating_id=r.id,
        case_id=r.case_id,
        petition_id=r.petition_id,
        round=r.round,
        department_code=r.department_code,
        community_code=r.community_code,
        score=r.score,
        satisfied=r.satisfied,
        comment=r.comment,
        rated_at=timestamp(r.rated_at),
    )


def rate_row_pb(department: str, community: str, month: str, c: Counts) -> rating_pb2.RateRow:
    return rating_pb2.RateRow(
        department_code=department,
        community_code=community,
        month=month,
        rated_count=c.rated,
        satisfied_count=c.satisfied,
        satisfaction_rate=c.satisfaction_rate,
        completed_count=c.completed,
        on_time_count=c.on_time,
        on_time_rate=c.on_time_rate,
        closed_count=c.closed,
        resolved_count=c.resolved,
        resolution_rate=c.resolution_rate,
    )
