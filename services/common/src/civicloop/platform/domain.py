"""Small value types and rules every service's domain shares. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from civicloop.platform.errors import InvalidArgument, VersionConflict


@dataclass(frozen=True)
class Actor:
    """Who did something: the token subject and the role it acted under. Never personal data."""

    subject: str
    role: str


class Urgency(StrEnum):
    """How fast a case must be handled: the 12345 hotline's four grades."""

    EMERGENCY = "emergency"
    UTILITIES = "utilities"
    GENERAL = "general"
    COMPLEX = "complex"


class CaseList(StrEnum):
    """The public list a case is filed under (publication adds its own lists to these)."""

    URGENT_NEEDS = "urgent_needs"  # 急难愁盼
    PRACTICAL_MATTERS = "practical_matters"  # 为民办实事


def check_version(what: str, current: int, expected: int | None) -> None:
    """Optimistic concurrency, one rule for every aggregate of every service: a change names
    the version its caller last saw (required), and is refused when the aggregate moved on."""
    if not expected or expected < 1:
        raise InvalidArgument.of(
            "expected_version", f"is required: the version of {what} you last read"
        )
    if expected != current:
        raise VersionConflict(f"{what} is at version {current}, not {expected}")


class DomainEvent(Protocol):
    """What the unit of work needs of a domain event: the aggregate version it made, and who
    made it (None: the service itself, e.g. a deadline passing)."""

    @property
    def version(self) -> int: ...

    @property
    def actor(self) -> Actor | None: ...


class Aggregate(Protocol):
    """What the unit of work needs of an aggregate: its kind and identity (the history's key),
    version and state, and the domain events its transitions recorded."""

    aggregate_type: ClassVar[str]

    @property
    def id(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def state(self) -> str: ...

    def pop_events(self) -> Sequence[DomainEvent]: ...


class RecordsEvents:
    """The aggregate side of the contract above: transitions append to ``events``; the unit of
    work takes them when it stages the outbox (each is published once)."""

    events: list[Any]

    def pop_events(self) -> list[Any]:
        taken = list(self.events)
        self.events.clear()
        return taken
