"""Amenities' use cases: one method per command. gRPC and HTTP only translate.

Every command runs the same way, in one unit of work: its request id is claimed first (a
repeat gets the first answer, if its caller still holds the role the first was authorized
under); the amenity is loaded and locked, its version checked (the platform's one rule), the
caller's stewardship checked (a worker of its community, or the office), the transition made
and the answer kept with the change. After the commit the search index follows.
The answer is rendered by the edge (``render``), so a repeat gets the very bytes the first
request got.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import asyncpg

from civicloop.amenities import messages
from civicloop.amenities.domain.model import (
    Amenity,
    Details,
    Report,
    check_details,
    check_reason,
    check_report,
)
from civicloop.amenities.domain.search import Listing
from civicloop.amenities.index import Finder, listing_of
from civicloop.amenities.store.problems import join_open_problem
from civicloop.amenities.store.repository import UnitOfWork
from civicloop.platform.auth import OFFICE, WORKER, Principal
from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.commands import CommandRequest
from civicloop.platform.domain import check_version
from civicloop.platform.errors import InvalidArgument, PermissionDenied, Violations
from civicloop.platform.redaction import redact
from civicloop.reference.catalogue import communities

T = TypeVar("T")

# The edge's rendering of a command's result: the bytes kept as its answer.
Render = Callable[[T], bytes]


@dataclass(frozen=True)
class Change:
    """A command on one amenity: who asks, under which request id, at which version."""

    principal: Principal
    request: CommandRequest | None
    amenity_id: str
    expected_version: int


def steward_role(principal: Principal, community_code: str) -> str:
    """The role a caller changes a community's amenities under: the office, or a worker of
    that community (the token's community claim)."""
    if OFFICE in principal.roles:
        return OFFICE
    if WORKER in principal.roles and community_code == principal.community:
        return WORKER
    raise PermissionDenied(f"community {community_code} is not yours to change")


def check_community(errors: Violations, name: str, code: str) -> None:
    if code not in communities():
        errors.add(name, f"unknown community {code!r}")


@dataclass
class Amenities:
    pool: asyncpg.Pool
    finder: Finder
    clock: Clock = system_clock

    def _unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(messages.event_message, pool=self.pool)

    async def register(
        self,
        principal: Principal,
        request: CommandRequest | None,
        community_code: str,
        details: Details,
        render: Render[Amenity],
    ) -> bytes:
        errors = Violations()
        check_community(errors, "community_code", community_code)
        check_details(errors, details)
        errors.raise_if_any()
        role = steward_role(principal, community_code)
        async with self._unit_of_work() as uow:
            if earlier := await uow.commands.claim(request):
                return earlier.replay_to(principal.roles)
            amenity = Amenity.register(
                str(uuid.uuid4()),
                community_code,
                details,
                principal.acting(role).actor,
                self.clock(),
            )
            uow.track(amenity)
            answer = render(amenity)
            await uow.commit(answer=answer, authority=role)
        await self.finder.changed(None, amenity)
        return answer

    async def _change(
        self,
        change: Change,
        transition: Callable[[Amenity, Principal], None],
        render: Render[Amenity],
    ) -> bytes:
        """The steps every change of an amenity shares, around its ``transition``."""
        async with self._unit_of_work() as uow:
            if earlier := await uow.commands.claim(change.request):
                return earlier.replay_to(change.principal.roles)
            amenity = await uow.amenities.get(change.amenity_id, lock=True)
            role = steward_role(change.principal, amenity.community_code)
            check_version(f"amenity {amenity.id}", amenity.version, change.expected_version)
            before: Listing | None = listing_of(amenity) if amenity.searchable else None
            transition(amenity, change.principal.acting(role))
            uow.track(amenity)
            answer = render(amenity)
            await uow.commit(answer=answer, authority=role)
        await self.finder.changed(before, amenity)
        return answer

    async def update(
        self,
        change: Change,
        merge: Callable[[Details], Details],
        render: Render[Amenity],
    ) -> bytes:
        """New details: ``merge`` applies the update mask to the current ones; the result is
        checked as a whole (a kind changed to shared toilet must be public...)."""

        def update(amenity: Amenity, caller: Principal) -> None:
            details = merge(amenity.details)
            errors = Violations()
            check_details(errors, details)
            errors.raise_if_any()
            amenity.update(details, caller.actor, self.clock())

        return await self._change(change, update, render)

    async def withdraw(self, change: Change, reason: str, render: Render[Amenity]) -> bytes:
        errors = Violations()
        reason = check_reason(errors, "reason", reason)
        errors.raise_if_any()
        return await self._change(
            change, lambda a, caller: a.withdraw(reason, caller.actor, self.clock()), render
        )

    async def suspend(self, change: Change, reason: str, render: Render[Amenity]) -> bytes:
        errors = Violations()
        reason = check_reason(errors, "reason", reason)
        errors.raise_if_any()
        return await self._change(
            change, lambda a, caller: a.suspend(reason, caller.actor, self.clock()), render
        )

    async def reinstate(self, change: Change, render: Render[Amenity]) -> bytes:
        return await self._change(
            change, lambda a, caller: a.reinstate(caller.actor, self.clock()), render
        )

    async def verify(self, change: Change, render: Render[Amenity]) -> bytes:
        return await self._change(
            change, lambda a, caller: a.verify(caller.actor, self.clock()), render
        )

    async def report(
        self,
        principal: Principal | None,
        request: CommandRequest | None,
        amenity_id: str,
        reason_code: str,
        comment: str,
        render: Render[Report],
    ) -> bytes:
        """A public report (a resident token optional); its comment redacted before kept."""
        errors = Violations()
        reason = check_report(errors, reason_code, comment)
        errors.raise_if_any()
        assert reason is not None
        async with self._unit_of_work() as uow:
            if earlier := await uow.commands.claim(request):
                return earlier.replay_to(principal.roles if principal else frozenset())
            amenity = await uow.amenities.get(amenity_id)
            report = Report.file(
                str(uuid.uuid4()),
                amenity,
                reason,
                redact(comment.strip()),
                principal.actor if principal else None,
                self.clock(),
            )
            reporter = principal.actor if principal else None
            if problem := await join_open_problem(uow.problems, report, reporter):
                uow.track(problem)
            uow.track(report)
            answer = render(report)
            await uow.commit(answer=answer, authority="")
        # Its count of recent reports: shown from this replica's next search on.
        self.finder.reported(amenity_id)
        return answer


def reject_unknown_paths(paths: list[str], allowed: frozenset[str]) -> None:
    if not paths:
        raise InvalidArgument.of("update_mask", "name at least one field to change")
    for path in paths:
        if path not in allowed:
            raise InvalidArgument.of("update_mask", f"{path!r} is not a field you can change")
