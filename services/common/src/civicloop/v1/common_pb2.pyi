from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CoordinateSystem(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COORDINATE_SYSTEM_UNSPECIFIED: _ClassVar[CoordinateSystem]
    COORDINATE_SYSTEM_WGS84: _ClassVar[CoordinateSystem]
    COORDINATE_SYSTEM_GCJ02: _ClassVar[CoordinateSystem]
    COORDINATE_SYSTEM_BD09: _ClassVar[CoordinateSystem]

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_HOME_VISIT: _ClassVar[Channel]
    CHANNEL_COURTYARD_MEETING: _ClassVar[Channel]
    CHANNEL_HOTLINE: _ClassVar[Channel]
    CHANNEL_WEB: _ClassVar[Channel]
    CHANNEL_GRID_WORKER: _ClassVar[Channel]

class CaseList(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_LIST_UNSPECIFIED: _ClassVar[CaseList]
    CASE_LIST_URGENT_NEEDS: _ClassVar[CaseList]
    CASE_LIST_PRACTICAL_MATTERS: _ClassVar[CaseList]

class Urgency(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    URGENCY_UNSPECIFIED: _ClassVar[Urgency]
    URGENCY_EMERGENCY: _ClassVar[Urgency]
    URGENCY_UTILITIES: _ClassVar[Urgency]
    URGENCY_GENERAL: _ClassVar[Urgency]
    URGENCY_COMPLEX: _ClassVar[Urgency]

class CaseState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_STATE_UNSPECIFIED: _ClassVar[CaseState]
    CASE_STATE_SUBMITTED: _ClassVar[CaseState]
    CASE_STATE_RESOLVED_ON_SITE: _ClassVar[CaseState]
    CASE_STATE_OPEN: _ClassVar[CaseState]
    CASE_STATE_DISPATCHED: _ClassVar[CaseState]
    CASE_STATE_IN_PROGRESS: _ClassVar[CaseState]
    CASE_STATE_COMPLETED: _ClassVar[CaseState]
    CASE_STATE_RATED: _ClassVar[CaseState]
    CASE_STATE_CLOSED: _ClassVar[CaseState]
    CASE_STATE_MERGED: _ClassVar[CaseState]
COORDINATE_SYSTEM_UNSPECIFIED: CoordinateSystem
COORDINATE_SYSTEM_WGS84: CoordinateSystem
COORDINATE_SYSTEM_GCJ02: CoordinateSystem
COORDINATE_SYSTEM_BD09: CoordinateSystem
CHANNEL_UNSPECIFIED: Channel
CHANNEL_HOME_VISIT: Channel
CHANNEL_COURTYARD_MEETING: Channel
CHANNEL_HOTLINE: Channel
CHANNEL_WEB: Channel
CHANNEL_GRID_WORKER: Channel
CASE_LIST_UNSPECIFIED: CaseList
CASE_LIST_URGENT_NEEDS: CaseList
CASE_LIST_PRACTICAL_MATTERS: CaseList
URGENCY_UNSPECIFIED: Urgency
URGENCY_EMERGENCY: Urgency
URGENCY_UTILITIES: Urgency
URGENCY_GENERAL: Urgency
URGENCY_COMPLEX: Urgency
CASE_STATE_UNSPECIFIED: CaseState
CASE_STATE_SUBMITTED: CaseState
CASE_STATE_RESOLVED_ON_SITE: CaseState
CASE_STATE_OPEN: CaseState
CASE_STATE_DISPATCHED: CaseState
CASE_STATE_IN_PROGRESS: CaseState
CASE_STATE_COMPLETED: CaseState
CASE_STATE_RATED: CaseState
CASE_STATE_CLOSED: CaseState
CASE_STATE_MERGED: CaseState

class GeoPoint(_message.Message):
    __slots__ = ("latitude", "longitude", "coordinate_system")
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    COORDINATE_SYSTEM_FIELD_NUMBER: _ClassVar[int]
    latitude: float
    longitude: float
    coordinate_system: CoordinateSystem
    def __init__(self, latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., coordinate_system: _Optional[_Union[CoordinateSystem, str]] = ...) -> None: ...

class Money(_message.Message):
    __slots__ = ("fen",)
    FEN_FIELD_NUMBER: _ClassVar[int]
    fen: int
    def __init__(self, fen: _Optional[int] = ...) -> None: ...

class PageRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class PageResponse(_message.Message):
    __slots__ = ("next_page_token",)
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    def __init__(self, next_page_token: _Optional[str] = ...) -> None: ...

class Actor(_message.Message):
    __slots__ = ("subject", "role")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    subject: str
    role: str
    def __init__(self, subject: _Optional[str] = ..., role: _Optional[str] = ...) -> None: ...
