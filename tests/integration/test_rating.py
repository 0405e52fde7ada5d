"""评单 over real processes: intake, dispatch, rating, the SMS sink, RabbitMQ and PostgreSQL.

A case is filed, consolidated, dispatched and completed for real; rating sends one link per
petition to the sink, from where the tests read them as a petitioner reads an SMS.
"""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import httpx
import pytest
from harness import (
    MovableClock,
    ServiceProcess,
    field_violations,
    grpc_auth,
    new_key,
    petition_body,
    publish,
    random_phone,
    wait_for,
)
from rating_loop import OFFICE, Loop

from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.event_types import type_of
from civicloop.platform.protobuf import timestamp as stamp
from civicloop.rating.domain.rates import month_of
from civicloop.rating.links import LinkTokens
from civicloop.rating.settings import DEV_LINK_KEY
from civicloop.v1 import (
    common_pb2,
    events_pb2,
    intake_pb2,
    rating_pb2,
)

REOPENED = type_of(events_pb2.CaseReopened)
AWAITING_OFFICE = type_of(events_pb2.CaseAwaitingOffice)
RATED = type_of(events_pb2.CaseRated)
CLOSED = type_of(events_pb2.CaseClosed)


async def test_a_merged_case_gets_a_link_per_petitioner_and_closes_when_one_rates_and_one_expires(
    loop: Loop, rating_clock: MovableClock
) -> None:
    phones = [random_phone(), random_phone()]
    case_id = await loop.completed_case(phones)
    first, second = [await loop.link_sent_to(p) for p in phones]
    assert first != second

    view = await loop.rating.GetRatingLink(rating_pb2.GetRatingLinkRequest(token=first), timeout=10)
    assert view.link.case_id == case_id and view.link.summary == "小区门口路灯不亮"
    assert view.link.result_summary == "已更换灯具，路灯恢复照明"
    recorded = await loop.rate(first, 4, "修得很快")
    assert recorded.outcome == rating_pb2.RATING_OUTCOME_RECORDED
    assert recorded.case_state == common_pb2.CASE_STATE_COMPLETED

    rating_clock.set(datetime.now(UTC) + timedelta(days=8))  # the second link expires
    closed = await loop.closed(case_id)
    assert closed.outcome == "rated"  # one satisfied, one expired: never "satisfied" by silence


async def test_two_petitioners_rating_at_the_same_moment_both_count_and_close_the_case_once(
    loop: Loop, rating_db: asyncpg.Pool
) -> None:
    phones = [random_phone(), random_phone()]
    case_id = await loop.completed_case(phones)
    tokens = [await loop.link_sent_to(p) for p in phones]

    answers = await asyncio.gather(*(loop.rate(token, 5, "满意") for token in tokens))

    assert sorted(a.outcome for a in answers) == sorted(
        [rating_pb2.RATING_OUTCOME_RECORDED, rating_pb2.RATING_OUTCOME_CASE_RATED]
    )
    assert (await loop.closed(case_id)).outcome == "rated"
    events = await rating_db.fetch(
        """SELECT event_type FROM history
            WHERE aggregate_type = 'case' AND aggregate_id = $1 AND event_type = ANY($2::text[])""",
        case_id,
        [RATED, CLOSED],
    )
    assert sorted(e["event_type"] for e in events) == sorted([RATED, RATED, CLOSED])
    versions = await rating_db.fetch(
        """SELECT version FROM history
            WHERE aggregate_type = 'case' AND aggregate_id = $1 AND event_type = ANY($2::text[])""",
        case_id,
        [RATED, CLOSED],
    )
    assert len({v["version"] for v in versions}) == len(versions) == 3
    assert await rating_db.fetchval(
        "SELECT count(*) FROM ratings WHERE case_id = $1::uuid", case_id
    ) == 2


async def test_a_round_nobody_rates_closes_as_rating_expired(
    loop: Loop, rating_clock: MovableClock
) -> None:
    phone = random_phone()
    case_id = await loop.completed_case([phone])
    token = await loop.link_sent_to(phone)
    rating_clock.set(datetime.now(UTC) + timedelta(days=8))
    assert (await loop.closed(case_id)).outcome == "rating_expired"
    with pytest.raises(grpc.aio.AioRpcError) as late:
        await loop.rate(token, 5)
    assert late.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_an_unsatisfied_rating_reopens_to_the_same_department_and_asks_again(
    loop: Loop,
) -> None:
    phone = random_phone()
    case_id = await loop.completed_case([phone])
    first_round = await loop.link_sent_to(phone)
    reopened = await loop.rate(first_round, 2, "灯还是一闪一闪的")
    assert reopened.outcome == rating_pb2.RATING_OUTCOME_CASE_REOPENED
    event = events_pb2.CaseReopened.FromString((await loop.tap.for_subject(case_id, REOPENED)).body)
    assert event.reopen_count == 1 and not event.by_office

    completed = await loop.complete_round(case_id)  # dispatch's new round, same department
    assert completed.round == 2 and completed.department_code == event.department_code
    second_round = await loop.link_sent_to(phone)
    old = await loop.rating.GetRatingLink(
        rating_pb2.GetRatingLinkRequest(token=first_round), timeout=10
    )
    assert old.link.state == rating_pb2.RATING_LINK_STATE_USED  # an earlier round's, as it ended
    assert (await loop.rate(second_round, 5)).outcome == rating_pb2.RATING_OUTCOME_CASE_RATED
    assert (await loop.closed(case_id)).outcome == "rated"


async def test_past_the_reopen_limit_the_office_decides(loop: Loop) -> None:
    phone = random_phone()
    case_id = await loop.completed_case([phone])
    for _ in range(2):  # the default limit: two reopens by unsatisfied petitioners
        token = await loop.link_sent_to(phone)
        assert (await loop.rate(token, 1)).outcome == rating_pb2.RATING_OUTCOME_CASE_REOPENED
        await loop.complete_round(case_id)
    answer = await loop.rate(await loop.link_sent_to(phone), 1)
    assert answer.outcome == rating_pb2.RATING_OUTCOME_AWAITING_OFFICE
    waiting = events_pb2.CaseAwaitingOffice.FromString(
        (await loop.tap.for_subject(case_id, AWAITING_OFFICE)).body
    )
    assert waiting.reason == "reopen_limit_reached"

    with pytest.raises(grpc.aio.AioRpcError) as stale:
        await loop.rating.CloseCase(
            rating_pb2.CloseCaseRequest(
                request_id=new_key(), case_id=case_id, expected_version=1, reason="已核实"
            ),
            metadata=OFFICE,
            timeout=10,
        )
    assert stale.value.code() == grpc.StatusCode.ABORTED
    reopen = rating_pb2.ReopenCaseRequest(
        request_id=new_key(),
        case_id=case_id,
        expected_version=waiting.case_version,
        reason="热线回访仍不满意，再派一次",
    )
    decided = await loop.rating.ReopenCase(reopen, metadata=OFFICE, timeout=10)
    assert decided.reopen_count == 3  # past the limit: the office may
    assert await loop.rating.ReopenCase(reopen, metadata=OFFICE, timeout=10) == decided
    completed = await loop.complete_round(case_id)  # dispatch follows the office past its limit
    assert completed.round == 4


async def test_bad_links_and_bad_ratings_are_refused_and_change_nothing(
    loop: Loop, rating_db: asyncpg.Pool
) -> None:
    phones = [random_phone(), random_phone()]
    case_id = await loop.completed_case(phones)
    token, other = [await loop.link_sent_to(p) for p in phones]
    elsewhere = random_phone()
    other_case_id = await loop.completed_case([elsewhere])
    token_of_other_case = await loop.link_sent_to(elsewhere)
    before = await rating_db.fetchval("SELECT count(*) FROM ratings")

    # A client that shows one case and submits another case's token is refused.
    with pytest.raises(grpc.aio.AioRpcError) as not_this_case:
        await loop.rate(token_of_other_case, 4, case_id=case_id)
    assert not_this_case.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert field_violations(not_this_case.value) == ["token"]
    with pytest.raises(grpc.aio.AioRpcError) as not_a_case:
        await loop.rate(token, 4, case_id="case-1")
    assert not_a_case.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(not_a_case.value) == ["case_id"]

    for score in (0, 6):
        with pytest.raises(grpc.aio.AioRpcError) as out_of_range:
            await loop.rate(token, score)
        assert out_of_range.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    forged = other[:-1] + ("A" if other[-1] != "A" else "B")
    for bad in (forged, "x" * 43, "not-a-token", ""):
        with pytest.raises(grpc.aio.AioRpcError) as unknown:
            await loop.rate(bad, 4)
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    assert await rating_db.fetchval("SELECT count(*) FROM ratings") == before

    first = await loop.rate(token, 4, "好")
    assert await loop.rate(token, 4, "好") == first  # the same submission: the first answer
    with pytest.raises(grpc.aio.AioRpcError) as used:
        await loop.rate(token, 1, "改主意了")
    assert used.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert await rating_db.fetchval("SELECT count(*) FROM ratings") == before + 1
    # The other case's link was left untouched and still rates its own case.
    assert (await loop.rate(token_of_other_case, 5, case_id=other_case_id)).rating.score == 5


async def test_a_redelivered_completion_creates_no_second_set_of_links(
    loop: Loop, rating_db: asyncpg.Pool, amqp: Any, run: dict[str, Any]
) -> None:
    phone = random_phone()
    case_id = await loop.completed_case([phone])
    await loop.link_sent_to(phone)
    completed = await rating_db.fetchrow(
        "SELECT version, round FROM cases WHERE case_id = $1::uuid", case_id
    )
    # The same completion again under a new event id (a replay by an operator): the inbox
    # does not know it, the case's version does.
    again = EventEnvelope.wrap(
        events_pb2.CaseCompleted(
            case_id=case_id,
            case_version=completed["version"],
            department_code="urban_management",
            round=completed["round"],
        ),
        source="dispatch",
        subject=case_id,
    )
    await publish(amqp, run["namespace"], again.to_amqp(), again.type, times=2)

    async def absorbed() -> bool:
        applied = await rating_db.fetchval(
            "SELECT count(*) FROM inbox WHERE event_id = $1", again.id
        )
        return bool(applied)

    assert await wait_for(absorbed)
    links = await rating_db.fetchval(
        "SELECT count(*) FROM rating_links WHERE case_id = $1::uuid", case_id
    )
    assert links == 1
    sent = (await loop.sink.get("/messages", params={"to": phone})).json()
    assert len(sent) == 1


async def test_links_cut_off_by_a_sigkill_are_sent_once_each_after_the_restart(
    loop: Loop, rating: ServiceProcess, rating_clock: MovableClock, rating_db: asyncpg.Pool
) -> None:
    phones = [random_phone(), random_phone()]
    # The gateway is down while rating creates the links and tries to send them.
    await loop.sink.post("/faults", json={"fail_next": 1000, "status": 503})
    try:
        case_id = await loop.completed_case(phones)

        async def tried() -> bool:
            attempts = await rating_db.fetchval(
                """SELECT count(DISTINCT a.link_id) FROM sms_attempts a
                     JOIN rating_links l ON l.id = a.link_id WHERE l.case_id = $1::uuid""",
                case_id,
            )
            return bool(attempts == 2)

        assert await wait_for(tried)
        rating.kill()
    finally:
        await loop.sink.post("/faults", json={"fail_next": 0})
    rating.start()
    await rating.wait_ready()
    rating_clock.set(datetime.now(UTC) + timedelta(minutes=6))  # past the resend pause
    for phone in phones:
        await loop.link_sent_to(phone)
    for phone in phones:
        received = (await loop.sink.get("/messages", params={"to": phone})).json()
        assert len(received) == 1
    sent = await rating_db.fetch(
        "SELECT delivery FROM rating_links WHERE case_id = $1::uuid", case_id
    )
    assert [r["delivery"] for r in sent] == ["sent", "sent"]


async def test_no_phone_name_or_token_reaches_ratings_store_events_logs_or_spans(
    loop: Loop, rating: ServiceProcess, rating_db: asyncpg.Pool, run: dict[str, Any]
) -> None:
    phone, name = random_phone(), "欧阳娜娜"
    filed = await loop.http.post(
        "/v1/petitions",
        json=petition_body(
            community_code="C008",
            petitioner_phone=phone,
            petitioner_name=name,
            description="门口的垃圾桶满了没人清运",
        ),
    )
    case_id = filed.json()["case"]["case_id"]
    await loop.intake.ConsolidateCase(
        intake_pb2.ConsolidateCaseRequest(
            petition_ids=[filed.json()["petition"]["petition_id"]],
            list=common_pb2.CASE_LIST_PRACTICAL_MATTERS,
            urgency=common_pb2.URGENCY_GENERAL,
            summary="垃圾桶满了",
        ),
        metadata=OFFICE,
        timeout=10,
    )
    published: list[bytes] = []
    await loop.complete_round(case_id)
    token = await loop.link_sent_to(phone)
    await loop.rate(token, 2, f"有事打我电话{phone}")  # even typed into the comment
    await loop.tap.for_subject(case_id, REOPENED)
    while True:  # what else rating published meanwhile
        try:
            published.append((await loop.tap.next(timeout=0.5)).body)
        except TimeoutError:
            break

    secrets = [phone, name, token]
    tables = await rating_db.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    for table in tables:
        rows = await rating_db.fetch(f'SELECT row_to_json(t)::text AS row FROM "{table[0]}" t')
        for row in rows:
            assert not any(s in row["row"] for s in secrets), table[0]
    spans = Path(run["dir"]) / "traces" / "rating.spans.jsonl"
    for text in (rating.log_path.read_text(), spans.read_text() if spans.exists() else ""):
        assert not any(s in text for s in secrets)
    for body in published:
        assert not any(s.encode() in body for s in secrets)


async def test_the_three_rates_match_a_seeded_set_counted_by_hand(
    loop: Loop,
    rating: ServiceProcess,
    rating_db: asyncpg.Pool,
    rating_clock: MovableClock,
    amqp: Any,
    run: dict[str, Any],
) -> None:
    """Five completed cases of one department, told to rating as dispatch would:

    case  completed vs deadline   rating            closed as
    A     on time                 5 (satisfied)     rated
    B     late                    2 (unsatisfied)   - (reopened)
    C     no deadline: on time    none, expires     rating_expired
    D     late                    3 (satisfied)     rated
    E     on time                 none              office_decision (unresolved)

    satisfaction 2/3, on-time 3/5, resolution 3/4.
    """
    department = f"rates_{new_key()[:8]}"
    start = datetime.now(UTC) - timedelta(days=3)
    due = start + timedelta(days=1)
    completions = {
        "A": start + timedelta(hours=12),
        "B": start + timedelta(days=2),
        "C": start + timedelta(hours=1),
        "D": start + timedelta(days=2),
        "E": start + timedelta(hours=2),
    }
    tokens = LinkTokens(base64.b64decode(DEV_LINK_KEY))  # the test knows the dev key
    cases = {}
    for label, completed_at in completions.items():
        case_id = new_key()
        cases[label] = case_id
        events: list[Any] = [
            events_pb2.CaseOpened(
                case_id=case_id,
                case_version=3,
                petition_ids=[new_key()],
                community_code="C050",
                category_code="streetlight",
                summary=f"路灯不亮 {label}",
            ),
            events_pb2.CaseCompleted(
                case_id=case_id,
                case_version=6,
                department_code=department,
                round=1,
                result_summary="已修复",
                completed_at=stamp(completed_at),
            ),
        ]
        if label != "C":
            events.insert(
                1,
                events_pb2.CaseAccepted(
                    case_id=case_id,
                    case_version=5,
                    department_code=department,
                    complete_due_at=stamp(due),
                ),
            )
        for event in events:
            envelope = EventEnvelope.wrap(event, source="dispatch", subject=case_id)
            await publish(amqp, run["namespace"], envelope.to_amqp(), envelope.type)

    async def linked() -> bool:
        count = await rating_db.fetchval(
            "SELECT count(*) FROM rating_links WHERE case_id = ANY($1::uuid[])",
            list(cases.values()),
        )
        return bool(count == 5)

    assert await wait_for(linked)

    async def token_of(label: str) -> str:
        link_id = await rating_db.fetchval(
            "SELECT id::text FROM rating_links WHERE case_id = $1::uuid", cases[label]
        )
        return tokens.token_for(link_id)

    for label, score in (("A", 5), ("B", 2), ("D", 3)):
        await loop.rate(await token_of(label), score)
    await loop.rating.CloseCase(
        rating_pb2.CloseCaseRequest(
            request_id=new_key(), case_id=cases["E"], expected_version=6, reason="市民已撤诉"
        ),
        metadata=OFFICE,
        timeout=10,
    )
    rating_clock.set(datetime.now(UTC) + timedelta(days=8))  # C's link expires
    await loop.closed(cases["C"])

    months = {
        "from_month": month_of(start - timedelta(days=40)),
        "to_month": month_of(datetime.now(UTC) + timedelta(days=40)),
    }
    answer = await loop.rating.GetRates(
        rating_pb2.GetRatesRequest(
            group_by=[rating_pb2.RATE_GROUPING_DEPARTMENT], department_code=department, **months
        ),
        metadata=OFFICE,
        timeout=10,
    )
    (row,) = answer.rows
    counted = (
        row.rated_count,
        row.satisfied_count,
        row.completed_count,
        row.on_time_count,
        row.closed_count,
        row.resolved_count,
    )
    assert counted == (3, 2, 5, 3, 4, 3)
    assert (row.satisfaction_rate, row.on_time_rate, row.resolution_rate) == pytest.approx(
        (2 / 3, 3 / 5, 3 / 4)
    )
    by_month = await loop.rating.GetRates(
        rating_pb2.GetRatesRequest(
            group_by=[rating_pb2.RATE_GROUPING_MONTH], department_code=department, **months
        ),
        metadata=OFFICE,
        timeout=10,
    )
    assert sum(r.completed_count for r in by_month.rows) == 5
    by_community = await loop.rating.GetRates(
        rating_pb2.GetRatesRequest(
            group_by=[rating_pb2.RATE_GROUPING_COMMUNITY], department_code=department, **months
        ),
        metadata=OFFICE,
        timeout=10,
    )
    assert [(r.community_code, r.closed_count) for r in by_community.rows] == [("C050", 4)]
    # A department reads its own figures, not another's.
    clerk = grpc_auth(f"department:{department}")
    own = await loop.rating.GetRates(
        rating_pb2.GetRatesRequest(group_by=[rating_pb2.RATE_GROUPING_DEPARTMENT], **months),
        metadata=clerk,
        timeout=10,
    )
    assert [r.department_code for r in own.rows] == [department]
    with pytest.raises(grpc.aio.AioRpcError) as other:
        await loop.rating.GetRates(
            rating_pb2.GetRatesRequest(department_code="water_affairs", **months),
            metadata=clerk,
            timeout=10,
        )
    assert other.value.code() == grpc.StatusCode.PERMISSION_DENIED
    async with httpx.AsyncClient(base_url=rating.http_url, timeout=10) as public:
        body = (
            await public.get(
                "/v1/rates",
                params={"group_by": "department", "department_code": department, **months},
            )
        ).json()
    assert body["rows"][0]["satisfaction_rate"] == round(2 / 3, 4)
    assert body["rows"][0]["resolution_rate"] == 0.75
    assert "satisfaction_rate" in body["definitions"]
