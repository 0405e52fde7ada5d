"""Masking of personal numbers in any text the public or other services may see."""

from __future__ import annotations

import re

# Resident ID numbers: 18 characters (17 digits + digit or X) or the old 15-digit form.
_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})(\d{8}|\d{6})(\d{3}[\dXx]|\d)(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?(\d{3,4})(\d{4})(?!\d)")


def redact(text: str) -> str:
    """Mask ID numbers fully but for region and check digits, phones but for 3+4 digits."""
    text = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)
