"""The shared facilities page in a real browser (Debian's chromium, headless, at a phone's size,
its position fixed near Qingchengshan): the visitor asks for their location, the nearest open
shared toilet is listed first with its distance and walking direction (a nearer closed one is
not), its page opens, and a report is filed by keyboard and touch as a visitor would.
Screenshots go to var/artifacts/ for a person to look at."""

from __future__ import annotations

import math

from amenities_loop import AmenityClient, worker_of
from browser import screenshot
from harness import ServiceProcess
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from civicloop.v1 import amenities_pb2

# The visitor stands here (WGS-84), away from the other tests' amenities (they register near
# the city centre, some 5 km north-east).
HERE = (30.9300, 103.5600)
METRES_PER_DEGREE_LAT = 111_195.0


def offset(north_m: float, east_m: float) -> tuple[float, float]:
    lat = HERE[0] + north_m / METRES_PER_DEGREE_LAT
    lng = HERE[1] + east_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(HERE[0])))
    return lat, lng


async def test_a_visitor_finds_the_nearest_open_toilet_and_reports_it_on_a_phone(
    amenities: ServiceProcess, amenity_client: AmenityClient, browser: webdriver.Chrome
) -> None:
    closed = await amenity_client.register(
        *offset(30, 0), community="C003", name="青城茶社共享厕所", opening_hours="off",
        merchant=None,
    )  # fmt: skip
    nearest = await amenity_client.register(
        *offset(100, 100), community="C003", name="青城山游客中心共享厕所",
        opening_hours="24/7", wheelchair_accessible=True, baby_change=True, merchant=None,
    )  # fmt: skip
    farther = await amenity_client.register(
        *offset(-400, 0), community="C003", name="山门超市共享厕所", opening_hours="24/7"
    )
    water = await amenity_client.register(
        *offset(0, 60), community="C003", name="青城茶社共享热水", opening_hours="24/7",
        kind=amenities_pb2.AMENITY_KIND_SHARED_HOT_WATER,
    )  # fmt: skip
    url = amenities.http_url
    browser.execute_cdp_cmd(
        "Browser.grantPermissions", {"origin": url, "permissions": ["geolocation"]}
    )
    browser.execute_cdp_cmd(
        "Emulation.setGeolocationOverride",
        {"latitude": HERE[0], "longitude": HERE[1], "accuracy": 10},
    )
    wait = WebDriverWait(browser, 15)

    browser.get(f"{url}/?kind=shared_toilet")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    locate = browser.find_element(By.CSS_SELECTOR, "button.locate")
    assert locate.is_displayed()  # the optional script found the phone's position service
    locate.click()
    wait.until(expected_conditions.url_contains("lat="))
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".items")))
    items = browser.find_elements(By.CSS_SELECTOR, ".items .item")
    names = [i.find_element(By.CSS_SELECTOR, "h3").text for i in items]
    assert names[:2] == ["青城山游客中心共享厕所", "山门超市共享厕所"]
    assert "青城茶社共享厕所" not in names  # nearer, but closed
    assert "青城茶社共享热水" not in names  # not a toilet
    first = items[0].text
    assert "140 米" in first and "向东北" in first and "north-east" in first
    assert "开放中" in first and "无障碍" in first and "母婴台" in first
    screenshot(browser, "amenities-nearby.png")

    items[0].find_element(By.CSS_SELECTOR, "h3 a").click()
    wait.until(expected_conditions.title_contains("青城山游客中心共享厕所"))
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "开放中" in page and "24/7" in page and "免费" in page
    screenshot(browser, "amenities-amenity.png")

    browser.find_element(By.CSS_SELECTOR, "a.button").click()
    wait.until(expected_conditions.title_contains("报告问题"))
    # Sent with nothing chosen: the form comes back with the error at the group.
    browser.find_element(By.ID, "comment").send_keys("门口没有共享标识，保安说不对外开放")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(expected_conditions.title_contains("请修改后提交"))
    assert "请选择遇到的问题" in browser.find_element(By.ID, "reason-error").text
    assert "保安说不对外开放" in (
        browser.find_element(By.ID, "comment").get_attribute("value") or ""
    )
    browser.find_element(By.ID, "reason-turned_away").click()
    screenshot(browser, "amenities-report.png")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(expected_conditions.title_contains("已收到您的报告"))
    assert "被拒绝使用" in browser.find_element(By.TAG_NAME, "main").text
    screenshot(browser, "amenities-reported.png")

    reports = await amenity_client.stub.ListReports(
        amenities_pb2.ListReportsRequest(amenity_id=nearest.amenity_id),
        metadata=worker_of("C003"),
        timeout=10,
    )
    assert [(r.reason_code, r.comment) for r in reports.reports] == [
        ("turned_away", "门口没有共享标识，保安说不对外开放")
    ]
    assert {closed.amenity_id, farther.amenity_id, water.amenity_id}.isdisjoint(
        {r.amenity_id for r in reports.reports}
    )
