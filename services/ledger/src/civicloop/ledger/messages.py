"""The log's records as ledger.proto messages."""

from __future__ import annotations

import functools

from civicloop.ledger.credentials import Credential
from civicloop.ledger.domain.evidence import Answer, Entry, EvidenceConflict
from civicloop.ledger.store.repository import StoredCheckpoint
from civicloop.platform.protobuf import timestamp
from civicloop.tlog.checkpoint import parse_checkpoint_body
from civicloop.tlog.note import parse_note
from civicloop.v1 import common_pb2, ledger_pb2

CREDENTIAL_STATUS = {
    "active": ledger_pb2.LEDGER_CREDENTIAL_STATUS_ACTIVE,
    "revoked": ledger_pb2.LEDGER_CREDENTIAL_STATUS_REVOKED,
}
CHECK_KIND = {
    "signature": ledger_pb2.CREDENTIAL_CHECK_KIND_SIGNATURE,
    "issuer": ledger_pb2.CREDENTIAL_CHECK_KIND_ISSUER,
    "validity_period": ledger_pb2.CREDENTIAL_CHECK_KIND_VALIDITY_PERIOD,
    "status": ledger_pb2.CREDENTIAL_CHECK_KIND_STATUS,
    "log_inclusion": ledger_pb2.CREDENTIAL_CHECK_KIND_LOG_INCLUSION,
    "holder": ledger_pb2.CREDENTIAL_CHECK_KIND_HOLDER,
}


def credential_pb(credential: Credential, leaf_index: int | None) -> ledger_pb2.LedgerCredential:
    row = credential.row
    return ledger_pb2.LedgerCredential(
        credential_id=row["credential_id"],
        credential_type="OldAgeSubsidyVerification",
        community_code=row["community_code"],
        holder_hash=row["holder_hash"],
        period=row["period"],
        evidence_type=row["evidence_type"],
        verified_at=timestamp(row["verified_at"]),
        status=CREDENTIAL_STATUS[row["status"]],
        valid_from=timestamp(row["valid_from"]),
        valid_until=timestamp(row["valid_until"]),
        status_list_id=row["status_list_id"],
        status_list_index=row["status_list_index"],
        leaf_index=leaf_index if leaf_index is not None else 0,
        issued_at=timestamp(row["issued_at"]),
        issued_by=common_pb2.Actor(subject=row["issued_by_subject"], role=row["issued_by_role"]),
        revoked_at=timestamp(row["revoked_at"]),
        revocation_reason_code=row["revocation_reason_code"],
        version=row["version"],
    )


def entry_pb(entry: Entry) -> ledger_pb2.LedgerEntry:
    leaf = entry.leaf
    return ledger_pb2.LedgerEntry(
        leaf_index=entry.leaf_index if entry.leaf_index is not None else 0,
        leaf=ledger_pb2.LedgerLeaf(
            event_id=leaf.event_id,
            event_type=leaf.event_type,
            subject=leaf.subject,
            event_sha256=leaf.event_sha256,
        ),
        leaf_data=leaf.leaf_data,
        leaf_hash=leaf.leaf_hash,
        appended_by=entry.appended_by,
        appended_at=timestamp(entry.appended_at),
    )


def append_result_pb(position: int, answer: Answer) -> ledger_pb2.AppendEvidenceResult:
    """One leaf's answer in a batch: its entry, or its refusal naming the leaf's position."""
    if isinstance(answer, EvidenceConflict):
        return ledger_pb2.AppendEvidenceResult(
            refused=ledger_pb2.LeafRefusal(
                code=answer.grpc_code_name,
                message=str(answer),
                field=f"leaves[{position}].leaf.event_id",
            )
        )
    entry, already = answer
    return ledger_pb2.AppendEvidenceResult(
        appended=ledger_pb2.AppendEvidenceResponse(entry=entry_pb(entry), already_present=already)
    )


@functools.lru_cache(maxsize=8)
def checkpoint_pb(checkpoint: StoredCheckpoint) -> ledger_pb2.LedgerCheckpoint:
    """The checkpoint as its message, parsed once: a proof is answered under the same latest
    checkpoint many times (callers copy the message into theirs and never change it)."""
    note = parse_note(checkpoint.note)
    body = parse_checkpoint_body(note.text)
    return ledger_pb2.LedgerCheckpoint(
        origin=body.origin,
        tree_size=checkpoint.tree_size,
        root_hash=checkpoint.root_hash,
        signed_at=timestamp(checkpoint.signed_at),
        body=note.text.encode(),
        signature=note.signatures[0].signature,
        key_name=checkpoint.key_name,
        public_key=checkpoint.public_key,
    )
