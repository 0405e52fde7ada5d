"""The public case folded from its steps: the same whatever order they came in, nothing
personal kept, the location coarsened."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from civicloop.platform.domain import CaseList
from civicloop.publication.domain.board import (
    BoardList,
    PublicState,
    StepKind,
    coarse,
    fold,
    step,
    timeline,
)
from civicloop.publication.steps import steps_of
from civicloop.v1 import common_pb2, events_pb2

CASE = "5b0c2a1e-0000-4000-8000-000000000001"
T0 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def a_loop() -> list:
    return [
        step(
            CASE,
            1,
            StepKind.SUBMITTED,
            at(0),
            category_code="streetlight",
            community_code="C001",
            latitude=30.997,
            longitude=103.623,
        ),
        step(
            CASE,
            2,
            StepKind.OPENED,
            at(5),
            text="小区门口路灯不亮",
            category_code="streetlight",
            community_code="C001",
            list="urgent_needs",
            petition_count=2,
        ),
        step(CASE, 3, StepKind.DISPATCHED, at(6), department_code="urban_management"),
        step(CASE, 4, StepKind.ACCEPTED, at(30), department_code="urban_management"),
        step(
            CASE,
            5,
            StepKind.PROGRESS,
            at(60),
            department_code="urban_management",
            text="已派人检修",
            percent=50,
        ),
        step(
            CASE,
            6,
            StepKind.COMPLETED,
            at(120),
            department_code="urban_management",
            text="已更换灯具",
        ),
        step(CASE, 7, StepKind.RATED, at(200), score=4, satisfied=True),
        step(CASE, 8, StepKind.CLOSED, at(201), outcome="rated"),
    ]


def test_a_case_folds_to_the_same_board_entry_whatever_order_its_events_came_in() -> None:
    steps = a_loop()
    expected = fold(CASE, steps)
    for order in itertools.islice(itertools.permutations(steps), 0, 5000, 97):
        assert fold(CASE, order) == expected
    assert fold(CASE, list(reversed(steps))) == expected
    assert expected.state is PublicState.CLOSED
    assert expected.department_code == "urban_management"
    assert expected.result_summary == "已更换灯具"
    assert expected.average_score == 4.0 and expected.rating_count == 1
    assert expected.board_lists(frozenset({"tourism"})) == [BoardList.URGENT_NEEDS]


def test_the_timeline_lists_each_public_step_once_in_version_order() -> None:
    kinds = [s.kind for s in timeline(reversed(a_loop()))]
    assert kinds == [
        StepKind.OPENED,
        StepKind.DISPATCHED,
        StepKind.ACCEPTED,
        StepKind.PROGRESS,
        StepKind.COMPLETED,
        StepKind.RATED,
        StepKind.CLOSED,
    ]


def test_a_case_only_submitted_or_merged_away_is_not_public() -> None:
    submitted = fold(CASE, a_loop()[:1])
    assert not submitted.public
    merged = fold(CASE, [a_loop()[0], step(CASE, 2, StepKind.MERGED, at(3), into="other")])
    assert not merged.public and merged.merged_into == "other"


def test_a_tourism_case_is_also_on_the_homestay_opportunities_list() -> None:
    steps = [
        step(
            CASE,
            2,
            StepKind.OPENED,
            at(5),
            text="民宿门前道路需要指示牌",
            category_code="tourism",
            community_code="C002",
            list="practical_matters",
            petition_count=1,
        )
    ]
    case = fold(CASE, steps)
    assert case.case_list is CaseList.PRACTICAL_MATTERS
    assert case.board_lists(frozenset({"tourism"})) == [
        BoardList.PRACTICAL_MATTERS,
        BoardList.HOMESTAY_OPPORTUNITIES,
    ]


def test_phone_and_id_numbers_in_any_text_are_masked_when_the_step_is_made() -> None:
    made = step(CASE, 2, StepKind.OPENED, at(0), text="联系13912345678，身份证510181199001011234")
    assert "13912345678" not in made.text and "510181199001011234" not in made.text
    assert "139****5678" in made.text


def test_the_petitioners_own_words_never_become_a_step() -> None:
    submitted = events_pb2.PetitionSubmitted(
        petition_id="p",
        case_id=CASE,
        case_version=1,
        community_code="C001",
        category_code="streetlight",
        description="我叫王小明，电话13912345678",
        location=common_pb2.GeoPoint(latitude=30.99681234, longitude=103.62251234),
    )
    submitted.submitted_at.FromDatetime(T0)
    rated = events_pb2.CaseRated(case_id=CASE, case_version=7, score=2, comment="王小明不满意")
    rated.rated_at.FromDatetime(T0)
    for payload in (submitted, rated):
        for made in steps_of(payload):
            assert "王小明" not in made.text and "王小明" not in str(made.facts)
    (kept,) = steps_of(submitted)
    assert kept.facts["latitude"] == coarse(30.99681234) == 30.997
    assert kept.facts["longitude"] == 103.623
