"""Public problem reports: no account, a honeypot and a rate limit; the coordinator's
queue gets them, the organization is told."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.accounts.models import OutgoingMail, Role
from directory.accounts.permissions import coordinated_municipalities
from directory.extensions import limiter
from directory.listings.models import Listing, ListingStatus
from directory.moderation.models import ProblemReport, ReportReason
from directory.moderation.reports import open_reports, report_problem, resolve_report
from tests.accounts.helpers import csrf_token, make_user
from tests.factories import EMPTY_MUNICIPALITY, make_listing, make_organization

BERGEN = "4601"


def _url(listing: Listing) -> str:
    return f"/nb/report/{listing.kind.value}/{listing.id}"


def _reports_on(session: Session, listing: Listing) -> list[ProblemReport]:
    stmt = select(ProblemReport).where(ProblemReport.listing_id == listing.id)
    return list(session.scalars(stmt))


def _mails_to(session: Session, address: str) -> list[OutgoingMail]:
    return list(session.scalars(select(OutgoingMail).where(OutgoingMail.recipient == address)))


def _post(client: FlaskClient, listing: Listing, **data: Any) -> Any:
    token = csrf_token(client, _url(listing))
    return client.post(_url(listing), data={"csrf_token": token, **data})


def _listing(session: Session, **fields: Any) -> Listing:
    organization = make_organization(session, email="styret@kafe.example.org")
    return make_listing(
        session, organization=organization, title="Språkkafé på biblioteket", **fields
    )


def test_the_form_is_on_the_page_with_the_contacts_and_a_hidden_honeypot(
    client: FlaskClient, db_session: Session
) -> None:
    listing = _listing(db_session, contact_phone="+4791234567")
    page = client.get(_url(listing)).get_data(as_text=True)
    assert "<legend>Hva er feil?</legend>" in page
    for label in ("Tiden er feil", "Tilbudet er slutt", "Stedet er feil", "Noe annet"):
        assert label in page
    assert 'name="csrf_token"' in page
    assert '<div class="hp" aria-hidden="true">' in page
    assert "Ikke fyll ut dette feltet" in page
    found = re.search(r'<input[^>]*name="website"[^>]*>', page)
    assert found
    honeypot = found.group(0)
    assert 'tabindex="-1"' in honeypot
    assert 'autocomplete="off"' in honeypot
    assert listing.organization.name in page  # the organizer's contacts stay


def test_a_report_reaches_the_coordinator_and_the_organization(
    client: FlaskClient, db_session: Session
) -> None:
    limiter.reset()
    listing = _listing(db_session)
    response = _post(client, listing, reason="closed", message="  Det er stengt i sommer.  ")
    assert response.status_code == 200
    assert "Takk for at du sa fra" in response.get_data(as_text=True)

    [stored] = _reports_on(db_session, listing)
    assert stored.reason is ReportReason.CLOSED
    assert stored.message == "Det er stengt i sommer."
    assert stored.resolved_at is None

    queue = open_reports(db_session, {EMPTY_MUNICIPALITY})
    assert stored.id in [r.id for r in queue]
    assert next(r for r in queue if r.id == stored.id).listing.title == listing.title

    coordinator = make_user(
        db_session, "k@bergen.example.org", (Role.COORDINATOR, {"municipality": BERGEN})
    )
    elsewhere = open_reports(db_session, coordinated_municipalities(coordinator))
    assert stored.id not in [r.id for r in elsewhere]

    [mail] = _mails_to(db_session, "styret@kafe.example.org")
    assert "Språkkafé på biblioteket" in mail.subject
    assert "Tilbudet er slutt" in mail.body
    assert "Det er stengt i sommer." in mail.body
    assert "Koordinatoren i kommunen ser også meldingen" in mail.body
    assert f"/nb/offer/{listing.id}/" in mail.body


def test_members_of_the_organization_are_told_instead_of_its_address(
    app: Any, db_session: Session
) -> None:
    listing = _listing(db_session)
    make_user(
        db_session,
        "frivillig@kafe.example.org",
        (Role.VOLUNTEER, {"organization": listing.organization_id}),
    )
    with app.test_request_context("/nb/"):
        report_problem(db_session, listing, ReportReason.WRONG_TIME, "x" * 1500)
    [stored] = _reports_on(db_session, listing)
    assert len(stored.message) == 1000
    assert len(_mails_to(db_session, "frivillig@kafe.example.org")) == 1
    assert _mails_to(db_session, "styret@kafe.example.org") == []


def test_a_filled_honeypot_looks_like_success_and_keeps_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    limiter.reset()
    listing = _listing(db_session)
    mails_before = db_session.scalar(select(func.count()).select_from(OutgoingMail))
    response = _post(client, listing, reason="other", message="Kjøp billig", website="http://x")
    assert response.status_code == 200
    assert "Takk for at du sa fra" in response.get_data(as_text=True)
    assert _reports_on(db_session, listing) == []
    assert db_session.scalar(select(func.count()).select_from(OutgoingMail)) == mails_before


def test_a_missing_reason_is_an_error_and_keeps_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    limiter.reset()
    listing = _listing(db_session)
    response = _post(client, listing, message="Noe er galt")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Velg hva som er feil." in page
    assert 'aria-describedby="reason-help"' in page
    assert "Noe er galt</textarea>" in page  # what they wrote is kept
    assert _reports_on(db_session, listing) == []
    unknown = _post(client, listing, reason="spam")
    assert unknown.status_code == 400
    assert _reports_on(db_session, listing) == []


def test_a_too_long_message_is_an_error(client: FlaskClient, db_session: Session) -> None:
    limiter.reset()
    listing = _listing(db_session)
    response = _post(client, listing, reason="other", message="x" * 1001)
    assert response.status_code == 400
    assert "Teksten er for lang." in response.get_data(as_text=True)
    assert _reports_on(db_session, listing) == []


def test_a_hostile_message_is_kept_as_text_and_shown_escaped(
    client: FlaskClient, db_session: Session
) -> None:
    limiter.reset()
    listing = _listing(db_session)
    hostile = "<script>alert(1)</script>"
    response = _post(client, listing, reason="wrong_place", message=hostile)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert hostile not in page
    [stored] = _reports_on(db_session, listing)
    assert stored.message == hostile


def test_the_sixth_report_within_the_hour_is_refused(
    client: FlaskClient, db_session: Session
) -> None:
    limiter.reset()
    listing = _listing(db_session)
    for _ in range(5):
        assert _post(client, listing, reason="wrong_time").status_code == 200
    assert _post(client, listing, reason="wrong_time").status_code == 429
    assert len(_reports_on(db_session, listing)) == 5
    assert client.get(_url(listing)).status_code == 200  # reading the page is not limited
    limiter.reset()


def test_a_resolved_report_leaves_the_queue(app: Any, db_session: Session) -> None:
    listing = _listing(db_session)
    coordinator = make_user(
        db_session, "k@example.org", (Role.COORDINATOR, {"municipality": EMPTY_MUNICIPALITY})
    )
    with app.test_request_context("/nb/"):
        report = report_problem(db_session, listing, ReportReason.OTHER, "")
    assert report.id in [r.id for r in open_reports(db_session, {EMPTY_MUNICIPALITY})]
    resolve_report(db_session, report, coordinator)
    assert report.resolved_at is not None
    assert report.resolved_by_id == coordinator.id
    assert report.id not in [r.id for r in open_reports(db_session, None)]


def test_only_public_listings_can_be_reported(client: FlaskClient, db_session: Session) -> None:
    limiter.reset()
    draft = _listing(db_session, status=ListingStatus.DRAFT)
    assert client.get(_url(draft)).status_code == 404
    token = csrf_token(client, _url(_listing(db_session)))
    response = client.post(_url(draft), data={"csrf_token": token, "reason": "closed"})
    assert response.status_code == 404
    assert _reports_on(db_session, draft) == []
    assert client.get(f"/nb/report/event/{draft.id}").status_code == 404
