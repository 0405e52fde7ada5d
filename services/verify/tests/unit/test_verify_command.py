"""civicloop-verify from files, a copy of the public files, and the ledger's HTTP prefix."""

from __future__ import annotations

import dataclasses
import functools
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from verify_testlog import TestLog

from civicloop.tlog.evidence import EvidenceLeaf
from civicloop.tlog.note import NoteSigner
from civicloop.tlog.tiles import EntryBundle, encode_entry_bundle
from civicloop.verify.__main__ import main

SIZE = 600
LOG = TestLog(SIZE)


def _pins() -> list[str]:
    pins = ["--log-key", str(LOG.log.verifier)]
    for witness in LOG.witnesses:
        pins += ["--witness-key", str(witness.verifier)]
    return pins


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def public_files(tmp_path: Path) -> Path:
    LOG.write(tmp_path / "ledger", SIZE)
    return tmp_path / "ledger"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def ledger_url(public_files: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(public_files))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_case_bundle_verifies_with_pinned_keys(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle = tmp_path / "case-0003.json"
    bundle.write_text(LOG.bundle("case-0003", SIZE).to_json())
    code, out, err = _run(capsys, "bundle", str(bundle), *_pins())
    assert code == 0, err
    assert out.count("in the log at") == 6
    assert "civicloop.case.closed.v1 evt-000023" in out
    assert "cosigned by civicloop.example/witness/civil-affairs" in out
    assert out.endswith("verified\n") and err == ""


def test_a_changed_entry_in_a_bundle_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = json.loads(LOG.bundle("case-0003", SIZE).to_json())
    document["entries"][2]["event_sha256"] = "0" * 64
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(document))
    code, out, _ = _run(capsys, "bundle", str(bundle), *_pins())
    assert code == 1
    assert "FAILED entry 2 (leaf 20, civicloop.case.accepted.v1 evt-000020): not in" in out
    assert out.count("in the log at") == 5


def test_a_bundle_entry_of_another_case_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = json.loads(LOG.bundle("case-0003", SIZE).to_json())
    document["case_id"] = "case-0004"
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(document))
    code, out, _ = _run(capsys, "bundle", str(bundle), *_pins())
    assert code == 1 and "is about case-0003, not case case-0004" in out


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d["entries"][0].pop("event_id"), "entries[0].event_id must be a str"),
        (lambda d: d["entries"][1].update(leaf_index=-1), "entries[1].leaf_index"),
        (lambda d: d["entries"][0].update(inclusion_proof=["***"]), "inclusion_proof[0]"),
        (lambda d: d.update(format="other"), "format must be"),
        (lambda d: d.update(checkpoint="nonsense"), "checkpoint"),
    ],
)
def test_a_malformed_bundle_exits_2_naming_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, change: object, why: str
) -> None:
    document = json.loads(LOG.bundle("case-0003", SIZE).to_json())
    change(document)  # type: ignore[operator]
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(document))
    code, _, err = _run(capsys, "bundle", str(bundle), *_pins())
    assert code == 2 and why in err


def test_a_bundle_signed_by_another_key_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_text(LOG.bundle("case-0003", SIZE).to_json())
    other = NoteSigner.generate("civicloop.example/ledger/v1")
    code, _, err = _run(capsys, "bundle", str(bundle), "--log-key", str(other.verifier))
    assert code == 1 and "checkpoint: the note carries no signature by a trusted key" in err


def test_a_missing_witness_cosignature_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    stranger = NoteSigner.generate("civicloop.example/witness/health", 0x04)
    bundle = tmp_path / "bundle.json"
    bundle.write_text(LOG.bundle("case-0003", SIZE).to_json())
    code, _, err = _run(
        capsys, "bundle", str(bundle), *_pins(), "--witness-key", str(stranger.verifier)
    )
    assert code == 1 and "missing: civicloop.example/witness/health" in err
    code, _, _ = _run(
        capsys, "bundle", str(bundle), *_pins(), "--witness-key", str(stranger.verifier),
        "--min-witnesses", "2",
    )  # fmt: skip
    assert code == 0


def test_keys_the_evidence_carries_are_used_with_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_text(LOG.bundle("case-0001", SIZE).to_json())
    code, _, err = _run(capsys, "bundle", str(bundle))
    assert code == 0 and "pin the log's key with --log-key" in err


def test_everything_from_the_http_endpoints(
    capsys: pytest.CaptureFixture[str], ledger_url: str, tmp_path: Path
) -> None:
    pins = _pins()
    code, out, err = _run(capsys, "checkpoint", "--log", ledger_url, *pins)
    assert code == 0 and f"{SIZE} entries" in out, err
    code, out, err = _run(capsys, "inclusion", "--log", ledger_url, "--index", "517", *pins)
    assert code == 0, err
    assert "leaf 517 (civicloop.case.dispatched.v1 evt-000517, subject case-0086)" in out
    code, out, err = _run(capsys, "bundle", "--log", ledger_url, "--case", "case-0042", *pins)
    assert code == 0 and out.count("in the log at") == 6, err
    old = tmp_path / "old-checkpoint"
    old.write_text(LOG.checkpoint(123).format())
    code, out, err = _run(capsys, "consistency", str(old), "--log", ledger_url, *pins)
    assert code == 0 and f"size {SIZE} extends size 123" in out, err
    code, out, err = _run(capsys, "log", "--log", ledger_url, *pins)
    assert code == 0 and f"all {SIZE} leaves give the signed root" in out, err


def test_a_copy_of_the_public_files_verifies_offline(
    capsys: pytest.CaptureFixture[str], public_files: Path
) -> None:
    keys = public_files / "keys"
    code, out, err = _run(capsys, "inclusion", "--log", str(public_files), "--index", "0",
                          "--keys", str(keys))  # fmt: skip
    assert code == 0, err
    code, _, err = _run(capsys, "log", "--log", str(public_files), "--keys", str(keys))
    assert code == 0, err


def test_an_entry_changed_after_it_was_logged_is_named(
    capsys: pytest.CaptureFixture[str], public_files: Path
) -> None:
    # What the ledger would serve if a row were changed behind its back: the entry no longer
    # matches the leaf hash the tree (and every signed checkpoint) holds.
    leaves = list(LOG.leaves[256:512])
    leaves[44] = dataclasses.replace(leaves[44], event_sha256=bytes(32))
    (public_files / EntryBundle(1).path()).write_bytes(
        encode_entry_bundle([leaf.leaf_data for leaf in leaves])
    )
    code, out, _ = _run(capsys, "log", "--log", str(public_files), *_pins())
    assert code == 1
    assert "FAILED entry 300 (civicloop.case.opened.v1 evt-000300): its data does not hash" in out
    code, out, _ = _run(capsys, "inclusion", "--log", str(public_files), "--index", "300", *_pins())
    assert code == 1 and "FAILED leaf 300" in out and "not in the signed log" in out


def test_a_rewritten_history_is_not_consistent(
    capsys: pytest.CaptureFixture[str], ledger_url: str, tmp_path: Path
) -> None:
    rewritten = TestLog(0)
    rewritten.log, rewritten.witnesses = LOG.log, LOG.witnesses
    rewritten.leaves = list(LOG.leaves[:200])
    rewritten.leaves[17] = EvidenceLeaf("evt-x", "civicloop.case.closed.v1", "case-0002", bytes(32))
    rewritten.rebuild()
    old = tmp_path / "old-checkpoint"
    old.write_text(rewritten.checkpoint(200).format())
    code, out, _ = _run(capsys, "consistency", str(old), "--log", ledger_url, *_pins())
    assert code == 1
    assert f"FAILED the log of size {SIZE} does not extend the one of size 200" in out


def test_a_consistency_proof_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from civicloop.tlog.note import b64encode
    from civicloop.tlog.tree import consistency_plan

    old, new, proof = tmp_path / "old", tmp_path / "new", tmp_path / "proof"
    old.write_text(LOG.checkpoint(50).format())
    new.write_text(LOG.checkpoint(77).format())
    proof.write_text(
        "".join(b64encode(h) + "\n" for h in consistency_plan(50, 77).assemble(LOG.hashes))
    )
    code, out, err = _run(
        capsys, "consistency", str(old), str(new), "--proof", str(proof), *_pins()
    )
    assert code == 0 and "size 77 extends size 50" in out, err
    proof.write_text("AAAA\n")
    code, out, err = _run(
        capsys, "consistency", str(old), str(new), "--proof", str(proof), *_pins()
    )
    assert code == 1 and "consistency proof[0] is 3 bytes, not 32" in out


def test_an_unreachable_ledger_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = _run(capsys, "checkpoint", "--log", f"http://127.0.0.1:{port}/", *_pins())
    assert code == 3 and "UNREADABLE" in err


def test_a_missing_file_exits_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "bundle", str(tmp_path / "nothing.json"), *_pins())
    assert code == 3 and "no such file" in err


def test_no_key_at_all_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    checkpoint = tmp_path / "checkpoint"
    checkpoint.write_text(LOG.checkpoint(3).format())
    code, _, err = _run(capsys, "checkpoint", str(checkpoint))
    assert code == 2 and "no log key" in err
