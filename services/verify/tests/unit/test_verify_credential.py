"""civicloop-verify credential: a credential the ledger's issuing code signed (with rfc8785)
is checked by the verifier's own JCS and base58 (standard library only), offline."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from civicloop.ledger.domain.credentials import (
    IssueRequest,
    add_proof,
    credential_document,
    did_key,
    empty_status_list,
    encode_status_list,
    with_bit_set,
)
from civicloop.verify.__main__ import main
from civicloop.verify.credential import base58_decode, canonical_json, did_key_public

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
PUBLIC = KEY.public_key().public_bytes_raw()
DID = did_key(PUBLIC)
LIST_URL = "https://civicloop.example/ledger/status/1"
NOW = datetime(2026, 12, 5, tzinfo=UTC)


def credential(index: int = 5) -> dict[str, object]:
    document = credential_document(
        credential_id="urn:uuid:0f7c2f4e-55a4-4c58-9a55-0b9f0d0c1a11",
        issuer="did:web:civicloop.example",
        request=IssueRequest(
            "C001", "cd" * 32, "2026-12", "video_call", datetime(2026, 12, 2, tzinfo=UTC)
        ),
        verified_by="worker:w-1",
        valid_from=NOW,
        status_list_url=LIST_URL,
        status_list_index=index,
        evidence={"type": ["CivicloopLogEntry"], "eventId": "e-1", "note": "路灯 ✓"},
    )
    return add_proof(document, KEY, f"did:web:civicloop.example#{DID[8:]}", NOW)


def status_list(revoked: int | None) -> dict[str, object]:
    bits = empty_status_list() if revoked is None else with_bit_set(empty_status_list(), revoked)
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:web:civicloop.example",
        "validFrom": NOW.isoformat(),
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_status_list(bits),
        },
    }
    return add_proof(document, KEY, f"did:web:civicloop.example#{DID[8:]}", NOW)


def run(tmp_path: Path, document: object, *extra: str) -> tuple[int, str]:
    path = tmp_path / "vc.json"
    path.write_text(json.dumps(document, ensure_ascii=False))
    args = ["credential", str(path), "--issuer-key", DID, "--at", "2026-12-20T00:00:00+08:00"]
    return main([*args, *extra]), str(path)


def test_the_verifier_s_jcs_and_base58_agree_with_the_issuer_s() -> None:
    import rfc8785

    document = credential()
    assert canonical_json(document) == rfc8785.dumps(document)
    assert did_key_public(DID) == PUBLIC
    assert base58_decode("1112") == b"\0\0\0\x01"


def test_a_credential_verifies_offline_and_a_changed_one_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, credential())[0] == 0
    assert "proof verifies" in capsys.readouterr().out
    changed = copy.deepcopy(credential())
    changed["credentialSubject"]["period"] = "2026-11"  # type: ignore[index]
    assert run(tmp_path, changed)[0] == 1
    assert "the credential was changed" in capsys.readouterr().out
    other = did_key(Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    path = tmp_path / "vc.json"
    assert main(["credential", str(path), "--issuer-key", other]) == 1


def test_a_credential_whose_context_differs_from_its_proof_s_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = copy.deepcopy(credential())
    changed["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    assert run(tmp_path, changed)[0] == 1
    assert "the credential was changed" in capsys.readouterr().out


def test_a_revoked_or_expired_credential_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lists = tmp_path / "status.json"
    lists.write_text(json.dumps(status_list(revoked=None)))
    assert run(tmp_path, credential(), "--status-list", str(lists))[0] == 0
    assert "not revoked (bit 5" in capsys.readouterr().out
    lists.write_text(json.dumps(status_list(revoked=5)))
    assert run(tmp_path, credential(), "--status-list", str(lists))[0] == 1
    assert "revoked (bit 5 of the status list is set)" in capsys.readouterr().out
    code, path = run(tmp_path, credential())
    assert main(["credential", path, "--issuer-key", DID, "--at", "2027-01-01T00:00:00+08:00"]) == 1


def test_a_malformed_credential_or_key_is_refused(tmp_path: Path) -> None:
    assert run(tmp_path, ["not", "an", "object"])[0] == 2
    path = tmp_path / "vc.json"
    path.write_text(json.dumps(credential()))
    assert main(["credential", str(path), "--issuer-key", "did:web:x"]) == 2
    assert main(["credential", str(path)]) == 2
