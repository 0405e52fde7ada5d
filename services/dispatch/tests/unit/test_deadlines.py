"""Deadlines and the 督办 ladder, as the rules the office and the departments work by."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from civicloop.dispatch.domain.deadlines import (
    LADDER,
    DeadlinePolicy,
    EscalationLadder,
    Rung,
    Window,
    WorkCalendar,
    due_at,
    rung_due,
)
from civicloop.platform.domain import Urgency
from civicloop.reference.catalogue import holiday_calendars

CST = timezone(timedelta(hours=8))  # Asia/Shanghai, written out independently of the module
CALENDAR_2026 = next(year for year in holiday_calendars() if year["year"] == 2026)
POLICY = DeadlinePolicy.default()
WEEKENDS_ONLY = WorkCalendar()


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Beijing wall-clock time, as the aware UTC instant the service stores."""
    return datetime(year, month, day, hour, minute, tzinfo=CST).astimezone(UTC)


def calendar(holidays: list[str] = [], makeup: list[str] = []) -> WorkCalendar:  # noqa: B006
    return WorkCalendar.from_mapping({"holidays": holidays, "makeup_workdays": makeup})


# ---- the windows ----


def test_an_emergency_must_be_completed_within_two_hours() -> None:
    accepted = local(2026, 3, 7, 23, 30)  # a Saturday night: emergencies ignore the calendar
    due = due_at(POLICY, WEEKENDS_ONLY, Urgency.EMERGENCY, "complete", accepted)
    assert due == local(2026, 3, 8, 1, 30)


def test_a_utilities_failure_must_be_fixed_within_24_hours_even_over_a_weekend() -> None:
    accepted = local(2026, 3, 6, 18, 0)  # Friday evening
    due = due_at(POLICY, WEEKENDS_ONLY, Urgency.UTILITIES, "complete", accepted)
    assert due == local(2026, 3, 7, 18, 0)


def test_a_general_case_counts_seven_working_days() -> None:
    accepted = local(2026, 3, 9, 10, 15)  # Monday
    due = due_at(POLICY, WEEKENDS_ONLY, Urgency.GENERAL, "complete", accepted)
    assert due == local(2026, 3, 18, 10, 15)  # Wednesday of the next week, same time of day


def test_a_complex_case_counts_fifteen_working_days() -> None:
    accepted = local(2026, 3, 9, 10, 15)  # Monday
    due = due_at(POLICY, WEEKENDS_ONLY, Urgency.COMPLEX, "complete", accepted)
    assert due == local(2026, 3, 30, 10, 15)  # three weeks on, Monday


def test_a_general_case_must_be_accepted_by_the_next_working_day() -> None:
    dispatched = local(2026, 3, 13, 16, 0)  # Friday
    due = due_at(POLICY, WEEKENDS_ONLY, Urgency.GENERAL, "accept", dispatched)
    assert due == local(2026, 3, 16, 16, 0)  # Monday


def test_an_emergency_must_be_accepted_within_thirty_minutes() -> None:
    dispatched = local(2026, 3, 8, 3, 0)
    assert due_at(POLICY, WEEKENDS_ONLY, Urgency.EMERGENCY, "accept", dispatched) == local(
        2026, 3, 8, 3, 30
    )


def test_a_holiday_in_the_calendar_moves_a_working_day_deadline() -> None:
    wednesday_off = calendar(holidays=["2026-03-11"])
    accepted = local(2026, 3, 9, 10, 15)  # Monday
    due = due_at(POLICY, wednesday_off, Urgency.GENERAL, "complete", accepted)
    assert due == local(2026, 3, 19, 10, 15)  # one day later than without the holiday


def test_a_makeup_saturday_counts_as_a_working_day() -> None:
    saturday_worked = calendar(makeup=["2026-03-14"])
    assert saturday_worked.is_working_day(datetime(2026, 3, 14).date())
    accepted = local(2026, 3, 9, 10, 15)  # Monday
    due = due_at(POLICY, saturday_worked, Urgency.GENERAL, "complete", accepted)
    assert due == local(2026, 3, 17, 10, 15)  # one day earlier than without it


def test_a_case_accepted_on_sunday_counts_from_monday() -> None:
    sunday = local(2026, 3, 8, 15, 0)
    monday_morning = local(2026, 3, 9, 9, 0)
    for kind in ("accept", "complete"):
        assert due_at(POLICY, WEEKENDS_ONLY, Urgency.GENERAL, kind, sunday) == due_at(
            POLICY, WEEKENDS_ONLY, Urgency.GENERAL, kind, monday_morning
        )
    assert due_at(POLICY, WEEKENDS_ONLY, Urgency.GENERAL, "accept", sunday) == local(
        2026, 3, 10, 9, 0
    )


def test_a_case_dispatched_on_a_working_evening_keeps_its_time_of_day() -> None:
    friday_night = local(2026, 3, 13, 22, 0)
    assert WEEKENDS_ONLY.add(friday_night, Window(1, "working_days")) == local(2026, 3, 16, 22, 0)


def test_working_days_are_counted_on_beijing_dates_not_utc_dates() -> None:
    # Monday 07:00 in Beijing is still Sunday 23:00 UTC: it is a working-day start all the same.
    monday_early = local(2026, 3, 9, 7, 0)
    assert monday_early.weekday() == 6
    assert WEEKENDS_ONLY.add(monday_early, Window(1, "working_days")) == local(2026, 3, 10, 7, 0)


def test_deadlines_come_out_in_utc() -> None:
    start = datetime(2026, 3, 9, 10, 0, tzinfo=CST)  # any aware time is accepted
    due = WEEKENDS_ONLY.add(start, Window(7, "working_days"))
    assert due.tzinfo is UTC


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 3, 9, 10, 0)
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        due_at(POLICY, WEEKENDS_ONLY, Urgency.GENERAL, "complete", naive)
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        WEEKENDS_ONLY.add(naive, Window(2, "hours"))
    aware = local(2026, 3, 9, 10, 0)
    with pytest.raises(ValueError, match="due must be timezone-aware"):
        rung_due(naive, aware, Rung.NOTICE)


# ---- windows and the policy as configuration ----


@pytest.mark.parametrize("text", ["30m", "2h", "24h", "7d", "1wd", "7wd", "15wd"])
def test_a_window_reads_and_writes_the_same_short_form(text: str) -> None:
    assert str(Window.parse(text)) == text


def test_a_window_names_its_unit() -> None:
    assert Window.parse("7wd") == Window(7, "working_days")
    assert Window.parse("30m") == Window(30, "minutes")
    assert Window.parse("7d") == Window(7, "calendar_days")


@pytest.mark.parametrize("text", ["", "7", "wd", "7 days", "-1h", "0h", "1.5h", "7WD", "300wd"])
def test_a_malformed_window_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Window.parse(text)


def test_the_default_policy_follows_hotline_practice() -> None:
    assert {u.value: str(w) for u, w in POLICY.complete.items()} == {
        "emergency": "2h",
        "utilities": "24h",
        "general": "7wd",
        "complex": "15wd",
    }
    assert {u.value: str(w) for u, w in POLICY.accept.items()} == {
        "emergency": "30m",
        "utilities": "2h",
        "general": "1wd",
        "complex": "2wd",
    }


def test_a_policy_reads_back_what_it_writes() -> None:
    assert DeadlinePolicy.from_mapping(POLICY.to_mapping()) == POLICY


def test_a_configured_policy_changes_the_deadline() -> None:
    raw = POLICY.to_mapping()
    raw["complete"]["general"] = "5wd"
    policy = DeadlinePolicy.from_mapping(raw)
    accepted = local(2026, 3, 9, 10, 15)
    assert due_at(policy, WEEKENDS_ONLY, Urgency.GENERAL, "complete", accepted) == local(
        2026, 3, 16, 10, 15
    )


def _with(section: str, key: str, value: Any) -> dict[str, Any]:
    raw: dict[str, Any] = POLICY.to_mapping()
    raw[section] = dict(raw[section])
    if value is None:
        del raw[section][key]
    else:
        raw[section][key] = value
    return raw


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"accept": POLICY.to_mapping()["accept"]}, "complete"),
        (_with("accept", "complex", None), "accept.complex"),
        (_with("complete", "general", "7x"), "complete.general"),
        (_with("complete", "general", 7), "complete.general"),
        (_with("accept", "urgent", "1h"), "accept.urgent"),
        ({**POLICY.to_mapping(), "escalate": {}}, "escalate"),
        ({**POLICY.to_mapping(), "accept": "30m"}, "accept"),
    ],
)
def test_policy_parsing_errors_name_the_key(raw: dict[str, Any], key: str) -> None:
    with pytest.raises(ValueError) as caught:
        DeadlinePolicy.from_mapping(raw)
    assert str(caught.value).startswith(f"{key}:"), str(caught.value)


# ---- the calendar as configuration ----


def test_calendar_parsing_errors_name_the_key() -> None:
    with pytest.raises(ValueError, match=r"^holidays\[1\]: '2026-13-01' is not a date"):
        calendar(holidays=["2026-01-01", "2026-13-01"])
    with pytest.raises(ValueError, match=r"^makeup_workdays: missing"):
        WorkCalendar.from_mapping({"holidays": []})
    with pytest.raises(ValueError, match=r"^holidays\[0\]: 2025-10-01 is not in the calendar"):
        WorkCalendar.from_mapping({"year": 2026, "holidays": ["2025-10-01"], "makeup_workdays": []})


def test_a_day_cannot_be_both_a_holiday_and_a_makeup_workday() -> None:
    with pytest.raises(ValueError, match="2026-03-14"):
        calendar(holidays=["2026-03-14"], makeup=["2026-03-14"])


def test_a_makeup_workday_must_fall_on_a_weekend() -> None:
    with pytest.raises(ValueError, match="2026-03-11 is a weekday"):
        calendar(makeup=["2026-03-11"])


def test_the_2026_calendar_keeps_the_national_day_golden_week_off() -> None:
    raw = CALENDAR_2026
    year = WorkCalendar.from_mapping(raw)
    golden_week = [datetime(2026, 10, d).date() for d in range(1, 8)]
    assert not any(year.is_working_day(d) for d in golden_week)
    assert year.is_working_day(datetime(2026, 9, 20).date())  # Sunday worked before
    assert year.is_working_day(datetime(2026, 10, 10).date())  # Saturday worked after
    # Accepted on the last day before the holiday: the week off does not count.
    accepted = local(2026, 9, 30, 10, 0)
    due = due_at(POLICY, year, Urgency.GENERAL, "complete", accepted)
    assert due == local(2026, 10, 15, 10, 0)  # 8, 9, 10 (Sat), 12, 13, 14, 15


def test_a_case_accepted_during_the_spring_festival_counts_from_the_first_day_back() -> None:
    year = WorkCalendar.from_mapping(CALENDAR_2026)
    new_year_eve = local(2026, 2, 16, 20, 0)
    # Back at work on Tuesday the 24th at 09:00; due one working day later.
    assert due_at(POLICY, year, Urgency.GENERAL, "accept", new_year_eve) == local(2026, 2, 25, 9)


def test_two_years_can_be_loaded_together() -> None:
    both = calendar(holidays=["2026-12-31"]).merged(calendar(holidays=["2027-01-01"]))
    assert not both.is_working_day(datetime(2026, 12, 31).date())
    assert not both.is_working_day(datetime(2027, 1, 1).date())


# ---- 督办: the escalation ladder ----


def test_the_ladder_climbs_reminder_notice_office_supervision() -> None:
    accepted = local(2026, 3, 9, 10, 0)
    due = due_at(POLICY, WEEKENDS_ONLY, Urgency.EMERGENCY, "complete", accepted)  # 12:00
    assert [rung_due(due, accepted, rung) for rung in LADDER] == [
        due,  # reminder at the deadline
        local(2026, 3, 9, 13, 0),  # notice after half the window again
        local(2026, 3, 9, 14, 0),  # office supervision after a whole window
    ]
    assert LADDER == (Rung.REMINDER, Rung.NOTICE, Rung.OFFICE_SUPERVISION)


def test_each_rung_is_due_in_proportion_to_the_window() -> None:
    start = local(2026, 3, 9, 10, 0)
    due = start + timedelta(hours=2)
    assert rung_due(due, start, Rung.REMINDER) == due
    assert rung_due(due, start, Rung.NOTICE) == due + timedelta(hours=1)
    assert rung_due(due, start, Rung.OFFICE_SUPERVISION) == due + timedelta(hours=2)
    # A complex case's deadline is weeks away: its notice comes days, not an hour, later.
    long_due = start + timedelta(days=21)
    assert rung_due(long_due, start, Rung.NOTICE) == long_due + timedelta(days=10, hours=12)


def test_an_extension_moves_the_rungs_with_the_deadline() -> None:
    start = local(2026, 3, 9, 10, 0)
    extended = start + timedelta(days=4)
    assert rung_due(extended, start, Rung.REMINDER) == extended  # not day 3 any more
    assert rung_due(extended, start, Rung.NOTICE) == start + timedelta(days=6)


def test_a_deadline_before_its_window_opens_is_refused() -> None:
    start = local(2026, 3, 9, 10, 0)
    with pytest.raises(ValueError, match="before window_start"):
        rung_due(start - timedelta(minutes=1), start, Rung.REMINDER)


def test_rungs_rank_mildest_first() -> None:
    assert [r.rank for r in LADDER] == [0, 1, 2]
    assert max(Rung, key=lambda r: r.rank) is Rung.OFFICE_SUPERVISION


def test_the_ladder_can_remind_before_the_deadline() -> None:
    early = EscalationLadder(reminder=-20, notice=0, office_supervision=50)
    start = local(2026, 3, 9, 10, 0)
    due = start + timedelta(hours=10)
    assert rung_due(due, start, Rung.REMINDER, early) == start + timedelta(hours=8)
    assert rung_due(due, start, Rung.NOTICE, early) == due
    with pytest.raises(ValueError, match="must hold"):
        EscalationLadder(reminder=50, notice=50, office_supervision=100)
