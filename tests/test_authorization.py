"""Every route × every role: who may open what, and every POST needs a CSRF token.

A route added without an entry in MATRIX fails `test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
CURATING = frozenset({"coordinator", "administrator"})
POSTING = frozenset({"volunteer", "coordinator", "administrator"})
ADMIN = frozenset({"administrator"})
# POST-only routes: where the CSRF test posts.
POST_URLS: dict[str, Callable[[dict[str, Any]], str]] = {
    "contribute.set_status": lambda d: f"/nb/account/listings/{d['offer']}/status",
    "contribute.restore": lambda d: f"/nb/account/listings/{d['offer']}/restore/1",
}

Case = tuple[str, frozenset[str]]  # (URL, roles that get in)
# endpoint → function of the test's data giving the URLs to try and who may open them.
MATRIX: dict[str, Callable[[dict[str, Any]], list[Case]]] = {
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
    "contribute.set_status": lambda d: [],  # POST only
    "contribute.restore": lambda d: [],  # POST only
    "contribute.new": lambda d: [
        (f"/nb/account/listings/new/offer?organization={d['organization']}", POSTING),
        (f"/nb/account/listings/new/event?organization={d['bergen_org']}", ADMIN),
        ("/nb/account/listings/new/offer?organization=x", frozenset()),
    ],
    "contribute.edit": lambda d: [
        (f"/nb/account/listings/{d['offer']}/edit", POSTING),
        (f"/nb/account/listings/{d['bergen']}/edit", ADMIN),  # another municipality
    ],
    "contribute.review_queue": lambda d: [("/nb/review/", CURATING)],
    "contribute.review": lambda d: [
        (f"/nb/review/{d['offer']}", CURATING),
        (f"/nb/review/{d['bergen']}", ADMIN),
    ],
    "contribute.history": lambda d: [
        (f"/nb/account/listings/{d['offer']}/history", CURATING),
        (f"/nb/account/listings/{d['bergen']}/history", ADMIN),
    ],
    "contribute.members": lambda d: [
        (f"/nb/account/organizations/{d['organization']}/members", CURATING),
        (f"/nb/account/organizations/{d['bergen_org']}/members", ADMIN),
    ],
    "contribute.edit_organization": lambda d: [
        (f"/nb/account/organizations/{d['organization']}/edit", CURATING),
        (f"/nb/account/organizations/{d['bergen_org']}/edit", ADMIN),
    ],
    "contribute.accept_invite": lambda d: [("/nb/account/join/bad", frozenset())],
    "freshness.answer": lambda d: [
        ("/nb/still-running/not-a-valid-token", frozenset()),  # a bad token: 404 for all
        (f"/nb/still-running/{d['freshness_token']}", EVERYONE),  # no login needed
    ],
    "accounts.index": lambda d: [("/nb/account/", SIGNED_IN)],
    # Without a password step just done, the code page sends everyone back to log in.
    "accounts.second_step": lambda d: [("/nb/account/login/code", frozenset())],
    "accounts.two_step": lambda d: [("/nb/account/two-step", SIGNED_IN)],
    "translations.index": lambda d: [("/nb/translate/", TRANSLATING)],
    "admin.index": lambda d: [("/admin/", frozenset({"coordinator", "administrator"}))],
    "listing.index_view": lambda d: [("/admin/listing/", CURATING)],
    "listing.details_view": lambda d: [
        (f"/admin/listing/details/?id={d['offer']}", CURATING),
        (f"/admin/listing/details/?id={d['bergen']}", ADMIN),  # another municipality
    ],
    "listing.edit_view": lambda d: [  # no editing here: a redirect to the list
        (f"/admin/listing/edit/?id={d['offer']}", CURATING),
        (f"/admin/listing/edit/?id={d['bergen']}", ADMIN),
    ],
    "listing.create_view": lambda d: [("/admin/listing/new/", CURATING)],  # redirect
    "listing.delete_view": lambda d: [],  # POST only (switched off)
    "listing.action_view": lambda d: [],  # POST only: approve, archive, verify
    "listing.export": lambda d: [("/admin/listing/export/csv/", CURATING)],  # off: redirect
    "listing.ajax_lookup": lambda d: [("/admin/listing/ajax/lookup/?name=x", frozenset())],
    "listing.ajax_update": lambda d: [],  # POST only
    "organization.index_view": lambda d: [("/admin/organization/", CURATING)],
    "organization.details_view": lambda d: [
        (f"/admin/organization/details/?id={d['organization']}", CURATING),
        (f"/admin/organization/details/?id={d['bergen_org']}", ADMIN),
    ],
    "organization.edit_view": lambda d: [
        (f"/admin/organization/edit/?id={d['organization']}", CURATING),
        (f"/admin/organization/edit/?id={d['bergen_org']}", ADMIN),
    ],
    "organization.create_view": lambda d: [("/admin/organization/new/", CURATING)],
    "organization.delete_view": lambda d: [],  # POST only
    "organization.action_view": lambda d: [],  # POST only
    "organization.export": lambda d: [("/admin/organization/export/csv/", CURATING)],
    "organization.ajax_lookup": lambda d: [
        ("/admin/organization/ajax/lookup/?name=x", frozenset())
    ],
    "organization.ajax_update": lambda d: [],  # POST only
    "report.index_view": lambda d: [("/admin/report/", CURATING)],
    "report.details_view": lambda d: [
        (f"/admin/report/details/?id={d['report']}", CURATING),
        (f"/admin/report/details/?id={d['bergen_report']}", ADMIN),
    ],
    "report.edit_view": lambda d: [
        (f"/admin/report/edit/?id={d['report']}", CURATING),  # no editing: redirect
        (f"/admin/report/edit/?id={d['bergen_report']}", ADMIN),
    ],
    "report.create_view": lambda d: [("/admin/report/new/", CURATING)],  # redirect
    "report.delete_view": lambda d: [],  # POST only
    "report.action_view": lambda d: [],  # POST only: resolve
    "report.export": lambda d: [("/admin/report/export/csv/", CURATING)],
    "report.ajax_lookup": lambda d: [("/admin/report/ajax/lookup/?name=x", frozenset())],
    "report.ajax_update": lambda d: [],  # POST only
    "user.index_view": lambda d: [("/admin/user/", ADMIN)],
    "user.details_view": lambda d: [("/admin/user/details/", ADMIN)],
    "user.edit_view": lambda d: [("/admin/user/edit/", ADMIN)],
    "user.create_view": lambda d: [("/admin/user/new/", ADMIN)],
    "user.delete_view": lambda d: [],  # POST only
    "user.action_view": lambda d: [],  # POST only
    "user.export": lambda d: [("/admin/user/export/csv/", ADMIN)],
    "user.ajax_lookup": lambda d: [("/admin/user/ajax/lookup/?name=x", frozenset())],
    "user.ajax_update": lambda d: [],  # POST only
    "grant.index_view": lambda d: [("/admin/grant/", ADMIN)],
    "grant.details_view": lambda d: [("/admin/grant/details/", ADMIN)],
    "grant.edit_view": lambda d: [("/admin/grant/edit/", ADMIN)],
    "grant.create_view": lambda d: [("/admin/grant/new/", ADMIN)],
    "grant.delete_view": lambda d: [],  # POST only: take a grant back
    "grant.action_view": lambda d: [],  # POST only
    "grant.export": lambda d: [("/admin/grant/export/csv/", ADMIN)],
    "grant.ajax_lookup": lambda d: [("/admin/grant/ajax/lookup/?name=x", frozenset())],
    "grant.ajax_update": lambda d: [],  # POST only
    "municipality.index_view": lambda d: [("/admin/municipality/", ADMIN)],
    "municipality.details_view": lambda d: [
        (f"/admin/municipality/details/?id={EMPTY_MUNICIPALITY}", ADMIN)
    ],
    "municipality.edit_view": lambda d: [
        (f"/admin/municipality/edit/?id={EMPTY_MUNICIPALITY}", ADMIN)
    ],
    "municipality.create_view": lambda d: [("/admin/municipality/new/", ADMIN)],
    "municipality.delete_view": lambda d: [],  # POST only
    "municipality.action_view": lambda d: [],  # POST only
    "municipality.export": lambda d: [("/admin/municipality/export/csv/", ADMIN)],
    "municipality.ajax_lookup": lambda d: [
        ("/admin/municipality/ajax/lookup/?name=x", frozenset())
    ],
    "municipality.ajax_update": lambda d: [],  # POST only
    "category.index_view": lambda d: [("/admin/category/", ADMIN)],
    "category.details_view": lambda d: [("/admin/category/details/", ADMIN)],
    "category.edit_view": lambda d: [("/admin/category/edit/", ADMIN)],
    "category.create_view": lambda d: [("/admin/category/new/", ADMIN)],
    "category.delete_view": lambda d: [],  # POST only
    "category.action_view": lambda d: [],  # POST only
    "category.export": lambda d: [("/admin/category/export/csv/", ADMIN)],
    "category.ajax_lookup": lambda d: [("/admin/category/ajax/lookup/?name=x", frozenset())],
    "category.ajax_update": lambda d: [],  # POST only
    "import.index": lambda d: [("/admin/import/", CURATING)],
    "import.confirm": lambda d: [],  # POST only: an upload's token
    "import.cancel": lambda d: [],  # POST only: an upload's token
    "importsource.index_view": lambda d: [("/admin/importsource/", CURATING)],
    "importsource.details_view": lambda d: [
        (f"/admin/importsource/details/?id={d['source']}", CURATING),
        (f"/admin/importsource/details/?id={d['bergen_source']}", ADMIN),
    ],
    "importsource.edit_view": lambda d: [
        (f"/admin/importsource/edit/?id={d['source']}", CURATING),
        (f"/admin/importsource/edit/?id={d['bergen_source']}", ADMIN),
    ],
    "importsource.create_view": lambda d: [("/admin/importsource/new/", CURATING)],
    "importsource.delete_view": lambda d: [],  # POST only (switched off)
    "importsource.action_view": lambda d: [],  # POST only
    "importsource.export": lambda d: [("/admin/importsource/export/csv/", CURATING)],  # off
    "importsource.ajax_lookup": lambda d: [
        ("/admin/importsource/ajax/lookup/?name=x", frozenset())
    ],
    "importsource.ajax_update": lambda d: [],  # POST only
    "importrun.index_view": lambda d: [("/admin/importrun/", CURATING)],
    "importrun.details_view": lambda d: [
        (f"/admin/importrun/details/?id={d['run']}", CURATING),
        (f"/admin/importrun/details/?id={d['bergen_run']}", ADMIN),
    ],
    "importrun.edit_view": lambda d: [  # read only: a redirect to the list
        (f"/admin/importrun/edit/?id={d['run']}", CURATING),
        (f"/admin/importrun/edit/?id={d['bergen_run']}", ADMIN),
    ],
    "importrun.create_view": lambda d: [("/admin/importrun/new/", CURATING)],  # redirect
    "importrun.delete_view": lambda d: [],  # POST only (switched off)
    "importrun.action_view": lambda d: [],  # POST only
    "importrun.export": lambda d: [("/admin/importrun/export/csv/", CURATING)],  # off
    "importrun.ajax_lookup": lambda d: [("/admin/importrun/ajax/lookup/?name=x", frozenset())],
    "importrun.ajax_update": lambda d: [],  # POST only
    "duplicate.index_view": lambda d: [("/admin/duplicate/", CURATING)],
    "duplicate.details_view": lambda d: [  # no details page: a redirect to the list
        (f"/admin/duplicate/details/?id={d['duplicate']}", CURATING),
        (f"/admin/duplicate/details/?id={d['bergen_duplicate']}", ADMIN),
    ],
    "duplicate.edit_view": lambda d: [  # never edited: a redirect to the list
        (f"/admin/duplicate/edit/?id={d['duplicate']}", CURATING),
        (f"/admin/duplicate/edit/?id={d['bergen_duplicate']}", ADMIN),
    ],
    "duplicate.create_view": lambda d: [("/admin/duplicate/new/", CURATING)],  # redirect
    "duplicate.delete_view": lambda d: [],  # POST only (switched off)
    "duplicate.action_view": lambda d: [],  # POST only: "Ikke dublett"
    "duplicate.export": lambda d: [("/admin/duplicate/export/csv/", CURATING)],  # off
    "duplicate.ajax_lookup": lambda d: [("/admin/duplicate/ajax/lookup/?name=x", frozenset())],
    "duplicate.ajax_update": lambda d: [],  # POST only
    "imports.template_csv": lambda d: [("/nb/import/template.csv", EVERYONE)],
    "imports.template_xlsx": lambda d: [("/en/import/template.xlsx", EVERYONE)],
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
def data(db_session: Session) -> dict[str, Any]:
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
    from directory.moderation.freshness import make_token
    from directory.moderation.models import ProblemReport, ReportReason

    report = ProblemReport(listing_id=offer.id, reason=ReportReason.OTHER, message="Feil tid")
    bergen_report = ProblemReport(listing_id=bergen.id, reason=ReportReason.OTHER)
    db_session.add_all([report, bergen_report])

    # Import sources, runs and possible duplicates on both sides of the municipality line.
    from importers.models import ImportRun, ImportSource, PossibleDuplicate, SourceKind

    source = ImportSource(
        name="Kautokeino-arket",
        kind=SourceKind.CSV,
        municipality_number=EMPTY_MUNICIPALITY,
        organization_id=offer.organization_id,
    )
    bergen_source = ImportSource(
        name="Bergen-arket", kind=SourceKind.CSV, municipality_number="4601"
    )
    db_session.add_all([source, bergen_source])
    db_session.flush()
    run = ImportRun(source_id=source.id)
    bergen_run = ImportRun(source_id=bergen_source.id)
    duplicate = PossibleDuplicate(listing_id=offer.id, other_id=event.id)
    bergen_duplicate = PossibleDuplicate(listing_id=bergen.id, other_id=offer.id)
    db_session.add_all([run, bergen_run, duplicate, bergen_duplicate])
    offer.freshness_asked_at = dt.datetime.now(dt.UTC)
    db_session.flush()
    return {
        "bergen_org": bergen.organization_id,
        "source": source.id,
        "bergen_source": bergen_source.id,
        "run": run.id,
        "bergen_run": bergen_run.id,
        "duplicate": duplicate.id,
        "bergen_duplicate": bergen_duplicate.id,
        "report": report.id,
        "bergen_report": bergen_report.id,
        "freshness_token": make_token(offer),
        "offer": offer.id,
        "event": event.id,
        "organization": offer.organization_id,
        "bergen": bergen.id,
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_pages(
    app: Flask, client: FlaskClient, data: dict[str, Any], role: str
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
    app: Flask, client: FlaskClient, data: dict[str, Any]
) -> None:
    assert log_in(client, "administrator@example.org") == 302
    posts = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()):
            continue
        cases = MATRIX[rule.endpoint](data)
        if rule.endpoint in POST_URLS:
            url = POST_URLS[rule.endpoint](data)
        else:
            url = cases[0][0] if cases else rule.rule.replace("<locale>", "nb")
        posts.append(url)
        response = client.post(url, data={"email": "a@example.org", "password": "x" * 10})
        assert response.status_code == 400, url
    assert len(posts) >= 5


def test_the_back_office_speaks_norwegian(client: FlaskClient, data: dict[str, Any]) -> None:
    assert log_in(client, "coordinator@example.org") == 302
    page = client.get("/admin/", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "Hjem" in page  # Flask-Admin's own "Home", from its Norwegian catalog
    assert "Venter på godkjenning: 0" in page
    client.set_cookie("locale", "nn")
    assert "Hjem" in client.get("/admin/").get_data(as_text=True)
