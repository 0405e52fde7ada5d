"""The real browser the page tests drive: Debian's chromium, headless, at a phone's size, and
whole-page screenshots written to var/artifacts/ for a person to look at."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts"
# An iPhone 12-15's viewport, at twice the density so the screenshots are legible.
PHONE = {"width": 390, "height": 844, "pixelRatio": 2}


def phone_browser() -> webdriver.Chrome:
    """Debian's chromium through its chromium-driver (scripts/browser.sh installs both);
    given both paths, Selenium fetches nothing."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "chromium or chromedriver missing: run scripts/browser.sh"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=zh-CN"):
        options.add_argument(argument)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE})
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    chrome.set_page_load_timeout(20)
    return chrome


def screenshot(browser: webdriver.Chrome, name: str) -> Path:
    """The whole page at the phone's width, as the resident would scroll through it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    path = ARTIFACTS / name
    path.write_bytes(base64.b64decode(shot["data"]))
    print(f"screenshot: {path}")
    return path
