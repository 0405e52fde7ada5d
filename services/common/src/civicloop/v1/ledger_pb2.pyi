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

class LedgerCredentialStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEDGER_CREDENTIAL_STATUS_UNSPECIFIED: _ClassVar[LedgerCredentialStatus]
    LEDGER_CREDENTIAL_STATUS_ACTIVE: _ClassVar[LedgerCredentialStatus]
    LEDGER_CREDENTIAL_STATUS_REVOKED: _ClassVar[LedgerCredentialStatus]

class CredentialFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDENTIAL_FORMAT_UNSPECIFIED: _ClassVar[CredentialFormat]
    CREDENTIAL_FORMAT_VC_JSON_LD: _ClassVar[CredentialFormat]
    CREDENTIAL_FORMAT_VC_JWT: _ClassVar[CredentialFormat]
    CREDENTIAL_FORMAT_QR_PNG: _ClassVar[CredentialFormat]
    CREDENTIAL_FORMAT_PDF: _ClassVar[CredentialFormat]

class CredentialCheckKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDENTIAL_CHECK_KIND_UNSPECIFIED: _ClassVar[CredentialCheckKind]
    CREDENTIAL_CHECK_KIND_SIGNATURE: _ClassVar[CredentialCheckKind]
    CREDENTIAL_CHECK_KIND_ISSUER: _ClassVar[CredentialCheckKind]
    CREDENTIAL_CHECK_KIND_VALIDITY_PERIOD: _ClassVar[CredentialCheckKind]
    CREDENTIAL_CHECK_KIND_STATUS: _ClassVar[CredentialCheckKind]
    CREDENTIAL_CHECK_KIND_LOG_INCLUSION: _ClassVar[CredentialCheckKind]
    CREDENTIAL_CHECK_KIND_HOLDER: _ClassVar[CredentialCheckKind]
LEDGER_CREDENTIAL_STATUS_UNSPECIFIED: LedgerCredentialStatus
LEDGER_CREDENTIAL_STATUS_ACTIVE: LedgerCredentialStatus
LEDGER_CREDENTIAL_STATUS_REVOKED: LedgerCredentialStatus
CREDENTIAL_FORMAT_UNSPECIFIED: CredentialFormat
CREDENTIAL_FORMAT_VC_JSON_LD: CredentialFormat
CREDENTIAL_FORMAT_VC_JWT: CredentialFormat
CREDENTIAL_FORMAT_QR_PNG: CredentialFormat
CREDENTIAL_FORMAT_PDF: CredentialFormat
CREDENTIAL_CHECK_KIND_UNSPECIFIED: CredentialCheckKind
CREDENTIAL_CHECK_KIND_SIGNATURE: CredentialCheckKind
CREDENTIAL_CHECK_KIND_ISSUER: CredentialCheckKind
CREDENTIAL_CHECK_KIND_VALIDITY_PERIOD: CredentialCheckKind
CREDENTIAL_CHECK_KIND_STATUS: CredentialCheckKind
CREDENTIAL_CHECK_KIND_LOG_INCLUSION: CredentialCheckKind
CREDENTIAL_CHECK_KIND_HOLDER: CredentialCheckKind

class LedgerLeaf(_message.Message):
    __slots__ = ("event_id", "event_type", "subject", "event_sha256")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    EVENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    event_type: str
    subject: str
    event_sha256: bytes
    def __init__(self, event_id: _Optional[str] = ..., event_type: _Optional[str] = ..., subject: _Optional[str] = ..., event_sha256: _Optional[bytes] = ...) -> None: ...

class LedgerEntry(_message.Message):
    __slots__ = ("leaf_index", "leaf", "leaf_data", "leaf_hash", "appended_by", "appended_at")
    LEAF_INDEX_FIELD_NUMBER: _ClassVar[int]
    LEAF_FIELD_NUMBER: _ClassVar[int]
    LEAF_DATA_FIELD_NUMBER: _ClassVar[int]
    LEAF_HASH_FIELD_NUMBER: _ClassVar[int]
    APPENDED_BY_FIELD_NUMBER: _ClassVar[int]
    APPENDED_AT_FIELD_NUMBER: _ClassVar[int]
    leaf_index: int
    leaf: LedgerLeaf
    leaf_data: bytes
    leaf_hash: bytes
    appended_by: str
    appended_at: _timestamp_pb2.Timestamp
    def __init__(self, leaf_index: _Optional[int] = ..., leaf: _Optional[_Union[LedgerLeaf, _Mapping]] = ..., leaf_data: _Optional[bytes] = ..., leaf_hash: _Optional[bytes] = ..., appended_by: _Optional[str] = ..., appended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LedgerCheckpoint(_message.Message):
    __slots__ = ("origin", "tree_size", "root_hash", "signed_at", "body", "signature", "key_name", "public_key")
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    ROOT_HASH_FIELD_NUMBER: _ClassVar[int]
    SIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    origin: str
    tree_size: int
    root_hash: bytes
    signed_at: _timestamp_pb2.Timestamp
    body: bytes
    signature: bytes
    key_name: str
    public_key: bytes
    def __init__(self, origin: _Optional[str] = ..., tree_size: _Optional[int] = ..., root_hash: _Optional[bytes] = ..., signed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., body: _Optional[bytes] = ..., signature: _Optional[bytes] = ..., key_name: _Optional[str] = ..., public_key: _Optional[bytes] = ...) -> None: ...

class AppendEvidenceRequest(_message.Message):
    __slots__ = ("leaf", "occurred_at")
    LEAF_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    leaf: LedgerLeaf
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, leaf: _Optional[_Union[LedgerLeaf, _Mapping]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AppendEvidenceResponse(_message.Message):
    __slots__ = ("entry", "already_present")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    ALREADY_PRESENT_FIELD_NUMBER: _ClassVar[int]
    entry: LedgerEntry
    already_present: bool
    def __init__(self, entry: _Optional[_Union[LedgerEntry, _Mapping]] = ..., already_present: _Optional[bool] = ...) -> None: ...

class AppendEvidenceBatchRequest(_message.Message):
    __slots__ = ("leaves",)
    LEAVES_FIELD_NUMBER: _ClassVar[int]
    leaves: _containers.RepeatedCompositeFieldContainer[AppendEvidenceRequest]
    def __init__(self, leaves: _Optional[_Iterable[_Union[AppendEvidenceRequest, _Mapping]]] = ...) -> None: ...

class AppendEvidenceBatchResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[AppendEvidenceResult]
    def __init__(self, results: _Optional[_Iterable[_Union[AppendEvidenceResult, _Mapping]]] = ...) -> None: ...

class AppendEvidenceResult(_message.Message):
    __slots__ = ("appended", "refused")
    APPENDED_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    appended: AppendEvidenceResponse
    refused: LeafRefusal
    def __init__(self, appended: _Optional[_Union[AppendEvidenceResponse, _Mapping]] = ..., refused: _Optional[_Union[LeafRefusal, _Mapping]] = ...) -> None: ...

class LeafRefusal(_message.Message):
    __slots__ = ("code", "message", "field")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    field: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ..., field: _Optional[str] = ...) -> None: ...

class GetCheckpointRequest(_message.Message):
    __slots__ = ("tree_size",)
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    tree_size: int
    def __init__(self, tree_size: _Optional[int] = ...) -> None: ...

class GetCheckpointResponse(_message.Message):
    __slots__ = ("checkpoint",)
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    checkpoint: LedgerCheckpoint
    def __init__(self, checkpoint: _Optional[_Union[LedgerCheckpoint, _Mapping]] = ...) -> None: ...

class GetInclusionProofRequest(_message.Message):
    __slots__ = ("leaf_index", "event_id", "tree_size")
    LEAF_INDEX_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    leaf_index: int
    event_id: str
    tree_size: int
    def __init__(self, leaf_index: _Optional[int] = ..., event_id: _Optional[str] = ..., tree_size: _Optional[int] = ...) -> None: ...

class GetInclusionProofResponse(_message.Message):
    __slots__ = ("entry", "audit_path", "checkpoint")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    AUDIT_PATH_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    entry: LedgerEntry
    audit_path: _containers.RepeatedScalarFieldContainer[bytes]
    checkpoint: LedgerCheckpoint
    def __init__(self, entry: _Optional[_Union[LedgerEntry, _Mapping]] = ..., audit_path: _Optional[_Iterable[bytes]] = ..., checkpoint: _Optional[_Union[LedgerCheckpoint, _Mapping]] = ...) -> None: ...

class GetConsistencyProofRequest(_message.Message):
    __slots__ = ("first_tree_size", "second_tree_size")
    FIRST_TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SECOND_TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    first_tree_size: int
    second_tree_size: int
    def __init__(self, first_tree_size: _Optional[int] = ..., second_tree_size: _Optional[int] = ...) -> None: ...

class GetConsistencyProofResponse(_message.Message):
    __slots__ = ("first_tree_size", "second_tree_size", "proof", "checkpoint")
    FIRST_TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SECOND_TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    first_tree_size: int
    second_tree_size: int
    proof: _containers.RepeatedScalarFieldContainer[bytes]
    checkpoint: LedgerCheckpoint
    def __init__(self, first_tree_size: _Optional[int] = ..., second_tree_size: _Optional[int] = ..., proof: _Optional[_Iterable[bytes]] = ..., checkpoint: _Optional[_Union[LedgerCheckpoint, _Mapping]] = ...) -> None: ...

class ListCaseEvidenceRequest(_message.Message):
    __slots__ = ("case_id", "page")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    page: _common_pb2.PageRequest
    def __init__(self, case_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListCaseEvidenceResponse(_message.Message):
    __slots__ = ("entries", "page")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[LedgerEntry]
    page: _common_pb2.PageResponse
    def __init__(self, entries: _Optional[_Iterable[_Union[LedgerEntry, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...

class LedgerCredential(_message.Message):
    __slots__ = ("credential_id", "credential_type", "community_code", "holder_hash", "period", "evidence_type", "verified_at", "status", "valid_from", "valid_until", "status_list_id", "status_list_index", "leaf_index", "issued_at", "issued_by", "revoked_at", "revocation_reason_code", "version")
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    HOLDER_HASH_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    STATUS_LIST_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_LIST_INDEX_FIELD_NUMBER: _ClassVar[int]
    LEAF_INDEX_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    ISSUED_BY_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    REVOCATION_REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    credential_id: str
    credential_type: str
    community_code: str
    holder_hash: str
    period: str
    evidence_type: str
    verified_at: _timestamp_pb2.Timestamp
    status: LedgerCredentialStatus
    valid_from: _timestamp_pb2.Timestamp
    valid_until: _timestamp_pb2.Timestamp
    status_list_id: str
    status_list_index: int
    leaf_index: int
    issued_at: _timestamp_pb2.Timestamp
    issued_by: _common_pb2.Actor
    revoked_at: _timestamp_pb2.Timestamp
    revocation_reason_code: str
    version: int
    def __init__(self, credential_id: _Optional[str] = ..., credential_type: _Optional[str] = ..., community_code: _Optional[str] = ..., holder_hash: _Optional[str] = ..., period: _Optional[str] = ..., evidence_type: _Optional[str] = ..., verified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[LedgerCredentialStatus, str]] = ..., valid_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status_list_id: _Optional[str] = ..., status_list_index: _Optional[int] = ..., leaf_index: _Optional[int] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., issued_by: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revocation_reason_code: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class CredentialExport(_message.Message):
    __slots__ = ("format", "media_type", "content")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    format: CredentialFormat
    media_type: str
    content: bytes
    def __init__(self, format: _Optional[_Union[CredentialFormat, str]] = ..., media_type: _Optional[str] = ..., content: _Optional[bytes] = ...) -> None: ...

class CredentialCheck(_message.Message):
    __slots__ = ("kind", "passed", "detail")
    KIND_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    kind: CredentialCheckKind
    passed: bool
    detail: str
    def __init__(self, kind: _Optional[_Union[CredentialCheckKind, str]] = ..., passed: _Optional[bool] = ..., detail: _Optional[str] = ...) -> None: ...

class IssueCredentialRequest(_message.Message):
    __slots__ = ("request_id", "community_code", "holder_hash", "period", "evidence_type", "verified_at")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    HOLDER_HASH_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    community_code: str
    holder_hash: str
    period: str
    evidence_type: str
    verified_at: _timestamp_pb2.Timestamp
    def __init__(self, request_id: _Optional[str] = ..., community_code: _Optional[str] = ..., holder_hash: _Optional[str] = ..., period: _Optional[str] = ..., evidence_type: _Optional[str] = ..., verified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class IssueCredentialResponse(_message.Message):
    __slots__ = ("credential", "vc_json_ld")
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    VC_JSON_LD_FIELD_NUMBER: _ClassVar[int]
    credential: LedgerCredential
    vc_json_ld: bytes
    def __init__(self, credential: _Optional[_Union[LedgerCredential, _Mapping]] = ..., vc_json_ld: _Optional[bytes] = ...) -> None: ...

class GetCredentialRequest(_message.Message):
    __slots__ = ("credential_id", "formats")
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    FORMATS_FIELD_NUMBER: _ClassVar[int]
    credential_id: str
    formats: _containers.RepeatedScalarFieldContainer[CredentialFormat]
    def __init__(self, credential_id: _Optional[str] = ..., formats: _Optional[_Iterable[_Union[CredentialFormat, str]]] = ...) -> None: ...

class GetCredentialResponse(_message.Message):
    __slots__ = ("credential", "vc_json_ld", "exports")
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    VC_JSON_LD_FIELD_NUMBER: _ClassVar[int]
    EXPORTS_FIELD_NUMBER: _ClassVar[int]
    credential: LedgerCredential
    vc_json_ld: bytes
    exports: _containers.RepeatedCompositeFieldContainer[CredentialExport]
    def __init__(self, credential: _Optional[_Union[LedgerCredential, _Mapping]] = ..., vc_json_ld: _Optional[bytes] = ..., exports: _Optional[_Iterable[_Union[CredentialExport, _Mapping]]] = ...) -> None: ...

class VerifyCredentialRequest(_message.Message):
    __slots__ = ("vc_json_ld", "vc_jwt", "at", "expected_holder_hash")
    VC_JSON_LD_FIELD_NUMBER: _ClassVar[int]
    VC_JWT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_HOLDER_HASH_FIELD_NUMBER: _ClassVar[int]
    vc_json_ld: bytes
    vc_jwt: str
    at: _timestamp_pb2.Timestamp
    expected_holder_hash: str
    def __init__(self, vc_json_ld: _Optional[bytes] = ..., vc_jwt: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expected_holder_hash: _Optional[str] = ...) -> None: ...

class VerifyCredentialResponse(_message.Message):
    __slots__ = ("valid", "checks", "credential")
    VALID_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    valid: bool
    checks: _containers.RepeatedCompositeFieldContainer[CredentialCheck]
    credential: LedgerCredential
    def __init__(self, valid: _Optional[bool] = ..., checks: _Optional[_Iterable[_Union[CredentialCheck, _Mapping]]] = ..., credential: _Optional[_Union[LedgerCredential, _Mapping]] = ...) -> None: ...

class RevokeCredentialRequest(_message.Message):
    __slots__ = ("request_id", "credential_id", "expected_version", "reason_code", "reason_text")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_TEXT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    credential_id: str
    expected_version: int
    reason_code: str
    reason_text: str
    def __init__(self, request_id: _Optional[str] = ..., credential_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason_code: _Optional[str] = ..., reason_text: _Optional[str] = ...) -> None: ...

class RevokeCredentialResponse(_message.Message):
    __slots__ = ("credential", "status_list_version")
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    STATUS_LIST_VERSION_FIELD_NUMBER: _ClassVar[int]
    credential: LedgerCredential
    status_list_version: int
    def __init__(self, credential: _Optional[_Union[LedgerCredential, _Mapping]] = ..., status_list_version: _Optional[int] = ...) -> None: ...

class GetStatusListRequest(_message.Message):
    __slots__ = ("status_list_id",)
    STATUS_LIST_ID_FIELD_NUMBER: _ClassVar[int]
    status_list_id: str
    def __init__(self, status_list_id: _Optional[str] = ...) -> None: ...

class GetStatusListResponse(_message.Message):
    __slots__ = ("status_list_id", "status_purpose", "size", "encoded_list", "status_list_credential", "version", "updated_at")
    STATUS_LIST_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_PURPOSE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    ENCODED_LIST_FIELD_NUMBER: _ClassVar[int]
    STATUS_LIST_CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    status_list_id: str
    status_purpose: str
    size: int
    encoded_list: str
    status_list_credential: bytes
    version: int
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, status_list_id: _Optional[str] = ..., status_purpose: _Optional[str] = ..., size: _Optional[int] = ..., encoded_list: _Optional[str] = ..., status_list_credential: _Optional[bytes] = ..., version: _Optional[int] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ExportCredentialBatchRequest(_message.Message):
    __slots__ = ("community_code", "period")
    COMMUNITY_CODE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    community_code: str
    period: str
    def __init__(self, community_code: _Optional[str] = ..., period: _Optional[str] = ...) -> None: ...

class ExportCredentialBatchResponse(_message.Message):
    __slots__ = ("csv", "manifest_jws", "credentials", "tree_size")
    CSV_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_JWS_FIELD_NUMBER: _ClassVar[int]
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    csv: bytes
    manifest_jws: str
    credentials: int
    tree_size: int
    def __init__(self, csv: _Optional[bytes] = ..., manifest_jws: _Optional[str] = ..., credentials: _Optional[int] = ..., tree_size: _Optional[int] = ...) -> None: ...
