"""A volunteer's first offer, end to end in the browser without JavaScript: register,
confirm, join the organization, post a recurring offer; the coordinator approves it; a
newcomer finds it by searching."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from directory.accounts.models import OutgoingMail, Role
from directory.accounts.services import create_user, grant, new_totp_secret
from directory.db import utcnow
from directory.extensions import db, limiter
from directory.organizations.models import Organization, OrganizationKind
from tests.accounts.helpers import PASSWORD
from tests.browser.conftest import AXE, VIEWPORTS

KAUTOKEINO = "5612"
TITLE = "Strikkekafé for alle"


def new_context(browser: Browser) -> BrowserContext:
    # bypass_csp only so that the test can inject axe-core; the app's CSP stays on.
    return browser.new_context(
        viewport=VIEWPORTS["mobile"], java_script_enabled=False, locale="nb-NO", bypass_csp=True
    )


def no_axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core on what a page shows now (pages here run without JavaScript, so the
    check runs on a copy of the document in a JavaScript-enabled page)."""
    checker = page.context.browser.new_page(bypass_csp=True)  # type: ignore[union-attr]
    checker.goto(page.url)  # same origin, so styles and relative links resolve
    checker.set_content(page.content())
    checker.add_script_tag(path=str(AXE))
    result = checker.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    checker.close()
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def last_mail_to(app: Flask, address: str) -> str:
    with app.app_context():
        stmt = (
            select(OutgoingMail)
            .where(OutgoingMail.recipient == address)
            .order_by(OutgoingMail.id.desc())
        )
        body = db.session.scalars(stmt).first()
        db.session.remove()
    assert body is not None, f"no mail to {address}"
    return body.body


def link_in(body: str, live_server: str) -> str:
    found = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert found, body
    return live_server + found.group(1)


def setup_people(app: Flask) -> tuple[int, str]:
    """An organization in Kautokeino and its municipality's coordinator (with TOTP)."""
    with app.app_context():
        session = db.session()
        organization = Organization(
            name="Guovdageainnu frivilligsentral",
            kind=OrganizationKind.VOLUNTEER_CENTRE,
            municipality_number=KAUTOKEINO,
            email="sentral@example.org",
        )
        session.add(organization)
        coordinator = create_user(
            session, "koordinator.browser@example.org", PASSWORD, confirmed=True
        )
        grant(session, coordinator, Role.COORDINATOR, municipality=KAUTOKEINO)
        secret = new_totp_secret()
        coordinator.totp_secret, coordinator.totp_enabled_at = secret, utcnow()
        session.commit()
        organization_id = organization.id
        db.session.remove()
    return organization_id, secret


def log_in(page: Page, live_server: str, email: str, secret: str | None = None) -> None:
    page.goto(live_server + "/nb/account/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    if secret is not None:
        page.wait_for_url("**/login/code")
        page.get_by_label("Kode").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url("**/account/")


def test_volunteer_posts_coordinator_approves_newcomer_finds(
    app: Flask, browser: Browser, live_server: str
) -> None:
    limiter.reset()
    organization_id, secret = setup_people(app)

    # The coordinator invites the volunteer centre's new volunteer.
    coordinator = new_context(browser).new_page()
    log_in(coordinator, live_server, "koordinator.browser@example.org", secret)
    coordinator.goto(f"{live_server}/nb/account/organizations/{organization_id}/members")
    coordinator.get_by_label("E-post").fill("amina.browser@example.org")
    coordinator.get_by_role("button", name="Send invitasjon").click()
    expect(coordinator.get_by_text("Invitasjonen er sendt.")).to_be_visible()
    invitation = link_in(last_mail_to(app, "amina.browser@example.org"), live_server)

    # The volunteer registers, confirms the address and accepts the invitation.
    volunteer = new_context(browser).new_page()
    volunteer.goto(live_server + "/nb/account/register")
    volunteer.get_by_label("Navn").fill("Amina")
    volunteer.get_by_label("E-post").fill("amina.browser@example.org")
    volunteer.get_by_label("Passord").fill(PASSWORD)
    volunteer.get_by_role("button", name="Lag kontoen").click()
    expect(volunteer.get_by_text("Sjekk e-posten din")).to_be_visible()
    volunteer.goto(link_in(last_mail_to(app, "amina.browser@example.org"), live_server))
    log_in(volunteer, live_server, "amina.browser@example.org")
    volunteer.goto(invitation)
    volunteer.get_by_role("button", name="Bli med").click()
    volunteer.wait_for_url("**/account/")
    expect(volunteer.get_by_role("heading", name="Guovdageainnu frivilligsentral")).to_be_visible()

    # A weekly offer with a summer break, previewed, then sent for review.
    volunteer.get_by_role("link", name="Nytt tilbud").click()
    assert no_axe_violations(volunteer) == []
    volunteer.get_by_label("Navn på aktiviteten").fill(TITLE)
    volunteer.get_by_label("Kort om aktiviteten").fill(
        "Vi strikker, snakker norsk og drikker kaffe."
    )
    volunteer.get_by_label("Hva slags aktivitet").select_option(label="Åpne møteplasser")
    volunteer.get_by_label("Hver uke", exact=True).check()
    volunteer.get_by_label("onsdag").check()
    volunteer.get_by_label("Første dato").fill("2026-01-07")
    volunteer.get_by_label("Starter kl.").fill("17:00")
    volunteer.get_by_label("Slutter kl.").fill("19:00")
    volunteer.get_by_label("Pauser").fill("22.06.2026–16.08.2026 sommerferie")
    volunteer.get_by_label("Sted", exact=True).select_option(label="Et nytt sted …")
    volunteer.get_by_label("Navn på nytt sted").fill("Kulturhuset")
    volunteer.get_by_role("button", name="Forhåndsvis").click()
    expect(volunteer.get_by_text("Forhåndsvisning. Ingenting er lagret ennå.")).to_be_visible()
    expect(volunteer.locator(".preview-box")).to_contain_text("Hver onsdag")
    assert no_axe_violations(volunteer) == []
    volunteer.get_by_role("button", name="Send til publisering").click()
    volunteer.wait_for_url("**/account/")
    expect(volunteer.get_by_text("sendt til godkjenning")).to_be_visible()
    expect(volunteer.locator("li", has_text=TITLE)).to_contain_text("Venter på godkjenning")

    # The coordinator approves it from the queue.
    coordinator.goto(live_server + "/nb/review/")
    coordinator.get_by_role("link", name=TITLE).click()
    assert no_axe_violations(coordinator) == []
    coordinator.get_by_role("button", name="Godkjenn og publiser").click()
    coordinator.wait_for_url("**/review/")
    expect(coordinator.get_by_text("Ingenting venter nå.")).to_be_visible()
    assert "er publisert" in last_mail_to(app, "amina.browser@example.org")

    # A newcomer finds it without an account.
    newcomer = new_context(browser).new_page()
    newcomer.goto(live_server + "/nb/search?q=strikkekafe&municipality=" + KAUTOKEINO)
    newcomer.get_by_role("link", name=TITLE).first.click()
    newcomer.wait_for_url("**/offer/**")
    expect(newcomer.locator("h1")).to_have_text(TITLE)
    expect(newcomer.get_by_text("Hver onsdag")).to_be_visible()
    expect(newcomer.get_by_text("Kulturhuset")).to_be_visible()
    for page in (coordinator, volunteer, newcomer):
        page.context.close()


BACK_OFFICE = [
    "/nb/account/",
    "/nb/review/",
    "/admin/",
    "/admin/listing/",
    "/admin/organization/",
    "/admin/report/",
    "/admin/import/",
    "/admin/importsource/",
    "/admin/importrun/",
    "/admin/duplicate/",
]


def test_the_back_office_and_contributor_pages_pass_axe(
    app: Flask, browser: Browser, live_server: str
) -> None:
    limiter.reset()
    with app.app_context():
        session = db.session()
        coordinator = create_user(session, "axe.koordinator@example.org", PASSWORD, confirmed=True)
        grant(session, coordinator, Role.COORDINATOR, municipality="4601")
        secret = new_totp_secret()
        coordinator.totp_secret, coordinator.totp_enabled_at = secret, utcnow()
        session.commit()
        db.session.remove()
    page = new_context(browser).new_page()
    log_in(page, live_server, "axe.koordinator@example.org", secret)
    found = {}
    for path in BACK_OFFICE:
        page.goto(live_server + path)
        assert page.url.endswith(path), page.url
        found[path] = no_axe_violations(page)
    page.goto(live_server + "/admin/listing/")
    details = page.locator("a[href*='/admin/listing/details/']").first.get_attribute("href")
    assert details
    page.goto(live_server + details)
    found[details] = no_axe_violations(page)
    page.context.close()
    assert {path: v for path, v in found.items() if v} == {}
