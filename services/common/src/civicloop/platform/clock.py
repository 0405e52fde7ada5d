"""The time a service believes it is: the system clock, or a file the tests move forward."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

Clock = Callable[[], datetime]
log = logging.getLogger(__name__)


def system_clock() -> datetime:
    return datetime.now(UTC)


class FileClock:
    """Reads an ISO 8601 timestamp from a file at every call; the system time while the file
    is missing or empty. Lets an integration test move a real process's clock forward."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> datetime:
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            text = ""
        if not text:
            return system_clock()
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return at if at.tzinfo else at.replace(tzinfo=UTC)


def clock_from(path: Path | None) -> Clock:
    if path is None:
        return system_clock
    log.warning("the clock is read from %s: for tests only", path)
    return FileClock(path)
