"""The log's records as ledger.proto messages."""

from __future__ import annotations

from civicloop.ledger.domain.evidence import Entry
from civicloop.ledger.store.repository import StoredCheckpoint
from civicloop.platform.protobuf import timestamp
from civicloop.tlog.checkpoint import parse_checkpoint_body
from civicloop.tlog.note import parse_note
from civicloop.v1 import ledger_pb2


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


def checkpoint_pb(checkpoint: StoredCheckpoint) -> ledger_pb2.LedgerCheckpoint:
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
