"""A report on a shared toilet travels the loop, over the real intake, dispatch and amenities:
the public files it on the amenity's page, the community's worker confirms it, it becomes a
petition in intake (category shared_amenity, filed with amenities' own identity), a second
report of the same problem joins the same petition, the office consolidates and dispatches the
case, the department completes it, and the amenity's page shows the date it was fixed (in
Debian's chromium; screenshot var/artifacts/amenities-fixed.png)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import grpc
import httpx
import pytest
from amenities_loop import AmenityClient, spot, worker_of
from browser import screenshot
from harness import EventTap, ServiceProcess, bearer, grpc_auth, new_key, wait_for
from selenium import webdriver
from selenium.webdriver.common.by import By

from civicloop.platform.event_types import type_of
from civicloop.v1 import (
    amenities_pb2,
    amenities_pb2_grpc,
    common_pb2,
    dispatch_pb2,
    dispatch_pb2_grpc,
    events_pb2,
    intake_pb2,
    intake_pb2_grpc,
)

OFFICE = grpc_auth("office", subject="office-clerk")
WORKER = bearer("worker", subject="worker-c001", community="C001")
OTHER_WORKER = bearer("worker", subject="worker-c002", community="C002")
CONTACT = {"contact_name": "翔凤桥社区网格员", "contact_phone": "028-87654321"}
AWAITING = type_of(events_pb2.CaseAwaitingOffice)
COMPLETED = type_of(events_pb2.CaseCompleted)
PROBLEM_CHANGED = type_of(events_pb2.AmenityProblemChanged)


async def file_on_page(
    client: httpx.AsyncClient, amenity_id: str, reason: str, comment: str = ""
) -> str:
    """Fill the report form as a browser does (its hidden request id included)."""
    form = await client.get(f"/a/{amenity_id}/report")
    assert form.status_code == 200
    request_id = re.search(r'name="request_id" value="([^"]+)"', form.text)
    assert request_id
    sent = await client.post(
        f"/a/{amenity_id}/report",
        data={"reason_code": reason, "comment": comment, "request_id": request_id.group(1)},
    )
    assert sent.status_code == 200, sent.text
    return sent.text


async def reports_of(
    stub: amenities_pb2_grpc.AmenitiesServiceStub, amenity_id: str
) -> list[amenities_pb2.AmenityReport]:
    answer = await stub.ListReports(
        amenities_pb2.ListReportsRequest(amenity_id=amenity_id),
        metadata=worker_of("C001"),
        timeout=10,
    )
    return list(answer.reports)


async def problems(client: httpx.AsyncClient, amenity_id: str) -> dict[str, Any]:
    answer = await client.get(f"/v1/amenities/{amenity_id}/problems")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture
async def pages(amenities: ServiceProcess) -> Any:
    async with httpx.AsyncClient(base_url=amenities.http_url, timeout=10) as client:
        yield client


async def test_a_confirmed_report_becomes_a_case_and_the_amenity_shows_it_fixed(
    amenities: ServiceProcess,
    dispatch: ServiceProcess,
    amenity_client: AmenityClient,
    pages: httpx.AsyncClient,
    grpc_channel: grpc.aio.Channel,
    dispatch_channel: grpc.aio.Channel,
    tap: EventTap,
    amenities_db: asyncpg.Pool,
    browser: webdriver.Chrome,
) -> None:
    lat, lng = spot()
    toilet = await amenity_client.register(lat, lng, name="幸福超市共享厕所")
    stub = amenity_client.stub
    intake = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    dispatcher = dispatch_pb2_grpc.DispatchServiceStub(dispatch_channel)

    thanks = await file_on_page(
        pages,
        toilet.amenity_id,
        "closed_when_listed_open",
        "标注24小时开放，晚上十点锁门了，电话13800138000",
    )
    assert "已收到您的报告" in thanks
    [report] = await reports_of(stub, toilet.amenity_id)
    assert "13800138000" not in report.comment  # redacted before it is kept

    # Only a worker of the amenity's community (or the office) moderates; bad bodies name the field.
    url = f"/v1/reports/{report.report_id}/confirm"
    assert (await pages.post(url, json=CONTACT)).status_code == 401
    assert (await pages.post(url, json=CONTACT, headers=OTHER_WORKER)).status_code == 403
    bad = await pages.post(url, json={**CONTACT, "contact_phone": "12"}, headers=WORKER)
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["contact_phone"]

    confirmed = await pages.post(
        url, json=CONTACT, headers={**WORKER, "Idempotency-Key": new_key()}
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "confirmed"
    again = await pages.post(url, json=CONTACT, headers=WORKER)
    assert again.status_code == 409  # moderated once

    async def filed() -> dict[str, Any] | None:
        shown = await problems(pages, toilet.amenity_id)
        return shown if shown["open"] and shown["open"][0]["case_id"] else None

    shown = await wait_for(filed, timeout=15)
    assert shown, "the problem was never filed in intake"
    case_id = shown["open"][0]["case_id"]
    case = (
        await intake.GetCase(
            intake_pb2.GetCaseRequest(case_id=case_id), metadata=OFFICE, timeout=10
        )
    ).case
    assert (case.category_code, case.community_code) == ("shared_amenity", "C001")
    [petition_id] = case.petition_ids

    # The same problem reported again joins the same petition; nothing new is filed.
    joined = await file_on_page(pages, toilet.amenity_id, "closed_when_listed_open", "还是锁着")
    assert "已在处理中" in joined
    shown = await problems(pages, toilet.amenity_id)
    assert shown["open"][0]["reports"] == 2 and shown["open"][0]["case_id"] == case_id
    petitions = await intake.ListPetitions(
        intake_pb2.ListPetitionsRequest(case_id=case_id), metadata=OFFICE, timeout=10
    )
    assert [p.petition_id for p in petitions.petitions] == [petition_id]
    page = (await pages.get(f"/a/{toilet.amenity_id}")).text
    assert "处理中" in page and case_id[:8] in page

    # 统单, 派单 by the office (shared amenities have two possible leads), 接单, 办结.
    await intake.ConsolidateCase(
        intake_pb2.ConsolidateCaseRequest(
            petition_ids=[petition_id],
            list=common_pb2.CASE_LIST_URGENT_NEEDS,
            urgency=common_pb2.URGENCY_UTILITIES,
            summary="幸福超市共享厕所标注开放但晚上锁门",
        ),
        metadata=OFFICE,
        timeout=10,
    )
    awaiting = events_pb2.CaseAwaitingOffice.FromString(
        (await tap.for_subject(case_id, AWAITING)).body
    )
    dispatched = await dispatcher.Dispatch(
        dispatch_pb2.DispatchRequest(
            request_id=new_key(),
            case_id=case_id,
            expected_version=awaiting.case_version,
            department_code="civil_affairs",
            note="共享厕所由民政局牵头",
        ),
        metadata=OFFICE,
        timeout=10,
    )
    clerk = grpc_auth("department:civil_affairs")
    accepted = await dispatcher.Accept(
        dispatch_pb2.AcceptRequest(
            request_id=new_key(),
            case_id=case_id,
            expected_version=dispatched.assignment.case_version,
        ),
        metadata=clerk,
        timeout=10,
    )

    async def dispatched_shown() -> bool:
        return (await problems(pages, toilet.amenity_id))["open"][0]["case_state"] in (
            "dispatched",
            "in_progress",
        )

    assert await wait_for(dispatched_shown, timeout=15)
    await dispatcher.Complete(
        dispatch_pb2.CompleteRequest(
            request_id=new_key(),
            case_id=case_id,
            expected_version=accepted.assignment.case_version,
            result_summary="已约谈商户，恢复24小时开放",
        ),
        metadata=clerk,
        timeout=10,
    )
    completed = events_pb2.CaseCompleted.FromString(
        (await tap.for_subject(case_id, COMPLETED)).body
    )

    async def fixed() -> dict[str, Any] | None:
        shown = await problems(pages, toilet.amenity_id)
        return shown if shown["fixed"] else None

    shown = await wait_for(fixed, timeout=15)
    assert shown and not shown["open"]
    assert shown["fixed"][0]["fixed_at"].startswith(
        completed.completed_at.ToDatetime().date().isoformat()
    )
    day = completed.completed_at.ToDatetime() + timedelta(hours=8)  # Asia/Shanghai
    browser.get(f"{amenities.http_url}/a/{toilet.amenity_id}")
    assert (
        f"已于{day.year}年{day.month}月{day.day}日修复" in browser.find_element(By.ID, "main").text
    )
    screenshot(browser, "amenities-fixed.png")
    reported = await reports_of(stub, toilet.amenity_id)
    assert sorted(r.state for r in reported) == ["confirmed", "joined"]

    # Every step of the problem is in its audit trail, each with its event.
    steps = await amenities_db.fetch(
        """SELECT version, state, event_type, actor FROM history
            WHERE aggregate_type = 'amenity_problem' AND aggregate_id = $1 ORDER BY version""",
        confirmed.json()["problem_id"],
    )
    assert steps[0]["actor"] == "worker-c001" and steps[-1]["state"] == "fixed"
    assert [s["version"] for s in steps] == list(range(1, len(steps) + 1))
    assert {s["event_type"] for s in steps} == {PROBLEM_CHANGED}


async def test_a_rejected_report_files_nothing_and_cannot_be_moderated_again(
    amenities: ServiceProcess,
    amenity_client: AmenityClient,
    pages: httpx.AsyncClient,
) -> None:
    lat, lng = spot()
    toilet = await amenity_client.register(lat, lng, name="莲花茶馆共享厕所")
    await file_on_page(pages, toilet.amenity_id, "sign_missing")
    [report] = await reports_of(amenity_client.stub, toilet.amenity_id)
    url = f"/v1/reports/{report.report_id}/reject"
    blank = await pages.post(url, json={"reason": " "}, headers=WORKER)
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "reason"
    rejected = await pages.post(url, json={"reason": "现场核实，标识在门右侧"}, headers=WORKER)
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert (await pages.post(url, json={"reason": "再次"}, headers=WORKER)).status_code == 409
    confirm = await pages.post(
        f"/v1/reports/{report.report_id}/confirm", json=CONTACT, headers=WORKER
    )
    assert confirm.status_code == 409
    assert (await problems(pages, toilet.amenity_id)) == {
        "amenity_id": toilet.amenity_id,
        "open": [],
        "fixed": [],
    }
    unknown = await pages.post(
        f"/v1/reports/{uuid.uuid4()}/reject", json={"reason": "x"}, headers=WORKER
    )
    assert unknown.status_code == 404


async def test_the_public_pages_refuse_bad_places_and_unknown_things(
    amenities: ServiceProcess, pages: httpx.AsyncClient
) -> None:
    outside = await pages.get("/", params={"lat": "30.6574", "lng": "104.0658"})
    assert outside.status_code == 422 and "不在都江堰市范围内" in outside.text
    assert (await pages.get("/", params={"lat": "x", "lng": "1"})).status_code == 422
    for latitude in ("95", "nan", "-inf"):
        wrong = await pages.get("/", params={"lat": latitude, "lng": "103.6"})
        assert wrong.status_code == 422 and "位置无效" in wrong.text, latitude
    unknown_crs = await pages.get("/", params={"lat": "30.99", "lng": "103.6", "crs": "utm"})
    assert unknown_crs.status_code == 422 and "坐标系无效" in unknown_crs.text
    assert (await pages.get("/", params={"community": "C999"})).status_code == 422
    assert (await pages.get("/", params={"community": "C001", "kind": "sauna"})).status_code == 422
    assert (await pages.get(f"/a/{uuid.uuid4()}")).status_code == 404
    assert (await pages.get("/a/not-a-uuid")).status_code == 404
    home = await pages.get("/")
    assert home.status_code == 200 and "使用我的位置" in home.text
    assert "script-src 'self'" in home.headers["content-security-policy"]


async def test_the_community_catalogue_as_a_page_and_json(
    amenities: ServiceProcess, amenity_client: AmenityClient, pages: httpx.AsyncClient
) -> None:
    lat, lng = spot()
    hot_water = await amenity_client.register(
        lat, lng, name="翔凤桥茶铺共享热水", kind=amenities_pb2.AMENITY_KIND_SHARED_HOT_WATER
    )
    index = (await pages.get("/v1/catalogue")).json()
    assert len(index["communities"]) == 166 and 1 <= index["month"] <= 12
    c001 = (await pages.get("/v1/catalogue/C001")).json()
    assert c001["sharing_point"] == "翔凤桥社区幸福共享家"
    assert len(c001["events"]) == 12 and c001["this_month"]["title"]
    assert hot_water.amenity_id in {a["amenity_id"] for a in c001["amenities"]}
    assert (await pages.get("/v1/catalogue/C999")).status_code == 404
    page = await pages.get("/catalogue/C001")
    assert (
        page.status_code == 200 and "翔凤桥茶铺共享热水" in page.text and "共享工具箱" in page.text
    )
    assert "翔凤桥社区" in (await pages.get("/catalogue")).text
