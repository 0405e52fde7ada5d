"""A printed credential's PDF, checked offline from what it carries.

The ledger attaches the VC (credential.json), the evidence bundle of its issuance
(evidence.json) and the signed status list at printing (status-list.json) as PDF embedded
files. Reading them needs a PDF parser: pypdf, the `pdf` extra of civicloop-verify
(`pip install civicloop-verify[pdf]`); every other check needs nothing more.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from civicloop.tlog.errors import MalformedError
from civicloop.verify.batch import check_issuance_entry
from civicloop.verify.checks import Outcome, Trust, check_bundle
from civicloop.verify.credential import check_credential
from civicloop.verify.layout import EvidenceBundle, parse_evidence_bundle

ATTACHMENTS = ("credential.json", "evidence.json", "status-list.json")


class ReaderMissing(Exception):
    """The PDF reader (the `pdf` extra) is not installed."""


def read_attachments(pdf: bytes) -> dict[str, bytes]:
    """The printed credential's attachments by name; MalformedError if one is missing."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ModuleNotFoundError:
        raise ReaderMissing(
            "reading a PDF needs pypdf: pip install 'civicloop-verify[pdf]'"
        ) from None
    try:
        attached = PdfReader(io.BytesIO(pdf)).attachments
        found = {name: attached[name][0] for name in ATTACHMENTS if attached.get(name)}
    except (PdfReadError, ValueError, KeyError) as exc:
        raise MalformedError(f"the PDF cannot be read: {exc}") from exc
    missing = [name for name in ATTACHMENTS if name not in found]
    if missing:
        raise MalformedError(f"the PDF does not carry {', '.join(missing)}")
    return found


def _json_object(data: bytes, name: str) -> dict[str, Any]:
    try:
        found = json.loads(data)
    except ValueError as exc:
        raise MalformedError(f"{name} is not JSON: {exc}") from exc
    if not isinstance(found, dict):
        raise MalformedError(f"{name} must be a JSON object")
    return found


def printed_evidence(attachments: Mapping[str, bytes]) -> EvidenceBundle:
    return parse_evidence_bundle(attachments["evidence.json"])


def check_printed(
    attachments: Mapping[str, bytes], issuer_key: bytes, at: datetime, trust: Trust
) -> Outcome:
    """The credential's proof, validity and revocation bit (as of printing), and its issuance
    in the signed log."""
    document = _json_object(attachments["credential.json"], "credential.json")
    status_list = _json_object(attachments["status-list.json"], "status-list.json")
    verified, failures = check_credential(document, issuer_key, at, status_list)
    outcome = Outcome(verified, failures)
    bundle = printed_evidence(attachments)
    outcome.merge(check_bundle(bundle, trust))
    entry, why = check_issuance_entry(document, {e.leaf.event_id: e for e in bundle.entries})
    label = f"credential {document.get('id', '?')}"
    if entry is None:
        outcome.failures.append(f"{label}: {why}")
    else:
        outcome.verified.append(f"{label}: its issuance is leaf {entry.leaf_index} of the log")
    outcome.verified.append(
        f"{label}: revocation checked against the status list attached at printing; "
        "the live status is at the link the QR code carries"
    )
    return outcome
