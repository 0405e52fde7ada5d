"""The rating page in a real browser (Debian's chromium, headless, at a phone's size), over the
real intake, dispatch and rating: a petition is filed, handled and completed, its link arrives
at the SMS sink, the petitioner opens it, rates by keyboard, is thanked, and finds the link
used when opening it again. Screenshots (the form, the form with an error, the thanks, the
used link) go to var/artifacts/ for a person to look at."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import grpc
import httpx
from browser import screenshot
from harness import (
    ServiceProcess,
    grpc_auth,
    random_phone,
    wait_for,
)
from rating_loop import Loop
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from civicloop.platform.telemetry import spans_file
from civicloop.v1 import (
    common_pb2,
    dispatch_pb2,
    dispatch_pb2_grpc,
)

LINK = re.compile(r"https?://[^/\s]+/r/([A-Za-z0-9_-]{43})")
SUMMARY = "翔凤桥社区小区门口路灯不亮，晚上出行不便"
RESULT = "已更换灯具，路灯恢复照明"


def rid() -> str:
    return str(uuid.uuid4())


async def department_name(dispatch_channel: grpc.aio.Channel, code: str) -> str:
    departments = await dispatch_pb2_grpc.DispatchServiceStub(dispatch_channel).ListDepartments(
        dispatch_pb2.ListDepartmentsRequest(page=common_pb2.PageRequest(page_size=200)),
        metadata=grpc_auth("office"),
        timeout=10,
    )
    return next(d.name for d in departments.departments if d.code == code)


async def test_a_petitioner_rates_on_a_phone_and_finds_the_link_used_afterwards(
    rating: ServiceProcess,
    loop: Loop,
    dispatch_channel: grpc.aio.Channel,
    browser: webdriver.Chrome,
) -> None:
    phone = random_phone()
    case_id = await loop.opened_case([phone], community="C001", summary=SUMMARY)
    completed = await loop.complete_round(case_id, result=RESULT)
    token = await loop.link_sent_to(phone)
    department = await department_name(dispatch_channel, completed.department_code)
    # The SMS points at the public address; this run's rating listens on a port of its own.
    link = f"{rating.http_url}/r/{token}"
    wait = WebDriverWait(browser, 10)

    browser.get(link)
    page = browser.find_element(By.TAG_NAME, "main").text
    for shown in (SUMMARY, RESULT, "路灯", "翔凤桥社区", department, "有效期至"):
        assert shown in page
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    # Sent without a score: the form comes back with the error at the group, the comment kept.
    browser.find_element(By.ID, "comment").send_keys("换得很快，谢谢")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(expected_conditions.title_contains("请修改后提交"))
    assert "请选择一个评分" in browser.find_element(By.ID, "score-error").text
    assert browser.find_element(By.ID, "comment").get_attribute("value") == "换得很快，谢谢"
    screenshot(browser, "rating-error.png")

    browser.get(link)  # opened afresh
    browser.find_element(By.ID, "comment").send_keys("换得很快，谢谢")
    # By keyboard, as a screen reader user would: into the group, arrows move the choice.
    first = browser.find_element(By.ID, "score-1")
    first.send_keys(Keys.SPACE)
    first.send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    assert browser.find_element(By.ID, "score-4").is_selected()
    screenshot(browser, "rating-page.png")  # the choice made, its focus ring showing

    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(expected_conditions.title_contains("评价已提交"))
    thanks = browser.find_element(By.TAG_NAME, "main").text
    assert "感谢您的评价" in thanks and "满意（4分）" in thanks
    assert "本案已办结归档" in thanks  # its only petitioner is satisfied: the case closes
    screenshot(browser, "rating-thanks.png")

    browser.get(link)
    assert "您已评价过本案" in browser.find_element(By.TAG_NAME, "h1").text
    screenshot(browser, "rating-used.png")
    async with httpx.AsyncClient(timeout=5) as client:
        again = await client.get(link)
        # The page's limits count in Redis: readiness reports it (degraded without it).
        ready = (await client.get(f"{rating.http_url}/readyz")).json()
    assert ready["checks"]["redis"] is True
    assert again.status_code == 410
    assert again.headers["cache-control"] == "no-store"
    assert again.headers["referrer-policy"] == "no-referrer"

    # The token is a credential: rating's spans and logs carry the route, never the token.
    spans = spans_file(Path(rating.run_dir), "rating")
    await wait_for(lambda: spans.exists() and "/r/{token}" in spans.read_text(), timeout=10)
    assert token not in spans.read_text()
    assert token not in rating.log_path.read_text()
