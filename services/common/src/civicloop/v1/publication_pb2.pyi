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

class PublicationList(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PUBLICATION_LIST_UNSPECIFIED: _ClassVar[PublicationList]
    PUBLICATION_LIST_URGENT_NEEDS: _ClassVar[PublicationList]
    PUBLICATION_LIST_PRACTICAL_MATTERS: _ClassVar[PublicationList]
    PUBLICATION_LIST_HOMESTAY_OPPORTUNITIES: _ClassVar[PublicationList]

class WebhookDeliveryState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WEBHOOK_DELIVERY_STATE_UNSPECIFIED: _ClassVar[WebhookDeliveryState]
    WEBHOOK_DELIVERY_STATE_PENDING: _ClassVar[WebhookDeliveryState]
    WEBHOOK_DELIVERY_STATE_DELIVERED: _ClassVar[WebhookDeliveryState]
    WEBHOOK_DELIVERY_STATE_DEAD: _ClassVar[WebhookDeliveryState]

class PublicationBatchState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PUBLICATION_BATCH_STATE_UNSPECIFIED: _ClassVar[PublicationBatchState]
    PUBLICATION_BATCH_STATE_DRAFT: _ClassVar[PublicationBatchState]
    PUBLICATION_BATCH_STATE_PUBLISHED: _ClassVar[PublicationBatchState]
PUBLICATION_LIST_UNSPECIFIED: PublicationList
PUBLICATION_LIST_URGENT_NEEDS: PublicationList
PUBLICATION_LIST_PRACTICAL_MATTERS: PublicationList
PUBLICATION_LIST_HOMESTAY_OPPORTUNITIES: PublicationList
WEBHOOK_DELIVERY_STATE_UNSPECIFIED: WebhookDeliveryState
WEBHOOK_DELIVERY_STATE_PENDING: WebhookDeliveryState
WEBHOOK_DELIVERY_STATE_DELIVERED: WebhookDeliveryState
WEBHOOK_DELIVERY_STATE_DEAD: WebhookDeliveryState
PUBLICATION_BATCH_STATE_UNSPECIFIED: PublicationBatchState
PUBLICATION_BATCH_STATE_DRAFT: PublicationBatchState
PUBLICATION_BATCH_STATE_PUBLISHED: PublicationBatchState

class PublicationBatchFilter(_message.Message):
    __slots__ = ("category_codes", "community_codes", "states", "list", "updated_from", "updated_to", "board_list")
    CATEGORY_CODES_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODES_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FROM_FIELD_NUMBER: _ClassVar[int]
    UPDATED_TO_FIELD_NUMBER: _ClassVar[int]
    BOARD_LIST_FIELD_NUMBER: _ClassVar[int]
    category_codes: _containers.RepeatedScalarFieldContainer[str]
    community_codes: _containers.RepeatedScalarFieldContainer[str]
    states: _containers.RepeatedScalarFieldContainer[_common_pb2.CaseState]
    list: _common_pb2.CaseList
    updated_from: _timestamp_pb2.Timestamp
    updated_to: _timestamp_pb2.Timestamp
    board_list: PublicationList
    def __init__(self, category_codes: _Optional[_Iterable[str]] = ..., community_codes: _Optional[_Iterable[str]] = ..., states: _Optional[_Iterable[_Union[_common_pb2.CaseState, str]]] = ..., list: _Optional[_Union[_common_pb2.CaseList, str]] = ..., updated_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., board_list: _Optional[_Union[PublicationList, str]] = ...) -> None: ...

class BatchCorrection(_message.Message):
    __slots__ = ("edition", "note", "added_case_ids", "removed_case_ids", "title_before", "title_after", "description_before", "description_after", "corrected_at", "corrected_by")
    EDITION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ADDED_CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    REMOVED_CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    TITLE_BEFORE_FIELD_NUMBER: _ClassVar[int]
    TITLE_AFTER_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_BEFORE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_AFTER_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_AT_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_BY_FIELD_NUMBER: _ClassVar[int]
    edition: int
    note: str
    added_case_ids: _containers.RepeatedScalarFieldContainer[str]
    removed_case_ids: _containers.RepeatedScalarFieldContainer[str]
    title_before: str
    title_after: str
    description_before: str
    description_after: str
    corrected_at: _timestamp_pb2.Timestamp
    corrected_by: _common_pb2.Actor
    def __init__(self, edition: _Optional[int] = ..., note: _Optional[str] = ..., added_case_ids: _Optional[_Iterable[str]] = ..., removed_case_ids: _Optional[_Iterable[str]] = ..., title_before: _Optional[str] = ..., title_after: _Optional[str] = ..., description_before: _Optional[str] = ..., description_after: _Optional[str] = ..., corrected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., corrected_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ...) -> None: ...

class PublicationBatch(_message.Message):
    __slots__ = ("batch_id", "state", "title", "description", "filter", "case_ids", "version", "channels", "created_at", "created_by", "published_at", "published_by", "edition", "corrections", "board_list")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_BY_FIELD_NUMBER: _ClassVar[int]
    EDITION_FIELD_NUMBER: _ClassVar[int]
    CORRECTIONS_FIELD_NUMBER: _ClassVar[int]
    BOARD_LIST_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    state: PublicationBatchState
    title: str
    description: str
    filter: PublicationBatchFilter
    case_ids: _containers.RepeatedScalarFieldContainer[str]
    version: int
    channels: _containers.RepeatedScalarFieldContainer[str]
    created_at: _timestamp_pb2.Timestamp
    created_by: _common_pb2.Actor
    published_at: _timestamp_pb2.Timestamp
    published_by: _common_pb2.Actor
    edition: int
    corrections: _containers.RepeatedCompositeFieldContainer[BatchCorrection]
    board_list: PublicationList
    def __init__(self, batch_id: _Optional[str] = ..., state: _Optional[_Union[PublicationBatchState, str]] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., filter: _Optional[_Union[PublicationBatchFilter, _Mapping]] = ..., case_ids: _Optional[_Iterable[str]] = ..., version: _Optional[int] = ..., channels: _Optional[_Iterable[str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., published_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., edition: _Optional[int] = ..., corrections: _Optional[_Iterable[_Union[BatchCorrection, _Mapping]]] = ..., board_list: _Optional[_Union[PublicationList, str]] = ...) -> None: ...

class PublicCase(_message.Message):
    __slots__ = ("case_id", "state", "escalated", "category_code", "community_code", "list", "summary", "petition_count", "approximate_location", "department_code", "department_name", "progress_percent", "latest_measures", "result_summary", "average_score", "rating_count", "batch_ids", "opened_at", "dispatched_at", "completed_at", "closed_at", "updated_at", "timeline", "board_lists")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    PETITION_COUNT_FIELD_NUMBER: _ClassVar[int]
    APPROXIMATE_LOCATION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_NAME_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    LATEST_MEASURES_FIELD_NUMBER: _ClassVar[int]
    RESULT_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_SCORE_FIELD_NUMBER: _ClassVar[int]
    RATING_COUNT_FIELD_NUMBER: _ClassVar[int]
    BATCH_IDS_FIELD_NUMBER: _ClassVar[int]
    OPENED_AT_FIELD_NUMBER: _ClassVar[int]
    DISPATCHED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    BOARD_LISTS_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    state: _common_pb2.CaseState
    escalated: bool
    category_code: str
    community_code: str
    list: _common_pb2.CaseList
    summary: str
    petition_count: int
    approximate_location: _common_pb2.GeoPoint
    department_code: str
    department_name: str
    progress_percent: int
    latest_measures: str
    result_summary: str
    average_score: float
    rating_count: int
    batch_ids: _containers.RepeatedScalarFieldContainer[str]
    opened_at: _timestamp_pb2.Timestamp
    dispatched_at: _timestamp_pb2.Timestamp
    completed_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    timeline: _containers.RepeatedCompositeFieldContainer[PublicCaseStep]
    board_lists: _containers.RepeatedScalarFieldContainer[PublicationList]
    def __init__(self, case_id: _Optional[str] = ..., state: _Optional[_Union[_common_pb2.CaseState, str]] = ..., escalated: _Optional[bool] = ..., category_code: _Optional[str] = ..., community_code: _Optional[str] = ..., list: _Optional[_Union[_common_pb2.CaseList, str]] = ..., summary: _Optional[str] = ..., petition_count: _Optional[int] = ..., approximate_location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., department_code: _Optional[str] = ..., department_name: _Optional[str] = ..., progress_percent: _Optional[int] = ..., latest_measures: _Optional[str] = ..., result_summary: _Optional[str] = ..., average_score: _Optional[float] = ..., rating_count: _Optional[int] = ..., batch_ids: _Optional[_Iterable[str]] = ..., opened_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., dispatched_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., timeline: _Optional[_Iterable[_Union[PublicCaseStep, _Mapping]]] = ..., board_lists: _Optional[_Iterable[_Union[PublicationList, str]]] = ...) -> None: ...

class PublicCaseStep(_message.Message):
    __slots__ = ("case_version", "step", "at", "department_code", "text")
    CASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    case_version: int
    step: str
    at: _timestamp_pb2.Timestamp
    department_code: str
    text: str
    def __init__(self, case_version: _Optional[int] = ..., step: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., department_code: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class PublicationWebhook(_message.Message):
    __slots__ = ("webhook_id", "channel", "url", "event_types", "description", "secret_fingerprint", "created_at", "created_by", "last_delivery_at", "last_delivery_status", "consecutive_failures")
    WEBHOOK_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SECRET_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    LAST_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_DELIVERY_STATUS_FIELD_NUMBER: _ClassVar[int]
    CONSECUTIVE_FAILURES_FIELD_NUMBER: _ClassVar[int]
    webhook_id: str
    channel: str
    url: str
    event_types: _containers.RepeatedScalarFieldContainer[str]
    description: str
    secret_fingerprint: str
    created_at: _timestamp_pb2.Timestamp
    created_by: _common_pb2.Actor
    last_delivery_at: _timestamp_pb2.Timestamp
    last_delivery_status: int
    consecutive_failures: int
    def __init__(self, webhook_id: _Optional[str] = ..., channel: _Optional[str] = ..., url: _Optional[str] = ..., event_types: _Optional[_Iterable[str]] = ..., description: _Optional[str] = ..., secret_fingerprint: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., last_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_delivery_status: _Optional[int] = ..., consecutive_failures: _Optional[int] = ...) -> None: ...

class CreateBatchRequest(_message.Message):
    __slots__ = ("request_id", "title", "description", "filter", "excluded_case_ids", "max_cases")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    MAX_CASES_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    title: str
    description: str
    filter: PublicationBatchFilter
    excluded_case_ids: _containers.RepeatedScalarFieldContainer[str]
    max_cases: int
    def __init__(self, request_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., filter: _Optional[_Union[PublicationBatchFilter, _Mapping]] = ..., excluded_case_ids: _Optional[_Iterable[str]] = ..., max_cases: _Optional[int] = ...) -> None: ...

class CreateBatchResponse(_message.Message):
    __slots__ = ("batch",)
    BATCH_FIELD_NUMBER: _ClassVar[int]
    batch: PublicationBatch
    def __init__(self, batch: _Optional[_Union[PublicationBatch, _Mapping]] = ...) -> None: ...

class PublishBatchRequest(_message.Message):
    __slots__ = ("request_id", "batch_id", "expected_version", "channels")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    batch_id: str
    expected_version: int
    channels: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., channels: _Optional[_Iterable[str]] = ...) -> None: ...

class PublishBatchResponse(_message.Message):
    __slots__ = ("batch",)
    BATCH_FIELD_NUMBER: _ClassVar[int]
    batch: PublicationBatch
    def __init__(self, batch: _Optional[_Union[PublicationBatch, _Mapping]] = ...) -> None: ...

class GetBatchRequest(_message.Message):
    __slots__ = ("batch_id",)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    def __init__(self, batch_id: _Optional[str] = ...) -> None: ...

class GetBatchResponse(_message.Message):
    __slots__ = ("batch", "cases")
    BATCH_FIELD_NUMBER: _ClassVar[int]
    CASES_FIELD_NUMBER: _ClassVar[int]
    batch: PublicationBatch
    cases: _containers.RepeatedCompositeFieldContainer[PublicCase]
    def __init__(self, batch: _Optional[_Union[PublicationBatch, _Mapping]] = ..., cases: _Optional[_Iterable[_Union[PublicCase, _Mapping]]] = ...) -> None: ...

class ListBatchesRequest(_message.Message):
    __slots__ = ("page", "state")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    state: PublicationBatchState
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., state: _Optional[_Union[PublicationBatchState, str]] = ...) -> None: ...

class ListBatchesResponse(_message.Message):
    __slots__ = ("batches", "page")
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    batches: _containers.RepeatedCompositeFieldContainer[PublicationBatch]
    page: _common_pb2.PageResponse
    def __init__(self, batches: _Optional[_Iterable[_Union[PublicationBatch, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class GetPublicCaseRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class GetPublicCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: PublicCase
    def __init__(self, case: _Optional[_Union[PublicCase, _Mapping]] = ...) -> None: ...

class ListPublicCasesRequest(_message.Message):
    __slots__ = ("page", "community_code", "category_code", "states", "list", "batch_id", "escalated_only", "board_list")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_ONLY_FIELD_NUMBER: _ClassVar[int]
    BOARD_LIST_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    community_code: str
    category_code: str
    states: _containers.RepeatedScalarFieldContainer[_common_pb2.CaseState]
    list: _common_pb2.CaseList
    batch_id: str
    escalated_only: bool
    board_list: PublicationList
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., community_code: _Optional[str] = ..., category_code: _Optional[str] = ..., states: _Optional[_Iterable[_Union[_common_pb2.CaseState, str]]] = ..., list: _Optional[_Union[_common_pb2.CaseList, str]] = ..., batch_id: _Optional[str] = ..., escalated_only: _Optional[bool] = ..., board_list: _Optional[_Union[PublicationList, str]] = ...) -> None: ...

class ListPublicCasesResponse(_message.Message):
    __slots__ = ("cases", "page")
    CASES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[PublicCase]
    page: _common_pb2.PageResponse
    def __init__(self, cases: _Optional[_Iterable[_Union[PublicCase, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class RegisterWebhookRequest(_message.Message):
    __slots__ = ("request_id", "channel", "url", "event_types", "description")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    channel: str
    url: str
    event_types: _containers.RepeatedScalarFieldContainer[str]
    description: str
    def __init__(self, request_id: _Optional[str] = ..., channel: _Optional[str] = ..., url: _Optional[str] = ..., event_types: _Optional[_Iterable[str]] = ..., description: _Optional[str] = ...) -> None: ...

class RegisterWebhookResponse(_message.Message):
    __slots__ = ("webhook", "secret")
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    webhook: PublicationWebhook
    secret: str
    def __init__(self, webhook: _Optional[_Union[PublicationWebhook, _Mapping]] = ..., secret: _Optional[str] = ...) -> None: ...

class ListWebhooksRequest(_message.Message):
    __slots__ = ("page", "channel")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    channel: str
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., channel: _Optional[str] = ...) -> None: ...

class ListWebhooksResponse(_message.Message):
    __slots__ = ("webhooks", "page")
    WEBHOOKS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    webhooks: _containers.RepeatedCompositeFieldContainer[PublicationWebhook]
    page: _common_pb2.PageResponse
    def __init__(self, webhooks: _Optional[_Iterable[_Union[PublicationWebhook, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class DeleteWebhookRequest(_message.Message):
    __slots__ = ("webhook_id",)
    WEBHOOK_ID_FIELD_NUMBER: _ClassVar[int]
    webhook_id: str
    def __init__(self, webhook_id: _Optional[str] = ...) -> None: ...

class DeleteWebhookResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UpdateBatchRequest(_message.Message):
    __slots__ = ("request_id", "batch_id", "expected_version", "title", "description", "case_ids")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    batch_id: str
    expected_version: int
    title: str
    description: str
    case_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., case_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateBatchResponse(_message.Message):
    __slots__ = ("batch",)
    BATCH_FIELD_NUMBER: _ClassVar[int]
    batch: PublicationBatch
    def __init__(self, batch: _Optional[_Union[PublicationBatch, _Mapping]] = ...) -> None: ...

class CorrectBatchRequest(_message.Message):
    __slots__ = ("request_id", "batch_id", "expected_version", "note", "title", "description", "add_case_ids", "remove_case_ids")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ADD_CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    REMOVE_CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    batch_id: str
    expected_version: int
    note: str
    title: str
    description: str
    add_case_ids: _containers.RepeatedScalarFieldContainer[str]
    remove_case_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., note: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., add_case_ids: _Optional[_Iterable[str]] = ..., remove_case_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class CorrectBatchResponse(_message.Message):
    __slots__ = ("batch",)
    BATCH_FIELD_NUMBER: _ClassVar[int]
    batch: PublicationBatch
    def __init__(self, batch: _Optional[_Union[PublicationBatch, _Mapping]] = ...) -> None: ...

class WebhookDelivery(_message.Message):
    __slots__ = ("delivery_id", "webhook_id", "channel", "event_id", "event_type", "state", "attempts", "last_status", "last_error", "next_attempt_at", "created_at", "delivered_at")
    DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    LAST_STATUS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    delivery_id: str
    webhook_id: str
    channel: str
    event_id: str
    event_type: str
    state: WebhookDeliveryState
    attempts: int
    last_status: int
    last_error: str
    next_attempt_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    def __init__(self, delivery_id: _Optional[str] = ..., webhook_id: _Optional[str] = ..., channel: _Optional[str] = ..., event_id: _Optional[str] = ..., event_type: _Optional[str] = ..., state: _Optional[_Union[WebhookDeliveryState, str]] = ..., attempts: _Optional[int] = ..., last_status: _Optional[int] = ..., last_error: _Optional[str] = ..., next_attempt_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListWebhookDeliveriesRequest(_message.Message):
    __slots__ = ("page", "webhook_id", "state")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    webhook_id: str
    state: WebhookDeliveryState
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., webhook_id: _Optional[str] = ..., state: _Optional[_Union[WebhookDeliveryState, str]] = ...) -> None: ...

class ListWebhookDeliveriesResponse(_message.Message):
    __slots__ = ("deliveries", "page")
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    deliveries: _containers.RepeatedCompositeFieldContainer[WebhookDelivery]
    page: _common_pb2.PageResponse
    def __init__(self, deliveries: _Optional[_Iterable[_Union[WebhookDelivery, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ReplayWebhookDeliveryRequest(_message.Message):
    __slots__ = ("delivery_id",)
    DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    delivery_id: str
    def __init__(self, delivery_id: _Optional[str] = ...) -> None: ...

class ReplayWebhookDeliveryResponse(_message.Message):
    __slots__ = ("delivery",)
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    delivery: WebhookDelivery
    def __init__(self, delivery: _Optional[_Union[WebhookDelivery, _Mapping]] = ...) -> None: ...
