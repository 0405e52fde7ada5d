"""Rating's reads: the three rates and the ratings themselves."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import asyncpg

from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.errors import InvalidArgument
from civicloop.platform.months import month_bounds
from civicloop.platform.paging import Keyset, PageRequest
from civicloop.platform.protobuf import parse_uuid
from civicloop.rating.domain.model import Rating
from civicloop.rating.domain.rates import Counts, month_range
from civicloop.rating.store.repository import ALL, COUNTS

RATES = Keyset("rates", ("text", "text", "text"))
RATINGS = Keyset("ratings", ("timestamp", "uuid"))


class Grouping(StrEnum):
    DEPARTMENT = "department_code"
    COMMUNITY = "community_code"
    MONTH = "month"


@dataclass(frozen=True)
class RateRow:
    """One group's counts: a dimension not grouped by is empty."""

    department_code: str
    community_code: str
    month: str
    counts: Counts

    @property
    def key(self) -> tuple[str, str, str]:
        return self.department_code, self.community_code, self.month


@dataclass(frozen=True)
class RateFilter:
    group_by: frozenset[Grouping]
    # None: every department.
    departments: list[str] | None
    community_code: str | None
    from_month: str
    to_month: str


@dataclass(frozen=True)
class RatingFilter:
    case_id: str | None = None
    # None: every department.
    departments: list[str] | None = None
    community_code: str | None = None
    month: str | None = None
    satisfied: bool | None = None


class RatingQueries:
    def __init__(self, pool: asyncpg.Pool, clock: Clock = system_clock) -> None:
        self.pool = pool
        self.clock = clock

    async def rates(self, wanted: RateFilter, page: PageRequest) -> tuple[list[RateRow], str]:
        """The counts summed over the groups asked for (``COUNTS``: kept per department,
        community and month, so this sums a few thousand rows at most)."""
        first, last = month_range(wanted.from_month, wanted.to_month, self.clock())
        # The grain that answers: a dimension neither grouped by nor filtered on is read from
        # its total over everything ('*'), not summed from its every value.
        grain = [
            f"{g.value} {'<>' if g in wanted.group_by or named else '='} '{ALL}'"
            for g, named in (
                (Grouping.DEPARTMENT, wanted.departments is not None),
                (Grouping.COMMUNITY, wanted.community_code),
            )
        ]
        keys = [
            f"{g.value}" if g in wanted.group_by else f"''::text AS {g.value}" for g in Grouping
        ]
        grouped = [str(i + 1) for i, g in enumerate(Grouping) if g in wanted.group_by]
        after = page.after or (None, None, None)
        rows = await self.pool.fetch(
            f"""SELECT * FROM (
                  SELECT {", ".join(keys)}, sum(rated)::bigint AS rated,
                         sum(satisfied)::bigint AS satisfied,
                         sum(completed)::bigint AS completed, sum(on_time)::bigint AS on_time,
                         sum(closed)::bigint AS closed, sum(resolved)::bigint AS resolved
                    FROM {COUNTS} counts
                   WHERE month BETWEEN $1 AND $2 AND {" AND ".join(grain)}
                     AND ($3::text[] IS NULL OR department_code = ANY($3))
                     AND ($4::text IS NULL OR community_code = $4)
                   {"GROUP BY " + ", ".join(grouped) if grouped else ""}) g
                WHERE $5::text IS NULL
                   OR (g.department_code, g.community_code, g.month) > ($5, $6, $7)
                ORDER BY g.department_code, g.community_code, g.month
                LIMIT {page.limit}""",
            first,
            last,
            wanted.departments,
            wanted.community_code,
            *after,
        )
        found = [
            RateRow(
                r["department_code"],
                r["community_code"],
                r["month"],
                Counts(
                    rated=r["rated"] or 0,
                    satisfied=r["satisfied"] or 0,
                    completed=r["completed"] or 0,
                    on_time=r["on_time"] or 0,
                    closed=r["closed"] or 0,
                    resolved=r["resolved"] or 0,
                ),
            )
            for r in rows
        ]
        return RATES.page(found, page, lambda row: row.key)

    async def ratings(self, wanted: RatingFilter, page: PageRequest) -> tuple[list[Rating], str]:
        since, until = month_bounds(wanted.month) if wanted.month else (None, None)
        after = page.after or (None, None)
        rows = await self.pool.fetch(
            f"""SELECT * FROM ratings
                 WHERE ($1::uuid IS NULL OR case_id = $1)
                   AND ($2::text[] IS NULL OR department_code = ANY($2))
                   AND ($3::text IS NULL OR community_code = $3)
                   AND ($4::timestamptz IS NULL OR rated_at >= $4)
                   AND ($5::timestamptz IS NULL OR rated_at < $5)
                   AND ($6::boolean IS NULL OR (score >= 3) = $6)
                   AND ($7::timestamptz IS NULL OR (rated_at, id) < ($7, $8::uuid))
                 ORDER BY rated_at DESC, id DESC LIMIT {page.limit}""",
            parse_uuid(wanted.case_id, "case_id") if wanted.case_id else None,
            wanted.departments,
            wanted.community_code,
            since,
            until,
            wanted.satisfied,
            *after,
        )
        found = [
            Rating(
                str(r["id"]),
                str(r["case_id"]),
                str(r["petition_id"]),
                r["round"],
                r["department_code"],
                r["community_code"],
                r["score"],
                r["comment"],
                r["rated_at"],
            )
            for r in rows
        ]
        return RATINGS.page(found, page, lambda r: (r.rated_at, r.id))


def groupings(names: list[str]) -> frozenset[Grouping]:
    """GetRates' dimensions, named as the public JSON names them: department, community,
    month."""
    by_name = {
        "department": Grouping.DEPARTMENT,
        "community": Grouping.COMMUNITY,
        "month": Grouping.MONTH,
    }
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise InvalidArgument.of("group_by", f"unknown dimension {unknown[0]!r}")
    return frozenset(by_name[n] for n in names)
