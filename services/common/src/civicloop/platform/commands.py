"""Idempotent commands: a caller's request id, bound to its request, is answered the same way
however often it comes.

Every mutation of every service (gRPC and HTTP) goes through one table, ``command_requests``
(platform migration 004):

- the key is scoped to the caller (a token's subject, an Open311 client), so one caller can
  neither collide with nor read another's answers;
- the key is bound to the request: the same key with another body is ALREADY_EXISTS / 409;
- the key is claimed first in the command's transaction, so a retry racing its first attempt
  waits for it and then gets its answer;
- a repeat is answered only to a caller who still holds the role the first request was
  authorized under (``authority``), after the same token checks as any request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from civicloop.platform.errors import (
    Aborted,
    DomainError,
    FieldViolation,
    InvalidArgument,
    PermissionDenied,
)

REQUEST_ID_MAX_LENGTH = 128

Fingerprint = Callable[[bytes], bytes]


class RequestIdReused(DomainError):
    """The caller used one request id for two different requests."""

    grpc_code_name = "ALREADY_EXISTS"
    http_status = 409
    title = "Request id already used"


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@dataclass(frozen=True)
class CommandRequest:
    """One keyed command: whose key space, the key, and the request it is bound to."""

    caller: str
    request_id: str
    command: str
    request_hash: bytes
    # The request's name for its key (request_id, Idempotency-Key...), for error details.
    field: str = "request_id"

    @classmethod
    def of(
        cls,
        caller: str,
        request_id: str | None,
        command: str,
        body: bytes,
        *,
        field: str = "request_id",
        fingerprint: Fingerprint = _sha256,
    ) -> CommandRequest | None:
        """The keyed request, or None when the caller gave no key (then nothing is kept).

        ``fingerprint`` hashes the body; a service whose bodies carry personal data passes a
        keyed hash, so the table holds nothing that could be matched against a guessed phone.
        """
        if not request_id:
            return None
        if len(request_id) > REQUEST_ID_MAX_LENGTH:
            raise InvalidArgument.of(field, f"at most {REQUEST_ID_MAX_LENGTH} characters")
        if not request_id.isprintable():
            raise InvalidArgument.of(field, "must be printable characters only")
        return cls(caller, request_id, command, fingerprint(body), field)


@dataclass(frozen=True)
class EarlierAnswer:
    """What the first request with this key answered, and the role it was authorized under."""

    response: bytes
    authority: str

    def replay_to(self, roles: Collection[str]) -> bytes:
        """The stored answer, for a caller who still holds the role it was authorized under
        (its token checked as for any request before this is reached)."""
        if self.authority and self.authority not in roles:
            raise PermissionDenied(f"this request was made as {self.authority}, a role you lack")
        return self.response


# The first CTE of a one-statement hot path that claims a key itself (see intake's filing):
# $1 caller, $2 request id (NULL: not keyed), $3 command, $4 request hash, $5 authority,
# $6 the answer. Later CTEs write only when the claim went through.
COMMAND_CLAIM = """claim AS (
    INSERT INTO command_requests (caller, request_id, command, request_hash, authority,
                                  response)
    SELECT $1::text, $2::text, $3::text, $4::bytea, $5::text, $6::bytea
     WHERE $2::text IS NOT NULL
    ON CONFLICT (caller, request_id) DO NOTHING RETURNING 1)"""


class CommandLog:
    """``command_requests`` inside one open transaction (the unit of work's)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._claimed: CommandRequest | None = None

    async def claim(self, request: CommandRequest | None) -> EarlierAnswer | None:
        """Claim the key for this transaction; an earlier answer when the key was used.

        A concurrent attempt with the same key waits here until the first commits (its
        answer is then returned) or rolls back (the key is then this attempt's).
        """
        if request is None:
            return None
        claimed = await self.conn.fetchval(
            """INSERT INTO command_requests (caller, request_id, command, request_hash)
               VALUES ($1, $2, $3, $4) ON CONFLICT (caller, request_id) DO NOTHING
               RETURNING true""",
            request.caller,
            request.request_id,
            request.command,
            request.request_hash,
        )
        if claimed:
            self._claimed = request
            return None
        earlier = await earlier_answer(self.conn, request)
        if earlier is None:
            # The twin we waited for rolled back after our conflict: rare; a retry claims it.
            raise Aborted(f"request_id {request.request_id!r} is in use right now; try again")
        return earlier

    async def answer(self, response: bytes, authority: str) -> None:
        """Keep the answer of the claimed request (committed with the command's effects)."""
        if self._claimed is None:
            return
        await self.conn.execute(
            """UPDATE command_requests SET response = $3, authority = $4
                WHERE caller = $1 AND request_id = $2""",
            self._claimed.caller,
            self._claimed.request_id,
            response,
            authority,
        )


async def earlier_answer(conn: Any, request: CommandRequest) -> EarlierAnswer | None:
    """The answer kept for a key already used (None: unused), if it was used for the same
    request; else ALREADY_EXISTS."""
    row = await conn.fetchrow(
        """SELECT command, request_hash, authority, response FROM command_requests
            WHERE caller = $1 AND request_id = $2""",
        request.caller,
        request.request_id,
    )
    if row is None or row["response"] is None:
        return None
    if row["command"] != request.command or bytes(row["request_hash"]) != request.request_hash:
        raise RequestIdReused(
            f"{request.field} {request.request_id!r} was already used for another request",
            [FieldViolation(request.field, "was already used for another request")],
        )
    return EarlierAnswer(bytes(row["response"]), row["authority"])
