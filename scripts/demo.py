"""Walk a demo petition through the loop against a running stack, printing each step.

Two residents of 翔凤桥 report the same broken street light; the coordinating office finds the
near-duplicate, consolidates both into one case (统单) and opens it. Each later ticket is walked
by the service that owns it, as far as those services exist in this checkout.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import aio_pika
import grpc
import httpx

from civicloop.platform.auth import audience_of, mint_dev_token
from civicloop.platform.bus import Topology
from civicloop.platform.event_types import decode
from civicloop.platform.grpc_server import client_channel
from civicloop.platform.telemetry import case_trace
from civicloop.v1 import (
    amenities_pb2,
    amenities_pb2_grpc,
    common_pb2,
    dispatch_pb2,
    dispatch_pb2_grpc,
    intake_pb2,
    intake_pb2_grpc,
    ledger_pb2,
    ledger_pb2_grpc,
    publication_pb2,
    publication_pb2_grpc,
    rating_pb2,
    rating_pb2_grpc,
)

ROOT = Path(__file__).resolve().parent.parent
INTAKE_HTTP = os.environ.get("INTAKE_HTTP", "http://127.0.0.1:8001")
INTAKE_GRPC = os.environ.get("INTAKE_GRPC", "127.0.0.1:50051")
DISPATCH_GRPC = os.environ.get("DISPATCH_GRPC", "127.0.0.1:50052")
RATING_GRPC = os.environ.get("RATING_GRPC", "127.0.0.1:50053")
PUBLICATION_HTTP = os.environ.get("PUBLICATION_HTTP", "http://127.0.0.1:8004")
PUBLICATION_GRPC = os.environ.get("PUBLICATION_GRPC", "127.0.0.1:50054")
LEDGER_HTTP = os.environ.get("LEDGER_HTTP", "http://127.0.0.1:8005")
AMENITIES_HTTP = os.environ.get("AMENITIES_HTTP", "http://127.0.0.1:8006")
AMENITIES_GRPC = os.environ.get("AMENITIES_GRPC", "127.0.0.1:50056")
LEDGER_GRPC = os.environ.get("LEDGER_GRPC", "127.0.0.1:50055")
SMS_SINK = os.environ.get("SMS_SINK", "http://127.0.0.1:8025")
LINK = re.compile(r"https?://\S+/r/([A-Za-z0-9_-]{43})")
AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
NAMESPACE = os.environ.get("CIVICLOOP_NAMESPACE", "")


def caller(
    subject: str, role: str, *services: str, community: str = ""
) -> tuple[tuple[str, str], ...]:
    """gRPC metadata of a development token for ``services`` (each checks its audience)."""
    audience = [audience_of(name) for name in services]
    token = mint_dev_token(subject, [role], audience=audience, community=community)
    return (("authorization", f"Bearer {token}"),)


async def verify_command(*args: str) -> None:
    """civicloop-verify as anyone runs it, its output indented; the demo stops if it fails."""
    print(f"   $ civicloop-verify {' '.join(args)}")
    checked = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "civicloop.verify",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await checked.communicate()
    for line in output.decode().splitlines():
        print(f"   {line}")
    if checked.returncode != 0:
        raise SystemExit(f"demo: civicloop-verify {args[0]} did not verify")


def step(title: str, detail: str = "") -> None:
    print(f"\n== {title}" + (f"\n   {detail}" if detail else ""))


def phone() -> str:
    return f"139{random.randrange(10**8):08d}"


class EventWatcher:
    """Prints every event about the demo's cases as it crosses the broker."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def start(self) -> None:
        self.connection = await aio_pika.connect_robust(AMQP_URL)
        channel = await self.connection.channel()
        self.queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await self.queue.bind(Topology(NAMESPACE).events_exchange, routing_key="#")

    async def expect(self, subject: str, event_type: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = await self.queue.get(no_ack=True, fail=False)
            if message is None:
                await asyncio.sleep(0.05)
                continue
            headers = message.headers or {}
            kind, about = str(headers.get("ce-type")), str(headers.get("ce-subject"))
            payload = decode(kind, message.body)
            version = getattr(payload, "case_version", "")
            print(f"   event  {kind}  case={about[:8]}  version={version}")
            if about == subject and kind == event_type:
                return
        raise SystemExit(f"demo: no {event_type} for {subject} within {timeout}s")

    async def close(self) -> None:
        await self.connection.close()


async def answers(target: str) -> bool:
    host, port = target.rsplit(":", 1)
    try:
        _, writer = await asyncio.open_connection(host, int(port))
    except OSError:
        return False
    writer.close()
    return True


async def walk_dispatch(watcher: EventWatcher, case_id: str, office: Any) -> None:
    """派单 by the duty catalogue, then 接单 and 办单 by the department that leads."""
    channel = client_channel(DISPATCH_GRPC)
    dispatch = dispatch_pb2_grpc.DispatchServiceStub(channel)
    step("5. 派单 The duty catalogue routes the case (首接负责制: the first to receive it leads)")
    await watcher.expect(case_id, "civicloop.case.dispatched.v1")
    got = (
        await dispatch.GetAssignment(
            dispatch_pb2.GetAssignmentRequest(case_id=case_id), metadata=office, timeout=10
        )
    ).assignment
    print(
        f"   department {got.department_code}  accept by "
        f"{got.accept_due_at.ToDatetime():%Y-%m-%d %H:%M} UTC"
    )
    clerk = caller(f"clerk:{got.department_code}", f"department:{got.department_code}", "dispatch")

    step(f"6. 接单 办单 The department ({got.department_code}) accepts, works and completes")
    accepted = (
        await dispatch.Accept(
            dispatch_pb2.AcceptRequest(
                request_id=f"demo-accept-{case_id}",
                case_id=case_id,
                expected_version=got.case_version,
            ),
            metadata=clerk,
            timeout=10,
        )
    ).assignment
    print(f"   accepted; complete by {accepted.complete_due_at.ToDatetime():%Y-%m-%d %H:%M} UTC")
    await watcher.expect(case_id, "civicloop.case.accepted.v1")
    version = accepted.case_version
    for percent, measures in (
        (40, "已派电工现场检查，确认为线路老化"),
        (80, "已更换线路和灯具，正在调试"),
    ):
        version = (
            await dispatch.UpdateProgress(
                dispatch_pb2.UpdateProgressRequest(
                    request_id=f"demo-progress-{percent}-{case_id}",
                    case_id=case_id,
                    expected_version=version,
                    measures_taken=measures,
                    progress_percent=percent,
                ),
                metadata=clerk,
                timeout=10,
            )
        ).assignment.case_version
        print(f"   办单 {percent}%: {measures}")
        await watcher.expect(case_id, "civicloop.case.progress_updated.v1")
    done = (
        await dispatch.Complete(
            dispatch_pb2.CompleteRequest(
                request_id=f"demo-complete-{case_id}",
                case_id=case_id,
                expected_version=version,
                result_summary="路灯已修复，晚上照明恢复正常",
            ),
            metadata=clerk,
            timeout=10,
        )
    ).assignment
    print(f"   completed at version {done.case_version}")
    await watcher.expect(case_id, "civicloop.case.completed.v1")
    await channel.close()


async def walk_rating(watcher: EventWatcher, case_id: str, phones: list[str]) -> None:
    """评单: each petitioner gets a link by SMS (read here from the development sink) and rates;
    once every link of the round is answered the case closes."""
    step("7. 评单 Each petitioner gets a single-use link by SMS and rates the result")
    channel = client_channel(RATING_GRPC)
    rating = rating_pb2_grpc.RatingServiceStub(channel)
    async with httpx.AsyncClient(base_url=SMS_SINK, timeout=10) as sink:
        for petitioner, (number, score) in enumerate(zip(phones, (5, 4), strict=True), 1):
            text = ""
            deadline = time.monotonic() + 15
            while not LINK.search(text) and time.monotonic() < deadline:
                answer = await sink.get("/messages/latest", params={"to": number})
                text = answer.json()["text"] if answer.status_code == 200 else ""
                await asyncio.sleep(0.2)
            found = LINK.search(text)
            if found is None:
                raise SystemExit(f"demo: no rating link reached petitioner {petitioner}")
            print(f"   SMS to petitioner {petitioner}: {text}")
            answer = await rating.SubmitRating(
                rating_pb2.SubmitRatingRequest(token=found[1], score=score, comment="修得很及时"),
                timeout=10,
            )
            outcome = rating_pb2.RatingOutcome.Name(answer.outcome)
            print(f"   petitioner {petitioner} rates {score}/5: {outcome}")
    await watcher.expect(case_id, "civicloop.case.closed.v1")
    await channel.close()


async def walk_ledger(case_id: str) -> None:
    """存证: the case's history on the ledger's log, checked by civicloop-verify as anyone can."""
    prefix = f"{LEDGER_HTTP}/ledger"
    async with httpx.AsyncClient(timeout=10) as client:
        try:
            await client.get(f"{LEDGER_HTTP}/readyz")
        except httpx.TransportError:
            step("存证", "the ledger is not running: nothing is evidenced.")
            return
        step("存证 Every step of the case is on the ledger's signed, witnessed log")

        async def bundle() -> dict[str, Any] | None:
            answer = await client.get(f"{prefix}/evidence/{case_id}")
            if answer.status_code != 200:
                return None
            found: dict[str, Any] = answer.json()
            ours = {e["event_type"] for e in found["entries"]}
            # Complete once the last step the stack walked is covered by a cosigned checkpoint.
            last = "civicloop.case.opened.v1"
            if await answers(DISPATCH_GRPC):
                last = "civicloop.case.completed.v1"
            if await answers(RATING_GRPC):
                last = "civicloop.case.closed.v1"
            cosigned = found["checkpoint"].count("\u2014 ") > 1 or "witness" not in found["keys"]
            return found if last in ours and cosigned else None

        for _ in range(60):
            if (found := await bundle()) is not None:
                break
            await asyncio.sleep(0.5)
        else:
            raise SystemExit("demo: the case's evidence did not reach a cosigned checkpoint")
        for entry in found["entries"]:
            print(
                f"   leaf {entry['leaf_index']:>5}  {entry['event_type']:<40} "
                f"sha256 {entry['event_sha256'][:16]}…"
            )
    # Pinned, not read from the log: the keys the city publishes (here the development ones).
    from civicloop.ledger.settings import DEV_LOG_VKEY, DEV_WITNESS_VKEYS

    keys = f"log {DEV_LOG_VKEY}\n" + "".join(f"witness {v}\n" for v in DEV_WITNESS_VKEYS.values())
    keys_file = ROOT / "var" / "ledger-keys.txt"
    keys_file.parent.mkdir(parents=True, exist_ok=True)
    keys_file.write_text(keys)
    await verify_command("bundle", "--log", prefix, "--case", case_id, "--keys", str(keys_file))


async def walk_credential() -> None:
    """高龄补贴认证: a community worker records this month's verification of an elder; the
    credential exported for civil affairs and finance (CSV + signed manifest) and printed."""
    step("15. 高龄补贴认证 A verification credential, exported and printed, checked offline")
    worker = caller("worker:C001-07", "worker", "ledger", community="C001")
    holder = hashlib.sha256(os.urandom(16) + b"demo elder").hexdigest()
    period = time.strftime("%Y-%m", time.gmtime(time.time() + 8 * 3600))
    request = ledger_pb2.IssueCredentialRequest(
        request_id=str(random.getrandbits(64)),
        community_code="C001",
        holder_hash=holder,
        period=period,
        evidence_type="home_visit",
    )
    request.verified_at.GetCurrentTime()
    out = ROOT / "var" / "exports"
    out.mkdir(parents=True, exist_ok=True)
    async with client_channel(LEDGER_GRPC) as channel:
        ledger = ledger_pb2_grpc.LedgerServiceStub(channel)
        issued = await ledger.IssueCredential(request, metadata=worker, timeout=10)
        print(f"   issued {issued.credential.credential_id} (holder {holder[:12]}…, {period})")
        # The exports carry proofs under the next checkpoint both witnesses have cosigned.
        for _ in range(40):
            try:
                batch = await ledger.ExportCredentialBatch(
                    ledger_pb2.ExportCredentialBatchRequest(community_code="C001", period=period),
                    metadata=worker,
                    timeout=10,
                )
                printed = await ledger.GetCredential(
                    ledger_pb2.GetCredentialRequest(
                        credential_id=issued.credential.credential_id,
                        formats=[ledger_pb2.CREDENTIAL_FORMAT_PDF],
                    ),
                    metadata=worker,
                    timeout=20,
                )
                break
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.FAILED_PRECONDITION:
                    raise
                await asyncio.sleep(0.5)
        else:
            raise SystemExit("demo: the credential did not reach a witnessed checkpoint")
    (out / f"C001-{period}.csv").write_bytes(batch.csv)
    (out / f"C001-{period}.manifest.jws").write_text(batch.manifest_jws)
    (out / "credential.pdf").write_bytes(printed.exports[0].content)
    print(
        f"   exports in {out}: C001-{period}.csv ({batch.credentials} credentials), "
        f"C001-{period}.manifest.jws, credential.pdf"
    )
    async with httpx.AsyncClient(timeout=10) as client:
        did = (await client.get(f"{LEDGER_HTTP}/.well-known/did.json")).json()
    keys = ["--keys", str(ROOT / "var" / "ledger-keys.txt"), "--issuer-key", did["alsoKnownAs"][0]]
    csv_file, manifest = out / f"C001-{period}.csv", out / f"C001-{period}.manifest.jws"
    await verify_command("batch", str(csv_file), str(manifest), *keys)
    await verify_command("pdf", str(out / "credential.pdf"), *keys)


async def walk_publication(case_id: str) -> None:
    """晒单: the case on the public board, then in a batch the office publishes."""
    step("8. 晒单 The case on the public board, then published in this month's batch")
    async with httpx.AsyncClient(base_url=PUBLICATION_HTTP, timeout=10) as board:
        deadline = time.monotonic() + 15
        shown: dict[str, Any] = {}
        while time.monotonic() < deadline:
            answer = await board.get(f"/v1/cases/{case_id}")
            if answer.status_code == 200:
                shown = answer.json()
                if shown["state"] in ("closed", "rated", "completed", "dispatched"):
                    break
            await asyncio.sleep(0.2)
        if not shown:
            raise SystemExit("demo: the case never reached the public board")
        steps = " → ".join(s["step"] for s in shown.get("timeline", []))
        print(f"   on the board: state={shown['state']}  timeline: {steps}")
    channel = client_channel(PUBLICATION_GRPC)
    publication = publication_pb2_grpc.PublicationServiceStub(channel)
    publisher = caller("publisher:demo", "publisher", "publication")
    created = await publication.CreateBatch(
        publication_pb2.CreateBatchRequest(
            request_id=f"demo-batch-{time.time_ns()}",
            title="翔凤桥社区急难愁盼诉求公示",
            filter=publication_pb2.PublicationBatchFilter(
                community_codes=["C001"], list=common_pb2.CASE_LIST_URGENT_NEEDS
            ),
            max_cases=20,
        ),
        metadata=publisher,
        timeout=10,
    )
    published = await publication.PublishBatch(
        publication_pb2.PublishBatchRequest(
            request_id=f"demo-publish-{time.time_ns()}",
            batch_id=created.batch.batch_id,
            expected_version=created.batch.version,
        ),
        metadata=publisher,
        timeout=10,
    )
    await channel.close()
    print(
        f"   batch {published.batch.batch_id}: {len(published.batch.case_ids)} cases, "
        f"edition {published.batch.edition}, frozen"
    )
    print(f"   the case:  {PUBLICATION_HTTP}/cases/{case_id}")
    print(f"   the batch: {PUBLICATION_HTTP}/batches/{published.batch.batch_id}")
    print(f"   the board: {PUBLICATION_HTTP}/   feeds: {PUBLICATION_HTTP}/feeds/all.atom")


async def walk_amenities(watcher: EventWatcher) -> None:
    """幸福共享家: a tourist finds the nearest open shared toilet; it is locked, she reports it;
    the community's worker confirms; the report becomes a case, dispatched and fixed."""
    office = caller("office-demo", "office", "intake", "dispatch", "amenities")
    worker = caller("worker-c001", "worker", "amenities", community="C001")
    channel = client_channel(AMENITIES_GRPC)
    amenities = amenities_pb2_grpc.AmenitiesServiceStub(channel)
    step("10. 幸福共享家 A shop on 幸福路 shares its toilet (registered by the community's worker)")
    shop = (
        await amenities.RegisterAmenity(
            amenities_pb2.RegisterAmenityRequest(
                # The same shop on every run: a repeat returns it, registered once.
                request_id="demo-amenity-xingfu-road-18",
                community_code="C001",
                details=amenities_pb2.AmenityDetails(
                    kind=amenities_pb2.AMENITY_KIND_SHARED_TOILET,
                    name="幸福路24小时便利店共享厕所",
                    address="幸福街道幸福路18号",
                    location=common_pb2.GeoPoint(latitude=30.99745, longitude=103.62330),
                    opening_hours="24/7",
                    merchant=amenities_pb2.AmenityMerchant(
                        name="幸福路24小时便利店", enrolled=True, sign_number="DJY-XF-0018"
                    ),
                    access=amenities_pb2.AMENITY_ACCESS_PUBLIC,
                    wheelchair_accessible=True,
                ),
            ),
            metadata=worker,
            timeout=10,
        )
    ).amenity
    print(f"   amenity {shop.amenity_id}  {shop.details.name}  hours {shop.details.opening_hours}")

    step("11. A tourist at 翔凤桥 asks for the nearest open shared toilet (her map app: GCJ-02)")
    found = await amenities.FindNearby(
        amenities_pb2.FindNearbyRequest(
            location=common_pb2.GeoPoint(
                latitude=30.99435,
                longitude=103.62480,
                coordinate_system=common_pb2.COORDINATE_SYSTEM_GCJ02,
            ),
            radius_meters=500,
            kinds=[amenities_pb2.AMENITY_KIND_SHARED_TOILET],
            open_now=True,
            max_results=3,
        ),
        timeout=10,
    )
    for result in found.results:
        print(
            f"   {result.distance_meters:5.0f} m  {result.amenity.details.name}  "
            f"open={amenities_pb2.AmenityOpenStatus.Name(result.open_status)}"
        )
    nearest = found.results[0].amenity if found.results else shop
    print(f"   the page: {AMENITIES_HTTP}/a/{nearest.amenity_id}")

    step("12. The door is locked although listed open: she reports it (no account needed)")
    report = (
        await amenities.ReportAmenity(
            amenities_pb2.ReportAmenityRequest(
                request_id=f"demo-report-{random.randrange(10**9)}",
                amenity_id=nearest.amenity_id,
                reason_code="closed_when_listed_open",
                comment="标注开放，但下午三点门锁着，店员说厕所不对外",
            ),
            timeout=10,
        )
    ).report
    print(f"   report {report.report_id}  reason {report.reason_code}")

    step("13. The community's worker checks on site and confirms: a petition in intake")
    async with httpx.AsyncClient(base_url=AMENITIES_HTTP, timeout=10) as pages:
        confirmed = await pages.post(
            f"/v1/reports/{report.report_id}/confirm",
            json={"contact_name": "翔凤桥社区网格员", "contact_phone": "028-87654321"},
            headers=dict(worker),
        )
        confirmed.raise_for_status()
        joined = confirmed.json()["state"] == "joined"
        case_id = ""
        for _ in range(100):
            shown = (await pages.get(f"/v1/amenities/{nearest.amenity_id}/problems")).json()
            if shown["open"] and shown["open"][0]["case_id"]:
                case_id = shown["open"][0]["case_id"]
                break
            await asyncio.sleep(0.1)
        if not case_id:
            raise SystemExit("demo: the confirmed report never became a petition")
        print(f"   problem {confirmed.json()['problem_id']}  ->  case {case_id}")
        await channel.close()
        if joined:
            step("14.", "the same problem was open already (an earlier run): the report joined it")
            return
        await watcher.expect(case_id, "civicloop.petition.submitted.v1")
        if not await answers(DISPATCH_GRPC):
            step("14.", "the dispatch service is not running: the case waits, submitted.")
            return
        await walk_amenity_case(watcher, case_id, office)
        for _ in range(100):
            shown = (await pages.get(f"/v1/amenities/{nearest.amenity_id}/problems")).json()
            if shown["fixed"]:
                print(f"   the amenity's page shows it fixed on {shown['fixed'][0]['fixed_at']}")
                return
            await asyncio.sleep(0.1)
        raise SystemExit("demo: the amenity never showed its problem fixed")


async def walk_amenity_case(watcher: EventWatcher, case_id: str, office: Any) -> None:
    """统单 by the office; a shared amenity has two possible leads, so the office dispatches."""
    intake_channel, dispatch_channel = client_channel(INTAKE_GRPC), client_channel(DISPATCH_GRPC)
    intake = intake_pb2_grpc.IntakeServiceStub(intake_channel)
    dispatch = dispatch_pb2_grpc.DispatchServiceStub(dispatch_channel)
    step("14. 统单 派单 The office opens the case and sends it to civil affairs; 接单 办单")
    case = (
        await intake.GetCase(
            intake_pb2.GetCaseRequest(case_id=case_id), metadata=office, timeout=10
        )
    ).case
    await intake.ConsolidateCase(
        intake_pb2.ConsolidateCaseRequest(
            petition_ids=list(case.petition_ids),
            list=common_pb2.CASE_LIST_URGENT_NEEDS,
            urgency=common_pb2.URGENCY_GENERAL,
            summary="幸福路共享厕所标注开放但锁门",
        ),
        metadata=office,
        timeout=10,
    )
    await watcher.expect(case_id, "civicloop.case.awaiting_office.v1")
    waiting = (
        await dispatch.GetAssignment(
            dispatch_pb2.GetAssignmentRequest(case_id=case_id), metadata=office, timeout=10
        )
    ).assignment
    sent = await dispatch.Dispatch(
        dispatch_pb2.DispatchRequest(
            request_id=f"demo-dispatch-{case_id}",
            case_id=case_id,
            expected_version=waiting.case_version,
            department_code="civil_affairs",
            note="幸福共享家由民政局牵头",
        ),
        metadata=office,
        timeout=10,
    )
    clerk = caller("clerk:civil_affairs", "department:civil_affairs", "dispatch")
    accepted = await dispatch.Accept(
        dispatch_pb2.AcceptRequest(
            request_id=f"demo-accept-{case_id}",
            case_id=case_id,
            expected_version=sent.assignment.case_version,
        ),
        metadata=clerk,
        timeout=10,
    )
    await dispatch.Complete(
        dispatch_pb2.CompleteRequest(
            request_id=f"demo-complete-{case_id}",
            case_id=case_id,
            expected_version=accepted.assignment.case_version,
            result_summary="已约谈商户，共享厕所按公示时间开放",
        ),
        metadata=clerk,
        timeout=10,
    )
    await watcher.expect(case_id, "civicloop.case.completed.v1")
    await intake_channel.close()
    await dispatch_channel.close()


async def main() -> None:
    watcher = EventWatcher()
    await watcher.start()
    office = caller("office:demo", "office", "intake", "dispatch", "rating")
    phones = [phone(), phone()]
    async with httpx.AsyncClient(base_url=INTAKE_HTTP, timeout=10) as http:
        step("1. 诉求 A resident files a petition from her phone (HTTP, no account needed)")
        first = (
            await http.post(
                "/v1/petitions",
                json={
                    "channel": "web",
                    "community_code": "C001",
                    "category_code": "streetlight",
                    "description": "小区门口路灯不亮，晚上老人出门不方便",
                    "petitioner_name": "李阿姨",
                    "petitioner_phone": phones[0],
                    "latitude": 30.99680,
                    "longitude": 103.62250,
                },
                headers={"Idempotency-Key": f"demo-{time.time_ns()}"},
            )
        ).json()
        print(
            f"   petition {first['petition']['petition_id']}  case "
            f"{first['case']['case_id']}  state={first['case']['state']}"
        )
        await watcher.expect(first["case"]["case_id"], "civicloop.petition.submitted.v1")

        step("2. 院落坝坝会 A neighbour raises the same problem at a courtyard meeting")
        second = (
            await http.post(
                "/v1/petitions",
                json={
                    "channel": "courtyard_meeting",
                    "community_code": "C001",
                    "category_code": "streetlight",
                    "description": "小区门口的路灯坏了不亮",
                    "petitioner_name": "王师傅",
                    "petitioner_phone": phones[1],
                    "latitude": 30.99690,
                    "longitude": 103.62262,
                },
            )
        ).json()
        print(f"   petition {second['petition']['petition_id']}  case {second['case']['case_id']}")
        await watcher.expect(second["case"]["case_id"], "civicloop.petition.submitted.v1")

    channel = client_channel(INTAKE_GRPC)
    intake = intake_pb2_grpc.IntakeServiceStub(channel)
    ids = [first["petition"]["petition_id"], second["petition"]["petition_id"]]
    step("3. 统单 The office looks for near-duplicates (words, distance, time, category)")
    proposal = await intake.ProposeClusters(
        intake_pb2.ProposeClustersRequest(community_code="C001", window_hours=1),
        metadata=office,
        timeout=10,
    )
    ours = [c for c in proposal.clusters if set(ids) <= set(c.petition_ids)]
    for cluster in ours:
        print(
            f"   cluster of {len(cluster.petition_ids)} petitions, "
            f"score {cluster.score:.2f}, rank {cluster.rank}"
        )
    if not ours:
        raise SystemExit("demo: the two reports were not proposed as duplicates")

    step("4. 统单 The office merges them into one case, lists it as 急难愁盼, urgency utilities")
    case = (
        await intake.ConsolidateCase(
            intake_pb2.ConsolidateCaseRequest(
                petition_ids=ids,
                list=common_pb2.CASE_LIST_URGENT_NEEDS,
                urgency=common_pb2.URGENCY_UTILITIES,
                summary="翔凤桥社区小区门口路灯不亮，两位居民反映",
            ),
            metadata=office,
            timeout=10,
        )
    ).case
    print(
        f"   case {case.case_id}  state=open  version={case.version}  "
        f"petitions={len(case.petition_ids)}"
    )
    await watcher.expect(case.case_id, "civicloop.petitions.merged.v1")
    await watcher.expect(case.case_id, "civicloop.case.opened.v1")
    await channel.close()

    if not await answers(DISPATCH_GRPC):
        step("5. 派单 接单 办单", "the dispatch service is not running: the case waits, open.")
    else:
        await walk_dispatch(watcher, case.case_id, office)
        if await answers(RATING_GRPC):
            await walk_rating(watcher, case.case_id, phones)
        else:
            step("7. 评单", "the rating service is not running: the case waits, completed.")
    if await answers(PUBLICATION_GRPC):
        await walk_publication(case.case_id)
    else:
        step("8. 晒单", "the publication service is not running: the case is not on the board.")
    await walk_ledger(case.case_id)

    step("9. One trace for the case's whole life")
    await asyncio.sleep(1.5)  # the span processor exports in batches
    run_dir = Path(os.environ.get("CIVICLOOP_RUN_DIR", ROOT / "var"))
    for span in case_trace(run_dir, case.case_id):
        print(f"   {span['trace_id'][:12]}  {span['service']:<8} {span['kind']:<9} {span['name']}")
    print(f"   (civicloop-ops trace {case.case_id} prints it again)")
    if await answers(AMENITIES_GRPC):
        await walk_amenities(watcher)
    else:
        step("10. 幸福共享家", "the amenities service is not running.")
    await watcher.close()
    if await answers(LEDGER_GRPC):
        await walk_credential()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except (httpx.TransportError, ConnectionError) as exc:
        sys.exit(f"demo: the stack does not answer ({exc}); start it with `make up`")
