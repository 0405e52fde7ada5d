"""Dispatch over the real processes: 派单, 接单 / 退单, 办单, deadlines and 督办."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import asyncpg
import grpc
import httpx
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from harness import (
    EventTap,
    MovableClock,
    ServiceProcess,
    bearer,
    field_violations,
    grpc_auth,
    petition_body,
    publish,
    wait_for,
)

from civicloop.platform.envelope import EventEnvelope
from civicloop.v1 import (
    common_pb2,
    dispatch_pb2,
    dispatch_pb2_grpc,
    events_pb2,
    intake_pb2,
    intake_pb2_grpc,
)

OFFICE = grpc_auth("office")


def department(code: str, clerk: str = "test-user") -> tuple[tuple[str, str], ...]:
    """A clerk of the department (each clerk its own token subject)."""
    return grpc_auth(f"department:{code}", subject=clerk)


def rid() -> str:
    return str(uuid.uuid4())


def stamp(at: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(at)
    return out


def case_opened(case_id: str, *, case_version: int = 3, **fields: Any) -> EventEnvelope:
    """civicloop.case.opened.v1 as intake publishes it (a general practical matter unless
    the fields say otherwise)."""
    defaults: dict[str, Any] = {
        "community_code": "C006",
        "category_code": "road_damage",
        "list": common_pb2.CASE_LIST_PRACTICAL_MATTERS,
        "urgency": common_pb2.URGENCY_GENERAL,
    }
    return EventEnvelope.wrap(
        events_pb2.CaseOpened(case_id=case_id, case_version=case_version, **{**defaults, **fields}),
        source="intake",
        subject=case_id,
    )


async def open_case(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
    *,
    category: str = "road_damage",
    community: str = "C006",
    urgency: int = common_pb2.URGENCY_GENERAL,
) -> dispatch_pb2.DispatchAssignment:
    """Publish civicloop.case.opened.v1 as intake does, and wait until dispatch routed it."""
    case_id = str(uuid.uuid4())
    envelope = case_opened(
        case_id,
        petition_ids=[str(uuid.uuid4())],
        community_code=community,
        category_code=category,
        urgency=urgency,
        summary="村道中间有个大坑，雨天积水",
    )
    await publish(amqp, run["namespace"], envelope.to_amqp(), envelope.type)
    for _ in range(100):
        try:
            return (
                await stub.GetAssignment(
                    dispatch_pb2.GetAssignmentRequest(case_id=case_id), metadata=OFFICE, timeout=5
                )
            ).assignment
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.NOT_FOUND:
                raise
            await asyncio.sleep(0.05)
    raise TimeoutError(f"dispatch never routed case {case_id}")


async def accept(
    stub: dispatch_pb2_grpc.DispatchServiceStub, case: dispatch_pb2.DispatchAssignment
) -> dispatch_pb2.DispatchAssignment:
    """接单 by the lead department's clerk; returns the accepted assignment."""
    return (
        await stub.Accept(
            dispatch_pb2.AcceptRequest(
                request_id=rid(), case_id=case.case_id, expected_version=case.case_version
            ),
            metadata=department(case.department_code),
            timeout=10,
        )
    ).assignment


async def every_page(list_call: Any, request_type: Any, size: int, **filters: Any) -> list[Any]:
    """Every page of a list, as the office reads it, following each page's token."""
    pages: list[Any] = []
    token = ""
    while not pages or token:
        page = await list_call(
            request_type(page=common_pb2.PageRequest(page_size=size, page_token=token), **filters),
            metadata=OFFICE,
            timeout=10,
        )
        pages.append(page)
        token = page.page.next_page_token
    return pages


@pytest.fixture
def stub(dispatch_channel: grpc.aio.Channel) -> dispatch_pb2_grpc.DispatchServiceStub:
    return dispatch_pb2_grpc.DispatchServiceStub(dispatch_channel)


async def test_a_petition_walks_from_filing_to_completion_one_version_per_transition(
    http: httpx.AsyncClient,
    grpc_channel: grpc.aio.Channel,
    stub: dispatch_pb2_grpc.DispatchServiceStub,
    tap: EventTap,
) -> None:
    created = (
        await http.post(
            "/v1/petitions",
            json=petition_body(
                community_code="C002",
                category_code="drainage",
                description="莲花社区柏条河路雨后积水，排水口堵塞",
            ),
        )
    ).json()
    intake = intake_pb2_grpc.IntakeServiceStub(grpc_channel)
    await intake.ConsolidateCase(
        intake_pb2.ConsolidateCaseRequest(
            petition_ids=[created["petition"]["petition_id"]],
            list=common_pb2.CASE_LIST_URGENT_NEEDS,
            urgency=common_pb2.URGENCY_UTILITIES,
            summary="柏条河路排水口堵塞",
        ),
        metadata=OFFICE,
        timeout=10,
    )
    case_id = created["case"]["case_id"]
    dispatched = events_pb2.CaseDispatched.FromString(
        (await tap.for_subject(case_id, "civicloop.case.dispatched.v1")).body
    )
    assert dispatched.automatic and dispatched.department_code == "water_affairs"
    clerk = department(dispatched.department_code)
    version = dispatched.case_version
    version = (
        await stub.Accept(
            dispatch_pb2.AcceptRequest(request_id=rid(), case_id=case_id, expected_version=version),
            metadata=clerk,
            timeout=10,
        )
    ).assignment.case_version
    for percent in (30, 70):
        version = (
            await stub.UpdateProgress(
                dispatch_pb2.UpdateProgressRequest(
                    request_id=rid(),
                    case_id=case_id,
                    expected_version=version,
                    measures_taken=f"清掏排水口，完成{percent}%",
                    progress_percent=percent,
                    attachments=[
                        events_pb2.Attachment(
                            url="https://files.example/photo.jpg",
                            sha256="a" * 64,
                            media_type="image/jpeg",
                        )
                    ],
                ),
                metadata=clerk,
                timeout=10,
            )
        ).assignment.case_version
    done = await stub.Complete(
        dispatch_pb2.CompleteRequest(
            request_id=rid(),
            case_id=case_id,
            expected_version=version,
            result_summary="排水口已疏通，路面不再积水",
        ),
        metadata=clerk,
        timeout=10,
    )
    assert done.assignment.state == dispatch_pb2.ASSIGNMENT_STATE_COMPLETED

    opened = 2  # submitted (1), opened (2): a one-petition case merges nothing
    expected = [
        ("civicloop.case.accepted.v1", opened + 2),
        ("civicloop.case.progress_updated.v1", opened + 3),
        ("civicloop.case.progress_updated.v1", opened + 4),
        ("civicloop.case.completed.v1", opened + 5),
    ]
    seen = []
    while len(seen) < len(expected):
        message = await tap.next()
        if (message.headers or {}).get("ce-subject") == case_id:
            kind = str((message.headers or {})["ce-type"])
            payload: Any = EventEnvelope.from_amqp(message).payload()
            seen.append((kind, payload.case_version))
    assert dispatched.case_version == opened + 1
    assert seen == expected

    async def intake_sees_completed() -> bool:
        case = (await http.get(f"/v1/cases/{case_id}", headers=bearer("office"))).json()
        return bool(case["state"] == "completed" and case["version"] == opened + 5)

    assert await wait_for(intake_sees_completed, timeout=5)


async def test_a_return_reroutes_to_the_fallback_unit_and_the_limit_lands_with_the_office(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
) -> None:
    first = await open_case(amqp, run, stub, category="road_damage", community="C006")
    assert first.department_code == "transport"
    returned = await stub.Return(
        dispatch_pb2.ReturnRequest(
            request_id=rid(),
            case_id=first.case_id,
            expected_version=first.case_version,
            reason_code="outside_jurisdiction",
            reason_text="该路段属于村道，由镇上负责",
        ),
        metadata=department("transport"),
        timeout=10,
    )
    assert returned.return_count == 1
    assert returned.returned.state == dispatch_pb2.ASSIGNMENT_STATE_RETURNED
    assert returned.next.department_code == "coordination_office"
    assert returned.next.state == dispatch_pb2.ASSIGNMENT_STATE_DISPATCHED
    second = await stub.Return(
        dispatch_pb2.ReturnRequest(
            request_id=rid(),
            case_id=first.case_id,
            expected_version=returned.next.case_version,
            reason_code="needs_several_departments",
            reason_text="需要交通和镇政府共同处理",
        ),
        metadata=department("coordination_office"),
        timeout=10,
    )
    assert second.return_count == 2
    assert not second.next.department_code
    now = (
        await stub.GetAssignment(
            dispatch_pb2.GetAssignmentRequest(case_id=first.case_id), metadata=OFFICE, timeout=10
        )
    ).assignment
    assert now.state == dispatch_pb2.ASSIGNMENT_STATE_AWAITING_OFFICE
    # The office decides: it dispatches by hand.
    decided = await stub.Dispatch(
        dispatch_pb2.DispatchRequest(
            request_id=rid(),
            case_id=first.case_id,
            expected_version=now.case_version,
            department_code="xingfu_subdistrict",
            assisting_department_codes=["transport"],
            note="村道由街道牵头，交通局协助",
        ),
        metadata=OFFICE,
        timeout=10,
    )
    assert decided.assignment.department_code == "xingfu_subdistrict"
    assert not decided.assignment.automatic


async def test_an_ambiguous_rule_leaves_the_case_to_the_office(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
) -> None:
    case = await open_case(amqp, run, stub, category="shared_amenity", community="C001")
    assert case.state == dispatch_pb2.ASSIGNMENT_STATE_AWAITING_OFFICE


async def test_illegal_or_foreign_actions_are_refused_and_write_nothing(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
    dispatch_db: asyncpg.Pool,
) -> None:
    case = await open_case(amqp, run, stub)
    before = await dispatch_db.fetchval("SELECT count(*) FROM history")
    with pytest.raises(grpc.aio.AioRpcError) as early:
        await stub.Complete(
            dispatch_pb2.CompleteRequest(
                request_id=rid(),
                case_id=case.case_id,
                expected_version=case.case_version,
                result_summary="已完成",
            ),
            metadata=department(case.department_code),
            timeout=10,
        )
    assert early.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.aio.AioRpcError) as foreign:
        await stub.Accept(
            dispatch_pb2.AcceptRequest(
                request_id=rid(), case_id=case.case_id, expected_version=case.case_version
            ),
            metadata=department("health"),
            timeout=10,
        )
    assert foreign.value.code() == grpc.StatusCode.PERMISSION_DENIED
    after = (
        await stub.GetAssignment(
            dispatch_pb2.GetAssignmentRequest(case_id=case.case_id), metadata=OFFICE, timeout=10
        )
    ).assignment
    assert after.case_version == case.case_version
    assert await dispatch_db.fetchval("SELECT count(*) FROM history") == before


async def test_an_extension_is_asked_by_the_department_and_decided_by_the_office(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
    dispatch_db: asyncpg.Pool,
) -> None:
    case = await open_case(amqp, run, stub)
    clerk = department(case.department_code)
    accepted = await accept(stub, case)
    asked = accepted.complete_due_at.ToDatetime(tzinfo=UTC) + timedelta(days=5)
    requested = await stub.RequestExtension(
        dispatch_pb2.RequestExtensionRequest(
            request_id=rid(),
            case_id=case.case_id,
            expected_version=accepted.case_version,
            requested_due_at=stamp(asked),
            reason="管材需从成都调货，到货后三天内完成",
        ),
        metadata=clerk,
        timeout=10,
    )
    assert requested.extension.state == dispatch_pb2.EXTENSION_STATE_PENDING
    assert requested.assignment.pending_extension.extension_id == requested.extension.extension_id

    # Only the office decides: the asking department cannot approve its own request.
    decide = dispatch_pb2.DecideExtensionRequest(
        request_id=rid(),
        case_id=case.case_id,
        expected_version=requested.assignment.case_version,
        extension_id=requested.extension.extension_id,
        approved=True,
        note="同意延期，请按期回复",
    )
    with pytest.raises(grpc.aio.AioRpcError) as own:
        await stub.DecideExtension(decide, metadata=clerk, timeout=10)
    assert own.value.code() == grpc.StatusCode.PERMISSION_DENIED

    decided = await stub.DecideExtension(decide, metadata=OFFICE, timeout=10)
    assert decided.extension.state == dispatch_pb2.EXTENSION_STATE_APPROVED
    assert decided.extension.decided_by.role == "office"
    assert decided.assignment.complete_due_at.ToDatetime(tzinfo=UTC) == asked
    assert not decided.assignment.HasField("pending_extension")

    # A later step of the handling form leaves the decided extension's row as it is.
    written = "SELECT xmin::text FROM extensions WHERE id = $1::uuid"
    before = await dispatch_db.fetchval(written, decided.extension.extension_id)
    await stub.UpdateProgress(
        dispatch_pb2.UpdateProgressRequest(
            request_id=rid(),
            case_id=case.case_id,
            expected_version=decided.assignment.case_version,
            measures_taken="管材已下单",
            progress_percent=20,
        ),
        metadata=clerk,
        timeout=10,
    )
    assert await dispatch_db.fetchval(written, decided.extension.extension_id) == before


async def test_an_assignment_shows_its_latest_handling_entry_wherever_it_is_read(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
) -> None:
    case = await open_case(amqp, run, stub)
    clerk = department(case.department_code)
    version = (await accept(stub, case)).case_version
    for percent, measures in ((40, "已联系施工队"), (80, "管道已更换，待回填")):
        reply = (
            await stub.UpdateProgress(
                dispatch_pb2.UpdateProgressRequest(
                    request_id=rid(),
                    case_id=case.case_id,
                    expected_version=version,
                    measures_taken=measures,
                    progress_percent=percent,
                ),
                metadata=clerk,
                timeout=10,
            )
        ).assignment
        assert (reply.latest_progress.progress_percent, reply.latest_progress.measures_taken) == (
            percent,
            measures,
        )
        version = reply.case_version
    completed = (
        await stub.Complete(
            dispatch_pb2.CompleteRequest(
                request_id=rid(),
                case_id=case.case_id,
                expected_version=version,
                result_summary="管道已更换，路面已恢复",
            ),
            metadata=clerk,
            timeout=10,
        )
    ).assignment

    got = (
        await stub.GetAssignment(
            dispatch_pb2.GetAssignmentRequest(case_id=case.case_id), metadata=OFFICE, timeout=10
        )
    ).assignment
    listed = (
        await stub.ListAssignments(
            dispatch_pb2.ListAssignmentsRequest(case_id=case.case_id), metadata=clerk, timeout=10
        )
    ).assignments
    by_id = (
        await stub.GetAssignment(
            dispatch_pb2.GetAssignmentRequest(assignment_id=got.assignment_id),
            metadata=clerk,
            timeout=10,
        )
    ).assignment
    for seen in (completed, got, listed[0], by_id):
        assert seen.latest_progress.progress_percent == 80
        assert seen.latest_progress.measures_taken == "管道已更换，待回填"
        assert seen.latest_progress.updated_by.subject
    assert got.updated_at.ToDatetime() >= got.accepted_at.ToDatetime()
    # Before acceptance there is no form yet, and the field stays unset.
    assert not case.HasField("latest_progress")


async def test_two_clerks_accepting_at_once_exactly_one_wins(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
) -> None:
    case = await open_case(amqp, run, stub)
    clerk = department(case.department_code)
    results = await asyncio.gather(
        *(
            stub.Accept(
                dispatch_pb2.AcceptRequest(
                    request_id=rid(), case_id=case.case_id, expected_version=case.case_version
                ),
                metadata=clerk,
                timeout=10,
            )
            for _ in range(2)
        ),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, dispatch_pb2.AcceptResponse)]
    losers = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].code() in (grpc.StatusCode.ABORTED, grpc.StatusCode.FAILED_PRECONDITION)


async def test_a_repeated_request_id_answers_the_first_time_and_writes_nothing(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
    dispatch_db: asyncpg.Pool,
) -> None:
    case = await open_case(amqp, run, stub)
    request = dispatch_pb2.AcceptRequest(
        request_id=rid(), case_id=case.case_id, expected_version=case.case_version
    )
    clerk = department(case.department_code)
    first = await stub.Accept(request, metadata=clerk, timeout=10)
    versions = await dispatch_db.fetchval(
        "SELECT count(*) FROM history WHERE aggregate_id = $1", case.case_id
    )
    again = await stub.Accept(request, metadata=clerk, timeout=10)
    assert again == first
    assert (
        await dispatch_db.fetchval(
            "SELECT count(*) FROM history WHERE aggregate_id = $1", case.case_id
        )
        == versions
    )


async def test_a_request_id_is_the_callers_own_another_caller_repeating_it_is_a_new_request(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
) -> None:
    case = await open_case(amqp, run, stub)
    request = dispatch_pb2.AcceptRequest(
        request_id=rid(), case_id=case.case_id, expected_version=case.case_version
    )
    await stub.Accept(request, metadata=department(case.department_code, "clerk-a"), timeout=10)
    # A colleague sending the same request id gets no answer of clerk A's: the request is
    # theirs, and it is too late (the case moved on to the next version).
    with pytest.raises(grpc.aio.AioRpcError) as colleague:
        await stub.Accept(request, metadata=department(case.department_code, "clerk-b"), timeout=10)
    assert colleague.value.code() == grpc.StatusCode.ABORTED


async def test_a_request_id_reused_for_another_request_is_refused(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
) -> None:
    case = await open_case(amqp, run, stub)
    clerk = department(case.department_code)
    accepted = await accept(stub, case)
    key = rid()

    def progress_of(percent: int) -> dispatch_pb2.UpdateProgressRequest:
        return dispatch_pb2.UpdateProgressRequest(
            request_id=key,
            case_id=case.case_id,
            expected_version=accepted.case_version,
            measures_taken="已到现场查看",
            progress_percent=percent,
        )

    await stub.UpdateProgress(progress_of(10), metadata=clerk, timeout=10)
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await stub.UpdateProgress(progress_of(20), metadata=clerk, timeout=10)
    assert reused.value.code() == grpc.StatusCode.ALREADY_EXISTS


async def test_a_repeat_is_answered_only_under_the_role_the_first_request_was_made_in(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
) -> None:
    case = await open_case(amqp, run, stub, category="road_damage", community="C006")
    assert case.department_code == "transport"
    returning = dispatch_pb2.ReturnRequest(
        request_id=rid(),
        case_id=case.case_id,
        expected_version=case.case_version,
        reason_code="outside_jurisdiction",
        reason_text="该路段属于村道，由镇上负责",
    )
    first = await stub.Return(returning, metadata=department("transport"), timeout=10)
    assert first.next.department_code == "coordination_office"

    # Transport no longer leads the case, yet its retry still gets the first answer.
    again = await stub.Return(returning, metadata=department("transport"), timeout=10)
    assert again == first
    # The same token subject under another department's role gets nothing of it.
    with pytest.raises(grpc.aio.AioRpcError) as other_role:
        await stub.Return(returning, metadata=department("health"), timeout=10)
    assert other_role.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # A new request of transport's is refused: the case is the fallback unit's now.
    with pytest.raises(grpc.aio.AioRpcError) as new_request:
        await stub.Accept(
            dispatch_pb2.AcceptRequest(
                request_id=rid(), case_id=case.case_id, expected_version=first.next.case_version
            ),
            metadata=department("transport"),
            timeout=10,
        )
    assert new_request.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_assignments_are_listed_newest_first_a_page_at_a_time(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
) -> None:
    # A community no other test files cases in: the list holds exactly these three.
    opened = [await open_case(amqp, run, stub, community="C042") for _ in range(3)]
    pages = await every_page(
        stub.ListAssignments, dispatch_pb2.ListAssignmentsRequest, 1, community_code="C042"
    )
    assert [[a.case_id for a in page.assignments] for page in pages] == [
        [a.case_id] for a in reversed(opened)
    ]


@pytest.mark.parametrize("token", ["garbage", "bm90IGEgdG9rZW4", "WyJlc2NhbGF0aW9ucyIsIngiLCJ5Il0"])
async def test_a_page_token_dispatch_did_not_issue_is_an_invalid_argument(
    stub: dispatch_pb2_grpc.DispatchServiceStub, token: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ListAssignments(
            dispatch_pb2.ListAssignmentsRequest(page=common_pb2.PageRequest(page_token=token)),
            metadata=OFFICE,
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(refused.value) == ["page.page_token"]


async def test_departments_are_listed_by_code_a_page_at_a_time(
    stub: dispatch_pb2_grpc.DispatchServiceStub,
) -> None:
    everything = await stub.ListDepartments(
        dispatch_pb2.ListDepartmentsRequest(), metadata=OFFICE, timeout=10
    )
    pages = await every_page(stub.ListDepartments, dispatch_pb2.ListDepartmentsRequest, 2)
    codes = [d.code for page in pages for d in page.departments]
    assert len(pages) > 1
    assert codes == sorted(codes) == [d.code for d in everything.departments]


async def test_an_overdue_case_climbs_the_escalation_ladder(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
    clock: MovableClock,
    tap: EventTap,
) -> None:
    case = await open_case(amqp, run, stub, urgency=common_pb2.URGENCY_EMERGENCY)
    dispatched_at = case.dispatched_at.ToDatetime().replace(tzinfo=UTC)
    due = case.accept_due_at.ToDatetime().replace(tzinfo=UTC)
    assert due - dispatched_at == timedelta(minutes=30)  # emergencies: accept within 30 min
    window = due - dispatched_at
    rungs = []
    for moment in (
        due + timedelta(seconds=1),
        due + window / 2 + timedelta(seconds=1),
        due + window + timedelta(seconds=1),
    ):
        clock.set(moment)
        event = events_pb2.CaseEscalated.FromString(
            (await tap.for_subject(case.case_id, "civicloop.case.escalated.v1")).body
        )
        rungs.append((event.rung, event.deadline))
    assert rungs == [("reminder", "accept"), ("notice", "accept"), ("office_supervision", "accept")]
    listed = await stub.ListEscalations(
        dispatch_pb2.ListEscalationsRequest(case_id=case.case_id), metadata=OFFICE, timeout=10
    )
    assert len(listed.escalations) == 3


async def test_a_holiday_in_the_calendar_moves_a_working_day_deadline(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
    clock: MovableClock,
) -> None:
    # Monday 2031-03-03 10:00 in Dujiangyan; the tests' calendar makes Wednesday a holiday.
    monday = datetime(2031, 3, 3, 2, 0, tzinfo=UTC)
    clock.set(monday)
    case = await open_case(amqp, run, stub, urgency=common_pb2.URGENCY_GENERAL)
    accepted = await stub.Accept(
        dispatch_pb2.AcceptRequest(
            request_id=rid(), case_id=case.case_id, expected_version=case.case_version
        ),
        metadata=department(case.department_code),
        timeout=10,
    )
    due = accepted.assignment.complete_due_at.ToDatetime().replace(tzinfo=UTC)
    # Seven working days from Monday skip the weekend and the Wednesday holiday: Thursday
    # of the next week, at the same local time.
    assert due == datetime(2031, 3, 13, 2, 0, tzinfo=UTC)


async def test_a_duty_catalogue_edit_is_audited_and_routes_new_cases(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
    tap: EventTap,
) -> None:
    catalogue = await stub.GetDutyCatalogue(
        dispatch_pb2.GetDutyCatalogueRequest(category_code="noise", community_code="C007"),
        metadata=OFFICE,
        timeout=10,
    )
    assert not catalogue.rules
    changed = await stub.UpdateDutyRule(
        dispatch_pb2.UpdateDutyRuleRequest(
            request_id=rid(),
            rule=dispatch_pb2.DutyRule(
                category_code="noise",
                community_code="C007",
                lead_department_code="public_security",
                assisting_department_codes=["ecology_environment"],
            ),
            expected_version=0,
            reason="C007 的夜间噪声主要来自酒吧，由公安牵头",
        ),
        metadata=grpc_auth("office"),
        timeout=10,
    )
    assert changed.rule.version == 1
    assert changed.change.before.category_code == ""
    assert changed.change.after.lead_department_code == "public_security"
    history = await stub.ListDutyRuleChanges(
        dispatch_pb2.ListDutyRuleChangesRequest(category_code="noise", community_code="C007"),
        metadata=OFFICE,
        timeout=10,
    )
    (entry,) = history.changes
    assert entry.changed_by.subject == "test-user" and entry.changed_by.role == "office"
    assert entry.reason.startswith("C007") and entry.changed_at.seconds > 0
    event = await tap.next()
    while (event.headers or {}).get("ce-type") != "civicloop.duty_catalogue.changed.v1":
        event = await tap.next()
    routed = await open_case(amqp, run, stub, category="noise", community="C007")
    assert routed.department_code == "public_security"
    with pytest.raises(grpc.aio.AioRpcError) as stale:
        await stub.UpdateDutyRule(
            dispatch_pb2.UpdateDutyRuleRequest(
                request_id=rid(),
                rule=dispatch_pb2.DutyRule(
                    category_code="noise",
                    community_code="C007",
                    lead_department_code="ecology_environment",
                ),
                expected_version=0,
                reason="再改",
            ),
            metadata=OFFICE,
            timeout=10,
        )
    assert stale.value.code() == grpc.StatusCode.ABORTED


def command(request_type: Any, **fields: Any) -> Any:
    """Build a bad request against whatever assignment the test has reached."""
    return lambda c: request_type(
        request_id=rid(), case_id=c.case_id, expected_version=c.case_version, **fields
    )


def progress(**fields: Any) -> Any:
    return command(dispatch_pb2.UpdateProgressRequest, **{"measures_taken": "处理中", **fields})


BAD_INPUTS: dict[str, tuple[str, Any, str]] = {
    "unknown department": (
        "Dispatch",
        command(dispatch_pb2.DispatchRequest, department_code="ministry_of_magic", note="试试"),
        "department_code",
    ),
    "unknown reason code": (
        "Return",
        command(dispatch_pb2.ReturnRequest, reason_code="too_busy", reason_text="太忙"),
        "reason_code",
    ),
    "empty return text": (
        "Return",
        command(dispatch_pb2.ReturnRequest, reason_code="not_our_duty", reason_text=" "),
        "reason_text",
    ),
    "no expected version": (
        "Accept",
        lambda c: dispatch_pb2.AcceptRequest(request_id=rid(), case_id=c.case_id),
        "expected_version",
    ),
    "request id too long": (
        "Accept",
        lambda c: dispatch_pb2.AcceptRequest(
            request_id="r" * 129, case_id=c.case_id, expected_version=c.case_version
        ),
        "request_id",
    ),
}
IN_PROGRESS_BAD_INPUTS: dict[str, tuple[str, Any, str]] = {
    "progress above 100": ("UpdateProgress", progress(progress_percent=101), "progress_percent"),
    "progress below 0": ("UpdateProgress", progress(progress_percent=-1), "progress_percent"),
    "progress backwards without a reason": (
        "UpdateProgress",
        progress(measures_taken="返工", progress_percent=10),
        "regression_reason",
    ),
    "completion date in the past": (
        "UpdateProgress",
        progress(
            progress_percent=60, expected_completion_at=stamp(datetime.now(UTC) - timedelta(days=1))
        ),
        "expected_completion_at",
    ),
    "attachment without a hash": (
        "UpdateProgress",
        progress(
            progress_percent=60,
            attachments=[events_pb2.Attachment(url="https://files.example/a.jpg")],
        ),
        "attachments[0].sha256",
    ),
    "empty result summary": (
        "Complete",
        command(dispatch_pb2.CompleteRequest, result_summary=""),
        "result_summary",
    ),
}


async def assert_refused(
    stub: Any, method: str, request: Any, field: str, metadata: Any, dispatch_db: asyncpg.Pool
) -> None:
    before = await dispatch_db.fetchval("SELECT count(*) FROM history")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await getattr(stub, method)(request, metadata=metadata, timeout=10)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, refused.value.details()
    assert field in field_violations(refused.value)
    assert await dispatch_db.fetchval("SELECT count(*) FROM history") == before


ALL_BAD_INPUTS = {
    **{k: (*v, False) for k, v in BAD_INPUTS.items()},
    **{k: (*v, True) for k, v in IN_PROGRESS_BAD_INPUTS.items()},
}


@pytest.mark.parametrize("case", sorted(ALL_BAD_INPUTS), ids=sorted(ALL_BAD_INPUTS))
async def test_a_bad_input_is_refused_naming_the_field(
    case: str,
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
    dispatch_db: asyncpg.Pool,
) -> None:
    method, build, field, while_working = ALL_BAD_INPUTS[case]
    assignment = await open_case(amqp, run, stub)
    clerk = department(assignment.department_code)
    if while_working:  # the handling form exists only once the case is accepted
        assignment = (
            await stub.Accept(
                dispatch_pb2.AcceptRequest(
                    request_id=rid(),
                    case_id=assignment.case_id,
                    expected_version=assignment.case_version,
                ),
                metadata=clerk,
                timeout=10,
            )
        ).assignment
        assignment = (
            await stub.UpdateProgress(
                dispatch_pb2.UpdateProgressRequest(
                    request_id=rid(),
                    case_id=assignment.case_id,
                    expected_version=assignment.case_version,
                    measures_taken="开始处理",
                    progress_percent=50,
                ),
                metadata=clerk,
                timeout=10,
            )
        ).assignment
    who = OFFICE if method == "Dispatch" else clerk
    await assert_refused(stub, method, build(assignment), field, who, dispatch_db)


async def test_killing_dispatch_mid_stream_loses_and_duplicates_nothing(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    dispatch: ServiceProcess,
    dispatch_db: asyncpg.Pool,
    tap: EventTap,
) -> None:
    """Every opened case ends dispatched exactly once. The broker may carry an event twice
    (the relay was killed after the confirm, before marking the row sent): that is the same
    event, with the same id, which consumers apply once. What must never happen is a second,
    different dispatch of a case, or none."""
    count = 150
    case_ids = [str(uuid.uuid4()) for _ in range(count)]
    for case_id in case_ids:
        envelope = case_opened(
            case_id, community_code="C010", category_code="greening", summary="树枝挡住路灯"
        )
        await publish(amqp, run["namespace"], envelope.to_amqp(), envelope.type)
    wanted = set(case_ids)
    event_ids: dict[str, set[str]] = {}
    killed = False
    deadline = asyncio.get_running_loop().time() + 60
    while (set(event_ids) != wanted or not killed) and (
        asyncio.get_running_loop().time() < deadline
    ):
        message = await tap.next(timeout=30)
        headers = message.headers or {}
        if headers.get("ce-type") == "civicloop.case.dispatched.v1" and (
            headers.get("ce-subject") in wanted
        ):
            event_ids.setdefault(str(headers["ce-subject"]), set()).add(str(headers["ce-id"]))
            if len(event_ids) >= count // 4 and not killed:
                dispatch.kill()
                killed = True
                dispatch.start()
                await dispatch.wait_ready()
    assert killed
    assert set(event_ids) == wanted  # nothing lost
    await asyncio.sleep(1.0)  # a second, different dispatch would arrive now
    while (message := await tap.queue.get(no_ack=True, fail=False)) is not None:
        headers = message.headers or {}
        if headers.get("ce-subject") in wanted and (
            headers.get("ce-type") == "civicloop.case.dispatched.v1"
        ):
            event_ids[str(headers["ce-subject"])].add(str(headers["ce-id"]))
    assert all(len(ids) == 1 for ids in event_ids.values()), "a case was dispatched twice"
    rounds = await dispatch_db.fetch(
        "SELECT case_id, count(*) AS n FROM assignments WHERE case_id = ANY($1::uuid[])"
        " GROUP BY case_id",
        case_ids,
    )
    assert len(rounds) == count and all(r["n"] == 1 for r in rounds)


async def test_a_redelivered_case_opened_event_is_routed_once(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
    dispatch_db: asyncpg.Pool,
) -> None:
    case_id = str(uuid.uuid4())
    envelope = case_opened(
        case_id,
        case_version=2,
        community_code="C008",
        category_code="parking",
        summary="小区门口乱停车",
    )
    # The same event, delivered three times.
    await publish(amqp, run["namespace"], envelope.to_amqp(), envelope.type, times=3)
    await wait_for(
        lambda: dispatch_db.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", envelope.id)
    )
    await asyncio.sleep(0.5)  # the duplicates are consumed by now
    assert (
        await dispatch_db.fetchval(
            "SELECT count(*) FROM assignments WHERE case_id = $1::uuid", case_id
        )
        == 1
    )
    # One event of the assignment: one history row (the relay deletes outbox rows once sent).
    assert (
        await dispatch_db.fetchval(
            "SELECT count(*) FROM history WHERE aggregate_id = $1", case_id
        )
        == 1
    )
    got = await stub.GetAssignment(
        dispatch_pb2.GetAssignmentRequest(case_id=case_id), metadata=OFFICE, timeout=10
    )
    assert got.assignment.case_version == 3 and got.assignment.round == 1


async def test_a_reopened_case_goes_back_to_the_same_department_as_a_new_round(
    amqp: aio_pika.abc.AbstractRobustConnection,
    run: dict[str, Any],
    stub: dispatch_pb2_grpc.DispatchServiceStub,
    tap: EventTap,
) -> None:
    case = await open_case(amqp, run, stub)
    clerk = department(case.department_code)
    version = case.case_version
    for call, request in (
        (stub.Accept, dispatch_pb2.AcceptRequest),
        (stub.Complete, dispatch_pb2.CompleteRequest),
    ):
        extra = {"result_summary": "已修复"} if request is dispatch_pb2.CompleteRequest else {}
        version = (
            await call(
                request(request_id=rid(), case_id=case.case_id, expected_version=version, **extra),
                metadata=clerk,
                timeout=10,
            )
        ).assignment.case_version
    # Rating found the petitioner unsatisfied and reopened the case.
    reopened = EventEnvelope.wrap(
        events_pb2.CaseReopened(
            case_id=case.case_id,
            case_version=version + 1,
            department_code=case.department_code,
            reopen_count=1,
            reason="路面修补后又塌陷",
        ),
        source="rating",
        subject=case.case_id,
    )
    await publish(amqp, run["namespace"], reopened.to_amqp(), reopened.type)
    first_round = await tap.for_subject(case.case_id, "civicloop.case.dispatched.v1")
    assert events_pb2.CaseDispatched.FromString(first_round.body).round == 1
    event = events_pb2.CaseDispatched.FromString(
        (await tap.for_subject(case.case_id, "civicloop.case.dispatched.v1")).body
    )
    assert event.department_code == case.department_code
    assert event.round == 2 and event.case_version == version + 2
    now = (
        await stub.GetAssignment(
            dispatch_pb2.GetAssignmentRequest(case_id=case.case_id), metadata=OFFICE, timeout=10
        )
    ).assignment
    assert now.reopen_count == 1 and now.state == dispatch_pb2.ASSIGNMENT_STATE_DISPATCHED
