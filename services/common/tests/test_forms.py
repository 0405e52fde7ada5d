"""The platform's one reader of url-encoded text (``url_encoded_pairs``: query strings, checked
on every request, and the pages' forms, ``parse_form``): what browsers send, read as the
standard library reads it, only faster; and what it refuses."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote_plus, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicloop.platform.http import form_text, parse_form, url_encoded_pairs

# Text as residents type it: Chinese, Latin, digits, punctuation, spaces, line breaks.
typed = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFFF), max_size=40
)


@given(st.lists(st.tuples(typed, typed), max_size=6))
def test_what_browsers_send_reads_as_the_standard_library_reads_it(
    pairs: list[tuple[str, str]],
) -> None:
    body = urlencode(pairs).encode()
    expected = parse_qsl(body.decode(), keep_blank_values=True)
    assert url_encoded_pairs(body) == expected  # in order, repeated names kept
    if len(pairs) <= 8:
        assert parse_form(body, max_fields=8) == dict(expected)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"%E5%A4%84%E7%90%86%E5%BE%97%E5%BE%88%E5%8F%8A%E6%97%B6", "处理得很及时"),
        (b"a+b%2Bc", "a b+c"),
        (b"100%", "100%"),  # a % that starts no escape stays
        (b"%zz%4", "%zz%4"),
        (b"%e5%a4%84", "处"),  # lower-case hex
        ("直接的字".encode(), "直接的字"),  # raw UTF-8, not escaped
        (b"line%0D%0Abreak", "line\r\nbreak"),
    ],
)
def test_escapes_plus_signs_and_raw_bytes(raw: bytes, text: str) -> None:
    assert form_text(raw) == text


def test_blank_values_are_kept_and_the_last_of_a_repeated_name_wins() -> None:
    assert parse_form(b"score=&comment&score=4&&", max_fields=8) == {"score": "4", "comment": ""}


def test_too_many_fields_are_refused() -> None:
    body = "&".join(f"f{n}=x" for n in range(9)).encode()
    with pytest.raises(ValueError):
        parse_form(body, max_fields=8)


@pytest.mark.parametrize("raw", [b"%FF%FE", b"%E5%A4", b"\xff"])
def test_text_that_is_not_utf8_is_refused(raw: bytes) -> None:
    with pytest.raises(UnicodeDecodeError):
        form_text(raw)


def test_a_value_with_every_reserved_character_round_trips() -> None:
    value = "&=+%# ?/，。！"
    assert parse_form(f"comment={quote_plus(value)}".encode(), max_fields=8) == {"comment": value}
