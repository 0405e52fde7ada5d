"""An assignment's life while dispatch owns the case (domain/model.py), checked without I/O:
接单, 退单, 派单 by hand, 办单, 延期, 督办, reopening, the lead and version checks."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from civicloop.dispatch.domain.catalogue import (
    EVERY_COMMUNITY,
    Department,
    DutyCatalogue,
    DutyRule,
)
from civicloop.dispatch.domain.deadlines import DeadlinePolicy, Rung, WorkCalendar
from civicloop.dispatch.domain.model import (
    SYSTEM,
    AssignmentState,
    Attachment,
    CaseAccepted,
    CaseAwaitingOffice,
    CaseCompleted,
    CaseDispatch,
    CaseDispatched,
    CaseEscalated,
    CaseReturned,
    Clockwork,
    ExtensionDecided,
    ExtensionRequested,
    ExtensionState,
    Limits,
    ProgressUpdated,
)
from civicloop.platform.domain import Actor, CaseList, Urgency
from civicloop.platform.errors import (
    FailedPrecondition,
    IllegalTransition,
    InvalidArgument,
    PermissionDenied,
)

T0 = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing: the case is routed
ACCEPTED_AT = T0 + timedelta(hours=1)  # Monday 11:00 in Beijing
# A general case: accept by the next working day, complete within 7 working days.
GENERAL_ACCEPT_DUE = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Beijing
GENERAL_COMPLETE_DUE = datetime(2026, 3, 18, 3, 0, tzinfo=UTC)  # Wednesday next week, 11:00
CLOCK = Clockwork(DeadlinePolicy.default(), WorkCalendar())
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

LEAD = "urban_management"
FALLBACK = "coordination_office"
URBAN = Actor("department:urban_management", "department:urban_management")
HOUSING = Actor("department:housing", "department:housing")
FALLBACK_UNIT = Actor("department:coordination_office", "department:coordination_office")
OFFICE = Actor("office:0007", "office")
PHOTO = Attachment("https://files.example.org/a.jpg", "a" * 64, "image/jpeg")


def catalogue() -> DutyCatalogue:
    departments = [
        Department(LEAD, "区综合执法局", "Urban management", "line"),
        Department("housing", "区住建局", "Housing", "line"),
        Department("state_grid_power", "国网供电公司", "State Grid", "utility"),
        Department(FALLBACK, "区网格化服务中心", "Coordination office", "fallback"),
    ]
    rules = [
        DutyRule("streetlight", EVERY_COMMUNITY, LEAD, ("state_grid_power",)),
        DutyRule("shared_amenity", EVERY_COMMUNITY, "", candidate_department_codes=("housing",)),
    ]
    return DutyCatalogue(1, FALLBACK, {d.code: d for d in departments}, {r.key: r for r in rules})


def new_case(category: str = "streetlight", urgency: Urgency = Urgency.GENERAL) -> CaseDispatch:
    return CaseDispatch(
        case_id="case-1",
        version=3,
        community_code="C002",
        category_code=category,
        case_list=CaseList.PRACTICAL_MATTERS,
        urgency=urgency,
        summary="小区门口路灯不亮",
        traceparent=TRACEPARENT,
    )


def routed(category: str = "streetlight", urgency: Urgency = Urgency.GENERAL) -> CaseDispatch:
    """Routed at T0 by the catalogue; the routing event is already stored."""
    case = new_case(category, urgency)
    case.route(catalogue(), CLOCK, T0)
    case.events.clear()
    return case


def accepted(urgency: Urgency = Urgency.GENERAL) -> CaseDispatch:
    """Dispatched to urban management and accepted at ACCEPTED_AT."""
    case = routed(urgency=urgency)
    case.accept(URBAN, CLOCK, ACCEPTED_AT)
    case.events.clear()
    return case


def completed() -> CaseDispatch:
    case = accepted()
    case.complete("路灯已修复", (PHOTO,), URBAN, ACCEPTED_AT + timedelta(days=1))
    case.events.clear()
    return case


def snapshot(case: CaseDispatch) -> dict[str, object]:
    """Every field of the aggregate, the recorded events included, for 'nothing changed'."""
    return copy.deepcopy(vars(case))


# ---- 接单: accepting ----


def test_accepting_starts_the_completion_deadline_and_puts_the_case_in_progress() -> None:
    case = routed()

    case.accept(URBAN, CLOCK, ACCEPTED_AT)

    current = case.current
    assert current is not None
    assert case.state is AssignmentState.IN_PROGRESS
    assert current.state is AssignmentState.IN_PROGRESS
    assert current.accepted_at == ACCEPTED_AT
    assert current.complete_due_at == GENERAL_COMPLETE_DUE
    assert current.complete_due_at == CLOCK.due(Urgency.GENERAL, "complete", ACCEPTED_AT)


def test_accepting_records_one_case_accepted_and_bumps_the_version_by_one() -> None:
    case = routed()
    version = case.version

    case.accept(URBAN, CLOCK, ACCEPTED_AT)

    assert case.current is not None
    assert case.version == version + 1
    assert case.events == [CaseAccepted(case.current, version + 1, ACCEPTED_AT, URBAN)]


def test_an_emergency_must_be_completed_two_hours_after_it_is_accepted() -> None:
    case = routed(urgency=Urgency.EMERGENCY)

    case.accept(URBAN, CLOCK, ACCEPTED_AT)

    assert case.current is not None
    assert case.current.complete_due_at == ACCEPTED_AT + timedelta(hours=2)


def test_a_case_in_progress_cannot_be_accepted_again() -> None:
    case = accepted()
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        case.accept(URBAN, CLOCK, ACCEPTED_AT + timedelta(hours=1))

    assert snapshot(case) == before


def test_a_case_awaiting_the_office_cannot_be_accepted() -> None:
    case = routed(category="shared_amenity")
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        case.accept(HOUSING, CLOCK, ACCEPTED_AT)

    assert snapshot(case) == before


# ---- completing ----


def test_completing_before_accepting_is_refused_and_changes_nothing() -> None:
    case = routed()
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        case.complete("路灯已修复", (PHOTO,), URBAN, ACCEPTED_AT)

    assert snapshot(case) == before


def test_completing_records_the_result_and_one_case_completed() -> None:
    case = accepted()
    version = case.version
    done_at = ACCEPTED_AT + timedelta(days=2)

    case.complete("更换了灯具", (PHOTO,), URBAN, done_at)

    current = case.current
    assert current is not None
    assert case.state is AssignmentState.COMPLETED
    assert current.state is AssignmentState.COMPLETED
    assert current.completed_at == current.ended_at == done_at
    assert current.progress_percent == 100
    assert (current.result_summary, current.result_attachments) == ("更换了灯具", (PHOTO,))
    assert case.version == version + 1
    assert case.events == [CaseCompleted(current, version + 1, done_at, URBAN)]


def test_a_completed_case_cannot_be_completed_again() -> None:
    case = completed()
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        case.complete("又修了一次", (), URBAN, ACCEPTED_AT + timedelta(days=3))

    assert snapshot(case) == before


# ---- 首接负责制: only the lead acts ----


def test_a_department_other_than_the_lead_is_denied() -> None:
    case = routed()

    with pytest.raises(PermissionDenied):
        case.require_lead(frozenset({"housing"}), is_office=False)


def test_an_assisting_department_does_not_act_for_the_lead() -> None:
    case = routed()
    assert case.current is not None and "state_grid_power" in case.current.assisting

    with pytest.raises(PermissionDenied):
        case.require_lead(frozenset({"state_grid_power"}), is_office=False)


def test_the_lead_department_passes_the_lead_check() -> None:
    case = routed()

    case.require_lead(frozenset({"housing", LEAD}), is_office=False)


def test_the_office_passes_the_lead_check_for_any_case() -> None:
    case = routed()
    waiting = routed(category="shared_amenity")

    case.require_lead(frozenset(), is_office=True)
    waiting.require_lead(frozenset(), is_office=True)


def test_no_department_leads_a_case_awaiting_the_office() -> None:
    case = routed(category="shared_amenity")

    with pytest.raises(PermissionDenied):
        case.require_lead(frozenset({"housing"}), is_office=False)


# ---- 退单: returning ----


def test_a_returned_case_goes_to_the_fallback_unit_as_a_new_round() -> None:
    case = routed()
    returned_at = T0 + timedelta(hours=3)

    case.return_case("not_our_duty", "不属于本单位职责", URBAN, Limits(), CLOCK, returned_at)

    current = case.current
    assert current is not None
    assert case.state is AssignmentState.DISPATCHED
    assert case.return_count == 1
    assert current.department_code == FALLBACK
    assert current.assisting == ()
    assert current.round == 2
    assert current.automatic is True
    assert (current.dispatched_at, current.dispatched_by) == (returned_at, SYSTEM)
    assert current.accept_due_at == CLOCK.due(Urgency.GENERAL, "accept", returned_at)
    assert current.note == f"returned by {LEAD}"


def test_a_return_records_one_case_returned_and_one_case_dispatched() -> None:
    case = routed()
    version = case.version
    returned_at = T0 + timedelta(hours=3)

    case.return_case("not_our_duty", "不属于本单位职责", URBAN, Limits(), CLOCK, returned_at)

    (ended,) = case.ended
    assert case.current is not None
    assert ended.department_code == LEAD
    assert ended.state is AssignmentState.RETURNED
    assert ended.ended_at == returned_at
    assert (ended.return_reason_code, ended.return_reason_text) == (
        "not_our_duty",
        "不属于本单位职责",
    )
    assert case.version == version + 2
    assert case.events == [
        CaseReturned(ended, 1, version + 1, returned_at, URBAN),
        CaseDispatched(case.current, version + 2, returned_at, SYSTEM),
    ]


def test_the_second_return_puts_the_case_before_the_office() -> None:
    case = routed()
    case.return_case("not_our_duty", "", URBAN, Limits(returns=2), CLOCK, T0 + timedelta(hours=1))
    case.events.clear()
    version = case.version
    second_at = T0 + timedelta(hours=2)

    case.return_case("not_our_duty", "", FALLBACK_UNIT, Limits(returns=2), CLOCK, second_at)

    assert case.state is AssignmentState.AWAITING_OFFICE
    assert case.awaiting_reason == "return_limit_reached"
    assert case.current is None
    assert case.return_count == 2
    assert [a.department_code for a in case.ended] == [LEAD, FALLBACK]
    assert case.events == [
        CaseReturned(case.ended[-1], 2, version + 1, second_at, FALLBACK_UNIT),
        CaseAwaitingOffice("return_limit_reached", version + 2, second_at),
    ]


def test_with_a_limit_of_one_the_first_return_goes_to_the_office() -> None:
    case = routed()

    case.return_case("not_our_duty", "", URBAN, Limits(returns=1), CLOCK, T0)

    assert case.state is AssignmentState.AWAITING_OFFICE
    assert case.awaiting_reason == "return_limit_reached"
    assert case.current is None


def test_a_fallback_unit_returning_its_own_case_sends_it_to_the_office() -> None:
    case = routed(category="stray_dogs")  # no rule: the fallback unit leads
    assert case.current is not None and case.current.department_code == FALLBACK
    version = case.version

    case.return_case("not_our_duty", "", FALLBACK_UNIT, Limits(returns=5), CLOCK, T0)

    assert case.state is AssignmentState.AWAITING_OFFICE
    assert case.awaiting_reason == "no_next_candidate"
    assert case.current is None
    assert case.return_count == 1
    assert [type(e) for e in case.events] == [CaseReturned, CaseAwaitingOffice]
    assert case.version == version + 2


def test_a_case_dispatched_by_hand_without_a_fallback_returns_to_the_office() -> None:
    case = routed(category="shared_amenity")
    case.dispatch("housing", (), "", OFFICE, CLOCK, T0)

    case.return_case("not_our_duty", "", HOUSING, Limits(), CLOCK, T0 + timedelta(hours=1))

    assert case.state is AssignmentState.AWAITING_OFFICE
    assert case.current is None


def test_an_accepted_case_cannot_be_returned() -> None:
    case = accepted()
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        case.return_case("not_our_duty", "", URBAN, Limits(), CLOCK, ACCEPTED_AT)

    assert snapshot(case) == before


# ---- 派单 by hand ----


def test_the_office_dispatches_a_waiting_case_by_hand() -> None:
    case = routed(category="shared_amenity")
    version = case.version
    at = T0 + timedelta(minutes=20)

    case.dispatch("housing", ("housing", "state_grid_power"), "", OFFICE, CLOCK, at)

    current = case.current
    assert current is not None
    assert case.state is AssignmentState.DISPATCHED
    assert case.awaiting_reason == ""
    assert current.department_code == "housing"
    assert current.assisting == ("state_grid_power",)  # never the lead itself
    assert current.automatic is False
    assert (current.dispatched_at, current.dispatched_by) == (at, OFFICE)
    assert current.round == 1
    assert case.ended == []
    assert case.events == [CaseDispatched(current, version + 1, at, OFFICE)]


def test_dispatching_a_dispatched_case_by_hand_supersedes_the_current_assignment() -> None:
    case = routed()
    previous = case.current
    assert previous is not None
    version = case.version
    at = T0 + timedelta(hours=2)

    case.dispatch("housing", (), "属住建局职责", OFFICE, CLOCK, at)

    (superseded,) = case.ended
    assert superseded.id == previous.id
    assert superseded.department_code == LEAD
    assert superseded.state is AssignmentState.SUPERSEDED
    assert superseded.ended_at == at
    current = case.current
    assert current is not None
    assert current.id != previous.id
    assert (current.department_code, current.round, current.note) == ("housing", 2, "属住建局职责")
    assert case.state is AssignmentState.DISPATCHED
    assert case.version == version + 1
    assert case.events == [CaseDispatched(current, version + 1, at, OFFICE)]


def test_a_case_in_progress_can_be_dispatched_elsewhere_by_hand() -> None:
    case = accepted()

    case.dispatch("housing", (), "属住建局职责", OFFICE, CLOCK, ACCEPTED_AT + timedelta(hours=1))

    assert [a.state for a in case.ended] == [AssignmentState.SUPERSEDED]
    assert case.state is AssignmentState.DISPATCHED
    assert case.current is not None
    assert case.current.complete_due_at is None


@pytest.mark.parametrize("note", ["", "   ", "\n\t"])
def test_a_re_dispatch_needs_a_note_saying_why(note: str) -> None:
    case = routed()
    before = snapshot(case)

    with pytest.raises(InvalidArgument) as refused:
        case.dispatch("housing", (), note, OFFICE, CLOCK, T0 + timedelta(hours=2))

    assert [v.field for v in refused.value.violations] == ["note"]
    assert snapshot(case) == before


def test_a_dispatch_by_hand_may_change_the_urgency_and_with_it_the_deadline() -> None:
    case = routed(category="shared_amenity")
    at = T0 + timedelta(minutes=5)

    case.dispatch("housing", (), "", OFFICE, CLOCK, at, urgency=Urgency.EMERGENCY)

    assert case.urgency is Urgency.EMERGENCY
    assert case.current is not None
    assert case.current.accept_due_at == at + timedelta(minutes=30)


def test_a_completed_case_cannot_be_dispatched() -> None:
    case = completed()
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        case.dispatch("housing", (), "再派一次", OFFICE, CLOCK, ACCEPTED_AT + timedelta(days=2))

    assert snapshot(case) == before


# ---- 办单: the handling form ----


def test_a_progress_update_adds_an_entry_to_the_handling_form() -> None:
    case = accepted()
    version = case.version
    at = ACCEPTED_AT + timedelta(hours=4)
    expected = ACCEPTED_AT + timedelta(days=3)

    entry = case.update_progress("已联系供电公司", 40, expected, (PHOTO,), "", URBAN, at)

    assert (entry.measures_taken, entry.progress_percent) == ("已联系供电公司", 40)
    assert (entry.expected_completion_at, entry.attachments) == (expected, (PHOTO,))
    assert (entry.at, entry.actor) == (at, URBAN)
    assert case.entries == [entry]
    assert case.current is not None and case.current.progress_percent == 40
    assert case.state is AssignmentState.IN_PROGRESS
    assert case.events == [ProgressUpdated(case.current, entry, version + 1)]


@pytest.mark.parametrize("reason", ["", "   "])
def test_progress_going_backwards_needs_a_reason(reason: str) -> None:
    case = accepted()
    case.update_progress("已更换灯泡", 60, None, (), "", URBAN, ACCEPTED_AT)
    before = snapshot(case)

    with pytest.raises(InvalidArgument) as refused:
        case.update_progress("线路仍有故障", 30, None, (), reason, URBAN, ACCEPTED_AT)

    assert [v.field for v in refused.value.violations] == ["regression_reason"]
    assert snapshot(case) == before


def test_progress_going_backwards_with_a_reason_is_recorded() -> None:
    case = accepted()
    case.update_progress("已更换灯泡", 60, None, (), "", URBAN, ACCEPTED_AT)

    entry = case.update_progress("线路仍有故障", 30, None, (), "发现电缆老化", URBAN, ACCEPTED_AT)

    assert case.current is not None and case.current.progress_percent == 30
    assert [e.progress_percent for e in case.entries] == [60, 30]
    assert case.entries[-1] == entry


def test_repeating_the_same_progress_needs_no_reason() -> None:
    case = accepted()
    case.update_progress("已更换灯泡", 60, None, (), "", URBAN, ACCEPTED_AT)

    case.update_progress("等待验收", 60, None, (), "", URBAN, ACCEPTED_AT)

    assert [e.progress_percent for e in case.entries] == [60, 60]


def test_progress_cannot_be_reported_before_the_case_is_accepted() -> None:
    case = routed()
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        case.update_progress("已到场", 10, None, (), "", URBAN, T0)

    assert snapshot(case) == before


# ---- 延期: extensions ----


@pytest.mark.parametrize(
    "requested", [GENERAL_COMPLETE_DUE, GENERAL_COMPLETE_DUE - timedelta(days=1)]
)
def test_an_extension_must_ask_for_a_later_deadline(requested: datetime) -> None:
    case = accepted()
    before = snapshot(case)

    with pytest.raises(InvalidArgument) as refused:
        case.request_extension(requested, "需采购配件", URBAN, Limits(), ACCEPTED_AT)

    assert [v.field for v in refused.value.violations] == ["requested_due_at"]
    assert snapshot(case) == before


def test_an_extension_request_is_pending_and_keeps_the_deadline_until_decided() -> None:
    case = accepted()
    version = case.version
    later = GENERAL_COMPLETE_DUE + timedelta(days=5)
    at = ACCEPTED_AT + timedelta(days=2)

    extension = case.request_extension(later, "需采购配件", URBAN, Limits(), at)

    assert extension.state is ExtensionState.PENDING
    assert (extension.previous_due_at, extension.requested_due_at) == (GENERAL_COMPLETE_DUE, later)
    assert (extension.reason, extension.requested_at, extension.requested_by) == (
        "需采购配件",
        at,
        URBAN,
    )
    assert case.current is not None and case.current.complete_due_at == GENERAL_COMPLETE_DUE
    assert case.extensions == [extension]
    assert case.events == [ExtensionRequested(case.current, extension, version + 1)]


def test_only_one_extension_may_be_pending_at_a_time() -> None:
    case = accepted()
    case.request_extension(GENERAL_COMPLETE_DUE + timedelta(days=5), "配件", URBAN, Limits(), T0)
    before = snapshot(case)

    with pytest.raises(FailedPrecondition, match="pending"):
        case.request_extension(
            GENERAL_COMPLETE_DUE + timedelta(days=9), "再延", URBAN, Limits(), T0
        )

    assert snapshot(case) == before


def test_an_approved_extension_moves_the_deadline_and_restarts_the_ladder() -> None:
    case = accepted()
    assert case.escalate(GENERAL_COMPLETE_DUE)  # the reminder is out
    later = GENERAL_COMPLETE_DUE + timedelta(days=5)
    extension = case.request_extension(later, "需采购配件", URBAN, Limits(), GENERAL_COMPLETE_DUE)
    case.events.clear()
    version = case.version
    at = GENERAL_COMPLETE_DUE + timedelta(hours=1)

    decided = case.decide_extension(extension.id, True, None, "同意", OFFICE, at)

    current = case.current
    assert current is not None
    assert decided is extension
    assert extension.state is ExtensionState.APPROVED
    assert extension.granted_due_at == later
    assert (extension.note, extension.decided_at, extension.decided_by) == ("同意", at, OFFICE)
    assert current.complete_due_at == later
    assert current.approved_extensions == 1
    assert current.escalation_rung is None
    assert case.events == [ExtensionDecided(current, extension, version + 1)]
    assert not case.escalate(at + timedelta(hours=1))  # the new deadline is days away


def test_the_office_may_grant_a_different_deadline_than_requested() -> None:
    case = accepted()
    extension = case.request_extension(
        GENERAL_COMPLETE_DUE + timedelta(days=10), "需采购配件", URBAN, Limits(), ACCEPTED_AT
    )
    granted = GENERAL_COMPLETE_DUE + timedelta(days=3)

    case.decide_extension(extension.id, True, granted, "给三天", OFFICE, ACCEPTED_AT)

    assert extension.granted_due_at == granted
    assert case.current is not None and case.current.complete_due_at == granted


def test_a_rejected_extension_keeps_the_deadline_and_allows_a_new_request() -> None:
    case = accepted()
    first = case.request_extension(
        GENERAL_COMPLETE_DUE + timedelta(days=10), "需采购配件", URBAN, Limits(), ACCEPTED_AT
    )

    case.decide_extension(first.id, False, None, "时间过长", OFFICE, ACCEPTED_AT)
    second = case.request_extension(
        GENERAL_COMPLETE_DUE + timedelta(days=2), "需采购配件", URBAN, Limits(), ACCEPTED_AT
    )

    assert first.state is ExtensionState.REJECTED and first.granted_due_at is None
    assert case.current is not None
    assert case.current.complete_due_at == GENERAL_COMPLETE_DUE
    assert case.current.approved_extensions == 0
    assert second.state is ExtensionState.PENDING


def test_no_more_extensions_than_the_limit_are_approved() -> None:
    case = accepted()
    limits = Limits(extensions=2)
    for days in (3, 6):
        extension = case.request_extension(
            GENERAL_COMPLETE_DUE + timedelta(days=days), "配件", URBAN, limits, ACCEPTED_AT
        )
        case.decide_extension(extension.id, True, None, "同意", OFFICE, ACCEPTED_AT)
    before = snapshot(case)

    with pytest.raises(FailedPrecondition, match="at most 2"):
        case.request_extension(
            GENERAL_COMPLETE_DUE + timedelta(days=9), "配件", URBAN, limits, ACCEPTED_AT
        )

    assert snapshot(case) == before


def test_an_extension_cannot_be_decided_twice() -> None:
    case = accepted()
    extension = case.request_extension(
        GENERAL_COMPLETE_DUE + timedelta(days=3), "配件", URBAN, Limits(), ACCEPTED_AT
    )
    case.decide_extension(extension.id, True, None, "同意", OFFICE, ACCEPTED_AT)
    before = snapshot(case)

    with pytest.raises(FailedPrecondition):
        case.decide_extension(extension.id, False, None, "改主意", OFFICE, ACCEPTED_AT)
    with pytest.raises(FailedPrecondition):
        case.decide_extension("no-such-extension", True, None, "", OFFICE, ACCEPTED_AT)

    assert snapshot(case) == before


def test_a_request_left_pending_by_a_superseded_department_does_not_block_the_new_one() -> None:
    case = accepted()
    case.request_extension(
        GENERAL_COMPLETE_DUE + timedelta(days=5), "配件", URBAN, Limits(), ACCEPTED_AT
    )
    case.dispatch("housing", (), "属住建局职责", OFFICE, CLOCK, ACCEPTED_AT + timedelta(hours=1))
    case.accept(HOUSING, CLOCK, ACCEPTED_AT + timedelta(hours=2))
    assert case.current is not None and case.current.complete_due_at is not None

    extension = case.request_extension(
        case.current.complete_due_at + timedelta(days=2),
        "需协调物业",
        HOUSING,
        Limits(),
        ACCEPTED_AT + timedelta(hours=3),
    )

    assert extension.requested_by == HOUSING


def test_an_extension_cannot_be_requested_before_the_case_is_accepted() -> None:
    case = routed()

    with pytest.raises(IllegalTransition):
        case.request_extension(GENERAL_COMPLETE_DUE, "配件", URBAN, Limits(), T0)


# ---- 督办: the escalation ladder ----
# An emergency is dispatched at T0 and must be accepted within 30 minutes: the reminder comes
# at the deadline, the notice half a window (15 min) later, the office a whole window later.

ACCEPT_DUE = T0 + timedelta(minutes=30)
NOTICE_AT = T0 + timedelta(minutes=45)
OFFICE_AT = T0 + timedelta(minutes=60)
SECOND = timedelta(seconds=1)


def test_nothing_is_escalated_before_the_deadline() -> None:
    case = routed(urgency=Urgency.EMERGENCY)
    before = snapshot(case)

    assert case.escalate(ACCEPT_DUE - SECOND) is False
    assert snapshot(case) == before


def test_the_ladder_climbs_one_rung_at_each_proportional_instant() -> None:
    case = routed(urgency=Urgency.EMERGENCY)
    assert case.current is not None
    version = case.version

    climbed = [
        (at, case.escalate(at), case.current.escalation_rung)
        for at in (
            ACCEPT_DUE,
            ACCEPT_DUE + SECOND,
            NOTICE_AT - SECOND,
            NOTICE_AT,
            OFFICE_AT - SECOND,
            OFFICE_AT,
            OFFICE_AT + timedelta(days=3),
        )
    ]

    assert climbed == [
        (ACCEPT_DUE, True, Rung.REMINDER),
        (ACCEPT_DUE + SECOND, False, Rung.REMINDER),
        (NOTICE_AT - SECOND, False, Rung.REMINDER),
        (NOTICE_AT, True, Rung.NOTICE),
        (OFFICE_AT - SECOND, False, Rung.NOTICE),
        (OFFICE_AT, True, Rung.OFFICE_SUPERVISION),
        (OFFICE_AT + timedelta(days=3), False, Rung.OFFICE_SUPERVISION),
    ]
    assert case.events == [
        CaseEscalated(case.current, rung, "accept", ACCEPT_DUE, version + n, at)
        for n, (rung, at) in enumerate(
            [
                (Rung.REMINDER, ACCEPT_DUE),
                (Rung.NOTICE, NOTICE_AT),
                (Rung.OFFICE_SUPERVISION, OFFICE_AT),
            ],
            start=1,
        )
    ]
    assert case.version == version + 3
    assert case.state is AssignmentState.DISPATCHED  # 督办 never changes the state


def test_a_late_scan_climbs_only_one_rung_per_call() -> None:
    case = routed(urgency=Urgency.EMERGENCY)
    assert case.current is not None
    late = T0 + timedelta(hours=5)  # every rung is due

    results = [case.escalate(late) for _ in range(4)]

    assert results == [True, True, True, False]
    assert [e.rung for e in case.events if isinstance(e, CaseEscalated)] == [
        Rung.REMINDER,
        Rung.NOTICE,
        Rung.OFFICE_SUPERVISION,
    ]


def test_the_completion_ladder_is_proportional_to_the_completion_window() -> None:
    case = accepted(urgency=Urgency.EMERGENCY)  # 2 h to complete from ACCEPTED_AT
    due = ACCEPTED_AT + timedelta(hours=2)

    assert case.escalate(due - SECOND) is False
    assert case.escalate(due) is True
    assert case.escalate(due + timedelta(hours=1) - SECOND) is False
    assert case.escalate(due + timedelta(hours=1)) is True
    assert case.escalate(due + timedelta(hours=2)) is True

    escalations = [e for e in case.events if isinstance(e, CaseEscalated)]
    assert len(escalations) == len(case.events)
    assert [(e.rung, e.deadline, e.due_at) for e in escalations] == [
        (Rung.REMINDER, "complete", due),
        (Rung.NOTICE, "complete", due),
        (Rung.OFFICE_SUPERVISION, "complete", due),
    ]


def test_a_working_day_window_over_a_weekend_is_counted_in_wall_clock_time() -> None:
    friday_4pm = datetime(2026, 3, 13, 8, 0, tzinfo=UTC)  # Friday 16:00 in Beijing
    monday_4pm = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)  # accept due: 72 h later
    case = new_case()
    case.route(catalogue(), CLOCK, friday_4pm)
    assert case.current is not None and case.current.accept_due_at == monday_4pm

    assert case.escalate(monday_4pm) is True
    assert case.escalate(monday_4pm + timedelta(hours=36) - SECOND) is False
    assert case.escalate(monday_4pm + timedelta(hours=36)) is True
    assert case.escalate(monday_4pm + timedelta(hours=72) - SECOND) is False
    assert case.escalate(monday_4pm + timedelta(hours=72)) is True
    assert case.current.escalation_rung is Rung.OFFICE_SUPERVISION


def test_accepting_starts_a_new_ladder_for_the_completion_deadline() -> None:
    case = routed(urgency=Urgency.EMERGENCY)
    assert case.escalate(NOTICE_AT) is True

    case.accept(URBAN, CLOCK, NOTICE_AT)

    assert case.current is not None and case.current.escalation_rung is None
    assert case.escalate(NOTICE_AT + timedelta(minutes=30)) is False


def test_a_completed_case_is_not_escalated() -> None:
    case = completed()
    before = snapshot(case)

    assert case.escalate(ACCEPTED_AT + timedelta(days=365)) is False
    assert snapshot(case) == before


def test_a_case_awaiting_the_office_is_not_escalated() -> None:
    case = routed(category="shared_amenity")
    before = snapshot(case)

    assert case.escalate(T0 + timedelta(days=30)) is False
    assert snapshot(case) == before


# ---- reopened by an unsatisfied rating ----


def test_a_reopened_case_goes_back_to_the_same_department_as_a_new_round() -> None:
    case = completed()
    finished = case.current
    assert finished is not None
    version = case.version
    at = ACCEPTED_AT + timedelta(days=4)

    case.reopen(1, Limits(), CLOCK, at)

    current = case.current
    assert current is not None
    assert case.state is AssignmentState.DISPATCHED
    assert current.id != finished.id
    assert (current.department_code, current.assisting) == (LEAD, ("state_grid_power",))
    assert current.round == finished.round + 1 == case.rounds
    assert case.reopen_count == 1
    assert current.automatic is True
    assert (current.dispatched_at, current.dispatched_by) == (at, SYSTEM)
    assert current.accept_due_at == CLOCK.due(Urgency.GENERAL, "accept", at)
    assert current.progress_percent == 0
    assert case.ended == [finished]
    assert case.version == version + 1
    assert case.events == [CaseDispatched(current, version + 1, at, SYSTEM)]


def test_the_rating_services_count_wins_when_it_is_ahead() -> None:
    case = completed()

    case.reopen(2, Limits(reopens=5), CLOCK, ACCEPTED_AT + timedelta(days=4))

    assert case.reopen_count == 2


def test_a_reopen_past_the_limit_goes_to_the_office() -> None:
    limits = Limits(reopens=1)
    case = completed()
    case.reopen(1, limits, CLOCK, ACCEPTED_AT + timedelta(days=4))
    case.accept(URBAN, CLOCK, ACCEPTED_AT + timedelta(days=5))
    case.complete("再次修复", (), URBAN, ACCEPTED_AT + timedelta(days=6))
    case.events.clear()
    rounds, version = case.rounds, case.version
    at = ACCEPTED_AT + timedelta(days=7)

    case.reopen(2, limits, CLOCK, at)

    assert case.state is AssignmentState.AWAITING_OFFICE
    assert case.awaiting_reason == "reopen_limit_reached"
    assert case.current is None
    assert case.reopen_count == 2
    assert case.rounds == rounds
    assert case.events == [CaseAwaitingOffice("reopen_limit_reached", version + 1, at)]


def test_the_office_may_reopen_past_the_limit_to_the_same_department() -> None:
    limits = Limits(reopens=1)
    case = completed()
    case.reopen(1, limits, CLOCK, ACCEPTED_AT + timedelta(days=4))
    case.accept(URBAN, CLOCK, ACCEPTED_AT + timedelta(days=5))
    case.complete("再次修复", (), URBAN, ACCEPTED_AT + timedelta(days=6))

    case.reopen(2, limits, CLOCK, ACCEPTED_AT + timedelta(days=7), by_office=True)

    assert case.state is AssignmentState.DISPATCHED
    assert case.current is not None and case.current.department_code == "urban_management"


def test_with_the_default_limit_the_third_reopen_goes_to_the_office() -> None:
    case = completed()
    states = []
    for n in (1, 2, 3):
        at = ACCEPTED_AT + timedelta(days=10 * n)
        case.reopen(n, Limits(), CLOCK, at)
        states.append((case.state, case.awaiting_reason))
        if case.current is not None:
            case.accept(URBAN, CLOCK, at + timedelta(hours=1))
            case.complete("修复", (), URBAN, at + timedelta(days=1))

    assert states == [
        (AssignmentState.DISPATCHED, ""),
        (AssignmentState.DISPATCHED, ""),
        (AssignmentState.AWAITING_OFFICE, "reopen_limit_reached"),
    ]


def awaiting_office() -> CaseDispatch:
    return routed(category="shared_amenity")


@pytest.mark.parametrize(
    "make",
    [routed, accepted, awaiting_office],
    ids=["dispatched", "in_progress", "awaiting_office"],
)
def test_only_a_completed_case_can_be_reopened(make: Callable[[], CaseDispatch]) -> None:
    case = make()
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        case.reopen(1, Limits(), CLOCK, ACCEPTED_AT + timedelta(days=4))

    assert snapshot(case) == before


# ---- when a case last changed ----


def test_every_transition_stamps_the_case_with_its_time() -> None:
    case = routed()
    assert case.updated_at == T0

    case.accept(URBAN, CLOCK, ACCEPTED_AT)
    assert case.updated_at == ACCEPTED_AT

    later = ACCEPTED_AT + timedelta(days=1)
    case.update_progress("已联系供电公司", 40, None, (), "", URBAN, later)
    assert case.updated_at == later


def test_an_escalation_stamps_the_case_with_the_scan_time() -> None:
    case = routed(urgency=Urgency.EMERGENCY)
    assert case.current is not None
    overdue = case.current.accept_due_at + timedelta(seconds=1)

    assert case.escalate(overdue)

    assert case.updated_at == overdue


def test_a_return_hands_back_the_assignment_as_it_ended() -> None:
    case = routed()
    returned_at = T0 + timedelta(hours=2)

    ended = case.return_case("not_our_duty", "不归我单位管", URBAN, Limits(), CLOCK, returned_at)

    assert ended == case.ended[-1]
    assert (ended.state, ended.department_code, ended.ended_at) == (
        AssignmentState.RETURNED,
        LEAD,
        returned_at,
    )


def test_the_next_escalation_falls_due_at_each_rung_then_never() -> None:
    case = routed(urgency=Urgency.EMERGENCY)
    current = case.current
    assert current is not None
    window = current.accept_due_at - current.dispatched_at
    assert current.next_escalation_at() == current.accept_due_at
    for expected in (current.accept_due_at + window / 2, current.accept_due_at + window, None):
        moment = current.next_escalation_at()
        assert moment is not None
        assert case.escalate(moment)
        assert current.next_escalation_at() == expected


def test_a_completed_assignment_has_no_next_escalation() -> None:
    case = routed()
    case.accept(OFFICE, CLOCK, T0)
    case.complete("已修复", (), OFFICE, T0)
    assert case.current is not None and case.current.next_escalation_at() is None
