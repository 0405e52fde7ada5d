"""Domain errors: raised anywhere, mapped once to gRPC status codes and HTTP problem details."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


class DomainError(Exception):
    """Base of every error a caller may see. Subclasses fix the status codes."""

    grpc_code_name = "UNKNOWN"
    http_status = 500
    title = "Error"
    # When the caller may try again (HTTP Retry-After, gRPC RetryInfo); None: not a wait.
    retry_after_seconds: int | None = None

    def __init__(self, message: str, violations: list[FieldViolation] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.violations = violations or []


class InvalidArgument(DomainError):
    grpc_code_name = "INVALID_ARGUMENT"
    http_status = 422
    title = "Invalid argument"

    @classmethod
    def of(cls, field_name: str, description: str) -> InvalidArgument:
        return cls(f"{field_name}: {description}", [FieldViolation(field_name, description)])


class NotFound(DomainError):
    grpc_code_name = "NOT_FOUND"
    http_status = 404
    title = "Not found"


class FailedPrecondition(DomainError):
    """The request is well formed but the current state refuses it."""

    grpc_code_name = "FAILED_PRECONDITION"
    http_status = 409
    title = "Failed precondition"


class IllegalTransition(FailedPrecondition):
    title = "Illegal transition"


class Aborted(DomainError):
    """A concurrent request got there first; the same request may be tried again."""

    grpc_code_name = "ABORTED"
    http_status = 409
    title = "Try again"


class VersionConflict(Aborted):
    """Optimistic concurrency: somebody changed the aggregate first."""

    title = "Version conflict"


class PermissionDenied(DomainError):
    grpc_code_name = "PERMISSION_DENIED"
    http_status = 403
    title = "Permission denied"


class Unauthenticated(DomainError):
    grpc_code_name = "UNAUTHENTICATED"
    http_status = 401
    title = "Unauthenticated"


class RateLimited(DomainError):
    grpc_code_name = "RESOURCE_EXHAUSTED"
    http_status = 429
    title = "Too many requests"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class Unavailable(DomainError):
    """A passing failure (the database connection dropped): the same request may be repeated
    after ``retry_after_seconds``, with the same request id if it wrote anything."""

    grpc_code_name = "UNAVAILABLE"
    http_status = 503
    title = "Service unavailable"

    def __init__(self, message: str, retry_after_seconds: int = 1) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


@dataclass
class Violations:
    """Collects every field problem of one request, so the caller learns all of them at once."""

    items: list[FieldViolation] = field(default_factory=list)

    def add(self, field_name: str, description: str) -> None:
        self.items.append(FieldViolation(field_name, description))

    def raise_if_any(self) -> None:
        if self.items:
            summary = "; ".join(f"{v.field}: {v.description}" for v in self.items)
            raise InvalidArgument(summary, list(self.items))
