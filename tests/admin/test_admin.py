"""The back office: scoped by municipality in every view, CSRF on every form and action,
escaped values, and pages that run under the site's CSP without inline scripts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.accounts.models import Role, RoleGrant, User
from directory.extensions import limiter
from directory.listings.models import Listing, ListingStatus
from directory.moderation.models import ProblemReport, ReportReason, StatusChange
from directory.organizations.models import Organization, OrganizationKind
from directory.places.models import Municipality
from directory.web import CONTENT_SECURITY_POLICY
from tests.accounts.helpers import csrf_token, log_in, make_user
from tests.factories import EMPTY_MUNICIPALITY, make_listing, make_organization

OSLO = "0301"
COORDINATOR = "koordinator@example.org"
ADMINISTRATOR = "admin@example.org"
LONG_AGO = dt.datetime(2020, 1, 6, 12, tzinfo=dt.UTC)


@dataclass
class World:
    """What each test starts from: a Kautokeino coordinator, an administrator, and
    listings, an organization and reports on both sides of the municipality line."""

    coordinator: User
    mine: Listing
    published: Listing
    stale: Listing
    oslo_draft: Listing
    oslo_pending: Listing
    my_report: ProblemReport
    oslo_report: ProblemReport


def _report(session: Session, listing: Listing, message: str) -> ProblemReport:
    report = ProblemReport(listing_id=listing.id, reason=ReportReason.WRONG_TIME, message=message)
    session.add(report)
    session.flush()
    return report


@pytest.fixture
def world(db_session: Session) -> World:
    limiter.reset()
    coordinator = make_user(
        db_session, COORDINATOR, (Role.COORDINATOR, {"municipality": EMPTY_MUNICIPALITY})
    )
    make_user(db_session, ADMINISTRATOR, (Role.ADMINISTRATOR, {}))
    mine = make_listing(db_session, title="Leksehjelp i Kautokeino", status=ListingStatus.PENDING)
    oslo_draft = make_listing(
        db_session, municipality=OSLO, title="Utkast fra Oslo", status=ListingStatus.DRAFT
    )
    oslo_pending = make_listing(
        db_session, municipality=OSLO, title="Venter i Oslo", status=ListingStatus.PENDING
    )
    return World(
        coordinator=coordinator,
        mine=mine,
        published=make_listing(db_session, title="Språkkafé i Kautokeino"),
        stale=make_listing(
            db_session, title="Gammel strikkekafé", verified_at=LONG_AGO, created_at=LONG_AGO
        ),
        oslo_draft=oslo_draft,
        oslo_pending=oslo_pending,
        my_report=_report(db_session, mine, "Det er flyttet til onsdag"),
        oslo_report=_report(db_session, oslo_pending, "Feil i Oslo"),
    )


def _text(client: FlaskClient, url: str) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _act(client: FlaskClient, view: str, action: str, ids: list[Any], csrf: str | None = "") -> Any:
    """Post a bulk action the way the list page's form does."""
    data: dict[str, Any] = {
        "action": action,
        "rowid": [str(i) for i in ids],
        "url": f"/admin/{view}/",
    }
    if csrf is not None:  # None: no token at all; "": the one on the list page
        data["csrf_token"] = csrf or csrf_token(client, f"/admin/{view}/")
    return client.post(f"/admin/{view}/action/", data=data)


def _changes(session: Session, listing: Listing) -> list[StatusChange]:
    stmt = select(StatusChange).where(StatusChange.listing_id == listing.id)
    return list(session.scalars(stmt))


# -- scope -------------------------------------------------------------------------------


def test_the_coordinator_lists_only_their_municipality(client: FlaskClient, world: World) -> None:
    assert log_in(client, COORDINATOR) == 302
    page = _text(client, "/admin/listing/")
    assert "Leksehjelp i Kautokeino" in page
    assert "Språkkafé i Kautokeino" in page
    assert "Utkast fra Oslo" not in page
    assert "Venter i Oslo" not in page
    # Neither a search nor a filter on another municipality reaches past the scope.
    assert "Oslo" not in _text(client, "/admin/listing/?search=Oslo").split("<tbody>")[1]
    assert "Venter i Oslo" not in _text(client, f"/admin/listing/?flt0_1={OSLO}")


def test_search_and_filters_work_with_a_plain_get(client: FlaskClient, world: World) -> None:
    assert log_in(client, COORDINATOR) == 302
    pending = _text(client, "/admin/listing/?flt0_0=pending&flt1_1=&flt2_2=")
    assert "Leksehjelp i Kautokeino" in pending
    assert "Språkkafé i Kautokeino" not in pending
    assert '<option value="pending" selected>' in pending
    found = _text(client, "/admin/listing/?search=Leksehjelp")
    assert "Leksehjelp i Kautokeino" in found
    assert "Språkkafé i Kautokeino" not in found
    by_organization = _text(client, f"/admin/listing/?flt2_2={world.mine.organization.name}")
    assert "Leksehjelp i Kautokeino" in by_organization
    assert "Språkkafé i Kautokeino" not in by_organization


@pytest.mark.parametrize("query", ["flt0_0=bogus", "flt1_1=abcd", "flt0_0=&flt1_1=9%C2%B2"])
def test_invalid_filter_values_are_ignored(client: FlaskClient, world: World, query: str) -> None:
    assert log_in(client, COORDINATOR) == 302
    page = _text(client, f"/admin/listing/?{query}")
    assert "Leksehjelp i Kautokeino" in page
    assert "Språkkafé i Kautokeino" in page


def test_a_text_filter_value_is_escaped_when_shown_again(client: FlaskClient, world: World) -> None:
    assert log_in(client, COORDINATOR) == 302
    page = _text(client, "/admin/listing/?flt2_2=<script>x</script>")
    assert "<script>x" not in page
    assert 'value="&lt;script&gt;x&lt;/script&gt;"' in page


def test_records_outside_scope_are_not_found_in_any_view(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    oslo = world.oslo_draft
    for url in (
        f"/admin/listing/details/?id={oslo.id}",
        f"/admin/listing/edit/?id={oslo.id}",
        f"/admin/organization/edit/?id={oslo.organization_id}",
        f"/admin/report/details/?id={world.oslo_report.id}",
        f"/admin/report/details/?id={world.my_report.id}x",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Utkast fra Oslo" not in response.get_data(as_text=True), url
    export = client.get("/admin/listing/export/csv/")
    assert export.status_code == 302
    assert "Utkast fra Oslo" not in _text(client, export.headers["Location"])
    assert client.get("/admin/listing/ajax/lookup/?name=organization&query=a").status_code == 404
    token = csrf_token(client, "/admin/listing/")
    update = {"csrf_token": token, "list_form_pk": str(oslo.id), "title": "Kapret"}
    assert client.post("/admin/listing/ajax/update/", data=update).status_code == 404
    # Nor can the coordinator save another municipality's organization.
    name = oslo.organization.name
    edit = {"csrf_token": token, "name": "Kapret", "email": "", "phone": "", "website": ""}
    client.post(f"/admin/organization/edit/?id={oslo.organization_id}", data=edit)
    assert db_session.get(Organization, oslo.organization_id).name == name


def test_my_details_page_shows_the_listing_and_links_to_the_review(
    client: FlaskClient, world: World
) -> None:
    assert log_in(client, COORDINATOR) == 302
    page = _text(client, f"/admin/listing/details/?id={world.mine.id}")
    assert "Leksehjelp i Kautokeino" in page
    assert "Venter på godkjenning" in page
    assert f'href="/nb/review/{world.mine.id}"' in page


# -- bulk actions ------------------------------------------------------------------------


def test_bulk_approve_publishes_and_records_the_status_change(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    response = _act(client, "listing", "approve", [world.mine.id])
    assert response.status_code == 302
    assert db_session.get(Listing, world.mine.id).status is ListingStatus.PUBLISHED
    [change] = _changes(db_session, world.mine)
    assert (change.from_status, change.to_status) == (
        ListingStatus.PENDING,
        ListingStatus.PUBLISHED,
    )
    assert change.user_id == world.coordinator.id
    assert "1 oppføring er endret." in _text(client, "/admin/listing/")


def test_bulk_action_without_csrf_token_is_refused(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    assert _act(client, "listing", "approve", [world.mine.id], csrf=None).status_code == 400
    bad = _act(client, "listing", "approve", [world.mine.id], csrf="forged")
    assert bad.status_code == 400
    assert db_session.get(Listing, world.mine.id).status is ListingStatus.PENDING
    assert _changes(db_session, world.mine) == []


def test_ids_outside_scope_in_an_action_change_nothing(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    oslo = [world.oslo_pending.id, world.oslo_draft.id]
    for action in ("approve", "archive", "verify"):
        assert _act(client, "listing", action, [*oslo, 999999999, "x"]).status_code == 302
    assert db_session.get(Listing, world.oslo_pending.id).status is ListingStatus.PENDING
    assert db_session.get(Listing, world.oslo_draft.id).status is ListingStatus.DRAFT
    assert db_session.get(Listing, world.oslo_pending.id).verified_at is None
    assert _changes(db_session, world.oslo_pending) == []
    assert "0 oppføringer er endret." in _text(client, "/admin/listing/")


def test_listings_that_do_not_fit_the_action_are_skipped_and_counted(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    _act(client, "listing", "approve", [world.mine.id, world.published.id])
    page = _text(client, "/admin/listing/")
    assert "1 oppføring er endret." in page
    assert "1 oppføring ble hoppet over fordi statusen ikke passet." in page
    _act(client, "listing", "verify", [world.stale.id])
    verified = db_session.get(Listing, world.stale.id).verified_at
    assert verified is not None
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones.
    assert (verified if verified.tzinfo else verified.replace(tzinfo=dt.UTC)) > LONG_AGO
    _act(client, "listing", "archive", [world.published.id])
    assert db_session.get(Listing, world.published.id).status is ListingStatus.ARCHIVED


def test_resolving_reports_stays_in_scope(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    page = _text(client, "/admin/report/")
    assert "Det er flyttet til onsdag" in page
    assert "Tiden er feil" in page
    assert "Feil i Oslo" not in page
    _act(client, "report", "resolve", [world.my_report.id, world.oslo_report.id])
    mine = db_session.get(ProblemReport, world.my_report.id)
    assert mine.resolved_at is not None
    assert mine.resolved_by_id == world.coordinator.id
    assert db_session.get(ProblemReport, world.oslo_report.id).resolved_at is None
    assert "Det er flyttet til onsdag" not in _text(client, "/admin/report/")


# -- forms -------------------------------------------------------------------------------


def test_the_coordinator_edits_their_organization_with_a_token(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    url = f"/admin/organization/edit/?id={world.mine.organization_id}"
    form = {
        "name": "Biblioteket",
        "email": "post@bibliotek.example.org",
        "phone": "",
        "website": "",
        "trusted": "y",
    }
    assert client.post(url, data=form).status_code == 400  # no token
    assert client.post(url, data={**form, "csrf_token": csrf_token(client, url)}).status_code == 302
    organization = db_session.get(Organization, world.mine.organization_id)
    assert (organization.name, organization.trusted) == ("Biblioteket", True)
    # Creating organizations is for administrators.
    assert client.get("/admin/organization/new/").status_code == 302
    assert "/admin/organization/new/" not in _text(client, "/admin/organization/")


def test_the_administrator_creates_an_organization_and_a_grant(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, ADMINISTRATOR) == 302
    url = "/admin/organization/new/"
    form = {
        "csrf_token": csrf_token(client, url),
        "name": "Nytt lag",
        "kind": "ngo",
        "municipality_number": EMPTY_MUNICIPALITY,
        "email": "",
        "phone": "",
        "website": "",
    }
    assert client.post(url, data=form).status_code == 302
    created = db_session.scalars(select(Organization).where(Organization.name == "Nytt lag")).one()
    assert (created.municipality_number, created.kind) == (EMPTY_MUNICIPALITY, OrganizationKind.NGO)
    url = "/admin/grant/new/"
    form = {"csrf_token": csrf_token(client, url), "email": "ny@example.org", "role": "coordinator"}
    make_user(db_session, "ny@example.org")
    assert client.post(url, data={**form, "municipality": OSLO}).status_code == 302
    grants = db_session.scalars(select(RoleGrant).join(User).where(User.email == "ny@example.org"))
    assert [(g.role, g.municipality_number) for g in grants] == [(Role.COORDINATOR, OSLO)]


def test_municipality_name_stays_as_it_is(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, ADMINISTRATOR) == 302
    url = f"/admin/municipality/edit/?id={EMPTY_MUNICIPALITY}"
    page = _text(client, url)
    assert 'name="name"' not in page
    form = {"csrf_token": csrf_token(client, url), "freshness_days": "30", "name": "Kapret"}
    assert client.post(url, data=form).status_code == 302
    municipality = db_session.get(Municipality, EMPTY_MUNICIPALITY)
    assert (municipality.name, municipality.freshness_days) == ("Kautokeino", 30)


def test_users_are_shown_without_password_hashes(client: FlaskClient, world: World) -> None:
    assert log_in(client, ADMINISTRATOR) == 302
    for url in ("/admin/user/", f"/admin/user/edit/?id={world.coordinator.id}"):
        page = _text(client, url)
        assert COORDINATOR in page
        assert world.coordinator.password_hash not in page
        assert "password" not in page
        assert world.coordinator.totp_secret not in page


# -- who gets in -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/user/",
        "/admin/grant/",
        "/admin/grant/new/",
        "/admin/municipality/",
        f"/admin/municipality/edit/?id={EMPTY_MUNICIPALITY}",
        "/admin/category/",
    ],
)
def test_only_administrators_open_the_administration_views(
    client: FlaskClient, world: World, url: str
) -> None:
    assert log_in(client, COORDINATOR) == 302
    assert client.get(url).status_code == 404
    client.post("/nb/account/logout", data={"csrf_token": csrf_token(client, "/nb/account/")})
    assert log_in(client, ADMINISTRATOR) == 302
    assert client.get(url).status_code == 200


def test_the_coordinators_menu_has_only_their_views(client: FlaskClient, world: World) -> None:
    assert log_in(client, COORDINATOR) == 302
    page = _text(client, "/admin/")
    for url in ("/admin/listing/", "/admin/report/", "/admin/organization/"):
        assert f'href="{url}"' in page
    for url in ("/admin/user/", "/admin/grant/", "/admin/municipality/", "/admin/category/"):
        assert f'href="{url}"' not in page


def test_a_coordinator_without_two_step_login_has_no_back_office(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    world.coordinator.totp_secret, world.coordinator.totp_enabled_at = None, None
    db_session.flush()
    assert log_in(client, COORDINATOR) == 302
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/listing/").status_code == 404
    assert client.get(f"/admin/listing/details/?id={world.mine.id}").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient, world: World) -> None:
    response = client.get("/admin/listing/")
    assert response.status_code == 302
    assert "/nb/account/login" in response.headers["Location"]


# -- dashboard ---------------------------------------------------------------------------


def test_the_dashboard_counts_in_scope(client: FlaskClient, world: World) -> None:
    assert log_in(client, COORDINATOR) == 302
    page = _text(client, "/admin/")
    assert "Venter på godkjenning: 1" in page
    assert 'href="/nb/review/"' in page
    assert "Leksehjelp i Kautokeino" in page
    assert "Ikke bekreftet på 180 dager: 1" in page
    assert "Gammel strikkekafé" in page
    assert "Meldinger om feil: 1" in page
    assert "Venter i Oslo" not in page


# -- escaping and CSP --------------------------------------------------------------------


class _Inline(HTMLParser):
    """Inline scripts, event handlers, javascript: URLs and style attributes in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and not named.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.found.append(f"{tag} {name}={value}")


def _inline(page: str) -> list[str]:
    parser = _Inline()
    parser.feed(page)
    return parser.found


def test_markup_in_titles_and_names_is_escaped(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    organization = make_organization(db_session, name="<img src=x onerror=alert(1)>")
    listing = make_listing(
        db_session,
        organization=organization,
        title='<script>alert("x")</script>',
        status=ListingStatus.PENDING,
    )
    assert log_in(client, COORDINATOR) == 302
    for url in (
        "/admin/",
        "/admin/listing/",
        f"/admin/listing/details/?id={listing.id}",
        "/admin/organization/",
        f"/admin/organization/edit/?id={organization.id}",
    ):
        page = _text(client, url)
        assert '<script>alert("x")' not in page, url
        assert "<img src=x" not in page, url
        assert _inline(page) == [], url
    page = _text(client, "/admin/listing/")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_checker_finds_inline_scripts_and_handlers() -> None:
    page = '<script>x()</script><a href="javascript:void(0)" onclick="y()">a</a><p style="">'
    assert len(_inline(page)) == 4
    assert _inline('<script src="/a.js"></script><p>onclick=x</p>') == []


@pytest.mark.parametrize("who", [COORDINATOR, ADMINISTRATOR])
def test_admin_pages_carry_the_csp_and_no_inline_script(
    client: FlaskClient, world: World, who: str
) -> None:
    assert log_in(client, who) == 302
    urls = [
        "/admin/",
        "/admin/listing/",
        f"/admin/listing/details/?id={world.mine.id}",
        "/admin/organization/",
        f"/admin/organization/edit/?id={world.mine.organization_id}",
        "/admin/report/",
        f"/admin/report/details/?id={world.my_report.id}",
    ]
    if who == ADMINISTRATOR:
        urls += [
            "/admin/organization/new/",
            "/admin/user/",
            f"/admin/user/edit/?id={world.coordinator.id}",
            "/admin/grant/",
            "/admin/grant/new/",
            "/admin/municipality/",
            f"/admin/municipality/edit/?id={EMPTY_MUNICIPALITY}",
            "/admin/category/",
            "/admin/category/new/",
        ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
        page = response.get_data(as_text=True)
        assert _inline(page) == [], url
        if "<form" in page and 'method="post"' in page.lower():
            assert 'name="csrf_token"' in page, url


def test_a_grant_is_taken_back_with_a_token(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, ADMINISTRATOR) == 302
    [grant] = world.coordinator.grants
    page = _text(client, "/admin/grant/")
    assert 'action="/admin/grant/delete/"' in page
    form = {"id": str(grant.id), "url": "/admin/grant/"}
    assert client.post("/admin/grant/delete/", data=form).status_code == 400
    token = csrf_token(client, "/admin/grant/")
    assert (
        client.post("/admin/grant/delete/", data={**form, "csrf_token": token}).status_code == 302
    )
    assert db_session.get(RoleGrant, grant.id) is None
