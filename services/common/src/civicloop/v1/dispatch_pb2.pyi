import datetime

from civicloop.v1 import common_pb2 as _common_pb2
from civicloop.v1 import events_pb2 as _events_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DepartmentKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEPARTMENT_KIND_UNSPECIFIED: _ClassVar[DepartmentKind]
    DEPARTMENT_KIND_LINE: _ClassVar[DepartmentKind]
    DEPARTMENT_KIND_SUBDISTRICT: _ClassVar[DepartmentKind]
    DEPARTMENT_KIND_FALLBACK: _ClassVar[DepartmentKind]
    DEPARTMENT_KIND_UTILITY: _ClassVar[DepartmentKind]

class AssignmentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSIGNMENT_STATE_UNSPECIFIED: _ClassVar[AssignmentState]
    ASSIGNMENT_STATE_AWAITING_OFFICE: _ClassVar[AssignmentState]
    ASSIGNMENT_STATE_DISPATCHED: _ClassVar[AssignmentState]
    ASSIGNMENT_STATE_IN_PROGRESS: _ClassVar[AssignmentState]
    ASSIGNMENT_STATE_COMPLETED: _ClassVar[AssignmentState]
    ASSIGNMENT_STATE_RETURNED: _ClassVar[AssignmentState]
    ASSIGNMENT_STATE_SUPERSEDED: _ClassVar[AssignmentState]

class EscalationRung(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ESCALATION_RUNG_UNSPECIFIED: _ClassVar[EscalationRung]
    ESCALATION_RUNG_REMINDER: _ClassVar[EscalationRung]
    ESCALATION_RUNG_NOTICE: _ClassVar[EscalationRung]
    ESCALATION_RUNG_OFFICE_SUPERVISION: _ClassVar[EscalationRung]

class DeadlineKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEADLINE_KIND_UNSPECIFIED: _ClassVar[DeadlineKind]
    DEADLINE_KIND_ACCEPT: _ClassVar[DeadlineKind]
    DEADLINE_KIND_COMPLETE: _ClassVar[DeadlineKind]

class ExtensionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXTENSION_STATE_UNSPECIFIED: _ClassVar[ExtensionState]
    EXTENSION_STATE_PENDING: _ClassVar[ExtensionState]
    EXTENSION_STATE_APPROVED: _ClassVar[ExtensionState]
    EXTENSION_STATE_REJECTED: _ClassVar[ExtensionState]
DEPARTMENT_KIND_UNSPECIFIED: DepartmentKind
DEPARTMENT_KIND_LINE: DepartmentKind
DEPARTMENT_KIND_SUBDISTRICT: DepartmentKind
DEPARTMENT_KIND_FALLBACK: DepartmentKind
DEPARTMENT_KIND_UTILITY: DepartmentKind
ASSIGNMENT_STATE_UNSPECIFIED: AssignmentState
ASSIGNMENT_STATE_AWAITING_OFFICE: AssignmentState
ASSIGNMENT_STATE_DISPATCHED: AssignmentState
ASSIGNMENT_STATE_IN_PROGRESS: AssignmentState
ASSIGNMENT_STATE_COMPLETED: AssignmentState
ASSIGNMENT_STATE_RETURNED: AssignmentState
ASSIGNMENT_STATE_SUPERSEDED: AssignmentState
ESCALATION_RUNG_UNSPECIFIED: EscalationRung
ESCALATION_RUNG_REMINDER: EscalationRung
ESCALATION_RUNG_NOTICE: EscalationRung
ESCALATION_RUNG_OFFICE_SUPERVISION: EscalationRung
DEADLINE_KIND_UNSPECIFIED: DeadlineKind
DEADLINE_KIND_ACCEPT: DeadlineKind
DEADLINE_KIND_COMPLETE: DeadlineKind
EXTENSION_STATE_UNSPECIFIED: ExtensionState
EXTENSION_STATE_PENDING: ExtensionState
EXTENSION_STATE_APPROVED: ExtensionState
EXTENSION_STATE_REJECTED: ExtensionState

class Department(_message.Message):
    __slots__ = ("code", "name", "kind", "active")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    kind: DepartmentKind
    active: bool
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[_Union[DepartmentKind, str]] = ..., active: _Optional[bool] = ...) -> None: ...

class DutyRule(_message.Message):
    __slots__ = ("category_code", "community_code", "lead_department_code", "assisting_department_codes", "fallback_department_code", "version", "updated_at", "updated_by", "candidate_department_codes")
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    LEAD_DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    ASSISTING_DEPARTMENT_CODES_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_DEPARTMENT_CODES_FIELD_NUMBER: _ClassVar[int]
    category_code: str
    community_code: str
    lead_department_code: str
    assisting_department_codes: _containers.RepeatedScalarFieldContainer[str]
    fallback_department_code: str
    version: int
    updated_at: _timestamp_pb2.Timestamp
    updated_by: _common_pb2.Actor
    candidate_department_codes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, category_code: _Optional[str] = ..., community_code: _Optional[str] = ..., lead_department_code: _Optional[str] = ..., assisting_department_codes: _Optional[_Iterable[str]] = ..., fallback_department_code: _Optional[str] = ..., version: _Optional[int] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., candidate_department_codes: _Optional[_Iterable[str]] = ...) -> None: ...

class DutyRuleChange(_message.Message):
    __slots__ = ("change_id", "catalogue_version", "category_code", "community_code", "before", "after", "reason", "changed_at", "changed_by")
    CHANGE_ID_FIELD_NUMBER: _ClassVar[int]
    CATALOGUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    BEFORE_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_BY_FIELD_NUMBER: _ClassVar[int]
    change_id: str
    catalogue_version: int
    category_code: str
    community_code: str
    before: DutyRule
    after: DutyRule
    reason: str
    changed_at: _timestamp_pb2.Timestamp
    changed_by: _common_pb2.Actor
    def __init__(self, change_id: _Optional[str] = ..., catalogue_version: _Optional[int] = ..., category_code: _Optional[str] = ..., community_code: _Optional[str] = ..., before: _Optional[_Union[DutyRule, _Mapping]] = ..., after: _Optional[_Union[DutyRule, _Mapping]] = ..., reason: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., changed_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class ListDepartmentsRequest(_message.Message):
    __slots__ = ("page", "kind", "include_inactive")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_INACTIVE_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    kind: DepartmentKind
    include_inactive: bool
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., kind: _Optional[_Union[DepartmentKind, str]] = ..., include_inactive: _Optional[bool] = ...) -> None: ...

class ListDepartmentsResponse(_message.Message):
    __slots__ = ("departments", "page")
    DEPARTMENTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    departments: _containers.RepeatedCompositeFieldContainer[Department]
    page: _common_pb2.PageResponse
    def __init__(self, departments: _Optional[_Iterable[_Union[Department, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class GetDutyCatalogueRequest(_message.Message):
    __slots__ = ("page", "category_code", "community_code", "department_code")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    category_code: str
    community_code: str
    department_code: str
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., category_code: _Optional[str] = ..., community_code: _Optional[str] = ..., department_code: _Optional[str] = ...) -> None: ...

class GetDutyCatalogueResponse(_message.Message):
    __slots__ = ("catalogue_version", "rules", "page")
    CATALOGUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    catalogue_version: int
    rules: _containers.RepeatedCompositeFieldContainer[DutyRule]
    page: _common_pb2.PageResponse
    def __init__(self, catalogue_version: _Optional[int] = ..., rules: _Optional[_Iterable[_Union[DutyRule, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class UpdateDutyRuleRequest(_message.Message):
    __slots__ = ("request_id", "rule", "expected_version", "remove", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REMOVE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    rule: DutyRule
    expected_version: int
    remove: bool
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., rule: _Optional[_Union[DutyRule, _Mapping]] = ..., expected_version: _Optional[int] = ..., remove: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class UpdateDutyRuleResponse(_message.Message):
    __slots__ = ("rule", "change")
    RULE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    rule: DutyRule
    change: DutyRuleChange
    def __init__(self, rule: _Optional[_Union[DutyRule, _Mapping]] = ..., change: _Optional[_Union[DutyRuleChange, _Mapping]] = ...) -> None: ...

class ListDutyRuleChangesRequest(_message.Message):
    __slots__ = ("page", "category_code", "community_code", "since")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    category_code: str
    community_code: str
    since: _timestamp_pb2.Timestamp
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., category_code: _Optional[str] = ..., community_code: _Optional[str] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListDutyRuleChangesResponse(_message.Message):
    __slots__ = ("changes", "page")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[DutyRuleChange]
    page: _common_pb2.PageResponse
    def __init__(self, changes: _Optional[_Iterable[_Union[DutyRuleChange, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class DispatchAssignment(_message.Message):
    __slots__ = ("assignment_id", "case_id", "case_version", "state", "department_code", "assisting_department_codes", "round", "automatic", "community_code", "category_code", "list", "urgency", "summary", "accept_due_at", "complete_due_at", "overdue", "escalation_rung", "return_count", "reopen_count", "latest_progress", "pending_extension", "return_reason_code", "return_reason_text", "result_summary", "result_attachments", "dispatch_note", "dispatched_at", "dispatched_by", "accepted_at", "completed_at", "ended_at", "updated_at")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    ASSISTING_DEPARTMENT_CODES_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    AUTOMATIC_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_RUNG_FIELD_NUMBER: _ClassVar[int]
    RETURN_COUNT_FIELD_NUMBER: _ClassVar[int]
    REOPEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    LATEST_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    PENDING_EXTENSION_FIELD_NUMBER: _ClassVar[int]
    RETURN_REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    RETURN_REASON_TEXT_FIELD_NUMBER: _ClassVar[int]
    RESULT_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    RESULT_ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    DISPATCH_NOTE_FIELD_NUMBER: _ClassVar[int]
    DISPATCHED_AT_FIELD_NUMBER: _ClassVar[int]
    DISPATCHED_BY_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    case_id: str
    case_version: int
    state: AssignmentState
    department_code: str
    assisting_department_codes: _containers.RepeatedScalarFieldContainer[str]
    round: int
    automatic: bool
    community_code: str
    category_code: str
    list: _common_pb2.CaseList
    urgency: _common_pb2.Urgency
    summary: str
    accept_due_at: _timestamp_pb2.Timestamp
    complete_due_at: _timestamp_pb2.Timestamp
    overdue: bool
    escalation_rung: EscalationRung
    return_count: int
    reopen_count: int
    latest_progress: HandlingFormEntry
    pending_extension: DispatchExtension
    return_reason_code: str
    return_reason_text: str
    result_summary: str
    result_attachments: _containers.RepeatedCompositeFieldContainer[_events_pb2.Attachment]
    dispatch_note: str
    dispatched_at: _timestamp_pb2.Timestamp
    dispatched_by: _common_pb2.Actor
    accepted_at: _timestamp_pb2.Timestamp
    completed_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, assignment_id: _Optional[str] = ..., case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., state: _Optional[_Union[AssignmentState, str]] = ..., department_code: _Optional[str] = ..., assisting_department_codes: _Optional[_Iterable[str]] = ..., round: _Optional[int] = ..., automatic: _Optional[bool] = ..., community_code: _Optional[str] = ..., category_code: _Optional[str] = ..., list: _Optional[_Union[_common_pb2.CaseList, str]] = ..., urgency: _Optional[_Union[_common_pb2.Urgency, str]] = ..., summary: _Optional[str] = ..., accept_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., complete_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., overdue: _Optional[bool] = ..., escalation_rung: _Optional[_Union[EscalationRung, str]] = ..., return_count: _Optional[int] = ..., reopen_count: _Optional[int] = ..., latest_progress: _Optional[_Union[HandlingFormEntry, _Mapping]] = ..., pending_extension: _Optional[_Union[DispatchExtension, _Mapping]] = ..., return_reason_code: _Optional[str] = ..., return_reason_text: _Optional[str] = ..., result_summary: _Optional[str] = ..., result_attachments: _Optional[_Iterable[_Union[_events_pb2.Attachment, _Mapping]]] = ..., dispatch_note: _Optional[str] = ..., dispatched_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., dispatched_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., accepted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class HandlingFormEntry(_message.Message):
    __slots__ = ("entry_id", "measures_taken", "progress_percent", "expected_completion_at", "attachments", "updated_at", "updated_by")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    MEASURES_TAKEN_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_COMPLETION_AT_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    measures_taken: str
    progress_percent: int
    expected_completion_at: _timestamp_pb2.Timestamp
    attachments: _containers.RepeatedCompositeFieldContainer[_events_pb2.Attachment]
    updated_at: _timestamp_pb2.Timestamp
    updated_by: _common_pb2.Actor
    def __init__(self, entry_id: _Optional[str] = ..., measures_taken: _Optional[str] = ..., progress_percent: _Optional[int] = ..., expected_completion_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attachments: _Optional[_Iterable[_Union[_events_pb2.Attachment, _Mapping]]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class DispatchExtension(_message.Message):
    __slots__ = ("extension_id", "case_id", "assignment_id", "department_code", "state", "previous_due_at", "requested_due_at", "reason", "requested_at", "requested_by", "granted_due_at", "decision_note", "decided_at", "decided_by")
    EXTENSION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    GRANTED_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    DECISION_NOTE_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    extension_id: str
    case_id: str
    assignment_id: str
    department_code: str
    state: ExtensionState
    previous_due_at: _timestamp_pb2.Timestamp
    requested_due_at: _timestamp_pb2.Timestamp
    reason: str
    requested_at: _timestamp_pb2.Timestamp
    requested_by: _common_pb2.Actor
    granted_due_at: _timestamp_pb2.Timestamp
    decision_note: str
    decided_at: _timestamp_pb2.Timestamp
    decided_by: _common_pb2.Actor
    def __init__(self, extension_id: _Optional[str] = ..., case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., department_code: _Optional[str] = ..., state: _Optional[_Union[ExtensionState, str]] = ..., previous_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., requested_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., requested_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., granted_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decision_note: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class DispatchEscalation(_message.Message):
    __slots__ = ("escalation_id", "case_id", "assignment_id", "department_code", "community_code", "rung", "deadline", "due_at", "escalated_at", "resolved_at")
    ESCALATION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    RUNG_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    escalation_id: str
    case_id: str
    assignment_id: str
    department_code: str
    community_code: str
    rung: EscalationRung
    deadline: DeadlineKind
    due_at: _timestamp_pb2.Timestamp
    escalated_at: _timestamp_pb2.Timestamp
    resolved_at: _timestamp_pb2.Timestamp
    def __init__(self, escalation_id: _Optional[str] = ..., case_id: _Optional[str] = ..., assignment_id: _Optional[str] = ..., department_code: _Optional[str] = ..., community_code: _Optional[str] = ..., rung: _Optional[_Union[EscalationRung, str]] = ..., deadline: _Optional[_Union[DeadlineKind, str]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., escalated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DispatchRequest(_message.Message):
    __slots__ = ("request_id", "case_id", "expected_version", "department_code", "assisting_department_codes", "note", "urgency")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    ASSISTING_DEPARTMENT_CODES_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_id: str
    expected_version: int
    department_code: str
    assisting_department_codes: _containers.RepeatedScalarFieldContainer[str]
    note: str
    urgency: _common_pb2.Urgency
    def __init__(self, request_id: _Optional[str] = ..., case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., department_code: _Optional[str] = ..., assisting_department_codes: _Optional[_Iterable[str]] = ..., note: _Optional[str] = ..., urgency: _Optional[_Union[_common_pb2.Urgency, str]] = ...) -> None: ...

class DispatchResponse(_message.Message):
    __slots__ = ("assignment",)
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    assignment: DispatchAssignment
    def __init__(self, assignment: _Optional[_Union[DispatchAssignment, _Mapping]] = ...) -> None: ...

class AcceptRequest(_message.Message):
    __slots__ = ("request_id", "case_id", "expected_version", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_id: str
    expected_version: int
    note: str
    def __init__(self, request_id: _Optional[str] = ..., case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class AcceptResponse(_message.Message):
    __slots__ = ("assignment",)
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    assignment: DispatchAssignment
    def __init__(self, assignment: _Optional[_Union[DispatchAssignment, _Mapping]] = ...) -> None: ...

class ReturnRequest(_message.Message):
    __slots__ = ("request_id", "case_id", "expected_version", "reason_code", "reason_text")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_TEXT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_id: str
    expected_version: int
    reason_code: str
    reason_text: str
    def __init__(self, request_id: _Optional[str] = ..., case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason_code: _Optional[str] = ..., reason_text: _Optional[str] = ...) -> None: ...

class ReturnResponse(_message.Message):
    __slots__ = ("returned", "next", "return_count")
    RETURNED_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIELD_NUMBER: _ClassVar[int]
    RETURN_COUNT_FIELD_NUMBER: _ClassVar[int]
    returned: DispatchAssignment
    next: DispatchAssignment
    return_count: int
    def __init__(self, returned: _Optional[_Union[DispatchAssignment, _Mapping]] = ..., next: _Optional[_Union[DispatchAssignment, _Mapping]] = ..., return_count: _Optional[int] = ...) -> None: ...

class UpdateProgressRequest(_message.Message):
    __slots__ = ("request_id", "case_id", "expected_version", "measures_taken", "progress_percent", "expected_completion_at", "attachments", "regression_reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    MEASURES_TAKEN_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_COMPLETION_AT_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    REGRESSION_REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_id: str
    expected_version: int
    measures_taken: str
    progress_percent: int
    expected_completion_at: _timestamp_pb2.Timestamp
    attachments: _containers.RepeatedCompositeFieldContainer[_events_pb2.Attachment]
    regression_reason: str
    def __init__(self, request_id: _Optional[str] = ..., case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., measures_taken: _Optional[str] = ..., progress_percent: _Optional[int] = ..., expected_completion_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attachments: _Optional[_Iterable[_Union[_events_pb2.Attachment, _Mapping]]] = ..., regression_reason: _Optional[str] = ...) -> None: ...

class UpdateProgressResponse(_message.Message):
    __slots__ = ("assignment", "entry")
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    assignment: DispatchAssignment
    entry: HandlingFormEntry
    def __init__(self, assignment: _Optional[_Union[DispatchAssignment, _Mapping]] = ..., entry: _Optional[_Union[HandlingFormEntry, _Mapping]] = ...) -> None: ...

class CompleteRequest(_message.Message):
    __slots__ = ("request_id", "case_id", "expected_version", "result_summary", "attachments")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    RESULT_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_id: str
    expected_version: int
    result_summary: str
    attachments: _containers.RepeatedCompositeFieldContainer[_events_pb2.Attachment]
    def __init__(self, request_id: _Optional[str] = ..., case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., result_summary: _Optional[str] = ..., attachments: _Optional[_Iterable[_Union[_events_pb2.Attachment, _Mapping]]] = ...) -> None: ...

class CompleteResponse(_message.Message):
    __slots__ = ("assignment",)
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    assignment: DispatchAssignment
    def __init__(self, assignment: _Optional[_Union[DispatchAssignment, _Mapping]] = ...) -> None: ...

class RequestExtensionRequest(_message.Message):
    __slots__ = ("request_id", "case_id", "expected_version", "requested_due_at", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_id: str
    expected_version: int
    requested_due_at: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., requested_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class RequestExtensionResponse(_message.Message):
    __slots__ = ("extension", "assignment")
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    extension: DispatchExtension
    assignment: DispatchAssignment
    def __init__(self, extension: _Optional[_Union[DispatchExtension, _Mapping]] = ..., assignment: _Optional[_Union[DispatchAssignment, _Mapping]] = ...) -> None: ...

class DecideExtensionRequest(_message.Message):
    __slots__ = ("request_id", "case_id", "expected_version", "extension_id", "approved", "granted_due_at", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FIELD_NUMBER: _ClassVar[int]
    GRANTED_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_id: str
    expected_version: int
    extension_id: str
    approved: bool
    granted_due_at: _timestamp_pb2.Timestamp
    note: str
    def __init__(self, request_id: _Optional[str] = ..., case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., extension_id: _Optional[str] = ..., approved: _Optional[bool] = ..., granted_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ...) -> None: ...

class DecideExtensionResponse(_message.Message):
    __slots__ = ("extension", "assignment")
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    extension: DispatchExtension
    assignment: DispatchAssignment
    def __init__(self, extension: _Optional[_Union[DispatchExtension, _Mapping]] = ..., assignment: _Optional[_Union[DispatchAssignment, _Mapping]] = ...) -> None: ...

class ListEscalationsRequest(_message.Message):
    __slots__ = ("page", "department_code", "community_code", "rung", "case_id", "open_only", "since")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    RUNG_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    OPEN_ONLY_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    department_code: str
    community_code: str
    rung: EscalationRung
    case_id: str
    open_only: bool
    since: _timestamp_pb2.Timestamp
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., department_code: _Optional[str] = ..., community_code: _Optional[str] = ..., rung: _Optional[_Union[EscalationRung, str]] = ..., case_id: _Optional[str] = ..., open_only: _Optional[bool] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListEscalationsResponse(_message.Message):
    __slots__ = ("escalations", "page")
    ESCALATIONS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    escalations: _containers.RepeatedCompositeFieldContainer[DispatchEscalation]
    page: _common_pb2.PageResponse
    def __init__(self, escalations: _Optional[_Iterable[_Union[DispatchEscalation, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ListAssignmentsRequest(_message.Message):
    __slots__ = ("page", "department_code", "include_assisting", "states", "overdue", "community_code", "category_code", "case_id")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_ASSISTING_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    department_code: str
    include_assisting: bool
    states: _containers.RepeatedScalarFieldContainer[AssignmentState]
    overdue: bool
    community_code: str
    category_code: str
    case_id: str
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., department_code: _Optional[str] = ..., include_assisting: _Optional[bool] = ..., states: _Optional[_Iterable[_Union[AssignmentState, str]]] = ..., overdue: _Optional[bool] = ..., community_code: _Optional[str] = ..., category_code: _Optional[str] = ..., case_id: _Optional[str] = ...) -> None: ...

class ListAssignmentsResponse(_message.Message):
    __slots__ = ("assignments", "page")
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[DispatchAssignment]
    page: _common_pb2.PageResponse
    def __init__(self, assignments: _Optional[_Iterable[_Union[DispatchAssignment, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class GetAssignmentRequest(_message.Message):
    __slots__ = ("assignment_id", "case_id")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    case_id: str
    def __init__(self, assignment_id: _Optional[str] = ..., case_id: _Optional[str] = ...) -> None: ...

class GetAssignmentResponse(_message.Message):
    __slots__ = ("assignment", "handling_form", "extensions", "escalations")
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    HANDLING_FORM_FIELD_NUMBER: _ClassVar[int]
    EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    ESCALATIONS_FIELD_NUMBER: _ClassVar[int]
    assignment: DispatchAssignment
    handling_form: _containers.RepeatedCompositeFieldContainer[HandlingFormEntry]
    extensions: _containers.RepeatedCompositeFieldContainer[DispatchExtension]
    escalations: _containers.RepeatedCompositeFieldContainer[DispatchEscalation]
    def __init__(self, assignment: _Optional[_Union[DispatchAssignment, _Mapping]] = ..., handling_form: _Optional[_Iterable[_Union[HandlingFormEntry, _Mapping]]] = ..., extensions: _Optional[_Iterable[_Union[DispatchExtension, _Mapping]]] = ..., escalations: _Optional[_Iterable[_Union[DispatchEscalation, _Mapping]]] = ...) -> None: ...
