"""civicloop-verify: check the ledger's evidence offline, from files or the public endpoints.

Exit codes: 0 everything verified; 1 something did not verify (the output says which entry or
checkpoint, and why); 2 bad usage or a malformed document; 3 a file or URL could not be read;
4 a check this version does not do yet.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from civicloop.tlog.errors import (
    InvalidTreeRequest,
    MalformedError,
    MissingSubtree,
    SignatureError,
)
from civicloop.tlog.note import as_text, b64decode_strict, parse_verifier_key
from civicloop.verify.batch import check_batch, manifest_keys
from civicloop.verify.checks import (
    Outcome,
    Read,
    Trust,
    Unreachable,
    check_bundle,
    check_consistency,
    check_inclusion_from_log,
    check_whole_log,
    describe,
    trust_checkpoint,
)
from civicloop.verify.credential import check_credential, did_key_public
from civicloop.verify.layout import (
    CHECKPOINT_PATH,
    KEYS_PATH,
    TrustedKeys,
    evidence_path,
    parse_evidence_bundle,
    parse_keys,
)
from civicloop.verify.printed import (
    ReaderMissing,
    check_printed,
    printed_evidence,
    read_attachments,
)
from civicloop.verify.sources import log_reader, read_location

EXIT_VERIFIED = 0
EXIT_FAILED = 1
EXIT_MALFORMED = 2
EXIT_UNREACHABLE = 3
EXIT_UNSUPPORTED = 4


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    keys = argparse.ArgumentParser(add_help=False)
    group = keys.add_argument_group("trusted keys (pin them: get them from the city, not the log)")
    group.add_argument("--log-key", metavar="VKEY", help="the log's verifier key, name+id+key")
    group.add_argument(
        "--witness-key",
        metavar="VKEY",
        action="append",
        default=[],
        help="a witness's verifier key (repeat for each witness)",
    )
    group.add_argument(
        "--keys",
        metavar="FILE|URL",
        help="a keys file: 'log <vkey>' and 'witness <vkey>' lines",
    )
    group.add_argument(
        "--min-witnesses",
        type=int,
        metavar="N",
        help="cosignatures required (default: every witness key given)",
    )
    log = argparse.ArgumentParser(add_help=False)
    log.add_argument(
        "--log",
        metavar="URL|DIR",
        help="the ledger's public prefix (checkpoint, tile/, keys, evidence/) or a copy of it",
    )

    parser = argparse.ArgumentParser(
        prog="civicloop-verify",
        description="Check Civicloop ledger evidence offline. Exit 0 verified, 1 failed, "
        "2 malformed input or bad usage, 3 unreadable source, 4 not supported yet.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    checkpoint = commands.add_parser(
        "checkpoint", parents=[keys, log], help="a checkpoint's signatures and cosignatures"
    )
    checkpoint.add_argument("file", nargs="?", help="checkpoint file (default: the log's)")
    bundle = commands.add_parser(
        "bundle",
        parents=[keys, log],
        help="a case's evidence bundle: every entry is in the signed log",
    )
    bundle.add_argument("file", nargs="?", help="bundle file or URL")
    bundle.add_argument("--case", help="with --log: fetch evidence/<case> from the log")
    inclusion = commands.add_parser(
        "inclusion",
        parents=[keys, log],
        help="one leaf as the log serves it is under its latest checkpoint (from the tiles)",
    )
    inclusion.add_argument("--index", type=int, required=True, help="0-based leaf index")
    consistency = commands.add_parser(
        "consistency",
        parents=[keys, log],
        help="a newer checkpoint extends an older one (the log was only appended to)",
    )
    consistency.add_argument("old", help="the older checkpoint file")
    consistency.add_argument("new", nargs="?", help="the newer checkpoint (default: the log's)")
    consistency.add_argument(
        "--proof", metavar="FILE", help="proof file, one base64 hash a line (default: from tiles)"
    )
    commands.add_parser(
        "log",
        parents=[keys, log],
        help="monitor: every entry the log serves matches its tree and the signed root",
    )
    issuer = argparse.ArgumentParser(add_help=False)
    issuer.add_argument(
        "--issuer-key", metavar="DID", help="the issuer's key as a did:key (pin it: from the city)"
    )
    moment = argparse.ArgumentParser(add_help=False)
    moment.add_argument("--at", help="the moment to check for, RFC 3339 (default: now)")
    credential = commands.add_parser(
        "credential",
        parents=[issuer, moment],
        help="a subsidy verification credential: its proof under the pinned issuer key, its "
        "validity and, given the status list, its revocation bit",
    )
    credential.add_argument("file", help="the credential (JSON-LD VC) file or URL")
    credential.add_argument(
        "--status-list",
        metavar="FILE|URL",
        help="the issuer's status list credential (default: not checked offline)",
    )
    batch = commands.add_parser(
        "batch",
        parents=[keys, issuer],
        help="a community's monthly CSV and its signed manifest: every row a credential the "
        "issuer signed, with its issuance (and revocation) in the signed log",
    )
    batch.add_argument("csv", help="the CSV file")
    batch.add_argument("manifest", help="the manifest (a compact JWS) file")
    pdf = commands.add_parser(
        "pdf",
        parents=[keys, issuer, moment],
        help="a printed credential's PDF: the credential, its evidence and the status list "
        "at printing that it carries",
    )
    pdf.add_argument("file", help="the PDF file")
    return parser


def _trust(args: argparse.Namespace, warn: list[str], served_keys: str | None) -> Trust:
    found = TrustedKeys()
    if args.keys:
        found = parse_keys(as_text(read_location(args.keys), "keys file"))
    elif not args.log_key and served_keys is not None:
        found = parse_keys(served_keys)
        warn.append(
            "trusting the keys the evidence itself carries: pin the log's key with --log-key "
            "(or --keys) for a check that does not rely on the log"
        )
    log_key = parse_verifier_key(args.log_key) if args.log_key else found.log
    if log_key is None:
        raise UsageError("no log key: give --log-key or --keys")
    witnesses = tuple(parse_verifier_key(k) for k in args.witness_key) or found.witnesses
    for key in witnesses:
        if not key.is_cosigner:
            raise UsageError(f"witness key {key.name} is not a cosignature key (type 0x04)")
    required = len(witnesses) if args.min_witnesses is None else args.min_witnesses
    if not 0 <= required <= len(witnesses):
        raise UsageError(f"--min-witnesses must be 0..{len(witnesses)}")
    return Trust(log_key, witnesses, required)


def _served_keys(read: Read | None) -> str | None:
    return None if read is None else as_text(read(KEYS_PATH), "keys")


def _file_or_log_checkpoint(location: str | None, read: Read | None, missing: str) -> bytes:
    if location:
        return read_location(location)
    if read is None:
        raise UsageError(missing)
    return read(CHECKPOINT_PATH)


def _json_object(location: str, what: str) -> dict[str, Any]:
    try:
        found = json.loads(read_location(location))
    except ValueError as exc:
        raise MalformedError(f"{what} is not JSON: {exc}") from exc
    if not isinstance(found, dict):
        raise MalformedError(f"{what} must be a JSON object")
    return found


def _issuer_key(args: argparse.Namespace) -> bytes:
    if not args.issuer_key:
        raise UsageError("give --issuer-key (the issuer's did:key, pinned from the city)")
    return did_key_public(args.issuer_key)


def _at(args: argparse.Namespace) -> datetime:
    try:
        at = datetime.fromisoformat(args.at) if args.at else datetime.now(UTC)
    except ValueError as exc:
        raise UsageError(f"--at is not an RFC 3339 time: {exc}") from exc
    if at.tzinfo is None:
        raise UsageError("--at needs its time zone")
    return at


def _credential(args: argparse.Namespace) -> Outcome:
    issuer_key = _issuer_key(args)
    at = _at(args)
    document = _json_object(args.file, "the credential")
    status = _json_object(args.status_list, "the status list") if args.status_list else None
    verified, failures = check_credential(document, issuer_key, at, status)
    return Outcome(verified, failures)


def _batch(args: argparse.Namespace, warn: list[str]) -> Outcome:
    issuer_key = _issuer_key(args)
    data = read_location(args.csv)
    manifest = as_text(read_location(args.manifest), "manifest")
    carried = None
    if not args.log_key and not args.keys:
        # The log's keys the manifest carries, trusted only once the issuer's signature holds.
        carried = manifest_keys(manifest, issuer_key)
        if carried is None:
            return Outcome(
                [],
                [
                    "the manifest's signature does not verify under the issuer key, or it "
                    "carries no log keys (give --log-key)"
                ],
            )
    return check_batch(data, manifest, issuer_key, _trust(args, warn, carried))


def _pdf(args: argparse.Namespace, warn: list[str]) -> Outcome:
    issuer_key = _issuer_key(args)
    at = _at(args)
    attachments = read_attachments(read_location(args.file))
    trust = _trust(args, warn, printed_evidence(attachments).keys)
    return check_printed(attachments, issuer_key, at, trust)


def _run(args: argparse.Namespace, warn: list[str]) -> Outcome:
    if args.command == "credential":
        return _credential(args)
    if args.command == "batch":
        return _batch(args, warn)
    if args.command == "pdf":
        return _pdf(args, warn)
    read = log_reader(args.log) if getattr(args, "log", None) else None
    needs_served_keys = not args.log_key and not args.keys
    if args.command == "bundle":
        if args.file:
            data = read_location(args.file)
        elif read is not None and args.case:
            data = read(evidence_path(args.case))
        else:
            raise UsageError("give a bundle file or URL, or --log and --case")
        bundle = parse_evidence_bundle(data)
        served = (
            bundle.keys
            if bundle.keys is not None
            else (_served_keys(read) if needs_served_keys else None)
        )
        return check_bundle(bundle, _trust(args, warn, served))
    trust = _trust(args, warn, _served_keys(read) if needs_served_keys else None)
    if args.command == "checkpoint":
        text = _file_or_log_checkpoint(args.file, read, "give a checkpoint file or --log")
        return Outcome([describe(trust_checkpoint(text, trust))])
    if args.command == "inclusion":
        if read is None:
            raise UsageError("inclusion reads the log's tiles: give --log")
        return check_inclusion_from_log(read, trust, args.index)
    if args.command == "consistency":
        old = read_location(args.old)
        new = _file_or_log_checkpoint(args.new, read, "give the newer checkpoint or --log")
        proof = None
        if args.proof:
            lines = as_text(read_location(args.proof), "proof file").split()
            proof = [b64decode_strict(line, f"proof line {n}") for n, line in enumerate(lines, 1)]
        elif read is None:
            raise UsageError("give --proof or --log (the proof is read from the tiles)")
        return check_consistency(old, new, proof, trust, read)
    if args.command == "log":
        if read is None:
            raise UsageError("give --log")
        return check_whole_log(read, trust)
    raise UsageError(f"unknown command {args.command}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    warnings: list[str] = []
    try:
        outcome = _run(args, warnings)
    except UsageError as exc:
        print(f"civicloop-verify: {exc}", file=sys.stderr)
        return EXIT_MALFORMED
    except ReaderMissing as exc:
        print(f"UNSUPPORTED {exc}", file=sys.stderr)
        return EXIT_UNSUPPORTED
    except Unreachable as exc:
        print(f"UNREADABLE {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except (MalformedError, InvalidTreeRequest) as exc:
        print(f"MALFORMED {exc}", file=sys.stderr)
        return EXIT_MALFORMED
    except (SignatureError, MissingSubtree) as exc:
        print(f"FAILED {exc}", file=sys.stderr)
        return EXIT_FAILED
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for line in outcome.verified:
        print(f"ok {line}")
    for line in outcome.failures:
        print(f"FAILED {line}")
    if outcome.ok:
        print("verified")
        return EXIT_VERIFIED
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
