"""What a petition must satisfy before anything is stored (domain/rules.py)."""

from __future__ import annotations

import dataclasses
import math

import pytest

from civicloop.intake.domain.model import Channel, Location
from civicloop.intake.domain.rules import (
    MAX_DESCRIPTION,
    PetitionInput,
    ValidPetition,
    validate_petition,
)
from civicloop.platform.errors import InvalidArgument
from civicloop.platform.geo import distance_m, gcj02_to_wgs84, wgs84_to_gcj02

VALID = PetitionInput(
    channel="web",
    community_code="C001",
    category_code="streetlight",
    description="  小区门口的路灯坏了不亮，晚上很黑。有事请打我电话13800138000  ",
    petitioner_name=" 张秀英 ",
    petitioner_phone="13800138000",
    latitude=30.6574,
    longitude=104.0658,
)


def petition(**changes: object) -> PetitionInput:
    return dataclasses.replace(VALID, **changes)  # type: ignore[arg-type]


def refused_fields(p: PetitionInput) -> list[str]:
    with pytest.raises(InvalidArgument) as refused:
        validate_petition(p)
    return [v.field for v in refused.value.violations]


# ---- a good petition ----


def test_a_valid_petition_passes() -> None:
    valid = validate_petition(VALID)

    assert isinstance(valid, ValidPetition)
    assert valid.channel is Channel.WEB
    assert (valid.community_code, valid.category_code) == ("C001", "streetlight")
    assert valid.location == Location(30.6574, 104.0658)
    assert valid.petitioner_name == "张秀英"
    assert valid.petitioner_phone == "13800138000"


def test_the_residents_words_are_kept_and_a_redacted_copy_is_made_for_the_public() -> None:
    valid = validate_petition(VALID)

    assert valid.description == "小区门口的路灯坏了不亮，晚上很黑。有事请打我电话13800138000"
    assert valid.public_description == "小区门口的路灯坏了不亮，晚上很黑。有事请打我电话138****8000"
    assert "13800138000" not in valid.public_description


def test_an_id_number_in_the_description_is_masked_for_the_public() -> None:
    valid = validate_petition(petition(description="我的身份证号是510104199001011234，补贴还没到"))

    assert "510104199001011234" not in valid.public_description
    assert "510104********1234" in valid.public_description


def test_a_petition_without_a_location_passes_without_one() -> None:
    valid = validate_petition(petition(latitude=None, longitude=None))

    assert valid.location is None


@pytest.mark.parametrize("channel", [c.value for c in Channel])
def test_every_channel_is_accepted(channel: str) -> None:
    assert validate_petition(petition(channel=channel)).channel == Channel(channel)


def test_a_description_of_exactly_the_maximum_length_passes() -> None:
    valid = validate_petition(petition(description="灯" * MAX_DESCRIPTION))

    assert len(valid.description) == MAX_DESCRIPTION


def test_a_less_than_sign_in_plain_text_is_not_mistaken_for_html() -> None:
    valid = validate_petition(petition(description="气温<5度时暖气还没来，老人受不了"))

    assert valid.description == "气温<5度时暖气还没来，老人受不了"


# ---- each bad input is refused, naming its field ----


@pytest.mark.parametrize("description", ["", "   ", "\n\t "])
def test_a_missing_description_is_refused(description: str) -> None:
    assert refused_fields(petition(description=description)) == ["description"]


def test_a_description_one_character_too_long_is_refused() -> None:
    with pytest.raises(InvalidArgument) as refused:
        validate_petition(petition(description="灯" * (MAX_DESCRIPTION + 1)))

    [violation] = refused.value.violations
    assert violation.field == "description"
    assert "4001" in violation.description


@pytest.mark.parametrize(
    "description",
    [
        "<script>alert(1)</script>路灯不亮",
        "路灯不亮<br>请尽快修",
        "<a href='http://x.example'>点这里</a>",
        "路灯不亮&nbsp;请尽快修",
        "路灯不亮&#60;",
    ],
)
def test_an_html_description_is_refused(description: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        validate_petition(petition(description=description))

    [violation] = refused.value.violations
    assert violation.field == "description"
    assert "HTML" in violation.description


def test_a_description_with_control_characters_is_refused() -> None:
    assert refused_fields(petition(description="路灯不亮\x00\x1b[31m")) == ["description"]


@pytest.mark.parametrize("name", ["", "  ", "张" * 65, "<b>张三</b>"])
def test_a_missing_or_unsafe_petitioner_name_is_refused(name: str) -> None:
    assert refused_fields(petition(petitioner_name=name)) == ["petitioner_name"]


@pytest.mark.parametrize("category", ["", "street_light", "路灯", "STREETLIGHT"])
def test_an_unknown_category_is_refused(category: str) -> None:
    assert refused_fields(petition(category_code=category)) == ["category_code"]


@pytest.mark.parametrize("community", ["", "C000", "C999", "c001"])
def test_an_unknown_community_is_refused(community: str) -> None:
    assert refused_fields(petition(community_code=community)) == ["community_code"]


@pytest.mark.parametrize("latitude", [90.0001, -91.0, 120.0, math.inf, math.nan])
def test_a_latitude_out_of_range_is_refused(latitude: float) -> None:
    assert refused_fields(petition(latitude=latitude)) == ["latitude"]


@pytest.mark.parametrize("longitude", [180.0001, -181.0, 360.0, -math.inf, math.nan])
def test_a_longitude_out_of_range_is_refused(longitude: float) -> None:
    assert refused_fields(petition(longitude=longitude)) == ["longitude"]


def test_the_extreme_valid_coordinates_pass() -> None:
    valid = validate_petition(petition(latitude=-90.0, longitude=180.0))

    assert valid.location == Location(-90.0, 180.0)


def test_a_latitude_without_a_longitude_is_refused_naming_the_longitude() -> None:
    assert refused_fields(petition(longitude=None)) == ["longitude"]


def test_a_longitude_without_a_latitude_is_refused_naming_the_latitude() -> None:
    assert refused_fields(petition(latitude=None)) == ["latitude"]


def test_an_unknown_coordinate_system_is_refused() -> None:
    assert refused_fields(petition(coordinate_system="bd09")) == ["coordinate_system"]


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "12345",
        "1380013800",  # ten digits
        "138001380001",  # twelve digits
        "12800138000",  # no mobile network starts with 12
        "23800138000",
        "138abcd8000",
        "+1 415 555 0100",
        "028-876",
    ],
)
def test_a_malformed_phone_is_refused(phone: str) -> None:
    assert refused_fields(petition(petitioner_phone=phone)) == ["petitioner_phone"]


@pytest.mark.parametrize("channel", ["", "email", "WEB", "wechat"])
def test_an_unknown_channel_is_refused(channel: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        validate_petition(petition(channel=channel))

    [violation] = refused.value.violations
    assert violation.field == "channel"
    assert "home_visit" in violation.description and "web" in violation.description


def test_several_problems_are_reported_together() -> None:
    bad = PetitionInput(
        channel="fax",
        community_code="C999",
        category_code="unicorns",
        description="<b>路灯</b>",
        petitioner_name="",
        petitioner_phone="110",
        latitude=95.0,
        longitude=200.0,
    )

    with pytest.raises(InvalidArgument) as refused:
        validate_petition(bad)

    fields = [v.field for v in refused.value.violations]
    assert sorted(fields) == sorted(
        [
            "channel",
            "community_code",
            "category_code",
            "description",
            "petitioner_name",
            "petitioner_phone",
            "latitude",
            "longitude",
        ]
    )
    for field in fields:
        assert field in refused.value.message


# ---- coordinates from Chinese map apps ----


def test_gcj02_coordinates_are_converted_to_wgs84() -> None:
    wgs = (30.6574, 104.0658)
    gcj = wgs84_to_gcj02(*wgs)

    valid = validate_petition(
        petition(latitude=gcj[0], longitude=gcj[1], coordinate_system="gcj02")
    )

    expected = gcj02_to_wgs84(*gcj)
    assert valid.location == Location(round(expected[0], 7), round(expected[1], 7))
    assert distance_m(valid.location.latitude, valid.location.longitude, *wgs) < 0.05


def test_gcj02_coordinates_are_not_taken_as_wgs84() -> None:
    gcj = wgs84_to_gcj02(30.6574, 104.0658)

    as_gcj = validate_petition(
        petition(latitude=gcj[0], longitude=gcj[1], coordinate_system="gcj02")
    ).location
    as_wgs = validate_petition(petition(latitude=gcj[0], longitude=gcj[1])).location

    assert as_gcj is not None and as_wgs is not None
    # The GCJ-02 offset in Chengdu is a few hundred metres.
    assert distance_m(as_gcj.latitude, as_gcj.longitude, as_wgs.latitude, as_wgs.longitude) > 100


def test_wgs84_coordinates_are_kept_rounded_to_seven_decimals() -> None:
    valid = validate_petition(petition(latitude=30.657412345678, longitude=104.065812345678))

    assert valid.location == Location(30.6574123, 104.0658123)


# ---- phone numbers ----


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "+8613800138000",
        "+86 138 0013 8000",
        "0086 13800138000",
        " 138 0013 8000 ",
        "(+86) 13800138000",
    ],
)
def test_mobile_numbers_are_normalised_to_eleven_digits(raw: str) -> None:
    assert validate_petition(petition(petitioner_phone=raw)).petitioner_phone == "13800138000"


@pytest.mark.parametrize(
    "raw, kept",
    [
        ("028-87654321", "028-87654321"),
        ("02887654321", "02887654321"),
        ("(028) 8765 4321", "02887654321"),
        ("0871-6543210", "0871-6543210"),
    ],
)
def test_landlines_with_an_area_code_are_accepted(raw: str, kept: str) -> None:
    assert validate_petition(petition(petitioner_phone=raw)).petitioner_phone == kept


# ---- text that breaks feeds, and the address kept out of public text ----


@pytest.mark.parametrize("text", ["路灯\uffff不亮", "路灯\ufffe", "路灯\u202e亮不", "路\x0c灯"])
def test_text_xml_cannot_carry_is_refused_in_every_petition_field(text: str) -> None:
    assert refused_fields(petition(description=text)) == ["description"]
    assert refused_fields(petition(petitioner_name=text)) == ["petitioner_name"]
    assert refused_fields(petition(address_text=text)) == ["address_string"]


def test_an_address_given_apart_is_sealed_with_the_residents_words_never_public() -> None:
    plain = validate_petition(petition())
    valid = validate_petition(petition(address_text="翔凤桥3栋2单元501"))
    assert valid.public_description == plain.public_description
    assert valid.description == f"{plain.description}\n地址: 翔凤桥3栋2单元501"
