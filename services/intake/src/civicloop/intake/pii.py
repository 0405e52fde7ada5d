"""Sealing of personal data at rest (AES-256-GCM) and keyed phone hashes.

The key comes from INTAKE_PII_KEY (32 bytes, base64); key rotation re-seals rows offline.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


@dataclass(frozen=True)
class PetitionerContact:
    name: str
    phone: str
    original_text: str


class PiiVault:
    def __init__(self, key_b64: str) -> None:
        key = base64.b64decode(key_b64)
        if len(key) != 32:
            raise ValueError("INTAKE_PII_KEY must be 32 bytes, base64-encoded")
        self._aead = AESGCM(key)
        self._hash_key = hashlib.sha256(b"civicloop-phone-hash|" + key).digest()

    def seal(self, contact: PetitionerContact, petition_id: str) -> bytes:
        nonce = os.urandom(_NONCE)
        plain = orjson.dumps(
            {"name": contact.name, "phone": contact.phone, "text": contact.original_text}
        )
        # The petition id is bound as associated data: a sealed blob cannot be moved to
        # another row unnoticed.
        return nonce + self._aead.encrypt(nonce, plain, petition_id.encode())

    def open(self, sealed: bytes, petition_id: str) -> PetitionerContact:
        plain = self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], petition_id.encode())
        data = orjson.loads(plain)
        return PetitionerContact(data["name"], data["phone"], data["text"])

    def phone_hash(self, phone: str) -> bytes:
        return hmac.new(self._hash_key, phone.encode(), hashlib.sha256).digest()

    def fingerprint(self, data: bytes) -> bytes:
        """A keyed hash of a request holding personal data (to recognise a repeat), which
        cannot be reversed by guessing phone numbers without the key."""
        return hmac.new(self._hash_key, b"request|" + data, hashlib.sha256).digest()
