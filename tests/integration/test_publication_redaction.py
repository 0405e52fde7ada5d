"""Nothing personal reaches the public: petitions full of phone numbers, ID numbers and names
go through the whole loop (filed, merged, summarised, handled, completed, rated, published,
pushed to a media channel), and no page, feed, JSON answer or webhook of the board shows any
of them."""

from __future__ import annotations

import grpc
import httpx
from board_loop import PUBLISHER, board_case, create_and_publish
from google.protobuf import text_format
from harness import ServiceProcess, grpc_auth, new_key, petition_body, wait_for
from rating_loop import OFFICE, Loop
from webhook_receiver import webhook_receiver

from civicloop.v1 import (
    common_pb2,
    dispatch_pb2,
    intake_pb2,
    publication_pb2,
    publication_pb2_grpc,
)

NAMES = ["王秀英", "李建国"]
PHONES = ["13912345678", "15887654321"]
ID_NUMBER = "510181199001011234"
LANDLINE = "028-87654321"
# The same numbers typed in full width, as Chinese input methods often do.
FULL_WIDTH_PHONE = "１３７００１１２２３３"
SECRETS = [*NAMES, *PHONES, ID_NUMBER, "87654321", "13700112233", FULL_WIDTH_PHONE]


async def test_no_name_phone_or_id_number_reaches_any_page_feed_json_or_webhook(
    publication: ServiceProcess,
    publication_channel: grpc.aio.Channel,
    board: httpx.AsyncClient,
    loop: Loop,
) -> None:
    petition_ids = []
    case_id = ""
    for name, phone in zip(NAMES, PHONES, strict=True):
        filed = await loop.http.post(
            "/v1/petitions",
            json=petition_body(
                community_code="C003",
                category_code="sanitation",
                description=(
                    f"我是{name}，电话{phone}，身份证{ID_NUMBER}，座机{LANDLINE}，"
                    f"小区垃圾三天没人清运，联系{FULL_WIDTH_PHONE}"
                ),
                petitioner_name=name,
                petitioner_phone=phone,
            ),
        )
        assert filed.status_code == 201, filed.text
        petition_ids.append(filed.json()["petition"]["petition_id"])
        case_id = case_id or filed.json()["case"]["case_id"]
    # The office's summary quotes the numbers a careless clerk copied in: redacted on the way.
    await loop.intake.ConsolidateCase(
        intake_pb2.ConsolidateCaseRequest(
            petition_ids=petition_ids,
            list=common_pb2.CASE_LIST_URGENT_NEEDS,
            urgency=common_pb2.URGENCY_GENERAL,
            summary=f"岷江路社区垃圾未清运，回电{PHONES[0]}，证件{ID_NUMBER}",
        ),
        metadata=OFFICE,
        timeout=10,
    )
    dispatched = await board_case(board, case_id, state="dispatched")
    clerk = grpc_auth(f"department:{dispatched['department_code']}")
    assignment = await loop.dispatch.GetAssignment(
        dispatch_pb2.GetAssignmentRequest(case_id=case_id), metadata=clerk, timeout=10
    )
    accepted = await loop.dispatch.Accept(
        dispatch_pb2.AcceptRequest(
            request_id=new_key(),
            case_id=case_id,
            expected_version=assignment.assignment.case_version,
        ),
        metadata=clerk,
        timeout=10,
    )
    progressed = await loop.dispatch.UpdateProgress(
        dispatch_pb2.UpdateProgressRequest(
            request_id=new_key(),
            case_id=case_id,
            expected_version=accepted.assignment.case_version,
            measures_taken=f"已联系{PHONES[1]}，安排清运车",
            progress_percent=50,
        ),
        metadata=clerk,
        timeout=10,
    )
    await loop.dispatch.Complete(
        dispatch_pb2.CompleteRequest(
            request_id=new_key(),
            case_id=case_id,
            expected_version=progressed.assignment.case_version,
            result_summary=f"垃圾已清运，已电话{PHONES[0]}回访",
        ),
        metadata=clerk,
        timeout=10,
    )
    # The petitioners rate, one of them naming herself and her number in the comment.
    for phone in PHONES:
        token = await loop.link_sent_to(phone)
        await loop.rate(token, 4, f"{NAMES[0]}很满意，电话{PHONES[0]}")
    shown = await board_case(board, case_id, rating_count=2)
    assert shown["result_summary"].startswith("垃圾已清运")

    service = publication_pb2_grpc.PublicationServiceStub(publication_channel)
    async with webhook_receiver() as receiver:
        registered = await service.RegisterWebhook(
            publication_pb2.RegisterWebhookRequest(
                request_id=new_key(), channel="redaction_check", url=receiver.url("/hook")
            ),
            metadata=PUBLISHER,
            timeout=10,
        )
        assert registered.secret
        batch = await create_and_publish(
            service,
            f"岷江路社区公示（联系人{PHONES[1]}）",
            publication_pb2.PublicationBatchFilter(
                community_codes=["C003"], category_codes=["sanitation"]
            ),
            channels=("redaction_check",),
        )
        assert case_id in batch.case_ids
        await wait_for(lambda: receiver.at("/hook"), timeout=20)
        pushed = [r.body.decode() for r in receiver.at("/hook")]

    public = [
        "/",
        "/cases",
        "/cases?community=C003",
        f"/cases/{case_id}",
        f"/batches/{batch.batch_id}",
        "/statistics",
        "/v1/cases",
        f"/v1/cases/{case_id}",
        "/v1/batches",
        f"/v1/batches/{batch.batch_id}",
        "/v1/statistics",
        "/feeds/all.atom",
        "/feeds/urgent_needs.atom",
        f"/feeds/batches/{batch.batch_id}.atom",
    ]
    texts = {path: (await board.get(path)).text for path in public}
    texts |= {f"webhook {i}": body for i, body in enumerate(pushed)}
    grpc_answers = [
        await service.GetPublicCase(
            publication_pb2.GetPublicCaseRequest(case_id=case_id), timeout=10
        ),
        await service.GetBatch(
            publication_pb2.GetBatchRequest(batch_id=batch.batch_id), timeout=10
        ),
    ]
    texts |= {
        f"grpc {i}": text_format.MessageToString(answer, as_utf8=True)
        for i, answer in enumerate(grpc_answers)
    }
    # The pages did show the case (the test would prove nothing over empty pages).
    assert "岷江路社区垃圾未清运" in texts[f"/cases/{case_id}"]
    assert "139****5678" in texts[f"/cases/{case_id}"]
    for where, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret} shown in {where}"
