"""The six tickets up to 评单, driven for real by the rating tests: a case filed and merged
at intake, handled and completed at dispatch, its links read from the SMS sink."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx
from harness import EventTap, grpc_auth, new_key, petition_body, wait_for

from civicloop.platform.event_types import type_of
from civicloop.v1 import (
    common_pb2,
    dispatch_pb2,
    dispatch_pb2_grpc,
    events_pb2,
    intake_pb2,
    intake_pb2_grpc,
    rating_pb2,
    rating_pb2_grpc,
)

OFFICE = grpc_auth("office")
TOKEN = re.compile(r"/r/([A-Za-z0-9_-]{43})")
DISPATCHED = type_of(events_pb2.CaseDispatched)
COMPLETED = type_of(events_pb2.CaseCompleted)
CLOSED = type_of(events_pb2.CaseClosed)
SUMMARY = "小区门口路灯不亮"
RESULT = "已更换灯具，路灯恢复照明"


@dataclass
class Loop:
    """The six tickets up to 评单, driven as the office, a department and a petitioner."""

    http: httpx.AsyncClient
    intake: intake_pb2_grpc.IntakeServiceAsyncStub
    dispatch: dispatch_pb2_grpc.DispatchServiceAsyncStub
    rating: rating_pb2_grpc.RatingServiceAsyncStub
    sink: httpx.AsyncClient
    tap: EventTap
    read: set[str] = field(default_factory=set)

    async def completed_case(self, phones: list[str], community: str = "C003") -> str:
        """File one petition per phone, merge them into one case, and have the department
        the catalogue picks accept and complete it."""
        case_id = await self.opened_case(phones, community)
        await self.complete_round(case_id)
        return case_id

    async def opened_case(
        self,
        phones: list[str],
        community: str = "C003",
        summary: str = SUMMARY,
        category: str = "streetlight",
    ) -> str:
        """One petition per phone, merged by the office into one opened case."""
        petition_ids = []
        case_id = ""
        for phone in phones:
            filed = await self.http.post(
                "/v1/petitions",
                json=petition_body(
                    community_code=community,
                    category_code=category,
                    description="小区门口路灯不亮，晚上看不见路",
                    petitioner_phone=phone,
                ),
            )
            petition_ids.append(filed.json()["petition"]["petition_id"])
            case_id = case_id or filed.json()["case"]["case_id"]
        await self.intake.ConsolidateCase(
            intake_pb2.ConsolidateCaseRequest(
                petition_ids=petition_ids,
                list=common_pb2.CASE_LIST_URGENT_NEEDS,
                urgency=common_pb2.URGENCY_UTILITIES,
                summary=summary,
            ),
            metadata=OFFICE,
            timeout=10,
        )
        return case_id

    async def complete_round(
        self, case_id: str, result: str = RESULT
    ) -> events_pb2.CaseCompleted:
        dispatched = events_pb2.CaseDispatched.FromString(
            (await self.tap.for_subject(case_id, DISPATCHED)).body
        )
        clerk = grpc_auth(f"department:{dispatched.department_code}")
        accepted = await self.dispatch.Accept(
            dispatch_pb2.AcceptRequest(
                request_id=new_key(), case_id=case_id, expected_version=dispatched.case_version
            ),
            metadata=clerk,
            timeout=10,
        )
        await self.dispatch.Complete(
            dispatch_pb2.CompleteRequest(
                request_id=new_key(),
                case_id=case_id,
                expected_version=accepted.assignment.case_version,
                result_summary=result,
            ),
            metadata=clerk,
            timeout=10,
        )
        return events_pb2.CaseCompleted.FromString(
            (await self.tap.for_subject(case_id, COMPLETED)).body
        )

    async def link_sent_to(self, phone: str) -> str:
        """The token of the next link the phone receives (one this loop has not read yet)."""
        found: list[str] = []

        async def arrived() -> bool:
            answer = await self.sink.get("/messages", params={"to": phone})
            tokens = [m for x in answer.json() for m in TOKEN.findall(x["text"])]
            found[:] = [t for t in tokens if t not in self.read]
            return bool(found)

        assert await wait_for(arrived, timeout=20), f"no link reached {phone}"
        self.read.add(found[0])
        return found[0]

    async def rate(self, token: str, score: int, comment: str = "", case_id: str = "") -> Any:
        request = rating_pb2.SubmitRatingRequest(
            token=token, score=score, comment=comment, case_id=case_id
        )
        return await self.rating.SubmitRating(request, timeout=10)

    async def closed(self, case_id: str) -> events_pb2.CaseClosed:
        return events_pb2.CaseClosed.FromString((await self.tap.for_subject(case_id, CLOSED)).body)
