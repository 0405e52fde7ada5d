"""Webhook secrets sealed at rest (AES-256-GCM under PUBLICATION_SECRET_KEY), bound to their
webhook: a sealed secret moved to another row does not open."""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class SecretBox:
    def __init__(self, key_b64: str) -> None:
        key = base64.b64decode(key_b64)
        if len(key) != 32:
            raise ValueError("PUBLICATION_SECRET_KEY must be 32 bytes, base64-encoded")
        self._aead = AESGCM(key)

    def seal(self, secret: str, webhook_id: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, secret.encode(), webhook_id.encode())

    def open(self, sealed: bytes, webhook_id: str) -> str:
        nonce, box = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        return self._aead.decrypt(nonce, box, webhook_id.encode()).decode()
