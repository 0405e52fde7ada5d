"""The log's public HTTP layout (civicloop.verify.layout): checkpoint, tiles, keys, evidence.

Full tiles and entry bundles never change and are cached for good; a partial one lives until a
wider one replaces it; the checkpoint moves at the signing interval.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from civicloop.ledger.credentials import Credentials
from civicloop.ledger.domain.credentials import METHOD_NAMES
from civicloop.ledger.exports import Exports
from civicloop.ledger.queries import LedgerQueries
from civicloop.platform import auth
from civicloop.platform.auth import TokenVerifier
from civicloop.platform.errors import NotFound
from civicloop.platform.pages import package_templates
from civicloop.platform.protobuf import parse_uuid
from civicloop.platform.ratelimit import AddressLimit
from civicloop.tlog.errors import MalformedError
from civicloop.tlog.tiles import TILE_WIDTH, Tile, parse_tile_path
from civicloop.verify.layout import CHECKPOINT_PATH, KEYS_PATH

IMMUTABLE = "public, max-age=31536000, immutable"
PARTIAL = "public, max-age=60"
MOVING = "public, max-age=2"
KEYS = "public, max-age=300"
TEXT = "text/plain; charset=utf-8"
OCTETS = "application/octet-stream"
BATCH_READERS = (auth.WORKER, auth.OFFICE, auth.AUDITOR)
# The page a scanned QR code opens on a phone: no script, no style, no referrer.
PAGE_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
}
_CHECK_NAMES = {
    "signature": "签名有效",
    "issuer": "由本市账本签发",
    "validity_period": "在有效期内",
    "status": "未被撤销",
    "log_inclusion": "签发已存证（已签名检查点）",
    "holder": "持有人一致",
}
_templates = package_templates("civicloop.ledger")


def verification_page(checked: dict[str, Any]) -> str:
    """The public verification, in Chinese, for the person who scanned a printed credential."""
    subject = checked["credential"]["credentialSubject"]
    method = str(subject.get("verificationMethod", ""))
    return _templates.get_template("verification.html").render(
        valid=checked["valid"],
        status=checked["status"],
        checked_at=checked["checkedAt"],
        credential=checked["credential"],
        subject=subject,
        method=METHOD_NAMES.get(method, method),
        checks=checked["checks"],
        check_names=_CHECK_NAMES,
    )


def build_router(queries: LedgerQueries, prefix: str) -> APIRouter:
    router = APIRouter(prefix=prefix.rstrip("/"), tags=["log"])

    @router.get(f"/{CHECKPOINT_PATH}", summary="The latest signed checkpoint, cosigned")
    async def checkpoint() -> Response:
        latest = await queries.latest()
        return Response(latest.served, media_type=TEXT, headers={"cache-control": MOVING})

    @router.get(f"/{KEYS_PATH}", summary="The log's and the witnesses' verifier keys")
    async def keys() -> Response:
        return Response(queries.keys.format(), media_type=TEXT, headers={"cache-control": KEYS})

    @router.get("/tile/{path:path}", summary="tlog-tiles: hash tiles and entry bundles")
    async def tile(path: str) -> Response:
        try:
            found = parse_tile_path(f"tile/{path}")
        except MalformedError as exc:
            raise NotFound(str(exc)) from None
        if isinstance(found, Tile):
            content = await queries.tile(found)
        else:
            content = await queries.entry_bundle(found)
        if content is None:
            raise NotFound(f"{found.path()} is not in the latest signed tree")
        cache = IMMUTABLE if found.width == TILE_WIDTH else PARTIAL
        return Response(content, media_type=OCTETS, headers={"cache-control": cache})

    @router.get("/evidence/{case_id}", summary="A case's evidence bundle, with proofs")
    async def evidence(case_id: str) -> Response:
        case = parse_uuid(case_id, "case_id")
        bundle = await queries.evidence_bundle(case)
        if bundle is None:
            raise NotFound(f"no evidence of case {case} under the latest checkpoint")
        return Response(
            bundle.to_json(), media_type="application/json", headers={"cache-control": MOVING}
        )

    return router


def credential_router(
    credentials: Credentials,
    exports: Exports,
    verifier: TokenVerifier,
    limit: AddressLimit,
    prefix: str,
) -> APIRouter:
    """The issuer's did:web document, the signed status lists and the public verification of
    a credential, for offline verifiers and scanned printouts; a community's batch export."""
    router = APIRouter(tags=["credentials"])
    prefix = prefix.rstrip("/")

    @router.get("/.well-known/did.json", summary="The issuer's DID document (did:web)")
    async def did_document() -> Response:
        return Response(
            json.dumps(credentials.issuer.did_document()),
            media_type="application/did+json",
            headers={"cache-control": KEYS},
        )

    @router.get(prefix + "/status/{list_id}", summary="A Bitstring Status List")
    async def status_list(list_id: str) -> Response:
        _, signed = await credentials.status_list(list_id)
        return Response(
            json.dumps(signed, ensure_ascii=False),
            media_type="application/vc",
            headers={"cache-control": MOVING},
        )

    @router.get(
        prefix + "/credentials/{credential_uuid}/verification",
        summary="The ledger's checks of a credential it issued (the printed QR code's link)",
    )
    async def verification(credential_uuid: str, request: Request) -> Response:
        await limit.check(request.client.host if request.client else None)
        credential_id = f"urn:uuid:{parse_uuid(credential_uuid, 'credential_uuid')}"
        checked = await exports.verification(credential_id)
        if "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(verification_page(checked), headers=PAGE_HEADERS)
        return Response(
            json.dumps(checked, ensure_ascii=False),
            media_type="application/json",
            headers={"cache-control": "no-store"},
        )

    @router.get(
        prefix + "/credentials/batch/{community_code}/{period}.zip",
        summary="A community's credentials of a month: CSV and signed manifest, zipped",
    )
    async def batch(community_code: str, period: str, request: Request) -> Response:
        principal = verifier.verify_header(request.headers.get("authorization"))
        batch = await exports.batch(principal.acting_for(BATCH_READERS), community_code, period)
        name = f"{community_code}-{period}"
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            zipped.writestr(f"{name}.csv", batch.csv)
            zipped.writestr(f"{name}.manifest.jws", batch.manifest_jws)
        return Response(
            archive.getvalue(),
            media_type="application/zip",
            headers={
                "cache-control": "no-store",
                "content-disposition": f'attachment; filename="{name}.zip"',
            },
        )

    return router
