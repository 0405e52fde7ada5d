"""Reads of amenities and reports, straight from PostgreSQL (search is ``index.Finder``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from civicloop.amenities.domain.model import Amenity, AmenityKind, Report
from civicloop.amenities.store.repository import (
    AMENITY_COLUMNS_A,
    REPORT_COLUMNS,
    amenity_from_row,
    report_from_row,
)
from civicloop.platform.errors import NotFound
from civicloop.platform.paging import Keyset, PageRequest

AMENITIES = Keyset("amenities", ("text", "uuid"))
REPORTS = Keyset("amenity_reports", ("timestamp", "uuid"))

# A report that counts as recent (of an amenity_reports row r).
RECENT_REPORT = "r.reported_at > now() - interval '30 days'"
RECENT_REPORTS = f"""(SELECT count(*) FROM amenity_reports r
                      WHERE r.amenity_id = a.amenity_id AND {RECENT_REPORT})"""


@dataclass(frozen=True)
class AmenityView:
    amenity: Amenity
    recent_report_count: int


@dataclass(frozen=True)
class AmenityFilter:
    community_code: str | None = None
    kind: AmenityKind | None = None
    include_withdrawn: bool = False


@dataclass(frozen=True)
class ReportFilter:
    # None: every community the caller may see.
    communities: frozenset[str] | None
    amenity_id: str | None = None
    reason_code: str | None = None
    since: datetime | None = None


@dataclass
class AmenityQueries:
    pool: asyncpg.Pool

    async def get(self, amenity_id: str) -> AmenityView:
        row = await self.pool.fetchrow(
            f"""SELECT {AMENITY_COLUMNS_A}, {RECENT_REPORTS} AS recent_reports
                  FROM amenities a WHERE a.amenity_id = $1""",
            amenity_id,
        )
        if row is None:
            raise NotFound(f"no amenity {amenity_id}")
        return AmenityView(amenity_from_row(row), row["recent_reports"])

    async def amenities(
        self, wanted: AmenityFilter, page: PageRequest
    ) -> tuple[list[AmenityView], str]:
        """By name (then id), withdrawn ones only when asked."""
        after = page.after or ("", "00000000-0000-0000-0000-000000000000")
        rows = await self.pool.fetch(
            f"""SELECT {AMENITY_COLUMNS_A}, {RECENT_REPORTS} AS recent_reports
                  FROM amenities a
                 WHERE ($1::text IS NULL OR a.community_code = $1)
                   AND ($2::text IS NULL OR a.kind = $2)
                   AND ($3 OR a.state <> 'withdrawn')
                   AND (a.name, a.amenity_id) > ($4, $5::uuid)
                 ORDER BY a.name, a.amenity_id LIMIT $6""",
            wanted.community_code,
            wanted.kind.value if wanted.kind else None,
            wanted.include_withdrawn,
            after[0],
            after[1],
            page.limit,
        )
        views = [AmenityView(amenity_from_row(r), r["recent_reports"]) for r in rows]
        return AMENITIES.page(views, page, lambda v: (v.amenity.details.name, v.amenity.id))

    async def reports(self, wanted: ReportFilter, page: PageRequest) -> tuple[list[Report], str]:
        """Newest first."""
        rows = await self.pool.fetch(
            f"""SELECT {REPORT_COLUMNS} FROM amenity_reports
                 WHERE ($1::text[] IS NULL OR community_code = ANY($1))
                   AND ($2::uuid IS NULL OR amenity_id = $2)
                   AND ($3::text IS NULL OR reason_code = $3)
                   AND ($4::timestamptz IS NULL OR reported_at >= $4)
                   AND ($5::timestamptz IS NULL OR (reported_at, report_id) < ($5, $6::uuid))
                 ORDER BY reported_at DESC, report_id DESC LIMIT $7""",
            sorted(wanted.communities) if wanted.communities is not None else None,
            wanted.amenity_id,
            wanted.reason_code,
            wanted.since,
            page.after[0] if page.after else None,
            page.after[1] if page.after else None,
            page.limit,
        )
        reports = [report_from_row(r) for r in rows]
        return REPORTS.page(reports, page, lambda r: (r.reported_at, r.id))
