"""civicloop-verify batch: a community's monthly CSV and the issuer's signed manifest, checked
offline against the pinned issuer key and the log's keys; each kind of change is named."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from verify_testlog import TestLog

from civicloop.ledger.domain.credentials import (
    IssueRequest,
    add_proof,
    credential_document,
    did_key,
)
from civicloop.tlog.evidence import EvidenceLeaf
from civicloop.tlog.tree import inclusion_plan
from civicloop.verify.batch import (
    BATCH_MANIFEST_TYPE,
    ISSUED,
    REVOKED,
    BatchItem,
    batch_files,
    canonical_json,
    check_batch,
    jws_signing_input,
    revocation_record,
    vc_sha256,
)
from civicloop.verify.checks import Outcome, Trust
from civicloop.verify.layout import BundleEntry, EvidenceBundle

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(2, 34)))
PUBLIC = KEY.public_key().public_bytes_raw()
NOW = datetime(2026, 12, 5, tzinfo=UTC)
REVOKED_AT = "2026-12-06T10:00:00+08:00"


def credential(n: int, community: str = "C001") -> dict[str, Any]:
    document = credential_document(
        credential_id=f"urn:uuid:00000000-0000-4000-8000-00000000000{n}",
        issuer="did:web:civicloop.example",
        request=IssueRequest(
            community, f"{n:02d}" * 32, "2026-12", "home_visit", datetime(2026, 12, 2, tzinfo=UTC)
        ),
        verified_by="worker:w-1",
        valid_from=NOW,
        status_list_url="https://civicloop.example/ledger/status/1",
        status_list_index=n,
        evidence={"type": ["CivicloopLogEntry"], "eventId": f"issued-{n}"},
    )
    return add_proof(document, KEY, f"did:web:civicloop.example#{did_key(PUBLIC)[8:]}", NOW)


def sign(payload: dict[str, Any], key: Ed25519PrivateKey = KEY) -> str:
    header = {"alg": "EdDSA", "typ": BATCH_MANIFEST_TYPE, "kid": "k"}
    signing_input = jws_signing_input(header, payload)
    signature = base64.urlsafe_b64encode(key.sign(signing_input.encode())).rstrip(b"=")
    return f"{signing_input}.{signature.decode()}"


def exported(
    documents: list[dict[str, Any]], *, log_revocation: bool = True
) -> tuple[bytes, dict[str, Any], Trust]:
    """The batch of `documents` (the last one revoked), on a log of other entries before."""
    log = TestLog(5)
    record = revocation_record(str(documents[-1]["id"]), "holder_moved", REVOKED_AT)
    ours = [
        EvidenceLeaf(f"issued-{n}", ISSUED, str(d["id"]), bytes.fromhex(vc_sha256(d)))
        for n, d in enumerate(documents, start=1)
    ]
    if log_revocation:
        digest = hashlib.sha256(canonical_json(record)).digest()
        ours.append(EvidenceLeaf("revoked-last", REVOKED, str(documents[-1]["id"]), digest))
    log.leaves += ours
    log.rebuild()
    size = len(log.leaves)
    entries = tuple(
        BundleEntry(i, leaf, tuple(inclusion_plan(i, size).assemble(log.hashes)))
        for i, leaf in enumerate(log.leaves)
        if i >= 5
    )
    bundle = EvidenceBundle(log.checkpoint(size).format(), entries, None, log.keys.format())
    items = [BatchItem(d, "active", 5 + n) for n, d in enumerate(documents[:-1])]
    items.append(
        BatchItem(
            documents[-1], "revoked", 4 + len(documents), REVOKED_AT, "holder_moved", "revoked-last"
        )
    )
    data, manifest = batch_files(
        items,
        issuer="did:web:civicloop.example",
        issuer_key=did_key(PUBLIC),
        community_code="C001",
        period="2026-12",
        exported_at="2026-12-07T09:00:00+08:00",
        evidence=bundle,
    )
    return data, manifest, Trust(log.log.verifier, log.keys.witnesses, 2)


def checked(data: bytes, manifest: dict[str, Any], trust: Trust) -> Outcome:
    return check_batch(data, sign(manifest), PUBLIC, trust)


def test_a_signed_batch_verifies_row_by_row() -> None:
    outcome = checked(*exported([credential(1), credential(2)]))
    assert outcome.ok, outcome.failures
    assert any("row 2" in line and "revoked" in line for line in outcome.verified)


def test_a_row_of_another_community_or_an_unlogged_revocation_is_named() -> None:
    data, manifest, trust = exported([credential(1, "C002"), credential(2)], log_revocation=False)
    failures = checked(data, manifest, trust).failures
    assert any(f.startswith("row 1") and "not of the batch's community" in f for f in failures)
    assert any(f.startswith("row 2") and "revocation is not in the log" in f for f in failures)


def test_a_dropped_row_or_another_signer_fails() -> None:
    data, manifest, trust = exported([credential(1), credential(2)])
    dropped = b"\r\n".join(data.split(b"\r\n")[:2]) + b"\r\n"
    failures = checked(dropped, manifest, trust).failures
    assert "the CSV is not the one the manifest signs" in failures[0]
    assert any("the CSV has 1 rows, the manifest lists 2" in f for f in failures)
    forged = check_batch(data, sign(manifest, Ed25519PrivateKey.generate()), PUBLIC, trust)
    assert forged.failures == ["the manifest's signature does not verify under the issuer key"]


@pytest.mark.parametrize("changed", ["vc_json", "status"])
def test_a_changed_column_is_caught_even_under_a_re_signed_manifest(changed: str) -> None:
    data, manifest, trust = exported([credential(1), credential(2)])
    text = data.decode()
    if changed == "vc_json":
        text = text.replace("home_visit", "video_call", 2)
    else:
        text = text.replace(",revoked,", ",active,", 1)
    manifest["csvSha256"] = hashlib.sha256(text.encode()).hexdigest()
    assert not checked(text.encode(), manifest, trust).ok
