"""The monthly subsidy verification credential over the real ledger: issued with its log entry,
exported, verified, refused when tampered, revoked through the status list."""

from __future__ import annotations

import hashlib
import json
import subprocess
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import grpc
import httpx
import pytest
from harness import (
    EventTap,
    ServiceProcess,
    civicloop_verify,
    field_violations,
    grpc_auth,
    wait_for,
)

from civicloop.ledger.domain.credentials import (
    bit_is_set,
    decode_status_list,
    public_key_of_did_key,
    verify_proof,
)
from civicloop.v1 import events_pb2, ledger_pb2, ledger_pb2_grpc

WORKER = grpc_auth("worker", subject="worker:C001-07", community="C001")
OFFICE = grpc_auth("office")
SHANGHAI = ZoneInfo("Asia/Shanghai")
NODE_VC = Path(__file__).parent / "node_vc"
REPO = Path(__file__).parents[2]
NodeVerify = Callable[[bytes, dict[str, Any]], dict[str, Any]]


@pytest.fixture(scope="module")
def digital_bazaar(tmp_path_factory: pytest.TempPathFactory) -> NodeVerify:
    """Digital Bazaar's @digitalbazaar/vc with its eddsa-jcs-2022 cryptosuite and Bitstring
    Status List checker, run by node, offline: every document it loads is handed to it."""
    installed = subprocess.run(
        [str(REPO / "scripts" / "node_vc.sh")], capture_output=True, text=True, timeout=600
    )
    assert installed.returncode == 0, installed.stderr
    folder = tmp_path_factory.mktemp("node_vc")

    def verify(vc_json_ld: bytes, documents: dict[str, Any]) -> dict[str, Any]:
        given = folder / f"{uuid.uuid4()}.json"
        given.write_text(json.dumps({"credential": json.loads(vc_json_ld), "documents": documents}))
        done = subprocess.run(
            ["node", str(NODE_VC / "verify.mjs"), str(given)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.stdout, done.stderr
        answer: dict[str, Any] = json.loads(done.stdout)
        assert done.returncode == (0 if answer["verified"] and answer["revoked"] is False else 1)
        return answer

    return verify


async def issuer_documents(ledger: ServiceProcess, vc_json_ld: bytes) -> dict[str, Any]:
    """The issuer's DID document and the status list credential, as the ledger serves them
    (the status list from the test's ledger, under the URL the credential names)."""
    document = json.loads(vc_json_ld)
    status_url = document["credentialStatus"]["statusListCredential"]
    async with httpx.AsyncClient(timeout=10) as client:
        did = (await client.get(f"{ledger.http_url}/.well-known/did.json")).json()
        status = (await client.get(ledger.http_url + urlsplit(status_url).path)).json()
    return {document["issuer"]: did, status_url: status}


@pytest.fixture(scope="module")
def stub(ledger_channel: grpc.aio.Channel) -> Any:
    return ledger_pb2_grpc.LedgerServiceStub(ledger_channel)


def issue_request(**changes: Any) -> ledger_pb2.IssueCredentialRequest:
    now = datetime.now(UTC)
    request = ledger_pb2.IssueCredentialRequest(
        request_id=str(uuid.uuid4()),
        community_code="C001",
        holder_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
        period=now.astimezone(SHANGHAI).strftime("%Y-%m"),
        evidence_type="home_visit",
    )
    request.verified_at.FromDatetime(now - timedelta(minutes=5))
    for name, value in changes.items():
        setattr(request, name, value)
    return request


def revoke_request(
    issued: ledger_pb2.IssueCredentialResponse, reason_code: str
) -> ledger_pb2.RevokeCredentialRequest:
    return ledger_pb2.RevokeCredentialRequest(
        request_id=str(uuid.uuid4()),
        credential_id=issued.credential.credential_id,
        expected_version=issued.credential.version,
        reason_code=reason_code,
    )


async def valid_once_logged(stub: Any, **presented: Any) -> ledger_pb2.VerifyCredentialResponse:
    """VerifyCredential once the issuance is under a signed checkpoint."""

    async def verified() -> ledger_pb2.VerifyCredentialResponse | None:
        answer = await stub.VerifyCredential(
            ledger_pb2.VerifyCredentialRequest(**presented), timeout=10
        )
        return answer if answer.valid else None

    result: ledger_pb2.VerifyCredentialResponse = await wait_for(verified, timeout=20)
    return result


async def test_an_issued_credential_verifies_as_json_ld_and_jwt_and_offline(
    ledger: ServiceProcess, stub: Any, tap: EventTap
) -> None:
    request = issue_request()
    issued = await stub.IssueCredential(request, metadata=WORKER, timeout=10)
    again = await stub.IssueCredential(request, metadata=WORKER, timeout=10)
    assert again.credential.credential_id == issued.credential.credential_id
    document = json.loads(issued.vc_json_ld)
    assert document["type"] == ["VerifiableCredential", "OldAgeSubsidyVerification"]
    assert document["credentialSubject"]["verificationMethod"] == "home_visit"
    assert document["credentialSubject"]["verifiedBy"] == "worker:worker:C001-07"
    assert document["proof"]["cryptosuite"] == "eddsa-jcs-2022"

    answer = await valid_once_logged(
        stub, vc_json_ld=issued.vc_json_ld, expected_holder_hash=request.holder_hash
    )
    assert {c.kind for c in answer.checks if c.passed} == set(range(1, 7))
    assert answer.credential.credential_id == issued.credential.credential_id
    # Announced once its issuance has its place on the log, by the id of that log entry.
    announced = await tap.for_subject(
        issued.credential.credential_id, "civicloop.ledger.credential_issued.v1"
    )
    event = events_pb2.CredentialIssued.FromString(announced.body)
    assert event.leaf_index == answer.credential.leaf_index
    assert event.holder_hash == request.holder_hash and event.period == request.period
    assert document["evidence"][0]["eventId"] == (announced.headers or {})["ce-id"]

    exported = await stub.GetCredential(
        ledger_pb2.GetCredentialRequest(
            credential_id=issued.credential.credential_id,
            formats=[ledger_pb2.CREDENTIAL_FORMAT_VC_JWT],
        ),
        metadata=OFFICE,
        timeout=10,
    )
    [jwt] = exported.exports
    assert jwt.media_type == "application/vc+jwt"
    by_jwt = await stub.VerifyCredential(
        ledger_pb2.VerifyCredentialRequest(vc_jwt=jwt.content.decode()), timeout=10
    )
    assert by_jwt.valid, by_jwt.checks
    signed_part = jwt.content.decode().rsplit(".", 1)[0]
    forged = await stub.VerifyCredential(
        ledger_pb2.VerifyCredentialRequest(vc_jwt=f"{signed_part}.{'A' * 86}"), timeout=10
    )
    assert not forged.valid, forged.checks

    # Offline: the issuer's key from its did:web document, the proof checked locally.
    async with httpx.AsyncClient() as client:
        did = (await client.get(f"{ledger.http_url}/.well-known/did.json")).json()
    verify_proof(document, public_key_of_did_key(did["alsoKnownAs"][0]))


async def test_a_tampered_credential_fails_and_a_malformed_one_is_refused(
    ledger: ServiceProcess, stub: Any
) -> None:
    issued = await stub.IssueCredential(issue_request(), metadata=WORKER, timeout=10)
    await valid_once_logged(stub, vc_json_ld=issued.vc_json_ld)
    document = json.loads(issued.vc_json_ld)
    document["credentialSubject"]["period"] = "2020-01"
    tampered = await stub.VerifyCredential(
        ledger_pb2.VerifyCredentialRequest(vc_json_ld=json.dumps(document).encode()), timeout=10
    )
    assert not tampered.valid
    failed = {c.kind for c in tampered.checks if not c.passed}
    assert ledger_pb2.CREDENTIAL_CHECK_KIND_SIGNATURE in failed
    assert ledger_pb2.CREDENTIAL_CHECK_KIND_LOG_INCLUSION in failed

    for presented, field in (
        ({"vc_json_ld": b"not json"}, "vc_json_ld"),
        ({"vc_json_ld": b"[1, 2]"}, "vc_json_ld"),
        ({"vc_jwt": "a.b"}, "vc_jwt"),
        ({}, "presented"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.VerifyCredential(ledger_pb2.VerifyCredentialRequest(**presented), timeout=10)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field_violations(refused.value) == [field]


async def test_a_revoked_credential_fails_its_status_check(
    ledger: ServiceProcess, stub: Any, tap: EventTap, tmp_path: Path
) -> None:
    issued = await stub.IssueCredential(issue_request(), metadata=WORKER, timeout=10)
    await valid_once_logged(stub, vc_json_ld=issued.vc_json_ld)
    # Offline too, with the issuer key pinned and the status list the ledger serves.
    async with httpx.AsyncClient() as client:
        did = (await client.get(f"{ledger.http_url}/.well-known/did.json")).json()
    vc_file = tmp_path / "vc.json"
    vc_file.write_bytes(issued.vc_json_ld)
    offline = [
        "credential",
        str(vc_file),
        "--issuer-key",
        did["alsoKnownAs"][0],
        "--status-list",
        f"{ledger.http_url}/ledger/status/1",
    ]
    before = civicloop_verify(*offline)
    assert before.returncode == 0, before.stdout + before.stderr
    with pytest.raises(grpc.aio.AioRpcError) as stale:
        await stub.RevokeCredential(
            ledger_pb2.RevokeCredentialRequest(
                request_id="r1",
                credential_id=issued.credential.credential_id,
                expected_version=9,
                reason_code="holder_moved",
            ),
            metadata=OFFICE,
            timeout=10,
        )
    assert stale.value.code() == grpc.StatusCode.ABORTED
    revoke = revoke_request(issued, "holder_moved")
    revoked = await stub.RevokeCredential(revoke, metadata=OFFICE, timeout=10)
    assert revoked.credential.status == ledger_pb2.LEDGER_CREDENTIAL_STATUS_REVOKED
    again = await stub.RevokeCredential(revoke, metadata=OFFICE, timeout=10)
    assert again.status_list_version == revoked.status_list_version
    revoke.request_id = str(uuid.uuid4())
    with pytest.raises(grpc.aio.AioRpcError) as twice:
        await stub.RevokeCredential(revoke, metadata=OFFICE, timeout=10)
    assert twice.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    announced = await tap.for_subject(
        issued.credential.credential_id, "civicloop.ledger.credential_revoked.v1"
    )
    assert events_pb2.CredentialRevoked.FromString(announced.body).reason == "holder_moved"

    answer = await stub.VerifyCredential(
        ledger_pb2.VerifyCredentialRequest(vc_json_ld=issued.vc_json_ld), timeout=10
    )
    assert not answer.valid
    [status] = [c for c in answer.checks if c.kind == ledger_pb2.CREDENTIAL_CHECK_KIND_STATUS]
    assert not status.passed and status.detail == "revoked"
    listed = await stub.GetStatusList(ledger_pb2.GetStatusListRequest(status_list_id="1"))
    assert listed.size >= 131_072 and listed.version == revoked.status_list_version
    after = civicloop_verify(*offline)
    assert after.returncode == 1 and "revoked (bit" in after.stdout, after.stdout + after.stderr
    bits = decode_status_list(listed.encoded_list)
    assert bit_is_set(bits, issued.credential.status_list_index)
    # The holder may get a new credential for the month once the old one is revoked.
    renewed = issue_request(holder_hash=issued.credential.holder_hash)
    await stub.IssueCredential(renewed, metadata=WORKER, timeout=10)


async def test_bad_issuance_requests_are_refused_naming_each_field(stub: Any) -> None:
    request = issue_request(
        community_code="c1", holder_hash="not-a-hash", period="2020-01", evidence_type="sms"
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.IssueCredential(request, metadata=WORKER, timeout=10)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(field_violations(refused.value)) >= {
        "community_code",
        "holder_hash",
        "evidence_type",
        "period",
    }
    first = issue_request()
    await stub.IssueCredential(first, metadata=WORKER, timeout=10)
    duplicate = issue_request(holder_hash=first.holder_hash)
    with pytest.raises(grpc.aio.AioRpcError) as exists:
        await stub.IssueCredential(duplicate, metadata=WORKER, timeout=10)
    assert exists.value.code() == grpc.StatusCode.ALREADY_EXISTS
    with pytest.raises(grpc.aio.AioRpcError) as resident:
        await stub.IssueCredential(issue_request(), metadata=grpc_auth("resident"), timeout=10)
    assert resident.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_digital_bazaar_s_verifier_accepts_it_refuses_it_tampered_and_sees_it_revoked(
    ledger: ServiceProcess, stub: Any, digital_bazaar: NodeVerify
) -> None:
    issued = await stub.IssueCredential(issue_request(), metadata=WORKER, timeout=10)
    answer = digital_bazaar(issued.vc_json_ld, await issuer_documents(ledger, issued.vc_json_ld))
    assert answer == {"verified": True, "revoked": False, "errors": []}

    tampered = json.loads(issued.vc_json_ld)
    tampered["credentialSubject"]["verificationMethod"] = "office_visit"
    documents = await issuer_documents(ledger, issued.vc_json_ld)
    refused = digital_bazaar(json.dumps(tampered).encode(), documents)
    assert refused["verified"] is False and "Invalid signature." in refused["errors"]

    await stub.RevokeCredential(
        revoke_request(issued, "holder_deceased"), metadata=WORKER, timeout=10
    )
    # The library verifies the new status list's own proof and reads the credential's bit.
    revoked = digital_bazaar(issued.vc_json_ld, await issuer_documents(ledger, issued.vc_json_ld))
    assert revoked == {"verified": True, "revoked": True, "errors": []}


async def test_a_community_worker_issues_and_reads_only_for_its_own_community(
    stub: Any,
) -> None:
    other = grpc_auth("worker", subject="worker:C002-01", community="C002")
    unbound = grpc_auth("worker", subject="worker:any")
    for caller in (other, unbound):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.IssueCredential(issue_request(), metadata=caller, timeout=10)
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    issued = await stub.IssueCredential(issue_request(), metadata=WORKER, timeout=10)
    read = ledger_pb2.GetCredentialRequest(credential_id=issued.credential.credential_id)
    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await stub.GetCredential(read, metadata=other, timeout=10)
    assert hidden.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as kept:
        await stub.RevokeCredential(
            revoke_request(issued, "holder_moved"), metadata=other, timeout=10
        )
    assert kept.value.code() == grpc.StatusCode.PERMISSION_DENIED
    for caller in (WORKER, OFFICE, grpc_auth("auditor")):
        found = await stub.GetCredential(read, metadata=caller, timeout=10)
        assert found.credential.status == ledger_pb2.LEDGER_CREDENTIAL_STATUS_ACTIVE
