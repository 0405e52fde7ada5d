"""How amenities and reports are stored: their repositories and the unit of work.

An amenity is one row of ``amenities`` (its current version); committing the unit of work
(the platform's) writes the changed row, one history row and one outbox row per domain event,
and the command's answer, in one transaction.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from civicloop.amenities.domain.model import (
    Access,
    Amenity,
    AmenityKind,
    AmenityState,
    Details,
    Merchant,
    Report,
    ReportReason,
    ReportState,
)
from civicloop.amenities.domain.reports import Problem
from civicloop.amenities.store.problems import ModerationRecords, ProblemRepository
from civicloop.platform import unit_of_work
from civicloop.platform.domain import Actor
from civicloop.platform.errors import NotFound

SOURCE = "amenities"

AMENITY_COLUMNS = """amenity_id, community_code, kind, name, description, merchant_name,
    merchant_credit_code, merchant_public_phone, merchant_enrolled, merchant_sign_number,
    latitude, longitude, address, opening_hours, access, wheelchair_accessible, baby_change,
    all_gender, fee_fen, state, version, registered_at, registered_by, registered_role,
    updated_at, verified_at, withdrawn_at, withdrawal_reason, suspension_reason"""

# The same columns qualified with the table's alias ``a`` (for joins).
AMENITY_COLUMNS_A = ", ".join(f"a.{c.strip()}" for c in AMENITY_COLUMNS.split(","))

REPORT_COLUMNS = """report_id, amenity_id, community_code, reason_code, comment, reported_at,
    reported_by_subject, state, version"""


def details_from_row(r: asyncpg.Record) -> Details:
    merchant = None
    if r["merchant_name"] is not None:
        merchant = Merchant(
            name=r["merchant_name"],
            credit_code=r["merchant_credit_code"],
            public_phone=r["merchant_public_phone"],
            enrolled=r["merchant_enrolled"],
            sign_number=r["merchant_sign_number"],
        )
    return Details(
        kind=AmenityKind(r["kind"]),
        name=r["name"],
        description=r["description"],
        merchant=merchant,
        latitude=r["latitude"],
        longitude=r["longitude"],
        address=r["address"],
        opening_hours=r["opening_hours"],
        access=Access(r["access"]),
        wheelchair_accessible=r["wheelchair_accessible"],
        baby_change=r["baby_change"],
        all_gender=r["all_gender"],
        fee_fen=r["fee_fen"],
    )


def amenity_from_row(r: asyncpg.Record) -> Amenity:
    return Amenity(
        id=str(r["amenity_id"]),
        community_code=r["community_code"],
        details=details_from_row(r),
        state=AmenityState(r["state"]),
        version=r["version"],
        registered_at=r["registered_at"],
        registered_by=Actor(r["registered_by"], r["registered_role"]),
        updated_at=r["updated_at"],
        verified_at=r["verified_at"],
        withdrawn_at=r["withdrawn_at"],
        withdrawal_reason=r["withdrawal_reason"],
        suspension_reason=r["suspension_reason"],
    )


def amenity_values(a: Amenity) -> tuple[Any, ...]:
    """An amenity as its row, in AMENITY_COLUMNS' order."""
    d, m = a.details, a.details.merchant
    return (
        a.id,
        a.community_code,
        d.kind.value,
        d.name,
        d.description,
        m.name if m else None,
        m.credit_code if m else "",
        m.public_phone if m else "",
        m.enrolled if m else False,
        m.sign_number if m else "",
        d.latitude,
        d.longitude,
        d.address,
        d.opening_hours,
        d.access.value,
        d.wheelchair_accessible,
        d.baby_change,
        d.all_gender,
        d.fee_fen,
        a.state.value,
        a.version,
        a.registered_at,
        a.registered_by.subject,
        a.registered_by.role,
        a.updated_at,
        a.verified_at,
        a.withdrawn_at,
        a.withdrawal_reason,
        a.suspension_reason,
    )


_PLACEHOLDERS = ", ".join(f"${i}" for i in range(1, 30))
_UPDATES = ", ".join(
    f"{c.strip()} = EXCLUDED.{c.strip()}"
    for c in AMENITY_COLUMNS.split(",")
    if c.strip() not in ("amenity_id", "community_code", "registered_at", "registered_by")
)
UPSERT_AMENITY = f"""INSERT INTO amenities ({AMENITY_COLUMNS}) VALUES ({_PLACEHOLDERS})
    ON CONFLICT (amenity_id) DO UPDATE SET {_UPDATES}"""


def report_from_row(r: asyncpg.Record) -> Report:
    return Report(
        id=str(r["report_id"]),
        amenity_id=str(r["amenity_id"]),
        community_code=r["community_code"],
        reason=ReportReason(r["reason_code"]),
        comment=r["comment"],
        reported_at=r["reported_at"],
        reported_by_subject=r["reported_by_subject"],
        state=ReportState(r["state"]),
        version=r["version"],
    )


class AmenityRepository:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def get(self, amenity_id: str, *, lock: bool = False) -> Amenity:
        row = await self.conn.fetchrow(
            f"SELECT {AMENITY_COLUMNS} FROM amenities WHERE amenity_id = $1"
            + (" FOR UPDATE" if lock else ""),
            amenity_id,
        )
        if row is None:
            raise NotFound(f"no amenity {amenity_id}")
        return amenity_from_row(row)

    async def save(self, amenity: Amenity) -> None:
        await self.conn.execute(UPSERT_AMENITY, *amenity_values(amenity))


class ReportRepository:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def save(self, report: Report) -> None:
        await self.conn.execute(
            f"""INSERT INTO amenity_reports ({REPORT_COLUMNS})
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT (report_id) DO UPDATE SET state = EXCLUDED.state,
                    version = EXCLUDED.version""",
            report.id,
            report.amenity_id,
            report.community_code,
            report.reason.value,
            report.comment,
            report.reported_at,
            report.reported_by_subject,
            report.state.value,
            report.version,
        )


class UnitOfWork(unit_of_work.UnitOfWork[Any]):
    """One use case of amenities: the amenities, reports and problems it changed, their
    history and outbox rows and the command's answer commit together."""

    source = SOURCE

    def open_repositories(self) -> None:
        self.amenities = AmenityRepository(self.conn)
        self.reports = ReportRepository(self.conn)
        self.problems = ProblemRepository(self.conn)
        self.moderation = ModerationRecords(self.conn)

    async def save(self, aggregate: Any) -> None:
        if isinstance(aggregate, Amenity):
            await self.amenities.save(aggregate)
        elif isinstance(aggregate, Report):
            await self.reports.save(aggregate)
        elif isinstance(aggregate, Problem):
            await self.problems.save(aggregate)
        else:
            raise TypeError(f"amenities stores no {type(aggregate).__name__}")
