"""一社区一共享: the community catalogue (domain/catalogue.py)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from civicloop.amenities.domain.catalogue import build_catalogue, catalogue
from civicloop.reference.catalogue import communities


def test_every_community_has_a_catalogue_with_twelve_months() -> None:
    every = catalogue()
    assert set(every) == set(communities())
    assert all(len(c.events) == 12 for c in every.values())


def test_a_named_community_has_its_own_sharing_point_list_and_events() -> None:
    c001 = catalogue()["C001"]
    assert c001.name == "翔凤桥社区" and c001.sharing_point == "翔凤桥社区幸福共享家"
    assert any(item.title == "共享工具箱" for item in c001.shares)
    assert c001.event_of(12).community_planned
    # A month the community has not planned shows the city's theme.
    assert not c001.event_of(3).community_planned
    assert c001.event_of(3).title == "学雷锋志愿服务月"


def test_a_community_without_an_entry_gets_the_citys_themes() -> None:
    placeholder = next(
        code for code in communities() if code not in {f"C00{i}" for i in range(1, 6)}
    )
    entry = catalogue()[placeholder]
    assert entry.shares == ()
    assert [e.community_planned for e in entry.events] == [False] * 12


def raw() -> dict[str, Any]:
    import json
    from importlib import resources

    text = resources.files("civicloop.amenities.data").joinpath("catalogue.json").read_text()
    return dict(json.loads(text))


def test_a_catalogue_missing_a_month_or_naming_an_unknown_community_is_refused() -> None:
    missing = copy.deepcopy(raw())
    del missing["city_themes"]["7"]
    with pytest.raises(ValueError, match="twelve months"):
        build_catalogue(missing)
    unknown = copy.deepcopy(raw())
    unknown["communities"]["X999"] = {}
    with pytest.raises(ValueError, match="X999"):
        build_catalogue(unknown)
