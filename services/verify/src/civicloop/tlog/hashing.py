"""RFC 9162 section 2.1 hashing: the only place where bytes become Merkle hashes."""

from __future__ import annotations

import hashlib

HASH_SIZE = 32

# Domain separation: a leaf hash can never be mistaken for an interior node (second preimage).
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf_data: bytes) -> bytes:
    """SHA-256(0x00 || leaf_data)."""
    return hashlib.sha256(_LEAF_PREFIX + leaf_data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()
