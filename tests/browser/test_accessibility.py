"""axe-core finds no WCAG 2.1 A/AA violations on any public page type."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import AXE, VIEWPORTS

PAGES = [
    "/nb/",
    "/nb/municipalities?q=os",
    "/nb/municipalities?q=nowhere",
    "/nb/municipality/4601/bergen",
    "/nb/municipality/4601/bergen?free=1&time=evening",
    "/nb/municipality/4601/bergen?category=language",
    "/nb/municipality/5612/kautokeino",
    "/nb/municipality/4601/events",
    "/nb/county/46",
    "/nb/does-not-exist",
    "/en/municipality/5501/tromso",
    "/nb/search?q=leksehjelp",
    "/nb/search?q=qqqzzz&municipality=4626",
    "/en/search?q=homework+help&free=1&sort=distance&near=Bergen",
    "/nb/account/login",
    "/ar/account/register",
    "/uk/account/reset",
]


def axe_violations(browser: Browser, url: str, viewport: str) -> list[dict[str, Any]]:
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    context.close()
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violations(browser: Browser, live_server: str, path: str) -> None:
    assert axe_violations(browser, live_server + path, "desktop") == []


@pytest.mark.parametrize("kind", ["offer", "event", "organization", "report"])
def test_no_axe_violations_on_detail_pages(browser: Browser, live_server: str, kind: str) -> None:
    from playwright.sync_api import sync_playwright  # noqa: F401 - same browser, new page

    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + "/nb/municipality/4601/bergen")
    if kind == "event":
        href = page.locator("ul.events a").first.get_attribute("href")
    else:
        href = page.locator("li.card h3 a").first.get_attribute("href")
    assert href
    if kind in {"organization", "report"}:
        page.goto(live_server + href)
        selector = (
            "dd a[href*='/organization/']" if kind == "organization" else "a[href*='/report/']"
        )
        href = page.locator(selector).first.get_attribute("href")
        assert href
    context.close()
    for viewport in VIEWPORTS:
        assert axe_violations(browser, live_server + href, viewport) == []
