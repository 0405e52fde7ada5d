"""The credentials in the forms departments take them: a community's month as a CSV with the
issuer's signed manifest, and a printable PDF per credential; each carries its evidence (log
entries, inclusion proofs, checkpoint, keys) so that it verifies offline."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from civicloop.ledger.credentials import STATUS_LIST_ID, Credential, Credentials
from civicloop.ledger.credentials import revocation_event_id as revoked_event
from civicloop.ledger.domain.credentials import (
    METHOD_NAMES,
    check_community,
    did_key,
    parse_period,
    rfc3339,
)
from civicloop.ledger.printing import Font, PrintedLine, render_pdf
from civicloop.ledger.queries import LedgerQueries
from civicloop.ledger.store import repository as repo
from civicloop.ledger.store.repository import StoredCheckpoint
from civicloop.platform.auth import Principal
from civicloop.platform.errors import FailedPrecondition, NotFound, Violations
from civicloop.verify.batch import BATCH_MANIFEST_TYPE, BatchItem, batch_files
from civicloop.verify.layout import BundleEntry

_COMMUNITY = re.compile(r"[A-Z][0-9A-Z]{0,15}")


@dataclass(frozen=True)
class Batch:
    csv: bytes
    manifest_jws: str
    credentials: int
    tree_size: int


def verification_path(credential_id: str) -> str:
    """Where the public verification of a credential is served, under the public prefix."""
    return f"credentials/{credential_id.removeprefix('urn:uuid:')}/verification"


class Exports:
    def __init__(
        self,
        credentials: Credentials,
        queries: LedgerQueries,
        public_prefix: str,
        font: Font | None,
    ) -> None:
        self.credentials = credentials
        self.queries = queries
        self.public_prefix = public_prefix.rstrip("/")
        self.font = font

    @property
    def pool(self) -> Any:
        return self.credentials.pool

    async def _evidence(
        self, event_ids: Sequence[str], checkpoint: StoredCheckpoint
    ) -> dict[str, BundleEntry]:
        """The entries of these events under the checkpoint, each with its inclusion proof;
        FAILED_PRECONDITION when one is not under it yet."""
        entries = await repo.entries_of_events(self.pool, event_ids, checkpoint.tree_size)
        missing = set(event_ids) - {e.leaf.event_id for e in entries}
        if missing:
            raise FailedPrecondition(
                f"{len(missing)} credential step(s) are not under a witnessed checkpoint yet; "
                "retry after the signing interval"
            )
        proven = await self.queries.proven(entries, checkpoint.tree_size)
        return {entry.leaf.event_id: entry for entry in proven}

    async def batch(self, principal: Principal, community_code: str, period: str) -> Batch:
        problems = Violations()
        if not _COMMUNITY.fullmatch(community_code):
            problems.add("community_code", "must be a community code like C001")
        try:
            parse_period(period)
        except ValueError:
            problems.add("period", "must be YYYY-MM")
        problems.raise_if_any()
        check_community(principal, community_code, reading=True)
        checkpoint = await self.queries.witnessed()
        rows = await self.pool.fetch(
            """SELECT * FROM credentials WHERE community_code = $1 AND period = $2
               ORDER BY issued_at, credential_id""",
            community_code,
            period,
        )
        if not rows:
            raise NotFound(f"no credentials of community {community_code} for {period}")
        wanted = [row["issuance_event_id"] for row in rows]
        wanted += [revoked_event(r["credential_id"]) for r in rows if r["status"] == "revoked"]
        entries = await self._evidence(wanted, checkpoint)
        items = []
        for row in rows:
            revoked = row["status"] == "revoked"
            items.append(
                BatchItem(
                    json.loads(row["vc_json"]),
                    row["status"],
                    entries[row["issuance_event_id"]].leaf_index,
                    rfc3339(row["revoked_at"]) if revoked else "",
                    row["revocation_reason_code"],
                    revoked_event(row["credential_id"]) if revoked else "",
                )
            )
        issuer = self.credentials.issuer
        data, manifest = batch_files(
            items,
            issuer=issuer.did,
            issuer_key=did_key(issuer.public_key),
            community_code=community_code,
            period=period,
            exported_at=rfc3339(self.credentials.clock()),
            evidence=self.queries.bundle(checkpoint, list(entries.values())),
        )
        return Batch(
            data, issuer.jws(manifest, BATCH_MANIFEST_TYPE), len(rows), checkpoint.tree_size
        )

    def verification_url(self, credential_id: str) -> str:
        base = self.credentials.issuer.public_base_url.rstrip("/")
        return f"{base}{self.public_prefix}/{verification_path(credential_id)}"

    async def verification(self, credential_id: str) -> dict[str, Any]:
        """The public verification the printed QR code links to: the ledger's checks of the
        credential it issued, now, and the credential (no personal data: a salted hash)."""
        credential = await self.credentials.get(credential_id)
        document = credential.document
        at = self.credentials.clock()
        checks = await self.credentials.verify(document, None, at, "")
        return {
            "credentialId": credential_id,
            "valid": all(c.passed for c in checks),
            "status": credential.row["status"],
            "checkedAt": rfc3339(at),
            "checks": [{"kind": c.kind, "passed": c.passed, "detail": c.detail} for c in checks],
            "credential": document,
        }

    async def printable(self, credential: Credential) -> bytes:
        """The credential's printable page; FAILED_PRECONDITION when revoked or not logged."""
        row = credential.row
        if row["status"] == "revoked":
            raise FailedPrecondition(f"credential {row['credential_id']} is revoked")
        checkpoint = await self.queries.witnessed()
        entries = await self._evidence([row["issuance_event_id"]], checkpoint)
        _, status_list = await self.credentials.status_list(STATUS_LIST_ID)
        evidence = self.queries.bundle(checkpoint, list(entries.values()))
        document = credential.document
        subject = document["credentialSubject"]
        method = subject["verificationMethod"]
        leaf = entries[row["issuance_event_id"]].leaf_index
        lines = [
            PrintedLine("社区", "Community", subject["communityCode"]),
            PrintedLine("核验月份", "Month verified", subject["period"]),
            PrintedLine("核验方式", "Verified by", method, METHOD_NAMES.get(method, "")),
            PrintedLine("核验时间", "Verified at", subject["verifiedAt"]),
            PrintedLine("核验人", "Checked by", subject["verifiedBy"]),
            PrintedLine("有效期", "Valid", f"{document['validFrom']} .. {document['validUntil']}"),
            PrintedLine("持有人(加盐哈希)", "Holder (salted hash)", row["holder_hash"]),
            PrintedLine("凭证编号", "Credential", row["credential_id"]),
            PrintedLine("签发方", "Issuer", document["issuer"]),
            PrintedLine("存证位置", "Log entry", f"leaf {leaf}"),
        ]
        # Laying out the page (and parsing a CJK font) takes a good part of a second: off the
        # event loop.
        return await asyncio.to_thread(
            render_pdf,
            title=("高龄补贴认证", "Old-age subsidy verification"),
            lines=lines,
            verification_url=self.verification_url(row["credential_id"]),
            attachments=[
                ("credential.json", row["vc_json"].encode()),
                ("evidence.json", evidence.to_json().encode()),
                ("status-list.json", json.dumps(status_list, ensure_ascii=False).encode()),
            ],
            printed_at=self.credentials.clock(),
            font=self.font,
        )
