"""The public pages of 幸福共享家, in Chinese with English, server-rendered and usable without
JavaScript on a phone:

- ``GET /``: what is open now nearby, nearest first, with distance and walking direction. The
  place comes from the phone (a small optional script fills ``lat``/``lng``) or from a
  community chosen in the form (its centre; or its list where the city has no centre for it).
- ``GET /a/{id}``: one amenity, open or not, its hours, and its problems: the open case, or
  the date it was fixed.
- ``GET|POST /a/{id}/report``: the report form; a report of a problem already open joins it.
- ``GET /catalogue``, ``GET /catalogue/{code}``: 一社区一共享, also as JSON under ``/v1``.

Status codes: 404 for an unknown amenity or community, 422 for a form or a place to correct,
429 with ``Retry-After`` past the per-address limit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, Protocol

import orjson
from fastapi import APIRouter, Request, Response

from civicloop.amenities import messages
from civicloop.amenities.domain.catalogue import CommunityCatalogue, catalogue
from civicloop.amenities.domain.geo import distance_m, walking_direction
from civicloop.amenities.domain.hours import SHANGHAI, OpenStatus
from civicloop.amenities.domain.model import (
    COMMENT_MAX,
    Access,
    AmenityKind,
    AmenityState,
    ReportReason,
    check_location,
)
from civicloop.amenities.domain.reports import Problem, ProblemState
from civicloop.amenities.domain.search import Query, amenity_status
from civicloop.amenities.handlers import Amenities
from civicloop.amenities.index import Finder
from civicloop.amenities.presenting import (
    KINDS,
    REASONS,
    STATUS,
    Words,
    badges,
    day_words,
    direction_words,
    distance_words,
    fee_words,
    until_words,
    words,
)
from civicloop.amenities.queries import AMENITIES, AmenityFilter, AmenityQueries
from civicloop.platform.clock import Clock
from civicloop.platform.commands import CommandRequest
from civicloop.platform.errors import InvalidArgument, NotFound, RateLimited, Violations
from civicloop.platform.http import read_form
from civicloop.platform.pages import package_templates
from civicloop.reference.catalogue import communities
from civicloop.v1 import amenities_pb2

NEARBY_RADIUS_M = 1000
COMMUNITY_RADIUS_M = 2000
RESULTS = 20
# A community without a centre is listed by name, this many amenities a read.
COMMUNITY_PAGE = 50
FORM_MAX_BYTES = 8 * 1024
STYLESHEET_PATH = "/assets/amenities.css"
SCRIPT_PATH = "/assets/locate.js"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # The optional script asks for the position on this page only.
    "Permissions-Policy": "geolocation=(self)",
}

_templates = package_templates("civicloop.amenities")


class PageLimit(Protocol):
    async def check(self, address: str | None) -> None: ...


class ProblemBook(Protocol):
    async def problems_of(self, amenity_id: str) -> list[Problem]: ...


@dataclass(frozen=True)
class Status:
    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class Item:
    """One amenity as a list shows it."""

    id: str
    name: str
    kind: Words
    address: str
    distance: str
    direction: Words | None
    status: Status
    until: Words | None
    badges: list[Words]
    stale: bool


@dataclass(frozen=True)
class Place:
    """Where the visitor is (WGS-84), or the community they chose."""

    latitude: float | None
    longitude: float | None
    community: str


def render(template: str, status: int = 200, **context: Any) -> Response:
    html = _templates.get_template(template).render(
        stylesheet=STYLESHEET_PATH, script=SCRIPT_PATH, **context
    )
    return Response(html, status, headers=SECURITY_HEADERS, media_type="text/html")


def notice(status: int, title: Words, text: Words) -> Response:
    return render("notice.html", status, title=title, text=text)


def status_of(status: OpenStatus) -> Status:
    shown = STATUS[status]
    return Status(status.value, shown.zh, shown.en)


def item_of(
    card: amenities_pb2.Amenity,
    status: OpenStatus,
    change: datetime | None,
    now: datetime,
    origin: tuple[float, float] | None,
    stale: bool,
) -> Item:
    d = card.details
    kind = _kind_code(card)
    lat, lng = d.location.latitude, d.location.longitude
    distance, direction = "", None
    if origin is not None:
        distance = distance_words(distance_m(*origin, lat, lng))
        direction = direction_words(walking_direction(*origin, lat, lng))
    return Item(
        id=card.amenity_id,
        name=d.name,
        kind=words(KINDS, kind),
        address=d.address,
        distance=distance,
        direction=direction,
        status=status_of(status),
        until=until_words(status, change, now),
        badges=badges(
            wheelchair_accessible=d.wheelchair_accessible,
            baby_change=d.baby_change,
            all_gender=d.all_gender,
            fee_fen=d.fee.fen if d.HasField("fee") else 0,
        ),
        stale=stale,
    )


def _kind_code(card: amenities_pb2.Amenity) -> str:
    name = amenities_pb2.AmenityKind.Name(card.details.kind)
    return name.removeprefix("AMENITY_KIND_").lower()


def problem_view(p: Problem) -> dict[str, Any]:
    fixed = day_words(p.fixed_at) if p.fixed_at else None
    return {
        "state": p.state.value,
        "reason": words(REASONS, p.reason_code),
        "case_id": p.case_id,
        "case_short": p.case_id[:8],
        "fixed_on": fixed.zh if fixed else "",
        "fixed_on_en": fixed.en if fixed else "",
    }


def problem_json(p: Problem) -> dict[str, Any]:
    return {
        "reason_code": p.reason_code,
        "state": p.state.value,
        "case_id": p.case_id or None,
        "case_state": p.case_state or None,
        "opened_at": p.opened_at.isoformat(),
        "fixed_at": p.fixed_at.isoformat() if p.fixed_at else None,
        "reports": len(p.report_ids),
    }


def catalogue_json(c: CommunityCatalogue, month: int) -> dict[str, Any]:
    return {
        "code": c.code,
        "name": c.name,
        "name_en": c.name_en,
        "sharing_point": c.sharing_point,
        "sharing_point_en": c.sharing_point_en,
        "shares": [{"title": s.title, "title_en": s.title_en} for s in c.shares],
        "this_month": _event_json(c, month),
        "events": [
            {
                "month": e.month,
                "title": e.title,
                "title_en": e.title_en,
                "planned_by": "community" if e.community_planned else "city",
            }
            for e in c.events
        ],
    }


def _event_json(c: CommunityCatalogue, month: int) -> dict[str, Any]:
    e = c.event_of(month)
    return {"month": e.month, "title": e.title, "title_en": e.title_en}


def json_response(body: object) -> Response:
    return Response(
        orjson.dumps(body),
        media_type="application/json",
        headers={"cache-control": "public, max-age=60"},
    )


@cache
def _asset(name: str) -> bytes:
    return resources.files("civicloop.amenities").joinpath(f"templates/{name}").read_bytes()


def place_of(params: dict[str, str]) -> tuple[Place | None, Words | None]:
    """The place the form asks about, or what to correct."""
    community = params.get("community", "")
    lat, lng = params.get("lat", ""), params.get("lng", "")
    if lat or lng:
        invalid = Words("位置无效，请重试或选择社区。", "That position is not valid.")
        try:
            latitude, longitude = float(lat), float(lng)
        except ValueError:
            return None, invalid
        crs = params.get("crs") or "wgs84"
        if crs not in ("wgs84", "gcj02", "bd09"):
            return None, Words("坐标系无效。", "Unknown coordinate system.")
        # The registry's own rule for a point: real degrees, within the city once converted.
        problems = Violations()
        point = check_location(problems, "location", latitude, longitude, crs)
        if point is None:
            if any(v.field == "location" for v in problems.items):
                return None, Words(
                    "您不在都江堰市范围内，请选择社区。",
                    "You are outside Dujiangyan: choose a community instead.",
                )
            return None, invalid
        return Place(*point, ""), None
    if community:
        if community not in communities():
            return None, Words("未知社区。", "Unknown community.")
        return Place(None, None, community), None
    return None, None


def build_router(
    *,
    finder: Finder,
    queries: AmenityQueries,
    amenities: Amenities,
    problems: ProblemBook,
    limit: PageLimit,
    clock: Clock,
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    json_router = APIRouter(prefix="/v1")

    async def limited(request: Request) -> Response | None:
        try:
            await limit.check(request.client.host if request.client else None)
        except RateLimited as refused:
            response = notice(
                429,
                Words("请求太频繁", "Too many requests"),
                Words(
                    f"请{refused.retry_after_seconds}秒后再试。",
                    f"Try again in {refused.retry_after_seconds} s.",
                ),
            )
            response.headers["Retry-After"] = str(refused.retry_after_seconds)
            return response
        return None

    @router.get(STYLESHEET_PATH)
    async def stylesheet() -> Response:
        return Response(
            _asset("amenities.css"),
            media_type="text/css",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    @router.get(SCRIPT_PATH)
    async def script() -> Response:
        return Response(
            _asset("locate.js"),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    async def nearby_items(
        place: Place, kind: AmenityKind | None, open_only: bool, now: datetime
    ) -> list[Item]:
        origin = None
        radius = NEARBY_RADIUS_M
        if place.latitude is not None and place.longitude is not None:
            origin = (place.latitude, place.longitude)
        elif centroid := communities()[place.community].centroid:
            origin, radius = centroid, COMMUNITY_RADIUS_M
        if origin is not None:
            found = await finder.find(
                Query(
                    latitude=origin[0],
                    longitude=origin[1],
                    radius_m=radius,
                    at=now,
                    kinds=frozenset({kind}) if kind else frozenset(),
                    access=Access.PUBLIC,
                    open_only=open_only,
                    limit=RESULTS,
                )
            )
            return [
                item_of(
                    amenities_pb2.Amenity.FromString(r.card),
                    r.found.status,
                    r.found.next_change_at,
                    now,
                    origin if place.latitude is not None else None,
                    r.found.stale,
                )
                for r in found
            ]
        # A community the city has no centre for: its own list, by name, read page by page
        # until RESULTS are shown or the list ends (suspended, customer-only and closed ones
        # are left out after reading, so one page may show none of them).
        items: list[Item] = []
        token: str | None = None
        while len(items) < RESULTS:
            views, token = await queries.amenities(
                AmenityFilter(community_code=place.community, kind=kind),
                AMENITIES.request(COMMUNITY_PAGE, token),
            )
            for view in views:
                a = view.amenity
                if a.state is not AmenityState.ACTIVE or a.details.access is not Access.PUBLIC:
                    continue
                status, change = amenity_status(a, now, finder.windows)
                if open_only and status is not OpenStatus.OPEN:
                    continue
                card = messages.amenity_pb(a)
                items.append(item_of(card, status, change, now, None, a.is_stale(now)))
            if not token:
                break
        return items[:RESULTS]

    @router.get("/")
    async def nearby(request: Request) -> Response:
        if refused := await limited(request):
            return refused
        params = dict(request.query_params)
        place, error = place_of(params)
        kind_code = params.get("kind", "")
        kind = None
        if kind_code:
            try:
                kind = AmenityKind(kind_code)
            except ValueError:
                error = Words("未知类型。", "Unknown kind.")
        open_only = params.get("all") != "1"
        now = clock()
        items: list[Item] = []
        if place is not None and error is None:
            items = await nearby_items(place, kind, open_only, now)
        heading = Words("附近开放的共享设施", "Open now nearby")
        if place is not None and place.community:
            heading = Words(
                f"{communities()[place.community].name}的共享设施",
                f"Shared facilities in {communities()[place.community].name_en}",
            )
        return render(
            "nearby.html",
            422 if error else 200,
            heading=heading,
            error=error,
            searched=place is not None and error is None,
            results_title=Words("现在开放", "Open now") if open_only else Words("全部", "All"),
            items=items,
            form={
                "lat": params.get("lat", "") if error is None else "",
                "lng": params.get("lng", "") if error is None else "",
                "crs": params.get("crs", "wgs84") if error is None else "wgs84",
                "community": place.community if place else "",
                "kind": kind_code if kind else "",
                "all": not open_only,
            },
            communities=[
                {"code": c.code, "name": c.name, "name_en": c.name_en}
                for c in communities().values()
            ],
            kinds=[{"code": k.value, **vars(words(KINDS, k.value))} for k in AmenityKind],
        )

    async def amenity_shown(amenity_id: str) -> dict[str, Any] | None:
        try:
            uuid.UUID(amenity_id)
            view = await queries.get(amenity_id)
        except (ValueError, NotFound):
            return None
        a, now = view.amenity, clock()
        d = a.details
        status, change = amenity_status(a, now, finder.windows)
        shown_notice = None
        if a.state is AmenityState.WITHDRAWN:
            shown_notice = Words("已撤销，不再共享。", "Withdrawn: no longer shared.")
        elif a.state is AmenityState.SUSPENDED:
            shown_notice = Words("暂停共享。", "Sharing paused for now.")
        elif a.is_stale(now):
            shown_notice = Words("半年未核实，信息可能有变。", "Not checked for six months.")
        community = communities().get(a.community_code)
        return {
            "id": a.id,
            "name": d.name,
            "address": d.address,
            "kind": words(KINDS, d.kind.value),
            "community": community.name if community else a.community_code,
            "status": status_of(status),
            "until": until_words(status, change, now),
            "notice": shown_notice,
            "hours": d.opening_hours,
            "merchant": d.merchant.name if d.merchant else "",
            "fee": fee_words(d.fee_fen),
            # The fee has its own line here.
            "badges": badges(
                wheelchair_accessible=d.wheelchair_accessible,
                baby_change=d.baby_change,
                all_gender=d.all_gender,
                fee_fen=1,
            ),
            "description": d.description,
            "reportable": a.state is not AmenityState.WITHDRAWN,
        }

    def unknown_amenity() -> Response:
        return notice(
            404,
            Words("找不到该设施", "No such facility"),
            Words("链接可能有误。", "The link may be wrong."),
        )

    @router.get("/a/{amenity_id}")
    async def amenity_page(amenity_id: str, request: Request) -> Response:
        if refused := await limited(request):
            return refused
        shown = await amenity_shown(amenity_id)
        if shown is None:
            return unknown_amenity()
        found = await problems.problems_of(amenity_id)
        return render("amenity.html", a=shown, problems=[problem_view(p) for p in found])

    def report_form(
        shown: dict[str, Any],
        *,
        reason_code: str = "",
        comment: str = "",
        errors: dict[str, str] | None = None,
        request_id: str = "",
    ) -> Response:
        return render(
            "report.html",
            422 if errors else 200,
            a=shown,
            reasons=[{"code": r.value, **vars(words(REASONS, r.value))} for r in ReportReason],
            form={"reason_code": reason_code, "comment": comment},
            errors=errors or {},
            comment_max=COMMENT_MAX,
            request_id=request_id or str(uuid.uuid4()),
        )

    @router.get("/a/{amenity_id}/report")
    async def report_page(amenity_id: str, request: Request) -> Response:
        if refused := await limited(request):
            return refused
        shown = await amenity_shown(amenity_id)
        if shown is None or not shown["reportable"]:
            return unknown_amenity()
        return report_form(shown)

    @router.post("/a/{amenity_id}/report")
    async def report(amenity_id: str, request: Request) -> Response:
        if refused := await limited(request):
            return refused
        shown = await amenity_shown(amenity_id)
        if shown is None or not shown["reportable"]:
            return unknown_amenity()
        form = await read_form(request, FORM_MAX_BYTES, max_fields=8)
        reason_code = form.get("reason_code", "")
        # Browsers send a textarea's line breaks as CRLF; its maxlength counts them once.
        comment = form.get("comment", "").replace("\r\n", "\n")
        request_id = form.get("request_id", "")
        errors = form_errors(reason_code, comment)
        if not errors:
            address = request.client.host if request.client else ""
            keyed = CommandRequest.of(
                f"anonymous:{address}",
                request_id,
                "ReportAmenityPage",
                orjson.dumps([amenity_id, reason_code, comment]),
            )
            try:
                answer = await amenities.report(
                    None,
                    keyed,
                    amenity_id,
                    reason_code,
                    comment,
                    lambda r: orjson.dumps({"report_id": r.id, "state": r.state.value}),
                )
            except InvalidArgument as invalid:
                errors = {v.field: v.description for v in invalid.violations}
            else:
                filed = orjson.loads(answer)
                return render(
                    "reported.html",
                    a=shown,
                    reason=words(REASONS, reason_code),
                    joined=filed["state"] == "joined",
                    report_id=filed["report_id"],
                )
        return report_form(
            shown,
            reason_code=reason_code,
            comment=comment,
            errors=errors,
            request_id=request_id,
        )

    @router.get("/catalogue")
    async def catalogue_page(request: Request) -> Response:
        if refused := await limited(request):
            return refused
        month = clock().astimezone(SHANGHAI).month
        named = [c for c in catalogue().values() if c.shares or _planned(c)]
        return render(
            "catalogue.html",
            month=month,
            entries=[{**vars(c), "event": c.event_of(month)} for c in named],
        )

    @router.get("/catalogue/{code}")
    async def community_page(code: str, request: Request) -> Response:
        if refused := await limited(request):
            return refused
        entry = catalogue().get(code)
        if entry is None:
            return notice(404, Words("未知社区", "Unknown community"), Words("", ""))
        now = clock()
        views, _ = await queries.amenities(
            AmenityFilter(community_code=code), AMENITIES.request(100, None)
        )
        items = [
            {"id": v.amenity.id, "name": v.amenity.details.name,
             "kind": words(KINDS, v.amenity.details.kind.value)}
            for v in views
            if v.amenity.state is AmenityState.ACTIVE
        ]  # fmt: skip
        return render("community.html", c=entry, items=items, month=now.astimezone(SHANGHAI).month)

    async def counted(request: Request) -> None:
        """Public JSON counts against the same per-address limit (429 problem details)."""
        await limit.check(request.client.host if request.client else None)

    @json_router.get("/catalogue", summary="Every community's sharing point and this month")
    async def catalogue_index(request: Request) -> Response:
        await counted(request)
        month = clock().astimezone(SHANGHAI).month
        return json_response(
            {
                "month": month,
                "communities": [
                    {
                        "code": c.code,
                        "name": c.name,
                        "name_en": c.name_en,
                        "sharing_point": c.sharing_point,
                        "this_month": _event_json(c, month),
                    }
                    for c in catalogue().values()
                ],
            }
        )

    @json_router.get("/catalogue/{code}", summary="One community's catalogue")
    async def community_json(code: str, request: Request) -> Response:
        await counted(request)
        entry = catalogue().get(code)
        if entry is None:
            raise NotFound(f"no community {code!r}")
        views, _ = await queries.amenities(
            AmenityFilter(community_code=code), AMENITIES.request(100, None)
        )
        body = catalogue_json(entry, clock().astimezone(SHANGHAI).month)
        body["amenities"] = [
            {"amenity_id": v.amenity.id, "name": v.amenity.details.name,
             "kind": v.amenity.details.kind.value}
            for v in views
            if v.amenity.state is AmenityState.ACTIVE
        ]  # fmt: skip
        return json_response(body)

    @json_router.get("/amenities/{amenity_id}/problems", summary="An amenity's open case")
    async def problems_json(amenity_id: str, request: Request) -> Response:
        await counted(request)
        try:
            uuid.UUID(amenity_id)
            await queries.get(amenity_id)
        except ValueError:
            raise InvalidArgument.of("amenity_id", "must be a UUID") from None
        found = await problems.problems_of(amenity_id)
        return json_response(
            {
                "amenity_id": amenity_id,
                "open": [problem_json(p) for p in found if p.state is not ProblemState.FIXED],
                "fixed": [problem_json(p) for p in found if p.state is ProblemState.FIXED],
            }
        )

    router.include_router(json_router)
    return router


def _planned(c: CommunityCatalogue) -> bool:
    return any(e.community_planned for e in c.events)


def form_errors(reason_code: str, comment: str) -> dict[str, str]:
    """What the reporter must correct, in their words, by field."""
    errors = {}
    if reason_code not in {r.value for r in ReportReason}:
        errors["reason_code"] = "请选择遇到的问题。Please choose what was wrong."
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"说明最多{COMMENT_MAX}字。At most {COMMENT_MAX} characters."
    elif reason_code == ReportReason.OTHER and not comment.strip():
        errors["comment"] = "选择“其他”时请写明情况。Please say what was wrong."
    return errors
