"""A community's credentials of one month as a CSV, with the issuer's signed manifest.

The CSV (UTF-8, a header row, BATCH_COLUMNS) is what civil affairs and finance load: one row
per credential, the last column the VC itself so that each row can be checked on its own. The
manifest is a compact JWS (alg EdDSA, typ BATCH_MANIFEST_TYPE) signed with the issuer's key,
whose payload (BATCH_MANIFEST_FORMAT) names the CSV's SHA-256, each row's credential id, VC
digest and status, and carries the evidence: the log entries of the issuances and revocations
with their inclusion proofs, the checkpoint they prove against, and the log's keys. Everything
is checked offline from the two files and the keys the verifier pins.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from civicloop.tlog.errors import MalformedError
from civicloop.verify.checks import Outcome, Trust, check_bundle
from civicloop.verify.credential import canonical_json, check_proof
from civicloop.verify.layout import BundleEntry, EvidenceBundle, parse_evidence_bundle

BATCH_MANIFEST_FORMAT = "civicloop-credential-batch/v1"
BATCH_MANIFEST_TYPE = "civicloop-batch-manifest+jws"
ISSUED = "civicloop.ledger.credential_issued.v1"
REVOKED = "civicloop.ledger.credential_revoked.v1"
BATCH_COLUMNS = (
    "credential_id",
    "community_code",
    "period",
    "holder_hash",
    "verification_method",
    "verified_at",
    "verified_by",
    "valid_from",
    "valid_until",
    "status",
    "revoked_at",
    "revocation_reason",
    "leaf_index",
    "vc_sha256",
    "vc_json",
)
# The CSV columns a row repeats from its VC's credentialSubject, and from the VC itself.
_SUBJECT_COLUMNS = {
    "community_code": "communityCode",
    "period": "period",
    "verification_method": "verificationMethod",
    "verified_at": "verifiedAt",
    "verified_by": "verifiedBy",
}
_VC_COLUMNS = {"credential_id": "id", "valid_from": "validFrom", "valid_until": "validUntil"}


def b64url(raw: bytes) -> str:
    """Unpadded base64url (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _b64url_decode(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as exc:
        raise MalformedError(f"{what} is not base64url") from exc


def jws_signing_input(header: Mapping[str, Any], payload: Mapping[str, Any]) -> str:
    return f"{b64url(canonical_json(header))}.{b64url(canonical_json(payload))}"


@dataclass(frozen=True)
class Jws:
    """A compact EdDSA JWS read, not yet verified."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes

    def signed_by(self, public_key: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(
                self.signature, self.signing_input
            )
        except (InvalidSignature, ValueError):
            return False
        return True


def read_jws(text: str) -> Jws:
    """A compact JWS of a JSON object signed with EdDSA; MalformedError saying what is not."""
    parts = text.strip().split(".")
    if len(parts) != 3:
        raise MalformedError("not a compact JWS (three dot-separated parts)")
    try:
        header = json.loads(_b64url_decode(parts[0], "the JWS header"))
        payload = json.loads(_b64url_decode(parts[1], "the JWS payload"))
    except ValueError as exc:
        raise MalformedError(f"the JWS does not hold JSON: {exc}") from exc
    if not isinstance(header, dict) or header.get("alg") != "EdDSA":
        raise MalformedError("must be a JWS with alg EdDSA")
    if not isinstance(payload, dict):
        raise MalformedError("the JWS payload must be a JSON object")
    signature = _b64url_decode(parts[2], "the JWS signature")
    return Jws(header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def open_jws(text: str, public_key: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, payload) of a compact EdDSA JWS; InvalidSignature unless the key signed it."""
    jws = read_jws(text)
    if not jws.signed_by(public_key):
        raise InvalidSignature("the JWS is not signed by the key")
    return jws.header, jws.payload


def vc_sha256(document: Mapping[str, Any]) -> str:
    """The digest the log holds for an issuance: SHA-256 of the VC's JCS form, hex."""
    return hashlib.sha256(canonical_json(document)).hexdigest()


def revocation_record(credential_id: str, reason: str, at: str) -> dict[str, str]:
    """What a revocation's log entry digests (JCS, SHA-256)."""
    return {"credentialId": credential_id, "reason": reason, "at": at}


def batch_csv(rows: Sequence[Mapping[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, BATCH_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@dataclass(frozen=True)
class BatchItem:
    """One credential of a batch as the issuer knows it."""

    document: Mapping[str, Any]
    status: str
    leaf_index: int
    revoked_at: str = ""
    revocation_reason: str = ""
    revocation_event_id: str = ""


def _row(item: BatchItem) -> dict[str, str]:
    document, subject = item.document, item.document["credentialSubject"]
    return {
        "credential_id": document["id"],
        "community_code": subject["communityCode"],
        "period": subject["period"],
        "holder_hash": str(subject["id"]).removeprefix("urn:civicloop:holder:"),
        "verification_method": subject["verificationMethod"],
        "verified_at": subject["verifiedAt"],
        "verified_by": subject["verifiedBy"],
        "valid_from": document["validFrom"],
        "valid_until": document["validUntil"],
        "status": item.status,
        "revoked_at": item.revoked_at,
        "revocation_reason": item.revocation_reason,
        "leaf_index": str(item.leaf_index),
        "vc_sha256": vc_sha256(document),
        "vc_json": canonical_json(document).decode(),
    }


def batch_files(
    items: Sequence[BatchItem],
    *,
    issuer: str,
    issuer_key: str,
    community_code: str,
    period: str,
    exported_at: str,
    evidence: EvidenceBundle,
) -> tuple[bytes, dict[str, Any]]:
    """The CSV and the manifest's payload (for the issuer to sign, BATCH_MANIFEST_TYPE)."""
    data = batch_csv([_row(item) for item in items])
    listed = []
    for item in items:
        row: dict[str, str] = {
            "credentialId": item.document["id"],
            "vcSha256": vc_sha256(item.document),
            "status": item.status,
        }
        if item.revocation_event_id:
            row["revocationEventId"] = item.revocation_event_id
        listed.append(row)
    manifest = {
        "format": BATCH_MANIFEST_FORMAT,
        "issuer": issuer,
        "issuerKey": issuer_key,
        "communityCode": community_code,
        "period": period,
        "exportedAt": exported_at,
        "csvSha256": hashlib.sha256(data).hexdigest(),
        "rows": listed,
        "evidence": json.loads(evidence.to_json()),
    }
    return data, manifest


@dataclass(frozen=True)
class Manifest:
    issuer: str
    community_code: str
    period: str
    csv_sha256: str
    rows: tuple[Mapping[str, Any], ...]
    evidence: EvidenceBundle


def _text(document: Mapping[str, Any], name: str) -> str:
    value = document.get(name)
    if not isinstance(value, str):
        raise MalformedError(f"manifest: {name} must be a string")
    return value


def parse_manifest(payload: Mapping[str, Any]) -> Manifest:
    if payload.get("format") != BATCH_MANIFEST_FORMAT:
        raise MalformedError(f"manifest: format must be {BATCH_MANIFEST_FORMAT!r}")
    rows = payload.get("rows")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise MalformedError("manifest: rows must be a list of objects")
    evidence = payload.get("evidence")
    if not isinstance(evidence, dict):
        raise MalformedError("manifest: evidence must be an evidence bundle")
    return Manifest(
        _text(payload, "issuer"),
        _text(payload, "communityCode"),
        _text(payload, "period"),
        _text(payload, "csvSha256"),
        tuple(rows),
        parse_evidence_bundle(json.dumps(evidence)),
    )


def matching_entry(
    entries: Mapping[str, BundleEntry], event_id: object, event_type: str, subject: str
) -> BundleEntry | None:
    entry = entries.get(event_id) if isinstance(event_id, str) else None
    if entry is None or entry.leaf.event_type != event_type or entry.leaf.subject != subject:
        return None
    return entry


def check_issuance_entry(
    document: Mapping[str, Any], entries: Mapping[str, BundleEntry]
) -> tuple[BundleEntry | None, str]:
    """The log entry evidencing this VC's issuance among `entries` (by event id), and why not."""
    evidence = document.get("evidence")
    event_id = evidence[0].get("eventId") if isinstance(evidence, list) and evidence else None
    if not isinstance(event_id, str):
        return None, "names no issuance event in its evidence"
    entry = matching_entry(entries, event_id, ISSUED, str(document.get("id")))
    if entry is None:
        return None, f"its issuance {event_id} is not among the log entries given"
    if entry.leaf.event_sha256.hex() != vc_sha256(document):
        return None, f"leaf {entry.leaf_index} evidences another document: it was changed"
    return entry, ""


def _row_problems(row: Mapping[str, str], document: Mapping[str, Any]) -> list[str]:
    problems = []
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    for column, name in _SUBJECT_COLUMNS.items():
        if row[column] != subject.get(name):
            problems.append(f"{column} differs from its credential's {name}")
    for column, name in _VC_COLUMNS.items():
        if row[column] != document.get(name):
            problems.append(f"{column} differs from its credential's {name}")
    if f"urn:civicloop:holder:{row['holder_hash']}" != subject.get("id"):
        problems.append("holder_hash differs from its credential's subject")
    return problems


def manifest_keys(manifest_text: str, issuer_key: bytes) -> str | None:
    """The log's keys file the manifest carries, once the issuer's signature holds (None
    otherwise: the check itself then says the signature fails)."""
    try:
        _, payload = open_jws(manifest_text, issuer_key)
    except InvalidSignature:
        return None
    evidence = payload.get("evidence")
    keys = evidence.get("keys") if isinstance(evidence, dict) else None
    return keys if isinstance(keys, str) else None


def check_batch(csv_data: bytes, manifest_text: str, issuer_key: bytes, trust: Trust) -> Outcome:
    """The CSV is the one the issuer signed, each row is a credential the issuer signed whose
    issuance (and revocation, for a revoked one) is in the signed log."""
    try:
        header, payload = open_jws(manifest_text, issuer_key)
    except InvalidSignature:
        return Outcome([], ["the manifest's signature does not verify under the issuer key"])
    if header.get("typ") != BATCH_MANIFEST_TYPE:
        raise MalformedError(f"the manifest's JWS typ must be {BATCH_MANIFEST_TYPE!r}")
    manifest = parse_manifest(payload)
    label = f"batch {manifest.community_code} {manifest.period}"
    outcome = Outcome([f"{label}: the manifest is signed by the issuer ({manifest.issuer})"])
    if hashlib.sha256(csv_data).hexdigest() != manifest.csv_sha256:
        outcome.failures.append(f"{label}: the CSV is not the one the manifest signs")
    else:
        outcome.verified.append(f"{label}: the CSV is the one the manifest signs")
    outcome.merge(check_bundle(manifest.evidence, trust))
    entries = {e.leaf.event_id: e for e in manifest.evidence.entries}
    try:
        reader = csv.DictReader(io.StringIO(csv_data.decode("utf-8")))
        rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise MalformedError(f"the CSV cannot be read: {exc}") from exc
    if tuple(reader.fieldnames or ()) != BATCH_COLUMNS:
        raise MalformedError(f"the CSV's columns must be {', '.join(BATCH_COLUMNS)}")
    if len(rows) != len(manifest.rows):
        outcome.failures.append(
            f"{label}: the CSV has {len(rows)} rows, the manifest lists {len(manifest.rows)}"
        )
    for number, (row, listed) in enumerate(zip(rows, manifest.rows, strict=False), start=1):
        outcome.merge(_check_row(number, row, listed, manifest, entries, issuer_key))
    return outcome


def _check_row(
    number: int,
    row: Mapping[str, str],
    listed: Mapping[str, Any],
    manifest: Manifest,
    entries: Mapping[str, BundleEntry],
    issuer_key: bytes,
) -> Outcome:
    label = f"row {number} ({row['credential_id']})"
    outcome = Outcome()
    try:
        document = json.loads(row["vc_json"])
    except ValueError:
        return Outcome([], [f"{label}: vc_json is not JSON"])
    if not isinstance(document, dict):
        return Outcome([], [f"{label}: vc_json is not a credential"])
    digest = vc_sha256(document)
    if (listed.get("credentialId"), listed.get("vcSha256"), listed.get("status")) != (
        row["credential_id"],
        digest,
        row["status"],
    ):
        outcome.failures.append(f"{label}: differs from the manifest's row {number}")
    if row["vc_sha256"] != digest:
        outcome.failures.append(f"{label}: vc_sha256 is not its credential's digest")
    try:
        check_proof(document, issuer_key)
    except (InvalidSignature, MalformedError):
        outcome.failures.append(f"{label}: its credential's proof does not verify")
    problems = _row_problems(row, document)
    if (row["community_code"], row["period"]) != (manifest.community_code, manifest.period):
        problems.append("is not of the batch's community and month")
    outcome.failures += [f"{label}: {p}" for p in problems]
    entry, why = check_issuance_entry(document, entries)
    if entry is None:
        outcome.failures.append(f"{label}: {why}")
    elif row["leaf_index"] != str(entry.leaf_index):
        outcome.failures.append(f"{label}: leaf_index is not its issuance's")
    if row["status"] == "revoked":
        record = revocation_record(
            row["credential_id"], row["revocation_reason"], row["revoked_at"]
        )
        revoked = matching_entry(
            entries, listed.get("revocationEventId"), REVOKED, row["credential_id"]
        )
        if (
            revoked is None
            or revoked.leaf.event_sha256 != hashlib.sha256(canonical_json(record)).digest()
        ):
            outcome.failures.append(f"{label}: its revocation is not in the log as given")
    elif row["status"] != "active":
        outcome.failures.append(f"{label}: status must be active or revoked")
    if not outcome.failures:
        outcome.verified.append(
            f"{label}: signed by the issuer, {row['status']}, issued at leaf {row['leaf_index']}"
        )
    return outcome
