"""Dispatch's free text reaches events, the public board and feeds: plain, redacted text, and
evidence links that are https URLs with nothing that could break out of an attribute."""

from __future__ import annotations

import pytest

from civicloop.dispatch.domain import rules
from civicloop.platform.errors import Violations

SHA = "a" * 64


def url_refused(url: str) -> bool:
    errors = Violations()
    rules.attachments(errors, [(url, SHA, "image/jpeg")])
    return [v.field for v in errors.items] == ["attachments[0].url"]


@pytest.mark.parametrize(
    "url",
    [
        "http://files.example/a.jpg",
        "javascript:alert(1)",
        'https://files.example/a.jpg" onerror="alert(1)',
        "https://files.example/a'.jpg",
        "https://files.example/<a>.jpg",
        "https://files.example/(a).jpg",
        "https://files.example/[a].jpg",
        "https://files.example/a b.jpg",
        "https://files.example/a\\b.jpg",
        "https:///a.jpg",
        "https://files.example/" + "a" * 2048,
    ],
)
def test_an_attachment_url_must_be_https_without_quotes_or_brackets(url: str) -> None:
    assert url_refused(url)


def test_an_https_attachment_url_passes() -> None:
    assert not url_refused("https://files.example/2026/路灯.jpg?v=1&size=large#top")


def test_an_attachment_media_type_must_be_one() -> None:
    errors = Violations()
    rules.attachments(errors, [("https://f.example/a", SHA, 'image/jpeg"><script>')])
    assert [v.field for v in errors.items] == ["attachments[0].media_type"]


@pytest.mark.parametrize(
    "text", ["<b>已更换</b>", "已更换&nbsp;灯具", "已更换\u202e", "已\x00更换"]
)
def test_measures_notes_and_summaries_with_markup_or_unsafe_characters_are_refused(
    text: str,
) -> None:
    errors = Violations()
    rules.required_text(errors, "measures_taken", text, 2000)
    rules.optional_text(errors, "note", text, 500)
    assert [v.field for v in errors.items] == ["measures_taken", "note"]


def test_free_text_is_redacted_before_it_reaches_an_event() -> None:
    errors = Violations()
    text = rules.required_text(errors, "result_summary", "已回访 13912345678 ", 2000)
    assert (text, errors.items) == ("已回访 139****5678", [])
