"""A witness cosigns a checkpoint only when it extends the last one it cosigned."""

from __future__ import annotations

import pytest
from verify_testlog import ORIGIN, TestLog

from civicloop.tlog.checkpoint import open_checkpoint
from civicloop.tlog.errors import MalformedError
from civicloop.tlog.hashing import EMPTY_ROOT
from civicloop.tlog.note import COSIGNATURE_V1, Note, NoteSigner
from civicloop.tlog.tree import consistency_plan
from civicloop.tlog.witness import (
    AddCheckpoint,
    Cosigned,
    Refusal,
    Refused,
    WitnessedLog,
    decide,
    format_add_checkpoint,
    parse_add_checkpoint,
)

LOG = TestLog(40)
WITNESS = NoteSigner.generate("civicloop.example/witness/civil-affairs", COSIGNATURE_V1)
NOW = 1_796_122_900


def _known(size: int) -> WitnessedLog:
    root = open_checkpoint(LOG.checkpoint(size), LOG.log.verifier).checkpoint.root_hash
    return WitnessedLog(ORIGIN, LOG.log.verifier, size, root if size else EMPTY_ROOT)


def _request(old: int, new: int, proof: list[bytes] | None = None) -> AddCheckpoint:
    if proof is None:
        proof = consistency_plan(old, new).assemble(LOG.hashes) if 0 < old <= new else []
    return AddCheckpoint(old, tuple(proof), LOG.checkpoint(new))


def _refusal(result: Cosigned | Refused) -> Refusal:
    assert isinstance(result, Refused), result
    return result.reason


def test_a_checkpoint_that_extends_the_last_one_is_cosigned() -> None:
    result = decide(_known(10), _request(10, 25), WITNESS, NOW)
    assert isinstance(result, Cosigned)
    assert (result.state.size, result.checkpoint.size) == (25, 25)
    cosigned = LOG.checkpoint(25).with_signatures([result.cosignature])
    trusted = open_checkpoint(cosigned, LOG.log.verifier, [WITNESS.verifier], 1)
    assert trusted.cosignatures[0].timestamp == NOW


def test_the_first_checkpoint_is_cosigned_from_size_zero_without_proof() -> None:
    result = decide(WitnessedLog(ORIGIN, LOG.log.verifier), _request(0, 7), WITNESS, NOW)
    assert isinstance(result, Cosigned) and result.state.size == 7


def test_the_same_checkpoint_again_is_cosigned_again() -> None:
    assert isinstance(decide(_known(12), _request(12, 12), WITNESS, NOW), Cosigned)


def test_a_smaller_checkpoint_is_a_rollback() -> None:
    result = decide(_known(30), _request(20, 20), WITNESS, NOW)
    assert _refusal(result) is Refusal.ROLLBACK
    assert isinstance(result, Refused) and result.witness_size == 30
    assert Refusal.ROLLBACK.http_status == 409


def test_a_request_from_another_old_size_is_told_the_witness_size() -> None:
    result = decide(_known(10), _request(8, 20), WITNESS, NOW)
    assert _refusal(result) is Refusal.STALE_OLD_SIZE
    assert isinstance(result, Refused) and result.witness_size == 10


def test_another_root_for_the_same_size_is_a_fork() -> None:
    known = _known(20)
    forked = WitnessedLog(ORIGIN, LOG.log.verifier, 20, bytes(32))
    assert isinstance(decide(known, _request(20, 20), WITNESS, NOW), Cosigned)
    assert _refusal(decide(forked, _request(20, 20), WITNESS, NOW)) is Refusal.FORK


def test_a_rewritten_history_fails_the_consistency_proof() -> None:
    # The witness cosigned size 10 of another history: the same log key, other entries.
    other = WitnessedLog(ORIGIN, LOG.log.verifier, 10, bytes(range(32)))
    result = decide(other, _request(10, 25), WITNESS, NOW)
    assert _refusal(result) is Refusal.BAD_PROOF
    assert isinstance(result, Refused) and "does not lead to the first root" in result.detail


def test_a_tampered_proof_is_a_bad_proof() -> None:
    proof = consistency_plan(10, 25).assemble(LOG.hashes)
    proof[0] = bytes(32)
    assert _refusal(decide(_known(10), _request(10, 25, proof), WITNESS, NOW)) is Refusal.BAD_PROOF


def test_a_proof_from_size_zero_is_refused() -> None:
    request = _request(0, 7, [bytes(32)])
    result = decide(WitnessedLog(ORIGIN, LOG.log.verifier), request, WITNESS, NOW)
    assert _refusal(result) is Refusal.BAD_PROOF


def test_a_checkpoint_the_log_did_not_sign_is_refused() -> None:
    impostor = NoteSigner.generate(ORIGIN)
    note = LOG.checkpoint(20)
    forged = Note(note.text, (impostor.sign(note.text),))
    result = decide(_known(10), AddCheckpoint(10, _request(10, 20).proof, forged), WITNESS, NOW)
    assert _refusal(result) is Refusal.BAD_SIGNATURE
    assert Refusal.BAD_SIGNATURE.http_status == 403


def test_an_unknown_log_is_refused() -> None:
    assert _refusal(decide(None, _request(0, 5), WITNESS, NOW)) is Refusal.UNKNOWN_LOG
    other = WitnessedLog("elsewhere.example/log", LOG.log.verifier)
    assert _refusal(decide(other, _request(0, 5), WITNESS, NOW)) is Refusal.UNKNOWN_LOG


def test_an_old_size_beyond_the_checkpoint_is_malformed() -> None:
    request = AddCheckpoint(30, (), LOG.checkpoint(20))
    assert _refusal(decide(_known(30), request, WITNESS, NOW)) is Refusal.MALFORMED


def test_the_add_checkpoint_body_round_trips() -> None:
    request = _request(10, 25)
    body = format_add_checkpoint(request.old_size, request.proof, request.checkpoint)
    assert body.startswith("old 10\n")
    assert parse_add_checkpoint(body.encode()) == request


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("old 010\n\n", "no leading zeros"),
        ("new 10\n\n", "'old <size>'"),
        ("old 10\nnot base64\n\n", "not valid base64"),
        ("old 1\n" + "AAAA\n" * 64 + "\n", "at most 63"),
    ],
)
def test_a_malformed_request_says_what_is_wrong(body: str, why: str) -> None:
    with pytest.raises(MalformedError, match=why):
        parse_add_checkpoint(body + LOG.checkpoint(3).format())


def test_a_request_without_its_empty_line_is_refused() -> None:
    with pytest.raises(MalformedError, match="empty line"):
        parse_add_checkpoint("old 10\nAAAA\n")
