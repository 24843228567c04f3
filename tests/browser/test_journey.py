"""A newcomer's path through the site: small phone and desktop, with and without JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORTS


def open_page(browser: Browser, viewport: str, javascript: bool) -> Page:
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], java_script_enabled=javascript, locale="nb-NO"
    )
    return context.new_page()


@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_find_filter_and_open_an_offer(
    browser: Browser, live_server: str, screenshots: Path, viewport: str, javascript: bool
) -> None:
    page = open_page(browser, viewport, javascript)
    name = f"{viewport}-{'js' if javascript else 'nojs'}"
    page.goto(live_server + "/")
    expect(page).to_have_url(live_server + "/nb/")
    expect(page.locator("h1")).to_contain_text("Finn tilbud")
    page.screenshot(path=screenshots / f"home-{name}.png", full_page=False)

    page.get_by_label("Skriv navnet på kommunen din").fill("Øygarden")
    page.get_by_role("button", name="Finn").click()
    page.wait_for_url("**/municipalities?q=*")
    page.get_by_role("link", name="Øygarden").click()
    page.wait_for_url("**/municipality/4626/oygarden")
    expect(page.locator("h1")).to_contain_text("Tilbud i Øygarden")
    cards = page.locator("li.card")
    total = cards.count()
    assert total > 0

    page.locator("details.filters summary").click()
    page.get_by_label("Barnepass").check()
    page.get_by_label("Bare for kvinner").check()
    page.get_by_role("button", name="Vis tilbud").click()
    page.wait_for_url("**childcare=1**")
    assert "women=1" in page.url
    filtered = page.locator("section.group li.card")
    assert 0 < filtered.count() < total
    for i in range(filtered.count()):
        badges = filtered.nth(i).locator(".badges").inner_text()
        assert "Barnepass" in badges
        assert "Bare kvinner" in badges
    page.screenshot(path=screenshots / f"municipality-filtered-{name}.png", full_page=True)

    filtered.first.locator("h3 a").click()
    page.wait_for_url("**/offer/**")
    expect(page.locator("a[href^='tel:']").first).to_be_visible()
    expect(page.get_by_text("Dette er et eksempel")).to_be_visible()
    expect(page.get_by_text("Neste datoer:")).to_be_visible()
    page.screenshot(path=screenshots / f"offer-{name}.png", full_page=True)
    page.context.close()


def test_type_ahead_suggests_sami_names(browser: Browser, live_server: str) -> None:
    page = open_page(browser, "mobile", javascript=True)
    page.goto(live_server + "/nb/")
    page.get_by_label("Skriv navnet på kommunen din").press_sequentially("guovda", delay=20)
    option = page.locator("#municipality-suggestions option")
    expect(option).to_have_count(1)
    assert option.first.get_attribute("value") == "Kautokeino – Guovdageaidnu"
    page.context.close()


def test_language_switcher_keeps_the_page(browser: Browser, live_server: str) -> None:
    page = open_page(browser, "desktop", javascript=False)
    page.goto(live_server + "/nb/municipality/5501/tromso?free=1")
    page.locator("details.languages summary").click()
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/municipality/5501/tromso?free=1")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_ukrainian_query_finds_womens_swimming_in_oygarden(
    browser: Browser, live_server: str, screenshots: Path, javascript: bool
) -> None:
    page = open_page(browser, "mobile", javascript)
    page.goto(live_server + "/nb/municipality/4626/oygarden")
    page.get_by_label("Søk i Øygarden").fill("плавання")
    page.get_by_role("button", name="Søk", exact=True).last.click()
    page.wait_for_url("**/search?**")
    cards = page.locator("li.card")
    assert cards.count() >= 1
    # Not necessarily first: among equal matches the next date decides, and that depends
    # on the time of day the suite runs.
    expect(cards.filter(has_text="Svømming for kvinner")).to_have_count(1)
    page.screenshot(
        path=screenshots / f"search-uk-{'js' if javascript else 'nojs'}.png", full_page=True
    )
    page.context.close()
