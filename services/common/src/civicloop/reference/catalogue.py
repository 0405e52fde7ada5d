"""The city's reference data shared by every service: communities and petition categories."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


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
