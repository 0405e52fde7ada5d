import datetime

from civicloop.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PetitionSubmitted(_message.Message):
    __slots__ = ("petition_id", "case_id", "case_version", "channel", "community_code", "category_code", "location", "description", "submitted_at", "submitted_by")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_BY_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    case_id: str
    case_version: int
    channel: _common_pb2.Channel
    community_code: str
    category_code: str
    location: _common_pb2.GeoPoint
    description: str
    submitted_at: _timestamp_pb2.Timestamp
    submitted_by: _common_pb2.Actor
    def __init__(self, petition_id: _Optional[str] = ..., case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., community_code: _Optional[str] = ..., category_code: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., description: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., submitted_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class PetitionResolvedOnSite(_message.Message):
    __slots__ = ("petition_id", "case_id", "case_version", "note", "resolved_at", "resolved_by")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_BY_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    case_id: str
    case_version: int
    note: str
    resolved_at: _timestamp_pb2.Timestamp
    resolved_by: _common_pb2.Actor
    def __init__(self, petition_id: _Optional[str] = ..., case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., note: _Optional[str] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class PetitionsMerged(_message.Message):
    __slots__ = ("case_id", "case_version", "petition_ids", "merged_case_ids", "merged_at", "merged_by")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    PETITION_IDS_FIELD_NUMBER: _ClassVar[int]
    MERGED_CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    MERGED_AT_FIELD_NUMBER: _ClassVar[int]
    MERGED_BY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    petition_ids: _containers.RepeatedScalarFieldContainer[str]
    merged_case_ids: _containers.RepeatedScalarFieldContainer[str]
    merged_at: _timestamp_pb2.Timestamp
    merged_by: _common_pb2.Actor
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., petition_ids: _Optional[_Iterable[str]] = ..., merged_case_ids: _Optional[_Iterable[str]] = ..., merged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., merged_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class PetitionSplit(_message.Message):
    __slots__ = ("petition_id", "from_case_id", "from_case_version", "new_case_id", "reason", "split_at", "split_by")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    NEW_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SPLIT_AT_FIELD_NUMBER: _ClassVar[int]
    SPLIT_BY_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    from_case_id: str
    from_case_version: int
    new_case_id: str
    reason: str
    split_at: _timestamp_pb2.Timestamp
    split_by: _common_pb2.Actor
    def __init__(self, petition_id: _Optional[str] = ..., from_case_id: _Optional[str] = ..., from_case_version: _Optional[int] = ..., new_case_id: _Optional[str] = ..., reason: _Optional[str] = ..., split_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., split_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class CaseOpened(_message.Message):
    __slots__ = ("case_id", "case_version", "petition_ids", "community_code", "category_code", "list", "urgency", "location", "summary", "opened_at", "opened_by")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    PETITION_IDS_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    OPENED_AT_FIELD_NUMBER: _ClassVar[int]
    OPENED_BY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    petition_ids: _containers.RepeatedScalarFieldContainer[str]
    community_code: str
    category_code: str
    list: _common_pb2.CaseList
    urgency: _common_pb2.Urgency
    location: _common_pb2.GeoPoint
    summary: str
    opened_at: _timestamp_pb2.Timestamp
    opened_by: _common_pb2.Actor
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., petition_ids: _Optional[_Iterable[str]] = ..., community_code: _Optional[str] = ..., category_code: _Optional[str] = ..., list: _Optional[_Union[_common_pb2.CaseList, str]] = ..., urgency: _Optional[_Union[_common_pb2.Urgency, str]] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., summary: _Optional[str] = ..., opened_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., opened_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class CaseDispatched(_message.Message):
    __slots__ = ("case_id", "case_version", "department_code", "assisting_department_codes", "round", "automatic", "accept_due_at", "dispatched_at", "dispatched_by")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    ASSISTING_DEPARTMENT_CODES_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    AUTOMATIC_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    DISPATCHED_AT_FIELD_NUMBER: _ClassVar[int]
    DISPATCHED_BY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    department_code: str
    assisting_department_codes: _containers.RepeatedScalarFieldContainer[str]
    round: int
    automatic: bool
    accept_due_at: _timestamp_pb2.Timestamp
    dispatched_at: _timestamp_pb2.Timestamp
    dispatched_by: _common_pb2.Actor
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., department_code: _Optional[str] = ..., assisting_department_codes: _Optional[_Iterable[str]] = ..., round: _Optional[int] = ..., automatic: _Optional[bool] = ..., accept_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., dispatched_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., dispatched_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class CaseAwaitingOffice(_message.Message):
    __slots__ = ("case_id", "case_version", "reason", "at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    reason: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., reason: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseAccepted(_message.Message):
    __slots__ = ("case_id", "case_version", "department_code", "complete_due_at", "accepted_at", "accepted_by")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_BY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    department_code: str
    complete_due_at: _timestamp_pb2.Timestamp
    accepted_at: _timestamp_pb2.Timestamp
    accepted_by: _common_pb2.Actor
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., department_code: _Optional[str] = ..., complete_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., accepted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., accepted_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class CaseReturned(_message.Message):
    __slots__ = ("case_id", "case_version", "department_code", "reason_code", "reason_text", "return_count", "returned_at", "returned_by")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_TEXT_FIELD_NUMBER: _ClassVar[int]
    RETURN_COUNT_FIELD_NUMBER: _ClassVar[int]
    RETURNED_AT_FIELD_NUMBER: _ClassVar[int]
    RETURNED_BY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    department_code: str
    reason_code: str
    reason_text: str
    return_count: int
    returned_at: _timestamp_pb2.Timestamp
    returned_by: _common_pb2.Actor
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., department_code: _Optional[str] = ..., reason_code: _Optional[str] = ..., reason_text: _Optional[str] = ..., return_count: _Optional[int] = ..., returned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., returned_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class Attachment(_message.Message):
    __slots__ = ("url", "sha256", "media_type")
    URL_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    url: str
    sha256: str
    media_type: str
    def __init__(self, url: _Optional[str] = ..., sha256: _Optional[str] = ..., media_type: _Optional[str] = ...) -> None: ...

class HandlingProgressUpdated(_message.Message):
    __slots__ = ("case_id", "case_version", "department_code", "measures_taken", "progress_percent", "expected_completion_at", "attachments", "updated_at", "updated_by")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    MEASURES_TAKEN_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_COMPLETION_AT_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    department_code: str
    measures_taken: str
    progress_percent: int
    expected_completion_at: _timestamp_pb2.Timestamp
    attachments: _containers.RepeatedCompositeFieldContainer[Attachment]
    updated_at: _timestamp_pb2.Timestamp
    updated_by: _common_pb2.Actor
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., department_code: _Optional[str] = ..., measures_taken: _Optional[str] = ..., progress_percent: _Optional[int] = ..., expected_completion_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attachments: _Optional[_Iterable[_Union[Attachment, _Mapping]]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class ExtensionRequested(_message.Message):
    __slots__ = ("case_id", "case_version", "department_code", "requested_due_at", "reason", "requested_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    department_code: str
    requested_due_at: _timestamp_pb2.Timestamp
    reason: str
    requested_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., department_code: _Optional[str] = ..., requested_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ExtensionDecided(_message.Message):
    __slots__ = ("case_id", "case_version", "approved", "complete_due_at", "note", "decided_at", "decided_by")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    approved: bool
    complete_due_at: _timestamp_pb2.Timestamp
    note: str
    decided_at: _timestamp_pb2.Timestamp
    decided_by: _common_pb2.Actor
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., approved: _Optional[bool] = ..., complete_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class CaseCompleted(_message.Message):
    __slots__ = ("case_id", "case_version", "department_code", "result_summary", "attachments", "round", "completed_at", "completed_by", "complete_due_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    RESULT_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_BY_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    department_code: str
    result_summary: str
    attachments: _containers.RepeatedCompositeFieldContainer[Attachment]
    round: int
    completed_at: _timestamp_pb2.Timestamp
    completed_by: _common_pb2.Actor
    complete_due_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., department_code: _Optional[str] = ..., result_summary: _Optional[str] = ..., attachments: _Optional[_Iterable[_Union[Attachment, _Mapping]]] = ..., round: _Optional[int] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., complete_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseEscalated(_message.Message):
    __slots__ = ("case_id", "case_version", "department_code", "rung", "deadline", "due_at", "escalated_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    RUNG_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    department_code: str
    rung: str
    deadline: str
    due_at: _timestamp_pb2.Timestamp
    escalated_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., department_code: _Optional[str] = ..., rung: _Optional[str] = ..., deadline: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., escalated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DutyCatalogueChanged(_message.Message):
    __slots__ = ("catalogue_version", "category_code", "community_code", "lead_department_code", "assisting_department_codes", "note", "changed_at", "changed_by")
    CATALOGUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    LEAD_DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    ASSISTING_DEPARTMENT_CODES_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_BY_FIELD_NUMBER: _ClassVar[int]
    catalogue_version: int
    category_code: str
    community_code: str
    lead_department_code: str
    assisting_department_codes: _containers.RepeatedScalarFieldContainer[str]
    note: str
    changed_at: _timestamp_pb2.Timestamp
    changed_by: _common_pb2.Actor
    def __init__(self, catalogue_version: _Optional[int] = ..., category_code: _Optional[str] = ..., community_code: _Optional[str] = ..., lead_department_code: _Optional[str] = ..., assisting_department_codes: _Optional[_Iterable[str]] = ..., note: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., changed_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class RatingRequested(_message.Message):
    __slots__ = ("case_id", "case_version", "petition_id", "expires_at", "requested_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    petition_id: str
    expires_at: _timestamp_pb2.Timestamp
    requested_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., petition_id: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseRated(_message.Message):
    __slots__ = ("case_id", "case_version", "petition_id", "department_code", "community_code", "score", "satisfied", "comment", "rated_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SATISFIED_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    RATED_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    petition_id: str
    department_code: str
    community_code: str
    score: int
    satisfied: bool
    comment: str
    rated_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., petition_id: _Optional[str] = ..., department_code: _Optional[str] = ..., community_code: _Optional[str] = ..., score: _Optional[int] = ..., satisfied: _Optional[bool] = ..., comment: _Optional[str] = ..., rated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RatingRequestExpired(_message.Message):
    __slots__ = ("case_id", "petition_id", "expired_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    petition_id: str
    expired_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., petition_id: _Optional[str] = ..., expired_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseReopened(_message.Message):
    __slots__ = ("case_id", "case_version", "department_code", "reopen_count", "reason", "reopened_at", "by_office", "reopened_by")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    REOPEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REOPENED_AT_FIELD_NUMBER: _ClassVar[int]
    BY_OFFICE_FIELD_NUMBER: _ClassVar[int]
    REOPENED_BY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    department_code: str
    reopen_count: int
    reason: str
    reopened_at: _timestamp_pb2.Timestamp
    by_office: bool
    reopened_by: _common_pb2.Actor
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., department_code: _Optional[str] = ..., reopen_count: _Optional[int] = ..., reason: _Optional[str] = ..., reopened_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., by_office: _Optional[bool] = ..., reopened_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class CaseClosed(_message.Message):
    __slots__ = ("case_id", "case_version", "outcome", "closed_at", "closed_by")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_BY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    outcome: str
    closed_at: _timestamp_pb2.Timestamp
    closed_by: _common_pb2.Actor
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., outcome: _Optional[str] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class BatchPublished(_message.Message):
    __slots__ = ("batch_id", "title", "case_ids", "channels", "published_at", "published_by")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_BY_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    title: str
    case_ids: _containers.RepeatedScalarFieldContainer[str]
    channels: _containers.RepeatedScalarFieldContainer[str]
    published_at: _timestamp_pb2.Timestamp
    published_by: _common_pb2.Actor
    def __init__(self, batch_id: _Optional[str] = ..., title: _Optional[str] = ..., case_ids: _Optional[_Iterable[str]] = ..., channels: _Optional[_Iterable[str]] = ..., published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., published_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class BatchCorrected(_message.Message):
    __slots__ = ("batch_id", "edition", "title", "case_ids", "added_case_ids", "removed_case_ids", "note", "channels", "corrected_at", "corrected_by")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    EDITION_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    ADDED_CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    REMOVED_CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_AT_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_BY_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    edition: int
    title: str
    case_ids: _containers.RepeatedScalarFieldContainer[str]
    added_case_ids: _containers.RepeatedScalarFieldContainer[str]
    removed_case_ids: _containers.RepeatedScalarFieldContainer[str]
    note: str
    channels: _containers.RepeatedScalarFieldContainer[str]
    corrected_at: _timestamp_pb2.Timestamp
    corrected_by: _common_pb2.Actor
    def __init__(self, batch_id: _Optional[str] = ..., edition: _Optional[int] = ..., title: _Optional[str] = ..., case_ids: _Optional[_Iterable[str]] = ..., added_case_ids: _Optional[_Iterable[str]] = ..., removed_case_ids: _Optional[_Iterable[str]] = ..., note: _Optional[str] = ..., channels: _Optional[_Iterable[str]] = ..., corrected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., corrected_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class CheckpointSigned(_message.Message):
    __slots__ = ("log_id", "tree_size", "root_hash", "signature", "signed_at")
    LOG_ID_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    ROOT_HASH_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    SIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    log_id: str
    tree_size: int
    root_hash: bytes
    signature: bytes
    signed_at: _timestamp_pb2.Timestamp
    def __init__(self, log_id: _Optional[str] = ..., tree_size: _Optional[int] = ..., root_hash: _Optional[bytes] = ..., signature: _Optional[bytes] = ..., signed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CredentialIssued(_message.Message):
    __slots__ = ("credential_id", "credential_type", "community_code", "holder_hash", "period", "leaf_index", "issued_at")
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    HOLDER_HASH_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    LEAF_INDEX_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    credential_id: str
    credential_type: str
    community_code: str
    holder_hash: str
    period: str
    leaf_index: int
    issued_at: _timestamp_pb2.Timestamp
    def __init__(self, credential_id: _Optional[str] = ..., credential_type: _Optional[str] = ..., community_code: _Optional[str] = ..., holder_hash: _Optional[str] = ..., period: _Optional[str] = ..., leaf_index: _Optional[int] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CredentialRevoked(_message.Message):
    __slots__ = ("credential_id", "reason", "revoked_at")
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    credential_id: str
    reason: str
    revoked_at: _timestamp_pb2.Timestamp
    def __init__(self, credential_id: _Optional[str] = ..., reason: _Optional[str] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AmenityRegistered(_message.Message):
    __slots__ = ("amenity_id", "kind", "community_code", "name", "location", "opening_hours", "registered_at", "access")
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    OPENING_HOURS_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    ACCESS_FIELD_NUMBER: _ClassVar[int]
    amenity_id: str
    kind: str
    community_code: str
    name: str
    location: _common_pb2.GeoPoint
    opening_hours: str
    registered_at: _timestamp_pb2.Timestamp
    access: str
    def __init__(self, amenity_id: _Optional[str] = ..., kind: _Optional[str] = ..., community_code: _Optional[str] = ..., name: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., opening_hours: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., access: _Optional[str] = ...) -> None: ...

class AmenityChanged(_message.Message):
    __slots__ = ("amenity_id", "version", "opening_hours", "withdrawn", "changed_at", "state", "change", "location")
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    OPENING_HOURS_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    amenity_id: str
    version: int
    opening_hours: str
    withdrawn: bool
    changed_at: _timestamp_pb2.Timestamp
    state: str
    change: str
    location: _common_pb2.GeoPoint
    def __init__(self, amenity_id: _Optional[str] = ..., version: _Optional[int] = ..., opening_hours: _Optional[str] = ..., withdrawn: _Optional[bool] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[str] = ..., change: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ...) -> None: ...

class AmenityReported(_message.Message):
    __slots__ = ("amenity_id", "report_id", "reason_code", "comment", "reported_at")
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    REPORTED_AT_FIELD_NUMBER: _ClassVar[int]
    amenity_id: str
    report_id: str
    reason_code: str
    comment: str
    reported_at: _timestamp_pb2.Timestamp
    def __init__(self, amenity_id: _Optional[str] = ..., report_id: _Optional[str] = ..., reason_code: _Optional[str] = ..., comment: _Optional[str] = ..., reported_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AmenityProblemChanged(_message.Message):
    __slots__ = ("problem_id", "amenity_id", "community_code", "reason_code", "version", "state", "change", "report_id", "petition_id", "case_id", "changed_at", "fixed_at")
    PROBLEM_ID_FIELD_NUMBER: _ClassVar[int]
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    FIXED_AT_FIELD_NUMBER: _ClassVar[int]
    problem_id: str
    amenity_id: str
    community_code: str
    reason_code: str
    version: int
    state: str
    change: str
    report_id: str
    petition_id: str
    case_id: str
    changed_at: _timestamp_pb2.Timestamp
    fixed_at: _timestamp_pb2.Timestamp
    def __init__(self, problem_id: _Optional[str] = ..., amenity_id: _Optional[str] = ..., community_code: _Optional[str] = ..., reason_code: _Optional[str] = ..., version: _Optional[int] = ..., state: _Optional[str] = ..., change: _Optional[str] = ..., report_id: _Optional[str] = ..., petition_id: _Optional[str] = ..., case_id: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., fixed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
