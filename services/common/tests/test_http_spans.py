"""The HTTP server span records route templates, never raw paths: a path may carry a
credential (a rating link's token)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from civicloop.platform import telemetry
from civicloop.platform.http import PlainRoute, Readiness, add_plain_routes, create_http_app

TOKEN = "tK3n-secret_4aQ9vLx2ZpW7mR0sYc5bN8dE1fG6hJ"


async def ready() -> Readiness:
    return Readiness({"accepting": True}, {})


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(telemetry, "_TRACER", provider.get_tracer("test"))
    yield exporter
    provider.shutdown()


async def get(path: str, plain: bool = False) -> httpx.Response:
    app = create_http_app("test", ready, title="test")

    if plain:  # a plain Starlette route, first in the table (rating's page)

        async def plain_page(request: Request) -> Response:
            return JSONResponse({"length": len(request.path_params["token"])})

        add_plain_routes(app, [PlainRoute("/r/{token}", plain_page, methods=["GET"])])
    else:

        @app.get("/r/{token}")
        async def page(token: str) -> dict[str, int]:
            return {"length": len(token)}

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        return await client.get(path)


@pytest.mark.parametrize("plain", [False, True], ids=["fastapi-route", "plain-route"])
async def test_a_matched_request_records_its_route_template_as_its_path(
    spans: InMemorySpanExporter, plain: bool
) -> None:
    assert (await get(f"/r/{TOKEN}", plain)).status_code == 200
    (span,) = spans.get_finished_spans()
    assert span.name == "GET /r/{token}"
    assert span.attributes is not None
    assert span.attributes["url.path"] == span.attributes["http.route"] == "/r/{token}"
    assert TOKEN not in str(dict(span.attributes))


async def test_an_unmatched_request_records_no_path(spans: InMemorySpanExporter) -> None:
    assert (await get(f"/r/{TOKEN}/more")).status_code == 404
    (span,) = spans.get_finished_spans()
    assert span.name == "GET"
    assert span.attributes is not None
    assert "url.path" not in span.attributes
    assert TOKEN not in str(dict(span.attributes))
