"""Rating's public JSON: the three rates, for residents, the press and the public board."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response

from civicloop.rating.queries import RATES, RateFilter, RatingQueries, groupings

DEFINITIONS = {
    "satisfaction_rate": "ratings with a score of 3 or more / ratings given in the period",
    "on_time_rate": "rounds completed by the completion deadline in force, extensions included"
    " / rounds completed in the period",
    "resolution_rate": "cases closed without an unsatisfied rating in their last round (rated,"
    " rating_expired) / cases closed in the period; an office decision counts as unresolved",
}


def build_router(queries: RatingQueries) -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get("/rates", summary="The satisfaction, on-time and resolution rates")
    async def get_rates(
        group_by: Annotated[list[str] | None, Query()] = None,
        department_code: str | None = None,
        community_code: str | None = None,
        from_month: str = "",
        to_month: str = "",
        page_size: Annotated[int, Query(ge=1, le=200)] = 50,
        page_token: str | None = None,
    ) -> Response:
        rows, token = await queries.rates(
            RateFilter(
                groupings(group_by or []),
                [department_code] if department_code else None,
                community_code or None,
                from_month,
                to_month,
            ),
            RATES.request(page_size, page_token, field="page_token"),
        )
        body = {
            "definitions": DEFINITIONS,
            "months": "Asia/Shanghai calendar months",
            "rows": [
                {
                    "department_code": r.department_code or None,
                    "community_code": r.community_code or None,
                    "month": r.month or None,
                    "rated": r.counts.rated,
                    "satisfied": r.counts.satisfied,
                    "satisfaction_rate": _shown(r.counts.satisfaction_rate, r.counts.rated),
                    "completed": r.counts.completed,
                    "on_time": r.counts.on_time,
                    "on_time_rate": _shown(r.counts.on_time_rate, r.counts.completed),
                    "closed": r.counts.closed,
                    "resolved": r.counts.resolved,
                    "resolution_rate": _shown(r.counts.resolution_rate, r.counts.closed),
                }
                for r in rows
            ],
            "next_page_token": token,
        }
        return Response(
            orjson.dumps(body),
            media_type="application/json",
            headers={"cache-control": "public, max-age=60"},
        )

    return router


def _shown(value: float, denominator: int) -> float | None:
    """A rate with nothing counted is not 0 %: it is shown as null ("n/a")."""
    return round(value, 4) if denominator else None
