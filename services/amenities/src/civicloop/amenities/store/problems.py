"""How problems (domain/reports.py) and the moderation of reports are stored."""

from __future__ import annotations

from typing import Any

import asyncpg

from civicloop.amenities.domain.model import Report, ReportState
from civicloop.amenities.domain.reports import Problem, ProblemState
from civicloop.platform.domain import Actor
from civicloop.platform.errors import NotFound

PROBLEM_COLUMNS = """problem_id, amenity_id, community_code, reason_code, opened_at, report_ids,
    state, petition_id, case_id, case_state, fixed_at, version"""


def problem_from_row(r: asyncpg.Record) -> Problem:
    return Problem(
        id=str(r["problem_id"]),
        amenity_id=str(r["amenity_id"]),
        community_code=r["community_code"],
        reason_code=r["reason_code"],
        opened_at=r["opened_at"],
        report_ids=[str(x) for x in r["report_ids"]],
        state=ProblemState(r["state"]),
        petition_id=r["petition_id"],
        case_id=r["case_id"],
        case_state=r["case_state"],
        fixed_at=r["fixed_at"],
        version=r["version"],
    )


class ProblemRepository:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def get(self, problem_id: str, *, lock: bool = False) -> Problem:
        row = await self.conn.fetchrow(
            f"SELECT {PROBLEM_COLUMNS} FROM amenity_problems WHERE problem_id = $1"
            + (" FOR UPDATE" if lock else ""),
            problem_id,
        )
        if row is None:
            raise NotFound(f"no problem {problem_id}")
        return problem_from_row(row)

    async def open_one(self, amenity_id: str, reason_code: str) -> Problem | None:
        """The open problem of this amenity and reason, locked, if there is one."""
        row = await self.conn.fetchrow(
            f"""SELECT {PROBLEM_COLUMNS} FROM amenity_problems
                 WHERE amenity_id = $1 AND reason_code = $2 AND state <> 'fixed'
                   FOR UPDATE""",
            amenity_id,
            reason_code,
        )
        return problem_from_row(row) if row else None

    async def following(self, *, case_ids: list[str], petition_ids: list[str]) -> list[Problem]:
        """The problems a case event is about (by case, or by petition for merges), locked."""
        rows = await self.conn.fetch(
            f"""SELECT {PROBLEM_COLUMNS} FROM amenity_problems
                 WHERE (case_id <> '' AND case_id = ANY($1::text[]))
                    OR (petition_id <> '' AND petition_id = ANY($2::text[]))
                 ORDER BY problem_id FOR UPDATE""",
            case_ids,
            petition_ids,
        )
        return [problem_from_row(r) for r in rows]

    async def save(self, problem: Problem) -> None:
        await self.conn.execute(
            f"""INSERT INTO amenity_problems ({PROBLEM_COLUMNS})
                VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7, $8, $9, $10, $11, $12)
                ON CONFLICT (problem_id) DO UPDATE SET report_ids = EXCLUDED.report_ids,
                    state = EXCLUDED.state, petition_id = EXCLUDED.petition_id,
                    case_id = EXCLUDED.case_id, case_state = EXCLUDED.case_state,
                    fixed_at = EXCLUDED.fixed_at, version = EXCLUDED.version""",
            problem.id,
            problem.amenity_id,
            problem.community_code,
            problem.reason_code,
            problem.opened_at,
            problem.report_ids,
            problem.state.value,
            problem.petition_id,
            problem.case_id,
            problem.case_state,
            problem.fixed_at,
            problem.version,
        )

    async def keep_filer(self, problem_id: str, name: str, phone: str) -> None:
        await self.conn.execute(
            "UPDATE amenity_problems SET filer_name = $2, filer_phone = $3 WHERE problem_id = $1",
            problem_id,
            name,
            phone,
        )

    async def forget_filer(self, problem_id: str) -> None:
        await self.conn.execute(
            """UPDATE amenity_problems SET filer_name = NULL, filer_phone = NULL
                WHERE problem_id = $1""",
            problem_id,
        )

    async def filer(self, problem_id: str) -> tuple[str, str] | None:
        row = await self.conn.fetchrow(
            "SELECT filer_name, filer_phone FROM amenity_problems WHERE problem_id = $1",
            problem_id,
        )
        if row is None or row["filer_name"] is None:
            return None
        return row["filer_name"], row["filer_phone"]

    async def waiting_to_be_filed(self, limit: int = 20) -> list[str]:
        rows = await self.conn.fetch(
            """SELECT problem_id FROM amenity_problems WHERE state = 'filing'
                ORDER BY opened_at LIMIT $1""",
            limit,
        )
        return [str(r["problem_id"]) for r in rows]

    async def of_amenity(self, amenity_id: str, limit: int = 10) -> list[Problem]:
        """Open problems first, then the most recently fixed."""
        rows = await self.conn.fetch(
            f"""SELECT {PROBLEM_COLUMNS} FROM amenity_problems WHERE amenity_id = $1
                 ORDER BY (state = 'fixed'), opened_at DESC LIMIT $2""",
            amenity_id,
            limit,
        )
        return [problem_from_row(r) for r in rows]


class ModerationRecords:
    """The moderation columns of ``amenity_reports`` (the report's row is the registry's)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def state_of(self, report_id: str) -> tuple[str, str, str, str]:
        """(amenity_id, community_code, reason_code, state) of a report, locked."""
        row = await self.conn.fetchrow(
            """SELECT amenity_id, community_code, reason_code, state FROM amenity_reports
                WHERE report_id = $1 FOR UPDATE""",
            report_id,
        )
        if row is None:
            raise NotFound(f"no report {report_id}")
        return str(row["amenity_id"]), row["community_code"], row["reason_code"], row["state"]

    async def moderated(
        self,
        report_id: str,
        state: str,
        *,
        at: Any,
        by: str,
        rejection_reason: str = "",
    ) -> None:
        await self.conn.execute(
            """UPDATE amenity_reports SET state = $2, moderated_at = $3, moderated_by = $4,
                      rejection_reason = $5, version = version + 1
                WHERE report_id = $1""",
            report_id,
            state,
            at,
            by,
            rejection_reason,
        )


async def join_open_problem(
    problems: ProblemRepository, report: Report, reporter: Actor | None
) -> Problem | None:
    """A new report of a problem already open (same amenity, same reason) joins it at once:
    the worker confirmed that problem already, and no second petition is filed."""
    problem = await problems.open_one(report.amenity_id, report.reason.value)
    if problem is None:
        return None
    problem.join(report.id, reporter, report.reported_at)
    report.state = ReportState.JOINED
    return problem
