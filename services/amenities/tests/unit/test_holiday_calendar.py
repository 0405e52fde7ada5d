"""China's public holiday calendar (domain/holidays.py) against the State Council's notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from civicloop.amenities.domain.holidays import (
    MAKE_UP_WORKING_DAYS,
    PUBLIC_HOLIDAYS,
    is_make_up_working_day,
    is_ordinary_working_day,
    is_public_holiday,
    stand_in_working_day,
)
from civicloop.reference.catalogue import holiday_calendars


@dataclass(frozen=True)
class HolidayPeriod:
    """A festival's days off as the notice words it (the files' ``periods``)."""

    name: str
    first: date
    last: date  # inclusive

    def days(self) -> list[date]:
        return [self.first + timedelta(n) for n in range((self.last - self.first).days + 1)]


def period(name: str, days: str) -> HolidayPeriod:
    """ "元旦 New Year's Day": "2026-01-01..2026-01-03; work 2026-01-04 (Sun)"."""
    first, _, last = days.split(";")[0].strip().partition("..")
    return HolidayPeriod(
        name.split(" ")[0], date.fromisoformat(first), date.fromisoformat(last or first)
    )


HOLIDAY_PERIODS = [
    period(name, days) for year in holiday_calendars() for name, days in year["periods"].items()
]
PROVISIONAL_YEARS = {year["year"] for year in holiday_calendars() if year.get("provisional")}


def test_each_years_days_off_are_exactly_the_days_of_its_notices_periods() -> None:
    for year in holiday_calendars():
        from_periods = {
            day
            for name, days in year["periods"].items()
            for day in period(name, days).days()
            if day.year == year["year"]  # 2024's New Year began on 2023-12-30
        }
        assert from_periods == {d for d in PUBLIC_HOLIDAYS if d.year == year["year"]}, year["year"]


@pytest.mark.parametrize(
    ("year", "festival", "days"),
    [
        (2024, "春节", 8),
        (2025, "春节", 8),  # "自农历除夕起放假调休8天"
        (2026, "春节", 9),
        (2025, "国庆节、中秋节", 8),
        (2026, "国庆节", 7),
        (2025, "劳动节", 5),
    ],
)
def test_holiday_periods_last_as_long_as_the_notice_says(
    year: int, festival: str, days: int
) -> None:
    [period] = [p for p in HOLIDAY_PERIODS if p.name == festival and p.last.year == year]
    assert len(period.days()) == days


def test_the_calendar_covers_2024_to_2027() -> None:
    years = {p.first.year for p in HOLIDAY_PERIODS} | {p.last.year for p in HOLIDAY_PERIODS}
    assert {2024, 2025, 2026, 2027} <= years
    assert PROVISIONAL_YEARS == {2027}


def test_make_up_working_days_are_weekend_days_outside_every_holiday() -> None:
    for day in MAKE_UP_WORKING_DAYS:
        assert day.weekday() >= 5, day
        assert not is_public_holiday(day), day


def test_no_make_up_working_day_is_listed_for_a_provisional_year() -> None:
    assert not any(day.year in PROVISIONAL_YEARS for day in MAKE_UP_WORKING_DAYS)


def test_holiday_periods_do_not_overlap() -> None:
    ordered = sorted(HOLIDAY_PERIODS, key=lambda p: p.first)
    for before, after in zip(ordered, ordered[1:], strict=False):
        assert before.last < after.first


@pytest.mark.parametrize(
    "day", ["2025-01-01", "2025-01-28", "2025-02-04", "2025-10-08", "2026-02-23", "2024-06-08"]
)
def test_public_holidays(day: str) -> None:
    assert is_public_holiday(date.fromisoformat(day))
    assert not is_ordinary_working_day(date.fromisoformat(day))


@pytest.mark.parametrize("day", ["2025-01-02", "2025-10-09", "2026-02-24", "2025-12-31"])
def test_days_after_a_holiday_are_ordinary(day: str) -> None:
    assert not is_public_holiday(date.fromisoformat(day))


@pytest.mark.parametrize(
    ("make_up", "stand_in"),
    [
        ("2025-09-28", "2025-09-29"),  # Sunday -> the Monday after
        ("2025-10-11", "2025-10-10"),  # Saturday -> the Friday before
        ("2025-01-26", "2025-01-27"),
        ("2025-02-08", "2025-02-07"),
        ("2026-02-14", "2026-02-13"),  # the Saturday before the Spring Festival
        ("2026-01-04", "2026-01-05"),
    ],
)
def test_a_make_up_working_day_keeps_the_nearest_ordinary_working_day(
    make_up: str, stand_in: str
) -> None:
    day = date.fromisoformat(make_up)
    assert is_make_up_working_day(day)
    assert stand_in_working_day(day) == date.fromisoformat(stand_in)


def test_every_make_up_day_has_a_stand_in_within_three_days() -> None:
    for day in MAKE_UP_WORKING_DAYS:
        assert abs(stand_in_working_day(day) - day) <= timedelta(days=3)
