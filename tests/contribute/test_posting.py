"""Posting, review, history, optimistic locking and invitations, through the real forms."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.accounts.models import OutgoingMail, Role, User
from directory.accounts.services import create_user
from directory.extensions import limiter
from directory.listings.models import Listing, ListingStatus
from directory.moderation.models import Revision, StatusChange
from directory.organizations.models import Organization
from directory.search.index import SearchIndex
from tests.accounts.helpers import PASSWORD, csrf_token, log_in, make_user
from tests.factories import EMPTY_MUNICIPALITY, make_listing, make_organization


@pytest.fixture
def org(db_session: Session) -> Organization:
    limiter.reset()
    return make_organization(
        db_session, name="Kautokeino frivilligsentral", email="post@frivillig.example"
    )


def offer_form(token: str, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": token,
        "title": "Svømming for kvinner",
        "summary": "Svømmekveld bare for kvinner, med barnepass.",
        "description": "Ta med badetøy. <script>alert(1)</script>**Velkommen!**",
        "primary_category": "",
        "pattern": "biweekly",
        "weekdays": ["TH"],
        "nth": "1",
        "starts_on": "2026-01-08",
        "opens_at": "18:00",
        "closes_at": "19:30",
        "valid_to": "",
        "extra_dates": "",
        "breaks": "22.06.2026–16.08.2026 sommerferie",
        "skip_public_holidays": "y",
        "is_free": "y",
        "childcare": "y",
        "eligibility": "open",
        "venue": "new",
        "venue_name": "Svømmehallen",
        "venue_address": "Bassengveien 1",
        "venue_postal_code": "9520",
        "venue_postal_place": "Kautokeino",
        "languages": ["nb", "uk"],
        "action": "submit",
    }
    data.update(changes)
    return data


def category_id(client: FlaskClient, path: str, label: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(
        r'<option (?:selected )?value="(\d+)"(?: selected)?>' + re.escape(label) + "</option>", page
    )
    assert found, label
    return found.group(1)


def new_offer_url(org: Organization) -> str:
    return f"/nb/account/listings/new/offer?organization={org.id}"


def test_volunteer_posts_coordinator_approves_it_is_public_and_searchable(
    client: FlaskClient, db_session: Session, org: Organization, index: SearchIndex
) -> None:
    make_user(db_session, "frivillig@example.org", (Role.VOLUNTEER, {"organization": org.id}))
    make_user(
        db_session, "koord@example.org", (Role.COORDINATOR, {"municipality": EMPTY_MUNICIPALITY})
    )
    assert log_in(client, "frivillig@example.org") == 302
    url = new_offer_url(org)
    sport = category_id(client, url, "Svømming")
    response = client.post(url, data=offer_form(csrf_token(client, url), primary_category=sport))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    listing = db_session.scalars(
        select(Listing).where(Listing.title == "Svømming for kvinner")
    ).one()
    assert listing.status is ListingStatus.PENDING
    assert "<script>" not in listing.description
    assert "alert(1)" not in listing.description
    schedule = listing.schedules[0]
    assert schedule.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    assert [(b.starts_on.isoformat(), b.reason) for b in schedule.breaks] == [
        ("2026-06-22", "sommerferie")
    ]
    assert listing.venue is not None
    assert listing.venue.name == "Svømmehallen"
    assert listing.language_codes == ["nb", "uk"]
    assert client.get(f"/nb/offer/{listing.id}").status_code == 404  # not public yet
    mine = client.get("/nb/account/").get_data(as_text=True)
    assert "Svømming for kvinner" in mine
    assert "Venter på godkjenning" in mine

    client.post("/nb/account/logout", data={"csrf_token": csrf_token(client, "/nb/account/")})
    assert log_in(client, "koord@example.org") == 302
    queue = client.get("/nb/review/").get_data(as_text=True)
    assert "Svømming for kvinner" in queue
    review_url = f"/nb/review/{listing.id}"
    response = client.post(
        review_url, data={"csrf_token": csrf_token(client, review_url), "action": "approve"}
    )
    assert response.status_code == 302
    db_session.refresh(listing)
    assert listing.status is ListingStatus.PUBLISHED
    assert listing.verified_at is not None
    changes = db_session.scalars(
        select(StatusChange).where(StatusChange.listing_id == listing.id)
    ).all()
    assert [(c.from_status, c.to_status) for c in changes] == [
        (ListingStatus.DRAFT, ListingStatus.PENDING),
        (ListingStatus.PENDING, ListingStatus.PUBLISHED),
    ]
    mail = db_session.scalars(
        select(OutgoingMail).where(OutgoingMail.recipient == "frivillig@example.org")
    ).all()
    assert any("er publisert" in m.subject for m in mail)
    page = client.get(f"/nb/offer/{listing.id}").get_data(as_text=True)
    assert "Svømming for kvinner" in page
    assert "Annenhver torsdag" in page
    assert "<strong>Velkommen!</strong>" in page
    index.apply_pending(db_session)  # what the embedded app does after each commit
    found = client.get("/nb/search?q=svømming").get_data(as_text=True)
    assert f"/nb/offer/{listing.id}" in found


def test_a_trusted_organization_publishes_at_once(
    client: FlaskClient, db_session: Session, org: Organization
) -> None:
    org.trusted = True
    make_user(db_session, "frivillig@example.org", (Role.VOLUNTEER, {"organization": org.id}))
    assert log_in(client, "frivillig@example.org") == 302
    url = new_offer_url(org)
    sport = category_id(client, url, "Svømming")
    assert (
        client.post(
            url, data=offer_form(csrf_token(client, url), primary_category=sport)
        ).status_code
        == 302
    )
    listing = db_session.scalars(select(Listing).where(Listing.organization_id == org.id)).one()
    assert listing.status is ListingStatus.PUBLISHED


def test_preview_shows_the_listing_and_saves_nothing(
    client: FlaskClient, db_session: Session, org: Organization
) -> None:
    make_user(db_session, "frivillig@example.org", (Role.VOLUNTEER, {"organization": org.id}))
    assert log_in(client, "frivillig@example.org") == 302
    url = new_offer_url(org)
    sport = category_id(client, url, "Svømming")
    data = offer_form(csrf_token(client, url), primary_category=sport, action="preview")
    page = client.post(url, data=data).get_data(as_text=True)
    assert "Forhåndsvisning. Ingenting er lagret ennå." in page
    assert "Annenhver torsdag" in page
    assert "Svømmehallen" in page
    assert db_session.scalars(select(Listing).where(Listing.organization_id == org.id)).all() == []


def test_form_errors_are_explained_and_nothing_is_saved(
    client: FlaskClient, db_session: Session, org: Organization
) -> None:
    make_user(db_session, "frivillig@example.org", (Role.VOLUNTEER, {"organization": org.id}))
    assert log_in(client, "frivillig@example.org") == 302
    url = new_offer_url(org)
    sport = category_id(client, url, "Svømming")
    data = offer_form(
        csrf_token(client, url),
        primary_category=sport,
        weekdays=[],
        breaks="i sommer",
        opens_at="kl 18",
    )
    page = client.post(url, data=data).get_data(as_text=True)
    assert "Velg minst én dag." in page
    assert "skriv fra–til" in page
    assert 'aria-invalid="true"' in page
    assert db_session.scalars(select(Listing).where(Listing.organization_id == org.id)).all() == []


def test_monthly_and_one_off_patterns(
    client: FlaskClient, db_session: Session, org: Organization
) -> None:
    make_user(db_session, "frivillig@example.org", (Role.VOLUNTEER, {"organization": org.id}))
    assert log_in(client, "frivillig@example.org") == 302
    url = new_offer_url(org)
    sport = category_id(client, url, "Svømming")
    data = offer_form(
        csrf_token(client, url),
        primary_category=sport,
        pattern="monthly",
        weekdays=["MO"],
        nth="-1",
        action="save",
    )
    assert client.post(url, data=data).status_code == 302
    data = offer_form(
        csrf_token(client, url),
        primary_category=sport,
        pattern="once",
        weekdays=[],
        title="Informasjonsmøte",
        extra_dates="12.03.2026\n2026-04-09",
        action="save",
    )
    assert client.post(url, data=data).status_code == 302
    listings = {
        item.title: item
        for item in db_session.scalars(select(Listing).where(Listing.organization_id == org.id))
    }
    assert listings["Svømming for kvinner"].schedules[0].rrule == "FREQ=MONTHLY;BYDAY=-1MO"
    assert listings["Svømming for kvinner"].status is ListingStatus.DRAFT
    once = listings["Informasjonsmøte"].schedules[0]
    assert once.rrule is None
    assert once.rdates == ["2026-03-12T18:00", "2026-04-09T18:00"]


def test_out_of_scope_listings_are_not_found(
    client: FlaskClient, db_session: Session, org: Organization
) -> None:
    other = make_listing(
        db_session, municipality="4601", title="Bergen-utkast", status=ListingStatus.PENDING
    )
    mine = make_listing(db_session, organization=org, title="Vårt tilbud")
    make_user(db_session, "frivillig@example.org", (Role.VOLUNTEER, {"organization": org.id}))
    make_user(
        db_session, "koord@example.org", (Role.COORDINATOR, {"municipality": EMPTY_MUNICIPALITY})
    )
    assert log_in(client, "frivillig@example.org") == 302
    assert client.get(f"/nb/account/listings/{other.id}/edit").status_code == 404
    assert client.get(f"/nb/account/listings/{mine.id}/edit").status_code == 200
    assert client.get(f"/nb/review/{mine.id}").status_code == 404  # volunteers do not review
    other_org = other.organization_id
    assert client.get(f"/nb/account/listings/new/offer?organization={other_org}").status_code == 404
    token = csrf_token(client, "/nb/account/")
    assert (
        client.post(
            f"/nb/account/listings/{other.id}/status",
            data={"csrf_token": token, "action": "archive"},
        ).status_code
        == 404
    )
    client.post("/nb/account/logout", data={"csrf_token": token})
    assert log_in(client, "koord@example.org") == 302
    assert client.get(f"/nb/review/{other.id}").status_code == 404
    assert client.get(f"/nb/account/listings/{other.id}/history").status_code == 404
    assert "Bergen-utkast" not in client.get("/nb/review/").get_data(as_text=True)
    db_session.refresh(other)
    assert other.status is ListingStatus.PENDING


def edit_data(client: FlaskClient, url: str) -> dict[str, object]:
    """The edit form's current values, as a browser would send them back."""
    page = client.get(url).get_data(as_text=True)
    data: dict[str, object] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        if f'name="{name}"' in page and 'type="checkbox"' not in name:
            data.setdefault(name, value)
    data["csrf_token"] = csrf_token(client, url)
    return data


def test_second_save_with_an_old_version_gets_a_conflict_page(
    client: FlaskClient, db_session: Session, org: Organization
) -> None:
    listing = make_listing(
        db_session, organization=org, title="Leksehjelp", status=ListingStatus.DRAFT
    )
    make_user(db_session, "frivillig@example.org", (Role.VOLUNTEER, {"organization": org.id}))
    assert log_in(client, "frivillig@example.org") == 302
    url = f"/nb/account/listings/{listing.id}/edit"
    cat = category_id(client, url, "Leksehjelp")
    stale = offer_form(
        csrf_token(client, url),
        primary_category=cat,
        title="Leksehjelp for alle",
        version=str(listing.version),
        action="save",
    )
    # Someone else saves first.
    first = offer_form(
        csrf_token(client, url),
        primary_category=cat,
        title="Leksehjelp på biblioteket",
        version=str(listing.version),
        action="save",
    )
    assert client.post(url, data=first).status_code == 302
    response = client.post(url, data=stale)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Noen andre har lagret endringer mens du skrev" in page
    assert "Leksehjelp på biblioteket" in page  # the other's change is shown
    assert 'value="Leksehjelp for alle"' in page  # and what this person wrote is kept
    db_session.refresh(listing)
    assert listing.title == "Leksehjelp på biblioteket"


def test_history_lists_changes_and_restore_puts_an_old_version_back(
    client: FlaskClient, db_session: Session, org: Organization
) -> None:
    listing = make_listing(
        db_session, organization=org, title="Språkkafé", status=ListingStatus.DRAFT
    )
    make_user(db_session, "frivillig@example.org", (Role.VOLUNTEER, {"organization": org.id}))
    make_user(
        db_session, "koord@example.org", (Role.COORDINATOR, {"municipality": EMPTY_MUNICIPALITY})
    )
    assert log_in(client, "frivillig@example.org") == 302
    url = f"/nb/account/listings/{listing.id}/edit"
    cat = category_id(client, url, "Språkkafé")
    for title in ("Språkkafé på biblioteket", "Språkkafe (feil)"):
        db_session.refresh(listing)
        data = offer_form(
            csrf_token(client, url),
            primary_category=cat,
            title=title,
            version=str(listing.version),
            action="save",
        )
        assert client.post(url, data=data).status_code == 302
    revisions = db_session.scalars(
        select(Revision).where(Revision.listing_id == listing.id).order_by(Revision.id)
    ).all()
    assert revisions[-1].changes["title"] == ["Språkkafé på biblioteket", "Språkkafe (feil)"]
    assert revisions[-1].user_id is not None
    client.post("/nb/account/logout", data={"csrf_token": csrf_token(client, "/nb/account/")})
    assert log_in(client, "koord@example.org") == 302
    history_url = f"/nb/account/listings/{listing.id}/history"
    page = client.get(history_url).get_data(as_text=True)
    assert "Språkkafe (feil)" in page
    assert "Språkkafé på biblioteket" in page
    good = revisions[-2]
    response = client.post(
        f"/nb/account/listings/{listing.id}/restore/{good.id}",
        data={"csrf_token": csrf_token(client, history_url)},
    )
    assert response.status_code == 302
    db_session.refresh(listing)
    assert listing.title == "Språkkafé på biblioteket"
    last = db_session.scalars(
        select(Revision).where(Revision.listing_id == listing.id).order_by(Revision.id.desc())
    ).first()
    assert last is not None
    assert last.via == "restore"


def test_request_changes_and_reject_need_a_message_and_reach_the_author(
    client: FlaskClient, db_session: Session, org: Organization
) -> None:
    listing = make_listing(
        db_session, organization=org, title="Kvinnegruppe", status=ListingStatus.PENDING
    )
    make_user(db_session, "frivillig@example.org", (Role.VOLUNTEER, {"organization": org.id}))
    make_user(
        db_session, "koord@example.org", (Role.COORDINATOR, {"municipality": EMPTY_MUNICIPALITY})
    )
    assert log_in(client, "koord@example.org") == 302
    url = f"/nb/review/{listing.id}"
    page = client.post(
        url, data={"csrf_token": csrf_token(client, url), "action": "changes", "message": ""}
    ).get_data(as_text=True)
    assert "Skriv hva som må endres." in page
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "action": "changes",
            "message": "Skriv klokkeslett.",
        },
    )
    assert response.status_code == 302
    db_session.refresh(listing)
    assert listing.status is ListingStatus.DRAFT
    mail = db_session.scalars(
        select(OutgoingMail).where(OutgoingMail.recipient == "frivillig@example.org")
    ).one()
    assert "trenger endringer" in mail.subject
    assert "Skriv klokkeslett." in mail.body
    client.post("/nb/account/logout", data={"csrf_token": csrf_token(client, "/nb/account/")})
    assert log_in(client, "frivillig@example.org") == 302
    mine = client.get("/nb/account/").get_data(as_text=True)
    assert "Skriv klokkeslett." in mine


def test_an_invitation_makes_a_registered_user_a_member(
    client: FlaskClient, db_session: Session, org: Organization
) -> None:
    make_user(db_session, "leder@example.org", (Role.ORGANIZATION_EDITOR, {"organization": org.id}))
    assert log_in(client, "leder@example.org") == 302
    url = f"/nb/account/organizations/{org.id}/members"
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), "email": "Ny@Example.org"}
    )
    assert response.status_code == 302
    mail = db_session.scalars(
        select(OutgoingMail).where(OutgoingMail.recipient == "ny@example.org")
    ).one()
    link = re.search(r"http://localhost(/nb/account/join/\S+)", mail.body)
    assert link
    client.post("/nb/account/logout", data={"csrf_token": csrf_token(client, "/nb/account/")})
    create_user(db_session, "ny@example.org", PASSWORD, confirmed=True)
    assert log_in(client, "ny@example.org") == 302
    page = client.get(link.group(1)).get_data(as_text=True)
    assert "Bli med i Kautokeino frivilligsentral" in page
    response = client.post(link.group(1), data={"csrf_token": csrf_token(client, link.group(1))})
    assert response.status_code == 302
    user = db_session.scalars(select(User).where(User.email == "ny@example.org")).one()
    assert [(g.role, g.organization_id) for g in user.grants] == [(Role.VOLUNTEER, org.id)]
    assert "Nytt tilbud" in client.get("/nb/account/").get_data(as_text=True)


def test_an_organization_editor_edits_the_profile_and_only_web_links_are_taken(
    client: FlaskClient, db_session: Session, org: Organization
) -> None:
    make_user(db_session, "leder@example.org", (Role.ORGANIZATION_EDITOR, {"organization": org.id}))
    make_user(db_session, "frivillig@example.org", (Role.VOLUNTEER, {"organization": org.id}))
    assert log_in(client, "leder@example.org") == 302
    url = f"/nb/account/organizations/{org.id}/edit"
    data = {"csrf_token": csrf_token(client, url), "name": "Frivilligsentralen"}
    page = client.post(url, data={**data, "website": "javascript:alert(1)"}).get_data(as_text=True)
    assert "Skriv en nettadresse som begynner med https://" in page
    db_session.refresh(org)
    assert org.website == ""
    assert org.name == "Kautokeino frivilligsentral"
    response = client.post(url, data={**data, "website": "https://frivillig.example/"})
    assert response.status_code == 302
    db_session.refresh(org)
    assert (org.name, org.website) == ("Frivilligsentralen", "https://frivillig.example/")
    client.post("/nb/account/logout", data={"csrf_token": csrf_token(client, "/nb/account/")})
    assert log_in(client, "frivillig@example.org") == 302
    assert client.get(url).status_code == 404  # volunteers post, editors manage


def test_restoring_a_version_keeps_what_the_form_does_not_show(
    app: Flask, db_session: Session, org: Organization
) -> None:
    from directory.moderation import services as moderation
    from tests.factories import weekly

    festival = weekly("FR", "10:00", "16:00", timezone="Europe/Oslo", span_days=2)
    festival.exdates = ["2026-01-09"]
    listing = make_listing(db_session, organization=org, title="Festival", schedules=[festival])
    with app.test_request_context():
        first = moderation.record_revision(db_session, listing)
        listing.title = "Festival (feil)"
        listing.schedules[0].span_days = 0
        moderation.save(db_session, listing)
        assert first is not None
        moderation.restore(db_session, listing, first, None)
    db_session.refresh(listing)
    [schedule] = listing.schedules
    assert (listing.title, schedule.span_days, schedule.exdates) == ("Festival", 2, ["2026-01-09"])
