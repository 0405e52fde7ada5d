"""C2SP signed-note: text signed by one or more keys, with Ed25519 keys and vkeys.

A note is its text (ending in a newline), a blank line, and signature lines
``— <key name> base64(key ID || signature)``. Parsing is strict: anything the spec does not
allow is refused with a MalformedError that says what. Verification follows the spec: unknown
keys are ignored, a known key (name *and* ID) must verify, and at least one must.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from civicloop.tlog.errors import MalformedError, SignatureError

# Signature type bytes assigned by c2sp.org/signed-note.
ED25519 = 0x01
COSIGNATURE_V1 = 0x04  # timestamped Ed25519 checkpoint cosignature, c2sp.org/tlog-cosignature

_SIGNATURE_PREFIX = "\u2014 "  # em dash, space
# The spec asks verifiers to accept at least 16; Go's implementation stops at 100.
MAX_SIGNATURES = 100
_COSIGNATURE_LENGTH = 8 + 64
_PRIVATE_KEY_PREFIX = "PRIVATE+KEY+"


def b64decode_strict(text: str, what: str) -> bytes:
    """Standard base64, canonical form only (what encoding it again gives back)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise MalformedError(f"{what} is not canonical base64")
    return raw


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def check_key_name(name: str) -> None:
    if not name:
        raise MalformedError("a key name must not be empty")
    if "+" in name or any(ch.isspace() for ch in name):
        raise MalformedError(f"key name {name!r} must not contain spaces or '+'")
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in name):
        raise MalformedError(f"key name {name!r} must not contain control characters")


def key_id(name: str, signature_type: int, public_key: bytes) -> int:
    """SHA-256(key name || 0x0A || signature type || public key)[:4], big-endian."""
    digest = hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([signature_type]) + public_key
    ).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        raw = struct.pack(">I", self.key_id) + self.signature
        return f"{_SIGNATURE_PREFIX}{self.name} {b64encode(raw)}\n"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[NoteSignature, ...] = ()

    def __post_init__(self) -> None:
        _check_text(self.text)

    def format(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def with_signatures(self, extra: Iterable[NoteSignature]) -> Note:
        """The same note with more signatures; one already there (same line) is kept once."""
        lines = {s.line() for s in self.signatures}
        added = tuple(s for s in extra if s.line() not in lines)
        return Note(self.text, self.signatures + added)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise MalformedError("note text must end with a newline")
    _check_characters(text, "note text")


def _check_characters(text: str, what: str) -> None:
    for ch in text:
        if (ord(ch) < 0x20 and ch != "\n") or ch == "\x7f":
            raise MalformedError(f"{what} contains the control character {ch!r}")


def as_text(data: bytes | str, what: str) -> str:
    """Text given as text or as UTF-8 bytes; other bytes are malformed."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedError(f"{what} is not valid UTF-8") from exc


def parse_note(message: bytes | str) -> Note:
    """A signed note from its serialized form; refuses anything malformed, saying what."""
    message = as_text(message, "note")
    _check_characters(message, "note")
    if not message.endswith("\n"):
        raise MalformedError("note must end with a newline")
    split = message.rfind("\n\n")
    if split < 0:
        raise MalformedError("note has no blank line before its signatures")
    text, block = message[: split + 1], message[split + 2 :]
    if not block:
        raise MalformedError("note has no signature lines")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedError(f"note has more than {MAX_SIGNATURES} signatures")
    signatures = []
    for number, line in enumerate(lines, start=1):
        if not line.startswith(_SIGNATURE_PREFIX):
            raise MalformedError(f"signature line {number} does not start with '\u2014 '")
        parts = line[len(_SIGNATURE_PREFIX) :].split(" ")
        if len(parts) != 2:
            raise MalformedError(f"signature line {number} must be '\u2014 <name> <base64>'")
        name, encoded = parts
        check_key_name(name)
        raw = b64decode_strict(encoded, f"signature line {number}")
        if len(raw) < 5:
            raise MalformedError(f"signature line {number} is too short for a key ID and signature")
        signatures.append(NoteSignature(name, struct.unpack(">I", raw[:4])[0], raw[4:]))
    return Note(text, tuple(signatures))


def cosignature_message(text: str, timestamp: int) -> bytes:
    """What a tlog-cosignature/v1 signs: header, time line, then the checkpoint's note text."""
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode("utf-8")


@dataclass(frozen=True)
class VerifierKey:
    """A public key that verifies note signatures, with its vkey text form."""

    name: str
    signature_type: int
    public_key: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if self.signature_type not in (ED25519, COSIGNATURE_V1):
            raise MalformedError(
                f"signature type 0x{self.signature_type:02x} is not supported "
                "(only Ed25519 0x01 and cosignature/v1 0x04)"
            )
        if len(self.public_key) != 32:
            raise MalformedError("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.signature_type, self.public_key)

    @property
    def is_cosigner(self) -> bool:
        return self.signature_type == COSIGNATURE_V1

    def __str__(self) -> str:
        material = b64encode(bytes([self.signature_type]) + self.public_key)
        return f"{self.name}+{self.key_id:08x}+{material}"

    def matches(self, signature: NoteSignature) -> bool:
        return signature.name == self.name and signature.key_id == self.key_id

    def verify(self, text: str, signature: NoteSignature) -> int | None:
        """Check one signature on the note text; return the cosignature's timestamp if any."""
        public = Ed25519PublicKey.from_public_bytes(self.public_key)
        timestamp: int | None = None
        if self.is_cosigner:
            if len(signature.signature) != _COSIGNATURE_LENGTH:
                raise SignatureError(f"cosignature by {self.name} is not 72 bytes")
            timestamp = struct.unpack(">Q", signature.signature[:8])[0]
            if timestamp >= 1 << 63:
                raise SignatureError(f"cosignature by {self.name} has an impossible timestamp")
            message, raw = cosignature_message(text, timestamp), signature.signature[8:]
        else:
            message, raw = text.encode("utf-8"), signature.signature
        try:
            public.verify(raw, message)
        except InvalidSignature as exc:
            raise SignatureError(
                f"signature by {self.name}+{self.key_id:08x} does not verify"
            ) from exc
        return timestamp


def parse_verifier_key(vkey: str) -> VerifierKey:
    """``<name>+<hex key ID>+<base64(type || public key)>``, the ID checked against the key."""
    parts = vkey.split("+", 2)  # base64 may itself hold "+"

    if len(parts) != 3:
        raise MalformedError("a verifier key is '<name>+<hex key ID>+<base64 key>'")
    name, hex_id, encoded = parts
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise MalformedError("a verifier key's ID is 8 lower-case hex digits")
    raw = b64decode_strict(encoded, "verifier key")
    if len(raw) < 2:
        raise MalformedError("verifier key has no key material")
    key = VerifierKey(name, raw[0], raw[1:])
    if key.key_id != int(hex_id, 16):
        raise MalformedError(f"verifier key ID {hex_id} does not match key {name}")
    return key


@dataclass(frozen=True)
class VerifiedSignature:
    key: VerifierKey
    signature: NoteSignature
    timestamp: int | None


@dataclass(frozen=True)
class VerifiedNote:
    note: Note
    verified: tuple[VerifiedSignature, ...]

    def by(self, key: VerifierKey) -> VerifiedSignature | None:
        return next((v for v in self.verified if v.key == key), None)


def open_note(note: Note, keys: Sequence[VerifierKey]) -> VerifiedNote:
    """Verify every signature of a known key; refuse the note if one fails or none is known."""
    known: dict[tuple[str, int], VerifierKey] = {}
    for key in keys:
        ident = (key.name, key.key_id)
        if ident in known and known[ident] != key:
            raise SignatureError(f"two different keys are both named {key.name}+{key.key_id:08x}")
        known[ident] = key
    verified: list[VerifiedSignature] = []
    seen: set[tuple[str, int]] = set()
    for signature in note.signatures:
        trusted = known.get((signature.name, signature.key_id))
        if trusted is None:
            continue
        timestamp = trusted.verify(note.text, signature)
        if (trusted.name, trusted.key_id) not in seen:
            seen.add((trusted.name, trusted.key_id))
            verified.append(VerifiedSignature(trusted, signature, timestamp))
    if not verified:
        raise SignatureError("the note carries no signature by a trusted key")
    return VerifiedNote(note, tuple(verified))


class NoteSigner:
    """An Ed25519 private key with its name, signing notes (type 0x01) or cosigning (0x04)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey, signature_type: int = ED25519):
        self._private_key = private_key
        self.verifier = VerifierKey(
            name, signature_type, private_key.public_key().public_bytes_raw()
        )

    @classmethod
    def generate(cls, name: str, signature_type: int = ED25519) -> NoteSigner:
        return cls(name, Ed25519PrivateKey.generate(), signature_type)

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def key_id(self) -> int:
        return self.verifier.key_id

    def sign(self, text: str) -> NoteSignature:
        """A log's signature over the note text."""
        if self.verifier.is_cosigner:
            raise SignatureError(f"{self.name} is a cosigner key: use cosign()")
        _check_text(text)
        return NoteSignature(self.name, self.key_id, self._private_key.sign(text.encode("utf-8")))

    def cosign(self, text: str, timestamp: int) -> NoteSignature:
        """A witness's timestamped cosignature/v1 over a checkpoint's note text."""
        if not self.verifier.is_cosigner:
            raise SignatureError(f"{self.name} is not a cosigner key")
        if not 0 <= timestamp < 1 << 63:
            raise SignatureError("a cosignature timestamp is 0..2**63-1 seconds")
        _check_text(text)
        signed = self._private_key.sign(cosignature_message(text, timestamp))
        return NoteSignature(self.name, self.key_id, struct.pack(">Q", timestamp) + signed)

    def private_key_text(self) -> str:
        """``PRIVATE+KEY+<name>+<hex ID>+<base64(type || seed)>``, the Go sumdb form; a secret."""
        seed = self._private_key.private_bytes_raw()
        encoded = b64encode(bytes([self.verifier.signature_type]) + seed)
        return f"{_PRIVATE_KEY_PREFIX}{self.name}+{self.key_id:08x}+{encoded}"


def parse_private_key(text: str) -> NoteSigner:
    """The signer of a ``PRIVATE+KEY+...`` string (see NoteSigner.private_key_text)."""
    text = text.strip()
    if not text.startswith(_PRIVATE_KEY_PREFIX):
        raise MalformedError("a private key starts with 'PRIVATE+KEY+'")
    parts = text[len(_PRIVATE_KEY_PREFIX) :].split("+", 2)
    if len(parts) != 3:
        raise MalformedError("a private key is 'PRIVATE+KEY+<name>+<hex key ID>+<base64 key>'")
    name, hex_id, encoded = parts
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise MalformedError("a private key's ID is 8 lower-case hex digits")
    raw = b64decode_strict(encoded, "private key")
    if len(raw) != 33:
        raise MalformedError("a private key holds a type byte and a 32-byte Ed25519 seed")
    signer = NoteSigner(name, Ed25519PrivateKey.from_private_bytes(raw[1:]), raw[0])
    if signer.key_id != int(hex_id, 16):
        raise MalformedError(f"private key ID {hex_id} does not match key {name}")
    return signer


def sign_note(text: str, signers: Sequence[NoteSigner]) -> Note:
    return Note(text, tuple(signer.sign(text) for signer in signers))
