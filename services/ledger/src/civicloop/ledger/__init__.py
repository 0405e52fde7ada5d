"""Ledger: 存证. Every case event's digest is appended to an append-only Merkle log (RFC 9162
hashing) whose signed C2SP checkpoints the departments' witnesses cosign; the log is served as
static tiles so that anyone can check a case's history with civicloop-verify. The ledger holds
no personal data: ids, event types and digests only."""
