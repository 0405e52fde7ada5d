"""派单 by the duty catalogue (domain/catalogue.py, CaseDispatch.route), checked without any I/O."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from civicloop.dispatch.domain.catalogue import (
    EVERY_COMMUNITY,
    Department,
    DutyCatalogue,
    DutyRule,
    NeedsOffice,
    Route,
)
from civicloop.dispatch.domain.deadlines import DeadlinePolicy, WorkCalendar
from civicloop.dispatch.domain.model import (
    SYSTEM,
    AssignmentState,
    CaseAwaitingOffice,
    CaseDispatch,
    CaseDispatched,
    Clockwork,
    Limits,
)
from civicloop.platform.domain import CaseList, Urgency
from civicloop.platform.errors import IllegalTransition

T0 = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing
CLOCK = Clockwork(DeadlinePolicy.default(), WorkCalendar())
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
FALLBACK = "coordination_office"


def department(code: str, kind: str = "line", *, active: bool = True) -> Department:
    return Department(code, f"{code} (zh)", code.replace("_", " "), kind, active)


def catalogue() -> DutyCatalogue:
    """A small district: streetlights have a district-wide rule and one community rule of
    their own; drainage returns go to the subdistrict (属地兜底); the shared amenity has no
    lead; noise belongs to a department that was dissolved."""
    departments = [
        department("urban_management"),
        department("housing"),
        department("water_affairs"),
        department("state_grid_power", "utility"),
        department("dujiang_subdistrict", "subdistrict"),
        department("guankou_subdistrict", "subdistrict"),
        department(FALLBACK, "fallback"),
        department("environment_bureau", active=False),
    ]
    rules = [
        DutyRule("streetlight", EVERY_COMMUNITY, "urban_management", ("state_grid_power",)),
        DutyRule("streetlight", "C001", "dujiang_subdistrict", ("urban_management",)),
        DutyRule(
            "drainage",
            EVERY_COMMUNITY,
            "water_affairs",
            ("housing", "environment_bureau"),
            fallback_department_code="guankou_subdistrict",
        ),
        DutyRule(
            "shared_amenity",
            EVERY_COMMUNITY,
            "",
            candidate_department_codes=("housing", "urban_management"),
        ),
        DutyRule("noise", EVERY_COMMUNITY, "environment_bureau"),
        DutyRule("graffiti", EVERY_COMMUNITY, "sanitation_bureau"),  # not a known department
    ]
    return DutyCatalogue(
        version=7,
        fallback_department_code=FALLBACK,
        departments={d.code: d for d in departments},
        rules={r.key: r for r in rules},
    )


def new_case(
    category: str = "streetlight",
    community: str = "C002",
    urgency: Urgency = Urgency.GENERAL,
) -> CaseDispatch:
    """A case as intake opened it (version 3: submitted, opened, handed over)."""
    return CaseDispatch(
        case_id="case-1",
        version=3,
        community_code=community,
        category_code=category,
        case_list=CaseList.PRACTICAL_MATTERS,
        urgency=urgency,
        summary="小区门口路灯不亮",
        traceparent=TRACEPARENT,
    )


def snapshot(case: CaseDispatch) -> dict[str, object]:
    """Every field of the aggregate, the recorded events included, for 'nothing changed'."""
    return copy.deepcopy(vars(case))


# ---- which rule applies ----


def test_a_communitys_own_rule_wins_over_the_district_wide_rule() -> None:
    route = catalogue().route("streetlight", "C001")

    assert route == Route("dujiang_subdistrict", ("urban_management",), FALLBACK)


def test_the_district_wide_rule_applies_where_a_community_has_no_rule_of_its_own() -> None:
    route = catalogue().route("streetlight", "C002")

    assert route == Route("urban_management", ("state_grid_power",), FALLBACK)


def test_a_category_without_any_rule_is_led_by_the_district_fallback_unit() -> None:
    route = catalogue().route("stray_dogs", "C001")

    assert route == Route(FALLBACK, (), FALLBACK)


def test_a_rule_without_a_lead_leaves_the_case_to_the_office_naming_the_candidates() -> None:
    route = catalogue().route("shared_amenity", "C001")

    assert route == NeedsOffice("ambiguous_rule", ("housing", "urban_management"))


def test_a_rule_whose_lead_is_inactive_leaves_the_case_to_the_office() -> None:
    route = catalogue().route("noise", "C003")

    assert isinstance(route, NeedsOffice)
    assert route.reason == "no_rule"


def test_a_rule_whose_lead_is_not_a_known_department_leaves_the_case_to_the_office() -> None:
    route = catalogue().route("graffiti", "C003")

    assert isinstance(route, NeedsOffice)
    assert route.reason == "no_rule"


def test_an_inactive_assisting_department_is_left_out_of_the_route() -> None:
    route = catalogue().route("drainage", "C004")

    assert isinstance(route, Route)
    assert route.assisting == ("housing",)


def test_a_rules_own_fallback_unit_overrides_the_district_fallback() -> None:
    route = catalogue().route("drainage", "C004")

    assert isinstance(route, Route)
    assert (route.lead, route.fallback) == ("water_affairs", "guankou_subdistrict")


def test_is_active_is_false_for_inactive_and_unknown_departments() -> None:
    duties = catalogue()

    assert duties.is_active("housing")
    assert not duties.is_active("environment_bureau")
    assert not duties.is_active("no_such_department")


# ---- the catalogue as the data files write it ----

DEPARTMENTS_FILE: dict[str, Any] = {
    "departments": [
        {"code": "urban_management", "name": "区综合执法局", "kind": "line"},
        {"code": "housing", "name": "区住建局", "name_en": "Housing bureau", "kind": "line"},
        {"code": "state_grid_power", "name": "国网供电公司", "kind": "utility"},
        {"code": FALLBACK, "name": "区网格化服务中心", "kind": "fallback"},
        {"code": "old_bureau", "name": "已撤销", "kind": "line", "active": False},
    ]
}
CATALOGUE_FILE: dict[str, Any] = {
    "version": "4",
    "fallback_department_code": FALLBACK,
    "rules": [
        {
            "category_code": "streetlight",
            "community_code": "*",
            "lead_department_code": "urban_management",
            "assisting_department_codes": ["state_grid_power"],
            "fallback_department_code": "housing",
        },
        {
            "category_code": "streetlight",
            "community_code": "C001",
            "lead_department_code": "housing",
        },
        {"category_code": "shared_amenity", "lead_department_code": "housing"},
        {
            "category_code": "shared_amenity",
            "community_code": "*",
            "lead_department_code": "urban_management",
        },
    ],
}


def test_from_mappings_reads_departments_with_their_defaults() -> None:
    duties = DutyCatalogue.from_mappings(DEPARTMENTS_FILE, CATALOGUE_FILE)

    assert duties.version == 4
    assert duties.fallback_department_code == FALLBACK
    assert duties.departments["housing"] == Department(
        "housing", "区住建局", "Housing bureau", "line", True
    )
    assert duties.departments["urban_management"].name_en == ""
    assert duties.departments["urban_management"].active is True
    assert duties.departments["old_bureau"].active is False


def test_from_mappings_maps_the_star_community_to_the_district_wide_rule() -> None:
    duties = DutyCatalogue.from_mappings(DEPARTMENTS_FILE, CATALOGUE_FILE)

    assert duties.rules[("streetlight", EVERY_COMMUNITY)] == DutyRule(
        category_code="streetlight",
        community_code=EVERY_COMMUNITY,
        lead_department_code="urban_management",
        assisting_department_codes=("state_grid_power",),
        fallback_department_code="housing",
    )
    assert duties.rules[("streetlight", "C001")].lead_department_code == "housing"
    assert duties.route("streetlight", "C009") == Route(
        "urban_management", ("state_grid_power",), "housing"
    )
    assert duties.route("streetlight", "C001") == Route("housing", (), FALLBACK)


def test_from_mappings_folds_two_rules_for_one_key_into_a_shared_rule() -> None:
    duties = DutyCatalogue.from_mappings(DEPARTMENTS_FILE, CATALOGUE_FILE)

    shared = duties.rules[("shared_amenity", EVERY_COMMUNITY)]
    assert shared.lead_department_code == ""
    assert shared.candidate_department_codes == ("housing", "urban_management")
    assert [key for key in duties.rules if key[0] == "shared_amenity"] == [
        ("shared_amenity", EVERY_COMMUNITY)
    ]
    assert duties.route("shared_amenity", "C001") == NeedsOffice(
        "ambiguous_rule", ("housing", "urban_management")
    )


def test_from_mappings_keeps_one_lead_when_a_key_repeats_the_same_department() -> None:
    repeated = {
        "fallback_department_code": FALLBACK,
        "rules": [
            {"category_code": "streetlight", "community_code": "*", "lead_department_code": d}
            for d in ("housing", "housing")
        ],
    }

    rule = DutyCatalogue.from_mappings(DEPARTMENTS_FILE, repeated).rules[("streetlight", "")]

    assert rule.lead_department_code == "housing"
    assert rule.candidate_department_codes == ()


# ---- route(): the case is dispatched on arrival ----


def test_routing_dispatches_the_case_automatically_to_the_lead_department() -> None:
    case = new_case()

    case.route(catalogue(), CLOCK, T0)

    assert case.state is AssignmentState.DISPATCHED
    assert case.awaiting_reason == ""
    assert case.fallback_department_code == FALLBACK
    current = case.current
    assert current is not None
    assert current.department_code == "urban_management"
    assert current.assisting == ("state_grid_power",)
    assert current.round == 1 and case.rounds == 1
    assert current.automatic is True
    assert current.state is AssignmentState.DISPATCHED
    assert (current.dispatched_at, current.dispatched_by) == (T0, SYSTEM)
    assert current.complete_due_at is None


def test_routing_a_general_case_gives_the_department_until_the_next_working_day() -> None:
    case = new_case(urgency=Urgency.GENERAL)

    case.route(catalogue(), CLOCK, T0)

    assert case.current is not None
    assert case.current.accept_due_at == datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("urgency", "accept_due_at"),
    [
        (Urgency.EMERGENCY, T0 + timedelta(minutes=30)),
        (Urgency.UTILITIES, T0 + timedelta(hours=2)),
        (Urgency.GENERAL, datetime(2026, 3, 10, 2, 0, tzinfo=UTC)),  # Tuesday 10:00
        (Urgency.COMPLEX, datetime(2026, 3, 11, 2, 0, tzinfo=UTC)),  # Wednesday 10:00
    ],
)
def test_the_accept_deadline_follows_the_policy_for_the_cases_urgency(
    urgency: Urgency, accept_due_at: datetime
) -> None:
    case = new_case(urgency=urgency)

    case.route(catalogue(), CLOCK, T0)

    assert case.current is not None
    assert case.current.accept_due_at == accept_due_at
    assert accept_due_at == CLOCK.due(urgency, "accept", T0)


def test_routing_records_exactly_one_case_dispatched_and_bumps_the_version_by_one() -> None:
    case = new_case()

    case.route(catalogue(), CLOCK, T0)

    assert case.current is not None
    assert case.version == 4
    assert case.events == [CaseDispatched(case.current, 4, T0, SYSTEM)]


def test_a_community_case_is_routed_by_its_communitys_own_rule() -> None:
    case = new_case(community="C001")

    case.route(catalogue(), CLOCK, T0)

    assert case.current is not None
    assert case.current.department_code == "dujiang_subdistrict"
    assert case.current.assisting == ("urban_management",)


def test_a_case_without_a_rule_is_dispatched_to_the_fallback_unit() -> None:
    case = new_case(category="stray_dogs")

    case.route(catalogue(), CLOCK, T0)

    assert case.state is AssignmentState.DISPATCHED
    assert case.current is not None
    assert case.current.department_code == FALLBACK
    assert case.fallback_department_code == FALLBACK


def test_a_rules_own_fallback_is_remembered_for_a_later_return() -> None:
    case = new_case(category="drainage")

    case.route(catalogue(), CLOCK, T0)

    assert case.fallback_department_code == "guankou_subdistrict"


def test_a_shared_duty_leaves_the_case_awaiting_the_office() -> None:
    case = new_case(category="shared_amenity")

    case.route(catalogue(), CLOCK, T0)

    assert case.state is AssignmentState.AWAITING_OFFICE
    assert case.awaiting_reason == "ambiguous_rule"
    assert case.current is None
    assert case.rounds == 0
    assert case.version == 4
    assert case.events == [CaseAwaitingOffice("ambiguous_rule", 4, T0)]


def test_a_rule_naming_an_inactive_lead_leaves_the_case_awaiting_the_office() -> None:
    case = new_case(category="noise")

    case.route(catalogue(), CLOCK, T0)

    assert case.state is AssignmentState.AWAITING_OFFICE
    assert case.current is None
    assert case.events == [CaseAwaitingOffice("no_rule", 4, T0)]


def test_a_dispatched_case_is_not_routed_again() -> None:
    case = new_case()
    case.route(catalogue(), CLOCK, T0)
    before = snapshot(case)

    with pytest.raises(IllegalTransition, match="already routed"):
        case.route(catalogue(), CLOCK, T0 + timedelta(minutes=1))

    assert snapshot(case) == before


def test_a_case_routed_to_the_office_is_not_routed_again() -> None:
    case = new_case(category="shared_amenity")
    case.route(catalogue(), CLOCK, T0)
    before = snapshot(case)

    # The office dispatches such a case by hand; routing it again is a transition of its own.
    with pytest.raises(IllegalTransition, match="already routed"):
        case.route(catalogue(), CLOCK, T0 + timedelta(minutes=1))

    assert snapshot(case) == before


def test_the_default_limits_are_those_of_12345_practice() -> None:
    assert Limits() == Limits(returns=2, reopens=2, extensions=2)
