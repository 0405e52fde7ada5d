"""The public board (晒单): server-rendered pages in Chinese, usable without JavaScript and on
a phone; the same reads as public JSON (``/v1/...``) and Atom feeds (``/feeds/...``).

Every answer is public and the same for everyone, so a rendered answer is kept in memory for
a few seconds (``PUBLICATION_PAGE_CACHE_SECONDS``) and carries a strong ETag over its bytes:
a reader sending ``If-None-Match`` gets 304, proxies may keep it as long as Cache-Control says.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from markupsafe import Markup, escape

from civicloop.platform.departments import DepartmentNames
from civicloop.platform.errors import InvalidArgument, NotFound
from civicloop.platform.months import month_of, parse_month
from civicloop.platform.pages import package_templates
from civicloop.publication import feeds, messages
from civicloop.publication.domain.batches import Batch, BatchState
from civicloop.publication.domain.board import NOT_PUBLIC, BoardList, PublicState
from civicloop.publication.peers import LedgerEvidence, RatingRates
from civicloop.publication.presenting import (
    LIST_LABELS,
    STATE_LABELS,
    category_name,
    community_name,
    rate_shown,
    shown_date,
    shown_time,
    step_shown,
)
from civicloop.publication.queries import BATCHES, CASES, CaseFilter, PublicationQueries, ShownCase
from civicloop.reference.catalogue import categories, communities

STYLESHEET_PATH = "/assets/board.css"
PAGE_SIZE = 20
# Public pages: any cache may keep them a minute; the board moves by events, not by the second.
CACHE_CONTROL = "public, max-age=60"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

_templates = package_templates("civicloop.publication")


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    etag: str
    status: int = 200
    location: str = ""


class PageCache:
    """Rendered answers by URL, each fresh for ``seconds`` (0: nothing kept).

    A page past its time is still served while one task renders it again (stale while
    revalidating), and a page asked for by many readers at once is rendered once for all of
    them: a reader never waits for a render another reader already started. Each page keeps
    for a jittered time and the refreshes run one at a time, so that pages cached together do
    not all go stale, and hold the event loop, at the same moment.
    """

    MAX_ENTRIES = 2000

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._kept: dict[str, tuple[float, Rendered]] = {}
        self._rendering: dict[str, asyncio.Future[Rendered]] = {}
        self._refreshing = asyncio.Semaphore(1)

    async def get(self, key: str, render: Callable[[], Awaitable[Rendered]]) -> Rendered:
        if not self.seconds:
            return await render()
        kept = self._kept.get(key)
        if kept is not None:
            if kept[0] <= time.monotonic() and key not in self._rendering:
                self._start(key, render, refresh=True)
            return kept[1]
        pending = self._rendering.get(key) or self._start(key, render)
        return await asyncio.shield(pending)

    def _start(
        self, key: str, render: Callable[[], Awaitable[Rendered]], *, refresh: bool = False
    ) -> asyncio.Future[Rendered]:
        task = asyncio.ensure_future(self._render(key, render, refresh))
        # A refresh nobody waits for may fail (the page is served stale, then tried again):
        # its exception is taken here so it is not reported as never retrieved.
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._rendering[key] = task
        return task

    async def _render(
        self, key: str, render: Callable[[], Awaitable[Rendered]], refresh: bool
    ) -> Rendered:
        try:
            if refresh:
                async with self._refreshing:
                    page = await render()
            else:
                page = await render()
        finally:
            self._rendering.pop(key, None)
        if page.status == 200:
            if len(self._kept) >= self.MAX_ENTRIES:
                self._kept.clear()
            keep = self.seconds * (0.75 + random.random() / 2)
            self._kept[key] = (time.monotonic() + keep, page)
        else:
            self._kept.pop(key, None)
        return page


def rendered(body: bytes, media_type: str, status: int = 200) -> Rendered:
    return Rendered(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', status)


def answer(request: Request, page: Rendered) -> Response:
    if page.location:
        return RedirectResponse(page.location, status_code=308)
    headers = {"ETag": page.etag, "Cache-Control": CACHE_CONTROL, **SECURITY_HEADERS}
    if page.status == 200 and page.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if page.status != 200:
        headers["Cache-Control"] = "no-store"
    return Response(page.body, page.status, headers=headers, media_type=page.media_type)


def html(template: str, status: int = 200, **context: Any) -> Rendered:
    body = _templates.get_template(template).render(
        stylesheet=STYLESHEET_PATH,
        list_labels=LIST_LABELS,
        state_labels=STATE_LABELS,
        category_name=category_name,
        community_name=community_name,
        shown_time=shown_time,
        shown_date=shown_date,
        **context,
    )
    return rendered(body.encode(), "text/html; charset=utf-8", status)


def json_page(body: Any) -> Rendered:
    return rendered(orjson.dumps(body), "application/json")


class Options:
    """A select's options, escaped once: a page marks the chosen one instead of rendering
    every community and category again (most of the list page's work otherwise)."""

    def __init__(self, everything: str, choices: list[tuple[str, str]]) -> None:
        self._html = {
            value: f'<option value="{escape(value)}">{escape(label)}</option>'
            for value, label in [("", everything), *choices]
        }

    def __call__(self, chosen: str) -> Markup:
        return Markup(
            "".join(
                html.replace("<option ", "<option selected ", 1) if value == chosen else html
                for value, html in self._html.items()
            )
        )


def _month_label(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"


FILTER_OPTIONS = {
    "list": Options("全部清单", [(b.value, LIST_LABELS[b]) for b in BoardList]),
    "category": Options("全部类别", [(code, c.name) for code, c in categories().items()]),
    "community": Options("全部社区", [(code, c.name) for code, c in communities().items()]),
    "state": Options(
        "全部状态", [(s.value, STATE_LABELS[s]) for s in PublicState if s not in NOT_PUBLIC]
    ),
}


@dataclass(frozen=True)
class BoardQuery:
    """The list page's filters as the query string gives them, checked."""

    board_list: str = ""
    category: str = ""
    community: str = ""
    state: str = ""
    month: str = ""
    page_token: str = ""

    @classmethod
    def of(cls, request: Request) -> BoardQuery:
        q = request.query_params
        wanted = cls(
            q.get("list", ""),
            q.get("category", ""),
            q.get("community", ""),
            q.get("state", ""),
            q.get("month", ""),
            q.get("page_token", ""),
        )
        if wanted.board_list and wanted.board_list not in BoardList.__members__.values():
            raise InvalidArgument.of("list", f"one of {', '.join(b.value for b in BoardList)}")
        if wanted.category and wanted.category not in categories():
            raise InvalidArgument.of("category", "unknown category code")
        if wanted.community and wanted.community not in communities():
            raise InvalidArgument.of("community", "unknown community code")
        shown = [s.value for s in PublicState if s not in NOT_PUBLIC]
        if wanted.state and wanted.state not in shown:
            raise InvalidArgument.of("state", f"one of {', '.join(shown)}")
        if wanted.month:
            parse_month(wanted.month, "month")
        return wanted

    @property
    def filter(self) -> CaseFilter:
        return CaseFilter(
            board_list=BoardList(self.board_list) if self.board_list else None,
            category_code=self.category or None,
            community_code=self.community or None,
            states=(PublicState(self.state),) if self.state else (),
            month=self.month or None,
        )

    def with_token(self, token: str) -> str:
        params = {
            "list": self.board_list,
            "category": self.category,
            "community": self.community,
            "state": self.state,
            "month": self.month,
            "page_token": token,
        }
        return urlencode({k: v for k, v in params.items() if v})


class BoardViews:
    """The board's reads, shaped for the templates and the JSON."""

    def __init__(
        self,
        queries: PublicationQueries,
        departments: DepartmentNames,
        rates: RatingRates,
        board_url: str,
        evidence: LedgerEvidence | None = None,
        ledger_url: str = "",
    ) -> None:
        self.queries = queries
        self.departments = departments
        self.rates = rates
        self.board_url = board_url.rstrip("/")
        self.evidence = evidence
        self.ledger_url = ledger_url.rstrip("/")

    async def evidence_of(self, case_id: str) -> tuple[dict[str, int], str]:
        """The ledger entries of the case's events, and where its evidence bundle is."""
        if self.evidence is None:
            return {}, ""
        entries = await self.evidence.of_case(case_id)
        return entries, f"{self.ledger_url}/ledger/evidence/{case_id}" if entries else ""

    async def names(self, cases: list[ShownCase]) -> dict[str, str]:
        codes = {c.case.department_code for c in cases if c.case.department_code}
        return {code: await self.departments.name(code) for code in codes}

    async def listed(self, wanted: BoardQuery) -> tuple[list[ShownCase], str]:
        """One page of the board's list, as the query string asks."""
        page = CASES.request(PAGE_SIZE, wanted.page_token or None, field="page_token")
        return await self.queries.cases(wanted.filter, page)

    async def case_json(self, shown: ShownCase) -> dict[str, Any]:
        name = await self.departments.name(shown.case.department_code)
        return messages.case_json(shown, self.board_url, name if shown.case.department_code else "")


def build_router(views: BoardViews, cache: PageCache) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    queries = views.queries
    stylesheet = (
        resources.files("civicloop.publication").joinpath("templates/board.css").read_bytes()
    )

    async def cached(request: Request, render: Callable[[], Awaitable[Rendered]]) -> Response:
        key = request.url.path + "?" + request.url.query
        return answer(request, await cache.get(key, render))

    async def not_found(what: str) -> Rendered:
        return html("notice.html", 404, heading="未找到", message=what)

    @router.get(STYLESHEET_PATH)
    async def board_stylesheet() -> Response:
        return Response(
            stylesheet, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
        )

    # ---- pages ----

    @router.get("/")
    async def home(request: Request) -> Response:
        async def render() -> Rendered:
            batches, _ = await queries.batches(BATCHES.request(5, None), state=BatchState.PUBLISHED)
            cases, _ = await queries.cases(CaseFilter(), CASES.request(5, None))
            figures = await queries.figures(None)
            return html(
                "home.html",
                batches=batches,
                cases=cases,
                departments=await views.names(cases),
                figures=figures,
            )

        return await cached(request, render)

    @router.get("/cases")
    async def case_list(request: Request) -> Response:
        wanted = BoardQuery.of(request)

        async def render() -> Rendered:
            cases, token = await views.listed(wanted)
            return html(
                "cases.html",
                wanted=wanted,
                cases=cases,
                departments=await views.names(cases),
                next_query=wanted.with_token(token) if token else "",
                first_query=wanted.with_token(""),
                options=FILTER_OPTIONS,
                months=Options("全部月份", [(m, _month_label(m)) for m in _recent_months()]),
            )

        return await cached(request, render)

    @router.get("/cases/{case_id}")
    async def case_page(case_id: str, request: Request) -> Response:
        async def render() -> Rendered:
            try:
                shown = await queries.case(case_id)
            except (NotFound, InvalidArgument):
                return await not_found("没有找到这件诉求，或它尚未公开。")
            if shown.case.case_id != case_id:  # merged into another: its page is that one's
                return Rendered(b"", "", "", 308, f"/cases/{shown.case.case_id}")
            names = await views.names([shown])
            entries, evidence_url = await views.evidence_of(shown.case.case_id)
            return html(
                "case.html",
                shown=shown,
                department=names.get(shown.case.department_code, ""),
                steps=[
                    step_shown(
                        s,
                        await views.departments.name(s.department_code)
                        if s.department_code
                        else "",
                        entries.get(s.event_id),
                    )
                    for s in shown.timeline
                ],
                evidence_url=evidence_url,
            )

        return await cached(request, render)

    @router.get("/batches/{batch_id}")
    async def batch_page(batch_id: str, request: Request) -> Response:
        edition_text = request.query_params.get("edition", "")

        async def render() -> Rendered:
            try:
                batch = await queries.batch(batch_id, published_only=True)
            except (NotFound, InvalidArgument):
                return await not_found("没有找到这一期公示。")
            number = batch.edition
            if edition_text:
                if not edition_text.isdigit() or not 1 <= int(edition_text) <= batch.edition:
                    return await not_found("没有这一版公示。")
                number = int(edition_text)
            edition = batch.edition_as_published(number)
            cases = await queries.shown_cases(edition.case_ids)
            return html(
                "batch.html",
                batch=batch,
                edition=edition,
                cases=cases,
                departments=await views.names(cases),
            )

        return await cached(request, render)

    @router.get("/statistics")
    async def statistics(request: Request) -> Response:
        month = _month_asked(request)

        async def render() -> Rendered:
            figures = await queries.figures(month or None)
            rates = await views.rates.city(month)
            return html(
                "statistics.html",
                month=month,
                months=_recent_months(),
                figures=figures,
                rates=rates,
                rate_shown=rate_shown,
            )

        return await cached(request, render)

    # ---- public JSON ----

    @router.get("/v1/cases")
    async def cases_json(request: Request) -> Response:
        wanted = BoardQuery.of(request)

        async def render() -> Rendered:
            cases, token = await views.listed(wanted)
            return json_page(
                {
                    "cases": [await views.case_json(c) for c in cases],
                    "next_page_token": token,
                }
            )

        return await cached(request, render)

    @router.get("/v1/cases/{case_id}")
    async def case_json(case_id: str, request: Request) -> Response:
        async def render() -> Rendered:
            return json_page(await views.case_json(await queries.case(case_id)))

        return await cached(request, render)

    @router.get("/v1/batches")
    async def batches_json(request: Request) -> Response:
        token = request.query_params.get("page_token") or None
        board_list = request.query_params.get("list", "")
        if board_list and board_list not in BoardList.__members__.values():
            raise InvalidArgument.of("list", f"one of {', '.join(b.value for b in BoardList)}")

        async def render() -> Rendered:
            batches, next_token = await queries.batches(
                BATCHES.request(PAGE_SIZE, token, field="page_token"),
                state=BatchState.PUBLISHED,
                board_list=BoardList(board_list) if board_list else None,
            )
            return json_page(
                {
                    "batches": [messages.batch_json(b, views.board_url) for b in batches],
                    "next_page_token": next_token,
                }
            )

        return await cached(request, render)

    @router.get("/v1/batches/{batch_id}")
    async def batch_json(batch_id: str, request: Request) -> Response:
        async def render() -> Rendered:
            batch = await queries.batch(batch_id, published_only=True)
            body = messages.batch_json(batch, views.board_url)
            body["cases"] = [
                await views.case_json(c) for c in await queries.shown_cases(batch.case_ids)
            ]
            return json_page(body)

        return await cached(request, render)

    @router.get("/v1/statistics")
    async def statistics_json(request: Request) -> Response:
        month = _month_asked(request)

        async def render() -> Rendered:
            figures = await queries.figures(month or None)
            rates = await views.rates.city(month)
            return json_page(
                {
                    "month": month or None,
                    "received": figures.received,
                    "resolved_on_site": figures.resolved_on_site,
                    "consolidated": figures.consolidated,
                    "completed": figures.completed,
                    "closed": figures.closed,
                    "rates": rates.__dict__ if rates else None,
                }
            )

        return await cached(request, render)

    # ---- Atom feeds ----

    @router.get("/feeds/{board_list}.atom")
    async def list_feed(board_list: str, request: Request) -> Response:
        if board_list != "all" and board_list not in BoardList.__members__.values():
            raise NotFound(f"no feed {board_list}")

        async def render() -> Rendered:
            chosen = None if board_list == "all" else BoardList(board_list)
            batches, _ = await queries.batches(
                BATCHES.request(50, None), state=BatchState.PUBLISHED, board_list=chosen
            )
            return rendered(feeds.list_feed(views.board_url, chosen, batches), feeds.MEDIA_TYPE)

        return await cached(request, render)

    @router.get("/feeds/batches/{batch_id}.atom")
    async def batch_feed(batch_id: str, request: Request) -> Response:
        async def render() -> Rendered:
            batch: Batch = await queries.batch(batch_id, published_only=True)
            cases = await queries.shown_cases(batch.case_ids)
            return rendered(
                feeds.batch_feed(views.board_url, batch, cases, await views.names(cases)),
                feeds.MEDIA_TYPE,
            )

        return await cached(request, render)

    return router


def _month_asked(request: Request) -> str:
    month = request.query_params.get("month", "")
    if month:
        parse_month(month, "month")
    return month


def _recent_months(count: int = 12) -> list[str]:
    """This month and the eleven before it, newest first, for the month filter."""
    year, month = (int(x) for x in month_of(datetime.now(UTC)).split("-"))
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months
