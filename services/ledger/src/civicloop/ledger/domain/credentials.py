"""The monthly old-age subsidy verification credential (高龄补贴认证): pure rules, no I/O.

A W3C Verifiable Credential 2.0 secured with a Data Integrity proof, cryptosuite
eddsa-jcs-2022 (W3C VC-DI-EdDSA section 3.3): the proof carries the document's @context, the
proof without its proofValue and the document without its proof are each canonicalised with JCS
(RFC 8785) and hashed with SHA-256; the Ed25519 signature over the two hashes is the proofValue,
base58btc multibase. The issuer is a did:web, its key also given as a
did:key (offline verification). Revocation is a Bitstring Status List (131,072 bits, GZIP,
base64url multibase). The holder is a salted hash computed by the caller: no personal data.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from civicloop.platform.auth import AUDITOR, OFFICE, Principal
from civicloop.platform.errors import PermissionDenied, Violations
from civicloop.verify.credential import hashed_forms

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CREDENTIAL_TYPE = "OldAgeSubsidyVerification"
CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_PURPOSE = "assertionMethod"
STATUS_LIST_SIZE = 131_072  # bits: the spec's minimum, for herd privacy
EVIDENCE_TYPES = ("home_visit", "video_call", "office_visit")
# How each verification method reads in Chinese (the printed page, the verification page).
METHOD_NAMES = {"home_visit": "入户核验", "video_call": "视频核验", "office_visit": "现场核验"}
REVOCATION_REASONS = ("issued_in_error", "holder_deceased", "holder_moved", "fraud", "other")
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A verification may be recorded up to this many days after the month it covers.
LATE_DAYS = 10

_ED25519_MULTICODEC = b"\xed\x01"
_HOLDER_HASH = re.compile(r"[0-9a-f]{64}")
_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_COMMUNITY = re.compile(r"[A-Z][0-9A-Z]{0,15}")


class ProofInvalid(Exception):
    """A Data Integrity proof that does not verify; the message says why."""


def did_key(public_key: bytes) -> str:
    """did:key of an Ed25519 public key (multicodec 0xed01, base58btc multibase)."""
    return "did:key:z" + base58.b58encode(_ED25519_MULTICODEC + public_key).decode("ascii")


def public_key_of_did_key(did: str) -> bytes:
    if not did.startswith("did:key:z"):
        raise ProofInvalid(f"{did!r} is not an Ed25519 did:key")
    try:
        raw = base58.b58decode(did[len("did:key:z") :])
    except ValueError as exc:
        raise ProofInvalid(f"{did!r} is not base58btc") from exc
    if len(raw) != 34 or raw[:2] != _ED25519_MULTICODEC:
        raise ProofInvalid(f"{did!r} is not an Ed25519 did:key")
    return raw[2:]


def _hash_data(unsecured: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    return (
        hashlib.sha256(rfc8785.dumps(proof_config)).digest()
        + hashlib.sha256(rfc8785.dumps(unsecured)).digest()
    )


def add_proof(
    document: dict[str, Any], key: Ed25519PrivateKey, verification_method: str, created: datetime
) -> dict[str, Any]:
    """The document with an eddsa-jcs-2022 DataIntegrityProof; the proof repeats the
    document's @context (VC-DI-EdDSA 3.3.1 step 2), which verifiers hash with the proof."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof: dict[str, Any] = {
        "@context": unsecured["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": rfc3339(created),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = key.sign(_hash_data(unsecured, proof))
    proof["proofValue"] = "z" + base58.b58encode(signature).decode("ascii")
    return {**unsecured, "proof": proof}


def verify_proof(document: dict[str, Any], public_key: bytes) -> dict[str, Any]:
    """Raise ProofInvalid unless the document's eddsa-jcs-2022 proof verifies with the key."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofInvalid("the document has no proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofInvalid(f"the proof is not a DataIntegrityProof of {CRYPTOSUITE}")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofInvalid("proofValue must be base58btc multibase ('z...')")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError as exc:
        raise ProofInvalid("proofValue is not base58btc") from exc
    try:
        unsecured, config = hashed_forms(document, proof)
    except InvalidSignature as exc:
        raise ProofInvalid(str(exc)) from exc
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, _hash_data(unsecured, config)
        )
    except (InvalidSignature, ValueError) as exc:
        raise ProofInvalid("the signature does not verify: the document or proof changed") from exc
    return proof


def rfc3339(at: datetime) -> str:
    return at.astimezone(SHANGHAI).isoformat(timespec="seconds")


def parse_period(period: str) -> date:
    match = _PERIOD.fullmatch(period)
    if match is None:
        raise ValueError(f"{period!r} is not YYYY-MM")
    return date(int(match[1]), int(match[2]), 1)


def _month_after(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """The period's first instant and the first instant of the month after, Asia/Shanghai."""
    first = parse_period(period)
    start = datetime(first.year, first.month, 1, tzinfo=SHANGHAI)
    after = _month_after(first)
    return start, datetime(after.year, after.month, 1, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class IssueRequest:
    community_code: str
    holder_hash: str
    period: str
    evidence_type: str
    verified_at: datetime | None


def check_community(principal: Principal, community_code: str, *, reading: bool = False) -> None:
    """Who may act on a community's credentials: the coordinating office for every community
    (and, to read, an auditor); a community worker only for the community its token names."""
    if principal.has_any((OFFICE, AUDITOR) if reading else (OFFICE,)):
        return
    if not principal.community:
        raise PermissionDenied("a worker's token must name its community (the community claim)")
    if principal.community != community_code:
        raise PermissionDenied(
            f"community {community_code} is not yours (your token names {principal.community})"
        )


def check_issue(request: IssueRequest, now: datetime) -> None:
    """Every bad field named: ledger.proto's rules for IssueCredentialRequest."""
    problems = Violations()
    if not _COMMUNITY.fullmatch(request.community_code):
        problems.add("community_code", "must be a community code like C001")
    if not _HOLDER_HASH.fullmatch(request.holder_hash):
        problems.add("holder_hash", "must be 64 lower-case hex characters (a salted SHA-256)")
    if request.evidence_type not in EVIDENCE_TYPES:
        problems.add("evidence_type", f"must be one of {', '.join(EVIDENCE_TYPES)}")
    bounds: tuple[datetime, datetime] | None = None
    try:
        bounds = period_bounds(request.period)
    except ValueError:
        problems.add("period", "must be YYYY-MM")
    this_month = now.astimezone(SHANGHAI).date().replace(day=1)
    previous = (this_month - timedelta(days=1)).replace(day=1)
    if bounds is not None and bounds[0].date() not in (this_month, previous):
        problems.add("period", "must be the current month or the one before")
    if request.verified_at is None:
        problems.add("verified_at", "is required")
    elif request.verified_at > now:
        problems.add("verified_at", "must not be in the future")
    elif bounds is not None and not (
        bounds[0] <= request.verified_at < bounds[1] + timedelta(days=LATE_DAYS)
    ):
        problems.add("verified_at", f"must lie in the period or the {LATE_DAYS} days after it")
    problems.raise_if_any()


def credential_document(
    *,
    credential_id: str,
    issuer: str,
    request: IssueRequest,
    verified_by: str,
    valid_from: datetime,
    status_list_url: str,
    status_list_index: int,
    evidence: dict[str, Any],
) -> dict[str, Any]:
    """The unsigned VC: what was verified, how and by whom, never who the holder is."""
    assert request.verified_at is not None
    _, valid_until = period_bounds(request.period)
    return {
        "@context": [VC_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": rfc3339(valid_from),
        "validUntil": rfc3339(valid_until),
        "credentialSubject": {
            "id": f"urn:civicloop:holder:{request.holder_hash}",
            "communityCode": request.community_code,
            "period": request.period,
            "verificationMethod": request.evidence_type,
            "verifiedAt": rfc3339(request.verified_at),
            "verifiedBy": verified_by,
        },
        "credentialStatus": {
            "id": f"{status_list_url}#{status_list_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_list_index),
            "statusListCredential": status_list_url,
        },
        "evidence": [evidence],
    }


def encode_status_list(bits: bytes) -> str:
    """Multibase base64url (no padding) of the GZIP-compressed bitstring."""
    compressed = gzip.compress(bits, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_status_list(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("an encoded status list is base64url multibase ('u...')")
    raw = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))


def bit_is_set(bits: bytes, index: int) -> bool:
    """Bit 0 is the most significant bit of the first byte (the spec's order)."""
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def with_bit_set(bits: bytes, index: int) -> bytes:
    changed = bytearray(bits)
    changed[index // 8] |= 0x80 >> (index % 8)
    return bytes(changed)


def empty_status_list() -> bytes:
    return bytes(STATUS_LIST_SIZE // 8)
