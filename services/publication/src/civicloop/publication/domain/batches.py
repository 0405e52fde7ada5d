"""Batches (分期分批): how the office shows its work, a batch at a time. Pure: no I/O.

```
create ─► DRAFT ──update──► DRAFT
            │
         publish
            ▼
        PUBLISHED (frozen: edition 1) ──correct──► PUBLISHED (edition 2, 3, ...)
```

A published batch is frozen: its title, description and cases never change in place. A
correction makes a new edition that names why and what changed (cases added or taken out, the
title or description before and after); the earlier editions stay readable as published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from civicloop.platform.domain import Actor, RecordsEvents, check_version
from civicloop.platform.errors import FailedPrecondition, InvalidArgument
from civicloop.platform.redaction import redact
from civicloop.publication.domain.board import BoardList

TITLE_MAX = 100
DESCRIPTION_MAX = 2000
NOTE_MAX = 500
CASES_MAX = 500
CHANNELS_MAX = 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BatchState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class BatchFrozen(FailedPrecondition):
    """A published batch is changed only by a correction, never in place."""


@dataclass(frozen=True)
class Edition:
    """A batch as one edition published it."""

    number: int
    title: str
    description: str
    case_ids: tuple[str, ...]


@dataclass(frozen=True)
class Correction:
    edition: int
    note: str
    added_case_ids: tuple[str, ...]
    removed_case_ids: tuple[str, ...]
    title_before: str
    title_after: str
    description_before: str
    description_after: str
    at: datetime
    by: Actor


@dataclass(frozen=True)
class BatchPublished:
    version: int
    actor: Actor | None
    at: datetime


@dataclass(frozen=True)
class BatchCorrected:
    version: int
    actor: Actor | None
    correction: Correction


@dataclass(frozen=True)
class ScheduledWindow:
    """The period a scheduled batch covers: the last whole period before now, counted from
    the Unix epoch, so that every replica computes the same window (and the same request id,
    which makes the batch once)."""

    start: datetime
    end: datetime

    @classmethod
    def before(cls, now: datetime, period: timedelta) -> ScheduledWindow:
        periods = (now - EPOCH) // period
        end = EPOCH + periods * period
        return cls(end - period, end)

    @property
    def key(self) -> str:
        return self.end.isoformat()


def checked_title(title: str, field_name: str = "title") -> str:
    title = title.strip()
    if not 1 <= len(title) <= TITLE_MAX:
        raise InvalidArgument.of(field_name, f"is required, 1..{TITLE_MAX} characters")
    return redact(title)


def checked_description(description: str, field_name: str = "description") -> str:
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        raise InvalidArgument.of(field_name, f"at most {DESCRIPTION_MAX} characters")
    return redact(description)


def checked_cases(
    case_ids: list[str], field_name: str, *, allow_empty: bool = False
) -> tuple[str, ...]:
    if len(set(case_ids)) != len(case_ids):
        raise InvalidArgument.of(field_name, "names a case twice")
    if len(case_ids) > CASES_MAX or (not case_ids and not allow_empty):
        raise InvalidArgument.of(field_name, f"holds 1..{CASES_MAX} cases")
    return tuple(case_ids)


@dataclass
class Batch(RecordsEvents):
    aggregate_type: ClassVar[str] = "batch"

    id: str
    title: str
    description: str
    # The filter it was created from, as the contract's field names (kept for people).
    filter: dict[str, Any]
    case_ids: tuple[str, ...]
    created_at: datetime
    created_by: Actor
    board_list: BoardList | None = None
    state: BatchState = BatchState.DRAFT
    version: int = 1
    edition: int = 0
    channels: tuple[str, ...] = ()
    published_at: datetime | None = None
    published_by: Actor | None = None
    corrections: list[Correction] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.state is BatchState.PUBLISHED

    def update(
        self,
        expected_version: int,
        title: str | None,
        description: str | None,
        case_ids: tuple[str, ...] | None,
    ) -> None:
        check_version(f"batch {self.id}", self.version, expected_version)
        if self.published:
            raise BatchFrozen(f"batch {self.id} is published and frozen: correct it instead")
        self.title = title if title is not None else self.title
        self.description = description if description is not None else self.description
        self.case_ids = case_ids if case_ids is not None else self.case_ids
        self.version += 1

    def publish(
        self, expected_version: int, channels: tuple[str, ...], by: Actor, at: datetime
    ) -> None:
        check_version(f"batch {self.id}", self.version, expected_version)
        if self.published:
            raise BatchFrozen(f"batch {self.id} is already published")
        self.state = BatchState.PUBLISHED
        self.channels = channels
        self.published_at, self.published_by = at, by
        self.edition = 1
        self.version += 1
        self.events.append(BatchPublished(self.version, by, at))

    def correct(
        self,
        expected_version: int,
        note: str,
        title: str | None,
        description: str | None,
        add: tuple[str, ...],
        remove: tuple[str, ...],
        by: Actor,
        at: datetime,
    ) -> Correction:
        check_version(f"batch {self.id}", self.version, expected_version)
        if not self.published:
            raise FailedPrecondition(f"batch {self.id} is a draft: update it instead")
        note = note.strip()
        if not 1 <= len(note) <= NOTE_MAX:
            raise InvalidArgument.of("note", f"is required, 1..{NOTE_MAX} characters: say why")
        already = [c for c in add if c in self.case_ids]
        if already:
            raise InvalidArgument.of("add_case_ids", f"case {already[0]} is in the batch already")
        absent = [c for c in remove if c not in self.case_ids]
        if absent:
            raise InvalidArgument.of("remove_case_ids", f"case {absent[0]} is not in the batch")
        cases = tuple(c for c in self.case_ids if c not in remove) + add
        if not cases or len(cases) > CASES_MAX:
            raise InvalidArgument.of("remove_case_ids", f"a batch keeps 1..{CASES_MAX} cases")
        new_title = title if title is not None and title != self.title else None
        new_description = (
            description if description is not None and description != self.description else None
        )
        if not add and not remove and new_title is None and new_description is None:
            raise InvalidArgument.of("note", "the correction changes nothing")
        correction = Correction(
            edition=self.edition + 1,
            note=redact(note),
            added_case_ids=add,
            removed_case_ids=remove,
            title_before=self.title if new_title is not None else "",
            title_after=new_title or "",
            description_before=self.description if new_description is not None else "",
            description_after=new_description or "",
            at=at,
            by=by,
        )
        self.title = new_title if new_title is not None else self.title
        self.description = new_description if new_description is not None else self.description
        self.case_ids = cases
        self.edition += 1
        self.version += 1
        self.corrections.append(correction)
        self.events.append(BatchCorrected(self.version, by, correction))
        return correction

    def edition_as_published(self, number: int) -> Edition:
        """The batch as edition ``number`` showed it: the corrections after it undone."""
        if not 1 <= number <= max(self.edition, 1):
            raise InvalidArgument.of("edition", f"must be 1..{max(self.edition, 1)}")
        title, description, cases = self.title, self.description, list(self.case_ids)
        for c in reversed(self.corrections):
            if c.edition <= number:
                break
            cases = [x for x in cases if x not in c.added_case_ids] + list(c.removed_case_ids)
            title = c.title_before or title
            description = c.description_before or description
        return Edition(number, title, description, tuple(cases))
