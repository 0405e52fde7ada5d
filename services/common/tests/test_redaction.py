"""Personal numbers are masked in any text the public or other services may see."""

from __future__ import annotations

import pytest

from civicloop.platform.redaction import mask_names, redact


@pytest.mark.parametrize(
    "text, masked",
    [
        ("电话13800138000", "电话138****8000"),
        ("电话 138 0013 8000 联系", "电话 138****8000 联系"),
        ("电话138-0013-8000", "电话138****8000"),
        ("电话 +86 138 0013 8000", "电话 138****8000"),
        ("请回电19912340567谢谢", "请回电199****0567谢谢"),
    ],
)
def test_a_mobile_number_keeps_only_its_first_three_and_last_four_digits(
    text: str, masked: str
) -> None:
    assert redact(text) == masked


@pytest.mark.parametrize(
    "text, masked",
    [
        ("身份证510104199001011234", "身份证510104********1234"),
        ("身份证号51010419900101123X。", "身份证号510104********123X。"),
        ("身份证号51010419900101123x", "身份证号510104********123x"),
    ],
)
def test_an_id_number_keeps_only_its_region_and_last_four_characters(
    text: str, masked: str
) -> None:
    assert redact(text) == masked


def test_an_old_fifteen_digit_id_number_is_masked() -> None:
    masked = redact("老身份证510104900101123")

    assert "900101" not in masked
    assert masked.startswith("老身份证510104")


@pytest.mark.parametrize(
    "text, masked",
    [
        ("座机028-87654321", "座机028-****4321"),
        ("座机 0871-6543210 找王师傅", "座机 0871-****3210 找王师傅"),
    ],
)
def test_a_landline_keeps_only_its_area_code_and_last_four_digits(text: str, masked: str) -> None:
    assert redact(text) == masked


def test_a_landline_written_without_a_hyphen_is_still_masked() -> None:
    masked = redact("座机02887654321")

    assert "87654321" not in masked
    assert masked.endswith("****4321")


def test_every_number_in_a_text_is_masked() -> None:
    text = "张三，身份证510104199001011234，手机13800138000，家里028-87654321，急！"

    assert redact(text) == (
        "张三，身份证510104********1234，手机138****8000，家里028-****4321，急！"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "小区门口路灯不亮",
        "3号楼2单元502室漏水",
        "2025年3月5日晚上8点",
        "幸福路128号附近，约300米",
        "编号20250305",
        "订单号20240115123456789012",
    ],
)
def test_text_without_personal_numbers_is_left_alone(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize("text", ["电话+8613800138000", "电话8613800138000"])
def test_a_mobile_with_the_country_code_and_no_separator_is_masked_as_a_mobile(
    text: str,
) -> None:
    assert redact(text) == "电话138****8000"


@pytest.mark.parametrize("text", ["座机(028)87654321", "座机（028）87654321"])
def test_a_landline_with_its_area_code_in_brackets_is_masked(text: str) -> None:
    assert "87654321" not in redact(text)


def test_a_mobile_typed_in_full_width_digits_is_masked() -> None:
    assert "１３８００１３８０００" not in redact("电话１３８００１３８０００")


def test_redacting_twice_changes_nothing_more() -> None:
    once = redact("手机13800138000，身份证510104199001011234，座机028-87654321")

    assert redact(once) == once


@pytest.mark.parametrize(
    "text, hidden",
    [
        ("tel13812345678", "12345678"),
        ("phone13812345678abc", "12345678"),
        ("010 8888 6666", "8888"),
        ("138.1234.5678", "1234"),
    ],
)
def test_numbers_after_letters_or_with_dots_and_spaces_are_masked(text: str, hidden: str) -> None:
    assert hidden not in redact(text)


def test_known_names_keep_only_their_surname() -> None:
    text = "张三丰和张三反映，李四家门口路灯不亮；张先生说王五没来"
    masked = mask_names(text, ["张三丰", "张三", " 王五 ", "李"])
    # The longer name first: 张三丰 is not read as 张三 and a stray 丰.
    assert masked == "张**和张*反映，李四家门口路灯不亮；张先生说王*没来"
    assert mask_names(text, []) == text
