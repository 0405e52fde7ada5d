"""OpenTelemetry set-up and the one-trace-per-case helpers.

Spans go to OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, otherwise to a JSON-lines file per
service (``<run dir>/traces/<service>.spans.jsonl``) that the CLI and the tests read.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Link, Span, SpanKind

from civicloop.platform.logs import current_case_id

CASE_ID = "civicloop.case_id"
PETITION_ID = "civicloop.petition_id"
DEPARTMENT = "civicloop.department"


class JsonLinesSpanExporter(SpanExporter):
    """Appends one JSON object per finished span to a file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("ab")
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = b"".join(orjson.dumps(span_to_dict(span)) + b"\n" for span in spans)
        with self._lock:
            self._file.write(lines)
            self._file.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            self._file.close()


def span_to_dict(span: ReadableSpan) -> dict[str, object]:
    ctx = span.get_span_context()
    assert ctx is not None
    return {
        "service": span.resource.attributes.get("service.name"),
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": format(ctx.trace_id, "032x"),
        "span_id": format(ctx.span_id, "016x"),
        "parent_span_id": format(span.parent.span_id, "016x") if span.parent else None,
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
        "links": [
            {
                "trace_id": format(link.context.trace_id, "032x"),
                "span_id": format(link.context.span_id, "016x"),
            }
            for link in span.links
        ],
    }


def spans_file(run_dir: Path, service: str) -> Path:
    return run_dir / "traces" / f"{service}.spans.jsonl"


# A proxy until setup_tracing installs the provider (code may trace before that, in tests).
_TRACER = trace.get_tracer("civicloop")


def setup_tracing(service: str, run_dir: Path) -> TracerProvider:
    """Install the global tracer provider for this process (standard OTEL_* variables apply)."""
    resource = Resource.create(
        {
            "service.name": os.environ.get("OTEL_SERVICE_NAME", service),
            "service.namespace": "civicloop",
        }
    )
    provider = TracerProvider(resource=resource)
    exporter: SpanExporter
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    ):
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    else:
        exporter = JsonLinesSpanExporter(spans_file(run_dir, service))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    # The installed provider's own tracer from now on: the proxy taken before would add a
    # delegation to every span on the hot paths.
    global _TRACER
    _TRACER = trace.get_tracer("civicloop")
    return provider


def tracer() -> trace.Tracer:
    """The process's tracer. Created once: ``get_tracer`` builds a new one on every call."""
    return _TRACER


def inject(carrier: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """The current context as W3C headers (traceparent, tracestate)."""
    out: dict[str, str] = dict(carrier or {})
    propagate.inject(out)
    return out


# The headers the installed propagators read, for the propagators they were read from.
_read_by: tuple[object, frozenset[str]] = (None, frozenset())


def extract(carrier: Mapping[str, str]) -> otel_context.Context:
    """The context the headers carry; an empty one when they carry none (most public calls:
    the propagators are then not run at all)."""
    global _read_by
    textmap = propagate.get_global_textmap()
    if _read_by[0] is not textmap:
        _read_by = (textmap, frozenset(textmap.fields))
    if not any(name in carrier for name in _read_by[1]):
        return otel_context.Context()
    return propagate.extract(carrier)


def link_to(carrier: Mapping[str, str]) -> Link:
    """A link to the span whose context the W3C headers carry."""
    return Link(trace.get_current_span(extract(carrier)).get_span_context())


def current_traceparent() -> str:
    return inject().get("traceparent", "")


@contextmanager
def case_span(
    name: str,
    case_traceparent: str | None,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, str | int | bool] | None = None,
) -> Iterator[Span]:
    """A span in the case's own trace, linked to whatever span the caller is in now.

    Every operation on a case records itself here so an operator sees the case's whole life as
    one trace; the link keeps the way back to the request (HTTP, gRPC, event) that caused it.
    Without a stored context (a brand-new case) the span becomes the root of a new trace.
    """
    caller = trace.get_current_span().get_span_context()
    links = [Link(caller)] if caller.is_valid else []
    parent = (
        extract({"traceparent": case_traceparent})
        if case_traceparent
        else otel_context.Context()  # an empty context: start a new trace
    )
    with tracer().start_as_current_span(
        name, context=parent, kind=kind, links=links, attributes=dict(attributes or {})
    ) as span:
        yield span


@contextmanager
def case_step(
    name: str,
    case_id: str,
    case_traceparent: str | None,
    *,
    department: str = "",
    attributes: Mapping[str, str | int | bool] | None = None,
) -> Iterator[Span]:
    """One step of a case, as every service records it: a span in the case's trace with the
    case (and department) attributes, and the case id on the log lines written meanwhile."""
    current_case_id.set(case_id)
    tags: dict[str, str | int | bool] = {CASE_ID: case_id}
    if department:
        tags[DEPARTMENT] = department
    tags.update(attributes or {})
    with case_span(name, case_traceparent, attributes=tags) as span:
        yield span


def read_spans(path: Path) -> list[dict[str, Any]]:
    """Parse a JSON-lines span file (for the CLI and the tests)."""
    if not path.exists():
        return []
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def case_trace(run_dir: Path, case_id: str) -> list[dict[str, Any]]:
    """Every span, of every service's span file, in the traces that hold the case's spans,
    in the order they started (for the CLI and the demo)."""
    spans = [
        s for path in sorted((run_dir / "traces").glob("*.spans.jsonl")) for s in read_spans(path)
    ]
    trace_ids = {s["trace_id"] for s in spans if s["attributes"].get(CASE_ID) == case_id}
    return sorted(
        (s for s in spans if s["trace_id"] in trace_ids), key=lambda s: int(s["start_ns"])
    )
