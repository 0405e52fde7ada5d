"""The grpc.aio server every service runs: health checking, reflection, authentication, role
checks, server spans and the one mapping from domain errors to status codes.

Servicer methods are written as ``async def Method(self, request, context, principal)`` and
decorated with ``@rpc(roles=...)``; the decorator authenticates, checks the role, records the
span (W3C context from the metadata, RPC semantic conventions) and turns a DomainError into a
status with field details (google.rpc.BadRequest), so a servicer holds translation only.
Unary RPCs only: the OpenTelemetry aio interceptors mishandle streams, so we own this code.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import asyncpg
import grpc
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection
from opentelemetry.trace import SpanKind, Status, StatusCode

from civicloop.platform import telemetry
from civicloop.platform.auth import Principal
from civicloop.platform.db import retry_once_if_safe
from civicloop.platform.errors import (
    DomainError,
    FieldViolation,
    InvalidArgument,
    VersionConflict,
)
from civicloop.platform.metrics import GRPC_SERVER_HANDLING_SECONDS
from civicloop.platform.proxies import TrustedProxies
from civicloop.platform.text import character_problem

log = logging.getLogger(__name__)

# The servicer context every RPC receives.
Context = grpc.aio.ServicerContext[Any, Any]

Handler = Callable[[Any, Any, Context, Principal], Awaitable[Any]]

# No request a service takes comes near this; a larger message is refused (RESOURCE_EXHAUSTED)
# before it is decoded, as HTTP refuses a body over its cap.
MAX_RECEIVE_BYTES = 64 * 1024


@functools.cache
def holds_text(descriptor: Any) -> bool:
    """Whether a message of this type can hold a string at any depth (a search by position,
    say, cannot: its checks are skipped)."""
    seen: set[str] = set()

    def reaches(d: Any) -> bool:
        if d.full_name in seen:
            return False
        seen.add(d.full_name)
        return any(
            f.type == f.TYPE_STRING or (f.type == f.TYPE_MESSAGE and reaches(f.message_type))
            for f in d.fields
        )

    return reaches(descriptor)


def unsafe_text(message: Any, prefix: str = "") -> FieldViolation | None:
    """The first string field, at any depth, holding text no store or feed can carry (NUL,
    C0 controls, non-characters, bidi overrides), named as the contract names it."""
    if not holds_text(message.DESCRIPTOR):
        return None
    for field, value in message.ListFields():
        name = f"{prefix}{field.name}"
        items = list(enumerate(value)) if field.is_repeated else [(None, value)]
        for index, item in items:
            where = name if index is None else f"{name}[{index}]"
            if field.type == field.TYPE_STRING:
                if problem := character_problem(item):
                    return FieldViolation(where, problem)
            elif field.type == field.TYPE_MESSAGE:
                if found := unsafe_text(item, f"{where}."):
                    return found
    return None


def status_for(error: DomainError) -> tuple[grpc.StatusCode, str, bytes]:
    code = getattr(grpc.StatusCode, error.grpc_code_name)
    status = status_pb2.Status(code=getattr(code_pb2, error.grpc_code_name), message=error.message)
    if isinstance(error, InvalidArgument) or error.violations:
        detail = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=v.field, description=v.description
                )
                for v in error.violations
            ]
        )
        status.details.add().Pack(detail)
    if error.retry_after_seconds is not None:
        retry = error_details_pb2.RetryInfo()
        retry.retry_delay.FromSeconds(error.retry_after_seconds)
        status.details.add().Pack(retry)
    return code, error.message, status.SerializeToString()


def peer_host(context: Context) -> str | None:
    """The calling client's address ("ipv4:10.0.0.7:51234" -> "10.0.0.7"), for limits."""
    peer = context.peer() or ""
    kind, _, rest = peer.partition(":")
    if kind == "ipv4":
        return rest.rpartition(":")[0] or None
    if kind == "ipv6":
        return rest.rpartition(":")[0].strip("[]") or None
    return None


def client_address(context: Context, proxies: TrustedProxies) -> str | None:
    """The calling client's address for limits: the peer's, or behind a trusted proxy the
    one it forwarded (``x-forwarded-for`` metadata); a client's own claim changes nothing."""
    forwarded = [
        value
        for key, value in context.invocation_metadata() or ()
        if key == "x-forwarded-for" and isinstance(value, str)
    ]
    return proxies.client(peer_host(context), forwarded)


# The caller of a public RPC (the token in the request is its credential, e.g. a rating link).
ANONYMOUS = Principal("anonymous", frozenset())


def handled(name: str, code: grpc.StatusCode, started: float) -> None:
    GRPC_SERVER_HANDLING_SECONDS.labels(name, code.name).observe(time.perf_counter() - started)


def rpc(
    *, roles: Sequence[str] = (), public: bool = False
) -> Callable[[Handler], Callable[..., Awaitable[Any]]]:
    """Decorate a servicer method; ``roles`` lists who may call it, ``public`` lets anyone
    (as ANONYMOUS, or as the principal of the bearer token it sends)."""
    if not roles and not public:
        raise ValueError("say who may call it: roles=..., or public=True")

    def decorate(method: Handler) -> Callable[..., Awaitable[Any]]:
        # The span's name and attributes, per servicer class (the SDK copies the attributes).
        labels: dict[type, tuple[str, dict[str, str]]] = {}

        def labelled(servicer: Any) -> tuple[str, dict[str, str]]:
            found = labels.get(type(servicer))
            if found is None:
                service_name = getattr(servicer, "grpc_service_name", type(servicer).__name__)
                found = labels[type(servicer)] = (
                    f"{service_name}/{method.__name__}",
                    {
                        "rpc.system": "grpc",
                        "rpc.service": service_name,
                        "rpc.method": method.__name__,
                    },
                )
            return found

        @functools.wraps(method)
        async def wrapper(self: Any, request: Any, context: Context) -> Any:
            metadata = {
                k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)
            }
            name, attributes = labelled(self)
            started = time.perf_counter()
            with telemetry.tracer().start_as_current_span(
                name,
                context=telemetry.extract(metadata),
                kind=SpanKind.SERVER,
                attributes=attributes,
            ) as span:
                try:
                    principal = ANONYMOUS
                    if not public:
                        principal = self.verifier.verify_header(
                            metadata.get("authorization")
                        ).acting_for(roles)
                    elif "authorization" in metadata:
                        # Anyone may call it; a caller that says who it is is that caller
                        # (a worker, a publisher), and a credential that fails is refused.
                        principal = self.verifier.verify_header(metadata["authorization"])
                    if violation := unsafe_text(request):
                        raise InvalidArgument(
                            f"{violation.field}: {violation.description}", [violation]
                        )
                    response = await retry_once_if_safe(
                        lambda: method(self, request, context, principal), lambda: name
                    )
                    span.set_attribute("rpc.grpc.status_code", grpc.StatusCode.OK.value[0])
                    handled(name, grpc.StatusCode.OK, started)
                    return response
                except DomainError as error:
                    code, message, details = status_for(error)
                    span.set_attribute("rpc.grpc.status_code", code.value[0])
                except (asyncpg.DeadlockDetectedError, asyncpg.SerializationError) as error:
                    # Lost a race with another writer: the caller may simply retry.
                    code, message, details = status_for(VersionConflict(str(error)))
                    span.set_attribute("rpc.grpc.status_code", code.value[0])
                except Exception as error:
                    # A defect, not the caller's fault: log it whole, tell the caller little.
                    log.exception("unexpected error in %s", name)
                    span.record_exception(error)
                    span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                    code = grpc.StatusCode.INTERNAL
                    message = "internal error; the service logged it"
                    details = status_pb2.Status(
                        code=code_pb2.INTERNAL, message=message
                    ).SerializeToString()
                    span.set_attribute("rpc.grpc.status_code", code.value[0])
            handled(name, code, started)
            await context.abort(
                code, message, trailing_metadata=(("grpc-status-details-bin", details),)
            )

        return wrapper

    return decorate


class GrpcServer:
    """A grpc.aio server with health and reflection for the given services."""

    def __init__(self, host: str, port: int) -> None:
        self.server = grpc.aio.server(
            options=[
                ("grpc.so_reuseport", 0),
                ("grpc.max_receive_message_length", MAX_RECEIVE_BYTES),
            ]
        )
        self.health = HealthServicer()
        self.address = f"{host}:{port}"
        self._service_names: list[str] = [
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name
        ]
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)

    def add(
        self, register: Callable[[Any, grpc.aio.Server], None], servicer: Any, full_name: str
    ) -> None:
        register(servicer, self.server)
        self._service_names.append(full_name)

    async def start(self) -> None:
        reflection.enable_server_reflection(
            [*self._service_names, reflection.SERVICE_NAME], self.server
        )
        bound = self.server.add_insecure_port(self.address)
        if bound == 0:
            raise RuntimeError(f"cannot bind gRPC to {self.address}")
        await self.server.start()
        await self.set_serving(True)

    async def set_serving(self, serving: bool) -> None:
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if serving
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ["", *self._service_names]:
            await self.health.set(name, status)

    async def stop(self, grace_seconds: float) -> None:
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace_seconds)


class _ClientInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    """Adds the caller's W3C trace context and bearer token to every call."""

    def __init__(self, token: str | Callable[[], str] | None) -> None:
        self.token = token

    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        metadata = list(details.metadata or [])
        metadata.extend(telemetry.inject().items())
        token = self.token() if callable(self.token) else self.token
        if token and not any(k == "authorization" for k, _ in metadata):
            metadata.append(("authorization", f"Bearer {token}"))
        details = details._replace(metadata=metadata)
        return await continuation(details, request)


def client_channel(
    target: str,
    token: str | Callable[[], str] | None = None,
    extra_interceptors: Iterable[Any] = (),
) -> grpc.aio.Channel:
    """A channel whose calls carry the trace context and a bearer token (a fixed one, or a
    source such as ``ServiceToken`` asked on every call)."""
    return grpc.aio.insecure_channel(
        target, interceptors=[_ClientInterceptor(token), *extra_interceptors]
    )
