"""The "Still running?" loop: who is asked, the one-click links, the public note, the
coordinator's lists and the daily command."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.accounts.models import OutgoingMail
from directory.db import utcnow
from directory.extensions import limiter
from directory.listings.models import Listing, ListingStatus
from directory.moderation import freshness
from directory.moderation.models import Revision
from directory.places.models import Municipality
from tests.accounts.helpers import csrf_token
from tests.factories import EMPTY_MUNICIPALITY, make_listing, make_organization

BERGEN = "4601"  # freshness_days stays at the default 90 here


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    limiter.reset()


def listing_confirmed(
    session: Session, days_ago: int, municipality: str = EMPTY_MUNICIPALITY, **fields: object
) -> Listing:
    """A listing last confirmed ``days_ago`` days ago, by an organization with an address."""
    if "organization" not in fields:
        fields["organization"] = make_organization(
            session, municipality, email=f"lag{days_ago}@example.org"
        )
    listing = make_listing(session, municipality=municipality, **fields)  # type: ignore[arg-type]
    listing.verified_at = utcnow() - dt.timedelta(days=days_ago)
    session.flush()
    return listing


def mails_to(session: Session, address: str) -> list[OutgoingMail]:
    stmt = select(OutgoingMail).where(OutgoingMail.recipient == address)
    return list(session.scalars(stmt.order_by(OutgoingMail.id)))


def ask_and_read_links(app: Flask, session: Session, listing: Listing) -> dict[str, str]:
    """Ask as the daily command does and return the mail's links (path and query) by answer."""
    with app.test_request_context(base_url="https://lokaltilbud.example"):
        assert freshness.ask(session, listing, utcnow()) == 1
    session.commit()  # as the command does; the test's outer transaction still rolls back
    (mail,) = mails_to(session, listing.organization.email)
    links = {}
    for url in re.findall(r"https?://\S+", mail.body):
        parts = urlsplit(url)
        assert parts.netloc == "lokaltilbud.example"
        if "/still-running/" in parts.path:
            links[parse_qs(parts.query)["answer"][0]] = f"{parts.path}?{parts.query}"
    assert set(links) == {"yes", "paused", "ended"}
    return links


def reload(session: Session, listing_id: int) -> Listing:
    session.expire_all()
    found = session.get(Listing, listing_id)
    assert found is not None
    return found


def post_answer(client: FlaskClient, link: str, **data: str) -> tuple[int, str]:
    token = csrf_token(client, link)
    response = client.post(link.split("?")[0], data={"csrf_token": token, **data})
    return response.status_code, response.get_data(as_text=True)


# -- who is asked -----------------------------------------------------------------------


def test_due_selection_respects_each_municipalitys_days(db_session: Session) -> None:
    municipality = db_session.get(Municipality, EMPTY_MUNICIPALITY)
    assert municipality is not None
    municipality.freshness_days = 30
    now = utcnow()
    due_here = listing_confirmed(db_session, 40)
    not_due_in_bergen = listing_confirmed(db_session, 40, BERGEN)
    due_in_bergen = listing_confirmed(db_session, 100, BERGEN)
    recently_asked = listing_confirmed(db_session, 40, freshness_asked_at=now - dt.timedelta(5))
    asked_long_ago = listing_confirmed(db_session, 41, freshness_asked_at=now - dt.timedelta(20))
    paused = listing_confirmed(db_session, 42, status=ListingStatus.PAUSED)
    fresh = listing_confirmed(db_session, 10)
    mine = {
        due_here.id,
        not_due_in_bergen.id,
        due_in_bergen.id,
        recently_asked.id,
        asked_long_ago.id,
        paused.id,
        fresh.id,
    }

    due = [
        listing.id for listing in freshness.due_for_asking(db_session, now) if listing.id in mine
    ]

    assert due == [due_in_bergen.id, asked_long_ago.id, due_here.id]  # oldest first


# -- the mail and its links -------------------------------------------------------------


def test_the_mail_goes_to_the_organization_with_three_links(
    app: Flask, db_session: Session
) -> None:
    listing = listing_confirmed(db_session, 120, title="Strikkekafé")
    links = ask_and_read_links(app, db_session, listing)
    (mail,) = mails_to(db_session, listing.organization.email)
    assert mail.subject == "Går «Strikkekafé» fortsatt?"
    assert "Du trenger ikke logge inn" in mail.body
    assert all(link.startswith("/nb/still-running/") for link in links.values())
    assert listing.freshness_asked_at is not None
    assert listing.freshness_unanswered == 1


def test_opening_a_link_changes_nothing_and_yes_confirms(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    listing = listing_confirmed(db_session, 120, title="Leksehjelp")
    links = ask_and_read_links(app, db_session, listing)
    listing_id, version = listing.id, listing.version
    before = freshness.last_confirmed(listing)

    page = client.get(links["yes"]).get_data(as_text=True)
    assert "Går «Leksehjelp» fortsatt?" in page
    # The chosen answer's button comes first, the other two after it.
    assert page.index("Ja, det går som før") < page.index("Det tar pause")
    assert page.index("Ja, det går som før") < page.index("Nei, det er avsluttet")
    assert page.index("Ditt svar") < page.index("Eller velg et annet svar")
    for link in links.values():
        assert client.get(link).status_code == 200
    unchanged = reload(db_session, listing_id)
    assert freshness.last_confirmed(unchanged) == before
    assert unchanged.version == version
    assert unchanged.freshness_unanswered == 1
    assert unchanged.status is ListingStatus.PUBLISHED

    status, page = post_answer(client, links["yes"], answer="yes")
    assert status == 200
    assert "Vi har notert at «Leksehjelp» fortsatt går." in page
    confirmed = reload(db_session, listing_id)
    assert confirmed.verified_at is not None
    assert utcnow() - freshness.last_confirmed(confirmed) < dt.timedelta(minutes=1)  # type: ignore[operator]
    assert confirmed.freshness_unanswered == 0
    assert confirmed.freshness_asked_at is None
    revision = db_session.scalars(
        select(Revision).where(Revision.listing_id == listing_id).order_by(Revision.id.desc())
    ).first()
    assert revision is not None
    assert revision.via == "freshness"
    assert "Allerede besvart" in client.get(links["ended"]).get_data(as_text=True)


def test_paused_needs_a_future_date_and_resumes_by_itself(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    listing = listing_confirmed(db_session, 120)
    listing_id = listing.id
    links = ask_and_read_links(app, db_session, listing)
    page = client.get(links["paused"]).get_data(as_text=True)
    assert page.index('name="until"') < page.index("Ja, det går som før")

    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    status, page = post_answer(client, links["paused"], answer="paused", until=yesterday)
    assert status == 400
    assert "Datoen må være etter i dag." in page
    assert 'aria-describedby="until-help"' in page
    assert 'aria-invalid="true"' in page
    assert reload(db_session, listing_id).status is ListingStatus.PUBLISHED

    until = dt.date.today() + dt.timedelta(days=30)
    typed = f"{until.day}.{until.month}.{until.year}"  # as someone without a date picker
    status, page = post_answer(client, links["paused"], answer="paused", until=typed)
    assert status == 200
    assert "Takk for svaret" in page
    paused = reload(db_session, listing_id)
    assert paused.status is ListingStatus.PAUSED
    assert paused.paused_until == until
    assert paused.freshness_unanswered == 0

    assert freshness.resume_paused(db_session, until - dt.timedelta(days=1)) == []
    assert [item.id for item in freshness.resume_paused(db_session, until)] == [listing_id]
    resumed = reload(db_session, listing_id)
    assert resumed.status is ListingStatus.PUBLISHED
    assert resumed.paused_until is None


def test_ended_archives_whatever_the_link_preselected(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    listing = listing_confirmed(db_session, 120)
    listing_id = listing.id
    links = ask_and_read_links(app, db_session, listing)
    # The page opened from the "yes" link; the person then chose "ended" further down.
    token = csrf_token(client, links["yes"])
    response = client.post(links["yes"], data={"csrf_token": token, "answer": "ended"})
    assert response.status_code == 200
    assert "er tatt bort fra oversikten" in response.get_data(as_text=True)
    assert reload(db_session, listing_id).status is ListingStatus.ARCHIVED


def test_an_older_link_works_until_someone_answers(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    listing = listing_confirmed(db_session, 120)
    first = ask_and_read_links(app, db_session, listing)
    with app.test_request_context():
        freshness.ask(db_session, listing, utcnow() + dt.timedelta(days=15))
    assert listing.freshness_unanswered == 2
    assert "Ja, det går som før" in client.get(first["yes"]).get_data(as_text=True)
    status, _page = post_answer(client, first["yes"], answer="yes")
    assert status == 200
    assert reload(db_session, listing.id).freshness_unanswered == 0


def test_tampered_and_expired_links_get_a_plain_404(
    app: Flask, client: FlaskClient, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = listing_confirmed(db_session, 120)
    link = ask_and_read_links(app, db_session, listing)["yes"]
    path = link.split("?")[0]
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    for url in (tampered, "/nb/still-running/not-a-token", "/nb/still-running/" + "x" * 2000):
        response = client.get(url)
        assert response.status_code == 404
        assert "Lenken virker ikke" in response.get_data(as_text=True)
    good_csrf = csrf_token(client, link)
    response = client.post(tampered, data={"csrf_token": good_csrf, "answer": "ended"})
    assert response.status_code == 404
    assert reload(db_session, listing.id).status is ListingStatus.PUBLISHED

    monkeypatch.setattr(freshness, "TOKEN_MAX_AGE", -1)
    assert client.get(link).status_code == 404


def test_bad_answers_are_refused_with_a_message(db_session: Session) -> None:
    listing = listing_confirmed(db_session, 120)
    with pytest.raises(freshness.FreshnessError, match="Velg ett av svarene"):
        freshness.answer(db_session, listing, "maybe", None)
    with pytest.raises(freshness.FreshnessError, match="Skriv datoen"):
        freshness.answer(db_session, listing, "paused", None)
    today = dt.date(2026, 3, 1)
    with pytest.raises(freshness.FreshnessError, match="innen ett år"):
        freshness.answer(db_session, listing, "paused", dt.date(2027, 6, 1), today=today)


# -- the public note --------------------------------------------------------------------


def test_the_public_note_shows_on_old_listings_only(
    client: FlaskClient, db_session: Session
) -> None:
    old = listing_confirmed(db_session, 200, title="Gammelt tilbud")
    fresh = listing_confirmed(db_session, 20, title="Nytt tilbud")
    since = freshness.unconfirmed_since(old)
    assert since is not None
    assert freshness.unconfirmed_since(fresh) is None
    expected = f"Ikke bekreftet siden {format_date(since, 'long', locale='nb')}"

    assert expected in client.get(f"/nb/offer/{old.id}").get_data(as_text=True)
    assert "Ikke bekreftet siden" not in client.get(f"/nb/offer/{fresh.id}").get_data(as_text=True)
    cards = client.get(f"/nb/municipality/{EMPTY_MUNICIPALITY}").get_data(as_text=True)
    assert cards.count("Ikke bekreftet siden") == 1
    assert expected in cards


# -- the coordinator's lists ------------------------------------------------------------


def test_stale_listings_oldest_first_within_scope(db_session: Session) -> None:
    oldest = listing_confirmed(db_session, 300)
    old = listing_confirmed(db_session, 200, status=ListingStatus.FULL)
    listing_confirmed(db_session, 250, status=ListingStatus.ARCHIVED)
    listing_confirmed(db_session, 30)
    in_bergen = listing_confirmed(db_session, 400, BERGEN)

    scoped = freshness.stale_listings(db_session, {EMPTY_MUNICIPALITY})
    assert [listing.id for listing in scoped] == [oldest.id, old.id]
    everywhere = [listing.id for listing in freshness.stale_listings(db_session, None, limit=500)]
    assert {oldest.id, old.id, in_bergen.id} <= set(everywhere)
    assert everywhere.index(in_bergen.id) < everywhere.index(oldest.id) < everywhere.index(old.id)
    assert freshness.stale_listings(db_session, set()) == []


def test_silent_organizations_count_listings_asked_twice(db_session: Session) -> None:
    quiet = make_organization(db_session, name="Stille lag")
    for _ in range(2):
        make_listing(db_session, organization=quiet, freshness_unanswered=2)
    make_listing(db_session, organization=quiet, freshness_unanswered=1)
    make_listing(
        db_session, organization=quiet, freshness_unanswered=4, status=ListingStatus.ARCHIVED
    )
    once = make_organization(db_session, name="Svarer snart")
    make_listing(db_session, organization=once, freshness_unanswered=1)
    bergen = make_organization(db_session, BERGEN, name="Bergenslag")
    make_listing(db_session, municipality=BERGEN, organization=bergen, freshness_unanswered=3)

    assert freshness.silent_organizations(db_session, {EMPTY_MUNICIPALITY}) == [(quiet, 2)]
    assert freshness.silent_organizations(db_session, None) == [(quiet, 2), (bergen, 1)]
    assert freshness.silent_organizations(db_session, {BERGEN}) == [(bergen, 1)]


# -- the daily command ------------------------------------------------------------------


def test_the_command_resumes_asks_and_reports(app: Flask, db_session: Session) -> None:
    due = listing_confirmed(db_session, 120, title="Går det?")
    due_id, address = due.id, due.organization.email
    paused = listing_confirmed(
        db_session,
        5,
        status=ListingStatus.PAUSED,
        paused_until=dt.date.today() - dt.timedelta(days=1),
    )
    paused_id = paused.id
    expected_due = len(freshness.due_for_asking(db_session, utcnow()))
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["freshness", "send", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"{expected_due} listings to ask" in dry.output
    assert mails_to(db_session, address) == []
    assert reload(db_session, paused_id).status is ListingStatus.PAUSED

    result = runner.invoke(args=["freshness", "send"])
    assert result.exit_code == 0, result.output
    counts = re.search(
        r"(\d+) paused listings resumed, (\d+) listings asked .* (\d+) without", result.output
    )
    assert counts, result.output
    resumed, asked, unreachable = (int(n) for n in counts.groups())
    assert resumed >= 1
    assert asked >= 1
    assert asked + unreachable == expected_due
    (mail,) = mails_to(db_session, address)
    assert "https://" in mail.body or "http://" in mail.body
    assert "/nb/still-running/" in mail.body
    assert reload(db_session, due_id).freshness_unanswered == 1
    assert reload(db_session, paused_id).status is ListingStatus.PUBLISHED

    again = runner.invoke(args=["freshness", "send"])
    assert "0 listings asked" in again.output  # asked today: not again within 14 days
    assert len(mails_to(db_session, address)) == 1


def test_an_answer_without_a_csrf_token_is_refused(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    listing = listing_confirmed(db_session, 120)
    link = ask_and_read_links(app, db_session, listing)["ended"]
    assert client.post(link, data={"answer": "ended"}).status_code == 400
    assert reload(db_session, listing.id).status is ListingStatus.PUBLISHED
