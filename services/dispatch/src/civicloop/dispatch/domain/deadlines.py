"""Deadlines for 接单 (accept) and 办结 (complete), counted on the city's calendar, and the
督办 escalation ladder that follows a missed deadline.

Pure: no clock, no files, no tz database. The caller reads ``data/calendar-YYYY.json`` and the
policy from its settings, parses the JSON and hands the mapping to ``from_mapping``; "now" is
always an argument. Every datetime in and out is timezone-aware (UTC out); a naive one is a bug
in the caller and is refused with ValueError.

Configuration errors (a bad policy or calendar mapping) raise ValueError whose message starts
with the offending key, e.g. ``complete.general: ...``, so that a service fails at start with a
message an operator can act on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Literal

from civicloop.platform.domain import Urgency

# Mainland China has kept UTC+8 all year since 1991, so a fixed offset is exact for every date
# the service meets, and needs no tz database (slim images lack one; reading it is I/O).
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
# A case that arrives on a day off counts from the next working day at this local time.
WORKDAY_START = time(9, 0)


Unit = Literal["minutes", "hours", "calendar_days", "working_days"]
DeadlineKind = Literal["accept", "complete"]

_SUFFIXES: dict[str, Unit] = {
    "m": "minutes",
    "h": "hours",
    "d": "calendar_days",
    "wd": "working_days",
}
_SUFFIX_OF: dict[Unit, str] = {unit: suffix for suffix, unit in _SUFFIXES.items()}
# About a year in every unit: a longer window is a configuration mistake, not a deadline.
_MAX_AMOUNT: dict[Unit, int] = {
    "minutes": 366 * 24 * 60,
    "hours": 366 * 24,
    "calendar_days": 366,
    "working_days": 250,
}
_WINDOW = re.compile(r"([0-9]+)(m|h|d|wd)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Window:
    """A span of time allowed for one step: ``30m``, ``2h``, ``24h``, ``7d``, ``7wd``, ``15wd``.

    ``d`` is calendar days, ``wd`` working days (see ``WorkCalendar.add``).
    """

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.unit not in _MAX_AMOUNT:
            raise ValueError(f"unit must be one of {', '.join(_MAX_AMOUNT)}, not {self.unit!r}")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise ValueError(f"amount must be a whole number, not {self.amount!r}")
        if not 1 <= self.amount <= _MAX_AMOUNT[self.unit]:
            raise ValueError(
                f"amount must be between 1 and {_MAX_AMOUNT[self.unit]} {self.unit},"
                f" not {self.amount}"
            )

    @classmethod
    def parse(cls, text: str) -> Window:
        """``"7wd"`` -> ``Window(7, "working_days")``; ValueError on anything else."""
        match = _WINDOW.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise ValueError(
                f"{text!r} is not a window: write a whole number and a unit,"
                " m (minutes), h (hours), d (calendar days) or wd (working days),"
                " e.g. '30m', '24h', '7wd'"
            )
        return cls(int(match.group(1)), _SUFFIXES[match.group(2)])

    def __str__(self) -> str:
        return f"{self.amount}{_SUFFIX_OF[self.unit]}"


@dataclass(frozen=True)
class DeadlinePolicy:
    """The window for each step by urgency. ``accept`` runs from dispatch to 接单,
    ``complete`` from 接单 to completion. Every urgency must have both."""

    accept: dict[Urgency, Window]
    complete: dict[Urgency, Window]

    def __post_init__(self) -> None:
        for kind, windows in (("accept", self.accept), ("complete", self.complete)):
            missing = [u.value for u in Urgency if u not in windows]
            if missing:
                raise ValueError(f"{kind}: no window for {', '.join(missing)}")

    def window(self, urgency: Urgency, kind: DeadlineKind) -> Window:
        if kind == "accept":
            return self.accept[Urgency(urgency)]
        if kind == "complete":
            return self.complete[Urgency(urgency)]
        raise ValueError(f"kind must be 'accept' or 'complete', not {kind!r}")

    @classmethod
    def default(cls) -> DeadlinePolicy:
        """12345 hotline practice: complete an emergency in 2 h, a utilities failure in 24 h,
        a general case in 7 (working) days, a complex one in 15; accept well before that."""
        return cls(
            accept={
                Urgency.EMERGENCY: Window(30, "minutes"),
                Urgency.UTILITIES: Window(2, "hours"),
                Urgency.GENERAL: Window(1, "working_days"),
                Urgency.COMPLEX: Window(2, "working_days"),
            },
            complete={
                Urgency.EMERGENCY: Window(2, "hours"),
                Urgency.UTILITIES: Window(24, "hours"),
                Urgency.GENERAL: Window(7, "working_days"),
                Urgency.COMPLEX: Window(15, "working_days"),
            },
        )

    @classmethod
    def from_mapping(cls, raw: Mapping[str, object]) -> DeadlinePolicy:
        """Parse ``{"accept": {"emergency": "30m", ...}, "complete": {...}}``.

        Both sections and all four urgencies are required (no silent defaults); unknown keys
        are refused. Errors name the key, e.g. ``complete.general: '7x' is not a window``.
        """
        if not isinstance(raw, Mapping):
            raise ValueError(f"deadline policy must be a mapping, not {type(raw).__name__}")
        unknown = sorted(set(raw) - {"accept", "complete"})
        if unknown:
            raise ValueError(f"{unknown[0]}: unknown key; expected 'accept' and 'complete'")
        sections: dict[str, dict[Urgency, Window]] = {}
        for kind in ("accept", "complete"):
            if kind not in raw:
                raise ValueError(f"{kind}: missing; give a window for every urgency")
            section = raw[kind]
            if not isinstance(section, Mapping):
                raise ValueError(f"{kind}: must be a mapping of urgency to window")
            windows: dict[Urgency, Window] = {}
            for key, value in section.items():
                try:
                    urgency = Urgency(key)
                except ValueError:
                    raise ValueError(
                        f"{kind}.{key}: unknown urgency; expected one of"
                        f" {', '.join(u.value for u in Urgency)}"
                    ) from None
                if not isinstance(value, str):
                    raise ValueError(f"{kind}.{key}: must be a string like '24h' or '7wd'")
                try:
                    windows[urgency] = Window.parse(value)
                except ValueError as error:
                    raise ValueError(f"{kind}.{key}: {error}") from None
            for urgency in Urgency:
                if urgency not in windows:
                    raise ValueError(f"{kind}.{urgency.value}: missing")
            sections[kind] = windows
        return cls(accept=sections["accept"], complete=sections["complete"])

    def to_mapping(self) -> dict[str, dict[str, str]]:
        """The inverse of ``from_mapping``."""
        return {
            "accept": {u.value: str(self.accept[u]) for u in Urgency},
            "complete": {u.value: str(self.complete[u]) for u in Urgency},
        }


def _aware_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _parse_dates(raw: Mapping[str, object], key: str, year: int | None) -> frozenset[date]:
    if key not in raw:
        raise ValueError(f"{key}: missing; give a list of dates 'YYYY-MM-DD' (may be empty)")
    values = raw[key]
    if not isinstance(values, list):
        raise ValueError(f"{key}: must be a list of dates 'YYYY-MM-DD'")
    days: set[date] = set()
    for index, value in enumerate(values):
        where = f"{key}[{index}]"
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise ValueError(f"{where}: {value!r} is not a date 'YYYY-MM-DD'")
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{where}: {value!r} is not a date 'YYYY-MM-DD'") from None
        if year is not None and day.year != year:
            raise ValueError(f"{where}: {value} is not in the calendar's year {year}")
        days.add(day)
    return frozenset(days)


@dataclass(frozen=True)
class WorkCalendar:
    """Which local (Asia/Shanghai) dates are working days.

    Monday to Friday are working days unless listed in ``holidays``; Saturday and Sunday are
    days off unless listed in ``makeup_workdays`` (调休上班). Dates outside the loaded files
    follow the weekend rule only, so load next year's file as soon as it is published.
    """

    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        both = sorted(self.holidays & self.makeup_workdays)
        if both:
            raise ValueError(f"{both[0]} is both a holiday and a makeup workday")
        weekdays = sorted(d for d in self.makeup_workdays if d.weekday() < 5)
        if weekdays:
            raise ValueError(f"makeup workday {weekdays[0]} is a weekday, not a weekend day")

    @classmethod
    def from_mapping(cls, raw: Mapping[str, object]) -> WorkCalendar:
        """Parse a calendar file: ``{"year": 2026, "holidays": [...], "makeup_workdays": [...]}``.

        ``year`` is optional; when given, every date must fall in it. Other keys (``_comment``,
        ``periods``) are ignored.
        """
        if not isinstance(raw, Mapping):
            raise ValueError(f"calendar must be a mapping, not {type(raw).__name__}")
        year = raw.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise ValueError(f"year: must be a whole number like 2026, not {year!r}")
        holidays = _parse_dates(raw, "holidays", year)
        makeup = _parse_dates(raw, "makeup_workdays", year)
        both = sorted(holidays & makeup)
        if both:
            raise ValueError(f"makeup_workdays: {both[0]} is also listed in holidays")
        weekdays = sorted(d for d in makeup if d.weekday() < 5)
        if weekdays:
            raise ValueError(f"makeup_workdays: {weekdays[0]} is a weekday, not a weekend day")
        return cls(holidays=holidays, makeup_workdays=makeup)

    def merged(self, other: WorkCalendar) -> WorkCalendar:
        """Both calendars at once (e.g. this year's file and next year's)."""
        return WorkCalendar(
            holidays=self.holidays | other.holidays,
            makeup_workdays=self.makeup_workdays | other.makeup_workdays,
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add(self, start: datetime, window: Window) -> datetime:
        """The instant ``window`` after ``start`` (aware; the result is in UTC).

        - minutes, hours and calendar days add plainly: an emergency does not wait for Monday;
        - working days are counted on local (Asia/Shanghai) dates: the deadline is the same
          local time of day on the N-th working day after the start date (accepted Monday
          10:15 with 7wd -> due Wednesday of the next week at 10:15). A start outside office
          hours on a working day keeps its time of day (Friday 22:00 + 1wd -> Monday 22:00);
        - a start on a day off (weekend, holiday) counts as if it came at 09:00 local on the
          next working day (Sunday 15:00 + 1wd -> Tuesday 09:00, the same as Monday 09:00).
        """
        start_utc = _aware_utc(start, "start")
        if window.unit == "minutes":
            return start_utc + timedelta(minutes=window.amount)
        if window.unit == "hours":
            return start_utc + timedelta(hours=window.amount)
        if window.unit == "calendar_days":
            return start_utc + timedelta(days=window.amount)
        local = start_utc.astimezone(SHANGHAI)
        day, time_of_day = local.date(), local.time()
        if not self.is_working_day(day):
            day, time_of_day = self.next_working_day(day), WORKDAY_START
        for _ in range(window.amount):
            day = self.next_working_day(day)
        return datetime.combine(day, time_of_day, SHANGHAI).astimezone(UTC)


def due_at(
    policy: DeadlinePolicy,
    calendar: WorkCalendar,
    urgency: Urgency,
    kind: DeadlineKind,
    start: datetime,
) -> datetime:
    """When the ``kind`` step of a case of this urgency is due, if its window opens at
    ``start`` (dispatch for ``accept``, 接单 for ``complete``). Aware in, UTC out."""
    return calendar.add(start, policy.window(urgency, kind))


# ---- 督办: the escalation ladder ----


class Rung(StrEnum):
    """The 督办 ladder, mildest first. Compare rungs by ``rank``, never by value: as strings
    "notice" < "office_supervision" < "reminder"."""

    REMINDER = "reminder"  # 提醒
    NOTICE = "notice"  # 通报 / 催办
    OFFICE_SUPERVISION = "office_supervision"  # 督办: the office takes the case in hand

    @property
    def rank(self) -> int:
        """0 for the mildest rung, 2 for the sharpest."""
        return LADDER.index(self)


LADDER: tuple[Rung, ...] = (Rung.REMINDER, Rung.NOTICE, Rung.OFFICE_SUPERVISION)


@dataclass(frozen=True)
class EscalationLadder:
    """When each rung is due, in percent of the step's own window (due - window_start),
    counted from the deadline: 0 is the deadline itself, 50 half a window later, a negative
    value before the deadline (-20: when 80% of the allowed time is used). Must increase.

    Proportional, not fixed, on purpose: an emergency's 2 h window should not wait a day for
    its notice, and a complex case's 15 working days should not reach the office an hour after
    its deadline. Each rung comes as late, relative to the time the department was given, for
    every urgency. Wall-clock time: a working-day window spanning a weekend counts it.
    """

    reminder: int = 0
    notice: int = 50
    office_supervision: int = 100

    def __post_init__(self) -> None:
        values = (self.reminder, self.notice, self.office_supervision)
        for rung, value in zip(LADDER, values, strict=True):
            if isinstance(value, bool) or not isinstance(value, int) or not -100 <= value <= 1000:
                raise ValueError(f"{rung.value}: must be a whole percent in -100..1000")
        if not self.reminder < self.notice < self.office_supervision:
            raise ValueError("reminder < notice < office_supervision must hold")

    def percent(self, rung: Rung) -> int:
        return (self.reminder, self.notice, self.office_supervision)[Rung(rung).rank]


# reminder at the deadline, notice half a window later, the office a whole window later.
DEFAULT_LADDER = EscalationLadder()


def rung_due(
    due: datetime,
    window_start: datetime,
    rung: Rung,
    ladder: EscalationLadder = DEFAULT_LADDER,
) -> datetime:
    """When ``rung`` is reached for a deadline ``due`` whose window opened at ``window_start``.

    With the default ladder: reminder = due, notice = due + 50% of (due - window_start),
    office_supervision = due + 100% of it. An approved extension moves ``due`` and keeps
    ``window_start``, so the rungs move with it.
    """
    due_utc = _aware_utc(due, "due")
    start_utc = _aware_utc(window_start, "window_start")
    window = due_utc - start_utc
    if window < timedelta(0):
        raise ValueError(
            f"due {due_utc.isoformat()} is before window_start {start_utc.isoformat()}"
        )
    return due_utc + window * ladder.percent(rung) / 100
