"""Open now, checked against times computed by hand from the expression and China's calendar.

Calendar facts used below (State Council notices): 2025-01-01 (Wed) is New Year's Day;
2025-01-26 (Sun) is a make-up working day before the Spring Festival (28 Jan - 4 Feb);
2025-09-28 (Sun) and 2025-10-11 (Sat) are make-up working days around National Day and
Mid-Autumn (1-8 Oct, Wed to Wed).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from civicloop.amenities.domain.hours import (
    SHANGHAI,
    InvalidHours,
    OpenStatus,
    parse_hours,
)

OPEN, CLOSED, UNKNOWN = OpenStatus.OPEN, OpenStatus.CLOSED, OpenStatus.UNKNOWN


def at(text: str) -> datetime:
    """A local (Asia/Shanghai) moment written "2025-03-04 01:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def check(hours: str, moment: str, status: OpenStatus, next_change: str | None) -> None:
    oh = parse_hours(hours)
    assert oh.status_at(at(moment)) is status
    assert oh.next_change(at(moment)) == (None if next_change is None else at(next_change))


# A bar or a night market stall: 20:00 to 02:00 the next morning, every day.
NIGHT = "Mo-Su 20:00-02:00"


@pytest.mark.parametrize(
    ("moment", "status", "next_change"),
    [
        ("2025-03-04 01:00", OPEN, "2025-03-04 02:00"),  # Monday's night, still open
        ("2025-03-04 02:00", CLOSED, "2025-03-04 20:00"),  # closes on the minute
        ("2025-03-04 19:59", CLOSED, "2025-03-04 20:00"),
        ("2025-03-04 20:00", OPEN, "2025-03-05 02:00"),
        ("2025-03-04 23:59", OPEN, "2025-03-05 02:00"),
        ("2025-03-04 00:00", OPEN, "2025-03-04 02:00"),
    ],
)
def test_hours_that_run_past_midnight_stay_open_into_the_next_morning(
    moment: str, status: OpenStatus, next_change: str
) -> None:
    check(NIGHT, moment, status, next_change)


def test_the_moment_may_be_given_in_any_timezone() -> None:
    oh = parse_hours(NIGHT)
    utc = datetime(2025, 3, 3, 17, 30, tzinfo=UTC)  # 01:30 on Tuesday in Dujiangyan
    assert oh.status_at(utc) is OPEN
    assert oh.next_change(utc) == datetime(2025, 3, 3, 18, 0, tzinfo=UTC)
    assert oh.next_change(utc).tzinfo == SHANGHAI  # type: ignore[union-attr]


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_hours(NIGHT).status_at(datetime(2025, 3, 4, 1, 0))


@pytest.mark.parametrize("moment", ["2025-03-04 03:00", "2025-10-01 12:00", "2025-10-11 00:00"])
def test_24_7_is_always_open_and_never_changes(moment: str) -> None:
    check("24/7", moment, OPEN, None)


@pytest.mark.parametrize("moment", ["2025-03-04 03:00", "2025-10-01 12:00", "2025-10-11 10:00"])
def test_off_is_always_closed_and_never_changes(moment: str) -> None:
    check("off", moment, CLOSED, None)


# A community service corner: office hours, closed on public holidays.
OFFICE = "Mo-Fr 09:00-17:00; PH off"


@pytest.mark.parametrize(
    ("moment", "status", "next_change"),
    [
        ("2025-09-30 16:00", OPEN, "2025-09-30 17:00"),  # the Tuesday before the holiday
        # National Day, a Wednesday: closed, and stays closed through Wednesday 8 October;
        # the next opening is Thursday 9 October.
        ("2025-10-01 10:00", CLOSED, "2025-10-09 09:00"),
        ("2025-10-08 10:00", CLOSED, "2025-10-09 09:00"),
        ("2025-10-09 10:00", OPEN, "2025-10-09 17:00"),
        # New Year's Day 2025, a Wednesday between ordinary working days.
        ("2024-12-31 18:00", CLOSED, "2025-01-02 09:00"),
        ("2025-01-01 09:30", CLOSED, "2025-01-02 09:00"),
    ],
)
def test_ph_off_closes_for_the_whole_holiday_period(
    moment: str, status: OpenStatus, next_change: str
) -> None:
    check(OFFICE, moment, status, next_change)


@pytest.mark.parametrize(
    ("moment", "status", "next_change"),
    [
        # Saturday 11 October 2025 is worked: it keeps Friday 10 October's hours.
        ("2025-10-11 08:00", CLOSED, "2025-10-11 09:00"),
        ("2025-10-11 10:00", OPEN, "2025-10-11 17:00"),
        ("2025-10-11 18:00", CLOSED, "2025-10-13 09:00"),  # then Sunday off, Monday open
        ("2025-10-10 17:30", CLOSED, "2025-10-11 09:00"),  # Friday evening: opens Saturday
        # Sunday 28 September 2025 is worked: it keeps Monday 29 September's hours.
        ("2025-09-27 12:00", CLOSED, "2025-09-28 09:00"),
        ("2025-09-28 09:30", OPEN, "2025-09-28 17:00"),
    ],
)
def test_a_make_up_working_day_opens_a_place_that_keeps_the_official_calendar(
    moment: str, status: OpenStatus, next_change: str
) -> None:
    check(OFFICE, moment, status, next_change)


def test_hours_without_ph_are_read_as_written_on_holidays_and_make_up_days() -> None:
    shop = "Mo-Fr 09:00-17:00"
    check(shop, "2025-10-11 10:00", CLOSED, "2025-10-13 09:00")  # a Saturday, as written
    check(shop, "2025-10-01 10:00", OPEN, "2025-10-01 17:00")  # a Wednesday, as written


# A supermarket's shared toilet: long days, shorter hours on Sundays and public holidays.
SHOP = "Mo-Sa 08:00-18:00; Su,PH 10:00-16:00"


@pytest.mark.parametrize(
    ("moment", "status", "next_change"),
    [
        ("2025-01-01 09:00", CLOSED, "2025-01-01 10:00"),  # New Year's Day: holiday hours
        ("2025-01-01 12:00", OPEN, "2025-01-01 16:00"),
        ("2025-01-02 09:00", OPEN, "2025-01-02 18:00"),  # Thursday: ordinary hours again
        # Sunday 26 January 2025 is worked: Monday 27 January's hours, 08:00-18:00.
        ("2025-01-26 09:00", OPEN, "2025-01-26 18:00"),
        ("2025-01-26 07:00", CLOSED, "2025-01-26 08:00"),
        # Saturday 1 February 2025 is inside the Spring Festival: holiday hours.
        ("2025-02-01 09:00", CLOSED, "2025-02-01 10:00"),
    ],
)
def test_ph_in_a_list_of_days_gives_its_hours_to_holidays(
    moment: str, status: OpenStatus, next_change: str
) -> None:
    check(SHOP, moment, status, next_change)


NIGHT_CLOSED_ON_HOLIDAYS = "Mo-Su 20:00-02:00; PH off"


@pytest.mark.parametrize(
    ("moment", "status", "next_change"),
    [
        # The evening before National Day is an ordinary evening, but the holiday's rule
        # owns 1 October from midnight.
        ("2025-09-30 23:00", OPEN, "2025-10-01 00:00"),
        ("2025-10-01 01:00", CLOSED, "2025-10-09 00:00"),
        ("2025-10-08 21:00", CLOSED, "2025-10-09 00:00"),
        # The night after the last holiday: the first rule's overnight part of 8 October runs
        # into 9 October, which "PH off" does not own.
        ("2025-10-09 01:00", OPEN, "2025-10-09 02:00"),
        ("2025-10-09 03:00", CLOSED, "2025-10-09 20:00"),
    ],
)
def test_a_night_schedule_around_a_public_holiday(
    moment: str, status: OpenStatus, next_change: str
) -> None:
    check(NIGHT_CLOSED_ON_HOLIDAYS, moment, status, next_change)


def test_unknown_hours_say_unknown() -> None:
    check("Mo-Fr 09:00-17:00 unknown", "2025-01-27 10:00", UNKNOWN, "2025-01-27 17:00")
    check("Mo-Fr 09:00-17:00 unknown", "2025-01-27 18:00", CLOSED, "2025-01-28 09:00")


def test_ph_inside_a_comment_is_only_a_comment() -> None:
    oh = parse_hours('Mo-Su 08:00-12:00 "PH; ask at the counter"')
    assert not oh.keeps_official_calendar
    assert oh.status_at(at("2025-01-01 09:00")) is OPEN


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "required"),
        ("   ", "required"),
        ("Mo-Su 08:00-21:00" + " " * 250, "at most 255"),
        ("Mo-Fx 09:00-17:00", "cannot be parsed: at character 4, expected wday"),
        ("Mo-Fr 25:00-26:00", "cannot be parsed"),
        ("open sometimes", "cannot be parsed"),
        ("Mo-Fr 08:00-12:00, PH 14:00-16:00", "PH is understood only at the start"),
        ("PH +1 day off", "PH is understood only at the start"),
        ("Mo-Fr 10:00-12:00 || PH off", 'not after "||"'),
    ],
)
def test_unusable_hours_are_refused_saying_why(text: str, says: str) -> None:
    with pytest.raises(InvalidHours, match=re.escape(says)):
        parse_hours(text)


def test_a_parsed_value_keeps_its_text() -> None:
    assert parse_hours(OFFICE).text == OFFICE
    assert parse_hours(OFFICE).keeps_official_calendar
    assert not parse_hours(NIGHT).keeps_official_calendar
