"""The data files dispatch ships with agree with each other and with the city's reference data."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from civicloop.reference.catalogue import categories, communities, holiday_calendars

DATA = Path(__file__).parents[2] / "src/civicloop/dispatch/data"
KINDS = {"line", "subdistrict", "fallback", "utility"}
CODE = re.compile(r"[a-z][a-z0-9_]{1,31}")  # the proto: lower snake case, 2..32 characters


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text("utf-8"))


DEPARTMENTS: list[dict[str, Any]] = load("departments.json")["departments"]
BY_CODE = {d["code"]: d for d in DEPARTMENTS}
CATALOGUE: dict[str, Any] = load("duty_catalogue.json")
RULES: list[dict[str, Any]] = CATALOGUE["rules"]
REASONS: list[dict[str, Any]] = load("return_reasons.json")["reasons"]


def departments_named(rule: dict[str, Any]) -> list[str]:
    named = [rule["lead_department_code"], *rule["assisting_department_codes"]]
    if rule.get("fallback_department_code"):
        named.append(rule["fallback_department_code"])
    return named


def test_the_files_carry_a_version() -> None:
    for name in ("departments.json", "duty_catalogue.json", "return_reasons.json"):
        version = load(name)["version"]
        assert isinstance(version, int) and version >= 1, name


def test_departments_have_unique_well_formed_codes_and_a_known_kind() -> None:
    codes = [d["code"] for d in DEPARTMENTS]
    assert len(codes) == len(set(codes))
    for d in DEPARTMENTS:
        assert CODE.fullmatch(d["code"]), d["code"]
        assert d["kind"] in KINDS, d
        assert d["name"] and d["name_en"], d
        assert isinstance(d["active"], bool), d


def test_every_category_has_a_district_wide_rule() -> None:
    covered = {r["category_code"] for r in RULES if r["community_code"] == "*"}
    assert set(categories()) - covered == set()


def test_rules_name_only_known_categories_and_communities() -> None:
    for rule in RULES:
        assert rule["category_code"] in categories(), rule
        assert rule["community_code"] == "*" or rule["community_code"] in communities(), rule


def test_every_department_a_rule_names_exists_and_is_active() -> None:
    for rule in RULES:
        for code in departments_named(rule):
            assert code in BY_CODE, (code, rule)
            assert BY_CODE[code]["active"], (code, rule)


def test_a_rule_never_lists_its_lead_among_the_assisting_departments() -> None:
    for rule in RULES:
        assisting = rule["assisting_department_codes"]
        assert rule["lead_department_code"] not in assisting, rule
        assert len(assisting) == len(set(assisting)) <= 10, rule


def test_the_district_fallback_unit_exists_and_is_of_kind_fallback() -> None:
    fallback = BY_CODE[CATALOGUE["fallback_department_code"]]
    assert fallback["kind"] == "fallback"
    assert fallback["active"]


def test_other_goes_to_the_district_fallback_unit() -> None:
    leads = {r["lead_department_code"] for r in RULES if r["category_code"] == "other"}
    assert leads == {CATALOGUE["fallback_department_code"]}


def test_a_rule_fallback_is_a_fallback_or_subdistrict_unit_other_than_the_lead() -> None:
    for rule in RULES:
        code = rule.get("fallback_department_code")
        if code:
            assert BY_CODE[code]["kind"] in {"fallback", "subdistrict"}, rule
            assert code != rule["lead_department_code"], rule


def test_a_subdistrict_office_is_named_only_for_its_own_communities() -> None:
    for rule in RULES:
        for code in departments_named(rule):
            if BY_CODE[code]["kind"] != "subdistrict":
                continue
            assert rule["community_code"] != "*", (code, rule)
            street = communities()[rule["community_code"]].street
            assert street and street in BY_CODE[code]["name"], (code, rule)


def test_exactly_one_category_is_ambiguous_and_it_is_shared_amenity() -> None:
    leads: dict[tuple[str, str], set[str]] = defaultdict(set)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for rule in RULES:
        key = (rule["category_code"], rule["community_code"])
        leads[key].add(rule["lead_department_code"])
        counts[key] += 1
    ambiguous = {key for key, n in counts.items() if n > 1}
    assert ambiguous == {("shared_amenity", "*")}
    assert leads[("shared_amenity", "*")] == {"civil_affairs", "culture_tourism"}


def test_return_reasons_have_unique_codes_and_both_labels() -> None:
    codes = [r["code"] for r in REASONS]
    assert len(codes) == len(set(codes))
    assert set(codes) == {
        "not_our_duty",
        "outside_jurisdiction",
        "insufficient_information",
        "duplicate_case",
        "needs_several_departments",
        "already_resolved",
        "other",
    }
    for reason in REASONS:
        assert reason["name"] and reason["name_en"], reason
        assert isinstance(reason["requires_text"], bool), reason


@pytest.mark.parametrize("code", ["other", "needs_several_departments"])
def test_some_return_reasons_require_an_explanation(code: str) -> None:
    assert next(r for r in REASONS if r["code"] == code)["requires_text"] is True


@pytest.mark.parametrize("raw", holiday_calendars(), ids=lambda raw: str(raw["year"]))
def test_each_year_s_calendar_is_well_formed(raw: dict[str, Any]) -> None:
    year = raw["year"]
    holidays = [date.fromisoformat(d) for d in raw["holidays"]]
    makeup = [date.fromisoformat(d) for d in raw["makeup_workdays"]]
    assert all(d.year == year for d in holidays + makeup)
    assert holidays == sorted(set(holidays)) and makeup == sorted(set(makeup))
    assert not set(holidays) & set(makeup)
    assert all(d.weekday() >= 5 for d in makeup)
    assert raw["_comment"]
