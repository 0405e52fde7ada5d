"""Translation between intake's domain and the protobuf contracts (events and gRPC)."""

from __future__ import annotations

from google.protobuf.message import Message

from civicloop.intake.domain import model
from civicloop.platform.protobuf import CASE_LIST_TO_PB, URGENCY_TO_PB, enum_maps
from civicloop.platform.protobuf import actor_message as actor_pb
from civicloop.platform.protobuf import timestamp as ts
from civicloop.v1 import common_pb2, events_pb2, intake_pb2

CHANNEL_TO_PB, CHANNEL_FROM_PB = enum_maps(model.Channel, common_pb2.Channel, "CHANNEL")
STATE_TO_PB, STATE_FROM_PB = enum_maps(model.CaseState, common_pb2.CaseState, "CASE_STATE")


def geo_pb(location: model.Location | None) -> common_pb2.GeoPoint | None:
    if location is None:
        return None
    return common_pb2.GeoPoint(
        latitude=location.latitude,
        longitude=location.longitude,
        coordinate_system=common_pb2.COORDINATE_SYSTEM_WGS84,
    )


def event_message(case: model.Case, event: model.DomainEvent) -> Message:
    """The integration event for a domain event of ``case``."""
    match event:
        case model.PetitionSubmitted(petition=p, version=version):
            return events_pb2.PetitionSubmitted(
                petition_id=p.id,
                case_id=case.id,
                case_version=version,
                channel=CHANNEL_TO_PB[p.channel],
                community_code=p.community_code,
                category_code=p.category_code,
                location=geo_pb(p.location),
                description=p.description,
                submitted_at=ts(p.submitted_at),
                submitted_by=actor_pb(p.submitted_by),
            )
        case model.PetitionResolvedOnSite():
            return events_pb2.PetitionResolvedOnSite(
                petition_id=event.petition_id,
                case_id=case.id,
                case_version=event.version,
                note=event.note,
                resolved_at=ts(event.at),
                resolved_by=actor_pb(event.actor),
            )
        case model.PetitionsMerged():
            return events_pb2.PetitionsMerged(
                case_id=case.id,
                case_version=event.version,
                petition_ids=list(event.petition_ids),
                merged_case_ids=list(event.merged_case_ids),
                merged_at=ts(event.at),
                merged_by=actor_pb(event.actor),
            )
        case model.CaseOpened():
            assert case.case_list is not None and case.urgency is not None
            return events_pb2.CaseOpened(
                case_id=case.id,
                case_version=event.version,
                petition_ids=list(case.petition_ids),
                community_code=case.community_code,
                category_code=case.category_code,
                list=CASE_LIST_TO_PB[case.case_list],
                urgency=URGENCY_TO_PB[case.urgency],
                location=geo_pb(case.location),
                summary=case.summary,
                opened_at=ts(event.at),
                opened_by=actor_pb(event.actor),
            )
        case model.PetitionSplit():
            return events_pb2.PetitionSplit(
                petition_id=event.petition_id,
                from_case_id=case.id,
                from_case_version=event.version,
                new_case_id=event.new_case_id,
                reason=event.reason,
                split_at=ts(event.at),
                split_by=actor_pb(event.actor),
            )
    raise TypeError(f"no integration event for {type(event).__name__}")


def petition_pb(p: model.Petition) -> intake_pb2.Petition:
    return intake_pb2.Petition(
        petition_id=p.id,
        case_id=p.case_id,
        channel=CHANNEL_TO_PB[p.channel],
        community_code=p.community_code,
        category_code=p.category_code,
        location=geo_pb(p.location),
        description=p.description,
        submitted_at=ts(p.submitted_at),
        resolved_on_site=p.resolved_on_site,
    )


def case_pb(c: model.Case) -> intake_pb2.Case:
    return intake_pb2.Case(
        case_id=c.id,
        state=STATE_TO_PB[c.state],
        version=c.version,
        petition_ids=c.petition_ids,
        community_code=c.community_code,
        category_code=c.category_code,
        list=CASE_LIST_TO_PB[c.case_list] if c.case_list else common_pb2.CASE_LIST_UNSPECIFIED,
        urgency=URGENCY_TO_PB[c.urgency] if c.urgency else common_pb2.URGENCY_UNSPECIFIED,
        summary=c.summary,
        merged_into_case_id=c.merged_into or "",
        traceparent=c.traceparent,
        created_at=ts(c.created_at),
        updated_at=ts(c.updated_at),
        department_code=c.department_code,
    )
