"""DispatchService over gRPC: translation between protobuf and the use cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from google.protobuf.message import Message

from civicloop.dispatch import messages
from civicloop.dispatch.domain import rules
from civicloop.dispatch.domain.catalogue import EVERY_COMMUNITY, DutyCatalogue, DutyRule
from civicloop.dispatch.domain.model import CaseDispatch
from civicloop.dispatch.handlers import Dispatcher, actor_of
from civicloop.dispatch.store import catalogue as catalogue_store
from civicloop.dispatch.store.repository import CaseRepository, assignment_from_row
from civicloop.platform import auth
from civicloop.platform.auth import Principal
from civicloop.platform.errors import InvalidArgument, PermissionDenied, Violations
from civicloop.platform.grpc_server import Context, rpc
from civicloop.platform.protobuf import aware, page_size, parse_uuid, timestamp
from civicloop.v1 import common_pb2, dispatch_pb2, dispatch_pb2_grpc

R = TypeVar("R", bound=Message)
SERVICE_NAME = dispatch_pb2.DESCRIPTOR.services_by_name["DispatchService"].full_name
READERS = (auth.OFFICE, auth.AUDITOR, auth.ANY_DEPARTMENT)
DEPARTMENT_OR_OFFICE = (auth.OFFICE, auth.ANY_DEPARTMENT)


def _when(stamp: Any, present: bool) -> datetime | None:
    return aware(stamp) if present else None


def _page(page: common_pb2.PageRequest) -> tuple[int, int]:
    size = page_size(page)
    try:
        offset = int(page.page_token or 0)
    except ValueError:
        raise InvalidArgument.of("page.page_token", "is not a token this service issued") from None
    return size, offset


def _next(offset: int, size: int, got: int) -> common_pb2.PageResponse:
    return common_pb2.PageResponse(next_page_token=str(offset + size) if got > size else "")


def _rule_pb(rule: DutyRule) -> dispatch_pb2.DutyRule:
    return dispatch_pb2.DutyRule(
        category_code=rule.category_code,
        community_code=rule.community_code,
        lead_department_code=rule.lead_department_code,
        assisting_department_codes=list(rule.assisting_department_codes),
        fallback_department_code=rule.fallback_department_code,
        version=rule.version,
        candidate_department_codes=list(rule.candidate_department_codes),
    )


def _assignment(case: CaseDispatch) -> dispatch_pb2.DispatchAssignment:
    return messages.assignment_pb(case, case.current)


def _with_assignment(response_type: type[R]) -> Any:
    """The reply of a command whose answer is the case's current assignment."""
    return lambda case, _: response_type(assignment=_assignment(case))


class DispatchServicer(dispatch_pb2_grpc.DispatchServiceServicer):
    grpc_service_name = SERVICE_NAME

    def __init__(self, dispatcher: Dispatcher, verifier: auth.TokenVerifier) -> None:
        self.dispatcher = dispatcher
        self.verifier = verifier

    async def _run(
        self,
        name: str,
        request: Any,
        principal: Principal,
        change: Any,
        render: Any,
        response_type: type[R],
        *,
        lead_only: bool = True,
    ) -> R:
        body = await self.dispatcher.execute(
            name,
            request.case_id,
            request.expected_version,
            principal,
            request.request_id,
            request.SerializeToString(deterministic=True),
            change,
            lambda case, result: render(case, result).SerializeToString(),
            lead_only=lead_only,
        )
        response = response_type()
        response.ParseFromString(body)
        return response

    # ---- 派单 接单 退单 ----

    @rpc(roles=(auth.OFFICE,))
    async def Dispatch(
        self, request: dispatch_pb2.DispatchRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.DispatchResponse:
        errors = Violations()
        note = rules.optional_text(errors, "note", request.note, 500)
        urgency = messages.URGENCY_FROM_PB.get(request.urgency)
        errors.raise_if_any()

        def change(case: CaseDispatch, catalogue: DutyCatalogue, now: datetime) -> None:
            problems = Violations()
            lead = rules.departments(
                problems, catalogue, "department_code", [request.department_code]
            )[0]
            assisting = rules.departments(
                problems,
                catalogue,
                "assisting_department_codes",
                request.assisting_department_codes,
            )
            if len(assisting) > 10:
                problems.add("assisting_department_codes", "at most 10")
            problems.raise_if_any()
            case.dispatch(
                lead, assisting, note, actor_of(principal), self.dispatcher.clockwork, now, urgency
            )

        return await self._run(
            "dispatched",
            request,
            principal,
            change,
            _with_assignment(dispatch_pb2.DispatchResponse),
            dispatch_pb2.DispatchResponse,
            lead_only=False,
        )

    @rpc(roles=DEPARTMENT_OR_OFFICE)
    async def Accept(
        self, request: dispatch_pb2.AcceptRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.AcceptResponse:
        def change(case: CaseDispatch, _: DutyCatalogue, now: datetime) -> None:
            case.accept(actor_of(principal), self.dispatcher.clockwork, now)

        return await self._run(
            "accepted",
            request,
            principal,
            change,
            _with_assignment(dispatch_pb2.AcceptResponse),
            dispatch_pb2.AcceptResponse,
        )

    @rpc(roles=DEPARTMENT_OR_OFFICE)
    async def Return(
        self, request: dispatch_pb2.ReturnRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.ReturnResponse:
        errors = Violations()
        rules.return_reason(errors, self.dispatcher.reasons, request.reason_code)
        text = rules.required_text(errors, "reason_text", request.reason_text, 500)
        errors.raise_if_any()

        def change(case: CaseDispatch, _: DutyCatalogue, now: datetime) -> Any:
            case.return_case(
                request.reason_code,
                text,
                actor_of(principal),
                self.dispatcher.limits,
                self.dispatcher.clockwork,
                now,
            )
            return case.ended[-1]

        def render(case: CaseDispatch, returned: Any) -> dispatch_pb2.ReturnResponse:
            return dispatch_pb2.ReturnResponse(
                returned=messages.assignment_pb(case, returned),
                next=_assignment(case) if case.current else None,
                return_count=case.return_count,
            )

        return await self._run(
            "returned", request, principal, change, render, dispatch_pb2.ReturnResponse
        )

    # ---- 办单 ----

    @rpc(roles=DEPARTMENT_OR_OFFICE)
    async def UpdateProgress(
        self, request: dispatch_pb2.UpdateProgressRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.UpdateProgressResponse:
        errors = Violations()
        measures = rules.required_text(errors, "measures_taken", request.measures_taken, 2000)
        expected = _when(request.expected_completion_at, request.HasField("expected_completion_at"))
        rules.progress(errors, request.progress_percent, expected, self.dispatcher.clock())
        attachments = rules.attachments(
            errors, [(a.url, a.sha256, a.media_type) for a in request.attachments]
        )
        regression = rules.optional_text(
            errors, "regression_reason", request.regression_reason, 500
        )
        errors.raise_if_any()

        def change(case: CaseDispatch, _: DutyCatalogue, now: datetime) -> Any:
            return case.update_progress(
                measures,
                request.progress_percent,
                expected,
                attachments,
                regression,
                actor_of(principal),
                now,
            )

        return await self._run(
            "progress updated",
            request,
            principal,
            change,
            lambda case, entry: dispatch_pb2.UpdateProgressResponse(
                assignment=_assignment(case), entry=messages.entry_pb(entry)
            ),
            dispatch_pb2.UpdateProgressResponse,
        )

    @rpc(roles=DEPARTMENT_OR_OFFICE)
    async def Complete(
        self, request: dispatch_pb2.CompleteRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.CompleteResponse:
        errors = Violations()
        summary = rules.required_text(errors, "result_summary", request.result_summary, 2000)
        attachments = rules.attachments(
            errors, [(a.url, a.sha256, a.media_type) for a in request.attachments]
        )
        errors.raise_if_any()

        def change(case: CaseDispatch, _: DutyCatalogue, now: datetime) -> None:
            case.complete(summary, attachments, actor_of(principal), now)

        return await self._run(
            "completed",
            request,
            principal,
            change,
            _with_assignment(dispatch_pb2.CompleteResponse),
            dispatch_pb2.CompleteResponse,
        )

    # ---- 延期 ----

    @rpc(roles=DEPARTMENT_OR_OFFICE)
    async def RequestExtension(
        self, request: dispatch_pb2.RequestExtensionRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.RequestExtensionResponse:
        errors = Violations()
        reason = rules.required_text(errors, "reason", request.reason, 500)
        if not request.HasField("requested_due_at"):
            errors.add("requested_due_at", "is required")
        errors.raise_if_any()
        due = _when(request.requested_due_at, True)
        assert due is not None

        def change(case: CaseDispatch, _: DutyCatalogue, now: datetime) -> Any:
            return case.request_extension(
                due, reason, actor_of(principal), self.dispatcher.limits, now
            )

        return await self._run(
            "extension requested",
            request,
            principal,
            change,
            lambda case, ext: dispatch_pb2.RequestExtensionResponse(
                extension=messages.extension_pb(case, ext), assignment=_assignment(case)
            ),
            dispatch_pb2.RequestExtensionResponse,
        )

    @rpc(roles=(auth.OFFICE,))
    async def DecideExtension(
        self, request: dispatch_pb2.DecideExtensionRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.DecideExtensionResponse:
        errors = Violations()
        note = rules.optional_text(errors, "note", request.note, 500)
        granted = _when(request.granted_due_at, request.HasField("granted_due_at"))
        errors.raise_if_any()

        def change(case: CaseDispatch, _: DutyCatalogue, now: datetime) -> Any:
            return case.decide_extension(
                request.extension_id, request.approved, granted, note, actor_of(principal), now
            )

        return await self._run(
            "extension decided",
            request,
            principal,
            change,
            lambda case, ext: dispatch_pb2.DecideExtensionResponse(
                extension=messages.extension_pb(case, ext), assignment=_assignment(case)
            ),
            dispatch_pb2.DecideExtensionResponse,
            lead_only=False,
        )

    # ---- reads ----

    def _visible_departments(self, principal: Principal, requested: str) -> frozenset[str] | None:
        """None: everything (office, auditor); else the departments this caller may see."""
        if principal.has_any((auth.OFFICE, auth.AUDITOR)):
            return None
        own = principal.departments
        if requested and requested not in own:
            raise PermissionDenied(f"department {requested!r} is not yours")
        return own

    def _department_filter(self, principal: Principal, requested: str) -> list[str] | None:
        """The departments a list may show: the one asked for, else all the caller may see
        (None: no restriction)."""
        visible = self._visible_departments(principal, requested)
        if requested:
            return [requested]
        return sorted(visible) if visible is not None else None

    @rpc(roles=READERS)
    async def ListAssignments(
        self, request: dispatch_pb2.ListAssignmentsRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.ListAssignmentsResponse:
        size, offset = _page(request.page)
        departments = self._department_filter(principal, request.department_code)
        states = [
            messages.STATE_FROM_PB[s].value for s in request.states if s in messages.STATE_FROM_PB
        ] or None
        overdue = request.overdue if request.HasField("overdue") else None
        now = self.dispatcher.clock()
        async with self.dispatcher.pool.acquire() as conn:
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
                    ORDER BY a.dispatched_at DESC, a.id LIMIT $9 OFFSET $10""",
                departments,
                # A department also sees the cases it assists on.
                request.include_assisting or not principal.has_any((auth.OFFICE, auth.AUDITOR)),
                states,
                request.community_code or None,
                request.category_code or None,
                parse_uuid(request.case_id, "case_id") if request.case_id else None,
                overdue,
                now,
                size + 1,
                offset,
            )
            page = [(str(row["case_id"]), assignment_from_row(row)) for row in rows[:size]]
            repo = CaseRepository(conn)
            cases = await repo.many([case_id for case_id, _ in page])
            latest = await repo.latest_entries([a.id for _, a in page if a.accepted_at])
            out = []
            for case_id, assignment in page:
                assignment.latest_entry = latest.get(assignment.id)
                out.append(messages.assignment_pb(cases[case_id], assignment))
        return dispatch_pb2.ListAssignmentsResponse(
            assignments=out, page=_next(offset, size, len(rows))
        )

    @rpc(roles=READERS)
    async def GetAssignment(
        self, request: dispatch_pb2.GetAssignmentRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.GetAssignmentResponse:
        async with self.dispatcher.pool.acquire() as conn:
            case_id = request.case_id
            if request.WhichOneof("key") == "assignment_id":
                case_id = str(
                    await conn.fetchval(
                        "SELECT case_id FROM assignments WHERE id = $1::uuid",
                        parse_uuid(request.assignment_id, "assignment_id"),
                    )
                    or ""
                )
            if not case_id:
                raise InvalidArgument.of("key", "give a case_id or an assignment_id")
            repo = CaseRepository(conn)
            # The rounds come with their newest entries from the whole form, read below.
            case = await repo.get(case_id, latest_entry=False)
            assignments, entries, escalations = await repo.history(case.case_id)
        visible = self._visible_departments(principal, "")
        if visible is not None and not any(
            a.department_code in visible or set(a.assisting) & visible for a in assignments
        ):
            raise PermissionDenied(f"case {case.case_id} is not assigned to your department")
        # The current round unless another was asked for; while the office decides there is
        # none (state awaiting_office).
        wanted = (
            request.assignment_id
            if request.WhichOneof("key") == "assignment_id"
            else case.current and case.current.id
        )
        chosen = next((a for a in assignments if a.id == wanted), None)
        return dispatch_pb2.GetAssignmentResponse(
            assignment=messages.assignment_pb(case, chosen),
            handling_form=[messages.entry_pb(e) for e in entries],
            extensions=[messages.extension_pb(case, x) for x in case.extensions]
            if case.current
            else [],
            escalations=[messages.escalation_pb(e) for e in escalations],
        )

    @rpc(roles=READERS)
    async def ListEscalations(
        self, request: dispatch_pb2.ListEscalationsRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.ListEscalationsResponse:
        size, offset = _page(request.page)
        departments = self._department_filter(principal, request.department_code)
        rung = messages.RUNG_FROM_PB.get(request.rung)
        since = _when(request.since, request.HasField("since"))
        async with self.dispatcher.pool.acquire() as conn:
            rows = await conn.fetch(
                """SELECT e.* FROM escalations e JOIN cases c ON c.case_id = e.case_id
                    WHERE ($1::text[] IS NULL OR e.department_code = ANY($1))
                      AND ($2::text IS NULL OR e.community_code = $2)
                      AND ($3::text IS NULL OR e.rung = $3)
                      AND ($4::uuid IS NULL OR e.case_id = $4)
                      AND ($5::timestamptz IS NULL OR e.escalated_at >= $5)
                      AND (NOT $6 OR (c.current_assignment_id = e.assignment_id
                                      AND c.state IN ('dispatched', 'in_progress')))
                    ORDER BY e.escalated_at DESC LIMIT $7 OFFSET $8""",
                departments,
                request.community_code or None,
                rung.value if rung else None,
                parse_uuid(request.case_id, "case_id") if request.case_id else None,
                since,
                request.open_only,
                size + 1,
                offset,
            )
        return dispatch_pb2.ListEscalationsResponse(
            escalations=[messages.escalation_pb(e) for e in rows[:size]],
            page=_next(offset, size, len(rows)),
        )

    # ---- departments and the duty catalogue ----

    @rpc(roles=READERS)
    async def ListDepartments(
        self, request: dispatch_pb2.ListDepartmentsRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.ListDepartmentsResponse:
        size, offset = _page(request.page)
        async with self.dispatcher.pool.acquire() as conn:
            catalogue = await self.dispatcher.catalogue(conn)
        kinds = {
            dispatch_pb2.DEPARTMENT_KIND_LINE: "line",
            dispatch_pb2.DEPARTMENT_KIND_SUBDISTRICT: "subdistrict",
            dispatch_pb2.DEPARTMENT_KIND_FALLBACK: "fallback",
            dispatch_pb2.DEPARTMENT_KIND_UTILITY: "utility",
        }
        to_pb: dict[str, Any] = {v: k for k, v in kinds.items()}
        found = [
            d
            for d in catalogue.departments.values()
            if (request.include_inactive or d.active)
            and (not request.kind or kinds.get(request.kind) == d.kind)
        ]
        page = found[offset : offset + size + 1]
        return dispatch_pb2.ListDepartmentsResponse(
            departments=[
                dispatch_pb2.Department(
                    code=d.code, name=d.name, kind=to_pb.get(d.kind, 0), active=d.active
                )
                for d in page[:size]
            ],
            page=_next(offset, size, len(page)),
        )

    @rpc(roles=READERS)
    async def GetDutyCatalogue(
        self, request: dispatch_pb2.GetDutyCatalogueRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.GetDutyCatalogueResponse:
        size, offset = _page(request.page)
        async with self.dispatcher.pool.acquire() as conn:
            catalogue = await catalogue_store.load(conn)
        found = sorted(
            (
                r
                for r in catalogue.rules.values()
                if (not request.category_code or r.category_code == request.category_code)
                and (not request.community_code or r.community_code == request.community_code)
                and (
                    not request.department_code
                    or request.department_code
                    in (r.lead_department_code, *r.assisting_department_codes)
                )
            ),
            key=lambda r: r.key,
        )
        page = found[offset : offset + size + 1]
        return dispatch_pb2.GetDutyCatalogueResponse(
            catalogue_version=catalogue.version,
            rules=[_rule_pb(r) for r in page[:size]],
            page=_next(offset, size, len(page)),
        )

    @rpc(roles=(auth.OFFICE,))
    async def UpdateDutyRule(
        self, request: dispatch_pb2.UpdateDutyRuleRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.UpdateDutyRuleResponse:
        given = request.rule
        key = (given.category_code, given.community_code or EVERY_COMMUNITY)
        rule = (
            None
            if request.remove
            else DutyRule(
                category_code=given.category_code,
                community_code=key[1],
                lead_department_code=given.lead_department_code,
                assisting_department_codes=tuple(given.assisting_department_codes),
                fallback_department_code=given.fallback_department_code,
            )
        )
        written, change = await self.dispatcher.update_rule(
            rule, key, request.expected_version, request.reason, principal
        )
        return dispatch_pb2.UpdateDutyRuleResponse(
            rule=_rule_pb(written) if written else None, change=_change_pb(change)
        )

    @rpc(roles=(auth.OFFICE, auth.AUDITOR))
    async def ListDutyRuleChanges(
        self,
        request: dispatch_pb2.ListDutyRuleChangesRequest,
        context: Context,
        principal: Principal,
    ) -> dispatch_pb2.ListDutyRuleChangesResponse:
        size, offset = _page(request.page)
        async with self.dispatcher.pool.acquire() as conn:
            rows = await catalogue_store.changes(
                conn,
                request.category_code or None,
                request.community_code or None,
                _when(request.since, request.HasField("since")),
                size + 1,
                offset,
            )
        return dispatch_pb2.ListDutyRuleChangesResponse(
            changes=[_change_pb(dict(r)) for r in rows[:size]], page=_next(offset, size, len(rows))
        )


def _audited_rule(data: Any) -> dispatch_pb2.DutyRule | None:
    if not data:
        return None
    if isinstance(data, str):
        import orjson

        data = orjson.loads(data)
    return dispatch_pb2.DutyRule(
        category_code=data["category_code"],
        community_code=data["community_code"],
        lead_department_code=data["lead_department_code"],
        assisting_department_codes=list(data["assisting_department_codes"]),
        fallback_department_code=data["fallback_department_code"],
        version=data["version"],
    )


def _change_pb(change: dict[str, Any]) -> dispatch_pb2.DutyRuleChange:
    return dispatch_pb2.DutyRuleChange(
        change_id=str(change["change_id"]),
        catalogue_version=change["catalogue_version"],
        category_code=change["category_code"],
        community_code=change["community_code"],
        before=_audited_rule(change["before"]),
        after=_audited_rule(change["after"]),
        reason=change["reason"],
        changed_at=timestamp(change["changed_at"]),
        changed_by=common_pb2.Actor(subject=change["changed_by"], role=change["changed_role"]),
    )
