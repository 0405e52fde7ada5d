"""The public board in a real browser (Debian's chromium, headless, at a phone's size), over the
real intake, dispatch, rating and publication: the filters narrow the list, a case page shows
its timeline, a corrected batch shows what changed, and the statistics page shows the figures.
Screenshots go to var/artifacts/ for a person to look at."""

from __future__ import annotations

import grpc
import httpx
from board_loop import PUBLISHER, board_case, create_and_publish
from browser import screenshot
from harness import ServiceProcess, new_key, random_phone, wait_for
from rating_loop import Loop
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from civicloop.v1 import publication_pb2, publication_pb2_grpc

DONE = "翔凤桥社区幸福路路灯不亮，夜间行人看不清"
OPEN = "莲花社区菜市场旁路灯闪烁"


def loaded_after(browser: webdriver.Chrome, before: str) -> None:
    """Wait for the page a click or key press asked for (a new address, fully loaded)."""
    WebDriverWait(browser, 10).until(
        lambda b: b.current_url != before
        and b.execute_script("return document.readyState") == "complete"
    )


def submit_filters(browser: webdriver.Chrome) -> None:
    """Send the filter form (a plain GET, no JavaScript) and wait for the page it loads."""
    before = browser.current_url
    browser.find_element(By.CSS_SELECTOR, ".filters button[type=submit]").click()
    loaded_after(browser, before)


def listed(browser: webdriver.Chrome) -> set[str]:
    return {
        (a.get_attribute("href") or "").rsplit("/", 1)[-1]
        for a in browser.find_elements(By.CSS_SELECTOR, ".case-item h3 a")
    }


async def test_the_board_filters_shows_a_timeline_and_the_citys_figures_on_a_phone(
    publication: ServiceProcess,
    publication_channel: grpc.aio.Channel,
    board: httpx.AsyncClient,
    loop: Loop,
    browser: webdriver.Chrome,
) -> None:
    done = await loop.opened_case([random_phone(), random_phone()], community="C001", summary=DONE)
    await loop.complete_round(done, result="已更换灯具，恢复照明")
    still_open = await loop.opened_case([random_phone()], community="C002", summary=OPEN)
    await board_case(board, done, state="completed")
    await board_case(board, still_open, state="dispatched")
    url = publication.http_url

    browser.get(f"{url}/cases")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert {done, still_open} <= listed(browser)
    # Every filter has its label; the form works without JavaScript (a plain GET).
    for field in ("f-list", "f-category", "f-community", "f-state", "f-month"):
        assert browser.find_element(By.CSS_SELECTOR, f"label[for={field}]").text
    screenshot(browser, "board-list.png")

    Select(browser.find_element(By.ID, "f-community")).select_by_value("C001")
    submit_filters(browser)
    assert "community=C001" in browser.current_url
    shown = listed(browser)
    assert done in shown and still_open not in shown
    Select(browser.find_element(By.ID, "f-community")).select_by_value("")
    Select(browser.find_element(By.ID, "f-state")).select_by_value("dispatched")
    submit_filters(browser)
    shown = listed(browser)
    assert still_open in shown and done not in shown
    Select(browser.find_element(By.ID, "f-state")).select_by_value("completed")
    Select(browser.find_element(By.ID, "f-list")).select_by_value("urgent_needs")
    submit_filters(browser)
    shown = listed(browser)
    assert done in shown and still_open not in shown
    screenshot(browser, "board-list-filtered.png")

    # To the case by keyboard: focus its link and press Enter.
    link = browser.find_element(By.CSS_SELECTOR, f".case-item h3 a[href='/cases/{done}']")
    before = browser.current_url
    link.send_keys(Keys.ENTER)
    loaded_after(browser, before)
    assert browser.current_url.endswith(f"/cases/{done}")
    steps = [
        li.find_element(By.CLASS_NAME, "step-label").text
        for li in browser.find_elements(By.CSS_SELECTOR, "ol.timeline > li")
    ]
    assert steps == ["统单受理", "派单", "接单", "办结"]
    main = browser.find_element(By.TAG_NAME, "main").text
    assert DONE in main and "已更换灯具，恢复照明" in main and "2人" in main
    screenshot(browser, "board-case.png")

    # A batch, published and corrected: the page says what changed.
    service = publication_pb2_grpc.PublicationServiceStub(publication_channel)
    batch = await create_and_publish(
        service,
        "翔凤桥社区路灯诉求公示",
        publication_pb2.PublicationBatchFilter(community_codes=["C001"]),
    )
    await service.CorrectBatch(
        publication_pb2.CorrectBatchRequest(
            request_id=new_key(),
            batch_id=batch.batch_id,
            expected_version=batch.version,
            note="补列莲花社区一件相关诉求",
            add_case_ids=[still_open],
        ),
        metadata=PUBLISHER,
        timeout=10,
    )
    browser.get(f"{url}/batches/{batch.batch_id}")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "第2版" in page and "补列莲花社区一件相关诉求" in page and "新增" in page
    screenshot(browser, "board-batch.png")

    async def rating_counted_the_round() -> bool:
        rates = (await board.get("/v1/statistics")).json()["rates"]
        return bool(rates and rates["completed"] >= 1)

    await wait_for(rating_counted_the_round, timeout=20)
    browser.get(f"{url}/statistics")
    received = int(browser.find_element(By.ID, "figure-received").text)
    consolidated = int(browser.find_element(By.ID, "figure-consolidated").text)
    completed = int(browser.find_element(By.ID, "figure-completed").text)
    assert received >= 3 and consolidated >= 2 and completed >= 1
    # The rates come from rating over gRPC: shown as figures or "暂无" (nothing counted yet).
    for rate in ("rate-satisfaction", "rate-on-time", "rate-resolution"):
        text = browser.find_element(By.ID, rate).text
        assert text == "暂无" or text.endswith("%")
    assert browser.find_element(By.ID, "rate-on-time").text.endswith("%")  # a round completed
    screenshot(browser, "board-statistics.png")

    browser.get(url)
    assert batch.batch_id in browser.page_source
    screenshot(browser, "board-home.png")
