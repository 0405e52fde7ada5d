"""The rules a petition must satisfy before anything is stored."""

from __future__ import annotations

import re
from dataclasses import dataclass

from civicloop.intake.domain.model import Channel, Location
from civicloop.platform.errors import Violations
from civicloop.platform.geo import gcj02_to_wgs84
from civicloop.platform.redaction import redact
from civicloop.platform.text import text_problem
from civicloop.reference.catalogue import categories, communities

MAX_DESCRIPTION = 4000
MAX_NAME = 64
MAX_ADDRESS = 200
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


@dataclass(frozen=True)
class PetitionInput:
    """A petition as a caller sent it, whatever the edge (HTTP, gRPC, Open311)."""

    channel: str
    community_code: str
    category_code: str
    description: str
    petitioner_name: str
    petitioner_phone: str
    latitude: float | None = None
    longitude: float | None = None
    # "wgs84" or "gcj02"
    coordinate_system: str = "wgs84"
    # A street address given apart from the description (Open311's address_string): kept
    # sealed with the resident's own words, never published.
    address_text: str = ""


@dataclass(frozen=True)
class ValidPetition:
    channel: Channel
    community_code: str
    category_code: str
    location: Location | None
    description: str  # the resident's own words (and address), kept sealed with the contact
    public_description: str  # redacted
    petitioner_name: str
    petitioner_phone: str  # normalised digits (and one hyphen for landlines)


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s()]", "", raw)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    return phone


def validate_petition(p: PetitionInput) -> ValidPetition:
    """Check every field at once so the caller learns all problems in one answer."""
    errors = Violations()
    try:
        channel = Channel(p.channel)
    except ValueError:
        errors.add("channel", f"must be one of {', '.join(c.value for c in Channel)}")
        channel = Channel.WEB
    if p.community_code not in communities():
        errors.add("community_code", f"unknown community {p.community_code!r}")
    if p.category_code not in categories():
        errors.add("category_code", f"unknown category {p.category_code!r}")

    description = p.description.strip()
    if not description:
        errors.add("description", "is required")
    elif len(description) > MAX_DESCRIPTION:
        errors.add("description", f"is {len(description)} characters; at most {MAX_DESCRIPTION}")
    elif problem := text_problem(description):
        errors.add("description", problem)

    name = p.petitioner_name.strip()
    if not name:
        errors.add("petitioner_name", "is required")
    elif len(name) > MAX_NAME or text_problem(name):
        errors.add("petitioner_name", f"must be plain text of at most {MAX_NAME} characters")

    address = p.address_text.strip()
    if len(address) > MAX_ADDRESS or text_problem(address):
        errors.add("address_string", f"must be plain text of at most {MAX_ADDRESS} characters")

    phone = normalise_phone(p.petitioner_phone)
    if not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        errors.add(
            "petitioner_phone",
            "must be a mainland mobile (11 digits from 1) or a landline like 028-87654321",
        )

    location = None
    if (p.latitude is None) != (p.longitude is None):
        missing = "longitude" if p.longitude is None else "latitude"
        errors.add(missing, "latitude and longitude go together: give both or neither")
    elif p.latitude is not None and p.longitude is not None:
        lat, lon = p.latitude, p.longitude
        if not -90 <= lat <= 90:
            errors.add("latitude", "must be between -90 and 90")
        if not -180 <= lon <= 180:
            errors.add("longitude", "must be between -180 and 180")
        if p.coordinate_system not in ("wgs84", "gcj02"):
            errors.add("coordinate_system", "must be wgs84 or gcj02")
        elif -90 <= lat <= 90 and -180 <= lon <= 180:
            if p.coordinate_system == "gcj02":
                lat, lon = gcj02_to_wgs84(lat, lon)
            location = Location(round(lat, 7), round(lon, 7))
    errors.raise_if_any()
    return ValidPetition(
        channel=channel,
        community_code=p.community_code,
        category_code=p.category_code,
        location=location,
        description=f"{description}\n地址: {address}" if address else description,
        public_description=redact(description),
        petitioner_name=name,
        petitioner_phone=phone,
    )
