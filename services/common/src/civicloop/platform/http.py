"""The FastAPI side of every service: health, readiness, metrics and RFC 9457 problem details."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civicloop.platform import telemetry
from civicloop.platform.db import retry_once_if_safe
from civicloop.platform.errors import (
    DomainError,
    FieldViolation,
    InvalidArgument,
    Unavailable,
)
from civicloop.platform.proxies import TrustedProxies
from civicloop.platform.text import character_problem

PROBLEM_JSON = "application/problem+json"

HTTP_REQUESTS = Counter(
    "civicloop_http_requests_total", "HTTP requests served", ["service", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "civicloop_http_request_seconds",
    "HTTP request duration",
    ["service", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)

M = TypeVar("M", bound=BaseModel)

# Every JSON body and form a service takes fits in this (a petition's 4,000 characters are
# at most 12 KiB of UTF-8); a larger body is refused before it is read.
MAX_BODY_BYTES = 64 * 1024


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    type_: str = "about:blank",
    errors: list[FieldViolation] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    if extra:
        body.update(extra)
    if errors:
        body["errors"] = [{"field": e.field, "detail": e.description} for e in errors]
    return Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def violations_of(error: ValidationError | RequestValidationError) -> list[FieldViolation]:
    return [FieldViolation(_field_path(e["loc"]), e["msg"]) for e in error.errors()]


class BadRequestBody(DomainError):
    grpc_code_name = "INVALID_ARGUMENT"
    http_status = 400
    title = "Malformed request body"


class UnsupportedMediaType(DomainError):
    grpc_code_name = "INVALID_ARGUMENT"
    http_status = 415
    title = "Unsupported media type"


class BodyTooLarge(DomainError):
    grpc_code_name = "INVALID_ARGUMENT"
    http_status = 413
    title = "Request body too large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the request body is larger than {limit} bytes",
            [FieldViolation("body", f"at most {limit} bytes")],
        )


class _GuardedRequests:
    """What every request must pass before a route sees it.

    - A body is capped: a declared length over the cap is answered 413 at once, unread; a
      streamed body is counted as it arrives and refused (413) when it passes the cap, so a
      100 MB upload costs the process no more than the cap.
    - The path, every query parameter and every header must be text PostgreSQL and the feeds
      can carry (no NUL, C0 controls, U+FFFE/U+FFFF, bidi overrides): 400 naming it.
    - The client's address (``scope["client"]``) is the one behind the trusted proxies
      (none unless configured), so ``X-Forwarded-For`` from anyone else changes nothing.
    """

    def __init__(
        self, app: ASGIApp, max_body_bytes: int, proxies: TrustedProxies | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.proxies = proxies or TrustedProxies()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        client = scope.get("client")
        if client and self.proxies.networks:
            forwarded = [
                v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"
            ]
            address = self.proxies.client(client[0], forwarded)
            if address != client[0]:
                scope = {**scope, "client": (address, 0)}
        received = 0
        limit = self.max_body_bytes

        async def receive_capped() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, receive_capped, send)

    def _refusal(self, scope: Scope) -> Response | None:
        path = scope["path"]
        if problem_found := character_problem(path):
            return _bad_text("path", problem_found, path)
        # Percent escapes must decode to UTF-8: PostgreSQL takes nothing else.
        try:
            parameters = url_encoded_pairs(scope.get("query_string", b""))
        except UnicodeDecodeError:
            return _bad_text("query", "is not UTF-8 url-encoded", path)
        for name, value in parameters:
            if problem_found := character_problem(value):
                return _bad_text(name, problem_found, path)
            if problem_found := character_problem(name):
                return _bad_text("query", f"a parameter's name {problem_found}", path)
        for key, value in scope["headers"]:
            if problem_found := character_problem(value.decode("latin-1")):
                return _bad_text(key.decode("latin-1"), problem_found, path)
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    return _bad_text("content-length", "is not a number", path)
                if declared > self.max_body_bytes:
                    too_large = BodyTooLarge(self.max_body_bytes)
                    return problem(
                        413,
                        too_large.title,
                        too_large.message,
                        errors=too_large.violations,
                        instance=path,
                    )
        return None


def _bad_text(field: str, description: str, path: str) -> Response:
    return problem(
        400,
        "Bad request",
        f"{field}: {description}",
        errors=[FieldViolation(field, description)],
        instance=path if not character_problem(path) else None,
    )


async def parse_json_body(request: Request, model: type[M]) -> M:
    """Parse a JSON body strictly: 415 for another media type, 400 for bad JSON, 422 naming
    each offending field (unknown fields included) for a body the model refuses."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType(
            f"content-type must be application/json, got {media_type or 'nothing'}",
            [FieldViolation("content-type", "must be application/json")],
        )
    raw = await request.body()
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequestBody(
            f"body is not valid JSON: {exc}", [FieldViolation("body", "not valid JSON")]
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        violations = violations_of(exc)
        raise InvalidArgument(
            "; ".join(f"{v.field}: {v.description}" for v in violations), violations
        ) from None


# A run of percent escapes (a Chinese comment is nothing else), decoded in one step.
_ESCAPED_RUN = re.compile(rb"(?:%[0-9A-Fa-f]{2})+")


def _unescaped(run: re.Match[bytes]) -> bytes:
    return bytes.fromhex(run.group().replace(b"%", b"").decode("ascii"))


def form_text(raw: bytes) -> str:
    """One name or value of a url-encoded query or form: ``+`` a space, ``%XX`` a byte (a
    ``%`` that starts no escape stays), the bytes UTF-8 (UnicodeDecodeError otherwise:
    PostgreSQL takes nothing else). urllib's ``unquote`` walks escapes one by one in Python; a
    run of them goes to ``bytes.fromhex`` here: a form with a comment in Chinese reads in a
    half (10 characters) to a fifth (500) of ``parse_qsl``'s time."""
    raw = raw.replace(b"+", b" ")
    if b"%" in raw:
        raw = _ESCAPED_RUN.sub(_unescaped, raw)
    return raw.decode("utf-8")


def url_encoded_pairs(raw: bytes) -> list[tuple[str, str]]:
    """The (name, value) pairs of a query string or an ``application/x-www-form-urlencoded``
    body, in order and blank values kept, as ``parse_qsl`` reads them; UnicodeDecodeError for
    text that is not UTF-8."""
    pairs = []
    for part in raw.split(b"&"):
        if part:
            name, _, value = part.partition(b"=")
            pairs.append((form_text(name), form_text(value)))
    return pairs


def parse_form(body: bytes, max_fields: int) -> dict[str, str]:
    """A form's fields (the last of a repeated name wins); ValueError past ``max_fields``
    (the body is capped before it is read, so it is decoded whole first)."""
    pairs = url_encoded_pairs(body)
    if len(pairs) > max_fields:
        raise ValueError(f"more than {max_fields} fields")
    return dict(pairs)


async def read_form(request: Request, max_bytes: int, max_fields: int) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (a page's plain form), capped before it
    is read whole: 415 for another media type, 413 past ``max_bytes``, 400 when not UTF-8."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType(
            f"content-type must be application/x-www-form-urlencoded, got {media_type or 'none'}",
            [FieldViolation("content-type", "must be application/x-www-form-urlencoded")],
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise BodyTooLarge(max_bytes)
    try:
        return parse_form(bytes(body), max_fields)
    except (UnicodeDecodeError, ValueError):
        raise BadRequestBody(
            "the form is not UTF-8 url-encoded", [FieldViolation("body", "not a form")]
        ) from None


class _ObservedRequests:
    """One server span and the request metrics per HTTP request.

    Written here rather than taken from the contrib ASGI instrumentation, which costs several
    times more per request on the submission hot path (per-chunk spans, header scans); this
    keeps the W3C context extraction and the HTTP semantic conventions that operators read.
    Route templates, not raw paths, label the metrics (a bounded label set) and are the only
    path the span records, as ``url.path`` too: a path may carry a credential (rating's
    ``/r/{token}``), and the platform cannot tell which segment is one. An unmatched request
    records no path.
    """

    def __init__(self, app: ASGIApp, service: str, unobserved: frozenset[str]) -> None:
        self.app = app
        self.service = service
        self.unobserved = unobserved
        # Each (route, status)'s metric children, looked up once: ``labels()`` validates
        # and locks on every call.
        self._children: dict[tuple[str, int], tuple[Any, Any]] = {}

    def _metrics_of(self, route: str, status: int) -> tuple[Any, Any]:
        children = self._children.get((route, status))
        if children is None:
            children = (
                HTTP_REQUESTS.labels(self.service, route, str(status)),
                HTTP_SECONDS.labels(self.service, route),
            )
            self._children[(route, status)] = children
        return children

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.unobserved:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        carrier = {
            key.decode("latin-1"): value.decode("latin-1")
            for key, value in scope["headers"]
            if key in (b"traceparent", b"tracestate")
        }
        method = scope["method"]

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with telemetry.tracer().start_as_current_span(
            method,
            context=telemetry.extract(carrier) if carrier else None,
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": method,
                "url.scheme": scope.get("scheme", "http"),
            },
        ) as span:
            try:
                await self.app(scope, receive, send_observed)
            finally:
                route = getattr(scope.get("route"), "path", None)
                if route:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                    span.set_attribute("url.path", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
                requests, seconds = self._metrics_of(route or "unmatched", status)
                requests.inc()
                seconds.observe(time.perf_counter() - started)


class PlainRoute(Route):
    """A plain Starlette route in a platform app, for a hot path that needs none of FastAPI's
    parameter machinery (rating's page). FastAPI's router names the matched route in the
    scope for its own routes only; this one names itself, so that the request's span and
    metrics carry its template as for any other route."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = self
        await super().handle(scope, receive, send)


def add_plain_routes(app: FastAPI, routes: Sequence[PlainRoute]) -> None:
    """Plain routes matched before the app's own: a hot path is found first, and skips
    FastAPI's parameter machinery."""
    app.router.routes[:0] = routes


@dataclass(frozen=True)
class Readiness:
    """What ``/readyz`` reports. ``required``: what the service cannot serve without (any
    failing one answers 503, and Kubernetes takes the pod out); ``degradable``: what it serves
    without, less well (a failing one is named in the answer, which stays 200)."""

    required: dict[str, bool]
    degradable: dict[str, bool]

    @property
    def ready(self) -> bool:
        return all(self.required.values())

    @property
    def degraded(self) -> list[str]:
        return [name for name, ok in self.degradable.items() if not ok]


ReadinessCheck = Callable[[], Awaitable[Readiness]]


class _DatabaseFailures:
    """A request whose database connection was lost is run once more when nothing had been
    sent to commit (its body replayed), else answered 503 problem details with Retry-After:
    a passing failure, not a defect to log as one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        replayed = 0
        answered = False

        async def receive_again() -> Message:
            # The body read by the first run is given again to the second.
            nonlocal replayed
            if replayed < len(received):
                replayed += 1
                return received[replayed - 1]
            message = await receive()
            received.append(message)
            replayed += 1
            return message

        async def send_noted(message: Message) -> None:
            nonlocal answered
            answered = True
            await send(message)

        async def run() -> None:
            nonlocal replayed
            replayed = 0
            await self.app(scope, receive_again, send_noted)

        def what() -> str:
            # The route template, never the path: a path may hold a credential.
            return f"{scope['method']} {getattr(scope.get('route'), 'path', 'unmatched')}"

        try:
            await retry_once_if_safe(run, what, repeatable=lambda: not answered)
        except Unavailable as exc:
            if answered:
                raise
            response = problem(
                exc.http_status,
                exc.title,
                exc.message,
                headers={"Retry-After": str(exc.retry_after_seconds)},
                instance=scope["path"],
            )
            await response(scope, receive, send)


def create_http_app(
    service: str,
    readiness: ReadinessCheck,
    *,
    title: str,
    description: str = "",
    trusted_proxies: TrustedProxies | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    # FastAPI's own telemetry is off: _ObservedRequests records the one server span and the
    # metrics, so a request is neither traced twice nor charged twice on the hot path.
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        headers = None
        if exc.retry_after_seconds is not None:
            headers = {"Retry-After": str(exc.retry_after_seconds)}
        return problem(
            exc.http_status,
            exc.title,
            exc.message,
            errors=exc.violations,
            headers=headers,
            instance=request.url.path,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Unknown paths, wrong methods: the same problem body as every other refusal.
        return problem(
            exc.status_code,
            HTTPStatus(exc.status_code).phrase,
            str(exc.detail),
            instance=request.url.path,
            headers=dict(exc.headers or {}) or None,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        violations = violations_of(exc)
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return problem(
                400,
                "Malformed request body",
                "body is not valid JSON",
                errors=violations,
                instance=request.url.path,
            )
        return problem(
            422,
            "Invalid argument",
            "; ".join(f"{v.field}: {v.description}" for v in violations),
            errors=violations,
            instance=request.url.path,
        )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        report = await readiness()
        checks = report.required | report.degradable
        if report.ready:
            status = "degraded" if report.degraded else "ready"
            return Response(
                orjson.dumps({"status": status, "checks": checks, "degraded": report.degraded}),
                media_type="application/json",
            )
        failing = ", ".join(name for name, ok in report.required.items() if not ok)
        return problem(503, "Not ready", f"failing: {failing}", extra={"checks": checks})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(_DatabaseFailures)  # inside: the span records the 503 it answers
    # Added before _ObservedRequests, so it runs inside it: a refusal is counted and traced too.
    app.add_middleware(_GuardedRequests, max_body_bytes=max_body_bytes, proxies=trusted_proxies)
    app.add_middleware(
        _ObservedRequests,
        service=service,
        unobserved=frozenset({"/healthz", "/readyz", "/metrics"}),
    )
    return app
