"""C2SP tlog-checkpoint: the signed tree head, and the checks a client makes before trusting it.

Body: origin line, tree size in decimal, base64 root hash, then optional extension lines; the
ledger adds one, ``time <RFC 3339 UTC>`` (ledger.proto). Witness cosignatures
(tlog-cosignature) are further signature lines on the same note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from civicloop.tlog.errors import MalformedError, SignatureError
from civicloop.tlog.hashing import HASH_SIZE
from civicloop.tlog.note import (
    Note,
    NoteSigner,
    VerifiedSignature,
    VerifierKey,
    b64decode_strict,
    b64encode,
    open_note,
    parse_note,
)

_SIZE = re.compile(r"0|[1-9][0-9]*")
_TIME_PREFIX = "time "


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise MalformedError("a checkpoint's origin is one non-empty line")
        if not 0 <= self.size < 1 << 63:
            raise MalformedError(f"tree size {self.size} is out of range")
        if len(self.root_hash) != HASH_SIZE:
            raise MalformedError(f"root hash is {len(self.root_hash)} bytes, not {HASH_SIZE}")
        for line in self.extensions:
            if not line or "\n" in line:
                raise MalformedError("an extension line is one non-empty line")

    def body(self) -> str:
        lines = [self.origin, str(self.size), b64encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @property
    def signed_at(self) -> datetime | None:
        """The ledger's ``time`` extension, if present."""
        for line in self.extensions:
            if line.startswith(_TIME_PREFIX):
                return parse_time(line[len(_TIME_PREFIX) :])
        return None


def format_time(at: datetime) -> str:
    if at.tzinfo is None:
        raise MalformedError("a checkpoint time must be timezone-aware")
    utc = at.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return text + "Z"


def parse_time(text: str) -> datetime:
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z", text):
        raise MalformedError(f"checkpoint time {text!r} is not RFC 3339 UTC ('...Z')")
    try:
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    except ValueError as exc:
        raise MalformedError(f"checkpoint time {text!r} is not a valid date") from exc


def ledger_checkpoint(origin: str, size: int, root_hash: bytes, signed_at: datetime) -> Checkpoint:
    """The checkpoint the ledger signs: the three lines and its ``time`` extension."""
    return Checkpoint(origin, size, root_hash, (_TIME_PREFIX + format_time(signed_at),))


def parse_checkpoint_body(text: str) -> Checkpoint:
    if not text.endswith("\n"):
        raise MalformedError("checkpoint body must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedError("checkpoint body needs origin, size and root hash lines")
    origin, size, root, *extensions = lines
    if not origin:
        raise MalformedError("checkpoint origin line is empty")
    if not _SIZE.fullmatch(size):
        raise MalformedError(f"checkpoint size {size!r} is not a decimal without leading zeros")
    root_hash = b64decode_strict(root, "checkpoint root hash")
    if any(not line for line in extensions):
        raise MalformedError("checkpoint extension lines must not be empty")
    return Checkpoint(origin, int(size), root_hash, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, log_signer: NoteSigner) -> Note:
    body = checkpoint.body()
    return Note(body, (log_signer.sign(body),))


@dataclass(frozen=True)
class TrustedCheckpoint:
    """A checkpoint whose log signature (and required cosignatures) verified."""

    checkpoint: Checkpoint
    note: Note
    log_signature: VerifiedSignature
    cosignatures: tuple[VerifiedSignature, ...]


def open_checkpoint(
    signed: Note | str | bytes,
    log_key: VerifierKey,
    witness_keys: Sequence[VerifierKey] = (),
    min_witnesses: int = 0,
    origin: str | None = None,
) -> TrustedCheckpoint:
    """Parse, verify the log's signature and count the witnesses' cosignatures.

    Refuses (SignatureError) a checkpoint the log did not sign, one with a failing signature of a
    known key, or one cosigned by fewer than min_witnesses of witness_keys.
    """
    note = signed if isinstance(signed, Note) else parse_note(signed)
    checkpoint = parse_checkpoint_body(note.text)
    if origin is not None and checkpoint.origin != origin:
        raise SignatureError(f"checkpoint is for log {checkpoint.origin!r}, not {origin!r}")
    if log_key.is_cosigner:
        raise SignatureError("the log key must be an Ed25519 note key (type 0x01)")
    verified = open_note(note, [log_key, *witness_keys])
    log_signature = verified.by(log_key)
    if log_signature is None:
        raise SignatureError(f"checkpoint is not signed by the log key {log_key.name}")
    cosignatures = tuple(v for v in verified.verified if v.key in witness_keys)
    if len(cosignatures) < min_witnesses:
        missing = [k.name for k in witness_keys if verified.by(k) is None]
        raise SignatureError(
            f"checkpoint is cosigned by {len(cosignatures)} of the {min_witnesses} witnesses "
            f"required; missing: {', '.join(missing)}"
        )
    return TrustedCheckpoint(checkpoint, note, log_signature, cosignatures)
