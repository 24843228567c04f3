"""The translation queue: in scope for coordinators and translators, nowhere else."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory.accounts.models import Role
from directory.extensions import limiter
from directory.translations.services import TranslationState, state_of
from tests.accounts.helpers import csrf_token, log_in, make_user
from tests.factories import EMPTY_MUNICIPALITY, make_listing


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient) -> None:
    response = client.get(f"/nb/translate/{EMPTY_MUNICIPALITY}/uk")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_coordinators_translate_their_municipality_only(
    client: FlaskClient, db_session: Session
) -> None:
    limiter.reset()
    listing = make_listing(db_session, title="Hjelp med skjema fra NAV")
    make_user(db_session, "k@example.org", (Role.COORDINATOR, {"municipality": EMPTY_MUNICIPALITY}))
    assert log_in(client, "k@example.org") == 302
    queue = client.get(f"/nb/translate/{EMPTY_MUNICIPALITY}/ar")
    assert queue.status_code == 200
    key = f"listing:{listing.id}:title"
    assert key in queue.get_data(as_text=True)
    assert client.get("/nb/translate/4601/ar").status_code == 404  # Bergen is not theirs
    # A Bergen listing, reached through their own municipality's URL: still no.
    elsewhere = make_listing(db_session, municipality="4601", title="Språkkafé i Bergen")
    sneaky = f"/nb/translate/{EMPTY_MUNICIPALITY}/ar/listing:{elsewhere.id}:title"
    assert client.get(sneaky).status_code == 404
    assert client.get(f"/nb/translate/4601/ar/listing:{elsewhere.id}:title").status_code == 404
    page = client.get(f"/nb/translate/{EMPTY_MUNICIPALITY}/ar/{key}").get_data(as_text=True)
    assert "Hjelp med skjema fra NAV" in page
    assert 'class="glossary"' in page  # NAV is explained beside the source
    token = csrf_token(client, f"/nb/translate/{EMPTY_MUNICIPALITY}/ar/{key}")
    saved = client.post(
        f"/nb/translate/{EMPTY_MUNICIPALITY}/ar/{key}",
        data={"csrf_token": token, "source": listing.title, "target": "مساعدة في استمارات NAV"},
    )
    assert saved.status_code == 302
    assert state_of(listing, "title", "ar") is TranslationState.CURRENT


def test_a_changed_source_is_not_overwritten_and_terms_are_checked(
    client: FlaskClient, db_session: Session
) -> None:
    limiter.reset()
    listing = make_listing(db_session, title="Spør NAV om hjelp")
    make_user(db_session, "t@example.org", (Role.TRANSLATOR, {"language": "en"}))
    assert log_in(client, "t@example.org") == 302
    url = f"/nb/translate/{EMPTY_MUNICIPALITY}/en/listing:{listing.id}:title"
    token = csrf_token(client, url)
    stale = client.post(url, data={"csrf_token": token, "source": "Noe annet", "target": "x"})
    assert "Originalteksten er endret" in stale.get_data(as_text=True)
    assert state_of(listing, "title", "en") is TranslationState.MISSING
    warned = client.post(
        url, data={"csrf_token": token, "source": listing.title, "target": "Ask the office"}
    )
    assert warned.status_code == 200
    assert "NAV" in warned.get_data(as_text=True)  # the glossary term the text left out
    assert state_of(listing, "title", "en") is TranslationState.CURRENT
    assert client.get(f"/nb/translate/{EMPTY_MUNICIPALITY}/uk").status_code == 404


def test_accounts_without_a_role_get_no_queue(client: FlaskClient, db_session: Session) -> None:
    limiter.reset()
    make_user(db_session, "plain@example.org")
    assert log_in(client, "plain@example.org") == 302
    assert client.get("/nb/translate/").status_code == 403
