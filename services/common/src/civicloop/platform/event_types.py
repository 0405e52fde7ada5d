"""The CloudEvent `type` of every event payload in events.proto, in one table."""

from __future__ import annotations

from google.protobuf.message import Message

from civicloop.v1 import events_pb2 as ev

EVENT_TYPES: dict[str, type[Message]] = {
    "civicloop.petition.submitted.v1": ev.PetitionSubmitted,
    "civicloop.petition.resolved_on_site.v1": ev.PetitionResolvedOnSite,
    "civicloop.petitions.merged.v1": ev.PetitionsMerged,
    "civicloop.petition.split.v1": ev.PetitionSplit,
    "civicloop.case.opened.v1": ev.CaseOpened,
    "civicloop.case.dispatched.v1": ev.CaseDispatched,
    "civicloop.case.awaiting_office.v1": ev.CaseAwaitingOffice,
    "civicloop.case.accepted.v1": ev.CaseAccepted,
    "civicloop.case.returned.v1": ev.CaseReturned,
    "civicloop.case.progress_updated.v1": ev.HandlingProgressUpdated,
    "civicloop.case.extension_requested.v1": ev.ExtensionRequested,
    "civicloop.case.extension_decided.v1": ev.ExtensionDecided,
    "civicloop.case.completed.v1": ev.CaseCompleted,
    "civicloop.case.escalated.v1": ev.CaseEscalated,
    "civicloop.duty_catalogue.changed.v1": ev.DutyCatalogueChanged,
    "civicloop.rating.requested.v1": ev.RatingRequested,
    "civicloop.case.rated.v1": ev.CaseRated,
    "civicloop.rating.expired.v1": ev.RatingRequestExpired,
    "civicloop.case.reopened.v1": ev.CaseReopened,
    "civicloop.case.closed.v1": ev.CaseClosed,
    "civicloop.publication.batch_published.v1": ev.BatchPublished,
    "civicloop.publication.batch_corrected.v1": ev.BatchCorrected,
    "civicloop.ledger.checkpoint_signed.v1": ev.CheckpointSigned,
    "civicloop.ledger.credential_issued.v1": ev.CredentialIssued,
    "civicloop.ledger.credential_revoked.v1": ev.CredentialRevoked,
    "civicloop.amenity.registered.v1": ev.AmenityRegistered,
    "civicloop.amenity.changed.v1": ev.AmenityChanged,
    "civicloop.amenity.reported.v1": ev.AmenityReported,
    "civicloop.amenity.problem_changed.v1": ev.AmenityProblemChanged,
}

TYPE_OF: dict[type[Message], str] = {cls: name for name, cls in EVENT_TYPES.items()}


def type_of(payload: type[Message]) -> str:
    """The CloudEvent type of a payload class: services name the events they consume by
    their payload, so a type is spelled once, here."""
    return TYPE_OF[payload]


def event_type_of(message: Message) -> str:
    try:
        return TYPE_OF[type(message)]
    except KeyError:
        raise ValueError(f"{type(message).__name__} is not an event of events.proto") from None


def decode(event_type: str, data: bytes) -> Message:
    """Parse an event payload; raises KeyError for an unknown type, DecodeError for bad bytes."""
    message = EVENT_TYPES[event_type]()
    message.ParseFromString(data)
    return message
