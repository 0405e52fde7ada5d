"""The rating page, rendered over the real domain behind a stand-in for rating's use cases:
what a petitioner sees for each state of a link, and what a page answer never carries."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from civicloop.platform.domain import Actor
from civicloop.platform.errors import FailedPrecondition, NotFound, RateLimited
from civicloop.platform.http import Readiness, add_plain_routes, create_http_app
from civicloop.rating import page
from civicloop.rating.domain.model import RatedCase
from civicloop.rating.handlers import LinkView, Submitted

TOKEN = "Q2l2aWNsb29wLXRlc3QtdG9rZW4tNDMtY2hhcmFjdGVy"
COMPLETED_AT = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)  # 17:30 in Shanghai
WEEK = timedelta(days=7)
FORM = {"content-type": "application/x-www-form-urlencoded"}


class Departments:
    async def name(self, code: str) -> str:
        return {"urban_management": "都江堰市综合行政执法局"}.get(code, code)


class RaterOverDomain:
    """Rating's link use cases over a real ``RatedCase``, kept in memory: the same
    submission again answers as the first did, another one finds the link used."""

    departments = Departments()

    def __init__(self, case: RatedCase, now: datetime) -> None:
        self.case = case
        self.now = now
        self.answers: dict[tuple[int, str], Submitted] = {}

    def clock(self) -> datetime:
        return self.now

    async def link_view(self, token: str) -> LinkView:
        if token != TOKEN:
            raise NotFound("this rating link is not valid")
        return LinkView(self.case, self.case.links[0])

    async def submit_rating(
        self, token: str, score: int, comment: str, *, admitted: Awaitable[None] | None = None
    ) -> Submitted:
        link = (await self.link_view(token)).link
        if admitted is not None:  # as Rater: the page's check, before anything is written
            await admitted
        if (score, comment) in self.answers:
            return self.answers[(score, comment)]
        if self.answers:
            raise FailedPrecondition("this link is used")
        rating, outcome = self.case.rate(link.id, score, comment, self.now, reopen_limit=2)
        self.answers[(score, comment)] = Submitted(rating, outcome, self.case.state)
        return self.answers[(score, comment)]


class NoLimit:
    async def check(self, address: str | None) -> None:
        pass


class Exhausted:
    async def check(self, address: str | None) -> None:
        raise RateLimited("too many requests from this address", retry_after_seconds=42)


def completed_case(summary: str = "翔凤桥社区小区门口路灯不亮，晚上出行不便") -> RatedCase:
    case = RatedCase(
        "case-1",
        version=3,
        community_code="C001",
        category_code="streetlight",
        summary=summary,
    )
    assert case.completed(8, "urban_management", 1, "已更换灯具，路灯恢复照明", COMPLETED_AT)
    case.request_links(["p1"], COMPLETED_AT, COMPLETED_AT + WEEK)
    return case


async def client_for(
    rater: RaterOverDomain, limit: page.PageLimit | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    async def ready() -> Readiness:
        return Readiness({"accepting": True}, {})

    app = create_http_app("rating", ready, title="rating")
    add_plain_routes(app, page.page_routes(rater, limit or NoLimit()))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://rating") as client:
        yield client


@pytest.fixture
def rater() -> RaterOverDomain:
    return RaterOverDomain(completed_case(), COMPLETED_AT + timedelta(hours=1))


@pytest.fixture
async def client(rater: RaterOverDomain) -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_for(rater):
        yield client


def text_of(response: httpx.Response) -> str:
    """The page's visible text, tags dropped, whitespace folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


def assert_private(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert "<script" not in response.text and "style=" not in response.text


async def test_the_page_shows_the_redacted_case_by_name_with_local_times(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(f"/r/{TOKEN}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in response.text
    shown = text_of(response)
    for expected in (
        "路灯",  # the category's name, not streetlight
        "翔凤桥社区",  # the community's name, not C001
        "小区门口路灯不亮",
        "都江堰市综合行政执法局",
        "已更换灯具，路灯恢复照明",
        "2026年3月5日 17:30",  # completed, Asia/Shanghai
        "2026年3月12日 17:30",  # the link expires a week later
    ):
        assert expected in shown
    assert "streetlight" not in shown and "C001" not in shown
    assert_private(response)


async def test_the_form_is_a_plain_post_with_a_labelled_radio_group_of_five(
    client: httpx.AsyncClient,
) -> None:
    html = (await client.get(f"/r/{TOKEN}")).text
    assert re.search(r'<form method="post"', html)
    assert "<fieldset" in html and "<legend>" in html
    for value, label in page.SCORE_LABELS.items():
        assert f'id="score-{value}" name="score" value="{value}"' in html
        assert re.search(rf'<label class="score" for="score-{value}">.*?{label}', html, re.S)
    assert '<label for="comment">' in html and 'maxlength="500"' in html


async def test_a_summary_with_markup_is_shown_as_text() -> None:
    rater = RaterOverDomain(
        completed_case('<script>alert("x")</script> 电话13812345678'), COMPLETED_AT
    )
    async for client in client_for(rater):
        html = (await client.get(f"/r/{TOKEN}")).text
        assert "<script>" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
        assert "13812345678" not in html  # public text is redacted


async def test_a_rating_thanks_the_petitioner_and_says_what_happens_next(
    client: httpx.AsyncClient, rater: RaterOverDomain
) -> None:
    response = await client.post(
        f"/r/{TOKEN}", content="score=4&comment=%E5%BE%88%E5%A5%BD", headers=FORM
    )
    assert response.status_code == 200
    assert "感谢您的评价" in response.text and "满意（4分）" in response.text
    assert "本案已办结归档" in response.text  # the only petitioner was satisfied: closed
    assert rater.case.links[0].state.value == "used"
    assert_private(response)


async def test_an_unsatisfied_rating_says_the_case_goes_back_to_its_department(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(f"/r/{TOKEN}", content="score=1&comment=", headers=FORM)
    assert "本案已退回都江堰市综合行政执法局重新办理" in text_of(response)


async def test_the_same_submission_again_shows_the_same_thanks(
    client: httpx.AsyncClient,
) -> None:
    first = await client.post(f"/r/{TOKEN}", content="score=5&comment=", headers=FORM)
    again = await client.post(f"/r/{TOKEN}", content="score=5&comment=", headers=FORM)
    assert (first.status_code, first.text) == (again.status_code, again.text)


async def test_a_used_link_shows_that_it_was_used(client: httpx.AsyncClient) -> None:
    await client.post(f"/r/{TOKEN}", content="score=5&comment=", headers=FORM)
    opened = await client.get(f"/r/{TOKEN}")
    other = await client.post(f"/r/{TOKEN}", content="score=2&comment=", headers=FORM)
    for response in (opened, other):
        assert response.status_code == 410
        assert "您已评价过本案" in response.text
        assert "2026年3月5日 18:30" in response.text  # when it was used
        assert_private(response)


async def test_a_link_past_its_time_has_expired_before_the_scan_says_so(
    rater: RaterOverDomain, client: httpx.AsyncClient
) -> None:
    rater.now = COMPLETED_AT + WEEK
    response = await client.get(f"/r/{TOKEN}")
    assert response.status_code == 410 and "评价链接已过期" in response.text


async def test_a_withdrawn_link_says_the_round_is_over(
    rater: RaterOverDomain, client: httpx.AsyncClient
) -> None:
    rater.case.close_by_office(Actor("office:li", "office"), rater.now)
    response = await client.get(f"/r/{TOKEN}")
    assert response.status_code == 410 and "评价链接已失效" in response.text


async def test_an_unknown_token_is_not_found(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/r/forged"),
        await client.post("/r/forged", content="score=5", headers=FORM),
    ):
        assert response.status_code == 404
        assert "无法识别此评价链接" in response.text
        assert_private(response)


@pytest.mark.parametrize("score", ["", "0", "6", "3.5", "五"])
async def test_a_missing_or_bad_score_shows_the_form_again_with_the_error_at_the_field(
    client: httpx.AsyncClient, rater: RaterOverDomain, score: str
) -> None:
    response = await client.post(
        f"/r/{TOKEN}", data={"score": score, "comment": "灯还是暗"}, headers=FORM
    )
    assert response.status_code == 422
    html = response.text
    assert re.search(r'<legend>.*?</legend>\s*<p class="error" id="score-error">', html, re.S)
    assert 'aria-describedby="score-error"' in html
    assert ">灯还是暗</textarea>" in html  # what was written is kept
    assert rater.case.links[0].state.value == "pending"


async def test_a_comment_over_500_characters_is_refused_at_the_field(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        f"/r/{TOKEN}", data={"score": "4", "comment": "长" * 501}, headers=FORM
    )
    assert response.status_code == 422
    assert 'aria-describedby="comment-error"' in response.text
    assert 'value="4" required checked' in response.text


async def test_line_breaks_count_once_as_the_browser_counted_them(
    client: httpx.AsyncClient,
) -> None:
    comment = "\r\n".join(["长" * 99] * 5)  # 495 characters and four line breaks
    response = await client.post(
        f"/r/{TOKEN}", data={"score": "4", "comment": comment}, headers=FORM
    )
    assert response.status_code == 200


async def test_past_the_limit_the_page_says_when_to_try_again(rater: RaterOverDomain) -> None:
    async for client in client_for(rater, Exhausted()):
        for response in (
            await client.get(f"/r/{TOKEN}"),
            await client.post(f"/r/{TOKEN}", content="score=5", headers=FORM),
        ):
            assert response.status_code == 429
            assert response.headers["retry-after"] == "42"
            assert "请在 42 秒后刷新页面" in response.text
            assert_private(response)
    assert rater.case.links[0].state.value == "pending"


async def test_a_body_that_is_not_a_form_is_refused(client: httpx.AsyncClient) -> None:
    wrong_type = await client.post(f"/r/{TOKEN}", json={"score": 5})
    too_large = await client.post(f"/r/{TOKEN}", content="comment=" + "a" * 9000, headers=FORM)
    assert (wrong_type.status_code, too_large.status_code) == (415, 413)


async def test_the_stylesheet_is_served_for_the_policy_to_allow(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(page.STYLESHEET_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in response.text
