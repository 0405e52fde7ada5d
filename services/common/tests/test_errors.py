"""Domain errors, collected field violations, and their one mapping to gRPC status codes."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import code_pb2, error_details_pb2, status_pb2

from civicloop.platform.errors import (
    DomainError,
    FailedPrecondition,
    FieldViolation,
    IllegalTransition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
    VersionConflict,
    Violations,
)
from civicloop.platform.grpc_server import peer_host, status_for


def unpacked(details: bytes) -> tuple[status_pb2.Status, list[error_details_pb2.BadRequest]]:
    status = status_pb2.Status.FromString(details)
    requests = []
    for any_detail in status.details:
        bad = error_details_pb2.BadRequest()
        assert any_detail.Unpack(bad), any_detail.type_url
        requests.append(bad)
    return status, requests


# ---- collecting violations ----


def test_no_violations_raise_nothing() -> None:
    Violations().raise_if_any()


def test_all_violations_are_raised_together_as_one_invalid_argument() -> None:
    errors = Violations()
    errors.add("community_code", "unknown community 'C999'")
    errors.add("latitude", "must be between -90 and 90")
    errors.add("petitioner_phone", "must be a mainland mobile")

    with pytest.raises(InvalidArgument) as raised:
        errors.raise_if_any()

    assert raised.value.violations == [
        FieldViolation("community_code", "unknown community 'C999'"),
        FieldViolation("latitude", "must be between -90 and 90"),
        FieldViolation("petitioner_phone", "must be a mainland mobile"),
    ]
    assert raised.value.message == (
        "community_code: unknown community 'C999'; latitude: must be between -90 and 90; "
        "petitioner_phone: must be a mainland mobile"
    )
    assert str(raised.value) == raised.value.message


def test_the_raised_error_does_not_change_when_more_violations_are_added_later() -> None:
    errors = Violations()
    errors.add("note", "is required")
    with pytest.raises(InvalidArgument) as raised:
        errors.raise_if_any()

    errors.add("reason", "is required")

    assert [v.field for v in raised.value.violations] == ["note"]


def test_a_single_invalid_field_names_itself() -> None:
    error = InvalidArgument.of("note", "is required")

    assert error.violations == [FieldViolation("note", "is required")]
    assert error.message == "note: is required"


# ---- status codes ----


@pytest.mark.parametrize(
    "error, grpc_code, http_status",
    [
        (InvalidArgument("x"), "INVALID_ARGUMENT", 422),
        (NotFound("x"), "NOT_FOUND", 404),
        (FailedPrecondition("x"), "FAILED_PRECONDITION", 409),
        (IllegalTransition("x"), "FAILED_PRECONDITION", 409),
        (VersionConflict("x"), "ABORTED", 409),
        (PermissionDenied("x"), "PERMISSION_DENIED", 403),
        (Unauthenticated("x"), "UNAUTHENTICATED", 401),
        (RateLimited("x", retry_after_seconds=30), "RESOURCE_EXHAUSTED", 429),
        (DomainError("x"), "UNKNOWN", 500),
    ],
)
def test_each_error_has_its_grpc_code_and_http_status(
    error: DomainError, grpc_code: str, http_status: int
) -> None:
    assert error.grpc_code_name == grpc_code
    assert error.http_status == http_status
    assert hasattr(grpc.StatusCode, grpc_code)


def test_a_rate_limit_says_when_to_come_back() -> None:
    assert RateLimited("slow down", retry_after_seconds=30).retry_after_seconds == 30


# ---- the mapping to gRPC ----


def test_an_invalid_argument_becomes_invalid_argument_with_the_field_in_bad_request() -> None:
    error = InvalidArgument.of("latitude", "must be between -90 and 90")

    code, message, details = status_for(error)

    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert message == "latitude: must be between -90 and 90"
    status, [bad_request] = unpacked(details)
    assert status.code == code_pb2.INVALID_ARGUMENT
    assert status.message == message
    assert [(v.field, v.description) for v in bad_request.field_violations] == [
        ("latitude", "must be between -90 and 90"),
    ]


def test_every_collected_violation_travels_in_the_bad_request() -> None:
    errors = Violations()
    errors.add("channel", "must be one of web, hotline")
    errors.add("description", "is required")
    with pytest.raises(InvalidArgument) as raised:
        errors.raise_if_any()

    _, _, details = status_for(raised.value)

    _, [bad_request] = unpacked(details)
    assert [v.field for v in bad_request.field_violations] == ["channel", "description"]


def test_the_details_are_packed_as_google_rpc_bad_request() -> None:
    _, _, details = status_for(InvalidArgument.of("note", "is required"))

    [detail] = status_pb2.Status.FromString(details).details
    assert detail.type_url == "type.googleapis.com/google.rpc.BadRequest"


def test_an_illegal_transition_becomes_failed_precondition_without_field_details() -> None:
    error = IllegalTransition("cannot resolve on site case c1 in state open")

    code, message, details = status_for(error)

    assert code is grpc.StatusCode.FAILED_PRECONDITION
    assert message == "cannot resolve on site case c1 in state open"
    status, bad_requests = unpacked(details)
    assert status.code == code_pb2.FAILED_PRECONDITION
    assert bad_requests == []


@pytest.mark.parametrize(
    "error, code",
    [
        (NotFound("case c1"), grpc.StatusCode.NOT_FOUND),
        (VersionConflict("case c1 is at version 3, not 2"), grpc.StatusCode.ABORTED),
        (PermissionDenied("requires office"), grpc.StatusCode.PERMISSION_DENIED),
        (Unauthenticated("missing authorization"), grpc.StatusCode.UNAUTHENTICATED),
        (RateLimited("slow down", 30), grpc.StatusCode.RESOURCE_EXHAUSTED),
        (DomainError("boom"), grpc.StatusCode.UNKNOWN),
    ],
)
def test_other_errors_map_to_their_status_codes(error: DomainError, code: grpc.StatusCode) -> None:
    got, message, details = status_for(error)

    assert got is code
    assert message == error.message
    assert status_pb2.Status.FromString(details).code == code.value[0]


def test_production_refuses_a_development_secret_and_development_only_warns() -> None:
    from civicloop.platform.settings import ServiceSettings

    with pytest.raises(RuntimeError, match="INTAKE_PII_KEY"):
        ServiceSettings(civicloop_environment="production").require_secret("INTAKE_PII_KEY", True)
    ServiceSettings(civicloop_environment="production").require_secret("INTAKE_PII_KEY", False)
    ServiceSettings().require_secret("INTAKE_PII_KEY", True)  # development: a warning only


@pytest.mark.parametrize(
    ("peer", "host"),
    [
        ("ipv4:10.0.0.7:51234", "10.0.0.7"),
        ("ipv6:[::1]:40000", "::1"),
        ("unix:/run/civicloop.sock", None),
        ("", None),
    ],
)
def test_a_public_rpc_is_limited_by_the_callers_host(peer: str, host: str | None) -> None:
    class Caller:
        def peer(self) -> str:
            return peer

    assert peer_host(Caller()) == host  # type: ignore[arg-type]
