"""Intake's part of hostile input: the free text of the office's commands, and development
secrets recognised by value."""

from __future__ import annotations

import base64

import pytest

from civicloop.intake.handlers import Intake
from civicloop.intake.pii import PiiVault
from civicloop.intake.settings import DEV_PII_KEY, IntakeSettings
from civicloop.platform.auth import OFFICE, WORKER, Principal
from civicloop.platform.domain import CaseList, Urgency
from civicloop.platform.errors import InvalidArgument


@pytest.fixture
def intake() -> Intake:
    # Free text is checked before anything is read or written: no database is needed.
    return Intake(None, PiiVault(DEV_PII_KEY), None)  # type: ignore[arg-type]


OFFICE_CLERK = Principal("office:1", frozenset({OFFICE, WORKER}))


async def test_a_split_reason_with_markup_is_refused(intake: Intake) -> None:
    with pytest.raises(InvalidArgument) as refused:
        await intake.split_petition("p", "<i>不是同一个问题</i>", OFFICE_CLERK)
    assert refused.value.violations[0].field == "reason"


async def test_a_summary_with_markup_or_a_bidi_override_is_refused(intake: Intake) -> None:
    for summary in ("<b>路灯</b>", "路灯\u202e"):
        with pytest.raises(InvalidArgument) as refused:
            await intake.consolidate(
                ["p"], CaseList.URGENT_NEEDS, Urgency.GENERAL, "", summary, OFFICE_CLERK
            )
        assert [v.field for v in refused.value.violations] == ["summary"]


async def test_an_on_the_spot_note_with_markup_is_refused(intake: Intake) -> None:
    with pytest.raises(InvalidArgument) as refused:
        await intake.resolve_on_site("c", "已修好<script>", OFFICE_CLERK, 1)
    assert refused.value.violations[0].field == "note"


def test_the_development_pii_key_is_recognised_however_it_is_spelled() -> None:
    respelled = DEV_PII_KEY[:20] + "\n" + DEV_PII_KEY[20:]
    assert IntakeSettings(intake_pii_key=respelled).uses_development_pii_key()
    assert IntakeSettings(intake_pii_key=DEV_PII_KEY.rstrip("=") + "=").uses_development_pii_key()
    real = base64.b64encode(b"k" * 32).decode()
    assert not IntakeSettings(intake_pii_key=real).uses_development_pii_key()


def test_the_development_open311_key_is_recognised_under_any_client_name() -> None:
    renamed = "city-app:real-key-1,partner:civicloop-dev-open311-key"
    assert IntakeSettings(intake_open311_api_keys=renamed).uses_development_open311_key()
    real = "city-app:real-key-1"
    assert not IntakeSettings(intake_open311_api_keys=real).uses_development_open311_key()
