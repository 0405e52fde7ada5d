"""Witnesses over real processes: two departments' civicloop-witness (civil affairs, finance)
cosign the ledger's checkpoints, and refuse a forked or rewritten log."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from conftest import ledger_env
from harness import (
    Infra,
    ServiceProcess,
    WitnessProcess,
    civicloop_verify,
    grpc_auth,
    running,
    started,
    wait_for,
)
from test_credential_exports import once_logged
from test_credentials import issue_request

from civicloop.ledger.settings import (
    DEFAULT_ORIGIN,
    DEV_LOG_VKEY,
    DEV_WITNESS_VKEYS,
    development_key,
)
from civicloop.platform.grpc_server import client_channel
from civicloop.tlog.checkpoint import ledger_checkpoint, open_checkpoint, sign_checkpoint
from civicloop.tlog.note import parse_note, parse_verifier_key
from civicloop.tlog.witness import format_add_checkpoint
from civicloop.v1 import ledger_pb2, ledger_pb2_grpc

DISPATCH_SERVICE = grpc_auth("service:dispatch", subject="service:dispatch")
DEPARTMENTS = ("civil-affairs", "finance")


@pytest.fixture
async def witnessed(
    infra: Infra, run: dict[str, Any], intake: ServiceProcess
) -> AsyncIterator[tuple[ServiceProcess, list[WitnessProcess]]]:
    """A ledger of its own whose checkpoints the two departments' witnesses cosign."""
    witnesses = [
        WitnessProcess(name, {"ORIGIN": DEFAULT_ORIGIN, "LOG_KEY": DEV_LOG_VKEY}, Path(run["dir"]))
        for name in DEPARTMENTS
    ]
    async with started(witnesses[0]), started(witnesses[1]):
        env = ledger_env(infra, run, f"ledger_w_{uuid.uuid4().hex[:8]}") | {
            "CIVICLOOP_NAMESPACE": f"{run['namespace']}w{uuid.uuid4().hex[:6]}.",
            "LEDGER_WITNESSES": ",".join(
                f"{w.add_checkpoint_url} {DEV_WITNESS_VKEYS[w.name]}" for w in witnesses
            ),
        }
        async with running(infra, "ledger", env, run) as ledger:
            yield ledger, witnesses


async def append(ledger: ServiceProcess, count: int) -> None:
    channel = client_channel(ledger.grpc_target)
    stub: Any = ledger_pb2_grpc.LedgerServiceStub(channel)
    for _ in range(count):
        await stub.AppendEvidence(
            ledger_pb2.AppendEvidenceRequest(
                leaf=ledger_pb2.LedgerLeaf(
                    event_id=f"evt-{uuid.uuid4()}",
                    event_type="civicloop.case.completed.v1",
                    subject=str(uuid.uuid4()),
                    event_sha256=hashlib.sha256(uuid.uuid4().bytes).digest(),
                )
            ),
            metadata=DISPATCH_SERVICE,
            timeout=15,
        )
    await channel.close()


async def cosigned_checkpoint(ledger: ServiceProcess, size: int) -> str:
    """The ledger's checkpoint once it is of `size` leaves or more and both have cosigned."""
    witness_keys = [parse_verifier_key(v) for v in DEV_WITNESS_VKEYS.values()]
    log_key = parse_verifier_key(DEV_LOG_VKEY)

    async def ready() -> str | None:
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"{ledger.http_url}/ledger/checkpoint")).text
        trusted = open_checkpoint(text, log_key, witness_keys)
        return text if trusted.checkpoint.size >= size and len(trusted.cosignatures) == 2 else None

    found: str = await wait_for(ready, timeout=30)
    return found


async def test_both_departments_cosign_each_checkpoint_and_the_verifier_requires_them(
    witnessed: tuple[ServiceProcess, list[WitnessProcess]], tmp_path: Path
) -> None:
    ledger, _ = witnessed
    await append(ledger, 5)
    first = tmp_path / "first.checkpoint"
    first.write_text(await cosigned_checkpoint(ledger, 5))
    await append(ledger, 7)
    await cosigned_checkpoint(ledger, 12)

    pins = ["--log-key", DEV_LOG_VKEY]
    for vkey in DEV_WITNESS_VKEYS.values():
        pins += ["--witness-key", vkey]
    checked = civicloop_verify("checkpoint", "--log", f"{ledger.http_url}/ledger", *pins)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "civicloop.example/witness/civil-affairs" in checked.stdout
    assert "civicloop.example/witness/finance" in checked.stdout
    grown = civicloop_verify("consistency", str(first), "--log", f"{ledger.http_url}/ledger", *pins)
    assert grown.returncode == 0, grown.stdout + grown.stderr
    async with httpx.AsyncClient() as client:
        keys = (await client.get(f"{ledger.http_url}/ledger/keys")).text
    assert keys.count("witness ") == 2 and f"log {DEV_LOG_VKEY}" in keys


async def test_a_forked_or_rewritten_log_is_refused_by_the_witnesses(
    witnessed: tuple[ServiceProcess, list[WitnessProcess]],
) -> None:
    ledger, witnesses = witnessed
    await append(ledger, 4)
    text = await cosigned_checkpoint(ledger, 4)
    size = open_checkpoint(text, parse_verifier_key(DEV_LOG_VKEY)).checkpoint.size
    # Whoever holds the log's key (the log itself, or a thief) signs another history.
    log_signer = development_key("dev-log-key.txt")

    def forged(tree_size: int) -> str:
        root = hashlib.sha256(b"another history %d" % tree_size).digest()
        return sign_checkpoint(
            ledger_checkpoint(DEFAULT_ORIGIN, tree_size, root, datetime.now(UTC)), log_signer
        ).format()

    async with httpx.AsyncClient() as client:
        for witness in witnesses:
            same_size = await client.post(
                witness.add_checkpoint_url,
                content=format_add_checkpoint(size, [], parse_note(forged(size))),
            )
            assert same_size.status_code == 422, same_size.text
            assert "forked" in same_size.text
            rewritten = await client.post(
                witness.add_checkpoint_url,
                content=format_add_checkpoint(
                    size, [hashlib.sha256(b"x").digest()] * 3, parse_note(forged(size + 3))
                ),
            )
            assert rewritten.status_code == 422, rewritten.text
            rolled_back = await client.post(
                witness.add_checkpoint_url,
                content=format_add_checkpoint(size - 1, [], parse_note(forged(size - 1))),
            )
            assert rolled_back.status_code == 409
            assert rolled_back.text.strip() == str(size)
            unsigned = await client.post(
                witness.add_checkpoint_url, content=b"old 0\n\nnot a checkpoint\n"
            )
            assert unsigned.status_code == 400
    # The witnesses kept cosigning the real log after refusing the forgeries.
    await append(ledger, 2)
    await cosigned_checkpoint(ledger, size + 2)


async def test_a_stored_hash_changed_in_postgresql_makes_the_witnesses_refuse_the_next_checkpoint(
    witnessed: tuple[ServiceProcess, list[WitnessProcess]],
) -> None:
    ledger, witnesses = witnessed
    await append(ledger, 5)
    await cosigned_checkpoint(ledger, 5)
    # The tree of 5 leaves is the subtree of leaves 0..3 and leaf 4: rewrite the first.
    db = await asyncpg.connect(ledger.env["DATABASE_URL"])
    try:
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await db.execute("UPDATE subtrees SET hash = hash WHERE level = 2 AND index = 0")
        await db.execute("DROP TRIGGER subtrees_append_only ON subtrees")
        await db.execute(
            "UPDATE subtrees SET hash = $1 WHERE level = 2 AND index = 0",
            hashlib.sha256(b"a rewritten beginning").digest(),
        )
    finally:
        await db.close()
    await append(ledger, 3)

    def refused_by_both() -> bool:
        log = ledger.log_path.read_text(errors="replace")
        return all(
            f"witness civicloop.example/witness/{name} did not cosign size 8: HTTP 422" in log
            for name in DEPARTMENTS
        )

    await wait_for(refused_by_both, timeout=30)
    async with httpx.AsyncClient() as client:
        for witness in witnesses:
            kept = (await client.get(f"{witness.http_url}/checkpoint")).text
            assert kept.split("\n")[1] == "5"  # still the last honest checkpoint
    pins = ["--log-key", DEV_LOG_VKEY]
    for vkey in DEV_WITNESS_VKEYS.values():
        pins += ["--witness-key", vkey]
    unwitnessed = civicloop_verify("checkpoint", "--log", f"{ledger.http_url}/ledger", *pins)
    assert unwitnessed.returncode == 1, unwitnessed.stdout + unwitnessed.stderr
    assert "cosigned by 0 of the 2 witnesses" in unwitnessed.stdout + unwitnessed.stderr
    monitor = civicloop_verify(
        "log", "--log", f"{ledger.http_url}/ledger", "--log-key", DEV_LOG_VKEY
    )
    assert monitor.returncode == 1, monitor.stdout + monitor.stderr


async def test_a_credential_batch_carries_a_checkpoint_both_departments_cosigned(
    witnessed: tuple[ServiceProcess, list[WitnessProcess]], tmp_path: Path
) -> None:
    ledger, _ = witnessed
    community = f"W{uuid.uuid4().hex[:6].upper()}"
    worker = grpc_auth("worker", subject="worker:w-1", community=community)
    channel = client_channel(ledger.grpc_target)
    stub: Any = ledger_pb2_grpc.LedgerServiceStub(channel)
    try:
        issued = await stub.IssueCredential(
            issue_request(community_code=community), metadata=worker, timeout=10
        )
        request = ledger_pb2.ExportCredentialBatchRequest(
            community_code=community, period=issued.credential.period
        )
        batch = await once_logged(
            lambda: stub.ExportCredentialBatch(request, metadata=worker, timeout=10)
        )
        async with httpx.AsyncClient(timeout=10) as client:
            did = (await client.get(f"{ledger.http_url}/.well-known/did.json")).json()
    finally:
        await channel.close()

    (tmp_path / "keys.txt").write_text(
        f"log {DEV_LOG_VKEY}\n" + "".join(f"witness {v}\n" for v in DEV_WITNESS_VKEYS.values())
    )
    (tmp_path / "batch.csv").write_bytes(batch.csv)
    (tmp_path / "batch.manifest.jws").write_text(batch.manifest_jws)
    checked = civicloop_verify(
        "batch",
        str(tmp_path / "batch.csv"),
        str(tmp_path / "batch.manifest.jws"),
        "--keys",
        str(tmp_path / "keys.txt"),
        "--issuer-key",
        did["alsoKnownAs"][0],
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "cosigned by civicloop.example/witness/civil-affairs" in checked.stdout
    assert "civicloop.example/witness/finance" in checked.stdout
