"""Who reads what, and with which token, over the real processes: a department reads only the
cases and rounds it leads or led; petitioner contacts go out only while a rating is awaited,
and every call for them is recorded; history keeps the role a change was made under; tokens
are checked for issuer, audience and lifetime against a key set that rotates without a
restart."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from harness import (
    EventTap,
    Infra,
    bearer,
    delete_namespace,
    grpc_auth,
    new_key,
    petition_body,
    random_phone,
    running,
    service_env,
    wait_for,
)
from jwt.algorithms import OKPAlgorithm
from rating_loop import Loop

from civicloop.platform.auth import ISSUER_DEV, audience_of, mint_dev_token
from civicloop.platform.envelope import EventEnvelope
from civicloop.v1 import (
    dispatch_pb2,
    dispatch_pb2_grpc,
    events_pb2,
    intake_pb2,
    intake_pb2_grpc,
)

OFFICE = grpc_auth("office")
RATING = grpc_auth("service:rating")
# road_damage in C006: transport leads (housing and urban_management assist); when transport
# returns it, the coordinating office (the district's fallback unit) gets it.
FIRST_LEAD, NEXT_LEAD, NEVER_INVOLVED = "transport", "coordination_office", "water_affairs"


def clerk(*departments: str) -> tuple[tuple[str, str], ...]:
    return grpc_auth(*(f"department:{d}" for d in departments), subject=f"clerk:{departments[0]}")


@pytest.fixture
def intake_stub(grpc_channel: grpc.aio.Channel) -> intake_pb2_grpc.IntakeServiceStub:
    return intake_pb2_grpc.IntakeServiceStub(grpc_channel)


@pytest.fixture
def dispatch_stub(dispatch_channel: grpc.aio.Channel) -> dispatch_pb2_grpc.DispatchServiceStub:
    return dispatch_pb2_grpc.DispatchServiceStub(dispatch_channel)


async def routed_case(loop: Loop) -> events_pb2.CaseDispatched:
    """A road damage petition in C006, filed and opened; dispatch's routing of it."""
    case_id = await loop.opened_case(
        [random_phone()], community="C006", category="road_damage", summary="村道中间有个大坑"
    )
    routed = await loop.tap.for_subject(case_id, "civicloop.case.dispatched.v1")
    return events_pb2.CaseDispatched.FromString(routed.body)


async def returned_and_taken_on(loop: Loop) -> tuple[str, dispatch_pb2.ReturnResponse]:
    """A case its first lead returned, and the next lead accepted and began to handle."""
    dispatch = loop.dispatch
    routed = await routed_case(loop)
    assert routed.department_code == FIRST_LEAD
    returned = await dispatch.Return(
        dispatch_pb2.ReturnRequest(
            request_id=new_key(),
            case_id=routed.case_id,
            expected_version=routed.case_version,
            reason_code="outside_jurisdiction",
            reason_text="该路段属于村道，由镇上负责",
        ),
        metadata=clerk(FIRST_LEAD),
        timeout=10,
    )
    assert returned.next.department_code == NEXT_LEAD
    accepted = await dispatch.Accept(
        dispatch_pb2.AcceptRequest(
            request_id=new_key(),
            case_id=routed.case_id,
            expected_version=returned.next.case_version,
        ),
        metadata=clerk(NEXT_LEAD),
        timeout=10,
    )
    await dispatch.UpdateProgress(
        dispatch_pb2.UpdateProgressRequest(
            request_id=new_key(),
            case_id=routed.case_id,
            expected_version=accepted.assignment.case_version,
            measures_taken="已联系镇上修路队",
            progress_percent=20,
        ),
        metadata=clerk(NEXT_LEAD),
        timeout=10,
    )
    return routed.case_id, returned


# ---- narrower reads ----


async def test_a_department_reads_at_intake_only_the_cases_it_leads_or_led(
    loop: Loop, http: httpx.AsyncClient, intake_stub: intake_pb2_grpc.IntakeServiceStub
) -> None:
    case_id, _ = await returned_and_taken_on(loop)

    async def intake_knows_the_next_lead() -> bool:
        case = await http.get(f"/v1/cases/{case_id}", headers=bearer("office"))
        return bool(case.json()["department_code"] == NEXT_LEAD)

    await wait_for(intake_knows_the_next_lead)
    for department in (FIRST_LEAD, NEXT_LEAD):
        headers = bearer(f"department:{department}")
        assert (await http.get(f"/v1/cases/{case_id}", headers=headers)).status_code == 200
        got = await intake_stub.GetCase(
            intake_pb2.GetCaseRequest(case_id=case_id), metadata=clerk(department), timeout=10
        )
        assert got.case.case_id == case_id

    stranger = await http.get(
        f"/v1/cases/{case_id}", headers=bearer(f"department:{NEVER_INVOLVED}")
    )
    assert stranger.status_code == 403
    assert stranger.headers["content-type"].startswith("application/problem+json")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await intake_stub.GetCase(
            intake_pb2.GetCaseRequest(case_id=case_id), metadata=clerk(NEVER_INVOLVED), timeout=10
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # Staff and other services still read every case.
    assert (await http.get(f"/v1/cases/{case_id}", headers=bearer("worker"))).status_code == 200


async def test_a_department_that_returned_a_case_reads_its_own_round_and_not_the_next(
    loop: Loop, dispatch_stub: dispatch_pb2_grpc.DispatchServiceStub
) -> None:
    case_id, returned = await returned_and_taken_on(loop)
    request = dispatch_pb2.GetAssignmentRequest(case_id=case_id)

    earlier = await dispatch_stub.GetAssignment(request, metadata=clerk(FIRST_LEAD), timeout=10)
    current = await dispatch_stub.GetAssignment(request, metadata=clerk(NEXT_LEAD), timeout=10)
    office = await dispatch_stub.GetAssignment(request, metadata=OFFICE, timeout=10)

    assert earlier.assignment.assignment_id == returned.returned.assignment_id
    assert earlier.assignment.department_code == FIRST_LEAD
    assert earlier.assignment.state == dispatch_pb2.ASSIGNMENT_STATE_RETURNED
    assert list(earlier.handling_form) == []  # the next lead's form is not the first's to read
    assert current.assignment.assignment_id == returned.next.assignment_id
    assert [e.measures_taken for e in current.handling_form] == ["已联系镇上修路队"]
    assert office.assignment.assignment_id == returned.next.assignment_id
    assert len(office.handling_form) == 1
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await dispatch_stub.GetAssignment(
            dispatch_pb2.GetAssignmentRequest(assignment_id=returned.next.assignment_id),
            metadata=clerk(FIRST_LEAD),
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    listed = await dispatch_stub.ListAssignments(
        dispatch_pb2.ListAssignmentsRequest(case_id=case_id), metadata=clerk(FIRST_LEAD), timeout=10
    )
    assert [a.assignment_id for a in listed.assignments] == [returned.returned.assignment_id]


# ---- petitioner contacts ----


async def contact_reads(intake_db: asyncpg.Pool, case_id: str) -> list[dict[str, Any]]:
    rows = await intake_db.fetch(
        "SELECT * FROM contact_reads WHERE case_id = $1::uuid ORDER BY id", case_id
    )
    return [dict(r) for r in rows]


async def test_contacts_go_out_only_while_a_rating_is_awaited_and_every_call_is_recorded(
    loop: Loop, intake_db: asyncpg.Pool, intake_stub: intake_pb2_grpc.IntakeServiceStub
) -> None:
    phones = [random_phone(), random_phone()]
    request = intake_pb2.GetPetitionerContactsRequest
    case_id = await loop.opened_case(phones)

    with pytest.raises(grpc.aio.AioRpcError) as too_early:
        await intake_stub.GetPetitionerContacts(
            request(case_id=case_id), metadata=RATING, timeout=10
        )
    assert too_early.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    await loop.complete_round(case_id)
    tokens = [await loop.link_sent_to(phone) for phone in phones]  # rating was given them
    given = await intake_stub.GetPetitionerContacts(
        request(case_id=case_id), metadata=RATING, timeout=10
    )
    assert sorted(c.phone for c in given.contacts) == sorted(phones)

    for token in tokens:
        await loop.rate(token, 5)
    await loop.closed(case_id)

    async def closed_at_intake() -> bool:
        try:
            await intake_stub.GetPetitionerContacts(
                request(case_id=case_id), metadata=RATING, timeout=10
            )
        except grpc.aio.AioRpcError as error:
            return error.code() == grpc.StatusCode.FAILED_PRECONDITION
        return False

    await wait_for(closed_at_intake)
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await intake_stub.GetPetitionerContacts(
            request(case_id=str(uuid.uuid4())), metadata=RATING, timeout=10
        )
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND

    reads = await contact_reads(intake_db, case_id)
    ours = [(r["caller"], r["role"], r["outcome"], r["contacts"]) for r in reads]
    assert ours[0] == ("test-user", "service:rating", "not_awaiting_rating", 0)
    assert ("test-user", "service:rating", "answered", 2) in ours
    assert ours[-1] == ("test-user", "service:rating", "not_awaiting_rating", 0)
    # Rating asked with its own identity, and was answered.
    assert ("service:rating", "service:rating", "answered", 2) in ours
    assert all(r["at"] is not None for r in reads)
    recorded = json.dumps([list(map(str, r.values())) for r in reads], ensure_ascii=False)
    assert not any(phone in recorded for phone in phones)
    assert "张三" not in recorded


async def test_rating_asks_again_soon_when_intake_has_not_yet_heard_of_the_completion(
    loop: Loop, intake_db: asyncpg.Pool
) -> None:
    phone = random_phone()
    case_id = await loop.opened_case([phone])

    async def rating_was_refused() -> bool:
        reads = await contact_reads(intake_db, case_id)
        return any(
            (r["caller"], r["outcome"]) == ("service:rating", "not_awaiting_rating") for r in reads
        )

    # Intake's consumer waits on the case's row while dispatch completes the round and rating
    # asks for the contacts: intake still sees the case in progress, and refuses.
    async with intake_db.acquire() as conn, conn.transaction():
        await conn.execute("SELECT 1 FROM cases WHERE id = $1::uuid FOR UPDATE", case_id)
        await loop.complete_round(case_id)
        await wait_for(rating_was_refused)

    # Told, once intake has caught up: asked again within moments, not minutes.
    assert await loop.link_sent_to(phone)


# ---- history ----


async def test_history_records_the_role_a_change_was_made_under(
    loop: Loop,
    http: httpx.AsyncClient,
    dispatch_stub: dispatch_pb2_grpc.DispatchServiceStub,
    dispatch_db: asyncpg.Pool,
    intake_db: asyncpg.Pool,
    tap: EventTap,
) -> None:
    routed = await routed_case(loop)
    # A clerk of two departments: the one that leads the case is not the first it holds.
    two_departments = clerk("agriculture", FIRST_LEAD)

    accepted = await dispatch_stub.Accept(
        dispatch_pb2.AcceptRequest(
            request_id=new_key(), case_id=routed.case_id, expected_version=routed.case_version
        ),
        metadata=two_departments,
        timeout=10,
    )

    event = EventEnvelope.from_amqp(
        await tap.for_subject(routed.case_id, "civicloop.case.accepted.v1")
    ).payload()
    assert isinstance(event, events_pb2.CaseAccepted)
    assert event.accepted_by.role == f"department:{FIRST_LEAD}"
    row = await dispatch_db.fetchrow(
        "SELECT actor, role FROM history WHERE aggregate_id = $1 AND version = $2",
        routed.case_id,
        accepted.assignment.case_version,
    )
    assert dict(row) == {"actor": "clerk:agriculture", "role": f"department:{FIRST_LEAD}"}
    # A grid worker who is also on the office's staff files as a worker.
    filed = await http.post(
        "/v1/petitions", json=petition_body(), headers=bearer("office", "worker", subject="wang")
    )
    filing = await intake_db.fetchrow(
        "SELECT actor, role FROM history WHERE aggregate_id = $1 AND version = 1",
        filed.json()["case"]["case_id"],
    )
    assert dict(filing) == {"actor": "wang", "role": "worker"}


# ---- tokens ----


def signed_with(key: Ed25519PrivateKey, kid: str, **claims: Any) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER_DEV,
        "aud": audience_of("intake"),
        "sub": "worker:0042",
        "roles": ["worker"],
        "iat": now,
        "exp": now + 600,
        **claims,
    }
    return jwt.encode(body, key, algorithm="EdDSA", headers={"kid": kid})


async def test_a_token_for_another_service_or_issuer_or_too_long_a_life_is_refused(
    http: httpx.AsyncClient,
    intake_stub: intake_pb2_grpc.IntakeServiceStub,
    dispatch_stub: dispatch_pb2_grpc.DispatchServiceStub,
) -> None:
    for_dispatch = grpc_auth("office", services=("dispatch",))
    assert (await http.get("/v1/cases", headers=dict(for_dispatch))).status_code == 401
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await intake_stub.ListCases(intake_pb2.ListCasesRequest(), metadata=for_dispatch)
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    # The same token is good where it was meant to go.
    await dispatch_stub.ListAssignments(
        dispatch_pb2.ListAssignmentsRequest(), metadata=for_dispatch, timeout=10
    )

    long_lived = mint_dev_token(
        "office:1", ["office"], audience=audience_of("intake"), ttl_seconds=24 * 3600
    )
    answer = await http.get("/v1/cases", headers={"authorization": f"Bearer {long_lived}"})
    assert answer.status_code == 401
    assert "lives longer" in answer.json()["detail"]


async def test_a_key_added_to_the_key_set_file_is_trusted_without_a_restart(
    infra: Infra, run: dict[str, Any], tmp_path: Path
) -> None:
    keys = {kid: Ed25519PrivateKey.generate() for kid in ("city-2026-11", "city-2026-12")}
    key_set = tmp_path / "jwks.json"

    def publish(*kids: str) -> None:
        staged = tmp_path / "jwks.json.new"
        staged.write_text(
            json.dumps(
                {
                    "keys": [
                        json.loads(OKPAlgorithm.to_jwk(keys[kid].public_key())) | {"kid": kid}
                        for kid in kids
                    ]
                }
            )
        )
        staged.replace(key_set)  # as a mounted ConfigMap changes: all at once

    publish("city-2026-11")
    namespace = f"{run['namespace']}keys."
    env = service_env(infra, run, f"intake_keys_t{run['id']}") | {
        "CIVICLOOP_NAMESPACE": namespace,
        "CIVICLOOP_JWKS_FILE": str(key_set),
    }
    try:
        async with (
            running(infra, "intake", env, {**run, "dir": tmp_path / "run"}) as intake,
            httpx.AsyncClient(base_url=intake.http_url, timeout=10) as client,
        ):

            async def status(kid: str, **claims: Any) -> int:
                token = signed_with(keys[kid], kid, **claims)
                answer = await client.get("/v1/cases", headers={"authorization": f"Bearer {token}"})
                return answer.status_code

            async def trusted(kid: str) -> bool:
                return await status(kid) == 200

            assert await trusted("city-2026-11")
            assert await status("city-2026-11", iss="https://id.elsewhere.example") == 401
            assert await status("city-2026-12") == 401

            publish("city-2026-11", "city-2026-12")
            assert await wait_for(lambda: trusted("city-2026-12"), timeout=10)
            assert await trusted("city-2026-11")

            publish("city-2026-12")
            assert await wait_for(lambda: _not(trusted("city-2026-11")), timeout=10)
            assert await trusted("city-2026-12")
    finally:
        await delete_namespace(infra, namespace)


async def _not(answer: Any) -> bool:
    return not await answer
