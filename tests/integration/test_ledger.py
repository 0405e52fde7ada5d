"""存证 over real processes: intake, dispatch and the ledger on RabbitMQ and PostgreSQL, checked
with civicloop-verify against the ledger's public HTTP prefix, as anyone outside would."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import httpx
import pytest
from conftest import ledger_env
from harness import (
    EventTap,
    Infra,
    ServiceProcess,
    civicloop_verify,
    field_violations,
    grpc_auth,
    petition_body,
    publish,
    running,
    service_database,
    wait_for,
)

from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.event_types import type_of
from civicloop.platform.grpc_server import client_channel
from civicloop.tlog.checkpoint import open_checkpoint
from civicloop.tlog.evidence import EvidenceLeaf
from civicloop.tlog.note import ED25519, VerifierKey, parse_note
from civicloop.tlog.proofs import verify_consistency, verify_inclusion
from civicloop.v1 import (
    common_pb2,
    events_pb2,
    intake_pb2,
    intake_pb2_grpc,
    ledger_pb2,
    ledger_pb2_grpc,
)

DISPATCHED = type_of(events_pb2.CaseDispatched)
DISPATCH_SERVICE = grpc_auth("service:dispatch", subject="service:dispatch")
OFFICE = grpc_auth("office")


def prefix(ledger: ServiceProcess) -> str:
    return f"{ledger.http_url}/ledger"


def leaf_request(
    event_id: str | None = None, subject: str | None = None, digest: bytes | None = None
) -> ledger_pb2.AppendEvidenceRequest:
    return ledger_pb2.AppendEvidenceRequest(
        leaf=ledger_pb2.LedgerLeaf(
            event_id=event_id or f"evt-{uuid.uuid4()}",
            event_type="civicloop.case.accepted.v1",
            subject=subject or str(uuid.uuid4()),
            event_sha256=digest or hashlib.sha256(uuid.uuid4().bytes).digest(),
        )
    )


@pytest.fixture(scope="session")
async def ledger_stub(ledger_channel: grpc.aio.Channel) -> ledger_pb2_grpc.LedgerServiceAsyncStub:
    return ledger_pb2_grpc.LedgerServiceStub(ledger_channel)  # type: ignore[return-value]


async def log_key(stub: Any) -> VerifierKey:
    checkpoint = (
        await stub.GetCheckpoint(ledger_pb2.GetCheckpointRequest(), timeout=10)
    ).checkpoint
    return VerifierKey(checkpoint.key_name, ED25519, checkpoint.public_key)


async def signed_size_at_least(stub: Any, size: int) -> ledger_pb2.LedgerCheckpoint:
    async def grown() -> ledger_pb2.LedgerCheckpoint | None:
        found = (await stub.GetCheckpoint(ledger_pb2.GetCheckpointRequest(), timeout=10)).checkpoint
        return found if found.tree_size >= size else None

    result: ledger_pb2.LedgerCheckpoint = await wait_for(grown)
    return result


async def test_a_filed_and_dispatched_case_has_its_whole_history_on_the_log(
    http: httpx.AsyncClient,
    grpc_channel: grpc.aio.Channel,
    dispatch: ServiceProcess,
    ledger: ServiceProcess,
    ledger_stub: Any,
    tap: EventTap,
    tmp_path: Path,
) -> None:
    filed = await http.post("/v1/petitions", json=petition_body())
    petition_id = filed.json()["petition"]["petition_id"]
    case_id = filed.json()["case"]["case_id"]
    await intake_pb2_grpc.IntakeServiceStub(grpc_channel).ConsolidateCase(
        intake_pb2.ConsolidateCaseRequest(
            petition_ids=[petition_id],
            list=common_pb2.CASE_LIST_URGENT_NEEDS,
            urgency=common_pb2.URGENCY_UTILITIES,
            summary="小区门口路灯不亮",
        ),
        metadata=OFFICE,
        timeout=10,
    )
    # Every event about the case up to its dispatch, as the services published it.
    published: dict[str, tuple[str, str]] = {}
    while DISPATCHED not in {t for t, _ in published.values()}:
        message = await tap.next(timeout=20)
        headers = message.headers or {}
        if headers.get("ce-subject") == case_id:
            published[str(headers["ce-id"])] = (
                str(headers["ce-type"]),
                hashlib.sha256(message.body).hexdigest(),
            )
    assert len(published) >= 3  # submitted, opened, dispatched at least

    async def evidenced() -> list[ledger_pb2.LedgerEntry] | None:
        listed = await ledger_stub.ListCaseEvidence(
            ledger_pb2.ListCaseEvidenceRequest(case_id=case_id), metadata=OFFICE, timeout=10
        )
        ids = {e.leaf.event_id for e in listed.entries}
        return list(listed.entries) if set(published) <= ids else None

    entries = await wait_for(evidenced, timeout=30)
    assert {e.leaf.event_id: (e.leaf.event_type, e.leaf.event_sha256.hex()) for e in entries} == (
        published
    )
    await signed_size_at_least(ledger_stub, max(e.leaf_index for e in entries) + 1)

    checked = civicloop_verify("bundle", "--log", prefix(ledger), "--case", case_id)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("in the log at") == len(published)
    whole = civicloop_verify("log", "--log", prefix(ledger))
    assert whole.returncode == 0, whole.stdout + whole.stderr
    # The bundle verifies offline too, with the key pinned from elsewhere.
    bundle = tmp_path / "bundle.json"
    bundle.write_bytes(
        (await httpx.AsyncClient().get(f"{prefix(ledger)}/evidence/{case_id}")).content
    )
    key = await log_key(ledger_stub)
    offline = civicloop_verify("bundle", str(bundle), "--log-key", str(key))
    assert offline.returncode == 0, offline.stdout + offline.stderr


async def test_a_redelivered_event_appends_nothing(
    amqp: Any,
    run: dict[str, Any],
    ledger: ServiceProcess,
    ledger_db: asyncpg.Pool,
    ledger_stub: Any,
) -> None:
    case_id = str(uuid.uuid4())
    event = EventEnvelope.wrap(
        events_pb2.CaseAccepted(case_id=case_id, case_version=3),
        source="dispatch",
        subject=case_id,
    )
    await publish(amqp, run["namespace"], event.to_amqp(), event.type, times=3)
    marker = EventEnvelope.wrap(
        events_pb2.CaseAccepted(case_id=case_id, case_version=4), source="dispatch", subject=case_id
    )
    await publish(amqp, run["namespace"], marker.to_amqp(), marker.type)

    async def both_logged() -> bool:
        count = await ledger_db.fetchval(
            "SELECT count(*) FROM log_entries WHERE subject = $1", case_id
        )
        return bool(count == 2)

    await wait_for(both_logged, timeout=20)
    await asyncio.sleep(0)  # the redeliveries were consumed before the marker was logged
    rows = await ledger_db.fetch(
        "SELECT event_id, event_sha256 FROM log_entries WHERE subject = $1 ORDER BY leaf_index",
        case_id,
    )
    assert [r["event_id"] for r in rows] == [event.id, marker.id]
    assert bytes(rows[0]["event_sha256"]) == hashlib.sha256(event.data).digest()
    pending = await ledger_db.fetchval(
        "SELECT count(*) FROM pending_entries WHERE event_id = $1", event.id
    )
    assert pending == 0


async def test_append_evidence_is_idempotent_and_refuses_other_content_and_bad_input(
    ledger: ServiceProcess, ledger_stub: Any
) -> None:
    request = leaf_request()
    first = await ledger_stub.AppendEvidence(request, metadata=DISPATCH_SERVICE, timeout=15)
    again = await ledger_stub.AppendEvidence(request, metadata=DISPATCH_SERVICE, timeout=15)
    assert not first.already_present and again.already_present
    assert again.entry.leaf_index == first.entry.leaf_index
    assert first.entry.appended_by == "service:dispatch"
    leaf = EvidenceLeaf(
        request.leaf.event_id,
        request.leaf.event_type,
        request.leaf.subject,
        request.leaf.event_sha256,
    )
    assert first.entry.leaf_data == leaf.leaf_data and first.entry.leaf_hash == leaf.leaf_hash

    tampered = ledger_pb2.AppendEvidenceRequest()
    tampered.CopyFrom(request)
    tampered.leaf.event_sha256 = hashlib.sha256(b"another story").digest()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await ledger_stub.AppendEvidence(tampered, metadata=DISPATCH_SERVICE, timeout=15)
    assert refused.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert "leaf.event_id" in field_violations(refused.value)

    bad = leaf_request(event_id="has space", subject="two words", digest=b"short")
    with pytest.raises(grpc.aio.AioRpcError) as malformed:
        await ledger_stub.AppendEvidence(bad, metadata=DISPATCH_SERVICE, timeout=15)
    assert malformed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(field_violations(malformed.value)) == {
        "leaf.event_id",
        "leaf.subject",
        "leaf.event_sha256",
    }
    with pytest.raises(grpc.aio.AioRpcError) as not_a_service:
        await ledger_stub.AppendEvidence(leaf_request(), metadata=OFFICE, timeout=15)
    assert not_a_service.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_batch_is_answered_leaf_by_leaf_and_a_bad_leaf_refuses_it_whole(
    ledger: ServiceProcess, ledger_stub: Any
) -> None:
    known = await ledger_stub.AppendEvidence(
        leaf_request(), metadata=DISPATCH_SERVICE, timeout=15
    )
    tampered = ledger_pb2.AppendEvidenceRequest()
    tampered.leaf.CopyFrom(known.entry.leaf)
    tampered.leaf.event_sha256 = hashlib.sha256(b"another story").digest()
    fresh = [leaf_request() for _ in range(3)]
    batch = ledger_pb2.AppendEvidenceBatchRequest(
        leaves=[
            fresh[0],
            ledger_pb2.AppendEvidenceRequest(leaf=known.entry.leaf),
            tampered,
            fresh[1],
            fresh[0],  # the same event twice in one call: appended once
            fresh[2],
        ]
    )
    answered = await ledger_stub.AppendEvidenceBatch(batch, metadata=DISPATCH_SERVICE, timeout=15)
    results = answered.results
    assert [r.WhichOneof("outcome") for r in results] == [
        "appended", "appended", "refused", "appended", "appended", "appended"
    ]
    assert results[1].appended.already_present
    assert results[1].appended.entry.leaf_index == known.entry.leaf_index
    assert results[2].refused.code == "ALREADY_EXISTS"
    assert results[2].refused.field == "leaves[2].leaf.event_id"
    new = [results[i].appended for i in (0, 3, 5)]
    assert not any(a.already_present for a in new)
    indexes = [a.entry.leaf_index for a in new]
    assert indexes == sorted(indexes) and len(set(indexes)) == 3
    assert results[4].appended.already_present
    assert results[4].appended.entry.leaf_index == indexes[0]
    for request, appended in zip(fresh, new, strict=True):
        assert appended.entry.leaf.event_id == request.leaf.event_id
        assert appended.entry.appended_by == "service:dispatch"
    again = await ledger_stub.AppendEvidenceBatch(
        ledger_pb2.AppendEvidenceBatchRequest(leaves=fresh),
        metadata=DISPATCH_SERVICE,
        timeout=15,
    )
    assert [r.appended.entry.leaf_index for r in again.results] == indexes
    assert all(r.appended.already_present for r in again.results)
    checkpoint = await signed_size_at_least(ledger_stub, max(indexes) + 1)
    proof = await ledger_stub.GetInclusionProof(
        ledger_pb2.GetInclusionProofRequest(
            event_id=fresh[2].leaf.event_id, tree_size=checkpoint.tree_size
        ),
        timeout=10,
    )
    verify_inclusion(
        indexes[2],
        checkpoint.tree_size,
        new[2].entry.leaf_hash,
        proof.audit_path,
        checkpoint.root_hash,
    )

    unwritten = leaf_request()
    bad = leaf_request(event_id="has space", digest=b"short")
    with pytest.raises(grpc.aio.AioRpcError) as malformed:
        await ledger_stub.AppendEvidenceBatch(
            ledger_pb2.AppendEvidenceBatchRequest(leaves=[unwritten, unwritten, bad]),
            metadata=DISPATCH_SERVICE,
            timeout=15,
        )
    assert malformed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(field_violations(malformed.value)) == {
        "leaves[2].leaf.event_id",
        "leaves[2].leaf.event_sha256",
    }
    with pytest.raises(grpc.aio.AioRpcError) as empty:
        await ledger_stub.AppendEvidenceBatch(
            ledger_pb2.AppendEvidenceBatchRequest(), metadata=DISPATCH_SERVICE, timeout=15
        )
    assert empty.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(empty.value) == ["leaves"]
    with pytest.raises(grpc.aio.AioRpcError) as not_a_service:
        await ledger_stub.AppendEvidenceBatch(
            ledger_pb2.AppendEvidenceBatchRequest(leaves=[unwritten]), metadata=OFFICE, timeout=15
        )
    assert not_a_service.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # Nothing of a refused call was written.
    with pytest.raises(grpc.aio.AioRpcError) as absent:
        await ledger_stub.GetInclusionProof(
            ledger_pb2.GetInclusionProofRequest(event_id=unwritten.leaf.event_id), timeout=10
        )
    assert absent.value.code() == grpc.StatusCode.NOT_FOUND


async def test_proofs_verify_against_signed_checkpoints_and_bad_sizes_are_refused(
    ledger: ServiceProcess, ledger_stub: Any
) -> None:
    appended = [
        await ledger_stub.AppendEvidence(leaf_request(), metadata=DISPATCH_SERVICE, timeout=15)
        for _ in range(5)
    ]
    old = await signed_size_at_least(ledger_stub, appended[2].entry.leaf_index + 1)
    for _ in range(3):
        await ledger_stub.AppendEvidence(leaf_request(), metadata=DISPATCH_SERVICE, timeout=15)
    new = await signed_size_at_least(ledger_stub, old.tree_size + 3)
    key = await log_key(ledger_stub)
    trusted = open_checkpoint(
        parse_note((await httpx.AsyncClient().get(f"{prefix(ledger)}/checkpoint")).text), key
    )
    assert trusted.checkpoint.size >= new.tree_size

    target = appended[1].entry
    proof = await ledger_stub.GetInclusionProof(
        ledger_pb2.GetInclusionProofRequest(event_id=target.leaf.event_id, tree_size=old.tree_size),
        timeout=10,
    )
    verify_inclusion(
        target.leaf_index, old.tree_size, target.leaf_hash, proof.audit_path, old.root_hash
    )
    consistency = await ledger_stub.GetConsistencyProof(
        ledger_pb2.GetConsistencyProofRequest(
            first_tree_size=old.tree_size, second_tree_size=new.tree_size
        ),
        timeout=10,
    )
    verify_consistency(
        old.tree_size, new.tree_size, old.root_hash, new.root_hash, consistency.proof
    )
    at_old = await ledger_stub.GetCheckpoint(
        ledger_pb2.GetCheckpointRequest(tree_size=old.tree_size), timeout=10
    )
    assert at_old.checkpoint == old

    beyond = trusted.checkpoint.size + 1000
    refusals = [
        (ledger_pb2.GetInclusionProofRequest(leaf_index=0, tree_size=beyond), "tree_size"),
        (ledger_pb2.GetInclusionProofRequest(leaf_index=-1), "leaf_index"),
        (ledger_pb2.GetInclusionProofRequest(event_id="two words"), "event_id"),
        (ledger_pb2.GetInclusionProofRequest(), "leaf"),
        (ledger_pb2.GetConsistencyProofRequest(first_tree_size=0), "first_tree_size"),
        (
            ledger_pb2.GetConsistencyProofRequest(first_tree_size=1, second_tree_size=beyond),
            "second_tree_size",
        ),
        (ledger_pb2.GetCheckpointRequest(tree_size=beyond), "tree_size"),
        (ledger_pb2.ListCaseEvidenceRequest(case_id="case-1"), "case_id"),
    ]
    for request, field in refusals:
        call = {
            ledger_pb2.GetInclusionProofRequest: ledger_stub.GetInclusionProof,
            ledger_pb2.GetConsistencyProofRequest: ledger_stub.GetConsistencyProof,
            ledger_pb2.GetCheckpointRequest: ledger_stub.GetCheckpoint,
            ledger_pb2.ListCaseEvidenceRequest: ledger_stub.ListCaseEvidence,
        }[type(request)]
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call(request, metadata=OFFICE, timeout=10)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, (request, refused.value)
        assert field_violations(refused.value) == [field], request


@pytest.fixture
async def own_ledger(
    infra: Infra, run: dict[str, Any], intake: ServiceProcess
) -> AsyncIterator[tuple[ServiceProcess, str]]:
    """A ledger on a database of its own, for tests that damage or kill it."""
    database = f"ledger_own_{uuid.uuid4().hex[:8]}"
    env = ledger_env(infra, run, database) | {
        # Not on the run's events: this ledger sees only what the test appends.
        "CIVICLOOP_NAMESPACE": f"{run['namespace']}own{uuid.uuid4().hex[:6]}.",
    }
    async with running(infra, "ledger", env, run) as service:
        yield service, database


async def test_a_row_changed_in_postgresql_is_refused_by_the_verifier_naming_the_entry(
    infra: Infra, own_ledger: tuple[ServiceProcess, str]
) -> None:
    ledger, database = own_ledger
    channel = client_channel(ledger.grpc_target)
    stub: Any = ledger_pb2_grpc.LedgerServiceStub(channel)
    case_id = str(uuid.uuid4())
    for n in range(6):
        await stub.AppendEvidence(
            leaf_request(subject=case_id if n % 2 else None), metadata=DISPATCH_SERVICE, timeout=15
        )
    await signed_size_at_least(stub, 6)
    await channel.close()
    assert civicloop_verify("bundle", "--log", prefix(ledger), "--case", case_id).returncode == 0

    async with service_database(infra, database) as db:
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await db.execute("UPDATE log_entries SET event_type = 'x' WHERE leaf_index = 3")
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await db.execute("DELETE FROM log_entries WHERE leaf_index = 3")
        await db.execute("DROP TRIGGER log_entries_append_only ON log_entries")
        await db.execute(
            "UPDATE log_entries SET event_sha256 = $1 WHERE leaf_index = 3",
            hashlib.sha256(b"a quieter history").digest(),
        )

    bundle = civicloop_verify("bundle", "--log", prefix(ledger), "--case", case_id)
    assert bundle.returncode == 1, bundle.stdout + bundle.stderr
    assert "FAILED entry 1 (leaf 3," in bundle.stdout
    whole = civicloop_verify("log", "--log", prefix(ledger))
    assert whole.returncode == 1, whole.stdout + whole.stderr
    assert "FAILED entry 3 (civicloop.case.accepted.v1" in whole.stdout
    assert "does not hash to the leaf the tree holds" in whole.stdout


async def test_sigkill_mid_batch_loses_no_acknowledged_append_and_signs_no_fork(
    infra: Infra, own_ledger: tuple[ServiceProcess, str], tmp_path: Path
) -> None:
    ledger, database = own_ledger
    channel = client_channel(ledger.grpc_target)
    stub: Any = ledger_pb2_grpc.LedgerServiceStub(channel)
    for _ in range(3):
        await stub.AppendEvidence(leaf_request(), metadata=DISPATCH_SERVICE, timeout=15)
    before = tmp_path / "before.checkpoint"
    await signed_size_at_least(stub, 3)
    async with httpx.AsyncClient() as client:
        before.write_text((await client.get(f"{prefix(ledger)}/checkpoint")).text)

    acknowledged: list[str] = []

    async def appender() -> None:
        while True:
            request = leaf_request()
            try:
                await stub.AppendEvidence(request, metadata=DISPATCH_SERVICE, timeout=15)
            except grpc.aio.AioRpcError:
                return
            acknowledged.append(request.leaf.event_id)

    writers = [asyncio.create_task(appender()) for _ in range(16)]
    await wait_for(lambda: len(acknowledged) >= 200, timeout=60)
    ledger.kill()  # SIGKILL, while 16 writers keep appending
    await asyncio.gather(*writers)
    await channel.close()

    ledger.start()
    await ledger.wait_ready()
    channel = client_channel(ledger.grpc_target)
    stub = ledger_pb2_grpc.LedgerServiceStub(channel)
    async with service_database(infra, database) as db:
        logged = {
            r["event_id"]
            for r in await db.fetch(
                "SELECT event_id FROM log_entries WHERE event_id = ANY($1::text[])", acknowledged
            )
        }
        assert set(acknowledged) <= logged
        size = await db.fetchval("SELECT count(*) FROM log_entries")
        assert size == await db.fetchval("SELECT max(leaf_index) + 1 FROM log_entries")
        sizes = await db.fetch("SELECT tree_size FROM checkpoints ORDER BY tree_size")
        assert len(sizes) == len({r["tree_size"] for r in sizes})
    await signed_size_at_least(stub, size)
    await channel.close()

    consistent = civicloop_verify("consistency", str(before), "--log", prefix(ledger))
    assert consistent.returncode == 0, consistent.stdout + consistent.stderr
    whole = civicloop_verify("log", "--log", prefix(ledger))
    assert whole.returncode == 0, whole.stdout + whole.stderr


async def test_each_signed_checkpoint_is_announced(
    ledger: ServiceProcess, ledger_stub: Any, tap: EventTap
) -> None:
    appended = await ledger_stub.AppendEvidence(
        leaf_request(), metadata=DISPATCH_SERVICE, timeout=15
    )
    covering = appended.entry.leaf_index + 1
    while True:
        message = await tap.for_subject(
            "civicloop.example/ledger/v1", "civicloop.ledger.checkpoint_signed.v1", timeout=20
        )
        event = events_pb2.CheckpointSigned.FromString(message.body)
        if event.tree_size >= covering:
            break
    signed = await ledger_stub.GetCheckpoint(
        ledger_pb2.GetCheckpointRequest(tree_size=event.tree_size), timeout=10
    )
    assert event.root_hash == signed.checkpoint.root_hash
    assert event.signature == signed.checkpoint.signature
