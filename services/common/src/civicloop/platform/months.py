"""Months as the city counts them: Asia/Shanghai calendar months, written "YYYY-MM". Pure."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from civicloop.platform.errors import InvalidArgument

# China keeps one offset all year (no daylight saving).
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def month_of(at: datetime) -> str:
    local = at.astimezone(SHANGHAI)
    return f"{local.year:04d}-{local.month:02d}"


def parse_month(value: str, field: str) -> tuple[int, int]:
    match = MONTH.fullmatch(value)
    if match is None:
        raise InvalidArgument.of(field, "must be a month, YYYY-MM")
    return int(match[1]), int(match[2])


def month_bounds(month: str, field: str = "month") -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in Shanghai time."""
    year, number = parse_month(month, field)
    start = datetime(year, number, 1, tzinfo=SHANGHAI)
    return start, (start + timedelta(days=32)).replace(day=1)
