"""The public pages show real content and survive odd input."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory.listings.models import Eligibility, ListingStatus
from tests.factories import EMPTY_MUNICIPALITY, make_event, make_listing, make_venue, weekly

OSLO = ZoneInfo("Europe/Oslo")


def test_root_redirects_by_accept_language_and_cookie(client: FlaskClient) -> None:
    assert client.get("/").headers["Location"] == "/nb/"
    assert (
        client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).headers["Location"] == "/en/"
    )
    client.get("/en/")
    assert client.get("/").headers["Location"] == "/en/"


def test_unknown_locale_is_404(client: FlaskClient) -> None:
    response = client.get("/xx/")
    assert response.status_code == 404
    assert "Vi fant ikke siden" in response.get_data(as_text=True)


def test_municipality_page_groups_offers_and_lists_events(
    client: FlaskClient, db_session: Session
) -> None:
    make_listing(db_session, title="Språkkafé i Kautokeino", category="language-cafe")
    make_listing(db_session, title="Leksehjelp i Kautokeino", category="homework-help")
    make_event(
        db_session,
        dt.datetime.now(OSLO).replace(microsecond=0) + dt.timedelta(days=3),
        title="Temakveld om skolen",
        category="information-meetings",
    )
    make_event(db_session, dt.datetime.now(OSLO) + dt.timedelta(days=30), title="Langt fram")
    page = client.get(f"/nb/municipality/{EMPTY_MUNICIPALITY}/kautokeino").get_data(as_text=True)
    assert "Tilbud i Kautokeino" in page
    assert "Guovdageaidnu" in page
    assert re.search(r'id="c-language".*Språkkafé i Kautokeino', page, re.S)
    assert re.search(r'id="c-homework-help".*Leksehjelp i Kautokeino', page, re.S)
    events = page.split('id="events-h"')[1].split('id="offers-h"')[0]
    assert "Temakveld om skolen" in events
    assert "Langt fram" not in events


def test_municipality_slug_redirects(client: FlaskClient) -> None:
    response = client.get("/nb/municipality/5501/wrong-name?free=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/nb/municipality/5501/tromso?free=1"
    assert client.get("/nb/municipality/9999").status_code == 404


def test_large_group_paginates_and_keeps_filters(client: FlaskClient, db_session: Session) -> None:
    for n in range(25):
        make_listing(db_session, title=f"Kafé {n:02d}", category="language-cafe", is_free=True)
    page = client.get(f"/nb/municipality/{EMPTY_MUNICIPALITY}/kautokeino?free=1").get_data(
        as_text=True
    )
    assert page.count('class="card"') == 6
    assert f"/nb/municipality/{EMPTY_MUNICIPALITY}/kautokeino?category=language&amp;free=1" in page
    first = client.get(f"/nb/municipality/{EMPTY_MUNICIPALITY}/kautokeino?category=language&free=1")
    text = first.get_data(as_text=True)
    assert text.count('class="card"') == 20
    assert "Side 1 av 2" in text
    next_link = text.split('rel="next"')[1].split(">")[0]
    assert "page=2" in next_link
    assert "free=1" in next_link
    second = client.get(
        f"/nb/municipality/{EMPTY_MUNICIPALITY}/kautokeino?category=language&free=1&page=2"
    )
    assert second.get_data(as_text=True).count('class="card"') == 5


def test_offer_page_shows_every_fact(client: FlaskClient, db_session: Session) -> None:
    venue = make_venue(db_session, directions="Buss 1 til sentrum.", step_free=True)
    offer = make_listing(
        db_session,
        title="Svømming for kvinner",
        summary="Svømmetid bare for kvinner, med barnepass.",
        category="swimming",
        targets=("women",),
        venue=venue,
        childcare=True,
        is_free=False,
        cost_text="20 kr per gang",
        registration_required=True,
        registration_info="Send SMS til 400 00 199.",
        eligibility=Eligibility.RESTRICTED,
        eligibility_note="Bare for deltakere i introduksjonsprogrammet.",
        contact_name="Aisha",
        contact_phone="+47 400 00 199",
        contact_email="svom@example.org",
        no_documents=True,
        languages=("nb", "uk"),
        verified_at=dt.datetime(2026, 11, 1, tzinfo=OSLO),
        schedules=[weekly("SA", "11:00", "12:30")],
    )
    assert client.get(f"/nb/offer/{offer.id}/old-title").headers["Location"] == (
        f"/nb/offer/{offer.id}/svmming-for-kvinner".replace("svmming", "svomming")
    )
    page = client.get(f"/nb/offer/{offer.id}").get_data(as_text=True)
    for fact in [
        "Svømming for kvinner",
        "Hver lørdag kl. 11:00–12:30",
        "Storgata 1, 9520 Kautokeino",
        "Buss 1 til sentrum.",
        "Trinnfri adkomst",
        "Bare for deltakere i introduksjonsprogrammet.",
        "20 kr per gang",
        "Send SMS til 400 00 199.",
        'href="tel:+4740000199"',
        "mailto:svom@example.org",
        "Det er barnepass",
        "Du trenger ikke vise papirer",
        "Українська",
        "Sist bekreftet 1. november 2026",
        "Meld fra om feil",
        "openstreetmap.org/?mlat=69.0&amp;mlon=23.0",
    ]:
        assert fact in page, fact
    assert page.count("<time") == 5  # the next five dates


def test_unpublished_listings_are_not_shown(client: FlaskClient, db_session: Session) -> None:
    draft = make_listing(db_session, status=ListingStatus.DRAFT)
    assert client.get(f"/nb/offer/{draft.id}").status_code == 404
    event = make_event(db_session, dt.datetime.now(OSLO) + dt.timedelta(days=1))
    assert client.get(f"/nb/offer/{event.id}").status_code == 404
    assert client.get(f"/nb/event/{event.id}").status_code == 200


def test_events_page_by_period(client: FlaskClient, db_session: Session) -> None:
    now = dt.datetime.now(OSLO).replace(second=0, microsecond=0)
    make_event(db_session, now + dt.timedelta(days=8), title="Om en drøy uke")
    page = client.get(f"/nb/municipality/{EMPTY_MUNICIPALITY}/events").get_data(as_text=True)
    assert "Denne uken" in page
    assert "Neste uke" in page
    assert "Om en drøy uke" in page


def test_organization_page_lists_its_listings(client: FlaskClient, db_session: Session) -> None:
    offer = make_listing(db_session, title="Mannsgruppe")
    page = client.get(f"/nb/organization/{offer.organization.id}").get_data(as_text=True)
    assert offer.organization.name in page
    assert "Mannsgruppe" in page


def test_report_page_names_who_to_contact(client: FlaskClient, db_session: Session) -> None:
    offer = make_listing(db_session, contact_phone="+47 400 00 150")
    page = client.get(f"/nb/report/offer/{offer.id}").get_data(as_text=True)
    assert 'href="tel:+4740000150"' in page


@pytest.mark.parametrize(
    "path",
    [
        "/nb/municipalities?q=" + "x" * 3000,
        "/nb/municipalities?q=%00%27%22%3C",
        "/nb/municipality/5501?category=%00",
        "/nb/municipalities?q=%E2%80%8F%D8%B3%D9%84%D8%A7%D9%85",
        "/nb/municipality/5501?page=-1&day=%00",
        "/nb/municipality/5501?page=99999999999999999999",
        "/nb/municipality/5501?category=%22%3E%3Cscript%3E",
        "/nb/municipalities.json?q=%25%25",
        "/nb/offer/99999999",
        "/nb/offer/abc",
        "/nb/county/ab",
    ],
)
def test_odd_input_never_500(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in {200, 302, 400, 404}
    assert "<script>" not in response.get_data(as_text=True)
