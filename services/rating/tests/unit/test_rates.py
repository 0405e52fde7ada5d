"""The three rates' arithmetic and the month range GetRates reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civicloop.platform.errors import InvalidArgument
from civicloop.rating.domain.rates import Counts, month_of, month_range

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def test_a_rate_with_nothing_counted_is_zero_not_an_error() -> None:
    assert Counts().satisfaction_rate == 0.0
    counts = Counts(rated=4, satisfied=3, completed=5, on_time=4, closed=2, resolved=1)
    assert (counts.satisfaction_rate, counts.on_time_rate, counts.resolution_rate) == (
        0.75,
        0.8,
        0.5,
    )


def test_months_are_shanghai_months() -> None:
    assert month_of(datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == "2026-12"
    assert month_of(datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == "2026-11"


def test_no_range_is_the_twelve_months_to_this_one() -> None:
    assert month_range("", "", NOW) == ("2026-01", "2026-12")
    assert month_range("", "2026-03", NOW) == ("2025-04", "2026-03")


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-13", "", "from_month"),
        ("2026-05", "2026-04", "from_month"),
        ("", "26-1", "to_month"),
        ("2020-01", "2025-02", "from_month"),
    ],
)
def test_a_bad_range_names_its_field(start: str, end: str, field: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        month_range(start, end, NOW)
    assert refused.value.violations[0].field == field
