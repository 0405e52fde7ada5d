"""Offline check of a subsidy verification credential (a W3C VC 2.0, eddsa-jcs-2022).

The proof is checked under the issuer key the verifier pins (a did:key), with the standard
library and cryptography only: JCS (RFC 8785) for JSON without floating-point numbers, which a
credential of the ledger never holds, and base58btc. Given the issuer's status list credential
(saved, or fetched from the URL the credential names), its own proof and the credential's
revocation bit are checked too.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from civicloop.tlog.errors import MalformedError

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_MULTICODEC = b"\xed\x01"
CRYPTOSUITE = "eddsa-jcs-2022"


def base58_decode(text: str) -> bytes:
    number = 0
    for character in text:
        digit = _BASE58.find(character)
        if digit < 0:
            raise MalformedError(f"{character!r} is not a base58btc character")
        number = number * 58 + digit
    leading_zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * leading_zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def did_key_public(did: str) -> bytes:
    """The Ed25519 public key of a did:key (multicodec 0xed01, base58btc multibase)."""
    if not did.startswith("did:key:z"):
        raise MalformedError(f"{did!r} is not a did:key (did:key:z6Mk...)")
    raw = base58_decode(did[len("did:key:z") :])
    if len(raw) != 34 or raw[:2] != _ED25519_MULTICODEC:
        raise MalformedError(f"{did!r} is not an Ed25519 did:key")
    return raw[2:]


def _no_floats(value: Any, where: str = "document") -> None:
    if isinstance(value, float):
        raise MalformedError(f"{where} holds a floating-point number, which no credential has")
    if isinstance(value, dict):
        for key, item in value.items():
            _no_floats(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _no_floats(item, f"{where}[{n}]")


def canonical_json(value: Any) -> bytes:
    """RFC 8785 for JSON without floats: keys sorted, no whitespace, minimal escapes."""
    _no_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def hashed_forms(
    document: dict[str, Any], proof: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the document, the proof configuration) an eddsa-jcs-2022 signature covers,
    VC-DI-EdDSA 3.3.2 steps 1-6: a proof that names an @context must name the document's first
    contexts, in order (InvalidSignature otherwise), and the document is hashed under the
    proof's."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in config:
        wanted = config["@context"]
        wanted = wanted if isinstance(wanted, list) else [wanted]
        found = unsecured.get("@context")
        found = found if isinstance(found, list) else [found]
        if found[: len(wanted)] != wanted:
            raise InvalidSignature("the document's @context does not start with the proof's")
        unsecured["@context"] = config["@context"]
    return unsecured, config


def check_proof(document: dict[str, Any], public_key: bytes) -> str:
    """Raise MalformedError / InvalidSignature unless the eddsa-jcs-2022 proof verifies."""
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        raise MalformedError(f"proof must be a DataIntegrityProof of {CRYPTOSUITE}")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise MalformedError("proof.proofValue must be base58btc multibase ('z...')")
    unsecured, config = hashed_forms(document, proof)
    hashed = (
        hashlib.sha256(canonical_json(config)).digest()
        + hashlib.sha256(canonical_json(unsecured)).digest()
    )
    Ed25519PublicKey.from_public_bytes(public_key).verify(base58_decode(value[1:]), hashed)
    return str(proof.get("verificationMethod", ""))


def _revoked(status_list: dict[str, Any], index: int) -> bool:
    encoded = status_list.get("credentialSubject", {}).get("encodedList", "")
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise MalformedError("the status list's encodedList is not base64url multibase")
    raw = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    if not 0 <= index < len(bits) * 8:
        raise MalformedError(f"statusListIndex {index} is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def check_credential(
    document: dict[str, Any],
    issuer_key: bytes,
    at: datetime,
    status_list: dict[str, Any] | None,
) -> tuple[list[str], list[str]]:
    """(what verified, what failed), each line saying which check and why."""
    verified: list[str] = []
    failures: list[str] = []
    label = f"credential {document.get('id', '?')}"
    try:
        method = check_proof(document, issuer_key)
        verified.append(f"{label}: proof verifies under the pinned issuer key ({method})")
    except InvalidSignature:
        failures.append(f"{label}: the proof does not verify: the credential was changed")
    try:
        valid_from = datetime.fromisoformat(str(document["validFrom"]))
        valid_until = datetime.fromisoformat(str(document["validUntil"]))
    except (KeyError, ValueError) as exc:
        raise MalformedError("validFrom and validUntil must be RFC 3339 dates") from exc
    if valid_from <= at < valid_until:
        verified.append(f"{label}: valid at {at.isoformat()} ({valid_from} .. {valid_until})")
    else:
        failures.append(f"{label}: not valid at {at.isoformat()} ({valid_from} .. {valid_until})")
    if status_list is not None:
        status = document.get("credentialStatus", {})
        if status.get("statusListCredential") != status_list.get("id"):
            failures.append(f"{label}: the status list given is not the one it names")
        else:
            try:
                check_proof(status_list, issuer_key)
            except InvalidSignature:
                failures.append(f"{label}: the status list's proof does not verify")
            else:
                index = int(status.get("statusListIndex", -1))
                if _revoked(status_list, index):
                    failures.append(f"{label}: revoked (bit {index} of the status list is set)")
                else:
                    verified.append(f"{label}: not revoked (bit {index} of the status list)")
    return verified, failures
