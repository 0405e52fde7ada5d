"""Every public page renders with what its route gives it (templates are strict: a value the
page names but the view leaves out is an error), in Chinese with English."""

from __future__ import annotations

from datetime import UTC, datetime

from civicloop.amenities.domain.catalogue import catalogue
from civicloop.amenities.domain.hours import OpenStatus
from civicloop.amenities.domain.reports import Problem
from civicloop.amenities.pages import (
    Item,
    form_errors,
    place_of,
    problem_view,
    render,
    status_of,
)
from civicloop.amenities.presenting import Words
from civicloop.platform.domain import Actor

AMENITY = {
    "id": "a1",
    "name": "幸福超市共享厕所",
    "address": "幸福路12号",
    "kind": Words("共享厕所", "Toilet open to all"),
    "community": "翔凤桥社区",
    "status": status_of(OpenStatus.OPEN),
    "until": Words("开放至 22:00", "until 22:00"),
    "notice": None,
    "hours": "Mo-Su 08:00-22:00",
    "merchant": "幸福超市",
    "fee": Words("免费", "free"),
    "badges": [Words("无障碍", "Step-free")],
    "description": "",
    "reportable": True,
}


def page(template: str, **context: object) -> str:
    response = render(template, **context)
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    return bytes(response.body).decode()


def test_the_nearby_page_lists_items_and_says_what_to_correct() -> None:
    item = Item(
        "a1", "幸福超市共享厕所", Words("共享厕所", "Toilet"), "幸福路12号", "120 米 m",
        Words("向东北", "to the north-east"), status_of(OpenStatus.OPEN), None, [], True,
    )  # fmt: skip
    html = page(
        "nearby.html",
        heading=Words("附近开放的共享设施", "Open now nearby"),
        error=Words("未知社区。", "Unknown community."),
        searched=True,
        results_title=Words("现在开放", "Open now"),
        items=[item],
        form={"lat": "", "lng": "", "crs": "wgs84", "community": "", "kind": "", "all": False},
        communities=[{"code": "C001", "name": "翔凤桥社区", "name_en": "Xiangfengqiao"}],
        kinds=[{"code": "shared_toilet", "zh": "共享厕所", "en": "Toilet"}],
    )
    assert 'lang="zh-CN"' in html and "未知社区" in html and "向东北" in html
    assert "半年未核实" in html  # stale


def test_the_amenity_page_shows_the_open_case_and_the_fixed_date() -> None:
    at = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    fixed = Problem.confirm("p1", "a1", "C001", "unclean", "r1", Actor("w", "worker"), at)
    fixed.filed("pet", "case-1234567890", at)
    fixed.case_completed(at)
    still_open = Problem.confirm("p2", "a1", "C001", "sign_missing", "r2", Actor("w", "worker"), at)
    still_open.filed("pet2", "case-abcdefgh-1", at)
    html = page("amenity.html", a=AMENITY, problems=[problem_view(still_open), problem_view(fixed)])
    assert "已于2026年12月3日修复" in html and "fixed on 03 December 2026" in html
    assert "处理中" in html and "case-abc" in html
    assert 'href="/a/a1/report"' in html


def test_the_report_form_keeps_what_was_typed_next_to_the_errors() -> None:
    errors = form_errors("other", "")
    assert set(errors) == {"comment"}
    html = page(
        "report.html",
        a=AMENITY,
        reasons=[{"code": "other", "zh": "其他", "en": "Other"}],
        form={"reason_code": "other", "comment": ""},
        errors=errors,
        comment_max=500,
        request_id="rid",
    )
    assert "请修改后提交" in html and 'value="other" id="reason-other" checked' in html
    assert form_errors("sauna", "x" * 501).keys() == {"reason_code", "comment"}
    assert form_errors("unclean", "") == {}


def test_the_thanks_notice_and_catalogue_pages() -> None:
    reason = Words("不干净", "Not clean")
    joined = page("reported.html", a=AMENITY, reason=reason, joined=True, report_id="r1")
    assert "已并入同一诉求" in joined
    html = page("notice.html", title=Words("请求太频繁", "Too many"), text=Words("稍后", "Later"))
    assert "请求太频繁" in html
    c001 = catalogue()["C001"]
    index = page("catalogue.html", month=12, entries=[{**vars(c001), "event": c001.event_of(12)}])
    assert "翔凤桥社区" in index and "冬日暖阳" in index
    one = page("community.html", c=c001, items=[], month=12)
    assert 'aria-current="date"' in one and "共享工具箱" in one


def test_a_place_is_the_phones_position_or_a_community() -> None:
    place, error = place_of({"lat": "30.9968", "lng": "103.6225"})
    assert error is None and place and place.latitude == 30.9968
    gcj, error = place_of({"lat": "30.9945", "lng": "103.6250", "crs": "gcj02"})
    assert error is None and gcj and gcj.latitude != 30.9945  # converted to WGS-84
    assert place_of({"lat": "30.6574", "lng": "104.0658"})[1] is not None  # Chengdu
    assert place_of({"lat": "nan", "lng": "103.6"})[1] is not None
    assert place_of({"lat": "31", "lng": "103.6", "crs": "utm"})[1] is not None
    assert place_of({"community": "C001"})[0] == place_of({"community": "C001"})[0]
    assert place_of({"community": "C999"})[1] is not None
    assert place_of({}) == (None, None)
