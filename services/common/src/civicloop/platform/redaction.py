"""Masking of personal numbers in any text the public or other services may see."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Chinese input methods often type digits, brackets and X in full width. Matching runs on a
# copy with those folded to ASCII (one character for one, so positions agree) and masks
# the original text.
_FOLD = {0xFF10 + d: 0x30 + d for d in range(10)} | {
    ord("Ｘ"): ord("X"),
    ord("ｘ"): ord("x"),
    ord("＋"): ord("+"),
    ord("－"): ord("-"),
    ord("（"): ord("("),
    ord("）"): ord(")"),
    ord("　"): ord(" "),
}

_PERSONAL_NUMBER = re.compile(
    r"(?<!\d)(?:"
    # Resident ID: 18 characters (17 digits + check digit or X) or the old 15-digit form.
    r"(?P<id18>(?P<r18>\d{6})\d{8}(?P<t18>\d{3}[\dXx]))"
    r"|(?P<id15>(?P<r15>\d{6})\d{6}(?P<t15>\d{3}))"
    # Mainland mobile, optionally with the country code.
    r"|(?P<mobile>(?:\+?86[-. ]?)?(?P<m1>1[3-9]\d)[-. ]?\d{4}[-. ]?(?P<m3>\d{4}))"
    # Landline with its area code, bracketed or not.
    r"|(?P<landline>\(?(?P<area>0\d{2,3})\)?[-. ]?\d{3,4}[-. ]?(?P<l4>\d{4}))"
    r")(?!\d)"
)


def _mask(match: re.Match[str]) -> str:
    if match["id18"]:
        return f"{match['r18']}{'*' * 8}{match['t18']}"
    if match["id15"]:
        return f"{match['r15']}{'*' * 6}{match['t15']}"
    if match["mobile"]:
        return f"{match['m1']}****{match['m3']}"
    return f"{match['area']}-****{match['l4']}"


def redact(text: str) -> str:
    """Mask ID numbers but for region and last digits, phones but for 3 (or area) + 4."""
    folded = text.translate(_FOLD)
    pieces: list[str] = []
    position = 0
    for match in _PERSONAL_NUMBER.finditer(folded):
        pieces.append(text[position : match.start()])
        pieces.append(_mask(match))
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces)


def mask_names(text: str, names: Iterable[str]) -> str:
    """Mask the names the system knows (the petitioners of a case) wherever a clerk's or a
    department's text repeats them: the surname stays, the rest is starred (张三丰 -> 张**),
    as names are shown in public notices. A name of one character is no name to look for."""
    known = sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True)
    if not known:
        return text
    pattern = re.compile("|".join(re.escape(name) for name in known))
    return pattern.sub(lambda m: m[0][0] + "*" * (len(m[0]) - 1), text)
