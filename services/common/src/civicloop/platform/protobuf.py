"""Conversions between Python values and the shared protobuf types (common.proto)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import Enum
from typing import TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from civicloop.platform.domain import Actor, CaseList, Urgency
from civicloop.platform.errors import InvalidArgument
from civicloop.platform.paging import Keyset, PageRequest
from civicloop.v1 import common_pb2

E = TypeVar("E", bound=Enum)
V = TypeVar("V", bound=int)


def enum_maps(domain: type[E], contract: type[V], prefix: str) -> tuple[dict[E, V], dict[V, E]]:
    """A domain enum to its protobuf enum and back: member ``X`` is ``<PREFIX>_X``.

    Built once at import: a member the contract lacks fails at start, not on first use.
    """
    to_pb: dict[E, V] = {m: getattr(contract, f"{prefix}_{m.name}") for m in domain}
    return to_pb, {value: member for member, value in to_pb.items()}


# The shared enums of common.proto, mapped once for every service.
URGENCY_TO_PB, URGENCY_FROM_PB = enum_maps(Urgency, common_pb2.Urgency, "URGENCY")
CASE_LIST_TO_PB, CASE_LIST_FROM_PB = enum_maps(CaseList, common_pb2.CaseList, "CASE_LIST")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)


def timestamp(at: datetime | None) -> Timestamp | None:
    """A Timestamp, or None (an unset field) for no time; a naive time is taken as UTC, as
    ``Timestamp.FromDatetime`` takes it. Computed from the difference to the epoch, exact to
    the microsecond: ``FromDatetime`` goes through a time tuple, several times slower, and
    every event the services write carries one or more."""
    if at is None:
        return None
    since = at - (_NAIVE_EPOCH if at.tzinfo is None else _EPOCH)
    return Timestamp(seconds=since.days * 86_400 + since.seconds, nanos=since.microseconds * 1000)


def aware(stamp: Timestamp) -> datetime:
    """The Timestamp as a timezone-aware UTC datetime."""
    return stamp.ToDatetime().replace(tzinfo=UTC)


def actor_message(actor: Actor | None) -> common_pb2.Actor | None:
    return common_pb2.Actor(subject=actor.subject, role=actor.role) if actor else None


def page_request(page: common_pb2.PageRequest, keyset: Keyset) -> PageRequest:
    """The validated page a list call asks for (common.proto's PageRequest)."""
    return keyset.request(page.page_size, page.page_token)


def page_response(next_page_token: str) -> common_pb2.PageResponse:
    return common_pb2.PageResponse(next_page_token=next_page_token)


def parse_uuid(value: str, field: str) -> str:
    """A UUID in canonical form, or INVALID_ARGUMENT naming the field."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise InvalidArgument.of(field, "must be a UUID") from None
