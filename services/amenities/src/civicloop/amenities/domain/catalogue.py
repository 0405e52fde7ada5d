"""一社区一共享: each community's sharing point, what it shares, and the month's themed event.

The data is the packaged ``data/catalogue.json``; the registered amenities of a community are
added by the caller (they live in the registry). Pure once loaded: no clock, no I/O here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from civicloop.reference.catalogue import communities


@dataclass(frozen=True)
class Item:
    title: str
    title_en: str


@dataclass(frozen=True)
class MonthlyEvent:
    month: int  # 1..12
    title: str
    title_en: str
    community_planned: bool  # False: the city's theme for the month


@dataclass(frozen=True)
class CommunityCatalogue:
    code: str
    name: str
    name_en: str
    sharing_point: str
    sharing_point_en: str
    shares: tuple[Item, ...]
    events: tuple[MonthlyEvent, ...]  # January to December

    def event_of(self, month: int) -> MonthlyEvent:
        return self.events[month - 1]


def build_catalogue(raw: Mapping[str, Any]) -> dict[str, CommunityCatalogue]:
    """Every community of the city's registry, with its own entry where it has one."""
    themes = raw["city_themes"]
    if sorted(themes, key=int) != [str(m) for m in range(1, 13)]:
        raise ValueError("city_themes must name the twelve months 1..12")
    entries = raw["communities"]
    unknown = sorted(set(entries) - set(communities()))
    if unknown:
        raise ValueError(f"catalogue names unknown communities: {', '.join(unknown)}")
    catalogue = {}
    for code, community in communities().items():
        entry = entries.get(code, {})
        own = entry.get("events", {})
        events = tuple(
            MonthlyEvent(m, *_titles(own.get(str(m)) or themes[str(m)]), str(m) in own)
            for m in range(1, 13)
        )
        catalogue[code] = CommunityCatalogue(
            code=code,
            name=community.name,
            name_en=community.name_en,
            sharing_point=entry.get("sharing_point", f"{community.name}幸福共享家"),
            sharing_point_en=entry.get("sharing_point_en", f"{community.name_en} sharing point"),
            shares=tuple(Item(*_titles(s)) for s in entry.get("shares", [])),
            events=events,
        )
    return catalogue


def _titles(entry: Mapping[str, str]) -> tuple[str, str]:
    return entry["title"], entry["title_en"]


@cache
def catalogue() -> dict[str, CommunityCatalogue]:
    text = resources.files("civicloop.amenities.data").joinpath("catalogue.json").read_text()
    return build_catalogue(json.loads(text))
