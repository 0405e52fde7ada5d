"""Signed notes, checkpoints and cosignatures against the C2SP specs and Go's sumdb/note.

Vectors: golang.org/x/mod sumdb/note/note_test.go (BSD-3-Clause, commit fe2ec04f): the
PeterNeumann and EnochRoot keys and signatures; C2SP/C2SP (commit 5ba5ee83) signed-note.md
(the example.com/foo key and note), tlog-checkpoint.md and tlog-cosignature.md (the
behind-the-sofa checkpoint and its witness cosignature of time 1679315147).
"""

from __future__ import annotations

import base64
import struct
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sigstore._internal.rekor.checkpoint import SignedCheckpoint

from civicloop.tlog.checkpoint import (
    Checkpoint,
    ledger_checkpoint,
    open_checkpoint,
    parse_checkpoint_body,
    sign_checkpoint,
)
from civicloop.tlog.errors import MalformedError, SignatureError
from civicloop.tlog.hashing import EMPTY_ROOT
from civicloop.tlog.note import (
    COSIGNATURE_V1,
    Note,
    NoteSigner,
    cosignature_message,
    open_note,
    parse_note,
    parse_private_key,
    parse_verifier_key,
    sign_note,
)

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqd"
    "ngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnW"
    "Lox33WWd1RvMc+QQ=\n"
)

C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
C2SP_NOTE = (
    "This is an example message.\n\n"
    "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3"
    "mFXmRKuwHjG1Yu72IneyaQM=\n"
)
SOFA_CHECKPOINT = (
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
    "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
    "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrD"
    "JsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)


def test_go_sumdb_keys_parse_and_agree() -> None:
    signer = parse_private_key(PETER_SKEY)
    assert str(signer.verifier) == PETER_VKEY
    assert str(parse_verifier_key(PETER_VKEY)) == PETER_VKEY
    assert signer.private_key_text() == PETER_SKEY


def test_signing_reproduces_go_sumdb_byte_for_byte() -> None:
    assert sign_note(TEXT, [parse_private_key(PETER_SKEY)]).format() == TEXT + "\n" + PETER_SIG


def test_unknown_signatures_are_ignored_and_known_ones_verified() -> None:
    peter, enoch = parse_verifier_key(PETER_VKEY), parse_verifier_key(ENOCH_VKEY)
    note = parse_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG)
    assert [v.key for v in open_note(note, [peter]).verified] == [peter]
    assert [v.key for v in open_note(note, [peter, enoch]).verified] == [peter, enoch]
    with pytest.raises(SignatureError, match="no signature by a trusted key"):
        open_note(note, [])


def test_a_known_key_whose_signature_fails_rejects_the_note() -> None:
    tampered = TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(SignatureError, match="PeterNeumann\\+c74f20a3 does not verify"):
        open_note(parse_note(tampered), [parse_verifier_key(PETER_VKEY)])
    with pytest.raises(SignatureError):
        open_note(parse_note(TEXT.replace("answer", "Answer") + "\n" + PETER_SIG),
                  [parse_verifier_key(PETER_VKEY)])  # fmt: skip


@pytest.mark.parametrize(
    "message",
    [
        TEXT.encode(),
        (TEXT + "\n").encode(),
        (TEXT + "\n" + PETER_SIG[:-1]).encode(),
        b"\x01" + (TEXT + "\n" + PETER_SIG).encode(),
        b"\xff" + (TEXT + "\n" + PETER_SIG).encode(),
        (TEXT + "\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXg"
         "KvqfqdngotpRZb6KE6RyyBwJnAM=").encode(),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n").encode(),
        (TEXT + "\n" + PETER_SIG * 101).encode(),
    ],
    ids=["no-signatures", "blank-line-only", "no-final-newline", "control-character",
         "not-utf8", "name-with-space", "unexpected-line", "101-signatures"],
)  # fmt: skip
def test_go_sumdb_malformed_notes_are_refused(message: bytes) -> None:
    with pytest.raises(MalformedError):
        parse_note(message)


@pytest.mark.parametrize(
    ("message", "why"),
    [
        (TEXT + "\n- PeterNeumann AAAA\n", "does not start with"),
        (TEXT + "\n\u2014 a+b x08go/ZJkuBS9UG/SffcvIAQ==\n", "must not contain spaces"),
        (TEXT + "\n\u2014 PeterNeumann x08go/ZJ%uBS9UG\n", "not valid base64"),
        (TEXT + "\n\u2014 PeterNeumann AAAAAB==\n", "not canonical base64"),
        (TEXT + "\n\u2014 PeterNeumann AAAA\n", "too short"),
    ],
)
def test_a_malformed_note_says_what_is_wrong(message: str, why: str) -> None:
    with pytest.raises(MalformedError, match=why):
        parse_note(message)


def test_mangled_verifier_keys_are_refused() -> None:
    mangled = {
        PETER_VKEY[i:j] for i in range(len(PETER_VKEY)) for j in range(i + 1, len(PETER_VKEY) + 1)
    }
    mangled.discard(PETER_VKEY)
    mangled |= {
        PETER_VKEY[:i] + chr(ord(PETER_VKEY[i]) + 1) + PETER_VKEY[i + 1 :]
        for i in range(len(PETER_VKEY))
    }
    # Go's own: a wrong key length and an unknown algorithm, each with a matching key hash.
    mangled.add("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
    mangled.add("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    accepted = []
    for vkey in mangled:
        try:
            parse_verifier_key(vkey)
        except MalformedError:
            continue
        accepted.append(vkey)
    assert accepted == []


def test_the_c2sp_signed_note_example_verifies() -> None:
    key = parse_verifier_key(C2SP_VKEY)
    verified = open_note(parse_note(C2SP_NOTE), [key])
    assert verified.note.text == "This is an example message.\n"
    assert verified.verified[0].key == key


def test_the_c2sp_checkpoint_example_parses_with_its_cosignature_time() -> None:
    note = parse_note(SOFA_CHECKPOINT)
    checkpoint = parse_checkpoint_body(note.text)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
    assert base64.b64encode(checkpoint.root_hash) == b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    witness = note.signatures[1]
    assert witness.name == "witness.example.com/w1" and len(witness.signature) == 72
    assert struct.unpack(">Q", witness.signature[:8])[0] == 1679315147
    assert note.format() == SOFA_CHECKPOINT


def test_the_cosigned_message_is_the_one_tlog_cosignature_shows() -> None:
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert cosignature_message(text, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("origin\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "leading zeros"),
        ("origin\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "leading zeros"),
        ("origin\n12\nnot base64!\n", "not valid base64"),
        ("origin\n12\nAAAA\n", "not 32"),
        ("origin\n12\n", "needs origin, size and root"),
        ("\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "origin line is empty"),
        ("origin\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", "end with a newline"),
    ],
)
def test_a_malformed_checkpoint_says_what_is_wrong(body: str, why: str) -> None:
    with pytest.raises(MalformedError, match=why):
        parse_checkpoint_body(body)


LOG = NoteSigner.generate("civicloop.example/ledger/v1")
CIVIL_AFFAIRS = NoteSigner.generate("civicloop.example/witness/civil-affairs", COSIGNATURE_V1)
FINANCE = NoteSigner.generate("civicloop.example/witness/finance", COSIGNATURE_V1)
AT = datetime(2026, 12, 1, 11, 0, 5, tzinfo=UTC)


def _cosigned(size: int = 7) -> Note:
    checkpoint = ledger_checkpoint("civicloop.example/ledger/v1", size, EMPTY_ROOT, AT)
    note = sign_checkpoint(checkpoint, LOG)
    return note.with_signatures([CIVIL_AFFAIRS.cosign(note.text, 1_796_000_000)])


def test_a_checkpoint_is_trusted_with_the_witnesses_it_needs() -> None:
    trusted = open_checkpoint(
        _cosigned().format(), LOG.verifier, [CIVIL_AFFAIRS.verifier], min_witnesses=1
    )
    assert trusted.checkpoint.signed_at == AT
    assert trusted.checkpoint.extensions == ("time 2026-12-01T11:00:05Z",)
    assert [(c.key.name, c.timestamp) for c in trusted.cosignatures] == [
        ("civicloop.example/witness/civil-affairs", 1_796_000_000)
    ]


def test_a_checkpoint_without_a_required_witness_names_it() -> None:
    with pytest.raises(SignatureError, match="missing: civicloop.example/witness/finance"):
        open_checkpoint(
            _cosigned(), LOG.verifier, [CIVIL_AFFAIRS.verifier, FINANCE.verifier], min_witnesses=2
        )


def test_a_checkpoint_the_log_did_not_sign_is_refused() -> None:
    other_log = NoteSigner.generate("civicloop.example/ledger/v1")
    with pytest.raises(SignatureError):
        open_checkpoint(_cosigned(), other_log.verifier)
    forged = Note(_cosigned().text.replace("\n7\n", "\n8\n"), _cosigned().signatures)
    with pytest.raises(SignatureError, match="does not verify"):
        open_checkpoint(forged, LOG.verifier)


def test_a_cosignature_over_another_time_does_not_verify() -> None:
    note = _cosigned()
    cosignature = note.signatures[1]
    moved = struct.pack(">Q", 1_796_000_001) + cosignature.signature[8:]
    forged = Note(
        note.text,
        (note.signatures[0], type(cosignature)(cosignature.name, cosignature.key_id, moved)),
    )
    with pytest.raises(SignatureError, match="does not verify"):
        open_checkpoint(forged, LOG.verifier, [CIVIL_AFFAIRS.verifier], 1)


def test_sigstore_parses_our_checkpoints_the_same_way() -> None:
    # A second, independent parser of the C2SP checkpoint / signed-note format.
    text = sign_checkpoint(
        ledger_checkpoint("civicloop.example/ledger/v1", 20852163, bytes(range(32)), AT), LOG
    ).format()
    theirs = SignedCheckpoint.from_text(text)
    assert theirs.checkpoint.origin == "civicloop.example/ledger/v1"
    assert theirs.checkpoint.log_size == 20852163
    assert theirs.checkpoint.log_hash == bytes(range(32)).hex()
    assert theirs.checkpoint.other_content == ["time 2026-12-01T11:00:05Z"]
    [signature] = theirs.signed_note.signatures
    assert signature.name == LOG.name
    assert int.from_bytes(signature.sig_hash, "big") == LOG.key_id
    Ed25519PublicKey.from_public_bytes(LOG.verifier.public_key).verify(
        base64.b64decode(signature.signature), theirs.signed_note.note.encode()
    )


def test_checkpoint_bodies_round_trip() -> None:
    checkpoint = Checkpoint(
        "civicloop.example/ledger/v1", 0, EMPTY_ROOT, ("time 2026-12-01T11:00:05.25Z",)
    )
    assert parse_checkpoint_body(checkpoint.body()) == checkpoint
    assert checkpoint.signed_at == datetime(2026, 12, 1, 11, 0, 5, 250000, tzinfo=UTC)
