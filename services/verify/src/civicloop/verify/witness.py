"""civicloop-witness: a department's witness of the ledger (c2sp.org/tlog-witness).

It serves ``POST /add-checkpoint``: the log sends its new checkpoint with a consistency proof
from the size the witness last cosigned; the witness cosigns (tlog-cosignature/v1) only if the
new tree extends the old one, so no single party can fork or rewrite the log unseen. What it
cosigned is written to its state file (atomically, before it answers), so a restart never
makes it forget and cosign a fork. Installs with civicloop-verify alone: no store, no platform.

    civicloop-witness --origin civicloop.example/ledger/v1 --log-key VKEY \\
        --key-file witness.key --state witness.state --port 8101
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from civicloop.tlog.errors import MalformedError
from civicloop.tlog.note import NoteSigner, b64decode_strict, b64encode, parse_private_key
from civicloop.tlog.note import parse_verifier_key as parse_vkey
from civicloop.tlog.witness import Cosigned, WitnessedLog, decide, parse_add_checkpoint

log = logging.getLogger("civicloop.witness")

ADD_CHECKPOINT_PATH = "/add-checkpoint"
MAX_REQUEST_BYTES = 64 * 1024
SIZE_MEDIA_TYPE = "text/x.tlog.size"


class WitnessState:
    """The last checkpoint cosigned for one log, kept in a file."""

    def __init__(self, path: Path, log_state: WitnessedLog) -> None:
        self.path = path
        self.log = log_state
        self.checkpoint = ""
        self.lock = threading.Lock()
        if path.exists():
            saved = json.loads(path.read_text())
            if saved.get("origin") != log_state.origin:
                raise MalformedError(f"{path} holds the state of log {saved.get('origin')!r}")
            self.log = WitnessedLog(
                log_state.origin,
                log_state.log_key,
                int(saved["size"]),
                b64decode_strict(saved["root_hash"], "state root_hash"),
            )
            self.checkpoint = str(saved.get("checkpoint", ""))

    def save(self, cosigned: Cosigned, checkpoint: str) -> None:
        document = {
            "origin": cosigned.state.origin,
            "size": cosigned.state.size,
            "root_hash": b64encode(cosigned.state.root_hash),
            "checkpoint": checkpoint,
        }
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        with temporary.open("w") as file:
            json.dump(document, file)
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(self.path)
        self.log = cosigned.state
        self.checkpoint = checkpoint


def handler_for(state: WitnessState, signer: NoteSigner) -> type[BaseHTTPRequestHandler]:
    class AddCheckpoint(BaseHTTPRequestHandler):
        server_version = "civicloop-witness"

        def _answer(self, status: int, body: str, media_type: str = "text/plain") -> None:
            raw = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", f"{media_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            if self.path in ("/healthz", "/readyz"):
                self._answer(200, "ok\n")
            elif self.path == "/checkpoint" and state.checkpoint:
                self._answer(200, state.checkpoint)
            else:
                self._answer(404, "not found\n")

        def do_POST(self) -> None:
            if self.path != ADD_CHECKPOINT_PATH:
                self._answer(404, "not found\n")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_REQUEST_BYTES:
                self._answer(400, f"a request is 1..{MAX_REQUEST_BYTES} bytes\n")
                return
            try:
                request = parse_add_checkpoint(self.rfile.read(length))
            except MalformedError as exc:
                self._answer(400, f"{exc}\n")
                return
            with state.lock:
                outcome = decide(state.log, request, signer, int(time.time()))
                if isinstance(outcome, Cosigned):
                    note = request.checkpoint.with_signatures([outcome.cosignature])
                    state.save(outcome, note.format())
            if isinstance(outcome, Cosigned):
                log.info("cosigned %s at size %d", outcome.checkpoint.origin, outcome.state.size)
                self._answer(200, outcome.cosignature.line())
                return
            log.warning("refused: %s (%s)", outcome.detail, outcome.reason.name)
            if outcome.witness_size is not None:
                self._answer(
                    outcome.reason.http_status, f"{outcome.witness_size}\n", SIZE_MEDIA_TYPE
                )
            else:
                self._answer(outcome.reason.http_status, f"{outcome.detail}\n")

        def log_message(self, format: str, *args: object) -> None:
            log.debug(format, *args)

    return AddCheckpoint


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civicloop-witness", description=__doc__.split("\n")[0])
    parser.add_argument("--origin", required=True, help="the origin line of the log witnessed")
    parser.add_argument("--log-key", required=True, metavar="VKEY", help="the log's verifier key")
    parser.add_argument(
        "--key-file",
        type=Path,
        help="the witness's cosigner key, PRIVATE+KEY+... (default: $CIVICLOOP_WITNESS_KEY)",
    )
    parser.add_argument("--state", type=Path, required=True, help="where the witness remembers")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    args = _parser().parse_args(argv)
    try:
        key_text = (
            args.key_file.read_text()
            if args.key_file
            else os.environ.get("CIVICLOOP_WITNESS_KEY", "")
        )
        signer = parse_private_key(key_text)
        if not signer.verifier.is_cosigner:
            raise MalformedError("a witness key has type 0x04 (cosignature/v1)")
        log_key = parse_vkey(args.log_key)
        state = WitnessState(args.state, WitnessedLog(args.origin, log_key))
    except (MalformedError, OSError, ValueError, KeyError) as exc:
        print(f"civicloop-witness: {exc}", file=sys.stderr)
        return 2
    server = ThreadingHTTPServer((args.host, args.port), handler_for(state, signer))
    log.info("witness %s of %s on %s:%d", signer.verifier, args.origin, args.host, args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
