"""Small value types every service's domain shares. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who did something: the token subject and the role it acted under. Never personal data."""

    subject: str
    role: str
