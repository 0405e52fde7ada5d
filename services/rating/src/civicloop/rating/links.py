"""Link tokens: 32 bytes derived from the link id under the service's link key (HMAC-SHA256),
base64url without padding (43 characters).

Derived rather than drawn at random so that no token is ever stored, yet a link whose SMS was
interrupted (the process killed between creating the link and sending it) is sent again with
the same token and the same message id, which the SMS gateway recognises as one message. Only
the token's SHA-256 is stored, to find the link a petitioner opens; without the key a token
cannot be forged or guessed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


class LinkTokens:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the link key must be at least 32 bytes")
        self._key = key

    def token_for(self, link_id: str) -> str:
        digest = hmac.new(self._key, link_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def hash_for(self, link_id: str) -> bytes:
        return token_hash(self.token_for(link_id))


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def looks_like_token(token: str) -> bool:
    return TOKEN_SHAPE.fullmatch(token) is not None
