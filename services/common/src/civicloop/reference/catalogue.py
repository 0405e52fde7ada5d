"""The city's reference data shared by every service: communities, petition categories and
the State Council's holiday calendar."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Community:
    code: str
    name: str
    name_en: str
    street: str | None
    # WGS-84; known for the communities the city has surveyed, else None.
    centroid: tuple[float, float] | None = None


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    name_en: str
    group: str
    default_urgency: str


def _load(name: str) -> dict[str, object]:
    data = json.loads(resources.files("civicloop.reference").joinpath(name).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


@cache
def communities() -> dict[str, Community]:
    raw = _load("communities.json")["communities"]
    assert isinstance(raw, list)
    return {
        c["code"]: Community(
            c["code"],
            c["name"],
            c["name_en"],
            c["street"],
            (c["centroid"]["latitude"], c["centroid"]["longitude"]) if c.get("centroid") else None,
        )
        for c in raw
    }


@cache
def categories() -> dict[str, Category]:
    raw = _load("categories.json")["categories"]
    assert isinstance(raw, list)
    return {
        c["code"]: Category(c["code"], c["name"], c["name_en"], c["group"], c["default_urgency"])
        for c in raw
    }


@cache
def holiday_calendars() -> tuple[dict[str, Any], ...]:
    """Each year's holiday calendar (calendar-<year>.json), oldest first: the days off of each
    festival's period and the weekend days worked for them, as the State Council publishes
    them. Dispatch counts working days by them, amenities reads ``PH`` by them."""
    files = sorted(
        entry.name
        for entry in resources.files("civicloop.reference").iterdir()
        if entry.name.startswith("calendar-") and entry.name.endswith(".json")
    )
    return tuple(_load(name) for name in files)
