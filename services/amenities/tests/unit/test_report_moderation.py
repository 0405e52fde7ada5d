"""Reports and the problems they reveal (domain/reports.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civicloop.amenities.domain.model import ReportState, check_report
from civicloop.amenities.domain.reports import (
    PETITION_MAX,
    PetitionText,
    Problem,
    ProblemState,
    check_moderable,
    check_rejection,
)
from civicloop.amenities.reports import check_filer
from civicloop.platform.domain import Actor
from civicloop.platform.errors import IllegalTransition, Violations

WORKER = Actor("worker-1", "worker")
AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


def confirmed() -> Problem:
    return Problem.confirm("p1", "a1", "C001", "closed_when_listed_open", "r1", WORKER, AT)


def test_a_confirmed_report_opens_a_problem_waiting_to_be_filed() -> None:
    problem = confirmed()
    assert problem.state is ProblemState.FILING and problem.is_open
    assert problem.report_ids == ["r1"]
    [event] = problem.pop_events()
    assert (event.change, event.actor, event.version) == ("confirmed", WORKER, 1)


def test_filing_records_the_petition_and_its_case_once() -> None:
    problem = confirmed()
    problem.filed("pet-1", "case-1", AT)
    problem.filed("pet-1", "case-1", AT)  # a repeated answer changes nothing
    assert (problem.state, problem.petition_id, problem.case_id) == (
        ProblemState.OPEN,
        "pet-1",
        "case-1",
    )
    assert [e.change for e in problem.pop_events()] == ["confirmed", "filed"]
    assert problem.version == 2


def test_repeat_reports_join_the_open_problem_once_each() -> None:
    problem = confirmed()
    problem.join("r2", None, AT)
    problem.join("r2", None, AT)
    assert problem.report_ids == ["r1", "r2"]
    assert problem.version == 2


def test_a_completed_case_fixes_the_problem_and_a_reopen_undoes_it() -> None:
    problem = confirmed()
    problem.filed("pet-1", "case-1", AT)
    problem.case_completed(LATER)
    assert problem.state is ProblemState.FIXED and problem.fixed_at == LATER
    assert not problem.is_open
    with pytest.raises(IllegalTransition, match="fixed"):
        problem.join("r3", None, LATER)
    problem.case_reopened(LATER)
    assert problem.state is ProblemState.OPEN and problem.fixed_at is None


def test_a_merge_moves_the_problem_to_the_surviving_case() -> None:
    problem = confirmed()
    problem.filed("pet-1", "case-1", AT)
    problem.case_moved("case-2", AT)
    problem.case_moved("case-2", AT)
    assert problem.case_id == "case-2"
    assert [e.change for e in problem.pop_events()][-1] == "case_moved"
    assert problem.version == 3


def test_the_problem_follows_the_cases_steps_until_it_is_fixed() -> None:
    problem = confirmed()
    problem.filed("pet-1", "case-1", AT)
    assert problem.case_state == "submitted"
    problem.case_progressed("dispatched", AT)
    problem.case_progressed("dispatched", AT)
    assert (problem.case_state, problem.version) == ("dispatched", 3)
    problem.case_completed(LATER)
    problem.case_progressed("closed", LATER)  # after completion only a reopen matters
    assert (problem.case_state, problem.state) == ("completed", ProblemState.FIXED)


def test_completion_before_filing_is_ignored() -> None:
    problem = confirmed()
    problem.case_completed(LATER)
    assert problem.state is ProblemState.FILING


def test_a_report_is_moderated_once() -> None:
    check_moderable("r1", ReportState.RECEIVED)
    for state in (ReportState.CONFIRMED, ReportState.JOINED, ReportState.REJECTED):
        with pytest.raises(IllegalTransition, match="already"):
            check_moderable("r1", state)


def test_a_rejection_needs_a_reason() -> None:
    assert check_rejection("  ") is not None
    assert check_rejection("x" * 501) is not None
    assert check_rejection("现场核实，厕所正常开放") is None


def test_the_petition_says_what_where_and_what_people_reported() -> None:
    text = PetitionText(
        "幸福超市共享厕所", "幸福路12号", "标注开放但实际关闭", ("晚上八点锁门", "")
    ).render()
    assert "幸福超市共享厕所" in text and "幸福路12号" in text
    assert "群众反映：晚上八点锁门" in text
    assert text.count("群众反映") == 1
    long = PetitionText("店", "路", "其他", ("很长" * 2000,)).render()
    assert len(long) == PETITION_MAX


def test_what_goes_on_to_intake_or_the_reporter_is_plain_text_within_intakes_limits() -> None:
    errors = Violations()
    check_report(errors, "other", "灯坏了 <b>急</b>")
    check_filer(errors, "张" * 65, "13800138000")
    assert [v.field for v in errors.items] == ["comment", "contact_name"]
    assert check_rejection("<script>x</script>") is not None
    assert check_rejection("现场核实，门口有共享标识") is None
    fine = Violations()
    check_report(fine, "other", "灯坏了，急")
    check_filer(fine, "张" * 64, "13800138000")
    assert not fine.items
