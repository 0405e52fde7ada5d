"""What the ledger serves under its public prefix, as civicloop-verify reads it.

    <prefix>/checkpoint                 the latest checkpoint, with the witnesses' cosignatures
    <prefix>/tile/<L>/<N>[.p/<W>]       Merkle tree tiles (c2sp.org/tlog-tiles)
    <prefix>/tile/entries/<N>[.p/<W>]   entry bundles: each entry is a leaf's leaf_data
    <prefix>/keys                       the log's and witnesses' verifier keys (KEYS_FILE)
    <prefix>/evidence/<case id>         a case's evidence bundle (EVIDENCE_BUNDLE_FORMAT)

The checkpoint changes (cache it a few seconds); full tiles and entry bundles never change
(cache them for good); a partial one is replaced by a wider one as the log grows. The same
layout in a local directory (a mirror, or files handed over) verifies the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from civicloop.tlog.errors import MalformedError
from civicloop.tlog.evidence import EvidenceLeaf
from civicloop.tlog.note import VerifierKey, b64decode_strict, b64encode, parse_verifier_key

CHECKPOINT_PATH = "checkpoint"
KEYS_PATH = "keys"
EVIDENCE_BUNDLE_FORMAT = "civicloop-evidence-bundle/v1"


def evidence_path(case_id: str) -> str:
    return f"evidence/{case_id}"


@dataclass(frozen=True)
class TrustedKeys:
    """The keys file: ``log <vkey>`` and ``witness <vkey>`` lines, '#' comments."""

    log: VerifierKey | None = None
    witnesses: tuple[VerifierKey, ...] = ()

    def format(self) -> str:
        lines = [f"log {self.log}"] if self.log else []
        lines += [f"witness {key}" for key in self.witnesses]
        return "".join(line + "\n" for line in lines)


def parse_keys(text: str) -> TrustedKeys:
    log: VerifierKey | None = None
    witnesses: list[VerifierKey] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        role, _, vkey = line.partition(" ")
        try:
            key = parse_verifier_key(vkey)
        except MalformedError as exc:
            raise MalformedError(f"keys line {number}: {exc}") from exc
        if role == "log":
            if log is not None:
                raise MalformedError(f"keys line {number}: a second log key")
            log = key
        elif role == "witness":
            if not key.is_cosigner:
                raise MalformedError(f"keys line {number}: a witness key has type 0x04")
            witnesses.append(key)
        else:
            raise MalformedError(f"keys line {number}: role must be 'log' or 'witness'")
    return TrustedKeys(log, tuple(witnesses))


@dataclass(frozen=True)
class BundleEntry:
    leaf_index: int
    leaf: EvidenceLeaf
    inclusion_proof: tuple[bytes, ...]


@dataclass(frozen=True)
class EvidenceBundle:
    """Entries with their inclusion proofs, the checkpoint they prove against, optional keys."""

    checkpoint: str
    entries: tuple[BundleEntry, ...]
    case_id: str | None = None
    keys: str | None = None

    def to_json(self) -> str:
        document: dict[str, Any] = {"format": EVIDENCE_BUNDLE_FORMAT}
        if self.case_id is not None:
            document["case_id"] = self.case_id
        document["checkpoint"] = self.checkpoint
        document["entries"] = [
            {
                "leaf_index": e.leaf_index,
                "event_id": e.leaf.event_id,
                "event_type": e.leaf.event_type,
                "subject": e.leaf.subject,
                "event_sha256": e.leaf.event_sha256.hex(),
                "inclusion_proof": [b64encode(h) for h in e.inclusion_proof],
            }
            for e in self.entries
        ]
        if self.keys is not None:
            document["keys"] = self.keys
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _field(document: Mapping[str, Any], name: str, kind: type, where: str) -> Any:
    value = document.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise MalformedError(f"{where}{name} must be a {kind.__name__}")
    return value


def _entry(raw: Any, where: str) -> BundleEntry:
    if not isinstance(raw, dict):
        raise MalformedError(f"{where} must be an object")
    where += "."
    index = _field(raw, "leaf_index", int, where)
    if index < 0:
        raise MalformedError(f"{where}leaf_index must not be negative")
    digest = _field(raw, "event_sha256", str, where)
    if len(digest) != 64 or digest != digest.lower():
        raise MalformedError(f"{where}event_sha256 must be 64 lower-case hex characters")
    try:
        sha = bytes.fromhex(digest)
    except ValueError as exc:
        raise MalformedError(f"{where}event_sha256 must be 64 lower-case hex characters") from exc
    try:
        leaf = EvidenceLeaf(
            _field(raw, "event_id", str, where),
            _field(raw, "event_type", str, where),
            _field(raw, "subject", str, where),
            sha,
        )
    except MalformedError as exc:
        raise MalformedError(f"{where[:-1]}: {exc}") from exc
    proof_raw: Sequence[Any] = _field(raw, "inclusion_proof", list, where)
    proof = []
    for n, item in enumerate(proof_raw):
        if not isinstance(item, str):
            raise MalformedError(f"{where}inclusion_proof[{n}] must be a base64 string")
        proof.append(b64decode_strict(item, f"{where}inclusion_proof[{n}]"))
    return BundleEntry(index, leaf, tuple(proof))


def parse_evidence_bundle(data: bytes | str) -> EvidenceBundle:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedError(f"evidence bundle is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise MalformedError("evidence bundle must be a JSON object")
    if document.get("format") != EVIDENCE_BUNDLE_FORMAT:
        raise MalformedError(f"evidence bundle format must be {EVIDENCE_BUNDLE_FORMAT!r}")
    case_id = document.get("case_id")
    if case_id is not None and not isinstance(case_id, str):
        raise MalformedError("case_id must be a string")
    keys = document.get("keys")
    if keys is not None and not isinstance(keys, str):
        raise MalformedError("keys must be the text of a keys file")
    checkpoint = _field(document, "checkpoint", str, "")
    raw_entries = _field(document, "entries", list, "")
    entries = tuple(_entry(raw, f"entries[{n}]") for n, raw in enumerate(raw_entries))
    return EvidenceBundle(checkpoint, entries, case_id, keys)
