"""The credentials in the forms departments take them, from the real ledger: a community's
month as a CSV with a signed manifest, and a printed PDF whose QR code links to the ledger's
verification; each checked offline by civicloop-verify."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import grpc
import httpx
import pypdfium2
import pytest
import zxingcpp
from harness import ServiceProcess, bearer, civicloop_verify, field_violations, grpc_auth, wait_for
from test_credentials import OFFICE, issue_request, revoke_request

from civicloop.v1 import ledger_pb2, ledger_pb2_grpc

COMMUNITY = f"X{uuid.uuid4().hex[:6].upper()}"
WORKER = grpc_auth("worker", subject="worker:x-1", community=COMMUNITY)
T = TypeVar("T")


@pytest.fixture(scope="module")
def stub(ledger_channel: grpc.aio.Channel) -> Any:
    return ledger_pb2_grpc.LedgerServiceStub(ledger_channel)


@pytest.fixture(scope="module")
async def issuer_key(ledger: ServiceProcess) -> str:
    async with httpx.AsyncClient(timeout=10) as client:
        did = (await client.get(f"{ledger.http_url}/.well-known/did.json")).json()
    found: str = did["alsoKnownAs"][0]
    return found


async def once_logged(call: Callable[[], Awaitable[T]]) -> T:
    """The answer of a call that needs its credentials under a signed checkpoint (it is
    refused with FAILED_PRECONDITION until the next one is signed)."""

    async def ready() -> T | None:
        try:
            return await call()
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.FAILED_PRECONDITION:
                return None
            raise

    result: T = await wait_for(ready, timeout=20)
    return result


async def exported(stub: Any, period: str) -> ledger_pb2.ExportCredentialBatchResponse:
    request = ledger_pb2.ExportCredentialBatchRequest(community_code=COMMUNITY, period=period)
    return await once_logged(
        lambda: stub.ExportCredentialBatch(request, metadata=WORKER, timeout=10)
    )


def verify_batch(folder: Path, csv: bytes, manifest: str, issuer_key: str) -> tuple[int, str]:
    (folder / "batch.csv").write_bytes(csv)
    (folder / "batch.manifest.jws").write_text(manifest)
    done = civicloop_verify(
        "batch",
        str(folder / "batch.csv"),
        str(folder / "batch.manifest.jws"),
        "--issuer-key",
        issuer_key,
    )
    return done.returncode, done.stdout + done.stderr


async def test_a_community_s_month_exports_as_a_csv_whose_signed_manifest_verifies_offline(
    ledger: ServiceProcess, stub: Any, issuer_key: str, tmp_path: Path
) -> None:
    first = issue_request(community_code=COMMUNITY)
    issued = [
        await stub.IssueCredential(request, metadata=WORKER, timeout=10)
        for request in (first, issue_request(community_code=COMMUNITY))
    ]
    await stub.RevokeCredential(revoke_request(issued[1], "holder_moved"), metadata=WORKER)
    batch = await exported(stub, first.period)
    assert batch.credentials == 2
    lines = batch.csv.decode().splitlines()
    assert lines[0].startswith("credential_id,community_code,period,holder_hash,")
    code, output = verify_batch(tmp_path, batch.csv, batch.manifest_jws, issuer_key)
    assert code == 0, output
    assert "row 1" in output and ", revoked, issued at leaf" in output

    # A changed CSV row, or a manifest signed by anyone else, fails and says where.
    rows = list(csv.DictReader(io.StringIO(batch.csv.decode())))
    rows[0]["holder_hash"] = "0" * 64
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    changed = out.getvalue().encode()
    code, output = verify_batch(tmp_path, changed, batch.manifest_jws, issuer_key)
    assert code == 1 and "the CSV is not the one the manifest signs" in output, output
    assert "row 1" in output and "holder_hash differs" in output
    header, payload, signature = batch.manifest_jws.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    code, output = verify_batch(tmp_path, batch.csv, forged, issuer_key)
    assert code == 1 and "signature does not verify" in output, output

    # Over HTTP, zipped, for the community's own worker only.
    url = f"{ledger.http_url}/ledger/credentials/batch/{COMMUNITY}/{first.period}.zip"
    async with httpx.AsyncClient(timeout=10) as client:
        own = await client.get(url, headers=bearer("worker", community=COMMUNITY))
        other = await client.get(url, headers=bearer("worker", community="C001"))
        bad = await client.get(url.replace(first.period, "2026-13"), headers=bearer("office"))
    assert own.status_code == 200, own.text
    assert other.status_code == 403
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period"
    with zipfile.ZipFile(io.BytesIO(own.content)) as zipped:
        name = f"{COMMUNITY}-{first.period}"
        zipped_csv = zipped.read(f"{name}.csv")
        manifest = zipped.read(f"{name}.manifest.jws").decode()
    assert verify_batch(tmp_path, zipped_csv, manifest, issuer_key)[0] == 0

    with pytest.raises(grpc.aio.AioRpcError) as empty:
        await stub.ExportCredentialBatch(
            ledger_pb2.ExportCredentialBatchRequest(community_code=COMMUNITY, period="2020-01"),
            metadata=OFFICE,
            timeout=10,
        )
    assert empty.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ExportCredentialBatch(
            ledger_pb2.ExportCredentialBatchRequest(community_code="c1", period="May"),
            metadata=OFFICE,
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(field_violations(refused.value)) == {"community_code", "period"}


async def printed(stub: Any, credential_id: str) -> bytes:
    request = ledger_pb2.GetCredentialRequest(
        credential_id=credential_id, formats=[ledger_pb2.CREDENTIAL_FORMAT_PDF]
    )
    answer = await once_logged(lambda: stub.GetCredential(request, metadata=WORKER, timeout=20))
    [pdf] = answer.exports
    assert pdf.media_type == "application/pdf"
    content: bytes = pdf.content
    return content


def scanned_qr(pdf: bytes) -> str:
    """What a phone reads from the printed page's QR code."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=3).to_pil()
    [code] = zxingcpp.read_barcodes(image)
    text: str = code.text
    return text


async def test_a_printed_credential_s_qr_code_links_to_its_verification_and_it_verifies_offline(
    ledger: ServiceProcess, stub: Any, issuer_key: str, tmp_path: Path
) -> None:
    issued = await stub.IssueCredential(
        issue_request(community_code=COMMUNITY), metadata=WORKER, timeout=10
    )
    pdf = await printed(stub, issued.credential.credential_id)
    assert pdf.startswith(b"%PDF-")
    link = scanned_qr(pdf)
    credential_uuid = issued.credential.credential_id.removeprefix("urn:uuid:")
    assert link.endswith(f"/ledger/credentials/{credential_uuid}/verification")
    async with httpx.AsyncClient(timeout=10) as client:
        checked = (await client.get(ledger.http_url + urlsplit(link).path)).json()
    assert checked["valid"] is True and checked["status"] == "active", checked
    assert checked["credential"]["id"] == issued.credential.credential_id

    path = tmp_path / "credential.pdf"
    path.write_bytes(pdf)
    done = civicloop_verify("pdf", str(path), "--issuer-key", issuer_key)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "its issuance is leaf" in done.stdout
    # Another issuer's key refuses it; a revoked credential is not printed, and its link
    # now says so.
    other = civicloop_verify(
        "pdf", str(path), "--issuer-key", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    )
    assert other.returncode == 1 and "proof does not verify" in other.stdout
    await stub.RevokeCredential(revoke_request(issued, "issued_in_error"), metadata=WORKER)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.GetCredential(
            ledger_pb2.GetCredentialRequest(
                credential_id=issued.credential.credential_id,
                formats=[ledger_pb2.CREDENTIAL_FORMAT_PDF],
            ),
            metadata=WORKER,
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    async with httpx.AsyncClient(timeout=10) as client:
        now = (await client.get(ledger.http_url + urlsplit(link).path)).json()
        # A phone's browser gets the page in Chinese.
        page = await client.get(
            ledger.http_url + urlsplit(link).path, headers={"accept": "text/html"}
        )
    assert now["valid"] is False and now["status"] == "revoked"
    assert {"kind": "status", "passed": False, "detail": "revoked"} in now["checks"]
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>凭证无效</h1>" in page.text and "已撤销" in page.text and "入户核验" in page.text


async def test_export_formats_are_each_asked_once_and_known(stub: Any) -> None:
    issued = await stub.IssueCredential(
        issue_request(community_code=COMMUNITY), metadata=WORKER, timeout=10
    )
    pdf, jwt = ledger_pb2.CREDENTIAL_FORMAT_PDF, ledger_pb2.CREDENTIAL_FORMAT_VC_JWT
    for formats, field in (([pdf, jwt, pdf], "formats[2]"), ([jwt, 9], "formats[1]")):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.GetCredential(
                ledger_pb2.GetCredentialRequest(
                    credential_id=issued.credential.credential_id, formats=formats
                ),
                metadata=WORKER,
                timeout=10,
            )
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field_violations(refused.value) == [field]
