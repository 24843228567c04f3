"""Right-to-left done right: Arabic pages mirror, Ukrainian ones do not; axe finds nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import VIEWPORTS
from tests.browser.test_accessibility import axe_violations

PAGES = {
    "home": "/{l}/",
    "municipality": "/{l}/municipality/4601/bergen",
    "filtered": "/{l}/municipality/4626/oygarden?women=1&childcare=1",
    "search": "/{l}/search?q=leksehjelp&sort=distance&near=Bergen",
    "events": "/{l}/municipality/4601/events",
}


def offer_path(browser: Browser, live_server: str) -> str:
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + "/nb/municipality/4601/bergen")
    href = page.locator("li.card h3 a").first.get_attribute("href") or ""
    context.close()
    return re.sub(r"^/nb/", "/{l}/", href)


@pytest.mark.parametrize("locale", ["ar", "uk", "fa", "ur"])
def test_pages_in_each_direction_pass_axe(
    browser: Browser, live_server: str, screenshots: Path, locale: str
) -> None:
    pages = {**PAGES, "offer": offer_path(browser, live_server)}
    direction = "rtl" if locale in {"ar", "fa", "ur"} else "ltr"
    for name, path in pages.items():
        url = live_server + path.format(l=locale)
        context = browser.new_context(viewport=VIEWPORTS["mobile"])
        page = context.new_page()
        page.goto(url)
        assert page.locator("html").get_attribute("dir") == direction
        assert page.locator("html").get_attribute("lang") == locale
        if locale in {"ar", "uk"}:
            page.screenshot(path=screenshots / f"{locale}-{name}.png", full_page=True)
        context.close()
        assert axe_violations(browser, url, "mobile") == [], url


def test_arabic_layout_is_mirrored(browser: Browser, live_server: str) -> None:
    width = VIEWPORTS["desktop"]["width"]
    positions = {}
    for locale in ("nb", "ar"):
        context = browser.new_context(viewport=VIEWPORTS["desktop"])
        page = context.new_page()
        page.goto(f"{live_server}/{locale}/municipality/4601/bergen")
        brand = page.locator("a.brand").bounding_box()
        heading = page.locator("main h1").bounding_box()
        assert brand
        assert heading
        positions[locale] = (brand["x"] + brand["width"] / 2, heading["x"] + heading["width"])
        context.close()
    assert positions["nb"][0] < width / 2 < positions["ar"][0]  # the brand swaps sides
    assert positions["ar"][1] > width / 2  # headings start at the right edge


def test_phone_numbers_and_times_stay_left_to_right(browser: Browser, live_server: str) -> None:
    path = offer_path(browser, live_server).format(l="ar")
    context = browser.new_context(viewport=VIEWPORTS["mobile"])
    page = context.new_page()
    page.goto(live_server + path)
    phones = page.locator("a[href^='tel:']")
    assert phones.count() >= 1
    assert phones.first.get_attribute("dir") == "ltr"
    for time in page.locator("ul.dates time span").all():
        assert time.get_attribute("dir") == "ltr"
    context.close()
