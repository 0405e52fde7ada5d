"""Conversions between Python values and the shared protobuf types (common.proto)."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from civicloop.platform.domain import Actor
from civicloop.v1 import common_pb2


def timestamp(at: datetime | None) -> Timestamp | None:
    """A Timestamp, or None (an unset field) for no time."""
    if at is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def aware(stamp: Timestamp) -> datetime:
    """The Timestamp as a timezone-aware UTC datetime."""
    return stamp.ToDatetime().replace(tzinfo=UTC)


def actor_message(actor: Actor | None) -> common_pb2.Actor | None:
    return common_pb2.Actor(subject=actor.subject, role=actor.role) if actor else None
