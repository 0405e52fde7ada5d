"""首接负责制 as a command is authorized: the role a caller acts under is kept with the
command's answer, and a repeat of the request must come from a holder of the same role."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civicloop.dispatch.domain.catalogue import EVERY_COMMUNITY, Department, DutyCatalogue, DutyRule
from civicloop.dispatch.domain.deadlines import DeadlinePolicy, WorkCalendar
from civicloop.dispatch.domain.model import CaseDispatch, Clockwork
from civicloop.dispatch.handlers import lead_authority
from civicloop.platform.auth import Principal
from civicloop.platform.domain import CaseList, Urgency
from civicloop.platform.errors import PermissionDenied

T0 = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
LEAD = "urban_management"


def routed_case() -> CaseDispatch:
    catalogue = DutyCatalogue(
        1,
        "coordination_office",
        {
            LEAD: Department(LEAD, "区综合执法局", "Urban management", "line"),
            "coordination_office": Department(
                "coordination_office", "区网格化服务中心", "Coordination office", "fallback"
            ),
        },
        {("streetlight", EVERY_COMMUNITY): DutyRule("streetlight", EVERY_COMMUNITY, LEAD)},
    )
    case = CaseDispatch(
        case_id="case-1",
        version=3,
        community_code="C002",
        category_code="streetlight",
        case_list=CaseList.PRACTICAL_MATTERS,
        urgency=Urgency.GENERAL,
        summary="小区门口路灯不亮",
        traceparent="",
    )
    case.route(catalogue, Clockwork(DeadlinePolicy.default(), WorkCalendar()), T0)
    return case


def caller(*roles: str) -> Principal:
    return Principal("clerk-7", frozenset(roles))


def test_a_clerk_of_the_lead_department_acts_as_that_department() -> None:
    clerk = caller("department:housing", f"department:{LEAD}")

    assert lead_authority(routed_case(), clerk) == f"department:{LEAD}"


def test_the_office_acts_as_the_office_even_when_it_also_holds_the_lead_role() -> None:
    assert lead_authority(routed_case(), caller("office", f"department:{LEAD}")) == "office"


def test_a_clerk_of_another_department_is_not_authorized() -> None:
    with pytest.raises(PermissionDenied):
        lead_authority(routed_case(), caller("department:housing"))
