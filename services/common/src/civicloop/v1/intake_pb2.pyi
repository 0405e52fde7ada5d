import datetime

from civicloop.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Petition(_message.Message):
    __slots__ = ("petition_id", "case_id", "channel", "community_code", "category_code", "location", "description", "submitted_at", "resolved_on_site")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_ON_SITE_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    case_id: str
    channel: _common_pb2.Channel
    community_code: str
    category_code: str
    location: _common_pb2.GeoPoint
    description: str
    submitted_at: _timestamp_pb2.Timestamp
    resolved_on_site: bool
    def __init__(self, petition_id: _Optional[str] = ..., case_id: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., community_code: _Optional[str] = ..., category_code: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., description: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_on_site: _Optional[bool] = ...) -> None: ...

class Case(_message.Message):
    __slots__ = ("case_id", "state", "version", "petition_ids", "community_code", "category_code", "list", "urgency", "summary", "merged_into_case_id", "traceparent", "created_at", "updated_at", "department_code")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PETITION_IDS_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    MERGED_INTO_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TRACEPARENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_CODE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    state: _common_pb2.CaseState
    version: int
    petition_ids: _containers.RepeatedScalarFieldContainer[str]
    community_code: str
    category_code: str
    list: _common_pb2.CaseList
    urgency: _common_pb2.Urgency
    summary: str
    merged_into_case_id: str
    traceparent: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    department_code: str
    def __init__(self, case_id: _Optional[str] = ..., state: _Optional[_Union[_common_pb2.CaseState, str]] = ..., version: _Optional[int] = ..., petition_ids: _Optional[_Iterable[str]] = ..., community_code: _Optional[str] = ..., category_code: _Optional[str] = ..., list: _Optional[_Union[_common_pb2.CaseList, str]] = ..., urgency: _Optional[_Union[_common_pb2.Urgency, str]] = ..., summary: _Optional[str] = ..., merged_into_case_id: _Optional[str] = ..., traceparent: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., department_code: _Optional[str] = ...) -> None: ...

class SubmitPetitionRequest(_message.Message):
    __slots__ = ("request_id", "channel", "community_code", "category_code", "location", "description", "petitioner_name", "petitioner_phone")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PETITIONER_NAME_FIELD_NUMBER: _ClassVar[int]
    PETITIONER_PHONE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    channel: _common_pb2.Channel
    community_code: str
    category_code: str
    location: _common_pb2.GeoPoint
    description: str
    petitioner_name: str
    petitioner_phone: str
    def __init__(self, request_id: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., community_code: _Optional[str] = ..., category_code: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., description: _Optional[str] = ..., petitioner_name: _Optional[str] = ..., petitioner_phone: _Optional[str] = ...) -> None: ...

class SubmitPetitionResponse(_message.Message):
    __slots__ = ("petition", "case")
    PETITION_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    petition: Petition
    case: Case
    def __init__(self, petition: _Optional[_Union[Petition, _Mapping]] = ..., case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class GetPetitionRequest(_message.Message):
    __slots__ = ("petition_id",)
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    def __init__(self, petition_id: _Optional[str] = ...) -> None: ...

class GetPetitionResponse(_message.Message):
    __slots__ = ("petition",)
    PETITION_FIELD_NUMBER: _ClassVar[int]
    petition: Petition
    def __init__(self, petition: _Optional[_Union[Petition, _Mapping]] = ...) -> None: ...

class ListPetitionsRequest(_message.Message):
    __slots__ = ("page", "community_code", "category_code", "case_id")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    community_code: str
    category_code: str
    case_id: str
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., community_code: _Optional[str] = ..., category_code: _Optional[str] = ..., case_id: _Optional[str] = ...) -> None: ...

class ListPetitionsResponse(_message.Message):
    __slots__ = ("petitions", "page")
    PETITIONS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    petitions: _containers.RepeatedCompositeFieldContainer[Petition]
    page: _common_pb2.PageResponse
    def __init__(self, petitions: _Optional[_Iterable[_Union[Petition, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class GetCaseRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class GetCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: Case
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class ListCasesRequest(_message.Message):
    __slots__ = ("page", "state", "community_code", "category_code")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    state: _common_pb2.CaseState
    community_code: str
    category_code: str
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., state: _Optional[_Union[_common_pb2.CaseState, str]] = ..., community_code: _Optional[str] = ..., category_code: _Optional[str] = ...) -> None: ...

class ListCasesResponse(_message.Message):
    __slots__ = ("cases", "page")
    CASES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[Case]
    page: _common_pb2.PageResponse
    def __init__(self, cases: _Optional[_Iterable[_Union[Case, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ResolveOnSiteRequest(_message.Message):
    __slots__ = ("case_id", "note", "expected_version", "request_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    note: str
    expected_version: int
    request_id: str
    def __init__(self, case_id: _Optional[str] = ..., note: _Optional[str] = ..., expected_version: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class ResolveOnSiteResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: Case
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class ProposeClustersRequest(_message.Message):
    __slots__ = ("community_code", "window_hours", "min_similarity", "max_distance_meters", "max_clusters")
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_HOURS_FIELD_NUMBER: _ClassVar[int]
    MIN_SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    MAX_DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    MAX_CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    community_code: str
    window_hours: int
    min_similarity: float
    max_distance_meters: float
    max_clusters: int
    def __init__(self, community_code: _Optional[str] = ..., window_hours: _Optional[int] = ..., min_similarity: _Optional[float] = ..., max_distance_meters: _Optional[float] = ..., max_clusters: _Optional[int] = ...) -> None: ...

class DuplicateCluster(_message.Message):
    __slots__ = ("petition_ids", "case_ids", "category_code", "min_similarity", "rank", "score", "links")
    PETITION_IDS_FIELD_NUMBER: _ClassVar[int]
    CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    MIN_SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    LINKS_FIELD_NUMBER: _ClassVar[int]
    petition_ids: _containers.RepeatedScalarFieldContainer[str]
    case_ids: _containers.RepeatedScalarFieldContainer[str]
    category_code: str
    min_similarity: float
    rank: int
    score: float
    links: _containers.RepeatedCompositeFieldContainer[DuplicateLink]
    def __init__(self, petition_ids: _Optional[_Iterable[str]] = ..., case_ids: _Optional[_Iterable[str]] = ..., category_code: _Optional[str] = ..., min_similarity: _Optional[float] = ..., rank: _Optional[int] = ..., score: _Optional[float] = ..., links: _Optional[_Iterable[_Union[DuplicateLink, _Mapping]]] = ...) -> None: ...

class DuplicateLink(_message.Message):
    __slots__ = ("petition_id", "other_petition_id", "score", "distance_meters", "hours_apart", "shared_words", "same_community", "same_category", "word_similarity", "character_similarity")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    OTHER_PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    HOURS_APART_FIELD_NUMBER: _ClassVar[int]
    SHARED_WORDS_FIELD_NUMBER: _ClassVar[int]
    SAME_COMMUNITY_FIELD_NUMBER: _ClassVar[int]
    SAME_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    WORD_SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    other_petition_id: str
    score: float
    distance_meters: float
    hours_apart: float
    shared_words: _containers.RepeatedScalarFieldContainer[str]
    same_community: bool
    same_category: bool
    word_similarity: float
    character_similarity: float
    def __init__(self, petition_id: _Optional[str] = ..., other_petition_id: _Optional[str] = ..., score: _Optional[float] = ..., distance_meters: _Optional[float] = ..., hours_apart: _Optional[float] = ..., shared_words: _Optional[_Iterable[str]] = ..., same_community: _Optional[bool] = ..., same_category: _Optional[bool] = ..., word_similarity: _Optional[float] = ..., character_similarity: _Optional[float] = ...) -> None: ...

class ProposeClustersResponse(_message.Message):
    __slots__ = ("clusters", "total_clusters")
    CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    clusters: _containers.RepeatedCompositeFieldContainer[DuplicateCluster]
    total_clusters: int
    def __init__(self, clusters: _Optional[_Iterable[_Union[DuplicateCluster, _Mapping]]] = ..., total_clusters: _Optional[int] = ...) -> None: ...

class ConsolidateCaseRequest(_message.Message):
    __slots__ = ("petition_ids", "list", "urgency", "category_code", "summary", "review_before_opening", "request_id")
    PETITION_IDS_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    REVIEW_BEFORE_OPENING_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    petition_ids: _containers.RepeatedScalarFieldContainer[str]
    list: _common_pb2.CaseList
    urgency: _common_pb2.Urgency
    category_code: str
    summary: str
    review_before_opening: bool
    request_id: str
    def __init__(self, petition_ids: _Optional[_Iterable[str]] = ..., list: _Optional[_Union[_common_pb2.CaseList, str]] = ..., urgency: _Optional[_Union[_common_pb2.Urgency, str]] = ..., category_code: _Optional[str] = ..., summary: _Optional[str] = ..., review_before_opening: _Optional[bool] = ..., request_id: _Optional[str] = ...) -> None: ...

class ConsolidateCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: Case
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class SplitPetitionRequest(_message.Message):
    __slots__ = ("petition_id", "reason", "request_id")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    reason: str
    request_id: str
    def __init__(self, petition_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SplitPetitionResponse(_message.Message):
    __slots__ = ("from_case", "new_case")
    FROM_CASE_FIELD_NUMBER: _ClassVar[int]
    NEW_CASE_FIELD_NUMBER: _ClassVar[int]
    from_case: Case
    new_case: Case
    def __init__(self, from_case: _Optional[_Union[Case, _Mapping]] = ..., new_case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class GetPetitionerContactsRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class PetitionerContact(_message.Message):
    __slots__ = ("petition_id", "name", "phone")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    name: str
    phone: str
    def __init__(self, petition_id: _Optional[str] = ..., name: _Optional[str] = ..., phone: _Optional[str] = ...) -> None: ...

class GetPetitionerContactsResponse(_message.Message):
    __slots__ = ("contacts",)
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    contacts: _containers.RepeatedCompositeFieldContainer[PetitionerContact]
    def __init__(self, contacts: _Optional[_Iterable[_Union[PetitionerContact, _Mapping]]] = ...) -> None: ...
