"""晒单 over the real processes: a case filed at intake, dispatched and completed at dispatch
appears on publication's board with its timeline; a published batch is frozen and corrected
as a new edition; events redelivered or out of order leave the board right; the Atom feeds
parse; every webhook verifies with the Standard Webhooks library, and a failing receiver is
retried, dead-lettered and replayed."""

from __future__ import annotations

import asyncio
import html
import re
from typing import Any

import aio_pika
import feedparser
import grpc
import httpx
import pytest
from board_loop import (
    PUBLISHER,
    a_case_id,
    board_case,
    create_and_publish,
    deliver_to_board,
    event_message,
    minutes,
    stamp,
)
from harness import (
    ServiceProcess,
    field_violations,
    new_key,
    random_phone,
    wait_for,
)
from rating_loop import Loop
from standardwebhooks.webhooks import Webhook
from webhook_receiver import webhook_receiver

from civicloop.v1 import common_pb2, events_pb2, publication_pb2, publication_pb2_grpc

SUMMARY = "岷江路社区小区门口路灯不亮，晚上出行不便"
RESULT = "已更换灯具，路灯恢复照明"


def stub(channel: grpc.aio.Channel) -> publication_pb2_grpc.PublicationServiceAsyncStub:
    return publication_pb2_grpc.PublicationServiceStub(channel)


async def test_a_completed_case_appears_on_the_board_with_its_timeline(
    publication: ServiceProcess, board: httpx.AsyncClient, loop: Loop
) -> None:
    case_id = await loop.opened_case([random_phone(), random_phone()], summary=SUMMARY)
    completed = await loop.complete_round(case_id, result=RESULT)

    shown = await board_case(board, case_id, state="completed")
    assert shown["summary"] == SUMMARY and shown["result_summary"] == RESULT
    assert shown["petition_count"] == 2
    assert shown["department_code"] == completed.department_code
    assert shown["department_name"]  # dispatch's name for it, asked with publication's identity
    assert shown["lists"] == ["urgent_needs"]
    assert [s["step"] for s in shown["timeline"]] == [
        "opened",
        "dispatched",
        "accepted",
        "completed",
    ]
    versions = [s["case_version"] for s in shown["timeline"]]
    assert versions == sorted(versions)

    page = await board.get(f"/cases/{case_id}")
    assert page.status_code == 200
    for text in (SUMMARY, RESULT, "统单受理", "派单", "接单", "办结", shown["department_name"]):
        assert text in page.text
    assert page.headers["cache-control"].startswith("public")

    # Each step shows its entry on the ledger, and the page links the case's evidence bundle.
    async def evidenced() -> str | None:
        text = (await board.get(f"/cases/{case_id}")).text
        return text if text.count("存证：账本第") == 4 else None

    evidenced_page = await wait_for(evidenced, timeout=20)
    bundle_url = re.search(r'<a href="([^"]+/ledger/evidence/[^"]+)">核验</a>', evidenced_page)
    assert bundle_url, evidenced_page
    shown_entries = {int(n) for n in re.findall(r"存证：账本第(\d+)条", evidenced_page)}
    async with httpx.AsyncClient(timeout=10) as ledger_http:

        async def bundled() -> bool:
            # The bundle holds the entries its checkpoint covers: the next one covers these.
            bundle = (await ledger_http.get(html.unescape(bundle_url[1]))).json()
            return shown_entries <= {e["leaf_index"] for e in bundle["entries"]}

        assert await wait_for(bundled, timeout=20)

    # Once the page stands still, asking again with its ETag answers 304.
    settled = await board.get(f"/cases/{case_id}")
    again = await board.get(f"/cases/{case_id}", headers={"if-none-match": settled.headers["etag"]})
    assert again.status_code == 304

    # The list page and the JSON list find it by its community and list; a filter that
    # leaves it out does not.
    listed = await board.get("/v1/cases", params={"community": "C003", "list": "urgent_needs"})
    assert case_id in [c["case_id"] for c in listed.json()["cases"]]
    other = await board.get("/v1/cases", params={"community": "C004"})
    assert case_id not in [c["case_id"] for c in other.json()["cases"]]
    bad = await board.get("/v1/cases", params={"state": "submitted"})
    assert bad.status_code in (400, 422) and bad.json()["errors"][0]["field"] == "state"


async def test_a_published_batch_is_frozen_and_a_correction_makes_edition_two(
    publication: ServiceProcess,
    publication_channel: grpc.aio.Channel,
    board: httpx.AsyncClient,
    loop: Loop,
) -> None:
    first = await loop.opened_case([random_phone()], community="C005", summary="南桥社区排水沟堵塞")
    second = await loop.opened_case([random_phone()], community="C005", summary="南桥社区路灯闪烁")
    for case_id in (first, second):
        await board_case(board, case_id, state="dispatched")
    service = stub(publication_channel)
    batch = await create_and_publish(
        service,
        "南桥社区11月诉求公示",
        publication_pb2.PublicationBatchFilter(community_codes=["C005"]),
    )
    assert batch.state == publication_pb2.PUBLICATION_BATCH_STATE_PUBLISHED
    assert batch.edition == 1 and {first, second} <= set(batch.case_ids)

    # Frozen: an edit is refused and changes nothing.
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await service.UpdateBatch(
            publication_pb2.UpdateBatchRequest(
                request_id=new_key(),
                batch_id=batch.batch_id,
                expected_version=batch.version,
                title="改过的标题",
            ),
            metadata=PUBLISHER,
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    # Publishing it again under a new request id is refused too.
    with pytest.raises(grpc.aio.AioRpcError) as again:
        await service.PublishBatch(
            publication_pb2.PublishBatchRequest(
                request_id=new_key(), batch_id=batch.batch_id, expected_version=batch.version
            ),
            metadata=PUBLISHER,
            timeout=10,
        )
    assert again.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    # A correction without its reason is refused, naming the field.
    with pytest.raises(grpc.aio.AioRpcError) as unexplained:
        await service.CorrectBatch(
            publication_pb2.CorrectBatchRequest(
                request_id=new_key(),
                batch_id=batch.batch_id,
                expected_version=batch.version,
                remove_case_ids=[second],
            ),
            metadata=PUBLISHER,
            timeout=10,
        )
    assert unexplained.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(unexplained.value) == ["note"]

    corrected = (
        await service.CorrectBatch(
            publication_pb2.CorrectBatchRequest(
                request_id=new_key(),
                batch_id=batch.batch_id,
                expected_version=batch.version,
                note="路灯闪烁一案属岷江路社区，误列入本期",
                title="南桥社区11月诉求公示（更正）",
                remove_case_ids=[second],
            ),
            metadata=PUBLISHER,
            timeout=10,
        )
    ).batch
    assert corrected.edition == 2 and corrected.version == batch.version + 1
    assert second not in corrected.case_ids and first in corrected.case_ids
    (correction,) = corrected.corrections
    assert list(correction.removed_case_ids) == [second]
    assert correction.title_before == "南桥社区11月诉求公示"

    page = (await board.get(f"/batches/{batch.batch_id}")).text
    for text in ("第2版", "更正说明", "误列入本期", "南桥社区11月诉求公示（更正）", "移出"):
        assert text in page
    original = (await board.get(f"/batches/{batch.batch_id}", params={"edition": "1"})).text
    assert "这是第1版" in original and f"/cases/{second}" in original
    as_json = (await board.get(f"/v1/batches/{batch.batch_id}")).json()
    assert as_json["edition"] == 2 and as_json["corrections"][0]["removed_case_ids"] == [second]
    # The draft-only edit path is closed for good: the batch is still edition 2.
    got = await service.GetBatch(
        publication_pb2.GetBatchRequest(batch_id=batch.batch_id), timeout=10
    )
    assert got.batch.edition == 2 and got.batch.title == "南桥社区11月诉求公示（更正）"


async def test_events_redelivered_or_out_of_order_leave_the_board_right(
    publication: ServiceProcess,
    board: httpx.AsyncClient,
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
) -> None:
    case_id = a_case_id()
    opened = events_pb2.CaseOpened(
        case_id=case_id,
        case_version=2,
        petition_ids=[a_case_id()],
        community_code="C002",
        category_code="drainage",
        list=common_pb2.CASE_LIST_PRACTICAL_MATTERS,
        summary="莲花社区排水口堵塞",
        location=common_pb2.GeoPoint(latitude=30.99871234, longitude=103.61449876),
    )
    stamp(opened, "opened_at", minutes(0))
    dispatched = events_pb2.CaseDispatched(
        case_id=case_id, case_version=3, department_code="water_affairs", round=1
    )
    stamp(dispatched, "dispatched_at", minutes(1))
    accepted = events_pb2.CaseAccepted(
        case_id=case_id, case_version=4, department_code="water_affairs"
    )
    stamp(accepted, "accepted_at", minutes(20))
    progress = events_pb2.HandlingProgressUpdated(
        case_id=case_id,
        case_version=5,
        department_code="water_affairs",
        measures_taken="已清掏排水口",
        progress_percent=60,
    )
    stamp(progress, "updated_at", minutes(60))
    completed = events_pb2.CaseCompleted(
        case_id=case_id,
        case_version=6,
        department_code="water_affairs",
        result_summary="排水口已疏通",
        round=1,
    )
    stamp(completed, "completed_at", minutes(90))
    sources = {
        "opened": (opened, "intake"),
        "dispatched": (dispatched, "dispatch"),
        "accepted": (accepted, "dispatch"),
        "progress": (progress, "dispatch"),
        "completed": (completed, "dispatch"),
    }
    messages = {name: event_message(p, case_id, source) for name, (p, source) in sources.items()}
    # Completion first, the opening last; two events delivered three times each.
    for name, times in (
        ("completed", 3),
        ("progress", 1),
        ("dispatched", 3),
        ("accepted", 1),
        ("opened", 1),
    ):
        await deliver_to_board(amqp, run["namespace"], messages[name], times=times)

    shown = await board_case(board, case_id, state="completed", summary="莲花社区排水口堵塞")
    await asyncio.sleep(0.5)  # any late duplicate would land by now
    shown = await board_case(board, case_id, state="completed")
    assert shown["result_summary"] == "排水口已疏通" and shown["progress_percent"] == 100
    assert shown["department_code"] == "water_affairs" and shown["lists"] == ["practical_matters"]
    assert [s["step"] for s in shown["timeline"]] == [
        "opened",
        "dispatched",
        "accepted",
        "progress",
        "completed",
    ]
    # About 100 m: three decimals.
    assert shown["approximate_location"] == {"latitude": 30.999, "longitude": 103.614}

    # A stale event arriving after all of them (a second delivery of the dispatch) moves
    # nothing back.
    await deliver_to_board(amqp, run["namespace"], messages["dispatched"])
    await asyncio.sleep(0.5)
    assert (await board_case(board, case_id))["state"] == "completed"


async def test_feeds_parse_and_webhooks_verify_retry_dead_letter_and_replay(
    publication: ServiceProcess,
    publication_channel: grpc.aio.Channel,
    board: httpx.AsyncClient,
    loop: Loop,
) -> None:
    service = stub(publication_channel)
    case_id = await loop.opened_case([random_phone()], community="C004", summary="新联社区道路破损")
    await board_case(board, case_id, state="dispatched")
    async with webhook_receiver() as receiver:
        receiver.answers["/failing"] = 503
        secrets = {}
        for path in ("/ok", "/failing"):
            registered = await service.RegisterWebhook(
                publication_pb2.RegisterWebhookRequest(
                    request_id=new_key(),
                    channel="dujiangyan_release" if path == "/ok" else "civilised_youth",
                    url=receiver.url(path),
                    description="测试接收端",
                ),
                metadata=PUBLISHER,
                timeout=10,
            )
            assert registered.secret.startswith("whsec_")
            secrets[path] = (registered.webhook.webhook_id, registered.secret)
        listed = await service.ListWebhooks(
            publication_pb2.ListWebhooksRequest(), metadata=PUBLISHER, timeout=10
        )
        assert all(w.secret_fingerprint and len(w.secret_fingerprint) == 8 for w in listed.webhooks)
        assert registered.secret not in str(listed)

        batch = await create_and_publish(
            service,
            "新联社区公示",
            publication_pb2.PublicationBatchFilter(community_codes=["C004"]),
            channels=("dujiangyan_release", "civilised_youth"),
        )

        await wait_for(lambda: receiver.at("/ok"), timeout=20)
        delivered = receiver.at("/ok")[0]
        body = Webhook(secrets["/ok"][1]).verify(delivered.body, delivered.headers)
        assert body["type"] == "civicloop.publication.batch_published.v1"
        assert body["data"]["batch_id"] == batch.batch_id
        assert case_id in [c["case_id"] for c in body["data"]["cases"]]
        event_id = delivered.headers["webhook-id"]

        # The failing receiver: tried three times (PUBLICATION_WEBHOOK_MAX_ATTEMPTS), then dead.
        failing_id = secrets["/failing"][0]

        async def dead() -> list[Any]:
            answer = await service.ListWebhookDeliveries(
                publication_pb2.ListWebhookDeliveriesRequest(
                    webhook_id=failing_id, state=publication_pb2.WEBHOOK_DELIVERY_STATE_DEAD
                ),
                metadata=PUBLISHER,
                timeout=10,
            )
            return list(answer.deliveries)

        (dead_delivery,) = await wait_for(dead, timeout=20)
        assert dead_delivery.attempts == 3 and dead_delivery.last_status == 503
        assert len(receiver.at("/failing")) == 3
        for attempt in receiver.at("/failing"):
            Webhook(secrets["/failing"][1]).verify(attempt.body, attempt.headers)
            assert attempt.headers["webhook-id"] == event_id  # the same event, every time

        # The receiver is fixed; the publisher replays the dead delivery.
        receiver.answers["/failing"] = 200
        replayed = await service.ReplayWebhookDelivery(
            publication_pb2.ReplayWebhookDeliveryRequest(delivery_id=dead_delivery.delivery_id),
            metadata=PUBLISHER,
            timeout=10,
        )
        assert replayed.delivery.state == publication_pb2.WEBHOOK_DELIVERY_STATE_PENDING
        await wait_for(lambda: len(receiver.at("/failing")) == 4, timeout=20)
        last = receiver.at("/failing")[-1]
        assert Webhook(secrets["/failing"][1]).verify(last.body, last.headers)["id"] == event_id
        with pytest.raises(grpc.aio.AioRpcError) as not_dead:
            await service.ReplayWebhookDelivery(
                publication_pb2.ReplayWebhookDeliveryRequest(delivery_id=dead_delivery.delivery_id),
                metadata=PUBLISHER,
                timeout=10,
            )
        assert not_dead.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    # Every feed parses as Atom without a bozo flag, and the batch is in them.
    for path in (
        "/feeds/all.atom",
        "/feeds/urgent_needs.atom",
        "/feeds/practical_matters.atom",
        "/feeds/homestay_opportunities.atom",
        f"/feeds/batches/{batch.batch_id}.atom",
    ):
        answer = await board.get(path)
        assert answer.status_code == 200 and "atom" in answer.headers["content-type"]
        parsed = feedparser.parse(answer.content)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
    listed_feed = feedparser.parse((await board.get("/feeds/all.atom")).content)
    assert any(batch.batch_id in e.id for e in listed_feed.entries)
    batch_feed = feedparser.parse(
        (await board.get(f"/feeds/batches/{batch.batch_id}.atom")).content
    )
    assert any(case_id in e.id for e in batch_feed.entries)
