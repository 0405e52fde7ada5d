"""DispatchService over gRPC: translation between protobuf and the use cases, nothing more."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from google.protobuf.message import Message

from civicloop.dispatch import commands, messages, queries
from civicloop.dispatch.domain.catalogue import EVERY_COMMUNITY, DutyRule
from civicloop.dispatch.handlers import (
    Dispatcher,
    ExtensionOutcome,
    Render,
    ReturnOutcome,
    RuleChange,
)
from civicloop.dispatch.queries import AssignmentView, DispatchQueries
from civicloop.platform import auth
from civicloop.platform.auth import Principal
from civicloop.platform.commands import CommandRequest
from civicloop.platform.grpc_server import Context, rpc
from civicloop.platform.protobuf import (
    URGENCY_FROM_PB,
    aware,
    page_request,
    page_response,
    timestamp,
)
from civicloop.v1 import common_pb2, dispatch_pb2, dispatch_pb2_grpc

R = TypeVar("R", bound=Message)
T = TypeVar("T")
SERVICE_NAME = dispatch_pb2.DESCRIPTOR.services_by_name["DispatchService"].full_name
READERS = (auth.OFFICE, auth.AUDITOR, auth.ANY_DEPARTMENT)
DEPARTMENT_OR_OFFICE = (auth.OFFICE, auth.ANY_DEPARTMENT)
DEPARTMENT_KINDS = {
    dispatch_pb2.DEPARTMENT_KIND_LINE: "line",
    dispatch_pb2.DEPARTMENT_KIND_SUBDISTRICT: "subdistrict",
    dispatch_pb2.DEPARTMENT_KIND_FALLBACK: "fallback",
    dispatch_pb2.DEPARTMENT_KIND_UTILITY: "utility",
}
DEPARTMENT_KIND_TO_PB = {kind: value for value, kind in DEPARTMENT_KINDS.items()}


def _when(stamp: Any, present: bool) -> datetime | None:
    return aware(stamp) if present else None


def _attachments(given: Any) -> tuple[commands.GivenAttachment, ...]:
    return tuple((a.url, a.sha256, a.media_type) for a in given)


def _keyed(principal: Principal, request: Any, command: str) -> CommandRequest | None:
    """The request id bound to this very request, in the caller's own key space."""
    return CommandRequest.of(
        principal.subject,
        request.request_id,
        command,
        request.SerializeToString(deterministic=True),
    )


def _case_request(
    principal: Principal, request: Any, command: str
) -> tuple[Principal, CommandRequest | None, str, int]:
    """The head every case command shares: who asks, under which request id, which case
    at which version."""
    return principal, _keyed(principal, request, command), request.case_id, request.expected_version


def _answer(build: Callable[[T], Message]) -> Render[T]:
    """A handler's result as the bytes of its reply, kept for repeats of the request."""
    return lambda result: build(result).SerializeToString()


def _assignment_answer(response_type: type[R]) -> Render[AssignmentView]:
    """The reply of a command whose answer is the case's current assignment."""
    return _answer(lambda view: response_type(assignment=messages.assignment_pb(view)))


def _extension_answer(response_type: type[R]) -> Render[ExtensionOutcome]:
    return _answer(
        lambda outcome: response_type(
            extension=messages.extension_pb(outcome.view.case, outcome.extension),
            assignment=messages.assignment_pb(outcome.view),
        )
    )


def _return_answer(outcome: ReturnOutcome) -> dispatch_pb2.ReturnResponse:
    return dispatch_pb2.ReturnResponse(
        returned=messages.assignment_pb(outcome.returned),
        next=messages.assignment_pb(outcome.next) if outcome.next else None,
        return_count=outcome.return_count,
    )


def _progress_answer(view: AssignmentView) -> dispatch_pb2.UpdateProgressResponse:
    assert view.latest_entry is not None  # the entry just written
    return dispatch_pb2.UpdateProgressResponse(
        assignment=messages.assignment_pb(view), entry=messages.entry_pb(view.latest_entry)
    )


def _rule_change_answer(result: RuleChange) -> dispatch_pb2.UpdateDutyRuleResponse:
    return dispatch_pb2.UpdateDutyRuleResponse(
        rule=_rule_pb(result.rule) if result.rule else None, change=_change_pb(result.change)
    )


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


class DispatchServicer(dispatch_pb2_grpc.DispatchServiceServicer):
    grpc_service_name = SERVICE_NAME

    def __init__(
        self, dispatcher: Dispatcher, queries: DispatchQueries, verifier: auth.TokenVerifier
    ) -> None:
        self.dispatcher = dispatcher
        self.queries = queries
        self.verifier = verifier

    # ---- 派单 接单 退单 ----

    @rpc(roles=(auth.OFFICE,))
    async def Dispatch(
        self, request: dispatch_pb2.DispatchRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.DispatchResponse:
        answer = await self.dispatcher.dispatch(
            commands.Dispatch(
                *_case_request(principal, request, "Dispatch"),
                department_code=request.department_code,
                assisting_department_codes=tuple(request.assisting_department_codes),
                note=request.note,
                urgency=URGENCY_FROM_PB.get(request.urgency),
            ),
            _assignment_answer(dispatch_pb2.DispatchResponse),
        )
        return dispatch_pb2.DispatchResponse.FromString(answer)

    @rpc(roles=DEPARTMENT_OR_OFFICE)
    async def Accept(
        self, request: dispatch_pb2.AcceptRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.AcceptResponse:
        answer = await self.dispatcher.accept(
            commands.Accept(*_case_request(principal, request, "Accept")),
            _assignment_answer(dispatch_pb2.AcceptResponse),
        )
        return dispatch_pb2.AcceptResponse.FromString(answer)

    @rpc(roles=DEPARTMENT_OR_OFFICE)
    async def Return(
        self, request: dispatch_pb2.ReturnRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.ReturnResponse:
        answer = await self.dispatcher.return_case(
            commands.Return(
                *_case_request(principal, request, "Return"),
                reason_code=request.reason_code,
                reason_text=request.reason_text,
            ),
            _answer(_return_answer),
        )
        return dispatch_pb2.ReturnResponse.FromString(answer)

    # ---- 办单 ----

    @rpc(roles=DEPARTMENT_OR_OFFICE)
    async def UpdateProgress(
        self, request: dispatch_pb2.UpdateProgressRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.UpdateProgressResponse:
        answer = await self.dispatcher.update_progress(
            commands.UpdateProgress(
                *_case_request(principal, request, "UpdateProgress"),
                measures_taken=request.measures_taken,
                progress_percent=request.progress_percent,
                expected_completion_at=_when(
                    request.expected_completion_at, request.HasField("expected_completion_at")
                ),
                attachments=_attachments(request.attachments),
                regression_reason=request.regression_reason,
            ),
            _answer(_progress_answer),
        )
        return dispatch_pb2.UpdateProgressResponse.FromString(answer)

    @rpc(roles=DEPARTMENT_OR_OFFICE)
    async def Complete(
        self, request: dispatch_pb2.CompleteRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.CompleteResponse:
        answer = await self.dispatcher.complete(
            commands.Complete(
                *_case_request(principal, request, "Complete"),
                result_summary=request.result_summary,
                attachments=_attachments(request.attachments),
            ),
            _assignment_answer(dispatch_pb2.CompleteResponse),
        )
        return dispatch_pb2.CompleteResponse.FromString(answer)

    # ---- 延期 ----

    @rpc(roles=DEPARTMENT_OR_OFFICE)
    async def RequestExtension(
        self, request: dispatch_pb2.RequestExtensionRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.RequestExtensionResponse:
        answer = await self.dispatcher.request_extension(
            commands.RequestExtension(
                *_case_request(principal, request, "RequestExtension"),
                requested_due_at=_when(
                    request.requested_due_at, request.HasField("requested_due_at")
                ),
                reason=request.reason,
            ),
            _extension_answer(dispatch_pb2.RequestExtensionResponse),
        )
        return dispatch_pb2.RequestExtensionResponse.FromString(answer)

    @rpc(roles=(auth.OFFICE,))
    async def DecideExtension(
        self, request: dispatch_pb2.DecideExtensionRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.DecideExtensionResponse:
        answer = await self.dispatcher.decide_extension(
            commands.DecideExtension(
                *_case_request(principal, request, "DecideExtension"),
                extension_id=request.extension_id,
                approved=request.approved,
                granted_due_at=_when(request.granted_due_at, request.HasField("granted_due_at")),
                note=request.note,
            ),
            _extension_answer(dispatch_pb2.DecideExtensionResponse),
        )
        return dispatch_pb2.DecideExtensionResponse.FromString(answer)

    # ---- reads ----

    @rpc(roles=READERS)
    async def ListAssignments(
        self, request: dispatch_pb2.ListAssignmentsRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.ListAssignmentsResponse:
        views, token = await self.queries.list_assignments(
            principal,
            queries.AssignmentFilter(
                department_code=request.department_code or None,
                include_assisting=request.include_assisting,
                states=tuple(
                    messages.STATE_FROM_PB[s] for s in request.states if s in messages.STATE_FROM_PB
                ),
                community_code=request.community_code or None,
                category_code=request.category_code or None,
                case_id=request.case_id or None,
                overdue=request.overdue if request.HasField("overdue") else None,
            ),
            page_request(request.page, queries.ASSIGNMENTS),
        )
        return dispatch_pb2.ListAssignmentsResponse(
            assignments=[messages.assignment_pb(v) for v in views], page=page_response(token)
        )

    @rpc(roles=READERS)
    async def GetAssignment(
        self, request: dispatch_pb2.GetAssignmentRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.GetAssignmentResponse:
        by_id = request.WhichOneof("key") == "assignment_id"
        found = await self.queries.get_assignment(
            principal,
            case_id=None if by_id else request.case_id,
            assignment_id=request.assignment_id if by_id else None,
        )
        case = found.view.case
        return dispatch_pb2.GetAssignmentResponse(
            assignment=messages.assignment_pb(found.view),
            handling_form=[messages.entry_pb(e) for e in found.handling_form],
            extensions=[messages.extension_pb(case, x) for x in found.extensions],
            escalations=[messages.escalation_pb(e) for e in found.escalations],
        )

    @rpc(roles=READERS)
    async def ListEscalations(
        self, request: dispatch_pb2.ListEscalationsRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.ListEscalationsResponse:
        escalations, token = await self.queries.list_escalations(
            principal,
            queries.EscalationFilter(
                department_code=request.department_code or None,
                community_code=request.community_code or None,
                rung=messages.RUNG_FROM_PB.get(request.rung),
                case_id=request.case_id or None,
                since=_when(request.since, request.HasField("since")),
                open_only=request.open_only,
            ),
            page_request(request.page, queries.ESCALATIONS),
        )
        return dispatch_pb2.ListEscalationsResponse(
            escalations=[messages.escalation_pb(e) for e in escalations],
            page=page_response(token),
        )

    # ---- departments and the duty catalogue ----

    # Rating (its rating page) and publication (the public board) show departments by name.
    @rpc(roles=(*READERS, auth.service("rating"), auth.service("publication")))
    async def ListDepartments(
        self, request: dispatch_pb2.ListDepartmentsRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.ListDepartmentsResponse:
        departments, token = await self.queries.list_departments(
            DEPARTMENT_KINDS.get(request.kind),
            request.include_inactive,
            page_request(request.page, queries.DEPARTMENTS),
        )
        return dispatch_pb2.ListDepartmentsResponse(
            departments=[
                dispatch_pb2.Department(
                    code=d.code,
                    name=d.name,
                    kind=DEPARTMENT_KIND_TO_PB.get(
                        d.kind, dispatch_pb2.DEPARTMENT_KIND_UNSPECIFIED
                    ),
                    active=d.active,
                )
                for d in departments
            ],
            page=page_response(token),
        )

    @rpc(roles=READERS)
    async def GetDutyCatalogue(
        self, request: dispatch_pb2.GetDutyCatalogueRequest, context: Context, principal: Principal
    ) -> dispatch_pb2.GetDutyCatalogueResponse:
        version, rules, token = await self.queries.duty_catalogue(
            request.category_code or None,
            request.community_code or None,
            request.department_code or None,
            page_request(request.page, queries.DUTY_RULES),
        )
        return dispatch_pb2.GetDutyCatalogueResponse(
            catalogue_version=version, rules=[_rule_pb(r) for r in rules], page=page_response(token)
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
        answer = await self.dispatcher.update_duty_rule(
            commands.UpdateDutyRule(
                principal,
                _keyed(principal, request, "UpdateDutyRule"),
                rule_key=key,
                rule=rule,
                expected_version=request.expected_version,
                reason=request.reason,
            ),
            _answer(_rule_change_answer),
        )
        return dispatch_pb2.UpdateDutyRuleResponse.FromString(answer)

    @rpc(roles=(auth.OFFICE, auth.AUDITOR))
    async def ListDutyRuleChanges(
        self,
        request: dispatch_pb2.ListDutyRuleChangesRequest,
        context: Context,
        principal: Principal,
    ) -> dispatch_pb2.ListDutyRuleChangesResponse:
        changes, token = await self.queries.duty_rule_changes(
            request.category_code or None,
            request.community_code or None,
            _when(request.since, request.HasField("since")),
            page_request(request.page, queries.DUTY_RULE_CHANGES),
        )
        return dispatch_pb2.ListDutyRuleChangesResponse(
            changes=[_change_pb(c) for c in changes], page=page_response(token)
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
