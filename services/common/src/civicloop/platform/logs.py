"""JSON logs on stderr, each line carrying the current trace and case ids."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

import orjson
from opentelemetry import trace

current_case_id: ContextVar[str | None] = ContextVar("current_case_id", default=None)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            entry["trace_id"] = format(ctx.trace_id, "032x")
            entry["span_id"] = format(ctx.span_id, "016x")
        case_id = current_case_id.get()
        if case_id:
            entry["case_id"] = case_id
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update(extra)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def setup_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's access log would repeat every request; the HTTP span already records it.
    logging.getLogger("uvicorn.access").disabled = True
    for noisy in ("aio_pika", "aiormq"):
        logging.getLogger(noisy).setLevel("WARNING")
