"""Every bad input gets a clear 4xx (or INVALID_ARGUMENT) naming the field, and writes nothing."""

from __future__ import annotations

from typing import Any

import asyncpg
import grpc
import httpx
import pytest
from harness import field_violations, grpc_auth, petition_body, random_phone

from civicloop.v1 import common_pb2, intake_pb2, intake_pb2_grpc


async def rows_written(db: asyncpg.Pool) -> tuple[int, int, int]:
    return (
        await db.fetchval("SELECT count(*) FROM petitions"),
        await db.fetchval("SELECT count(*) FROM cases"),
        # History, not the outbox: the relay deletes the rows it has sent meanwhile.
        await db.fetchval("SELECT count(*) FROM history"),
    )


BAD_PETITIONS: dict[str, tuple[dict[str, Any], str]] = {
    "missing description": (petition_body(description=...), "description"),
    "empty description": (petition_body(description="   "), "description"),
    "oversized description": (petition_body(description="路" * 4001), "description"),
    "html description": (petition_body(description="<script>alert(1)</script>路灯"), "description"),
    "unknown category": (petition_body(category_code="teleportation"), "category_code"),
    "unknown community": (petition_body(community_code="C999"), "community_code"),
    "latitude out of range": (petition_body(latitude=91.0), "latitude"),
    "longitude out of range": (petition_body(longitude=-181.0), "longitude"),
    "latitude without longitude": (petition_body(longitude=...), "longitude"),
    "longitude without latitude": (petition_body(latitude=...), "latitude"),
    "malformed phone": (petition_body(petitioner_phone="12345"), "petitioner_phone"),
    "unknown field": (petition_body(favourite_colour="red"), "favourite_colour"),
    "wrong type": (petition_body(latitude="north"), "latitude"),
}


@pytest.mark.parametrize("case", sorted(BAD_PETITIONS), ids=sorted(BAD_PETITIONS))
async def test_a_bad_petition_is_refused_naming_the_field(
    case: str, http: httpx.AsyncClient, intake_db: asyncpg.Pool
) -> None:
    body, field = BAD_PETITIONS[case]
    before = await rows_written(intake_db)
    response = await http.post("/v1/petitions", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["title"]
    assert field in [e["field"] for e in problem["errors"]]
    assert await rows_written(intake_db) == before


async def test_a_wrong_content_type_is_refused(
    http: httpx.AsyncClient, intake_db: asyncpg.Pool
) -> None:
    before = await rows_written(intake_db)
    response = await http.post(
        "/v1/petitions",
        content=b"description=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["field"] == "content-type"
    assert await rows_written(intake_db) == before


async def test_invalid_json_is_refused(http: httpx.AsyncClient, intake_db: asyncpg.Pool) -> None:
    before = await rows_written(intake_db)
    response = await http.post(
        "/v1/petitions",
        content='{"description": "路灯'.encode(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"
    assert await rows_written(intake_db) == before


async def test_an_open311_request_without_a_service_code_is_refused(
    http: httpx.AsyncClient, intake_db: asyncpg.Pool
) -> None:
    before = await rows_written(intake_db)
    form = {
        "api_key": "civicloop-dev-open311-key",
        "attribute[community]": "C001",
        "description": "路灯不亮",
        "first_name": "三",
        "last_name": "张",
        "phone": random_phone(),
    }
    for fmt in ("json", "xml"):
        response = await http.post(f"/open311/v2/requests.{fmt}", data=form)
        assert response.status_code == 400
        assert "service_code" in response.text
    assert await rows_written(intake_db) == before


async def test_an_open311_request_without_a_valid_api_key_is_refused(
    http: httpx.AsyncClient, intake_db: asyncpg.Pool
) -> None:
    before = await rows_written(intake_db)
    response = await http.post(
        "/open311/v2/requests.json", data={"api_key": "guessed", "service_code": "streetlight"}
    )
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403
    assert await rows_written(intake_db) == before


async def test_a_bad_grpc_petition_is_invalid_argument_with_field_details(
    grpc_channel: grpc.aio.Channel, intake_db: asyncpg.Pool
) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    before = await rows_written(intake_db)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.SubmitPetition(
            intake_pb2.SubmitPetitionRequest(
                channel=common_pb2.CHANNEL_HOTLINE,
                community_code="C001",
                category_code="nope",
                description="路灯不亮",
                petitioner_name="张三",
                petitioner_phone="123",
                location=common_pb2.GeoPoint(latitude=95, longitude=103.6),
            ),
            metadata=grpc_auth("worker"),
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {"category_code", "petitioner_phone", "latitude"} <= set(field_violations(refused.value))
    assert await rows_written(intake_db) == before


async def test_grpc_without_a_token_is_unauthenticated_and_a_wrong_role_denied(
    grpc_channel: grpc.aio.Channel,
) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    request = intake_pb2.ConsolidateCaseRequest(petition_ids=["x"])
    with pytest.raises(grpc.aio.AioRpcError) as anonymous:
        await stub.ConsolidateCase(request, timeout=10)
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.aio.AioRpcError) as resident:
        await stub.ConsolidateCase(request, metadata=grpc_auth("resident"), timeout=10)
    assert resident.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_an_unknown_path_or_method_gets_a_problem_body(http: httpx.AsyncClient) -> None:
    missing = await http.get("/v1/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["title"] == "Not Found"
    wrong = await http.delete("/v1/petitions")
    assert wrong.status_code == 405 and wrong.json()["status"] == 405


@pytest.mark.parametrize(
    "token", ["garbage", "MjAyMC0wMS0wMXx4", "WyJwZXRpdGlvbnMiLCIyMDI2LTAxLTAxIiwieCJd"]
)
async def test_a_page_token_intake_did_not_issue_is_a_400_naming_it(
    http: httpx.AsyncClient, grpc_channel: grpc.aio.Channel, token: str
) -> None:
    for path in ("/v1/cases", "/v1/petitions"):
        answer = await http.get(
            path, params={"page_token": token}, headers=dict(grpc_auth("office"))
        )
        assert answer.status_code == 400, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"][0]["field"] == "page_token"
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ListCases(
            intake_pb2.ListCasesRequest(page=common_pb2.PageRequest(page_token=token)),
            metadata=grpc_auth("office"),
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(refused.value) == ["page.page_token"]


async def test_cases_page_through_with_the_token_each_page_gives(
    http: httpx.AsyncClient,
) -> None:
    for _ in range(3):
        filed = await http.post("/v1/petitions", json=petition_body(community_code="C011"))
        assert filed.status_code == 201
    office = dict(grpc_auth("office"))
    seen: list[str] = []
    token = ""
    while True:
        params = {"community_code": "C011", "page_size": "2", "page_token": token}
        page = (await http.get("/v1/cases", params=params, headers=office)).json()
        seen += [c["case_id"] for c in page["cases"]]
        token = page["next_page_token"]
        if not token:
            break
    assert len(seen) == len(set(seen)) >= 3
