"""Issuing, reading, checking and revoking the subsidy verification credentials.

Issuing is one transaction: a status list bit is allocated, the signed VC stored, and its
issuance staged on the log (leaf: event id, type credential_issued, subject the credential id,
digest SHA-256 of the VC's JCS form), so a credential exists only with its evidence. The
credential id is derived from the caller and its request_id: a repeat finds the first answer.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from civicloop.ledger.domain.credentials import (
    CREDENTIAL_TYPE,
    REVOCATION_REASONS,
    IssueRequest,
    ProofInvalid,
    add_proof,
    bit_is_set,
    check_community,
    check_issue,
    credential_document,
    did_key,
    encode_status_list,
    period_bounds,
    rfc3339,
    verify_proof,
    with_bit_set,
)
from civicloop.ledger.domain.evidence import Entry
from civicloop.ledger.sequencer import Sequencer
from civicloop.ledger.store import repository as repo
from civicloop.platform.auth import Principal
from civicloop.platform.clock import Clock
from civicloop.platform.commands import RequestIdReused
from civicloop.platform.db import Connection
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    VersionConflict,
    Violations,
)
from civicloop.platform.outbox import add_to_outbox
from civicloop.platform.protobuf import timestamp
from civicloop.platform.text import plain_text
from civicloop.tlog.errors import MalformedError
from civicloop.tlog.evidence import EvidenceLeaf
from civicloop.v1 import events_pb2
from civicloop.verify.batch import (
    ISSUED,
    REVOKED,
    b64url,
    jws_signing_input,
    read_jws,
    revocation_record,
    vc_sha256,
)

STATUS_LIST_ID = "1"
MAX_PRESENTED_BYTES = 64 * 1024
_IDS = uuid.UUID("5b0c3f7e-8a51-4f4e-9d54-3c1e2f8b7a10")  # namespace of derived ids


def revocation_event_id(credential_id: str) -> str:
    """The log event of a credential's revocation (one per credential)."""
    return str(uuid.uuid5(_IDS, f"revoked\n{credential_id}"))


def vc_digest(document: dict[str, Any]) -> bytes:
    """What the log holds for an issuance, as civicloop-verify checks it."""
    return bytes.fromhex(vc_sha256(document))


async def _evidence(
    conn: Connection, event_id: str, event_type: str, subject: str, digest: bytes, at: datetime
) -> None:
    """Stage the ledger's own evidence of a credential step, in the caller's transaction."""
    await repo.stage(
        conn, Entry(EvidenceLeaf(event_id, event_type, subject, digest), "service:ledger", at, at)
    )


@dataclass(frozen=True)
class Issuer:
    """Who signs: the did:web, its verification method, and the Ed25519 key."""

    did: str
    key: Ed25519PrivateKey
    public_base_url: str

    @property
    def public_key(self) -> bytes:
        return self.key.public_key().public_bytes_raw()

    @property
    def verification_method(self) -> str:
        return f"{self.did}#{did_key(self.public_key)[len('did:key:') :]}"

    def did_document(self) -> dict[str, Any]:
        multibase = did_key(self.public_key)[len("did:key:") :]
        return {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": self.did,
            "alsoKnownAs": [did_key(self.public_key)],
            "verificationMethod": [
                {
                    "id": self.verification_method,
                    "type": "Multikey",
                    "controller": self.did,
                    "publicKeyMultibase": multibase,
                }
            ],
            "assertionMethod": [self.verification_method],
        }

    def status_list_url(self, list_id: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/ledger/status/{list_id}"

    def jws(self, payload: dict[str, Any], typ: str) -> str:
        """A compact JWS of the JCS form of `payload`, alg EdDSA, signed with the issuer key."""
        header = {"alg": "EdDSA", "typ": typ, "kid": self.verification_method}
        signing_input = jws_signing_input(header, payload)
        signature = self.key.sign(signing_input.encode("ascii"))
        return f"{signing_input}.{b64url(signature)}"

    def jwt(self, document: dict[str, Any]) -> str:
        """The VC secured with VC-JOSE-COSE: a compact JWS, alg EdDSA."""
        return self.jws(document, "vc+jwt")


@dataclass(frozen=True)
class Credential:
    row: Any

    @property
    def document(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.row["vc_json"])
        return found


@dataclass(frozen=True)
class Check:
    kind: str  # signature, issuer, validity_period, status, log_inclusion, holder
    passed: bool
    detail: str = ""


class Credentials:
    def __init__(
        self,
        pool: asyncpg.Pool,
        issuer: Issuer,
        sequencer: Sequencer,
        clock: Clock,
        origin: str,
    ) -> None:
        self.pool = pool
        self.issuer = issuer
        self.sequencer = sequencer
        self.clock = clock
        self.origin = origin

    async def issue(
        self, principal: Principal, request_id: str, request: IssueRequest
    ) -> Credential:
        if not 1 <= len(request_id) <= 128:
            raise InvalidArgument.of("request_id", "must be 1..128 characters")
        now = self.clock()
        check_issue(request, now)
        check_community(principal, request.community_code)
        derived = uuid.uuid5(_IDS, principal.subject + "\n" + request_id)
        credential_id = f"urn:uuid:{derived}"
        event_id = str(uuid.uuid5(_IDS, f"issued\n{credential_id}"))
        async with self.pool.acquire() as conn, conn.transaction():
            earlier = await conn.fetchrow(
                "SELECT * FROM credentials WHERE credential_id = $1", credential_id
            )
            if earlier is not None:
                if (
                    earlier["community_code"],
                    earlier["holder_hash"],
                    earlier["period"],
                    earlier["evidence_type"],
                    earlier["verified_at"],
                ) != (
                    request.community_code,
                    request.holder_hash,
                    request.period,
                    request.evidence_type,
                    request.verified_at,
                ):
                    raise RequestIdReused(
                        "request_id was used for another credential request",
                    )
                return Credential(earlier)
            active = await conn.fetchval(
                """SELECT credential_id FROM credentials WHERE community_code = $1
                   AND holder_hash = $2 AND period = $3 AND status = 'active'""",
                request.community_code,
                request.holder_hash,
                request.period,
            )
            if active is not None:
                raise RequestIdReused(
                    f"an active credential {active} exists for this holder and period "
                    "(revoke it first)"
                )
            index = await conn.fetchval(
                """UPDATE status_lists SET next_index = next_index + 1
                   WHERE status_list_id = $1 AND next_index < length(bits) * 8
                   RETURNING next_index - 1""",
                STATUS_LIST_ID,
            )
            if index is None:
                raise FailedPrecondition("the status list is full")
            document = add_proof(
                credential_document(
                    credential_id=credential_id,
                    issuer=self.issuer.did,
                    request=request,
                    verified_by=f"{principal.role}:{principal.subject}",
                    valid_from=now,
                    status_list_url=self.issuer.status_list_url(STATUS_LIST_ID),
                    status_list_index=index,
                    evidence={
                        "id": f"urn:civicloop:ledger:event:{event_id}",
                        "type": ["CivicloopLogEntry"],
                        "log": self.origin,
                        "eventId": event_id,
                        "eventType": ISSUED,
                    },
                ),
                self.issuer.key,
                self.issuer.verification_method,
                now,
            )
            _, valid_until = period_bounds(request.period)
            row = await conn.fetchrow(
                """INSERT INTO credentials (credential_id, community_code, holder_hash, period,
                       evidence_type, verified_at, status, valid_from, valid_until,
                       status_list_id, status_list_index, issuance_event_id, issued_at,
                       issued_by_subject, issued_by_role, version, vc_json)
                   VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $10, $11, $7, $12,
                           $13, 1, $14)
                   RETURNING *""",
                credential_id,
                request.community_code,
                request.holder_hash,
                request.period,
                request.evidence_type,
                request.verified_at,
                now,
                valid_until,
                STATUS_LIST_ID,
                index,
                event_id,
                principal.subject,
                principal.role,
                json.dumps(document, ensure_ascii=False),
            )
            await _evidence(conn, event_id, ISSUED, credential_id, vc_digest(document), now)
        self.sequencer.staged.set()
        return Credential(row)

    async def announce(self, conn: Connection, leaves: Sequence[Entry]) -> None:
        """In the sequencer's batch: the credential events, now that their leaves have indexes.
        Each event has the id of its log entry (whose digest is the VC's, or the revocation's)."""
        ours = {e.leaf.event_id: e for e in leaves if e.leaf.event_type in (ISSUED, REVOKED)}
        if not ours:
            return
        rows = await conn.fetch(
            """SELECT * FROM credentials WHERE issuance_event_id = ANY($1::text[])
                  OR credential_id = ANY($2::text[])""",
            list(ours),
            [e.leaf.subject for e in ours.values() if e.leaf.event_type == REVOKED],
        )
        by_credential = {row["credential_id"]: row for row in rows}
        envelopes = []
        for event_id, entry in ours.items():
            row = by_credential.get(entry.leaf.subject)
            if row is None:
                continue
            message: Any
            if entry.leaf.event_type == ISSUED:
                message = events_pb2.CredentialIssued(
                    credential_id=row["credential_id"],
                    credential_type=CREDENTIAL_TYPE,
                    community_code=row["community_code"],
                    holder_hash=row["holder_hash"],
                    period=row["period"],
                    leaf_index=entry.leaf_index,
                    issued_at=timestamp(row["issued_at"]),
                )
            else:
                message = events_pb2.CredentialRevoked(
                    credential_id=row["credential_id"],
                    reason=row["revocation_reason_code"],
                    revoked_at=timestamp(row["revoked_at"]),
                )
            envelope = EventEnvelope.wrap(
                message, source="ledger", subject=row["credential_id"], at=entry.appended_at
            )
            envelopes.append(replace(envelope, id=event_id))
        await add_to_outbox(conn, envelopes)

    async def get(self, credential_id: str) -> Credential:
        row = await self.pool.fetchrow(
            "SELECT * FROM credentials WHERE credential_id = $1", credential_id
        )
        if row is None:
            raise NotFound(f"no credential {credential_id}")
        return Credential(row)

    async def read(self, principal: Principal, credential_id: str) -> Credential:
        """A credential for a caller who may see its community's."""
        credential = await self.get(credential_id)
        check_community(principal, credential.row["community_code"], reading=True)
        return credential

    async def leaf_index(self, credential: Credential) -> int | None:
        entry = await repo.logged_entry(self.pool, credential.row["issuance_event_id"])
        return None if entry is None else entry.leaf_index

    async def revoke(
        self,
        principal: Principal,
        request_id: str,
        credential_id: str,
        expected_version: int,
        reason_code: str,
        reason_text: str,
    ) -> tuple[Credential, int]:
        problems = Violations()
        if not 1 <= len(request_id) <= 128:
            problems.add("request_id", "must be 1..128 characters")
        if reason_code not in REVOCATION_REASONS:
            problems.add("reason_code", f"must be one of {', '.join(REVOCATION_REASONS)}")
        text = plain_text(
            problems, "reason_text", reason_text, 500, required=reason_code == "other"
        )
        problems.raise_if_any()
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT * FROM credentials WHERE credential_id = $1 FOR UPDATE", credential_id
            )
            if row is None:
                raise NotFound(f"no credential {credential_id}")
            check_community(principal, row["community_code"])
            if row["status"] == "revoked":
                if row["revocation_request_id"] == request_id:
                    version = await conn.fetchval(
                        "SELECT version FROM status_lists WHERE status_list_id = $1",
                        row["status_list_id"],
                    )
                    return Credential(row), int(version)
                raise FailedPrecondition(f"credential {credential_id} is already revoked")
            if expected_version != row["version"]:
                raise VersionConflict(
                    f"credential {credential_id} is at version {row['version']}, "
                    f"not {expected_version}"
                )
            bits = await conn.fetchval(
                "SELECT bits FROM status_lists WHERE status_list_id = $1 FOR UPDATE",
                row["status_list_id"],
            )
            version = await conn.fetchval(
                """UPDATE status_lists SET bits = $2, version = version + 1, updated_at = $3
                   WHERE status_list_id = $1 RETURNING version""",
                row["status_list_id"],
                with_bit_set(bytes(bits), row["status_list_index"]),
                now,
            )
            revoked = await conn.fetchrow(
                """UPDATE credentials SET status = 'revoked', revoked_at = $2,
                       revocation_reason_code = $3, revocation_reason_text = $4,
                       revocation_request_id = $5, version = version + 1
                   WHERE credential_id = $1 RETURNING *""",
                credential_id,
                now,
                reason_code,
                text,
                request_id,
            )
            record = revocation_record(credential_id, reason_code, rfc3339(now))
            event_id = revocation_event_id(credential_id)
            await _evidence(conn, event_id, REVOKED, credential_id, vc_digest(record), now)
        self.sequencer.staged.set()
        return Credential(revoked), int(version)

    async def status_list(self, list_id: str) -> tuple[Any, dict[str, Any]]:
        row = await self.pool.fetchrow(
            "SELECT * FROM status_lists WHERE status_list_id = $1", list_id
        )
        if row is None:
            raise NotFound(f"no status list {list_id!r}")
        url = self.issuer.status_list_url(list_id)
        document = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.issuer.did,
            "validFrom": rfc3339(row["updated_at"]),
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": encode_status_list(bytes(row["bits"])),
            },
        }
        signed = add_proof(
            document, self.issuer.key, self.issuer.verification_method, row["updated_at"]
        )
        return row, signed

    def presented(self, vc_json_ld: bytes, vc_jwt: str) -> tuple[dict[str, Any], bool | None]:
        """The presented VC as a JSON object, and for a VC-JWT whether its JWS verified; a
        malformed one is INVALID_ARGUMENT naming the field."""
        jws_verified: bool | None = None
        if vc_jwt:
            if len(vc_jwt) > MAX_PRESENTED_BYTES:
                raise InvalidArgument.of("vc_jwt", "is larger than 64 KiB")
            try:
                jws = read_jws(vc_jwt)
            except MalformedError as exc:
                raise InvalidArgument.of("vc_jwt", str(exc)) from None
            document = jws.payload
            jws_verified = jws.signed_by(self.issuer.public_key)
        else:
            if len(vc_json_ld) > MAX_PRESENTED_BYTES:
                raise InvalidArgument.of("vc_json_ld", "is larger than 64 KiB")
            try:
                document = json.loads(vc_json_ld)
            except ValueError:
                raise InvalidArgument.of("vc_json_ld", "is not JSON") from None
        field = "vc_jwt" if vc_jwt else "vc_json_ld"
        if not isinstance(document, dict):
            raise InvalidArgument.of(field, "must be a JSON object")
        for name, kind in (("id", str), ("credentialSubject", dict), ("credentialStatus", dict)):
            if not isinstance(document.get(name), kind):
                raise InvalidArgument.of(field, f"{name} is missing or not a {kind.__name__}")
        types = document.get("type")
        if not isinstance(types, list) or CREDENTIAL_TYPE not in types:
            raise InvalidArgument.of(field, f"type must list {CREDENTIAL_TYPE}")
        return document, jws_verified

    async def verify(
        self,
        document: dict[str, Any],
        jws_verified: bool | None,
        at: datetime,
        expected_holder_hash: str,
    ) -> list[Check]:
        checks: list[Check] = []
        if jws_verified is not None:
            detail = "" if jws_verified else "the JWS does not verify"
            checks.append(Check("signature", jws_verified, detail))
        else:
            try:
                verify_proof(document, self.issuer.public_key)
                checks.append(Check("signature", True))
            except ProofInvalid as exc:
                checks.append(Check("signature", False, str(exc)))
        issuer_ok = document.get("issuer") == self.issuer.did
        checks.append(
            Check("issuer", issuer_ok, "" if issuer_ok else "not a credential of this ledger")
        )
        try:
            valid_from = datetime.fromisoformat(str(document.get("validFrom")))
            valid_until = datetime.fromisoformat(str(document.get("validUntil")))
            in_period = valid_from <= at < valid_until
            detail = "" if in_period else f"valid {valid_from} .. {valid_until}, not at {at}"
        except ValueError:
            in_period, detail = False, "validFrom or validUntil is not a date"
        checks.append(Check("validity_period", in_period, detail))
        checks.append(await self._status_check(document))
        checks.append(await self._log_check(document))
        if expected_holder_hash:
            subject = document["credentialSubject"].get("id", "")
            same = subject == f"urn:civicloop:holder:{expected_holder_hash}"
            checks.append(Check("holder", same, "" if same else "another holder"))
        return checks

    async def _status_check(self, document: dict[str, Any]) -> Check:
        status = document["credentialStatus"]
        try:
            index = int(status.get("statusListIndex"))
        except (TypeError, ValueError):
            return Check("status", False, "statusListIndex is not a number")
        if status.get("statusListCredential") != self.issuer.status_list_url(STATUS_LIST_ID):
            return Check("status", False, "not a status list of this ledger")
        bits = await self.pool.fetchval(
            "SELECT bits FROM status_lists WHERE status_list_id = $1", STATUS_LIST_ID
        )
        if not 0 <= index < len(bits) * 8:
            return Check("status", False, "statusListIndex is outside the list")
        if bit_is_set(bytes(bits), index):
            return Check("status", False, "revoked")
        return Check("status", True)

    async def _log_check(self, document: dict[str, Any]) -> Check:
        evidence = document.get("evidence")
        event_id = ""
        if isinstance(evidence, list) and evidence and isinstance(evidence[0], dict):
            event_id = str(evidence[0].get("eventId", ""))
        entry = await repo.logged_entry(self.pool, event_id) if event_id else None
        if entry is None or entry.leaf_index is None:
            return Check("log_inclusion", False, "its issuance is not on the log (yet)")
        latest = await repo.latest_checkpoint(self.pool)
        if latest is None or entry.leaf_index >= latest.tree_size:
            return Check("log_inclusion", False, "not yet under a signed checkpoint")
        if entry.leaf.subject != document.get("id") or entry.leaf.event_sha256 != vc_digest(
            document
        ):
            return Check(
                "log_inclusion", False, f"leaf {entry.leaf_index} evidences another document"
            )
        return Check("log_inclusion", True)
