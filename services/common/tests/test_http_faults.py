"""The HTTP side of passing faults: readiness fails only for what a service cannot serve
without, and a lost database connection is answered 503 with Retry-After (or run again)."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
from fastapi import Request

from civicloop.platform.db import commit_sent
from civicloop.platform.http import Readiness, create_http_app


async def client_for(readiness: Readiness) -> httpx.AsyncClient:
    async def ready() -> Readiness:
        return readiness

    app = create_http_app("test", ready, title="test")
    runs: list[Any] = []

    @app.post("/flaky/{failures}")
    async def flaky(failures: int, request: Request) -> dict[str, Any]:
        body = await request.json()
        runs.append(body)
        if body.get("commit"):
            commit_sent()
        if len(runs) <= failures:
            raise asyncpg.exceptions.AdminShutdownError("terminating connection")
        return {"runs": len(runs), "body": body}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


READY = Readiness({"accepting": True, "database": True}, {"broker": True, "redis": True})


async def test_a_service_without_redis_stays_ready_and_says_it_is_degraded() -> None:
    async with await client_for(
        Readiness({"accepting": True, "database": True}, {"broker": True, "redis": False})
    ) as client:
        answer = await client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "degraded",
        "checks": {"accepting": True, "database": True, "broker": True, "redis": False},
        "degraded": ["redis"],
    }


async def test_a_service_without_its_database_is_not_ready() -> None:
    async with await client_for(
        Readiness({"accepting": True, "database": False}, {"broker": True})
    ) as client:
        answer = await client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["detail"] == "failing: database"
    assert answer.json()["checks"]["database"] is False


async def test_a_request_that_lost_its_connection_before_commit_runs_again_on_the_same_body() -> (
    None
):
    async with await client_for(READY) as client:
        answer = await client.post("/flaky/1", json={"summary": "路灯不亮"})
    assert answer.status_code == 200
    assert answer.json() == {"runs": 2, "body": {"summary": "路灯不亮"}}


async def test_a_request_that_lost_its_connection_at_commit_answers_503_with_retry_after() -> None:
    async with await client_for(READY) as client:
        answer = await client.post("/flaky/1", json={"commit": True})
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["title"] == "Service unavailable"
