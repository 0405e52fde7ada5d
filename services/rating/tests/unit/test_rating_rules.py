"""评单's rules, as the contract states them, on the pure domain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicloop.platform.domain import Actor
from civicloop.platform.errors import FailedPrecondition, IllegalTransition, InvalidArgument
from civicloop.rating.domain.model import (
    CaseAwaitingOffice,
    CaseClosed,
    CaseRated,
    CaseReopened,
    CaseState,
    ClosedAs,
    LinkState,
    Outcome,
    RatedCase,
    RatingExpired,
    RatingRequested,
)

T0 = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
WEEK = timedelta(days=7)
OFFICE = Actor("office:li", "office")
LIMIT = 2


def completed_case(*petitions: str, version: int = 8) -> RatedCase:
    case = RatedCase("case-1", version=3, community_code="C001", summary="路灯不亮")
    assert case.completed(version, "urban_management", 1, "已更换灯具", T0)
    case.request_links(list(petitions or ("p1",)), T0, T0 + WEEK)
    return case


def link_of(case: RatedCase, petition_id: str) -> str:
    return next(x.id for x in case.links if x.petition_id == petition_id)


def kinds(case: RatedCase) -> list[type]:
    return [type(e) for e in case.pop_events()]


def test_each_petitioner_of_a_merged_case_gets_one_link_without_moving_the_case() -> None:
    case = completed_case("p1", "p2")
    assert [x.petition_id for x in case.links] == ["p1", "p2"]
    assert kinds(case) == [RatingRequested, RatingRequested]
    assert case.version == 8


def test_asking_again_for_a_round_that_has_links_creates_none() -> None:
    case = completed_case("p1", "p2")
    case.pop_events()
    again = case.request_links(["p1", "p2"], T0, T0 + WEEK)
    assert len(again) == 2 and case.pop_events() == []


def test_only_a_completed_case_is_rated() -> None:
    case = RatedCase("case-1", version=3)
    with pytest.raises(IllegalTransition):
        case.request_links(["p1"], T0, T0 + WEEK)


def test_a_satisfied_rating_of_the_last_link_closes_the_case_as_rated() -> None:
    case = completed_case("p1")
    case.pop_events()
    rating, outcome = case.rate(link_of(case, "p1"), 4, "很满意", T0 + timedelta(hours=1), LIMIT)
    assert outcome is Outcome.CASE_RATED and rating.satisfied
    assert case.state is CaseState.CLOSED and case.closed_as is ClosedAs.RATED
    assert kinds(case) == [CaseRated, CaseClosed] and case.version == 10


def test_a_satisfied_rating_with_links_pending_is_recorded_only() -> None:
    case = completed_case("p1", "p2")
    _, outcome = case.rate(link_of(case, "p1"), 3, "", T0, LIMIT)
    assert outcome is Outcome.RECORDED and case.state is CaseState.COMPLETED


def test_one_satisfied_and_one_expired_link_close_the_case_as_rated() -> None:
    case = completed_case("p1", "p2")
    case.rate(link_of(case, "p1"), 5, "", T0, LIMIT)
    case.pop_events()
    expired = case.expire_links(T0 + WEEK)
    assert [x.petition_id for x in expired] == ["p2"]
    assert case.closed_as is ClosedAs.RATED
    assert kinds(case) == [RatingExpired, CaseClosed]


def test_a_round_nobody_answered_closes_as_rating_expired_never_satisfied() -> None:
    case = completed_case("p1", "p2")
    assert case.expire_links(T0 + WEEK - timedelta(seconds=1)) == []
    case.expire_links(T0 + WEEK)
    assert case.state is CaseState.CLOSED and case.closed_as is ClosedAs.RATING_EXPIRED


def test_the_first_unsatisfied_rating_reopens_to_the_same_department_withdrawing_the_rest() -> None:
    case = completed_case("p1", "p2")
    case.pop_events()
    _, outcome = case.rate(link_of(case, "p1"), 2, "灯还是不亮", T0, LIMIT)
    assert outcome is Outcome.CASE_REOPENED and case.state is CaseState.HANDLING
    events = case.pop_events()
    assert [type(e) for e in events] == [CaseRated, CaseReopened]
    reopened = events[1]
    assert isinstance(reopened, CaseReopened)
    assert reopened.department_code == "urban_management" and reopened.reopen_count == 1
    assert case.links[1].state is LinkState.WITHDRAWN


def test_past_the_reopen_limit_an_unsatisfied_rating_goes_to_the_office() -> None:
    case = completed_case("p1")
    case.reopen_count = LIMIT
    _, outcome = case.rate(link_of(case, "p1"), 1, "", T0, LIMIT)
    assert outcome is Outcome.AWAITING_OFFICE and case.state is CaseState.AWAITING_OFFICE
    assert kinds(case)[-1] is CaseAwaitingOffice
    case.reopen_by_office("热线投诉，再派一次", OFFICE, T0)
    assert case.state is CaseState.HANDLING and case.reopen_count == LIMIT + 1


def test_the_office_closes_a_case_awaiting_it_and_that_counts_as_unresolved() -> None:
    case = completed_case("p1")
    case.reopen_count = LIMIT
    case.rate(link_of(case, "p1"), 1, "", T0, LIMIT)
    case.close_by_office(OFFICE, T0)
    assert case.closed_as is ClosedAs.OFFICE_DECISION


def test_the_office_cannot_decide_a_case_still_being_handled() -> None:
    case = RatedCase("case-1", version=3)
    with pytest.raises(IllegalTransition):
        case.close_by_office(OFFICE, T0)


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_out_of_range_is_refused_and_changes_nothing(score: int) -> None:
    case = completed_case("p1")
    case.pop_events()
    with pytest.raises(InvalidArgument, match="score"):
        case.rate(link_of(case, "p1"), score, "", T0, LIMIT)
    assert case.links[0].state is LinkState.PENDING and case.pop_events() == []


def test_a_link_is_used_once() -> None:
    case = completed_case("p1", "p2")
    link = link_of(case, "p1")
    case.rate(link, 4, "", T0, LIMIT)
    with pytest.raises(FailedPrecondition, match="used"):
        case.rate(link, 4, "", T0, LIMIT)


def test_an_expired_link_cannot_rate_even_before_the_scan_marks_it() -> None:
    case = completed_case("p1")
    with pytest.raises(FailedPrecondition, match="expired"):
        case.rate(link_of(case, "p1"), 4, "", T0 + WEEK, LIMIT)


def test_a_stale_report_from_dispatch_changes_nothing() -> None:
    case = completed_case("p1", version=8)
    assert not case.completed(7, "water", 2, "", T0)
    assert case.department_code == "urban_management"


def test_on_time_is_by_the_deadline_in_force() -> None:
    case = completed_case("p1")
    case.complete_due_at = T0
    assert case.completed_on_time
    case.complete_due_at = T0 - timedelta(minutes=1)
    assert not case.completed_on_time
