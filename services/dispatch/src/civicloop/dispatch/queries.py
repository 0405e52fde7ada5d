"""Dispatch's reads: what a clerk, the office or an auditor may see, a page at a time.

Reads go straight to the tables (no aggregate is changed) and return read types of their own:
``AssignmentView`` (an assignment as it is shown, with its newest handling-form entry) and
``CaseFile`` (everything about one case). Lists page with the platform's keyset tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from civicloop.dispatch.domain.catalogue import Department, DutyRule
from civicloop.dispatch.domain.deadlines import Rung
from civicloop.dispatch.domain.model import (
    Assignment,
    AssignmentState,
    CaseDispatch,
    Escalation,
    Extension,
    HandlingEntry,
)
from civicloop.dispatch.store import catalogue as catalogue_store
from civicloop.dispatch.store.catalogue import CatalogueCache
from civicloop.dispatch.store.repository import (
    CaseRepository,
    assignment_from_row,
    case_from_row,
    entry_from_row,
    escalation_from_row,
)
from civicloop.platform import auth
from civicloop.platform.auth import Principal
from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.errors import InvalidArgument, PermissionDenied
from civicloop.platform.paging import Keyset, PageRequest
from civicloop.platform.protobuf import parse_uuid

# The lists' page keys: newest first for assignments, escalations and catalogue changes,
# codes in order for departments and rules.
ASSIGNMENTS = Keyset("assignments", ("timestamp", "uuid"))
ESCALATIONS = Keyset("escalations", ("timestamp", "uuid"))
DEPARTMENTS = Keyset("departments", ("text",))
DUTY_RULES = Keyset("duty_rules", ("text", "text"))
DUTY_RULE_CHANGES = Keyset("duty_rule_changes", ("timestamp", "int"))


@dataclass(frozen=True)
class AssignmentView:
    """An assignment as a clerk or the office reads it: the case, the round (None while the
    office decides) and the round's newest handling-form entry, what is read first."""

    case: CaseDispatch
    assignment: Assignment | None
    latest_entry: HandlingEntry | None = None


@dataclass(frozen=True)
class CaseFile:
    """One case as GetAssignment shows it: the round asked for, the whole handling form,
    the current round's extension requests and every 督办 rung climbed."""

    view: AssignmentView
    handling_form: list[HandlingEntry]
    extensions: list[Extension]
    escalations: list[Escalation]


@dataclass(frozen=True)
class AssignmentFilter:
    department_code: str | None = None
    include_assisting: bool = False
    states: tuple[AssignmentState, ...] = ()
    community_code: str | None = None
    category_code: str | None = None
    case_id: str | None = None
    overdue: bool | None = None


@dataclass(frozen=True)
class EscalationFilter:
    department_code: str | None = None
    community_code: str | None = None
    rung: Rung | None = None
    case_id: str | None = None
    since: datetime | None = None
    open_only: bool = False


# Who sees every department's assignments; a department sees its own.
SEE_ALL = (auth.OFFICE, auth.AUDITOR)


def _key_of_row(column: str) -> Any:
    return lambda row: (row[column], row["id"])


class DispatchQueries:
    def __init__(
        self, pool: asyncpg.Pool, catalogue: CatalogueCache, clock: Clock = system_clock
    ) -> None:
        self.pool = pool
        self.catalogue = catalogue
        self.clock = clock

    async def list_assignments(
        self, viewer: Principal, wanted: AssignmentFilter, page: PageRequest
    ) -> tuple[list[AssignmentView], str]:
        departments = viewer.departments_shown(wanted.department_code, SEE_ALL)
        after_at, after_id = page.after or (None, None)
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                """SELECT a.* FROM assignments a
                     JOIN cases c ON c.case_id = a.case_id
                    WHERE ($1::text[] IS NULL OR a.department_code = ANY($1)
                           OR ($2 AND a.assisting && $1))
                      AND ($3::text[] IS NULL OR a.state = ANY($3))
                      AND ($4::text IS NULL OR c.community_code = $4)
                      AND ($5::text IS NULL OR c.category_code = $5)
                      AND ($6::uuid IS NULL OR a.case_id = $6)
                      AND ($7::boolean IS NULL OR $7 = (
                           (a.state = 'dispatched' AND a.accept_due_at <= $8) OR
                           (a.state = 'in_progress' AND a.complete_due_at <= $8)))
                      AND ($9::timestamptz IS NULL OR (a.dispatched_at, a.id) < ($9, $10::uuid))
                    ORDER BY a.dispatched_at DESC, a.id DESC LIMIT $11""",
                departments,
                # A department also sees the cases it assists on.
                wanted.include_assisting or not viewer.has_any((auth.OFFICE, auth.AUDITOR)),
                [s.value for s in wanted.states] or None,
                wanted.community_code,
                wanted.category_code,
                parse_uuid(wanted.case_id, "case_id") if wanted.case_id else None,
                wanted.overdue,
                self.clock(),
                after_at,
                after_id,
                page.limit,
            )
            shown, token = ASSIGNMENTS.page(rows, page, _key_of_row("dispatched_at"))
            assignments = [(str(row["case_id"]), assignment_from_row(row)) for row in shown]
            cases = await self._cases(conn, [case_id for case_id, _ in assignments])
            latest = await CaseRepository(conn).latest_entries(
                [a.id for _, a in assignments if a.accepted_at]
            )
        views = [AssignmentView(cases[case_id], a, latest.get(a.id)) for case_id, a in assignments]
        return views, token

    @staticmethod
    async def _cases(conn: Any, case_ids: list[str]) -> dict[str, CaseDispatch]:
        """The cases themselves, without their rounds (for lists): one query."""
        rows = await conn.fetch("SELECT * FROM cases WHERE case_id = ANY($1::uuid[])", case_ids)
        return {str(r["case_id"]): case_from_row(r) for r in rows}

    async def get_assignment(
        self, viewer: Principal, case_id: str | None, assignment_id: str | None
    ) -> CaseFile:
        """A case's round with the case file as far as the viewer may read it: the office and
        auditors every round (the current one unless ``assignment_id`` names another); a
        department only the rounds it led or assisted on (the current one if it is one of
        them, else its latest), with their handling form and escalations."""
        async with self.pool.acquire() as conn:
            if assignment_id:
                case_id = str(
                    await conn.fetchval(
                        "SELECT case_id FROM assignments WHERE id = $1::uuid",
                        parse_uuid(assignment_id, "assignment_id"),
                    )
                    or ""
                )
            if not case_id:
                raise InvalidArgument.of("key", "give a case_id or an assignment_id")
            case = await CaseRepository(conn).get(case_id)
            assignments = [
                assignment_from_row(r)
                for r in await conn.fetch(
                    "SELECT * FROM assignments WHERE case_id = $1::uuid ORDER BY round",
                    case.case_id,
                )
            ]
            entry_rows = await conn.fetch(
                "SELECT * FROM handling_entries WHERE case_id = $1::uuid ORDER BY at",
                case.case_id,
            )
            escalations = await conn.fetch(
                "SELECT * FROM escalations WHERE case_id = $1::uuid ORDER BY escalated_at",
                case.case_id,
            )
        rounds = {
            a.id
            for a in assignments
            if viewer.sees_work_of((a.department_code, *a.assisting), SEE_ALL)
        }
        see_all = viewer.has_any(SEE_ALL)
        if not rounds and not see_all:  # the office reads a case still without a round too
            raise PermissionDenied(f"case {case.case_id} is not assigned to your department")
        if assignment_id and assignment_id not in rounds:
            raise PermissionDenied(f"round {assignment_id} was not your department's")
        current = case.current if case.current and case.current.id in rounds else None
        # The current round unless another was asked for; while the office decides there is
        # none (state awaiting_office). A department that no longer leads sees its latest.
        wanted = assignment_id or (current and current.id)
        if not wanted and not see_all:
            wanted = next(a.id for a in reversed(assignments) if a.id in rounds)
        chosen = next((a for a in assignments if a.id == wanted), None)
        # Oldest first: the last entry of the chosen round is its newest.
        form = [
            (str(r["assignment_id"]), entry_from_row(r))
            for r in entry_rows
            if str(r["assignment_id"]) in rounds
        ]
        latest = next((e for a, e in reversed(form) if chosen and a == chosen.id), None)
        return CaseFile(
            view=AssignmentView(case, chosen, latest),
            handling_form=[e for _, e in form],
            extensions=case.extensions if current else [],
            escalations=[
                escalation_from_row(r) for r in escalations if str(r["assignment_id"]) in rounds
            ],
        )

    async def list_escalations(
        self, viewer: Principal, wanted: EscalationFilter, page: PageRequest
    ) -> tuple[list[Escalation], str]:
        departments = viewer.departments_shown(wanted.department_code, SEE_ALL)
        after_at, after_id = page.after or (None, None)
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                """SELECT e.* FROM escalations e JOIN cases c ON c.case_id = e.case_id
                    WHERE ($1::text[] IS NULL OR e.department_code = ANY($1))
                      AND ($2::text IS NULL OR e.community_code = $2)
                      AND ($3::text IS NULL OR e.rung = $3)
                      AND ($4::uuid IS NULL OR e.case_id = $4)
                      AND ($5::timestamptz IS NULL OR e.escalated_at >= $5)
                      AND (NOT $6 OR (c.current_assignment_id = e.assignment_id
                                      AND c.state IN ('dispatched', 'in_progress')))
                      AND ($7::timestamptz IS NULL OR (e.escalated_at, e.id) < ($7, $8::uuid))
                    ORDER BY e.escalated_at DESC, e.id DESC LIMIT $9""",
                departments,
                wanted.community_code,
                wanted.rung.value if wanted.rung else None,
                parse_uuid(wanted.case_id, "case_id") if wanted.case_id else None,
                wanted.since,
                wanted.open_only,
                after_at,
                after_id,
                page.limit,
            )
        shown, token = ESCALATIONS.page(rows, page, _key_of_row("escalated_at"))
        return [escalation_from_row(r) for r in shown], token

    async def list_departments(
        self, kind: str | None, include_inactive: bool, page: PageRequest
    ) -> tuple[list[Department], str]:
        catalogue = await self.catalogue.get()
        found = sorted(
            (
                d
                for d in catalogue.departments.values()
                if (include_inactive or d.active) and (kind is None or d.kind == kind)
            ),
            key=lambda d: d.code,
        )
        return DEPARTMENTS.page_of(found, page, lambda d: (d.code,))

    async def duty_catalogue(
        self,
        category_code: str | None,
        community_code: str | None,
        department_code: str | None,
        page: PageRequest,
    ) -> tuple[int, list[DutyRule], str]:
        """The catalogue's version and one page of its rules, by (category, community)."""
        async with self.pool.acquire() as conn:
            catalogue = await catalogue_store.load(conn)
        found = sorted(
            (
                r
                for r in catalogue.rules.values()
                if (category_code is None or r.category_code == category_code)
                and (community_code is None or r.community_code == community_code)
                and (
                    department_code is None
                    or department_code in (r.lead_department_code, *r.assisting_department_codes)
                )
            ),
            key=lambda r: r.key,
        )
        rules, token = DUTY_RULES.page_of(found, page, lambda r: r.key)
        return catalogue.version, rules, token

    async def duty_rule_changes(
        self,
        category_code: str | None,
        community_code: str | None,
        since: datetime | None,
        page: PageRequest,
    ) -> tuple[list[dict[str, Any]], str]:
        """The catalogue's audit trail, newest first."""
        async with self.pool.acquire() as conn:
            rows = await catalogue_store.changes(conn, category_code, community_code, since, page)
        return DUTY_RULE_CHANGES.page(
            rows, page, lambda change: (change["changed_at"], change["catalogue_version"])
        )
