"""The ledger's leaf: what one log entry commits to (ledger.proto, LedgerService comment).

civicloop-evidence-v1\\n<event_id>\\n<event_type>\\n<subject>\\n<hex event_sha256>\\n
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civicloop.tlog.errors import MalformedError
from civicloop.tlog.hashing import leaf_hash

LEAF_FORMAT = "civicloop-evidence-v1"

# Printable ASCII without whitespace, 1..128 characters: the contract's rule for ids.
_ID = re.compile(r"[\x21-\x7e]{1,128}")
_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class EvidenceLeaf:
    event_id: str
    event_type: str
    subject: str
    event_sha256: bytes

    def __post_init__(self) -> None:
        for name in ("event_id", "event_type", "subject"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _ID.fullmatch(value):
                raise MalformedError(
                    f"{name} must be 1..128 printable ASCII characters without spaces, "
                    f"got {value!r}"
                )
        if len(self.event_sha256) != 32:
            raise MalformedError(f"event_sha256 must be 32 bytes, got {len(self.event_sha256)}")

    @property
    def leaf_data(self) -> bytes:
        return (
            f"{LEAF_FORMAT}\n{self.event_id}\n{self.event_type}\n{self.subject}\n"
            f"{self.event_sha256.hex()}\n"
        ).encode("ascii")

    @property
    def leaf_hash(self) -> bytes:
        return leaf_hash(self.leaf_data)


def parse_leaf_data(leaf_data: bytes) -> EvidenceLeaf:
    """The leaf of exactly these bytes; anything else (extra spaces, upper-case hex) is refused."""
    try:
        text = leaf_data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedError("leaf data is not ASCII text") from exc
    lines = text.split("\n")
    if len(lines) != 6 or lines[5] != "":
        raise MalformedError("leaf data must be five lines, each ending in a newline")
    if lines[0] != LEAF_FORMAT:
        raise MalformedError(f"leaf data must start with {LEAF_FORMAT!r}, got {lines[0]!r}")
    if not _DIGEST.fullmatch(lines[4]):
        raise MalformedError("event_sha256 must be 64 lower-case hex characters")
    return EvidenceLeaf(lines[1], lines[2], lines[3], bytes.fromhex(lines[4]))
