"""The Chinese public holiday calendar, as the State Council publishes it each year.

Every autumn the General Office of the State Council (国务院办公厅) publishes the next year's
"部分节假日安排的通知": for each festival, the days off (放假调休, a holiday period that often
takes in a weekend and borrows weekdays) and the weekend days that become working days to pay
the borrowed ones back (调休上班, "make-up working days").

How the amenities service uses the calendar (domain/hours.py):
- `PH` in an opening_hours expression matches every day of a holiday period, weekends in it
  included: a place marked "PH off" is closed for the whole 放假 period the notice announces.
- A make-up working day is a working day. An expression that mentions `PH` says the place keeps
  the official calendar (a community sharing point, a government service corner), so on a
  make-up working day it keeps the hours of the nearest ordinary working day (a Sunday the
  following Monday's, a Saturday the previous Friday's). An expression without `PH` describes
  a fixed weekly timetable (most shops keep theirs whatever the notice says) and is read as
  written.

The notices themselves are the city's reference data (civicloop.reference, calendar-<year>.json,
shared with dispatch's working-day deadlines); a year marked provisional holds only the
statutory days, until its notice is published. A year the data does not hold has no public
holidays as far as `PH` is concerned.
"""

from __future__ import annotations

from datetime import date, timedelta

from civicloop.reference.catalogue import holiday_calendars

# 放假: every day off of the holiday periods, weekends in them included, from the notices.
PUBLIC_HOLIDAYS: frozenset[date] = frozenset(
    date.fromisoformat(day) for year in holiday_calendars() for day in year["holidays"]
)

# 调休上班: the weekend days worked to pay back borrowed weekdays, from the same notices.
MAKE_UP_WORKING_DAYS: frozenset[date] = frozenset(
    date.fromisoformat(day) for year in holiday_calendars() for day in year["makeup_workdays"]
)


def is_public_holiday(day: date) -> bool:
    return day in PUBLIC_HOLIDAYS


def is_make_up_working_day(day: date) -> bool:
    return day in MAKE_UP_WORKING_DAYS


def is_ordinary_working_day(day: date) -> bool:
    """Monday to Friday and not in a holiday period."""
    return day.weekday() < 5 and not is_public_holiday(day)


def stand_in_working_day(day: date) -> date:
    """The ordinary working day whose hours a make-up working day keeps.

    The notices do not pair a make-up day with a weekday, so the nearest ordinary working day
    stands in, looking forward first: a Sunday that is worked opens the week early and keeps
    Monday's hours, a Saturday closes it late and keeps Friday's.
    """
    for distance in range(1, 15):
        for candidate in (day + timedelta(distance), day - timedelta(distance)):
            if is_ordinary_working_day(candidate):
                return candidate
    raise ValueError(f"no ordinary working day within two weeks of {day}")  # pragma: no cover


def holiday_ranges() -> list[tuple[date, date]]:
    """The holiday days as maximal runs of consecutive dates, in order."""
    runs: list[tuple[date, date]] = []
    for day in sorted(PUBLIC_HOLIDAYS):
        if runs and runs[-1][1] + timedelta(1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
