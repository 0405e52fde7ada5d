"""The case state machine while intake owns it (domain/model.py), checked without any I/O."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from civicloop.intake.domain.model import (
    Actor,
    Case,
    CaseList,
    CaseOpened,
    CaseState,
    Channel,
    Location,
    Petition,
    PetitionResolvedOnSite,
    PetitionsMerged,
    PetitionSplit,
    PetitionSubmitted,
    Urgency,
)
from civicloop.platform.errors import (
    FailedPrecondition,
    IllegalTransition,
    InvalidArgument,
    VersionConflict,
)

T0 = datetime(2025, 3, 5, 9, 30, tzinfo=UTC)
LATER = T0 + timedelta(hours=2)
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
WORKER = Actor(subject="worker:0042", role="worker")
OFFICE = Actor(subject="office:0007", role="office")


def petition(n: int, *, community: str = "C001", category: str = "streetlight") -> Petition:
    return Petition(
        id=f"pet-{n}",
        case_id=f"case-{n}",
        channel=Channel.WEB,
        community_code=community,
        category_code=category,
        location=Location(30.6574, 104.0658 + n * 0.0001),
        description=f"小区门口路灯不亮 ({n})",
        submitted_at=T0 + timedelta(minutes=n),
        submitted_by=Actor(subject=f"resident:{n}", role="resident"),
    )


def new_case(n: int, **kwargs: str) -> Case:
    return Case.for_new_petition(petition(n, **kwargs), TRACEPARENT)


def snapshot(case: Case) -> dict[str, object]:
    """Every field of the case, the recorded events included, for 'nothing changed' checks."""
    return copy.deepcopy(vars(case))


def consolidated(*numbers: int) -> Case:
    """A submitted case that has absorbed the cases of the other petitions."""
    keep, *others = (new_case(n) for n in numbers)
    keep.absorb(others, OFFICE, T0)
    keep.events.clear()
    return keep


# ---- a new petition starts a case of its own ----


def test_a_new_petition_starts_a_submitted_case_at_version_1() -> None:
    p = petition(1)
    case = Case.for_new_petition(p, TRACEPARENT)

    assert case.id == p.case_id
    assert case.state is CaseState.SUBMITTED
    assert case.version == 1
    assert case.petition_ids == [p.id]
    assert (case.community_code, case.category_code) == ("C001", "streetlight")
    assert case.location == p.location
    assert case.created_at == case.updated_at == p.submitted_at
    assert case.traceparent == TRACEPARENT


def test_a_new_case_records_exactly_one_petition_submitted_event() -> None:
    p = petition(1)
    case = Case.for_new_petition(p, TRACEPARENT)

    assert case.events == [PetitionSubmitted(p, 1)]


# ---- 现场办结: resolving on the spot ----


def test_a_submitted_single_petition_case_can_be_resolved_on_site() -> None:
    case = new_case(1)
    case.events.clear()

    case.resolve_on_site("换了灯泡，已恢复照明", WORKER, LATER)

    assert case.state is CaseState.RESOLVED_ON_SITE
    assert case.version == 2
    assert case.updated_at == LATER
    assert case.events == [
        PetitionResolvedOnSite("pet-1", 2, "换了灯泡，已恢复照明", WORKER, LATER)
    ]


def test_a_case_with_two_petitions_cannot_be_resolved_on_site() -> None:
    case = consolidated(1, 2)
    before = snapshot(case)

    with pytest.raises(FailedPrecondition, match="single-petition"):
        case.resolve_on_site("换了灯泡", WORKER, LATER)

    assert snapshot(case) == before


@pytest.mark.parametrize("note", ["", "   ", "\n\t"])
def test_resolving_on_site_requires_a_note_of_what_was_done(note: str) -> None:
    case = new_case(1)
    before = snapshot(case)

    with pytest.raises(InvalidArgument) as refused:
        case.resolve_on_site(note, WORKER, LATER)

    assert [v.field for v in refused.value.violations] == ["note"]
    assert snapshot(case) == before


def test_an_open_case_cannot_be_resolved_on_site() -> None:
    case = new_case(1)
    case.open(CaseList.URGENT_NEEDS, Urgency.UTILITIES, "", "路灯不亮", OFFICE, T0)
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        case.resolve_on_site("换了灯泡", WORKER, LATER)

    assert snapshot(case) == before


def test_a_case_already_resolved_on_site_cannot_be_resolved_again() -> None:
    case = new_case(1)
    case.resolve_on_site("换了灯泡", WORKER, T0)
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        case.resolve_on_site("又换了一次", WORKER, LATER)

    assert snapshot(case) == before


def test_an_illegal_transition_is_a_failed_precondition_for_callers() -> None:
    # Callers map FailedPrecondition to gRPC FAILED_PRECONDITION / HTTP 409.
    assert issubclass(IllegalTransition, FailedPrecondition)


# ---- 统单: consolidation ----


def test_absorbing_cases_moves_their_petitions_and_leaves_them_merged() -> None:
    keep, second, third = new_case(1), new_case(2), new_case(3)
    keep.events.clear()

    keep.absorb([second, third], OFFICE, LATER)

    assert keep.petition_ids == ["pet-1", "pet-2", "pet-3"]
    assert keep.state is CaseState.SUBMITTED
    assert keep.version == 2
    assert keep.updated_at == LATER
    for other in (second, third):
        assert other.state is CaseState.MERGED
        assert other.merged_into == keep.id
        assert other.petition_ids == []
        assert other.version == 2
        assert other.updated_at == LATER


def test_absorbing_records_one_petitions_merged_event_on_the_absorbing_case() -> None:
    keep, second, third = new_case(1), new_case(2), new_case(3)
    keep.events.clear()
    second.events.clear()
    third.events.clear()

    keep.absorb([second, third], OFFICE, LATER)

    assert keep.events == [
        PetitionsMerged(2, ("pet-2", "pet-3"), ("case-2", "case-3"), OFFICE, LATER)
    ]
    assert second.events == [] and third.events == []


def test_an_opened_case_absorbs_nothing_more_since_dispatch_owns_it_now() -> None:
    keep = new_case(1)
    keep.open(CaseList.URGENT_NEEDS, Urgency.UTILITIES, "", "路灯不亮", OFFICE, T0)
    late = new_case(2)
    before = (snapshot(keep), snapshot(late))

    with pytest.raises(IllegalTransition):
        keep.absorb([late], OFFICE, LATER)

    assert (snapshot(keep), snapshot(late)) == before


def test_absorbing_only_itself_changes_nothing_and_records_nothing() -> None:
    keep = new_case(1)
    keep.events.clear()
    before = snapshot(keep)

    keep.absorb([keep], OFFICE, LATER)

    assert snapshot(keep) == before


@pytest.mark.parametrize(
    "state",
    [
        CaseState.DISPATCHED,
        CaseState.IN_PROGRESS,
        CaseState.COMPLETED,
        CaseState.CLOSED,
        CaseState.RESOLVED_ON_SITE,
        CaseState.MERGED,
    ],
)
def test_a_case_beyond_open_cannot_be_merged_into_another(state: CaseState) -> None:
    keep, gone = new_case(1), new_case(2)
    gone.state = state
    before_keep, before_gone = snapshot(keep), snapshot(gone)

    with pytest.raises(IllegalTransition):
        keep.absorb([gone], OFFICE, LATER)

    assert snapshot(keep) == before_keep
    assert snapshot(gone) == before_gone


@pytest.mark.parametrize(
    "state", [CaseState.DISPATCHED, CaseState.RESOLVED_ON_SITE, CaseState.MERGED]
)
def test_a_case_beyond_open_cannot_absorb_others(state: CaseState) -> None:
    keep, other = new_case(1), new_case(2)
    keep.state = state
    before_keep, before_other = snapshot(keep), snapshot(other)

    with pytest.raises(IllegalTransition):
        keep.absorb([other], OFFICE, LATER)

    assert snapshot(keep) == before_keep
    assert snapshot(other) == before_other


def test_a_refused_consolidation_changes_none_of_the_cases() -> None:
    keep, fine, dispatched = new_case(1), new_case(2), new_case(3)
    dispatched.state = CaseState.DISPATCHED
    before = [snapshot(c) for c in (keep, fine, dispatched)]

    with pytest.raises(IllegalTransition):
        keep.absorb([fine, dispatched], OFFICE, LATER)

    assert [snapshot(c) for c in (keep, fine, dispatched)] == before


# ---- opening a case for dispatch ----


def test_opening_a_submitted_case_sets_its_list_urgency_and_summary() -> None:
    case = new_case(1)
    case.events.clear()

    case.open(
        CaseList.PRACTICAL_MATTERS, Urgency.GENERAL, "road_damage", "人行道地砖翘起", OFFICE, LATER
    )

    assert case.state is CaseState.OPEN
    assert case.version == 2
    assert (case.case_list, case.urgency) == (CaseList.PRACTICAL_MATTERS, Urgency.GENERAL)
    assert case.category_code == "road_damage"
    assert case.summary == "人行道地砖翘起"
    assert case.events == [CaseOpened(2, OFFICE, LATER)]


def test_opening_without_a_category_keeps_the_petitions_category() -> None:
    case = new_case(1)

    case.open(CaseList.URGENT_NEEDS, Urgency.UTILITIES, "", "路灯不亮", OFFICE, LATER)

    assert case.category_code == "streetlight"


@pytest.mark.parametrize(
    "state", [CaseState.OPEN, CaseState.RESOLVED_ON_SITE, CaseState.MERGED, CaseState.DISPATCHED]
)
def test_only_a_submitted_case_can_be_opened(state: CaseState) -> None:
    case = new_case(1)
    case.state = state
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        case.open(CaseList.URGENT_NEEDS, Urgency.UTILITIES, "", "路灯不亮", OFFICE, LATER)

    assert snapshot(case) == before


# ---- splitting a wrongly merged petition back out ----


def test_a_wrongly_merged_petition_is_split_into_a_new_submitted_case() -> None:
    case = consolidated(1, 2)
    wrong = petition(2, category="noise")
    wrong.case_id = case.id

    new = case.split_out(wrong, "不是同一个问题", OFFICE, LATER)

    assert case.petition_ids == ["pet-1"]
    assert case.version == 3
    assert case.events == [PetitionSplit("pet-2", 3, new.id, "不是同一个问题", OFFICE, LATER)]
    assert new.id not in (case.id, "case-2")
    assert new.state is CaseState.SUBMITTED
    assert new.version == 1
    assert new.petition_ids == ["pet-2"]
    assert (new.community_code, new.category_code) == ("C001", "noise")
    assert new.location == wrong.location
    assert new.created_at == new.updated_at == LATER
    assert wrong.case_id == new.id


def test_a_cases_only_petition_cannot_be_split_out() -> None:
    case = new_case(1)
    only = petition(1)
    before = snapshot(case)

    with pytest.raises(FailedPrecondition, match="only petition"):
        case.split_out(only, "不是同一个问题", OFFICE, LATER)

    assert snapshot(case) == before
    assert only.case_id == case.id


def test_a_petition_of_another_case_cannot_be_split_out() -> None:
    case = consolidated(1, 2)
    stranger = petition(9)
    before = snapshot(case)

    with pytest.raises(FailedPrecondition):
        case.split_out(stranger, "不是同一个问题", OFFICE, LATER)

    assert snapshot(case) == before
    assert stranger.case_id == "case-9"


def test_a_dispatched_case_cannot_split_out_a_petition() -> None:
    case = consolidated(1, 2)
    case.state = CaseState.DISPATCHED
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        case.split_out(petition(2), "不是同一个问题", OFFICE, LATER)

    assert snapshot(case) == before


# ---- optimistic concurrency ----


def test_the_current_version_passes_the_version_check() -> None:
    case = new_case(1)
    case.check_version(1)


@pytest.mark.parametrize("expected", [-1, 0])
def test_a_change_must_name_the_version_it_saw(expected: int) -> None:
    case = new_case(1)
    case.resolve_on_site("换了灯泡", WORKER, LATER)

    with pytest.raises(InvalidArgument, match="expected_version"):
        case.check_version(expected)


@pytest.mark.parametrize("expected", [1, 3])
def test_a_stale_or_future_expected_version_is_a_conflict(expected: int) -> None:
    case = new_case(1)
    case.resolve_on_site("换了灯泡", WORKER, LATER)

    with pytest.raises(VersionConflict, match="version 2"):
        case.check_version(expected)


# ---- the projection of later states owned by other services ----


def test_a_newer_reported_state_is_applied_with_its_department() -> None:
    case = consolidated(1, 2)
    case.open(CaseList.URGENT_NEEDS, Urgency.UTILITIES, "", "路灯不亮", OFFICE, LATER)

    applied = case.apply_reported_state(CaseState.DISPATCHED, 4, "urban_management")

    assert applied is True
    assert case.state is CaseState.DISPATCHED
    assert case.version == 4
    assert case.department_code == "urban_management"


def test_a_report_without_a_department_keeps_the_known_department() -> None:
    case = new_case(1)
    case.apply_reported_state(CaseState.DISPATCHED, 3, "urban_management")

    case.apply_reported_state(CaseState.IN_PROGRESS, 4, None)

    assert (case.state, case.version) == (CaseState.IN_PROGRESS, 4)
    assert case.department_code == "urban_management"


@pytest.mark.parametrize("version", [5, 4, 1])
def test_a_stale_or_repeated_report_is_ignored(version: int) -> None:
    case = new_case(1)
    case.apply_reported_state(CaseState.IN_PROGRESS, 5, "urban_management")
    before = snapshot(case)

    applied = case.apply_reported_state(CaseState.DISPATCHED, version, "sanitation")

    assert applied is False
    assert snapshot(case) == before


def test_reports_arriving_out_of_order_end_in_the_latest_state() -> None:
    case = new_case(1)

    results = [
        case.apply_reported_state(CaseState.COMPLETED, 6, None),
        case.apply_reported_state(CaseState.DISPATCHED, 3, "urban_management"),
        case.apply_reported_state(CaseState.IN_PROGRESS, 4, None),
    ]

    assert results == [True, False, False]
    assert (case.state, case.version, case.department_code) == (CaseState.COMPLETED, 6, "")


# ---- the petitioners' contacts go out only while a rating is awaited ----


@pytest.mark.parametrize("state", [CaseState.COMPLETED, CaseState.RATED])
def test_a_completed_case_or_one_rated_by_some_awaits_a_rating(state: CaseState) -> None:
    case = new_case(1)
    case.apply_reported_state(state, 7, "urban_management")

    case.require_awaiting_rating()


@pytest.mark.parametrize(
    "state",
    [s for s in CaseState if s not in (CaseState.COMPLETED, CaseState.RATED)],
)
def test_a_case_before_completion_or_after_its_round_awaits_no_rating(state: CaseState) -> None:
    case = new_case(1)
    case.apply_reported_state(state, 7, "urban_management")

    with pytest.raises(FailedPrecondition, match="not awaiting a rating"):
        case.require_awaiting_rating()
