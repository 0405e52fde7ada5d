"""What may be asked of dispatch: one command per mutation, as the edges (gRPC today) hand
them to the handlers, and what other services' events tell it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from civicloop.dispatch.domain.catalogue import DutyRule
from civicloop.platform.auth import Principal
from civicloop.platform.commands import CommandRequest
from civicloop.platform.domain import Actor, Urgency

# An attachment as given: URL, SHA-256 and media type (checked by rules.attachments).
GivenAttachment = tuple[str, str, str]


@dataclass(frozen=True)
class Command:
    """Who asks, and the request id that makes a repeat harmless (None: not keyed)."""

    principal: Principal
    request: CommandRequest | None

    @property
    def actor(self) -> Actor:
        return self.principal.actor


@dataclass(frozen=True)
class CaseCommand(Command):
    """A command on one case, at the version its caller last saw."""

    case_id: str
    expected_version: int


@dataclass(frozen=True)
class Dispatch(CaseCommand):
    """派单 by hand (the office): from its queue, or elsewhere with a note saying why."""

    department_code: str
    assisting_department_codes: tuple[str, ...]
    note: str
    urgency: Urgency | None


@dataclass(frozen=True)
class Accept(CaseCommand):
    """接单 by the lead department."""


@dataclass(frozen=True)
class Return(CaseCommand):
    """退单 by the lead department, with one of the listed reasons."""

    reason_code: str
    reason_text: str


@dataclass(frozen=True)
class UpdateProgress(CaseCommand):
    """A line of the handling form."""

    measures_taken: str
    progress_percent: int
    expected_completion_at: datetime | None
    attachments: tuple[GivenAttachment, ...]
    regression_reason: str


@dataclass(frozen=True)
class RequestExtension(CaseCommand):
    """延期: the lead department asks for a later completion deadline."""

    requested_due_at: datetime | None
    reason: str


@dataclass(frozen=True)
class DecideExtension(CaseCommand):
    """The office approves (possibly with another deadline) or rejects an extension."""

    extension_id: str
    approved: bool
    granted_due_at: datetime | None
    note: str


@dataclass(frozen=True)
class Complete(CaseCommand):
    """办结 by the lead department, with the result and its evidence."""

    result_summary: str
    attachments: tuple[GivenAttachment, ...]


@dataclass(frozen=True)
class UpdateDutyRule(Command):
    """The office creates, replaces (``rule`` given) or removes (None) the rule at
    ``rule_key``, which it last saw at ``expected_version`` (0: there is none yet)."""

    rule_key: tuple[str, str]
    rule: DutyRule | None
    expected_version: int
    reason: str


@dataclass(frozen=True)
class Reopening:
    """Rating's word that a petitioner was not satisfied (or the office's decision): the case
    goes round again."""

    case_id: str
    case_version: int
    reopen_count: int
    by_office: bool = False
