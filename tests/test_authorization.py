"""Every route × every role: who may open what, and every POST needs a CSRF token.

A route added without an entry in MATRIX fails `test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory.accounts.models import Role
from directory.extensions import limiter
from directory.listings.models import Listing
from tests.accounts.helpers import log_in, make_user
from tests.factories import EMPTY_MUNICIPALITY, make_listing

ROLES = ("anonymous", "plain", "volunteer", "coordinator", "translator", "administrator")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
TRANSLATING = frozenset({"coordinator", "translator", "administrator"})

Case = tuple[str, frozenset[str]]  # (URL, roles that get in)
# endpoint → function of the test's data giving the URLs to try and who may open them.
MATRIX: dict[str, Callable[[dict[str, int]], list[Case]]] = {
    "core.root": lambda d: [("/", EVERYONE)],
    "core.healthz": lambda d: [("/healthz", EVERYONE)],
    "static": lambda d: [("/static/style.css", EVERYONE)],
    "places.home": lambda d: [("/nb/", EVERYONE)],
    "places.municipalities": lambda d: [("/nb/municipalities?q=os", EVERYONE)],
    "places.municipalities_json": lambda d: [("/nb/municipalities.json?q=os", EVERYONE)],
    "places.county": lambda d: [("/nb/county/46", EVERYONE)],
    "listings.municipality": lambda d: [("/nb/municipality/4601/bergen", EVERYONE)],
    "listings.municipality_events": lambda d: [("/nb/municipality/4601/events", EVERYONE)],
    "listings.offer": lambda d: [(f"/nb/offer/{d['offer']}", EVERYONE)],
    "listings.event": lambda d: [(f"/nb/event/{d['event']}", EVERYONE)],
    "listings.report": lambda d: [(f"/nb/report/offer/{d['offer']}", EVERYONE)],
    "organizations.organization": lambda d: [(f"/nb/organization/{d['organization']}", EVERYONE)],
    "search.search": lambda d: [("/nb/search?q=kafe", EVERYONE)],
    "accounts.login": lambda d: [("/nb/account/login", EVERYONE)],
    "accounts.register": lambda d: [("/nb/account/register", EVERYONE)],
    "accounts.reset": lambda d: [("/nb/account/reset", EVERYONE)],
    "accounts.confirm": lambda d: [("/nb/account/confirm/bad", frozenset())],
    "accounts.reset_password": lambda d: [("/nb/account/reset/bad", frozenset())],
    "accounts.logout": lambda d: [],  # POST only: covered by the CSRF test
    "accounts.index": lambda d: [("/nb/account/", SIGNED_IN)],
    # Without a password step just done, the code page sends everyone back to log in.
    "accounts.second_step": lambda d: [("/nb/account/login/code", frozenset())],
    "accounts.two_step": lambda d: [("/nb/account/two-step", SIGNED_IN)],
    "translations.index": lambda d: [("/nb/translate/", TRANSLATING)],
    "admin.index": lambda d: [("/admin/", frozenset({"coordinator", "administrator"}))],
    "admin.static": lambda d: [("/admin/static/admin/js/helpers.js", EVERYONE)],
    "translations.queue": lambda d: [
        (f"/nb/translate/{EMPTY_MUNICIPALITY}/ar", frozenset({"coordinator", "administrator"})),
        (f"/nb/translate/{EMPTY_MUNICIPALITY}/uk", TRANSLATING),
        ("/nb/translate/4601/ar", frozenset({"administrator"})),  # not the coordinator's
        ("/nb/translate/4601/uk", frozenset({"translator", "administrator"})),
        (f"/nb/translate/{EMPTY_MUNICIPALITY}/nb", frozenset()),  # the source language
    ],
    "translations.unit": lambda d: [
        (
            f"/nb/translate/{EMPTY_MUNICIPALITY}/ar/listing:{d['offer']}:title",
            frozenset({"coordinator", "administrator"}),
        ),
        (
            f"/nb/translate/{EMPTY_MUNICIPALITY}/uk/listing:{d['bergen']}:title",
            frozenset(),  # a Bergen listing under Kautokeino's URL: nobody
        ),
        (
            f"/nb/translate/4601/uk/listing:{d['bergen']}:title",
            frozenset({"translator", "administrator"}),
        ),
    ],
}


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "add the new routes to MATRIX"
    assert set(MATRIX) - endpoints == set(), "MATRIX names routes that no longer exist"


@pytest.fixture
def data(db_session: Session) -> dict[str, int]:
    limiter.reset()
    offer = make_listing(db_session, title="Leksehjelp")
    bergen = make_listing(db_session, municipality="4601", title="Språkkafé")
    import datetime as dt

    from tests.factories import make_event

    event = make_event(db_session, dt.datetime.now(dt.UTC) + dt.timedelta(days=3), title="Møte")
    make_user(db_session, "plain@example.org")
    make_user(
        db_session,
        "volunteer@example.org",
        (Role.VOLUNTEER, {"organization": offer.organization_id}),
    )
    make_user(
        db_session,
        "coordinator@example.org",
        (Role.COORDINATOR, {"municipality": EMPTY_MUNICIPALITY}),
    )
    make_user(db_session, "translator@example.org", (Role.TRANSLATOR, {"language": "uk"}))
    make_user(db_session, "administrator@example.org", (Role.ADMINISTRATOR, {}))
    assert isinstance(event, Listing)
    return {
        "offer": offer.id,
        "event": event.id,
        "organization": offer.organization_id,
        "bergen": bergen.id,
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_pages(
    app: Flask, client: FlaskClient, data: dict[str, int], role: str
) -> None:
    if role != "anonymous":
        assert log_in(client, f"{role}@example.org") == 302
    wrong = []
    for endpoint, cases in MATRIX.items():
        for url, allowed in cases(data):
            with client.get(url) as response:
                status, location = response.status_code, response.headers.get("Location", "")
            ok = status in {200, 301, 308} if role in allowed else status in {302, 400, 403, 404}
            if status == 302:  # a redirect to log in means "not for you"
                ok = ("/account/login" in location) != (role in allowed)
            if not ok:
                wrong.append((endpoint, url, status))
    assert wrong == []


def test_every_post_without_a_csrf_token_is_refused(
    app: Flask, client: FlaskClient, data: dict[str, int]
) -> None:
    assert log_in(client, "administrator@example.org") == 302
    posts = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()):
            continue
        cases = MATRIX[rule.endpoint](data)
        url = cases[0][0] if cases else rule.rule.replace("<locale>", "nb")
        posts.append(url)
        response = client.post(url, data={"email": "a@example.org", "password": "x" * 10})
        assert response.status_code == 400, url
    assert len(posts) >= 5


def test_the_back_office_speaks_norwegian(client: FlaskClient, data: dict[str, int]) -> None:
    assert log_in(client, "coordinator@example.org") == 302
    page = client.get("/admin/", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "Hjem" in page  # Flask-Admin's own "Home", from its Norwegian catalog
    assert "Venter på godkjenning: 0" in page
    client.set_cookie("locale", "nn")
    assert "Hjem" in client.get("/admin/").get_data(as_text=True)
