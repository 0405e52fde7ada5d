import datetime

from civicloop.v1 import common_pb2 as _common_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AmenityKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AMENITY_KIND_UNSPECIFIED: _ClassVar[AmenityKind]
    AMENITY_KIND_SHARED_TOILET: _ClassVar[AmenityKind]
    AMENITY_KIND_SHARED_HOT_WATER: _ClassVar[AmenityKind]
    AMENITY_KIND_CHILDCARE: _ClassVar[AmenityKind]
    AMENITY_KIND_READING: _ClassVar[AmenityKind]
    AMENITY_KIND_GREENWAY: _ClassVar[AmenityKind]
    AMENITY_KIND_MEDICAL: _ClassVar[AmenityKind]
    AMENITY_KIND_EDUCATION: _ClassVar[AmenityKind]
    AMENITY_KIND_OTHER: _ClassVar[AmenityKind]

class AmenityState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AMENITY_STATE_UNSPECIFIED: _ClassVar[AmenityState]
    AMENITY_STATE_ACTIVE: _ClassVar[AmenityState]
    AMENITY_STATE_WITHDRAWN: _ClassVar[AmenityState]
    AMENITY_STATE_SUSPENDED: _ClassVar[AmenityState]

class AmenityAccess(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AMENITY_ACCESS_UNSPECIFIED: _ClassVar[AmenityAccess]
    AMENITY_ACCESS_PUBLIC: _ClassVar[AmenityAccess]
    AMENITY_ACCESS_CUSTOMERS: _ClassVar[AmenityAccess]

class AmenityOpenStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AMENITY_OPEN_STATUS_UNSPECIFIED: _ClassVar[AmenityOpenStatus]
    AMENITY_OPEN_STATUS_OPEN: _ClassVar[AmenityOpenStatus]
    AMENITY_OPEN_STATUS_CLOSED: _ClassVar[AmenityOpenStatus]
    AMENITY_OPEN_STATUS_UNKNOWN: _ClassVar[AmenityOpenStatus]
AMENITY_KIND_UNSPECIFIED: AmenityKind
AMENITY_KIND_SHARED_TOILET: AmenityKind
AMENITY_KIND_SHARED_HOT_WATER: AmenityKind
AMENITY_KIND_CHILDCARE: AmenityKind
AMENITY_KIND_READING: AmenityKind
AMENITY_KIND_GREENWAY: AmenityKind
AMENITY_KIND_MEDICAL: AmenityKind
AMENITY_KIND_EDUCATION: AmenityKind
AMENITY_KIND_OTHER: AmenityKind
AMENITY_STATE_UNSPECIFIED: AmenityState
AMENITY_STATE_ACTIVE: AmenityState
AMENITY_STATE_WITHDRAWN: AmenityState
AMENITY_STATE_SUSPENDED: AmenityState
AMENITY_ACCESS_UNSPECIFIED: AmenityAccess
AMENITY_ACCESS_PUBLIC: AmenityAccess
AMENITY_ACCESS_CUSTOMERS: AmenityAccess
AMENITY_OPEN_STATUS_UNSPECIFIED: AmenityOpenStatus
AMENITY_OPEN_STATUS_OPEN: AmenityOpenStatus
AMENITY_OPEN_STATUS_CLOSED: AmenityOpenStatus
AMENITY_OPEN_STATUS_UNKNOWN: AmenityOpenStatus

class AmenityMerchant(_message.Message):
    __slots__ = ("name", "credit_code", "public_phone", "enrolled", "sign_number")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CREDIT_CODE_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_PHONE_FIELD_NUMBER: _ClassVar[int]
    ENROLLED_FIELD_NUMBER: _ClassVar[int]
    SIGN_NUMBER_FIELD_NUMBER: _ClassVar[int]
    name: str
    credit_code: str
    public_phone: str
    enrolled: bool
    sign_number: str
    def __init__(self, name: _Optional[str] = ..., credit_code: _Optional[str] = ..., public_phone: _Optional[str] = ..., enrolled: _Optional[bool] = ..., sign_number: _Optional[str] = ...) -> None: ...

class AmenityDetails(_message.Message):
    __slots__ = ("kind", "name", "description", "merchant", "location", "address", "opening_hours", "wheelchair_accessible", "fee", "access", "baby_change", "all_gender")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    OPENING_HOURS_FIELD_NUMBER: _ClassVar[int]
    WHEELCHAIR_ACCESSIBLE_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    ACCESS_FIELD_NUMBER: _ClassVar[int]
    BABY_CHANGE_FIELD_NUMBER: _ClassVar[int]
    ALL_GENDER_FIELD_NUMBER: _ClassVar[int]
    kind: AmenityKind
    name: str
    description: str
    merchant: AmenityMerchant
    location: _common_pb2.GeoPoint
    address: str
    opening_hours: str
    wheelchair_accessible: bool
    fee: _common_pb2.Money
    access: AmenityAccess
    baby_change: bool
    all_gender: bool
    def __init__(self, kind: _Optional[_Union[AmenityKind, str]] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., merchant: _Optional[_Union[AmenityMerchant, _Mapping]] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., address: _Optional[str] = ..., opening_hours: _Optional[str] = ..., wheelchair_accessible: _Optional[bool] = ..., fee: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., access: _Optional[_Union[AmenityAccess, str]] = ..., baby_change: _Optional[bool] = ..., all_gender: _Optional[bool] = ...) -> None: ...

class Amenity(_message.Message):
    __slots__ = ("amenity_id", "community_code", "details", "state", "version", "recent_report_count", "registered_at", "registered_by", "updated_at", "withdrawn_at", "withdrawal_reason", "verified_at", "stale", "suspension_reason")
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECENT_REPORT_COUNT_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_AT_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWAL_REASON_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    SUSPENSION_REASON_FIELD_NUMBER: _ClassVar[int]
    amenity_id: str
    community_code: str
    details: AmenityDetails
    state: AmenityState
    version: int
    recent_report_count: int
    registered_at: _timestamp_pb2.Timestamp
    registered_by: _common_pb2.Actor
    updated_at: _timestamp_pb2.Timestamp
    withdrawn_at: _timestamp_pb2.Timestamp
    withdrawal_reason: str
    verified_at: _timestamp_pb2.Timestamp
    stale: bool
    suspension_reason: str
    def __init__(self, amenity_id: _Optional[str] = ..., community_code: _Optional[str] = ..., details: _Optional[_Union[AmenityDetails, _Mapping]] = ..., state: _Optional[_Union[AmenityState, str]] = ..., version: _Optional[int] = ..., recent_report_count: _Optional[int] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., registered_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., withdrawn_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., withdrawal_reason: _Optional[str] = ..., verified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stale: _Optional[bool] = ..., suspension_reason: _Optional[str] = ...) -> None: ...

class NearbyAmenity(_message.Message):
    __slots__ = ("amenity", "distance_meters", "open_status", "next_change_at", "stale")
    AMENITY_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    OPEN_STATUS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CHANGE_AT_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    amenity: Amenity
    distance_meters: float
    open_status: AmenityOpenStatus
    next_change_at: _timestamp_pb2.Timestamp
    stale: bool
    def __init__(self, amenity: _Optional[_Union[Amenity, _Mapping]] = ..., distance_meters: _Optional[float] = ..., open_status: _Optional[_Union[AmenityOpenStatus, str]] = ..., next_change_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stale: _Optional[bool] = ...) -> None: ...

class AmenityReport(_message.Message):
    __slots__ = ("report_id", "amenity_id", "community_code", "reason_code", "comment", "reported_at", "reported_by_subject", "state")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    REPORTED_AT_FIELD_NUMBER: _ClassVar[int]
    REPORTED_BY_SUBJECT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    amenity_id: str
    community_code: str
    reason_code: str
    comment: str
    reported_at: _timestamp_pb2.Timestamp
    reported_by_subject: str
    state: str
    def __init__(self, report_id: _Optional[str] = ..., amenity_id: _Optional[str] = ..., community_code: _Optional[str] = ..., reason_code: _Optional[str] = ..., comment: _Optional[str] = ..., reported_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reported_by_subject: _Optional[str] = ..., state: _Optional[str] = ...) -> None: ...

class RegisterAmenityRequest(_message.Message):
    __slots__ = ("request_id", "community_code", "details")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    community_code: str
    details: AmenityDetails
    def __init__(self, request_id: _Optional[str] = ..., community_code: _Optional[str] = ..., details: _Optional[_Union[AmenityDetails, _Mapping]] = ...) -> None: ...

class RegisterAmenityResponse(_message.Message):
    __slots__ = ("amenity",)
    AMENITY_FIELD_NUMBER: _ClassVar[int]
    amenity: Amenity
    def __init__(self, amenity: _Optional[_Union[Amenity, _Mapping]] = ...) -> None: ...

class UpdateAmenityRequest(_message.Message):
    __slots__ = ("request_id", "amenity_id", "expected_version", "details", "update_mask")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    amenity_id: str
    expected_version: int
    details: AmenityDetails
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, request_id: _Optional[str] = ..., amenity_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., details: _Optional[_Union[AmenityDetails, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateAmenityResponse(_message.Message):
    __slots__ = ("amenity",)
    AMENITY_FIELD_NUMBER: _ClassVar[int]
    amenity: Amenity
    def __init__(self, amenity: _Optional[_Union[Amenity, _Mapping]] = ...) -> None: ...

class WithdrawAmenityRequest(_message.Message):
    __slots__ = ("request_id", "amenity_id", "expected_version", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    amenity_id: str
    expected_version: int
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., amenity_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class WithdrawAmenityResponse(_message.Message):
    __slots__ = ("amenity",)
    AMENITY_FIELD_NUMBER: _ClassVar[int]
    amenity: Amenity
    def __init__(self, amenity: _Optional[_Union[Amenity, _Mapping]] = ...) -> None: ...

class GetAmenityRequest(_message.Message):
    __slots__ = ("amenity_id",)
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    amenity_id: str
    def __init__(self, amenity_id: _Optional[str] = ...) -> None: ...

class SuspendAmenityRequest(_message.Message):
    __slots__ = ("request_id", "amenity_id", "expected_version", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    amenity_id: str
    expected_version: int
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., amenity_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class SuspendAmenityResponse(_message.Message):
    __slots__ = ("amenity",)
    AMENITY_FIELD_NUMBER: _ClassVar[int]
    amenity: Amenity
    def __init__(self, amenity: _Optional[_Union[Amenity, _Mapping]] = ...) -> None: ...

class ReinstateAmenityRequest(_message.Message):
    __slots__ = ("request_id", "amenity_id", "expected_version")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    amenity_id: str
    expected_version: int
    def __init__(self, request_id: _Optional[str] = ..., amenity_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ReinstateAmenityResponse(_message.Message):
    __slots__ = ("amenity",)
    AMENITY_FIELD_NUMBER: _ClassVar[int]
    amenity: Amenity
    def __init__(self, amenity: _Optional[_Union[Amenity, _Mapping]] = ...) -> None: ...

class VerifyAmenityRequest(_message.Message):
    __slots__ = ("request_id", "amenity_id", "expected_version")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    amenity_id: str
    expected_version: int
    def __init__(self, request_id: _Optional[str] = ..., amenity_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class VerifyAmenityResponse(_message.Message):
    __slots__ = ("amenity",)
    AMENITY_FIELD_NUMBER: _ClassVar[int]
    amenity: Amenity
    def __init__(self, amenity: _Optional[_Union[Amenity, _Mapping]] = ...) -> None: ...

class GetAmenityResponse(_message.Message):
    __slots__ = ("amenity", "open_status", "next_change_at")
    AMENITY_FIELD_NUMBER: _ClassVar[int]
    OPEN_STATUS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CHANGE_AT_FIELD_NUMBER: _ClassVar[int]
    amenity: Amenity
    open_status: AmenityOpenStatus
    next_change_at: _timestamp_pb2.Timestamp
    def __init__(self, amenity: _Optional[_Union[Amenity, _Mapping]] = ..., open_status: _Optional[_Union[AmenityOpenStatus, str]] = ..., next_change_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FindNearbyRequest(_message.Message):
    __slots__ = ("location", "radius_meters", "kinds", "open_now", "at", "max_results", "access", "wheelchair_accessible", "baby_change", "all_gender", "free_only")
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    RADIUS_METERS_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    OPEN_NOW_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    ACCESS_FIELD_NUMBER: _ClassVar[int]
    WHEELCHAIR_ACCESSIBLE_FIELD_NUMBER: _ClassVar[int]
    BABY_CHANGE_FIELD_NUMBER: _ClassVar[int]
    ALL_GENDER_FIELD_NUMBER: _ClassVar[int]
    FREE_ONLY_FIELD_NUMBER: _ClassVar[int]
    location: _common_pb2.GeoPoint
    radius_meters: int
    kinds: _containers.RepeatedScalarFieldContainer[AmenityKind]
    open_now: bool
    at: _timestamp_pb2.Timestamp
    max_results: int
    access: AmenityAccess
    wheelchair_accessible: bool
    baby_change: bool
    all_gender: bool
    free_only: bool
    def __init__(self, location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., radius_meters: _Optional[int] = ..., kinds: _Optional[_Iterable[_Union[AmenityKind, str]]] = ..., open_now: _Optional[bool] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., max_results: _Optional[int] = ..., access: _Optional[_Union[AmenityAccess, str]] = ..., wheelchair_accessible: _Optional[bool] = ..., baby_change: _Optional[bool] = ..., all_gender: _Optional[bool] = ..., free_only: _Optional[bool] = ...) -> None: ...

class FindNearbyResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[NearbyAmenity]
    def __init__(self, results: _Optional[_Iterable[_Union[NearbyAmenity, _Mapping]]] = ...) -> None: ...

class ListAmenitiesRequest(_message.Message):
    __slots__ = ("page", "community_code", "kind", "include_withdrawn")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    community_code: str
    kind: AmenityKind
    include_withdrawn: bool
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., community_code: _Optional[str] = ..., kind: _Optional[_Union[AmenityKind, str]] = ..., include_withdrawn: _Optional[bool] = ...) -> None: ...

class ListAmenitiesResponse(_message.Message):
    __slots__ = ("amenities", "page")
    AMENITIES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    amenities: _containers.RepeatedCompositeFieldContainer[Amenity]
    page: _common_pb2.PageResponse
    def __init__(self, amenities: _Optional[_Iterable[_Union[Amenity, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class ReportAmenityRequest(_message.Message):
    __slots__ = ("request_id", "amenity_id", "reason_code", "comment")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    amenity_id: str
    reason_code: str
    comment: str
    def __init__(self, request_id: _Optional[str] = ..., amenity_id: _Optional[str] = ..., reason_code: _Optional[str] = ..., comment: _Optional[str] = ...) -> None: ...

class ReportAmenityResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: AmenityReport
    def __init__(self, report: _Optional[_Union[AmenityReport, _Mapping]] = ...) -> None: ...

class ListReportsRequest(_message.Message):
    __slots__ = ("page", "amenity_id", "community_code", "reason_code", "since")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    AMENITY_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    page: _common_pb2.PageRequest
    amenity_id: str
    community_code: str
    reason_code: str
    since: _timestamp_pb2.Timestamp
    def __init__(self, page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., amenity_id: _Optional[str] = ..., community_code: _Optional[str] = ..., reason_code: _Optional[str] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListReportsResponse(_message.Message):
    __slots__ = ("reports", "page")
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    reports: _containers.RepeatedCompositeFieldContainer[AmenityReport]
    page: _common_pb2.PageResponse
    def __init__(self, reports: _Optional[_Iterable[_Union[AmenityReport, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...
