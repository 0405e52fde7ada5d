"""The three rates, as the contract defines them (rating.proto, RateRow). Pure arithmetic.

- satisfaction: ratings with score >= 3 / ratings given in the period (by rated_at);
- on-time: rounds completed by the completion deadline in force, extensions included /
  rounds completed in the period (by completed_at);
- resolution: cases closed without an unsatisfied rating in their last round (outcomes
  "rated" and "rating_expired") / cases closed in the period (by closed_at); an office
  decision counts as unresolved.

Months are Asia/Shanghai calendar months, "YYYY-MM".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from civicloop.platform.errors import InvalidArgument
from civicloop.platform.months import SHANGHAI, month_of, parse_month

__all__ = ["SHANGHAI", "Counts", "month_of", "month_range", "parse_month"]
MAX_MONTHS = 60


def _months_between(first: tuple[int, int], last: tuple[int, int]) -> int:
    return (last[0] - first[0]) * 12 + last[1] - first[1] + 1


def month_range(from_month: str, to_month: str, now: datetime) -> tuple[str, str]:
    """The inclusive range asked for: no end is the current month, no start 12 months
    before the end (the end's month included); at most 60 months."""
    last = parse_month(to_month, "to_month") if to_month else parse_month(month_of(now), "now")
    if from_month:
        first = parse_month(from_month, "from_month")
    else:
        index = last[0] * 12 + last[1] - 1 - 11
        first = (index // 12, index % 12 + 1)
    span = _months_between(first, last)
    if span < 1:
        raise InvalidArgument.of("from_month", "must not be after to_month")
    if span > MAX_MONTHS:
        raise InvalidArgument.of("from_month", f"at most {MAX_MONTHS} months")
    return f"{first[0]:04d}-{first[1]:02d}", f"{last[0]:04d}-{last[1]:02d}"


def rate(part: int, whole: int) -> float:
    """part / whole, 0 when nothing was counted (shown as "n/a" by readers)."""
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class Counts:
    """What the three rates of one group are computed from."""

    rated: int = 0
    satisfied: int = 0
    completed: int = 0
    on_time: int = 0
    closed: int = 0
    resolved: int = 0

    @property
    def satisfaction_rate(self) -> float:
        return rate(self.satisfied, self.rated)

    @property
    def on_time_rate(self) -> float:
        return rate(self.on_time, self.completed)

    @property
    def resolution_rate(self) -> float:
        return rate(self.resolved, self.closed)
