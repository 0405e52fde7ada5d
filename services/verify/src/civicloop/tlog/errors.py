"""What can go wrong, as types: callers map each once (to an exit code, a gRPC status...)."""

from __future__ import annotations


class TlogError(Exception):
    """Base of every error raised by civicloop.tlog."""


class InvalidTreeRequest(TlogError, ValueError):
    """A proof or tile asked for positions the tree does not have (e.g. a leaf beyond its size)."""


class MissingSubtree(TlogError, LookupError):
    """A stored subtree hash a proof needs was not supplied by the reader."""


class ProofError(TlogError):
    """A proof does not verify: the data does not match the signed root."""


class MalformedError(TlogError, ValueError):
    """Text or bytes that do not follow their format; the message says what is wrong."""


class SignatureError(TlogError):
    """A signature does not verify, or no trusted key signed."""
