import datetime

from civicloop.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RatingLinkState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RATING_LINK_STATE_UNSPECIFIED: _ClassVar[RatingLinkState]
    RATING_LINK_STATE_PENDING: _ClassVar[RatingLinkState]
    RATING_LINK_STATE_USED: _ClassVar[RatingLinkState]
    RATING_LINK_STATE_EXPIRED: _ClassVar[RatingLinkState]
    RATING_LINK_STATE_WITHDRAWN: _ClassVar[RatingLinkState]

class RatingOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RATING_OUTCOME_UNSPECIFIED: _ClassVar[RatingOutcome]
    RATING_OUTCOME_RECORDED: _ClassVar[RatingOutcome]
    RATING_OUTCOME_CASE_RATED: _ClassVar[RatingOutcome]
    RATING_OUTCOME_CASE_REOPENED: _ClassVar[RatingOutcome]
    RATING_OUTCOME_AWAITING_OFFICE: _ClassVar[RatingOutcome]

class RateGrouping(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RATE_GROUPING_UNSPECIFIED: _ClassVar[RateGrouping]
    RATE_GROUPING_DEPARTMENT: _ClassVar[RateGrouping]
    RATE_GROUPING_COMMUNITY: _ClassVar[RateGrouping]
    RATE_GROUPING_MONTH: _ClassVar[RateGrouping]
RATING_LINK_STATE_UNSPECIFIED: RatingLinkState
RATING_LINK_STATE_PENDING: RatingLinkState
RATING_LINK_STATE_USED: RatingLinkState
RATING_LINK_STATE_EXPIRED: RatingLinkState
RATING_LINK_STATE_WITHDRAWN: RatingLinkState
RATING_OUTCOME_UNSPECIFIED: RatingOutcome
RATING_OUTCOME_RECORDED: RatingOutcome
RATING_OUTCOME_CASE_RATED: RatingOutcome
RATING_OUTCOME_CASE_REOPENED: RatingOutcome
RATING_OUTCOME_AWAITING_OFFICE: RatingOutcome
RATE_GROUPING_UNSPECIFIED: RateGrouping
RATE_GROUPING_DEPARTMENT: RateGrouping
RATE_GROUPING_COMMUNITY: RateGrouping
RATE_GROUPING_MONTH: RateGrouping

class RatingLink(_message.Message):
    __slots__ = ("link_id", "case_id", "petition_id", "round", "state", "delivery_status", "created_at", "expires_at", "ended_at")
    LINK_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    link_id: str
    case_id: str
    petition_id: str
    round: int
    state: RatingLinkState
    delivery_status: str
    created_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    def __init__(self, link_id: _Optional[str] = ..., case_id: _Optional[str] = ..., petition_id: _Optional[str] = ..., round: _Optional[int] = ..., state: _Optional[_Union[RatingLinkState, str]] = ..., delivery_status: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RatingLinkView(_message.Message):
    __slots__ = ("case_id", "state", "category_code", "community_code", "summary", "department_code", "department_name", "result_summary", "completed_at", "expires_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_NAME_FIELD_NUMBER: _ClassVar[int]
    RESULT_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    state: RatingLinkState
    category_code: str
    community_code: str
    summary: str
    department_code: str
    department_name: str
    result_summary: str
    completed_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., state: _Optional[_Union[RatingLinkState, str]] = ..., category_code: _Optional[str] = ..., community_code: _Optional[str] = ..., summary: _Optional[str] = ..., department_code: _Optional[str] = ..., department_name: _Optional[str] = ..., result_summary: _Optional[str] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Rating(_message.Message):
    __slots__ = ("rating_id", "case_id", "petition_id", "round", "department_code", "community_code", "score", "satisfied", "comment", "rated_at")
    RATING_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SATISFIED_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    RATED_AT_FIELD_NUMBER: _ClassVar[int]
    rating_id: str
    case_id: str
    petition_id: str
    round: int
    department_code: str
    community_code: str
    score: int
    satisfied: bool
    comment: str
    rated_at: _timestamp_pb2.Timestamp
    def __init__(self, rating_id: _Optional[str] = ..., case_id: _Optional[str] = ..., petition_id: _Optional[str] = ..., round: _Optional[int] = ..., department_code: _Optional[str] = ..., community_code: _Optional[str] = ..., score: _Optional[int] = ..., satisfied: _Optional[bool] = ..., comment: _Optional[str] = ..., rated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RateRow(_message.Message):
    __slots__ = ("department_code", "community_code", "month", "rated_count", "satisfied_count", "satisfaction_rate", "completed_count", "on_time_count", "on_time_rate", "closed_count", "resolved_count", "resolution_rate")
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    RATED_COUNT_FIELD_NUMBER: _ClassVar[int]
    SATISFIED_COUNT_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_RATE_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_COUNT_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_RATE_FIELD_NUMBER: _ClassVar[int]
    CLOSED_COUNT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_COUNT_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_RATE_FIELD_NUMBER: _ClassVar[int]
    department_code: str
    community_code: str
    month: str
    rated_count: int
    satisfied_count: int
    satisfaction_rate: float
    completed_count: int
    on_time_count: int
    on_time_rate: float
    closed_count: int
    resolved_count: int
    resolution_rate: float
    def __init__(self, department_code: _Optional[str] = ..., community_code: _Optional[str] = ..., month: _Optional[str] = ..., rated_count: _Optional[int] = ..., satisfied_count: _Optional[int] = ..., satisfaction_rate: _Optional[float] = ..., completed_count: _Optional[int] = ..., on_time_count: _Optional[int] = ..., on_time_rate: _Optional[float] = ..., closed_count: _Optional[int] = ..., resolved_count: _Optional[int] = ..., resolution_rate: _Optional[float] = ...) -> None: ...

class RequestRatingsRequest(_message.Message):
    __slots__ = ("request_id", "case_id", "expected_version", "expires_in_hours")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_IN_HOURS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_id: str
    expected_version: int
    expires_in_hours: int
    def __init__(self, request_id: _Optional[str] = ..., case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., expires_in_hours: _Optional[int] = ...) -> None: ...

class RequestRatingsResponse(_message.Message):
    __slots__ = ("links",)
    LINKS_FIELD_NUMBER: _ClassVar[int]
    links: _containers.RepeatedCompositeFieldContainer[RatingLink]
    def __init__(self, links: _Optional[_Iterable[_Union[RatingLink, _Mapping]]] = ...) -> None: ...

class GetRatingLinkRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class GetRatingLinkResponse(_message.Message):
    __slots__ = ("link",)
    LINK_FIELD_NUMBER: _ClassVar[int]
    link: RatingLinkView
    def __init__(self, link: _Optional[_Union[RatingLinkView, _Mapping]] = ...) -> None: ...

class SubmitRatingRequest(_message.Message):
    __slots__ = ("token", "score", "comment", "case_id")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    token: str
    score: int
    comment: str
    case_id: str
    def __init__(self, token: _Optional[str] = ..., score: _Optional[int] = ..., comment: _Optional[str] = ..., case_id: _Optional[str] = ...) -> None: ...

class SubmitRatingResponse(_message.Message):
    __slots__ = ("rating", "outcome", "case_state")
    RATING_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    CASE_STATE_FIELD_NUMBER: _ClassVar[int]
    rating: Rating
    outcome: RatingOutcome
    case_state: _common_pb2.CaseState
    def __init__(self, rating: _Optional[_Union[Rating, _Mapping]] = ..., outcome: _Optional[_Union[RatingOutcome, str]] = ..., case_state: _Optional[_Union[_common_pb2.CaseState, str]] = ...) -> None: ...

class ReopenCaseRequest(_message.Message):
    __slots__ = ("request_id", "case_id", "expected_version", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_id: str
    expected_version: int
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ReopenCaseResponse(_message.Message):
    __slots__ = ("case_id", "case_version", "reopen_count")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    REOPEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    reopen_count: int
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., reopen_count: _Optional[int] = ...) -> None: ...

class CloseCaseRequest(_message.Message):
    __slots__ = ("request_id", "case_id", "expected_version", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_id: str
    expected_version: int
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class CloseCaseResponse(_message.Message):
    __slots__ = ("case_id", "case_version", "outcome")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    case_version: int
    outcome: str
    def __init__(self, case_id: _Optional[str] = ..., case_version: _Optional[int] = ..., outcome: _Optional[str] = ...) -> None: ...

class GetRatesRequest(_message.Message):
    __slots__ = ("group_by", "department_code", "community_code", "from_month", "to_month", "page")
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    FROM_MONTH_FIELD_NUMBER: _ClassVar[int]
    TO_MONTH_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    group_by: _containers.RepeatedScalarFieldContainer[RateGrouping]
    department_code: str
    community_code: str
    from_month: str
    to_month: str
    page: _common_pb2.PageRequest
    def __init__(self, group_by: _Optional[_Iterable[_Union[RateGrouping, str]]] = ..., department_code: _Optional[str] = ..., community_code: _Optional[str] = ..., from_month: _Optional[str] = ..., to_month: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class GetRatesResponse(_message.Message):
    __slots__ = ("rows", "page")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[RateRow]
    page: _common_pb2.PageResponse
    def __init__(self, rows: _Optional[_Iterable[_Union[RateRow, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ListRatingsRequest(_message.Message):
    __slots__ = ("page", "case_id", "department_code", "community_code", "month", "satisfied")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    SATISFIED_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    case_id: str
    department_code: str
    community_code: str
    month: str
    satisfied: bool
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., case_id: _Optional[str] = ..., department_code: _Optional[str] = ..., community_code: _Optional[str] = ..., month: _Optional[str] = ..., satisfied: _Optional[bool] = ...) -> None: ...

class ListRatingsResponse(_message.Message):
    __slots__ = ("ratings", "page")
    RATINGS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    ratings: _containers.RepeatedCompositeFieldContainer[Rating]
    page: _common_pb2.PageResponse
    def __init__(self, ratings: _Optional[_Iterable[_Union[Rating, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...
