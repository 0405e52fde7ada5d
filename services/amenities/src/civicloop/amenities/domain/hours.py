"""Opening hours (OpenStreetMap syntax) evaluated in Asia/Shanghai.

Provisional: the interface engineer P's module provides (with the Chinese public holiday
calendar for PH); replaced by it on merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from zoneinfo import ZoneInfo

import opening_hours

SHANGHAI = ZoneInfo("Asia/Shanghai")


class InvalidHours(ValueError):
    pass


class OpenStatus(Enum):
    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class OpeningHours:
    text: str

    def _parsed(self) -> opening_hours.OpeningHours:
        return opening_hours.OpeningHours(self.text, timezone=SHANGHAI)

    def status_at(self, at: datetime) -> OpenStatus:
        state, _comment = self._parsed().state(at.astimezone(SHANGHAI))
        return {
            opening_hours.State.OPEN: OpenStatus.OPEN,
            opening_hours.State.CLOSED: OpenStatus.CLOSED,
        }.get(state, OpenStatus.UNKNOWN)

    def next_change(self, at: datetime) -> datetime | None:
        return self._parsed().next_change(at.astimezone(SHANGHAI))


def parse_hours(text: str) -> OpeningHours:
    try:
        opening_hours.OpeningHours(text, timezone=SHANGHAI)
    except Exception as exc:  # the library raises its ParserError (not in its stubs)
        lines = [line.strip(" =") for line in str(exc).splitlines() if "expected" in line]
        raise InvalidHours(lines[0] if lines else "cannot be parsed") from None
    return OpeningHours(text)
