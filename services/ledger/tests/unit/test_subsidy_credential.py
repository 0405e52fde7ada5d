"""The subsidy credential's pure parts: eddsa-jcs-2022 proofs, did:key, the status list, and
the issuance rules."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from civicloop.ledger.domain.credentials import (
    STATUS_LIST_SIZE,
    IssueRequest,
    ProofInvalid,
    add_proof,
    bit_is_set,
    check_community,
    check_issue,
    credential_document,
    decode_status_list,
    did_key,
    empty_status_list,
    encode_status_list,
    public_key_of_did_key,
    verify_proof,
    with_bit_set,
)
from civicloop.platform.auth import Principal
from civicloop.platform.errors import InvalidArgument, PermissionDenied

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = KEY.public_key().public_bytes_raw()
HOLDER = "ab" * 32


def request(**changes: object) -> IssueRequest:
    fields: dict[str, object] = {
        "community_code": "C001",
        "holder_hash": HOLDER,
        "period": "2026-11",
        "evidence_type": "home_visit",
        "verified_at": datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
    }
    fields.update(changes)
    return IssueRequest(**fields)  # type: ignore[arg-type]


def signed() -> dict[str, object]:
    document = credential_document(
        credential_id="urn:uuid:6a1b7e0e-2b8f-4d0a-9a59-8d6c1f0e2a11",
        issuer="did:web:civicloop.example",
        request=request(),
        verified_by="worker:C001-07",
        valid_from=NOW,
        status_list_url="https://civicloop.example/ledger/status/1",
        status_list_index=42,
        evidence={"type": ["CivicloopLogEntry"], "leafIndex": 7},
    )
    return add_proof(document, KEY, f"{did_key(PUBLIC)}#{did_key(PUBLIC)[8:]}", NOW)


def test_a_signed_credential_verifies_and_any_change_breaks_it() -> None:
    document = signed()
    proof = verify_proof(document, PUBLIC)
    assert proof["cryptosuite"] == "eddsa-jcs-2022" and str(proof["proofValue"]).startswith("z")
    assert document["validUntil"] == "2026-12-01T00:00:00+08:00"
    for path, value in (
        (("credentialSubject", "period"), "2026-10"),
        (("validUntil",), "2027-12-01T00:00:00+08:00"),
        (("proof", "created"), "2020-01-01T00:00:00+08:00"),
    ):
        tampered = copy.deepcopy(document)
        target: dict[str, object] = tampered
        for key in path[:-1]:
            target = target[key]  # type: ignore[assignment]
        target[path[-1]] = value
        with pytest.raises(ProofInvalid):
            verify_proof(tampered, PUBLIC)
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    with pytest.raises(ProofInvalid):
        verify_proof(document, other)


def test_the_proof_carries_the_document_s_context_which_the_document_must_start_with() -> None:
    # VC-DI-EdDSA 3.3: a verifier hashes the proof as given (without proofValue), so the
    # @context the signature covers has to travel in the proof itself.
    document = signed()
    assert document["proof"]["@context"] == document["@context"]
    extended = copy.deepcopy(document)
    extended["@context"] = [*document["@context"], "https://civicloop.example/ns/v1"]
    verify_proof(extended, PUBLIC)
    replaced = copy.deepcopy(document)
    replaced["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    with pytest.raises(ProofInvalid, match="@context"):
        verify_proof(replaced, PUBLIC)
    without = copy.deepcopy(document)
    del without["proof"]["@context"]
    with pytest.raises(ProofInvalid):
        verify_proof(without, PUBLIC)


def test_the_proof_signs_the_jcs_forms_so_key_order_does_not_matter() -> None:
    document = signed()
    reordered = dict(reversed(list(document.items())))
    assert rfc8785.dumps(reordered) == rfc8785.dumps(document)
    verify_proof(reordered, PUBLIC)


def test_did_key_round_trips_an_ed25519_key() -> None:
    did = did_key(PUBLIC)
    assert did.startswith("did:key:z6Mk")
    assert public_key_of_did_key(did) == PUBLIC
    with pytest.raises(ProofInvalid):
        public_key_of_did_key("did:key:zQ3s")


def test_the_status_list_is_a_gzip_bitstring_with_bit_0_first() -> None:
    bits = with_bit_set(empty_status_list(), 0)
    bits = with_bit_set(bits, 9)
    assert len(bits) * 8 == STATUS_LIST_SIZE
    assert bits[0] == 0x80 and bits[1] == 0x40
    encoded = encode_status_list(bits)
    assert encoded.startswith("u") and "=" not in encoded
    decoded = decode_status_list(encoded)
    assert decoded == bits
    assert bit_is_set(decoded, 0) and bit_is_set(decoded, 9) and not bit_is_set(decoded, 1)


def test_issuance_refuses_each_bad_field_by_name() -> None:
    check_issue(request(), NOW)
    check_issue(request(period="2026-12", verified_at=datetime(2026, 12, 1, tzinfo=UTC)), NOW)
    # Ten days after the month are still allowed for the previous month's verification.
    check_issue(request(verified_at=datetime(2026, 12, 3, tzinfo=UTC)), NOW)
    with pytest.raises(InvalidArgument) as refused:
        check_issue(
            request(
                community_code="c-1",
                holder_hash="ABC",
                period="2027-01",
                evidence_type="phone",
                verified_at=datetime(2027, 1, 2, tzinfo=UTC),
            ),
            NOW,
        )
    assert [v.field for v in refused.value.violations] == [
        "community_code",
        "holder_hash",
        "evidence_type",
        "period",
        "verified_at",
    ]
    for bad in (
        request(period="2026-09"),
        request(period="2026-13"),
        request(verified_at=None),
        request(verified_at=datetime(2026, 10, 31, tzinfo=UTC)),
    ):
        with pytest.raises(InvalidArgument):
            check_issue(bad, NOW)


def test_a_community_worker_acts_only_for_the_community_its_token_names() -> None:
    worker = Principal("w-7", frozenset({"worker"}), community="C001")
    check_community(worker, "C001")
    with pytest.raises(PermissionDenied, match="C002 is not yours"):
        check_community(worker, "C002")
    with pytest.raises(PermissionDenied, match="community claim"):
        check_community(Principal("w-8", frozenset({"worker"})), "C001")
    check_community(Principal("o-1", frozenset({"office"})), "C002")
    auditor = Principal("a-1", frozenset({"auditor"}))
    check_community(auditor, "C002", reading=True)
    with pytest.raises(PermissionDenied):
        check_community(auditor, "C002")
