"""统单: near-duplicate Chinese petitions are proposed together, merged, opened and split;
on-the-spot resolution; illegal transitions are refused; one trace follows each case."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from harness import EventTap, ServiceProcess, bearer, grpc_auth, new_key, petition_body

from civicloop.platform.telemetry import read_spans, spans_file
from civicloop.v1 import common_pb2, events_pb2, intake_pb2, intake_pb2_grpc

OFFICE = grpc_auth("office")
WORKER = grpc_auth("worker")


async def file(http: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await http.post("/v1/petitions", json=petition_body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_near_duplicate_chinese_petitions_are_consolidated_into_one_open_case(
    http: httpx.AsyncClient, grpc_channel: grpc.aio.Channel, tap: EventTap, intake: ServiceProcess
) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    # Community C003 (岷江路) is used by this test only.
    first = await file(
        http,
        community_code="C003",
        description="小区门口路灯不亮",
        latitude=31.00030,
        longitude=103.61900,
    )
    second = await file(
        http,
        community_code="C003",
        description="小区门口的路灯坏了不亮",
        latitude=31.00045,
        longitude=103.61912,
    )
    unrelated = await file(
        http,
        community_code="C003",
        description="中山路19号院落路灯杆倾斜",
        latitude=31.00500,
        longitude=103.62500,
    )
    ids = [first["petition"]["petition_id"], second["petition"]["petition_id"]]

    proposal = await stub.ProposeClusters(
        intake_pb2.ProposeClustersRequest(community_code="C003"), metadata=OFFICE, timeout=10
    )
    clusters = [sorted(c.petition_ids) for c in proposal.clusters]
    assert sorted(ids) in clusters
    assert all(unrelated["petition"]["petition_id"] not in c for c in clusters)

    # The office merges the cluster and, by mistake, the unrelated report too; it reviews
    # before opening, splits the wrong one out, then opens the case.
    wrong = unrelated["petition"]["petition_id"]
    merged_case = (
        await stub.ConsolidateCase(
            intake_pb2.ConsolidateCaseRequest(
                petition_ids=[*ids, wrong],
                review_before_opening=True,
                list=common_pb2.CASE_LIST_URGENT_NEEDS,
                urgency=common_pb2.URGENCY_UTILITIES,
                summary="岷江路社区小区门口路灯不亮",
            ),
            metadata=OFFICE,
            timeout=10,
        )
    ).case
    assert merged_case.case_id == first["case"]["case_id"]
    assert merged_case.state == common_pb2.CASE_STATE_SUBMITTED and merged_case.version == 2
    split_request = intake_pb2.SplitPetitionRequest(
        petition_id=wrong, reason="不是同一个问题", request_id=new_key()
    )
    split = await stub.SplitPetition(split_request, metadata=OFFICE, timeout=10)
    assert sorted(split.from_case.petition_ids) == sorted(ids) and split.from_case.version == 3
    # A retried split answers with the same two cases and splits nothing more.
    assert await stub.SplitPetition(split_request, metadata=OFFICE, timeout=10) == split
    assert split.new_case.state == common_pb2.CASE_STATE_SUBMITTED
    assert list(split.new_case.petition_ids) == [wrong]
    case = (
        await stub.ConsolidateCase(
            intake_pb2.ConsolidateCaseRequest(
                petition_ids=[ids[0]],
                list=common_pb2.CASE_LIST_URGENT_NEEDS,
                urgency=common_pb2.URGENCY_UTILITIES,
                summary="岷江路社区小区门口路灯不亮，两户反映",
            ),
            metadata=OFFICE,
            timeout=10,
        )
    ).case
    assert case.state == common_pb2.CASE_STATE_OPEN
    assert sorted(case.petition_ids) == sorted(ids)
    assert case.version == 4  # submitted, merged, split, opened: one version per transition

    merged = await tap.for_subject(case.case_id, "civicloop.petitions.merged.v1")
    await tap.for_subject(case.case_id, "civicloop.petition.split.v1")
    opened = await tap.for_subject(case.case_id, "civicloop.case.opened.v1")
    assert sorted(events_pb2.PetitionsMerged.FromString(merged.body).merged_case_ids) == sorted(
        [second["case"]["case_id"], unrelated["case"]["case_id"]]
    )
    opened_event = events_pb2.CaseOpened.FromString(opened.body)
    assert opened_event.case_version == 4
    assert opened_event.urgency == common_pb2.URGENCY_UTILITIES
    assert sorted(opened_event.petition_ids) == sorted(ids)
    absorbed = (
        await http.get(f"/v1/cases/{second['case']['case_id']}", headers=bearer("office"))
    ).json()
    assert absorbed["state"] == "merged" and absorbed["merged_into"] == case.case_id

    # Each petition keeps its petitioner, to be asked for a rating once the case is
    # completed (test_access), not before.
    with pytest.raises(grpc.aio.AioRpcError) as too_early:
        await stub.GetPetitionerContacts(
            intake_pb2.GetPetitionerContactsRequest(case_id=case.case_id),
            metadata=grpc_auth("service:rating"),
            timeout=10,
        )
    assert too_early.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.aio.AioRpcError) as not_rating:
        await stub.GetPetitionerContacts(
            intake_pb2.GetPetitionerContactsRequest(case_id=case.case_id),
            metadata=OFFICE,
            timeout=10,
        )
    assert not_rating.value.code() == grpc.StatusCode.PERMISSION_DENIED

    await assert_one_trace_per_case(Path(intake.run_dir), case.case_id, minimum_spans=4)


async def assert_one_trace_per_case(run_dir: Path, case_id: str, minimum_spans: int) -> None:
    path = spans_file(run_dir, "intake")
    for _ in range(50):
        spans = [s for s in read_spans(path) if s["attributes"].get("civicloop.case_id") == case_id]  # type: ignore[union-attr]
        if len(spans) >= minimum_spans:
            break
        await asyncio.sleep(0.1)
    assert len(spans) >= minimum_spans, spans
    assert len({s["trace_id"] for s in spans}) == 1, "a case's spans must share one trace"
    roots = [s for s in spans if s["parent_span_id"] is None]
    assert [r["name"] for r in roots] == ["case submitted"]
    # The request that caused each step is linked, not parent: the case trace stays whole.
    assert all(s["links"] for s in spans if s["kind"] == "INTERNAL")


async def test_a_worker_resolves_a_petition_on_the_spot_once(
    http: httpx.AsyncClient, grpc_channel: grpc.aio.Channel, tap: EventTap
) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    created = await file(
        http,
        community_code="C004",
        category_code="sanitation",
        description="新联社区党群服务中心门口垃圾桶满了",
    )
    case_id = created["case"]["case_id"]
    with pytest.raises(grpc.aio.AioRpcError) as no_note:
        await stub.ResolveOnSite(
            intake_pb2.ResolveOnSiteRequest(case_id=case_id, note=" "), metadata=WORKER, timeout=10
        )
    assert no_note.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as no_version:
        await stub.ResolveOnSite(
            intake_pb2.ResolveOnSiteRequest(case_id=case_id, note="已处理"),
            metadata=WORKER,
            timeout=10,
        )
    assert no_version.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "expected_version" in (no_version.value.details() or "")
    resolve = intake_pb2.ResolveOnSiteRequest(
        case_id=case_id, note="已联系环卫当场清运", expected_version=1, request_id=new_key()
    )
    resolved = await stub.ResolveOnSite(resolve, metadata=WORKER, timeout=10)
    assert resolved.case.state == common_pb2.CASE_STATE_RESOLVED_ON_SITE
    assert resolved.case.version == 2
    # A retry of the same request gets the same answer and changes nothing.
    retried = await stub.ResolveOnSite(resolve, metadata=WORKER, timeout=10)
    assert retried.case == resolved.case
    # The same request id for another request is refused.
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        other = intake_pb2.ResolveOnSiteRequest(
            case_id=case_id, note="另一件事", expected_version=2, request_id=resolve.request_id
        )
        await stub.ResolveOnSite(other, metadata=WORKER, timeout=10)
    assert reused.value.code() == grpc.StatusCode.ALREADY_EXISTS
    # A repeat is answered only under the role the request was made in.
    with pytest.raises(grpc.aio.AioRpcError) as other_role:
        await stub.ResolveOnSite(resolve, metadata=grpc_auth("office"), timeout=10)
    assert other_role.value.code() == grpc.StatusCode.PERMISSION_DENIED
    event = await tap.for_subject(case_id, "civicloop.petition.resolved_on_site.v1")
    assert events_pb2.PetitionResolvedOnSite.FromString(event.body).note == "已联系环卫当场清运"

    with pytest.raises(grpc.aio.AioRpcError) as again:
        await stub.ResolveOnSite(
            intake_pb2.ResolveOnSiteRequest(case_id=case_id, note="再次", expected_version=2),
            metadata=WORKER,
            timeout=10,
        )
    assert again.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    case = (await http.get(f"/v1/cases/{case_id}", headers=bearer("office"))).json()
    assert case["version"] == 2  # the refusal wrote nothing


async def test_a_stale_version_is_aborted_and_an_opened_case_cannot_be_resolved_on_site(
    http: httpx.AsyncClient, grpc_channel: grpc.aio.Channel
) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    created = await file(
        http, community_code="C006", category_code="road_damage", description="村道中间有个大坑"
    )
    case_id, petition_id = created["case"]["case_id"], created["petition"]["petition_id"]
    with pytest.raises(grpc.aio.AioRpcError) as stale:
        await stub.ResolveOnSite(
            intake_pb2.ResolveOnSiteRequest(case_id=case_id, note="已处理", expected_version=7),
            metadata=WORKER,
            timeout=10,
        )
    assert stale.value.code() == grpc.StatusCode.ABORTED
    await stub.ConsolidateCase(
        intake_pb2.ConsolidateCaseRequest(
            petition_ids=[petition_id],
            list=common_pb2.CASE_LIST_PRACTICAL_MATTERS,
            urgency=common_pb2.URGENCY_GENERAL,
            summary="村道坑洼修补",
        ),
        metadata=OFFICE,
        timeout=10,
    )
    with pytest.raises(grpc.aio.AioRpcError) as opened:
        await stub.ResolveOnSite(
            intake_pb2.ResolveOnSiteRequest(case_id=case_id, note="已处理", expected_version=2),
            metadata=WORKER,
            timeout=10,
        )
    assert opened.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.aio.AioRpcError) as reopen:
        await stub.ConsolidateCase(
            intake_pb2.ConsolidateCaseRequest(
                petition_ids=[petition_id],
                list=common_pb2.CASE_LIST_PRACTICAL_MATTERS,
                urgency=common_pb2.URGENCY_GENERAL,
                summary="再次",
            ),
            metadata=OFFICE,
            timeout=10,
        )
    assert reopen.value.code() == grpc.StatusCode.FAILED_PRECONDITION
