"""The rating page behind each SMS link: ``GET /r/{token}`` shows the case as the public may
see it with a 1-5 form, ``POST /r/{token}`` records the rating and thanks the petitioner.

Server-rendered and usable without JavaScript (a plain form). The token is a credential in
the URL: every answer is ``no-store`` and sends no referrer, and the platform records only
the route template. Status codes: 404 for a token that opens no link (forged, mistyped); 410
for a link that existed and never takes a rating again (used, expired, withdrawn, or of an
earlier round); 422 for a form to correct; 429 with ``Retry-After`` past the limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response

from civicloop.platform.clock import Clock
from civicloop.platform.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    RateLimited,
)
from civicloop.platform.http import PlainRoute, read_form
from civicloop.platform.pages import package_templates
from civicloop.platform.redaction import redact
from civicloop.rating.domain.model import COMMENT_MAX, LinkState, Outcome, RatingLink
from civicloop.rating.domain.rates import SHANGHAI
from civicloop.rating.handlers import DepartmentBook, LinkView, Submitted
from civicloop.reference.catalogue import categories, communities

# The 12345 hotline's five grades, as the form offers them.
SCORE_LABELS = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}
# A score and a 500-character comment, percent-encoded (up to 9 bytes a character).
FORM_MAX_BYTES = 8 * 1024
STYLESHEET_PATH = "/assets/rating.css"

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}

_templates = package_templates("civicloop.rating")


class LinkRater(Protocol):
    """What the page asks of rating's use cases (``handlers.Rater``)."""

    departments: DepartmentBook
    clock: Clock

    async def link_view(self, token: str) -> LinkView: ...

    async def submit_rating(
        self, token: str, score: int, comment: str, *, admitted: Awaitable[None] | None = None
    ) -> Submitted: ...


class PageLimit(Protocol):
    async def check(self, address: str | None) -> None: ...


@dataclass(frozen=True)
class CaseShown:
    """The case as the page shows it: names instead of codes, redacted text, local times."""

    category: str
    community: str
    summary: str
    department: str
    result: str
    completed_at: str
    expires_at: str


def shown_time(at: datetime | None) -> str:
    if at is None:
        return ""
    local = at.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def link_state(link: RatingLink, now: datetime) -> LinkState:
    """The link's state as the petitioner meets it: past its time it has expired, even
    before the expiry scan has written so."""
    if link.state is LinkState.PENDING and link.expires_at <= now:
        return LinkState.EXPIRED
    return link.state


async def case_shown(view: LinkView, departments: DepartmentBook) -> CaseShown:
    case = view.case
    category = categories().get(case.category_code)
    community = communities().get(case.community_code)
    return CaseShown(
        category=category.name if category else case.category_code,
        community=community.name if community else case.community_code,
        summary=redact(case.summary),
        department=await departments.name(case.department_code),
        result=redact(case.result_summary),
        completed_at=shown_time(case.completed_at),
        expires_at=shown_time(view.link.expires_at),
    )


def render_html(template: str, **context: Any) -> str:
    return _templates.get_template(template).render(
        stylesheet=STYLESHEET_PATH, score_labels=SCORE_LABELS, comment_max=COMMENT_MAX, **context
    )


def render(template: str, status: int = 200, **context: Any) -> Response:
    html = render_html(template, **context)
    return Response(html, status, headers=SECURITY_HEADERS, media_type="text/html")


def rating_form(
    case: CaseShown,
    *,
    score: str = "",
    comment: str = "",
    errors: dict[str, str] | None = None,
) -> Response:
    return render(
        "rating.html",
        422 if errors else 200,
        case=case,
        score=score,
        comment=comment,
        errors=bool(errors),
        score_error=(errors or {}).get("score", ""),
        comment_error=(errors or {}).get("comment", ""),
    )


def notice(kind: str, status: int, **context: Any) -> Response:
    """A page that only tells: the link is used, expired, withdrawn or unknown, or the
    limit is reached."""
    return render("notice.html", status, kind=kind, **context)


@lru_cache(maxsize=1024)
def _thanks_html(score: int, outcome: str, department: str) -> str:
    # The same few pages for everyone (five scores, three outcomes, the departments): render
    # each once rather than on every rating.
    return render_html(
        "thanks.html", score=score, outcome=outcome, department=department, outcomes=Outcome
    )


def thanks(submitted: Submitted, department: str) -> Response:
    html = _thanks_html(submitted.rating.score, submitted.outcome.value, department)
    return Response(html, headers=SECURITY_HEADERS, media_type="text/html")


def form_errors(score: str, comment: str) -> dict[str, str]:
    """What the petitioner must correct, in their words, by field."""
    errors = {}
    if score not in {str(s) for s in SCORE_LABELS}:
        errors["score"] = "请选择一个评分（1至5分）。"
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"意见最多{COMMENT_MAX}字，现有{len(comment)}字，请删减后再提交。"
    return errors


def page_routes(rater: LinkRater, limit: PageLimit) -> list[PlainRoute]:
    """The page's routes, as plain Starlette routes (``PlainRoute``): HTML outside the API's
    schema, they need none of FastAPI's parameter machinery, about 90 µs a request here."""
    stylesheet = resources.files("civicloop.rating").joinpath("templates/rating.css").read_bytes()

    def ended(view: LinkView) -> Response:
        """The page for a link that takes no rating any more, saying why."""
        state = link_state(view.link, rater.clock())
        return notice(state.value, 410, ended_at=shown_time(view.link.ended_at))

    def busy(refused: RateLimited) -> Response:
        seconds = refused.retry_after_seconds
        response = notice("busy", 429, retry_after=seconds)
        response.headers["Retry-After"] = str(seconds)
        return response

    def address(request: Request) -> str | None:
        return request.client.host if request.client else None

    async def limited(request: Request) -> Response | None:
        try:
            await limit.check(address(request))
        except RateLimited as refused:
            return busy(refused)
        return None

    async def rating_stylesheet(request: Request) -> Response:
        return Response(
            stylesheet, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
        )

    async def rating_page(request: Request) -> Response:
        token = request.path_params["token"]
        if refused := await limited(request):
            return refused
        try:
            view = await rater.link_view(token)
        except NotFound:
            return notice("unknown", 404)
        if link_state(view.link, rater.clock()) is not LinkState.PENDING:
            return ended(view)
        return rating_form(await case_shown(view, rater.departments))

    async def rate(request: Request) -> Response:
        token = request.path_params["token"]
        # The address's limit is checked while the form is read and the case looked up, and
        # known before anything is written or answered: a request past it changes nothing
        # and gets only the 429.
        admitted = asyncio.ensure_future(limit.check(address(request)))
        try:
            return await rate_admitted(token, request, admitted)
        except RateLimited as refused:
            return busy(refused)
        finally:
            if not admitted.done():
                admitted.cancel()

    async def rate_admitted(
        token: str, request: Request, admitted: asyncio.Future[None]
    ) -> Response:
        try:
            form = await read_form(request, FORM_MAX_BYTES, max_fields=8)
        except Exception:
            await admitted  # past the limit, that is the answer
            raise
        # Browsers send a textarea's line breaks as CRLF; its maxlength counts them once.
        score, comment = form.get("score", ""), form.get("comment", "").replace("\r\n", "\n")
        errors = form_errors(score, comment)
        if not errors:
            try:
                submitted = await rater.submit_rating(token, int(score), comment, admitted=admitted)
            except InvalidArgument as invalid:
                errors = {v.field: v.description for v in invalid.violations}
            except (NotFound, FailedPrecondition):
                pass  # the link takes no rating (any more): the page below says why
            else:
                department = await rater.departments.name(submitted.rating.department_code)
                return thanks(submitted, department)
        await admitted
        try:
            view = await rater.link_view(token)
        except NotFound:
            return notice("unknown", 404)
        if not errors or link_state(view.link, rater.clock()) is not LinkState.PENDING:
            return ended(view)
        shown = await case_shown(view, rater.departments)
        return rating_form(shown, score=score, comment=comment, errors=errors)

    return [
        PlainRoute(STYLESHEET_PATH, rating_stylesheet, methods=["GET"]),
        PlainRoute("/r/{token}", rating_page, methods=["GET"]),
        PlainRoute("/r/{token}", rate, methods=["POST"]),
    ]
