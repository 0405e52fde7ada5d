"""The duty catalogue: which department leads a case of a category in a community.

Rules are keyed by (category, community); an empty community is the district-wide rule that
applies where a community has none of its own. A rule without a lead names the candidate
departments the office chooses among (the duty is genuinely shared), so routing leaves such
a case to the office. Where no rule matches, the district fallback unit (兜底) leads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EVERY_COMMUNITY = ""


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    name_en: str
    kind: str  # line, subdistrict, fallback, utility
    active: bool = True


@dataclass(frozen=True)
class DutyRule:
    category_code: str
    community_code: str  # EVERY_COMMUNITY for the district-wide rule
    lead_department_code: str  # empty: the office decides among the candidates
    assisting_department_codes: tuple[str, ...] = ()
    fallback_department_code: str = ""
    candidate_department_codes: tuple[str, ...] = ()
    version: int = 1

    @property
    def key(self) -> tuple[str, str]:
        return self.category_code, self.community_code


@dataclass(frozen=True)
class Route:
    """Where a case goes, in order: the lead, then (after a return) the fallback unit."""

    lead: str
    assisting: tuple[str, ...]
    fallback: str


@dataclass(frozen=True)
class NeedsOffice:
    """No single department: the office decides (reason as in CaseAwaitingOffice)."""

    reason: str
    candidates: tuple[str, ...] = ()


@dataclass
class DutyCatalogue:
    version: int
    fallback_department_code: str
    departments: dict[str, Department]
    rules: dict[tuple[str, str], DutyRule] = field(default_factory=dict)

    def rule_for(self, category: str, community: str) -> DutyRule | None:
        return self.rules.get((category, community)) or self.rules.get((category, EVERY_COMMUNITY))

    def route(self, category: str, community: str) -> Route | NeedsOffice:
        rule = self.rule_for(category, community)
        if rule is None:
            return Route(self.fallback_department_code, (), self.fallback_department_code)
        if not rule.lead_department_code:
            return NeedsOffice("ambiguous_rule", rule.candidate_department_codes)
        lead = self.departments.get(rule.lead_department_code)
        if lead is None or not lead.active:
            return NeedsOffice("no_rule")
        return Route(
            rule.lead_department_code,
            tuple(d for d in rule.assisting_department_codes if self.is_active(d)),
            rule.fallback_department_code or self.fallback_department_code,
        )

    def is_active(self, code: str) -> bool:
        department = self.departments.get(code)
        return department is not None and department.active

    @classmethod
    def from_mappings(cls, departments: dict[str, Any], catalogue: dict[str, Any]) -> DutyCatalogue:
        """Build from the parsed data files (departments.json, duty_catalogue.json).

        The file writes "*" for the district-wide rule; several rules for one key in the file
        mean the duty is shared: they become one rule without a lead, naming the candidates.
        """
        known = {
            d["code"]: Department(
                d["code"], d["name"], d.get("name_en", ""), d["kind"], d.get("active", True)
            )
            for d in departments["departments"]
        }
        grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for raw in catalogue["rules"]:
            community = "" if raw.get("community_code", "*") in ("*", "") else raw["community_code"]
            grouped.setdefault((raw["category_code"], community), []).append(raw)
        rules: dict[tuple[str, str], DutyRule] = {}
        for (category, community), raws in grouped.items():
            leads = tuple(dict.fromkeys(r["lead_department_code"] for r in raws))
            first = raws[0]
            rules[(category, community)] = DutyRule(
                category_code=category,
                community_code=community,
                lead_department_code=leads[0] if len(leads) == 1 else "",
                assisting_department_codes=tuple(first.get("assisting_department_codes", ())),
                fallback_department_code=first.get("fallback_department_code", ""),
                candidate_department_codes=leads if len(leads) > 1 else (),
            )
        return cls(
            version=int(catalogue.get("version", 1)),
            fallback_department_code=catalogue["fallback_department_code"],
            departments=known,
            rules=rules,
        )
