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
- A year the calendar does not hold has no public holidays as far as `PH` is concerned.

2027 is provisional: the notice for 2027 is not in this table yet, so it holds only the
statutory days of the 全国年节及纪念日放假办法 (as revised in November 2024: New Year 1 day,
Spring Festival 4 from New Year's Eve, Qingming 1, Labour Day 2, Dragon Boat 1, Mid-Autumn 1,
National Day 3), which every notice keeps; the borrowed days and make-up working days follow
when the notice is published. Add a year by adding its periods and make-up days below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache


@dataclass(frozen=True)
class HolidayPeriod:
    name: str  # the festival, as the notice names it
    first: date
    last: date  # inclusive

    def days(self) -> list[date]:
        return [self.first + timedelta(n) for n in range((self.last - self.first).days + 1)]


def _p(name: str, first: str, last: str | None = None) -> HolidayPeriod:
    return HolidayPeriod(name, date.fromisoformat(first), date.fromisoformat(last or first))


# 国办发明电〔2023〕7号 (2024), 〔2024〕12号 (2025), the notice of 4 November 2025 (2026).
HOLIDAY_PERIODS: tuple[HolidayPeriod, ...] = (
    # 2024
    _p("元旦", "2023-12-30", "2024-01-01"),  # "1月1日放假，与周末连休"
    _p("春节", "2024-02-10", "2024-02-17"),
    _p("清明节", "2024-04-04", "2024-04-06"),
    _p("劳动节", "2024-05-01", "2024-05-05"),
    _p("端午节", "2024-06-08", "2024-06-10"),  # "6月10日放假，与周末连休"
    _p("中秋节", "2024-09-15", "2024-09-17"),
    _p("国庆节", "2024-10-01", "2024-10-07"),
    # 2025
    _p("元旦", "2025-01-01"),
    _p("春节", "2025-01-28", "2025-02-04"),
    _p("清明节", "2025-04-04", "2025-04-06"),
    _p("劳动节", "2025-05-01", "2025-05-05"),
    _p("端午节", "2025-05-31", "2025-06-02"),
    _p("国庆节、中秋节", "2025-10-01", "2025-10-08"),
    # 2026
    _p("元旦", "2026-01-01", "2026-01-03"),
    _p("春节", "2026-02-15", "2026-02-23"),
    _p("清明节", "2026-04-04", "2026-04-06"),
    _p("劳动节", "2026-05-01", "2026-05-05"),
    _p("端午节", "2026-06-19", "2026-06-21"),
    _p("中秋节", "2026-09-25", "2026-09-27"),
    _p("国庆节", "2026-10-01", "2026-10-07"),
    # 2027, provisional: the statutory days only (see the module's docstring).
    _p("元旦", "2027-01-01"),
    _p("春节", "2027-02-05", "2027-02-08"),  # 除夕 to 初三
    _p("清明节", "2027-04-05"),
    _p("劳动节", "2027-05-01", "2027-05-02"),
    _p("端午节", "2027-06-09"),
    _p("中秋节", "2027-09-15"),
    _p("国庆节", "2027-10-01", "2027-10-03"),
)

# 调休上班: the weekend days worked to pay back borrowed weekdays, from the same notices.
MAKE_UP_WORKING_DAYS: frozenset[date] = frozenset(
    date.fromisoformat(d)
    for d in (
        # 2024
        "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11",
        "2024-09-14", "2024-09-29", "2024-10-12",
        # 2025
        "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
        # 2026
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
    )
)  # fmt: skip

PROVISIONAL_YEARS = frozenset({2027})


@cache
def public_holidays() -> frozenset[date]:
    return frozenset(day for period in HOLIDAY_PERIODS for day in period.days())


def is_public_holiday(day: date) -> bool:
    return day in public_holidays()


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
    for day in sorted(public_holidays()):
        if runs and runs[-1][1] + timedelta(1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
