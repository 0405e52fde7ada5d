"""Intake's part of hostile input: text feeds cannot carry, the address kept out of public
text, free text of the office's commands, and development secrets recognised by value."""

from __future__ import annotations

import base64
import dataclasses

import pytest

from civicloop.intake.domain.rules import PetitionInput, validate_petition
from civicloop.intake.handlers import Intake
from civicloop.intake.pii import PiiVault
from civicloop.intake.settings import DEV_PII_KEY, IntakeSettings
from civicloop.platform.auth import OFFICE, WORKER, Principal
from civicloop.platform.domain import CaseList, Urgency
from civicloop.platform.errors import InvalidArgument

VALID = PetitionInput(
    channel="web",
    community_code="C001",
    category_code="streetlight",
    description="小区门口的路灯坏了不亮",
    petitioner_name="张秀英",
    petitioner_phone="13800138000",
)


def refused_fields(**changes: str) -> list[str]:
    with pytest.raises(InvalidArgument) as refused:
        validate_petition(dataclasses.replace(VALID, **changes))  # type: ignore[arg-type]
    return [v.field for v in refused.value.violations]


@pytest.mark.parametrize("text", ["路灯\uffff不亮", "路灯\ufffe", "路灯\u202e亮不", "路\x0c灯"])
def test_text_xml_cannot_carry_is_refused_in_every_petition_field(text: str) -> None:
    assert refused_fields(description=text) == ["description"]
    assert refused_fields(petitioner_name=text) == ["petitioner_name"]
    assert refused_fields(address_text=text) == ["address_string"]


def test_an_address_given_apart_is_sealed_with_the_residents_words_never_public() -> None:
    valid = validate_petition(dataclasses.replace(VALID, address_text="翔凤桥3栋2单元501"))
    assert valid.public_description == "小区门口的路灯坏了不亮"
    assert valid.description == "小区门口的路灯坏了不亮\n地址: 翔凤桥3栋2单元501"


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
