"""Opening hours: OpenStreetMap `opening_hours`, evaluated in Asia/Shanghai with China's calendar.

The expression is parsed and evaluated by opening-hours-py (the Rust evaluator of the OSM
syntax). Two things are the city's own and are settled here:

- `PH` is China's public holidays, not the library's built-in calendar: before evaluation every
  `PH` becomes the explicit dates of the holiday periods in domain/holidays.py (a rule
  "Mo-Fr,PH 09:00-12:00" becomes "Mo-Fr 09:00-12:00; <dates> 09:00-12:00"), so the evaluator
  sees real dates and handles the nights around a holiday as it handles any other date. `PH`
  may stand alone at the start of a rule or in its leading list of days ("PH off",
  "Sa,Su,PH 10:00-16:00"); other placements are refused with a message that says so.
- A make-up working day (调休上班) counts as a working day for places that keep the official
  calendar, i.e. whose expression mentions `PH`: on that day they keep the hours of the
  stand-in working day (holidays.stand_in_working_day). Places whose hours say nothing of `PH`
  are read as written.

A rule for a day owns that day, including the early hours that an earlier rule's evening runs
into: "Mo-Su 20:00-02:00; PH off" is closed from midnight on the holiday, while the night after
the holiday, 00:00-02:00, still belongs to the first rule's holiday evening (rules are
evaluated one by one, each with its own overnight part, as the OSM evaluator does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours

from civicloop.amenities.domain.holidays import (
    MAKE_UP_WORKING_DAYS,
    holiday_ranges,
    is_make_up_working_day,
    stand_in_working_day,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_LENGTH = 255
# A change further away than this is reported as "no change" (None); it also bounds the
# evaluator's search, which matters for FindNearby's latency.
HORIZON_DAYS = 366
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PH = re.compile(r"(?<![A-Za-z])PH(?![A-Za-z])")
_LEADING_DAYS = re.compile(
    r"^(?P<days>[A-Za-z0-9\[\]\-]+(?:,[A-Za-z0-9\[\]\-]+)*)(?P<rest>.*)$", re.S
)
_OFFSET = re.compile(r"^\s*[+-]\s*\d+\s*days?\b")


# The evaluator raises its own ParserError (not in its type stubs) for a malformed value.
_PARSE_ERRORS: tuple[type[Exception], ...] = (
    SyntaxError,
    getattr(opening_hours, "ParserError", SyntaxError),
)


class InvalidHours(ValueError):
    """An opening_hours value that cannot be used; the message says what is wrong."""


class OpenStatus(Enum):
    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


_STATES = {
    opening_hours.State.OPEN: OpenStatus.OPEN,
    opening_hours.State.CLOSED: OpenStatus.CLOSED,
    opening_hours.State.UNKNOWN: OpenStatus.UNKNOWN,
}


@dataclass(frozen=True)
class OpeningHours:
    """A validated opening_hours value. Build it with parse_hours()."""

    text: str

    @property
    def keeps_official_calendar(self) -> bool:
        return _compiled(self.text).keeps_official_calendar

    def status_at(self, at: datetime) -> OpenStatus:
        state, _ = _compiled(self.text).piece(_local(at))
        return state

    def next_change(self, at: datetime) -> datetime | None:
        """When the status next differs from status_at(at), in Asia/Shanghai; None when it
        does not change within a year (e.g. "24/7", "off")."""
        compiled = _compiled(self.text)
        cursor = _local(at)
        start, end = compiled.piece(cursor)
        limit = cursor + timedelta(days=HORIZON_DAYS)
        while end is not None and end <= limit:
            state, following = compiled.piece(end)
            if state is not start:
                return end
            end = following
        return None


def parse_hours(text: str) -> OpeningHours:
    """Validate an opening_hours value; raises InvalidHours saying what is wrong."""
    if not text or not text.strip():
        raise InvalidHours('opening hours are required, e.g. "Mo-Su 08:00-21:00"')
    if len(text) > MAX_LENGTH:
        raise InvalidHours(f"opening hours are at most {MAX_LENGTH} characters")
    _compiled(text)
    return OpeningHours(text)


@dataclass(frozen=True)
class _Compiled:
    evaluator: opening_hours.OpeningHours
    keeps_official_calendar: bool

    def piece(self, at: datetime) -> tuple[OpenStatus, datetime | None]:
        """The status at `at` (local time) and when the stretch of it that starts at `at`
        ends: the evaluator's next change, cut at the edges of make-up working days."""
        day = at.date()
        if self.keeps_official_calendar and is_make_up_working_day(day):
            shift = datetime.combine(stand_in_working_day(day), time(), SHANGHAI) - _midnight(day)
            state, change = self._evaluate(at + shift)
            day_end = _midnight(day + timedelta(1))
            return state, day_end if change is None else min(change - shift, day_end)
        state, change = self._evaluate(at)
        if self.keeps_official_calendar:
            edge = _next_make_up_day_start(day)
            if edge is not None and (change is None or edge < change):
                return state, edge
        return state, change

    def _evaluate(self, at: datetime) -> tuple[OpenStatus, datetime | None]:
        state, _comment = self.evaluator.state(at)
        change = self.evaluator.next_change(at)
        return _STATES[state], None if change is None else change.astimezone(SHANGHAI)


@lru_cache(maxsize=4096)
def _compiled(text: str) -> _Compiled:
    try:
        opening_hours.OpeningHours(text, auto_country=False, auto_timezone=False)
    except _PARSE_ERRORS as e:
        raise InvalidHours(f"opening hours cannot be parsed: {_describe(e)}") from None
    rewritten = _with_holiday_dates(text)
    try:
        evaluator = opening_hours.OpeningHours(
            rewritten,
            timezone=SHANGHAI,
            auto_country=False,
            auto_timezone=False,
            max_interval_days=HORIZON_DAYS,
        )
    except _PARSE_ERRORS as e:  # pragma: no cover - the rewrite keeps valid rules valid
        raise InvalidHours(f"opening hours cannot be used with PH: {_describe(e)}") from None
    return _Compiled(evaluator, keeps_official_calendar=rewritten != text)


def _describe(error: Exception) -> str:
    """The evaluator's multi-line parse report as one line: where, and what was expected."""
    report = str(error)
    where = re.search(r"--> \d+:(\d+)", report)
    expected = re.search(r"= (.+)$", report.strip())
    if where and expected:
        return f"at character {where.group(1)}, {expected.group(1)}"
    return " ".join(report.split())


def _with_holiday_dates(text: str) -> str:
    """Replace each `PH` with the dates of China's holiday periods (see the module docstring)."""
    pieces = _split_rules(text)
    if not any(_PH.search(_outside_quotes(p)) for p in pieces[::2]):
        return text
    dates = _holiday_dates()
    out: list[str] = []
    for index, piece in enumerate(pieces):
        if index % 2 or not _PH.search(_outside_quotes(piece)):
            out.append(piece)
            continue
        if index and pieces[index - 1] != ";":
            raise InvalidHours('PH is understood only in a rule that follows ";", not after "||"')
        out.append(_rule_with_dates(piece, dates))
    return "".join(out)


def _rule_with_dates(rule: str, dates: str) -> str:
    leading = len(rule) - len(rule.lstrip())
    match = _LEADING_DAYS.match(rule.strip())
    days = match.group("days").split(",") if match else []
    rest = match.group("rest") if match else ""
    if "PH" not in days or _PH.search(_outside_quotes(rest)) or _OFFSET.match(rest):
        raise InvalidHours(
            "PH is understood only at the start of a rule, alone or in its list of days, "
            'e.g. "PH off" or "Sa,Su,PH 10:00-16:00"'
        )
    others = [d for d in days if d != "PH"]
    rules = ([",".join(others) + rest] if others else []) + [dates + rest]
    return " " * leading + "; ".join(rules)


def _split_rules(text: str) -> list[str]:
    """Rules and the separators between them (";" or "||"), quoted comments left whole:
    [rule, sep, rule, sep, rule ...]."""
    pieces: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            quoted = not quoted
        elif not quoted and (ch == ";" or text.startswith("||", i)):
            separator = ";" if ch == ";" else "||"
            pieces += ["".join(current), separator]
            current = []
            i += len(separator)
            continue
        current.append(ch)
        i += 1
    pieces.append("".join(current))
    return pieces


def _outside_quotes(rule: str) -> str:
    return re.sub(r'"[^"]*"', '""', rule)


@lru_cache(maxsize=1)
def _holiday_dates() -> str:
    def osm(day: date) -> str:
        return f"{day.year}{_MONTHS[day.month - 1]}{day.day:02d}"

    return ",".join(
        osm(first) if first == last else f"{osm(first)}-{osm(last)}"
        for first, last in holiday_ranges()
    )


@lru_cache(maxsize=1)
def _make_up_days_sorted() -> tuple[date, ...]:
    return tuple(sorted(MAKE_UP_WORKING_DAYS))


def _next_make_up_day_start(after: date) -> datetime | None:
    for day in _make_up_days_sorted():
        if day > after:
            return _midnight(day)
    return None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), SHANGHAI)


def _local(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("opening hours are evaluated at a timezone-aware moment")
    return at.astimezone(SHANGHAI)
