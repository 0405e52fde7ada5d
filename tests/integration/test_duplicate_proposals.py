"""统单 over the wire: one problem filed by three residents over HTTP, gRPC and Open311 is
proposed as one cluster with its reasons; a different problem at the same spot is not; bad
requests are refused naming the field."""

from __future__ import annotations

import asyncpg
import grpc
import httpx
import pytest
from harness import field_violations, grpc_auth, new_key, petition_body, random_phone

from civicloop.v1 import common_pb2, intake_pb2, intake_pb2_grpc

OFFICE = grpc_auth("office")
OPEN311_KEY = "civicloop-dev-open311-key"
# Community C140 is used by this module only: its proposals are these petitions' alone.
COMMUNITY = "C140"
LAMP = (31.01000, 103.60000)


async def file_over_http(http: httpx.AsyncClient, description: str, north_m: float) -> str:
    body = petition_body(
        community_code=COMMUNITY,
        category_code="streetlight",
        description=description,
        latitude=LAMP[0] + north_m / 111_195,
        longitude=LAMP[1],
    )
    response = await http.post("/v1/petitions", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["petition"]["petition_id"])


async def test_one_problem_filed_over_http_grpc_and_open311_is_proposed_as_one_cluster(
    http: httpx.AsyncClient, grpc_channel: grpc.aio.Channel, intake_db: asyncpg.Pool
) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    over_http = await file_over_http(http, "滨河路第三盏路灯不亮了，晚上黑黢黢的看不到路", 0)
    # A resident on the 12345 hotline: no location, compared by community and words.
    over_grpc = await stub.SubmitPetition(
        intake_pb2.SubmitPetitionRequest(
            request_id=new_key(),
            channel=common_pb2.CHANNEL_HOTLINE,
            community_code=COMMUNITY,
            category_code="streetlight",
            description="滨河路那边的路灯坏了好几天了，晚上黑灯瞎火的，老年人不敢出门",
            petitioner_name="王婆婆",
            petitioner_phone=random_phone(),
        ),
        metadata=grpc_auth("worker"),
        timeout=10,
    )
    over_open311 = await http.post(
        "/open311/v2/requests.json",
        data={
            "api_key": OPEN311_KEY,
            "service_code": "streetlight",
            "attribute[community]": COMMUNITY,
            "description": "滨河路路灯故障，灯不亮，夜间行人摔倒过",
            "first_name": "四",
            "last_name": "李",
            "phone": random_phone(),
            "lat": str(LAMP[0] + 30 / 111_195),
            "long": str(LAMP[1]),
        },
    )
    assert over_open311.status_code == 201, over_open311.text
    from_open311 = over_open311.json()[0]["service_request_id"]
    # Same lamp, same category, another problem.
    bent_pole = await file_over_http(http, "滨河路第三根路灯杆被货车撞歪了，斜起怕倒下来", 5)
    cluster = {over_http, over_grpc.petition.petition_id, from_open311}

    # Each petition's words were stored when it was filed.
    stored = await intake_db.fetch(
        "SELECT description_words FROM petitions WHERE id = ANY($1::uuid[])", list(cluster)
    )
    assert len(stored) == 3 and all("路灯" in r["description_words"].split() for r in stored)

    proposal = await stub.ProposeClusters(
        intake_pb2.ProposeClustersRequest(community_code=COMMUNITY), metadata=OFFICE, timeout=10
    )
    (found,) = proposal.clusters
    assert set(found.petition_ids) == cluster and bent_pole not in found.petition_ids
    assert found.rank == 1 and found.category_code == "streetlight"
    assert len(found.case_ids) == 3
    assert 0 < found.min_similarity <= found.links[0].score <= 1
    # The reasons a clerk reads: score, shared words, time apart, and the distance when both
    # petitions have a location (the hotline petition has none).
    assert all(link.shared_words and link.same_community for link in found.links)
    located = [link for link in found.links if link.HasField("distance_meters")]
    unlocated = [link for link in found.links if not link.HasField("distance_meters")]
    assert all(link.distance_meters < 100 for link in located)
    assert any(
        over_grpc.petition.petition_id in (x.petition_id, x.other_petition_id) for x in unlocated
    )
    assert all(link.hours_apart < 1 for link in found.links)


@pytest.mark.parametrize(
    "request_fields, field",
    [
        ({"window_hours": 721}, "window_hours"),
        ({"window_hours": -1}, "window_hours"),
        ({"min_similarity": 1.5}, "min_similarity"),
        ({"min_similarity": -0.2}, "min_similarity"),
        ({"max_distance_meters": -10}, "max_distance_meters"),
        ({"max_distance_meters": 60_000}, "max_distance_meters"),
        ({"community_code": "C999"}, "community_code"),
        ({"max_clusters": 1001}, "max_clusters"),
    ],
)
async def test_a_proposal_request_out_of_range_is_refused_naming_the_field(
    grpc_channel: grpc.aio.Channel, request_fields: dict[str, object], field: str
) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ProposeClusters(
            intake_pb2.ProposeClustersRequest(**request_fields),  # type: ignore[arg-type]
            metadata=OFFICE,
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(refused.value) == [field]


async def test_only_the_office_may_ask_for_proposals(grpc_channel: grpc.aio.Channel) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ProposeClusters(
            intake_pb2.ProposeClustersRequest(), metadata=grpc_auth("worker"), timeout=10
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
