"""Intake tried as an attacker would, over the real process: bodies too large to read, text
that breaks feeds or the database, forwarded addresses that are not the client's, and a
property-based fuzzer over intake's own OpenAPI document."""

from __future__ import annotations

import asyncio
import os
import select
import socket
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import httpx
import hypothesis
import pytest
import schemathesis
from harness import (
    EventTap,
    Infra,
    ServiceProcess,
    bearer,
    grpc_auth,
    open311_form,
    petition_body,
    random_phone,
    running,
    service_env,
)
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st

from civicloop.platform.grpc_server import client_channel
from civicloop.v1 import common_pb2, events_pb2, intake_pb2, intake_pb2_grpc

MEGABYTE = 1024 * 1024
# Examples per operation: a few dozen keep the suite's run short; more find more
# (CIVICLOOP_FUZZ_EXAMPLES=500 for a longer hunt).
FUZZ_EXAMPLES = int(os.environ.get("CIVICLOOP_FUZZ_EXAMPLES", "25"))


def grpc_petition(**overrides: Any) -> intake_pb2.SubmitPetitionRequest:
    fields = {
        "channel": common_pb2.CHANNEL_GRID_WORKER,
        "community_code": "C001",
        "category_code": "streetlight",
        "description": "路灯不亮",
        "petitioner_name": "李阿姨",
        "petitioner_phone": random_phone(),
    }
    return intake_pb2.SubmitPetitionRequest(**{**fields, **overrides})


def resident_memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def status_line(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def post_streamed_body(port: int, total: int, chunk: int = 64 * 1024) -> tuple[int, int]:
    """POST a chunked JSON body of up to ``total`` bytes, stopping as soon as the server
    answers; the status and how many bytes were sent."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(
            b"POST /v1/petitions HTTP/1.1\r\nhost: intake\r\ncontent-type: application/json\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        piece = b"%x\r\n" % chunk + b" " * chunk + b"\r\n"
        try:
            while sent < total:
                if select.select([conn], [], [], 0)[0]:
                    break  # answered before the body ended
                conn.sendall(piece)
                sent += chunk
        except (BrokenPipeError, ConnectionResetError):
            pass
        conn.settimeout(30)
        return status_line(conn.recv(65536)), sent


def post_declared_body(port: int, length: int) -> tuple[int, bytes]:
    """Only the headers of a POST declaring ``length`` bytes: the server must answer unread."""
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(
            b"POST /v1/petitions HTTP/1.1\r\nhost: intake\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\n\r\n" % length
        )
        conn.settimeout(30)
        answer = conn.recv(65536)
        return status_line(answer), answer


async def test_a_100_mb_body_is_refused_unread_and_does_not_grow_the_process(
    intake: ServiceProcess, http: httpx.AsyncClient
) -> None:
    assert intake.process is not None
    before = resident_memory_kib(intake.process.pid)

    status, answer = await asyncio.to_thread(post_declared_body, intake.http_port, 100 * MEGABYTE)
    assert status == 413
    assert b"application/problem+json" in answer
    status, sent = await asyncio.to_thread(post_streamed_body, intake.http_port, 100 * MEGABYTE)
    assert status == 413
    assert sent < 100 * MEGABYTE

    grown_kib = resident_memory_kib(intake.process.pid) - before
    assert grown_kib < 16 * 1024, f"the process grew by {grown_kib} KiB"
    assert (await http.post("/v1/petitions", json=petition_body())).status_code == 201


async def test_an_open311_form_with_a_file_part_is_refused(http: httpx.AsyncClient) -> None:
    answer = await http.post(
        "/open311/v2/requests.json",
        data=open311_form(),
        files={"media": ("photo.jpg", b"\xff\xd8" + b"0" * 1000, "image/jpeg")},
    )
    assert answer.status_code == 400
    assert "media_url" in answer.json()[0]["description"]


async def test_a_nul_byte_in_a_query_parameter_is_refused_before_the_database(
    http: httpx.AsyncClient,
) -> None:
    answer = await http.get("/v1/cases?category_code=%00T", headers=bearer("office"))
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"field": "category_code", "detail": answer.json()["errors"][0]["detail"]}
    ]
    assert "NUL" in answer.json()["detail"]


async def test_a_nul_byte_in_a_grpc_string_is_invalid_argument_naming_the_field(
    grpc_channel: grpc.aio.Channel,
) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ListCases(
            intake_pb2.ListCasesRequest(category_code="\x00T"),
            metadata=grpc_auth("office"),
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "category_code" in (refused.value.details() or "")


async def test_a_grpc_message_over_the_receive_cap_is_refused(
    grpc_channel: grpc.aio.Channel,
) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.SubmitPetition(
            grpc_petition(description="灯" * (40 * 1024)),
            metadata=grpc_auth("worker"),
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


async def test_text_xml_cannot_carry_is_refused_and_open311_xml_stays_well_formed(
    http: httpx.AsyncClient, intake_db: asyncpg.Pool
) -> None:
    for text in ("路灯不亮\uffff", "路灯\x01不亮", "路灯\u202e亮不"):
        answer = await http.post("/v1/petitions", json=petition_body(description=text))
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "description"

    filed = (await http.post("/v1/petitions", json=petition_body())).json()["petition"]
    # A row written before the rules held such text: the feed must still parse.
    await intake_db.execute(
        "UPDATE petitions SET description = description || $2 WHERE id = $1",
        uuid.UUID(filed["petition_id"]),
        "\uffff\ufffe\x0b\u202e",
    )
    xml = await http.get(f"/open311/v2/requests/{filed['petition_id']}.xml")
    root = ET.fromstring(xml.content)
    assert root.findtext("request/description") == filed["description"]
    listed = await http.get(
        "/open311/v2/requests.xml", params={"service_request_id": filed["petition_id"]}
    )
    assert ET.fromstring(listed.content).findtext("request/service_request_id")


async def test_open311_get_shows_the_public_view_only(http: httpx.AsyncClient) -> None:
    phone = random_phone()
    filed = await http.post(
        "/open311/v2/requests.json",
        data=open311_form(
            description=f"柏条河路积水，请联系{phone}",
            address_string="莲花小区3栋2单元501",
            phone=phone,
            lat="30.9985123",
            long="103.6290456",
        ),
    )
    assert filed.status_code == 201, filed.text
    request_id = filed.json()[0]["service_request_id"]

    shown = (await http.get(f"/open311/v2/requests/{request_id}.json")).json()[0]

    assert "3栋2单元501" not in str(shown)
    assert phone not in str(shown)
    assert shown["description"] == f"柏条河路积水，请联系{phone[:3]}****{phone[-4:]}"
    assert (shown["lat"], shown["long"]) == (30.999, 103.629)
    assert shown["address"] == "莲花社区"


async def test_a_split_reason_reaches_its_event_redacted_and_markup_is_refused(
    http: httpx.AsyncClient, grpc_channel: grpc.aio.Channel, tap: EventTap
) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    office = grpc_auth("office")
    filed = [
        (await http.post("/v1/petitions", json=petition_body(community_code="C006"))).json()
        for _ in range(2)
    ]
    ids = [f["petition"]["petition_id"] for f in filed]
    await stub.ConsolidateCase(
        intake_pb2.ConsolidateCaseRequest(
            petition_ids=ids,
            review_before_opening=True,
            list=common_pb2.CASE_LIST_URGENT_NEEDS,
            urgency=common_pb2.URGENCY_GENERAL,
            summary="路灯不亮",
        ),
        metadata=office,
        timeout=10,
    )
    for reason in ("<a href='x'>不是同一个问题</a>", "不是同一个问题&#x202e;"):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.SplitPetition(
                intake_pb2.SplitPetitionRequest(petition_id=ids[1], reason=reason),
                metadata=office,
                timeout=10,
            )
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "reason" in (refused.value.details() or "")

    phone = random_phone()
    await stub.SplitPetition(
        intake_pb2.SplitPetitionRequest(petition_id=ids[1], reason=f"另一户 {phone} 的问题"),
        metadata=office,
        timeout=10,
    )
    split = await tap.for_subject(filed[0]["case"]["case_id"], "civicloop.petition.split.v1")
    reason = events_pb2.PetitionSplit.FromString(split.body).reason
    assert reason == f"另一户 {phone[:3]}****{phone[-4:]} 的问题"


@pytest.fixture
async def limited_intake(infra: Infra, run: dict[str, Any]) -> AsyncIterator[ServiceProcess]:
    """An intake of its own taking 3 filings per client address a minute."""
    env = {
        **service_env(infra, run, f"intake_t{run['id']}_limits"),
        "CIVICLOOP_NAMESPACE": f"{run['namespace']}limits{uuid.uuid4().hex[:6]}.",
        "INTAKE_LIMIT_PER_ADDRESS_MINUTE": "3",
    }
    async with running(infra, "intake", env, run) as service:
        yield service


async def test_a_forwarded_address_from_an_untrusted_peer_is_not_the_client(
    limited_intake: ServiceProcess,
) -> None:
    """No proxy is trusted by default: a client naming a new address in each X-Forwarded-For
    is still counted as itself. (Seven filings span at most two windows of three.)"""
    async with httpx.AsyncClient(base_url=limited_intake.http_url, timeout=10) as client:
        statuses = [
            (
                await client.post(
                    "/v1/petitions",
                    json=petition_body(),
                    headers={"x-forwarded-for": f"198.51.100.{n}"},
                )
            ).status_code
            for n in range(7)
        ]
    assert 429 in statuses, statuses

    channel = client_channel(limited_intake.grpc_target)
    stub = intake_pb2_grpc.IntakeServiceStub(channel)
    codes = []
    try:
        for n in range(7):
            try:
                await stub.SubmitPetition(
                    grpc_petition(),
                    metadata=(*grpc_auth("worker"), ("x-forwarded-for", f"198.51.100.{n}")),
                    timeout=10,
                )
                codes.append(grpc.StatusCode.OK)
            except grpc.aio.AioRpcError as refused:
                codes.append(refused.code())
    finally:
        await channel.close()
    # Filing over gRPC is limited per calling peer too.
    assert grpc.StatusCode.RESOURCE_EXHAUSTED in codes, codes


# Appended to every generated query and path parameter of an example: what generators reach
# only by chance (NUL, which PostgreSQL refuses in text; non-characters; a bidi override).
POISONS = st.sampled_from(["", "\x00", "\ufffe", "\u202e", "\x0b"])


def poisoned(values: dict[str, Any] | None, poison: str) -> dict[str, Any] | None:
    if not values or not poison:
        return values
    return {k: f"{v}{poison}" if isinstance(v, str) else v for k, v in values.items()}


def fuzz(base_url: str, headers: dict[str, str], examples: int) -> list[str]:
    """Every operation of the service's OpenAPI document with generated requests (valid and
    not, some with a hostile character added); what answered 5xx, as curl commands."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    for found in schema.get_all_operations():
        operation = found.ok()

        @hypothesis.settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy(), poison=POISONS)
        def exercise(case: schemathesis.Case, poison: str) -> None:
            case.query = poisoned(case.query, poison)
            case.path_parameters = poisoned(case.path_parameters, poison)
            response = case.call(base_url=base_url, headers=headers)
            if response.status_code >= 500:
                failures.append(f"{response.status_code}: {case.as_curl_command()}")

        exercise()
    return failures


async def test_a_fuzzer_over_intakes_openapi_document_finds_no_server_error(
    intake: ServiceProcess,
) -> None:
    failures = await asyncio.to_thread(fuzz, intake.http_url, bearer("office"), FUZZ_EXAMPLES)
    assert not failures, "\n".join(failures[:20])


async def test_a_fuzzer_over_ratings_openapi_document_finds_no_server_error(
    rating: ServiceProcess,
) -> None:
    """Dispatch's HTTP side is health, readiness and metrics only (its API is gRPC); rating's
    public JSON is fuzzed the same way."""
    failures = await asyncio.to_thread(fuzz, rating.http_url, bearer("office"), FUZZ_EXAMPLES)
    assert not failures, "\n".join(failures[:20])
