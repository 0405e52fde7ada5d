"""Filing a petition over every edge stores it and publishes a CloudEvent."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import grpc
import httpx
from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_binary
from cloudevents.core.formats.json import JSONFormat
from harness import (
    EventTap,
    bearer,
    grpc_auth,
    new_key,
    open311_form,
    petition_body,
    random_phone,
    wait_for,
)

from civicloop.v1 import common_pb2, events_pb2, intake_pb2, intake_pb2_grpc

SUBMITTED = "civicloop.petition.submitted.v1"


async def assert_published_as_cloudevent(tap: EventTap, case_id: str, petition_id: str) -> None:
    message = await tap.for_subject(case_id, SUBMITTED)
    event = from_binary(
        RabbitMQMessage(
            headers={k: str(v) for k, v in (message.headers or {}).items()},
            content_type=message.content_type,
            body=message.body,
        ),
        JSONFormat(),
    )
    assert event.get_type() == SUBMITTED
    assert event.get_source() == "intake"
    assert event.get_subject() == case_id
    assert event.get_attributes()["datacontenttype"] == "application/protobuf"
    assert event.get_id() == message.message_id
    assert message.type == SUBMITTED and message.app_id == "intake"
    assert message.delivery_mode == 2  # persistent
    assert (message.headers or {}).get("traceparent")
    payload = events_pb2.PetitionSubmitted.FromString(event.get_data())
    assert payload.petition_id == petition_id
    # Personal data never leaves intake.
    assert "张三" not in str(message.headers) and "张三".encode() not in message.body


async def test_a_petition_filed_over_http_is_stored_and_published(
    http: httpx.AsyncClient, tap: EventTap
) -> None:
    response = await http.post("/v1/petitions", json=petition_body())
    assert response.status_code == 201, response.text
    created = response.json()
    petition_id, case_id = created["petition"]["petition_id"], created["case"]["case_id"]
    assert created["case"]["state"] == "submitted" and created["case"]["version"] == 1
    stored = await http.get(f"/v1/petitions/{petition_id}", headers=bearer("worker"))
    assert stored.status_code == 200 and stored.json()["case_id"] == case_id
    await assert_published_as_cloudevent(tap, case_id, petition_id)


async def test_a_petition_filed_over_grpc_is_stored_and_published(
    grpc_channel: grpc.aio.Channel, tap: EventTap
) -> None:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    request = intake_pb2.SubmitPetitionRequest(
        request_id=new_key(),
        channel=common_pb2.CHANNEL_GRID_WORKER,
        community_code="C005",
        category_code="elderly_care",
        description="南桥社区独居老人希望有人定期上门探访",
        petitioner_name="王五",
        petitioner_phone=random_phone(),
        location=common_pb2.GeoPoint(latitude=31.0015, longitude=103.6105),
    )
    metadata = grpc_auth("worker")
    response = await stub.SubmitPetition(request, metadata=metadata, timeout=10)
    assert response.case.state == common_pb2.CASE_STATE_SUBMITTED
    fetched = await stub.GetPetition(
        intake_pb2.GetPetitionRequest(petition_id=response.petition.petition_id),
        metadata=metadata,
        timeout=10,
    )
    assert fetched.petition.community_code == "C005"
    await assert_published_as_cloudevent(tap, response.case.case_id, response.petition.petition_id)
    # Repeating the request id answers the first petition and creates nothing.
    again = await stub.SubmitPetition(request, metadata=metadata, timeout=10)
    assert again.petition.petition_id == response.petition.petition_id


async def test_an_open311_json_request_is_stored_and_followable(
    http: httpx.AsyncClient, tap: EventTap
) -> None:
    response = await http.post("/open311/v2/requests.json", data=open311_form())
    assert response.status_code == 201, response.text
    request_id = response.json()[0]["service_request_id"]
    one = await http.get(f"/open311/v2/requests/{request_id}.json")
    assert one.status_code == 200
    (request,) = one.json()
    assert request["service_code"] == "drainage" and request["status"] == "open"
    assert request["description"] == "莲花社区柏条河路路面积水严重"
    listed = await http.get(
        "/open311/v2/requests.json", params={"service_request_id": request_id, "status": "open"}
    )
    assert [r["service_request_id"] for r in listed.json()] == [request_id]

    # The date-range query filters by service code and status in the database.
    async def listed_ids(params: dict[str, str]) -> list[str]:
        listed = await http.get("/open311/v2/requests.json", params=params)
        return [r["service_request_id"] for r in listed.json()]

    assert request_id in await listed_ids({"service_code": "drainage"})
    assert request_id in await listed_ids({"status": "open"})
    assert request_id not in await listed_ids({"service_code": "streetlight"})
    assert request_id not in await listed_ids({"status": "closed"})
    token = await http.get(f"/open311/v2/tokens/{request_id}.json")
    assert token.json()[0]["service_request_id"] == request_id
    petition = await http.get(f"/v1/petitions/{request_id}", headers=bearer("office"))
    await assert_published_as_cloudevent(tap, petition.json()["case_id"], request_id)


async def test_an_open311_xml_request_is_stored_and_followable(
    http: httpx.AsyncClient, tap: EventTap
) -> None:
    response = await http.post(
        "/open311/v2/requests.xml",
        data=open311_form(
            service_code="sanitation", description="新联社区菜市场旁垃圾堆放多日无人清运"
        ),
    )
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    request_id = root.findtext("request/service_request_id")
    assert request_id
    one = ET.fromstring((await http.get(f"/open311/v2/requests/{request_id}.xml")).content)
    assert one.findtext("request/service_code") == "sanitation"
    assert one.findtext("request/status") == "open"
    petition = await http.get(f"/v1/petitions/{request_id}", headers=bearer("office"))
    await assert_published_as_cloudevent(tap, petition.json()["case_id"], request_id)


async def test_the_open311_service_list_and_definition_follow_the_specification(
    http: httpx.AsyncClient,
) -> None:
    services = (await http.get("/open311/v2/services.json")).json()
    streetlight = next(s for s in services if s["service_code"] == "streetlight")
    assert set(streetlight) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    definition = (await http.get("/open311/v2/services/streetlight.json")).json()
    (community,) = definition["attributes"]
    assert community["code"] == "community" and community["required"] is True
    assert len(community["values"]) == 166
    xml = ET.fromstring((await http.get("/open311/v2/services/streetlight.xml")).content)
    assert xml.tag == "service_definition"
    assert len(xml.findall("attributes/attribute/values/value")) == 166


async def test_a_repeated_idempotency_key_creates_nothing_new(
    http: httpx.AsyncClient, intake_db: object
) -> None:
    key, body = new_key(), petition_body()
    first = await http.post("/v1/petitions", json=body, headers={"Idempotency-Key": key})
    second = await http.post("/v1/petitions", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["petition"]["petition_id"] == second.json()["petition"]["petition_id"]
    count = await intake_db.fetchval(  # type: ignore[attr-defined]
        "SELECT count(*) FROM command_requests WHERE request_id = $1", key
    )
    assert count == 1
    reused = await http.post(
        "/v1/petitions",
        json=petition_body(description="另一件事"),
        headers={"Idempotency-Key": key},
    )
    assert reused.status_code == 409
    assert reused.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_an_idempotency_key_belongs_to_its_caller(http: httpx.AsyncClient) -> None:
    """Two callers who pick the same key file two petitions: neither sees the other's."""
    key, body = new_key(), petition_body()
    grid_worker = bearer("worker", subject="worker:wang")
    anonymous = await http.post("/v1/petitions", json=body, headers={"Idempotency-Key": key})
    worker = await http.post(
        "/v1/petitions", json=body, headers={"Idempotency-Key": key, **grid_worker}
    )
    again = await http.post(
        "/v1/petitions", json=body, headers={"Idempotency-Key": key, **grid_worker}
    )
    assert (anonymous.status_code, worker.status_code, again.status_code) == (201, 201, 200)
    petition_ids = [r.json()["petition"]["petition_id"] for r in (anonymous, worker, again)]
    assert petition_ids[0] != petition_ids[1] == petition_ids[2]


async def test_submissions_for_one_phone_are_rate_limited(http: httpx.AsyncClient) -> None:
    phone = random_phone()
    statuses = [
        (await http.post("/v1/petitions", json=petition_body(petitioner_phone=phone))).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [201] * 10
    assert statuses[10] == 429


def metric(text: str, sample: str) -> float | None:
    """The value of one Prometheus sample (name and labels as printed), None when absent."""
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    return None


async def test_metrics_show_what_the_relay_published_and_how_far_behind_it_is(
    http: httpx.AsyncClient, tap: EventTap
) -> None:
    published = f'civicloop_events_published_total{{type="{SUBMITTED}"}}'
    filed = 'civicloop_http_requests_total{route="/v1/petitions",service="intake",status="201"}'
    before = (await http.get("/metrics")).text

    created = (await http.post("/v1/petitions", json=petition_body())).json()
    await tap.for_subject(created["case"]["case_id"], SUBMITTED)

    # The relay counts an event once the broker confirms it, which may come a moment after
    # a consumer already has it.
    async def counted() -> str | None:
        text = (await http.get("/metrics")).text
        wanted = (metric(before, published) or 0) + 1
        return text if (metric(text, published) or 0) >= wanted else None

    after = await wait_for(counted, timeout=10)
    assert metric(after, filed) == (metric(before, filed) or 0) + 1
    # Nothing waits in the outbox once the event has arrived (the gauge is refreshed each
    # second, so what it shows is at most a second or two old).
    lag = metric(after, "civicloop_outbox_oldest_unsent_seconds")
    assert lag is not None and 0 <= lag < 5
