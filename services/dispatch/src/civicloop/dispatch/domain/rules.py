"""What a department's or the office's input must satisfy before anything is written."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from civicloop.dispatch.domain.catalogue import DutyCatalogue, DutyRule
from civicloop.dispatch.domain.model import Attachment
from civicloop.platform.errors import Violations
from civicloop.platform.text import plain_text

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_URL_UNSAFE = re.compile(r"[\s\"'<>()\[\]{}\\`^|\x00-\x1f\x7f]")
_MEDIA_TYPE = re.compile(
    r"^[a-z0-9][a-z0-9!#$&.+^_-]{0,62}/[a-z0-9][a-z0-9!#$&.+^_-]{0,62}$", re.IGNORECASE
)
MAX_ATTACHMENTS = 20
MAX_ASSISTING = 10


@dataclass(frozen=True)
class ReturnReason:
    code: str
    name: str
    name_en: str


def required_text(errors: Violations, field: str, value: str, limit: int) -> str:
    """Plain, redacted text of 1..limit characters (the error names the field): it goes into
    events, the public board and feeds."""
    return plain_text(errors, field, value, limit)


def optional_text(errors: Violations, field: str, value: str, limit: int) -> str:
    return plain_text(errors, field, value, limit, required=False)


def attachment_url_problem(url: str) -> str | None:
    """Evidence links are shown in pages and feeds: https only, and nothing that could end
    an attribute or a tag around them (quotes, brackets, backslashes, spaces, controls)."""
    if len(url) > 2048:
        return "must be at most 2,048 characters"
    if _URL_UNSAFE.search(url):
        return "must not contain quotes, brackets, backslashes, spaces or control characters"
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return "must be an https URL with a host"
    return None


def attachments(
    errors: Violations, items: Iterable[tuple[str, str, str]]
) -> tuple[Attachment, ...]:
    """Documents by reference: a URL and the SHA-256 of what it points at, so the evidence
    cannot be swapped later without it showing."""
    found: list[Attachment] = []
    for index, (url, sha256, media_type) in enumerate(items):
        where = f"attachments[{index}]"
        if problem := attachment_url_problem(url):
            errors.add(f"{where}.url", problem)
        if not sha256:
            errors.add(f"{where}.sha256", "is required: the SHA-256 of the document")
        elif not _SHA256.match(sha256):
            errors.add(f"{where}.sha256", "must be 64 lower-case hex digits")
        if media_type and not _MEDIA_TYPE.match(media_type):
            errors.add(f"{where}.media_type", "must be a media type like image/jpeg")
        found.append(Attachment(url, sha256, media_type))
    if len(found) > MAX_ATTACHMENTS:
        errors.add("attachments", f"at most {MAX_ATTACHMENTS}")
    return tuple(found)


def progress(errors: Violations, percent: int, expected: datetime | None, now: datetime) -> None:
    if not 0 <= percent <= 100:
        errors.add("progress_percent", "must be between 0 and 100")
    if expected is not None and expected <= now:
        errors.add("expected_completion_at", "must lie in the future")


def departments(
    errors: Violations, catalogue: DutyCatalogue, field: str, codes: Iterable[str]
) -> tuple[str, ...]:
    found = tuple(codes)
    for code in found:
        if not catalogue.is_active(code):
            errors.add(field, f"unknown or inactive department {code!r}")
    return found


def return_reason(errors: Violations, reasons: dict[str, ReturnReason], code: str) -> None:
    if code not in reasons:
        errors.add("reason_code", f"must be one of {', '.join(sorted(reasons))}")


def dispatch_departments(
    errors: Violations, catalogue: DutyCatalogue, lead: str, assisting: Iterable[str]
) -> tuple[str, tuple[str, ...]]:
    """The lead and assisting departments of a dispatch by hand: active, and a few helpers."""
    departments(errors, catalogue, "department_code", [lead])
    found = departments(errors, catalogue, "assisting_department_codes", assisting)
    if len(found) > MAX_ASSISTING:
        errors.add("assisting_department_codes", f"at most {MAX_ASSISTING}")
    return lead, found


def duty_rule(
    errors: Violations,
    catalogue: DutyCatalogue,
    rule: DutyRule,
    known_categories: Container[str],
    known_communities: Container[str],
) -> None:
    """A rule names a known category (and community), and active departments: a lead that
    is not among its assisting departments, and an optional fallback unit."""
    if rule.category_code not in known_categories:
        errors.add("rule.category_code", f"unknown category {rule.category_code!r}")
    if rule.community_code and rule.community_code not in known_communities:
        errors.add("rule.community_code", f"unknown community {rule.community_code!r}")
    departments(errors, catalogue, "rule.lead_department_code", [rule.lead_department_code])
    departments(
        errors, catalogue, "rule.assisting_department_codes", rule.assisting_department_codes
    )
    if rule.lead_department_code in rule.assisting_department_codes:
        errors.add("rule.assisting_department_codes", "must not name the lead")
    if rule.fallback_department_code:
        departments(
            errors, catalogue, "rule.fallback_department_code", [rule.fallback_department_code]
        )
