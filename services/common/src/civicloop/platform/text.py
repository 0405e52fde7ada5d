"""Free text from outside: what it may contain before it is stored, published or sent on.

Text reaches events, Open311 XML, the rating page and, later, the public board and media
feeds. So it must be plain text that every one of those can carry:

- no character XML 1.0 forbids (C0 controls but tab and line breaks, surrogates, U+FFFE and
  U+FFFF; NUL also, which PostgreSQL refuses in text); DEL is refused with them;
- no bidi overrides or isolates, which make a rendered line read other than it is stored;
- no markup (tags, character references): the text is shown as text, never as HTML.

Input with any of these is refused, naming the field; ``displayable`` removes them from text
stored before these rules, where it is rendered.
"""

from __future__ import annotations

import re

from civicloop.platform.errors import Violations
from civicloop.platform.redaction import redact

_UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_MARKUP = re.compile(r"<\s*[a-zA-Z!/?][^>]*>|&(?:[a-zA-Z]+|#\d+|#[xX][0-9a-fA-F]+);")


def character_problem(text: str) -> str | None:
    """Why ``text`` cannot be carried as it is (any field, codes and keys included), or None."""
    if _UNSAFE_CHARACTERS.search(text):
        return "contains control or non-characters (NUL, C0 controls, U+FFFE, U+FFFF)"
    if _BIDI_CONTROLS.search(text):
        return "contains bidirectional override characters"
    return None


def text_problem(text: str) -> str | None:
    """Why ``text`` is not plain text, or None."""
    if problem := character_problem(text):
        return problem
    if _MARKUP.search(text):
        return "must be plain text, not HTML or XML markup"
    return None


def plain_text(
    errors: Violations, field: str, value: str, limit: int, *, required: bool = True
) -> str:
    """Trimmed and redacted text of at most ``limit`` characters (1 or more when required),
    plain and safe for every feed; each problem is added to ``errors`` naming the field."""
    text = value.strip()
    if not text:
        if required:
            errors.add(field, "is required")
    elif len(text) > limit:
        errors.add(field, f"is {len(text)} characters; at most {limit}")
    elif problem := text_problem(text):
        errors.add(field, problem)
    return redact(text)


def displayable(text: str) -> str:
    """``text`` without the characters no feed can carry (for text stored before the rules)."""
    return _BIDI_CONTROLS.sub("", _UNSAFE_CHARACTERS.sub("", text))
