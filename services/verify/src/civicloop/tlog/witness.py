"""A witness's decision (c2sp.org/tlog-witness add-checkpoint, tlog-cosignature/v1).

Given the last checkpoint it cosigned for a log, a new signed checkpoint and a consistency
proof from the size the log says the witness is at, a witness cosigns only if the new tree
extends the old one; otherwise it refuses with the reason. Persisting the new state and the
answer atomically is the caller's part.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from civicloop.tlog.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint_body
from civicloop.tlog.errors import MalformedError, ProofError, SignatureError
from civicloop.tlog.hashing import EMPTY_ROOT
from civicloop.tlog.note import (
    Note,
    NoteSignature,
    NoteSigner,
    VerifierKey,
    as_text,
    b64decode_strict,
    b64encode,
    parse_note,
)
from civicloop.tlog.proofs import verify_consistency

MAX_PROOF_LINES = 63


class Refusal(enum.Enum):
    """Why a witness refuses, with the HTTP status tlog-witness gives each."""

    MALFORMED = 400  # not a request / checkpoint the spec allows
    UNKNOWN_LOG = 404  # origin the witness is not configured for
    BAD_SIGNATURE = 403  # not signed by the log's key, or a known signature fails
    ROLLBACK = 409  # smaller than the checkpoint it already cosigned
    STALE_OLD_SIZE = 409  # the log's idea of the witness's size is not the witness's
    FORK = 422  # same size as the cosigned checkpoint, different root
    BAD_PROOF = 422  # the consistency proof does not verify: the tree was rewritten or forked

    @property
    def http_status(self) -> int:
        return self.value


@dataclass(frozen=True)
class WitnessedLog:
    """What a witness knows of one log: its key and the last checkpoint it cosigned."""

    origin: str
    log_key: VerifierKey
    size: int = 0
    root_hash: bytes = EMPTY_ROOT


@dataclass(frozen=True)
class AddCheckpoint:
    """A tlog-witness add-checkpoint request."""

    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: Note


@dataclass(frozen=True)
class Cosigned:
    state: WitnessedLog
    cosignature: NoteSignature
    checkpoint: Checkpoint


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    detail: str
    # For ROLLBACK / STALE_OLD_SIZE: the size the witness holds (tlog-witness answers it).
    witness_size: int | None = None


def parse_add_checkpoint(body: bytes | str) -> AddCheckpoint:
    """``old <size>``, up to 63 base64 proof lines, an empty line, then the checkpoint."""
    head, separator, rest = as_text(body, "request").partition("\n\n")
    if not separator:
        raise MalformedError("request needs an empty line between the proof and the checkpoint")
    lines = head.split("\n")
    match = re.fullmatch(r"old (0|[1-9][0-9]*)", lines[0])
    if match is None:
        raise MalformedError("first line must be 'old <size>' (decimal, no leading zeros)")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise MalformedError(f"at most {MAX_PROOF_LINES} consistency proof lines")
    proof = tuple(b64decode_strict(line, f"proof line {n}") for n, line in enumerate(lines[1:], 1))
    return AddCheckpoint(int(match[1]), proof, parse_note(rest))


def format_add_checkpoint(old_size: int, proof: Sequence[bytes], checkpoint: Note) -> str:
    lines = [f"old {old_size}", *(b64encode(h) for h in proof)]
    return "\n".join(lines) + "\n\n" + checkpoint.format()


def decide(
    known: WitnessedLog | None,
    request: AddCheckpoint,
    witness: NoteSigner,
    now: int,
) -> Cosigned | Refused:
    """Cosign the request's checkpoint at POSIX time `now`, or refuse it saying why.

    `known` is the witness's record for the checkpoint's origin (None: not a log it witnesses).
    """
    try:
        checkpoint = parse_checkpoint_body(request.checkpoint.text)
    except MalformedError as exc:
        return Refused(Refusal.MALFORMED, f"checkpoint: {exc}")
    if known is None or known.origin != checkpoint.origin:
        return Refused(Refusal.UNKNOWN_LOG, f"not a witness of log {checkpoint.origin!r}")
    try:
        open_checkpoint(request.checkpoint, known.log_key)
    except (SignatureError, MalformedError) as exc:
        return Refused(Refusal.BAD_SIGNATURE, str(exc))
    if request.old_size > checkpoint.size:
        return Refused(
            Refusal.MALFORMED,
            f"old size {request.old_size} is larger than the checkpoint's {checkpoint.size}",
        )
    if checkpoint.size < known.size:
        return Refused(
            Refusal.ROLLBACK,
            f"checkpoint of size {checkpoint.size} is smaller than the size {known.size} "
            "already cosigned",
            known.size,
        )
    if request.old_size != known.size:
        return Refused(
            Refusal.STALE_OLD_SIZE,
            f"the witness is at size {known.size}, not {request.old_size}",
            known.size,
        )
    if checkpoint.size == 0 and checkpoint.root_hash != EMPTY_ROOT:
        return Refused(Refusal.BAD_PROOF, "a tree of size 0 has the empty root")
    if known.size == checkpoint.size:
        if request.proof:
            return Refused(Refusal.BAD_PROOF, "equal sizes need an empty consistency proof")
        if checkpoint.root_hash != known.root_hash:
            return Refused(
                Refusal.FORK,
                f"two different roots signed for size {known.size}: the log forked",
            )
    elif known.size == 0:
        if request.proof:
            return Refused(Refusal.BAD_PROOF, "from size 0 the consistency proof must be empty")
    else:
        try:
            verify_consistency(
                known.size, checkpoint.size, known.root_hash, checkpoint.root_hash, request.proof
            )
        except ProofError as exc:
            return Refused(
                Refusal.BAD_PROOF,
                f"size {checkpoint.size} is not proved to extend size {known.size}: {exc}",
            )
    cosignature = witness.cosign(request.checkpoint.text, now)
    state = WitnessedLog(known.origin, known.log_key, checkpoint.size, checkpoint.root_hash)
    return Cosigned(state, cosignature, checkpoint)
