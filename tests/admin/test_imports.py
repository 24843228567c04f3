"""Imports in the back office: sources, runs, uploads with a dry run, possible duplicates,
and the provenance box on the site, all scoped by municipality and escaped."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import EnvironBuilder, FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from admin.imports import (
    UPLOAD_MAX_AGE,
    load_upload,
    parse_mapping,
    store_upload,
    sweep_uploads,
    value_text,
)
from directory.accounts.models import Role, User
from directory.extensions import db, limiter
from directory.listings.models import Listing, ListingStatus
from directory.moderation.services import schedule_facts
from directory.schedules.describe import describe_schedule
from directory.schedules.models import Schedule
from directory.web import CONTENT_SECURITY_POLICY
from importers.models import (
    ImportedRecord,
    ImportRowError,
    ImportRun,
    ImportSource,
    PossibleDuplicate,
    RunStatus,
    SourceKind,
)
from tests.accounts.helpers import csrf_token, log_in, make_user
from tests.admin.test_admin import _inline
from tests.factories import EMPTY_MUNICIPALITY, make_listing, make_organization, make_venue

OSLO = "0301"
COORDINATOR = "koordinator@example.org"
OSLO_COORDINATOR = "oslo@example.org"
ADMINISTRATOR = "admin@example.org"
VOLUNTEER = "frivillig@example.org"
SHEET = (
    "Tittel;Kategori;Dag;Tid;Sted\n"
    "Språkkafé på biblioteket;Språkkafé;tirsdag;18:00-20:00;Biblioteket\n"
    "Leksehjelp på biblioteket;Leksehjelp;onsdag;17:00-19:00;Biblioteket\n"
    "Strikkekafé;Språkkafé;torsdag;når som helst;Biblioteket\n"
)


@dataclass
class World:
    """A Kautokeino source with a run and a possible duplicate, and the same in Oslo."""

    coordinator: User
    source: ImportSource
    oslo_source: ImportSource
    run: ImportRun
    oslo_run: ImportRun
    duplicate: PossibleDuplicate
    oslo_duplicate: PossibleDuplicate
    uploads: Path


def _source(session: Session, name: str, municipality: str) -> ImportSource:
    organization = make_organization(session, municipality, name=f"Arrangør {name}")
    source = ImportSource(
        name=name,
        kind=SourceKind.CSV,
        municipality_number=municipality,
        organization_id=organization.id,
    )
    session.add(source)
    session.flush()
    return source


def _run(session: Session, source: ImportSource, message: str) -> ImportRun:
    run = ImportRun(source=source, status=RunStatus.FINISHED, created=3, failed=1)
    run.errors.append(ImportRowError(where="Linje 7", message=message))
    session.add(run)
    session.flush()
    return run


def _pair(session: Session, municipality: str, first: str, second: str) -> PossibleDuplicate:
    venue = make_venue(session, municipality, name=f"Huset {first}")
    listing = make_listing(session, municipality=municipality, title=first, venue=venue)
    other = make_listing(session, municipality=municipality, title=second, venue=venue)
    other.origin = "import:kalender"
    pair = PossibleDuplicate(listing_id=listing.id, other_id=other.id)
    session.add(pair)
    session.flush()
    return pair


@pytest.fixture
def world(
    app: Flask, db_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> World:
    limiter.reset()
    # Uploads go to <instance>/uploads; the instance folder is a temporary one here.
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    coordinator = make_user(
        db_session, COORDINATOR, (Role.COORDINATOR, {"municipality": EMPTY_MUNICIPALITY})
    )
    make_user(db_session, OSLO_COORDINATOR, (Role.COORDINATOR, {"municipality": OSLO}))
    make_user(db_session, ADMINISTRATOR, (Role.ADMINISTRATOR, {}))
    source = _source(db_session, "Biblioteket i Kautokeino", EMPTY_MUNICIPALITY)
    oslo_source = _source(db_session, "Bydel Grünerløkka", OSLO)
    return World(
        coordinator=coordinator,
        source=source,
        oslo_source=oslo_source,
        run=_run(db_session, source, "Fant ikke klokkeslettet i Kautokeino"),
        oslo_run=_run(db_session, oslo_source, "Fant ikke klokkeslettet i Oslo"),
        duplicate=_pair(db_session, EMPTY_MUNICIPALITY, "Norskkafé", "Norsk kafé"),
        oslo_duplicate=_pair(db_session, OSLO, "Strikking i Oslo", "Strikking Oslo"),
        uploads=tmp_path / "uploads",
    )


def _text(client: FlaskClient, url: str) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _upload(
    client: FlaskClient,
    content: bytes | str,
    filename: str = "aktiviteter.csv",
    csrf: bool = True,
    **fields: Any,
) -> Any:
    """Post the upload form as the browser does (multipart, with the page's token)."""
    raw = content.encode() if isinstance(content, str) else content
    data: dict[str, Any] = {"kind": "", "name": "", "municipality": "", "organization": ""}
    data.update(fields)
    data["file"] = (io.BytesIO(raw), filename)
    if csrf:
        data["csrf_token"] = csrf_token(client, "/admin/import/")
    builder = EnvironBuilder(client.application, "/admin/import/", method="POST", data=data)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        # The test client spools a large body to a temporary file and leaves it open.
        environ["wsgi.input"].close()
        builder.close()


def _token(page: str) -> str:
    found = re.search(r'name="token" type="hidden" value="([^"]+)"', page)
    assert found, "no upload token on the page"
    return found.group(1)


def _confirm(client: FlaskClient, token: str, step: str = "confirm") -> Any:
    data = {"token": token, "csrf_token": csrf_token(client, "/admin/import/")}
    return client.post(f"/admin/import/{step}", data=data)


def _imported(session: Session, source: ImportSource) -> list[Listing]:
    stmt = select(Listing).where(Listing.origin == source.origin).order_by(Listing.title)
    return list(session.scalars(stmt))


def _count(page: str, name: str) -> str:
    found = re.search(rf'id="count-{name}">(\d+)<', page)
    assert found, f"no count {name}"
    return found.group(1)


def _stored(world: World) -> list[Path]:
    return sorted(world.uploads.glob("*")) if world.uploads.exists() else []


# -- upload, dry run, confirm -------------------------------------------------------------


def test_a_dry_run_shows_what_would_change_and_imports_nothing(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    response = _upload(client, SHEET, source=str(world.source.id))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Prøvekjøring av «Biblioteket i Kautokeino»" in page
    assert _count(page, "created") == "2"
    assert _count(page, "failed") == "1"
    assert "Språkkafé på biblioteket" in page
    assert "Leksehjelp på biblioteket" in page
    assert "Linje 4" in page
    assert "«når som helst» – fant ikke klokkeslettet" in page
    assert "Bekreft og importer" in page
    assert _inline(page) == []
    assert _imported(db_session, world.source) == []
    # The dry run is kept in the list of runs, with its row error.
    dry = db_session.scalars(
        select(ImportRun).where(ImportRun.source_id == world.source.id, ImportRun.dry_run)
    ).one()
    assert (dry.created, dry.failed, dry.status) == (2, 1, RunStatus.FINISHED)
    assert [e.where for e in dry.errors] == ["Linje 4"]
    # The file waits under a random name, its original name only in the metadata.
    stored = _stored(world)
    assert len(stored) == 2
    assert all("aktiviteter" not in p.name for p in stored)
    assert "aktiviteter.csv" in next(p for p in stored if p.suffix == ".json").read_text()


def test_confirming_imports_the_rows_and_deletes_the_upload(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    token = _token(_upload(client, SHEET, source=str(world.source.id)).get_data(as_text=True))
    response = _confirm(client, token)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Importert til «Biblioteket i Kautokeino»" in page
    assert _count(page, "created") == "2"
    assert "Nye oppføringer venter på godkjenning." in page
    listings = _imported(db_session, world.source)
    assert [x.title for x in listings] == ["Leksehjelp på biblioteket", "Språkkafé på biblioteket"]
    # An untrusted source's listings wait for review.
    assert {x.status for x in listings} == {ListingStatus.PENDING}
    assert _stored(world) == []
    # The token is spent: confirming again finds nothing.
    assert _confirm(client, token).status_code == 404
    assert len(_imported(db_session, world.source)) == 2


def test_a_new_source_is_made_from_the_upload_form(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    organization = make_organization(db_session, name="Frivilligsentralen")
    response = _upload(
        client,
        SHEET,
        source="",
        name="Frivilligsentralens liste",
        municipality=EMPTY_MUNICIPALITY,
        organization=str(organization.id),
    )
    assert response.status_code == 200
    assert _count(response.get_data(as_text=True), "created") == "2"
    made = db_session.scalars(
        select(ImportSource).where(ImportSource.name == "Frivilligsentralens liste")
    ).one()
    assert (made.municipality_number, made.organization_id, made.kind) == (
        EMPTY_MUNICIPALITY,
        organization.id,
        SourceKind.CSV,
    )


def test_a_new_source_goes_again_when_its_upload_is_thrown_away(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    new = {"source": "", "name": "Ny liste", "municipality": EMPTY_MUNICIPALITY}
    unreadable = _upload(client, "Navn;Farge\nEple;rød\n", **new)
    assert "Filen kunne ikke leses" in unreadable.get_data(as_text=True)
    named = select(ImportSource).where(ImportSource.name == "Ny liste")
    assert db_session.scalars(named).all() == []
    # The same name again, then cancelled: the name is free once more.
    token = _token(_upload(client, SHEET, **new).get_data(as_text=True))
    assert db_session.scalars(named).one().municipality_number == EMPTY_MUNICIPALITY
    assert _confirm(client, token, "cancel").status_code == 302
    db_session.expire_all()
    assert db_session.scalars(named).all() == []
    assert db_session.get(ImportSource, world.source.id) is not None  # others stay


def test_a_new_source_stays_in_the_coordinators_municipalities(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    oslo_org = world.oslo_source.organization_id
    for fields in (
        {"name": "Kapret", "municipality": OSLO},
        {"name": "Kapret", "municipality": EMPTY_MUNICIPALITY, "organization": str(oslo_org)},
        {"name": "Kapret", "municipality": ""},
        {"name": "", "municipality": EMPTY_MUNICIPALITY},
        {"name": "Bydel Grünerløkka", "municipality": EMPTY_MUNICIPALITY},
    ):
        response = _upload(client, SHEET, source="", **fields)
        assert response.status_code == 200
        assert "Prøvekjøring" not in response.get_data(as_text=True), fields
    assert db_session.scalars(select(ImportSource).where(ImportSource.name == "Kapret")).all() == []
    assert _stored(world) == []


def test_cancelling_deletes_the_upload(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    token = _token(_upload(client, SHEET, source=str(world.source.id)).get_data(as_text=True))
    assert len(_stored(world)) == 2
    response = _confirm(client, token, "cancel")
    assert response.status_code == 302
    assert _stored(world) == []
    assert "Filen er slettet. Ingenting ble importert." in _text(client, "/admin/import/")
    assert _imported(db_session, world.source) == []
    assert _confirm(client, token).status_code == 404


def test_uploads_and_confirmations_without_a_csrf_token_are_refused(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    assert _upload(client, SHEET, csrf=False, source=str(world.source.id)).status_code == 400
    assert _stored(world) == []
    token = _token(_upload(client, SHEET, source=str(world.source.id)).get_data(as_text=True))
    for step in ("confirm", "cancel"):
        assert client.post(f"/admin/import/{step}", data={"token": token}).status_code == 400
    assert len(_stored(world)) == 2
    assert _imported(db_session, world.source) == []


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("program.exe", b"MZ\x90\x00", "Filen må slutte på .csv, .xlsx, .ics eller .json."),
        ("liste.csv.exe", SHEET.encode(), "Filen må slutte på .csv, .xlsx, .ics eller .json."),
        ("stor.csv", b"a" * (5 * 1024 * 1024 + 1), "Filen er for stor. Den kan være høyst 5 MB."),
        ("tom.csv", b"", "Filen er tom."),
    ],
)
def test_wrong_kinds_of_files_and_large_files_are_refused(
    client: FlaskClient,
    world: World,
    db_session: Session,
    filename: str,
    content: bytes,
    message: str,
) -> None:
    assert log_in(client, COORDINATOR) == 302
    response = _upload(client, content, filename, source=str(world.source.id))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _stored(world) == []
    runs = select(ImportRun).where(ImportRun.source_id == world.source.id)
    assert len(db_session.scalars(runs).all()) == 1  # only the fixture's


def test_a_file_that_cannot_be_read_is_explained_and_thrown_away(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    response = _upload(client, "Navn;Farge\nEple;rød\n", source=str(world.source.id))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Filen kunne ikke leses" in page
    assert "Fant ikke kolonnen «Dag» eller «Dato»." in page
    assert "Ingenting er importert" in page
    assert "Bekreft og importer" not in page
    assert _stored(world) == []
    assert _imported(db_session, world.source) == []


def test_someone_elses_upload_token_is_not_found(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    token = _token(_upload(client, SHEET, source=str(world.source.id)).get_data(as_text=True))
    client.post("/nb/account/logout", data={"csrf_token": csrf_token(client, "/nb/account/")})
    assert log_in(client, ADMINISTRATOR) == 302
    assert _confirm(client, token).status_code == 404
    assert _confirm(client, token, "cancel").status_code == 404
    for bogus in ("", "../../etc/passwd", "x" * 32, token + "x"):
        assert _confirm(client, bogus).status_code == 404, bogus
    assert len(_stored(world)) == 2
    assert _imported(db_session, world.source) == []


def test_a_source_outside_scope_cannot_be_uploaded_to(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    page = _text(client, "/admin/import/")
    assert "Biblioteket i Kautokeino" in page
    assert "Bydel Grünerløkka" not in page
    response = _upload(client, SHEET, source=str(world.oslo_source.id))
    assert response.status_code == 200
    assert "Prøvekjøring" not in response.get_data(as_text=True)
    assert _imported(db_session, world.oslo_source) == []
    assert _stored(world) == []


def test_markup_in_a_sheet_is_escaped_on_the_dry_run_page(
    client: FlaskClient, world: World
) -> None:
    sheet = (
        "Tittel;Kategori;Dag;Tid;Sted\n"
        '"Kafé <b>x</b> &lt;script&gt;alert(1)&lt;/script&gt;";Språkkafé;tirsdag;18:00;Sted\n'
        'Kafé;<img src=x onerror="alert(2)">;onsdag;18:00;Biblioteket\n'
    )
    assert log_in(client, COORDINATOR) == 302
    page = _upload(client, sheet, source=str(world.source.id)).get_data(as_text=True)
    assert _count(page, "created") == "1"
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the title, as text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=" in page  # the unknown category in the row error
    assert _inline(page) == []


# -- scope ------------------------------------------------------------------------------


def test_coordinators_see_only_their_municipalitys_sources_runs_and_duplicates(
    client: FlaskClient, world: World
) -> None:
    assert log_in(client, OSLO_COORDINATOR) == 302
    assert "Bydel Grünerløkka" in _text(client, "/admin/importsource/")
    assert "Biblioteket i Kautokeino" not in _text(client, "/admin/importsource/")
    runs = _text(client, "/admin/importrun/")
    assert "Bydel Grünerløkka" in runs
    assert "Biblioteket i Kautokeino" not in runs
    duplicates = _text(client, "/admin/duplicate/")
    assert "Strikking i Oslo" in duplicates
    assert "Norskkafé" not in duplicates
    for url in (
        f"/admin/importsource/edit/?id={world.source.id}",
        f"/admin/importsource/details/?id={world.source.id}",
        f"/admin/importrun/details/?id={world.run.id}",
        f"/admin/duplicate/details/?id={world.duplicate.id}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        text = response.get_data(as_text=True)
        assert "Kautokeino" not in text, url
        assert "Fant ikke klokkeslettet i Kautokeino" not in text, url


def test_source_and_run_lists_cost_the_same_queries_for_more_rows(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, ADMINISTRATOR) == 302
    urls = ("/admin/importsource/", "/admin/importrun/")

    def statements(url: str) -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    few = {url: statements(url) for url in urls}
    for n in range(5):
        _run(db_session, _source(db_session, f"Kilde {n}", EMPTY_MUNICIPALITY), "Linje 2: feil")
    assert {url: statements(url) for url in urls} == few


def test_people_without_the_role_find_no_import_pages(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    make_user(
        db_session, VOLUNTEER, (Role.VOLUNTEER, {"organization": world.source.organization_id})
    )
    assert log_in(client, VOLUNTEER) == 302
    for url in ("/admin/import/", "/admin/importsource/", "/admin/importrun/", "/admin/duplicate/"):
        assert client.get(url).status_code == 404, url


def test_a_run_shows_its_counts_and_row_errors(client: FlaskClient, world: World) -> None:
    assert log_in(client, COORDINATOR) == 302
    page = _text(client, f"/admin/importrun/details/?id={world.run.id}")
    assert "Biblioteket i Kautokeino" in page
    assert "Ferdig" in page
    assert "Rader som ikke kunne tas med: 1" in page
    assert "Linje 7" in page
    assert "Fant ikke klokkeslettet i Kautokeino" in page
    # Runs are read only.
    assert client.get(f"/admin/importrun/edit/?id={world.run.id}").status_code == 302
    assert client.get("/admin/importrun/new/").status_code == 302


# -- sources -----------------------------------------------------------------------------


def _source_form(client: FlaskClient, page: str, **fields: str) -> dict[str, Any]:
    form: dict[str, Any] = {
        "csrf_token": csrf_token(client, page),
        "name": "Kulturhusets kalender",
        "kind": "ics",
        "url": "https://kulturhuset.example.org/kalender.ics",
        "municipality_number": EMPTY_MUNICIPALITY,
        "organization_id": "",
        "venue_id": "",
        "category_slugs": ["language-cafe"],
        "trusted": "y",
        "active": "y",
        "column_mapping": "",
    }
    form.update(fields)
    return form


def test_the_coordinator_adds_a_source_with_its_defaults(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    url = "/admin/importsource/new/"
    page = _text(client, url)
    assert "Tittel (title)" in page  # the field names a column mapping may use
    assert _inline(page) == []
    venue = make_venue(db_session, name="Kulturhuset")
    form = _source_form(
        client,
        url,
        organization_id=str(world.source.organization_id),
        venue_id=str(venue.id),
        column_mapping="Aktivitet = Tittel\nUkedag = days\n\nInternt notat = ignorer",
    )
    assert client.post(url, data=form).status_code == 302
    made = db_session.scalars(
        select(ImportSource).where(ImportSource.name == "Kulturhusets kalender")
    ).one()
    assert (made.kind, made.url, made.trusted, made.venue_id) == (
        SourceKind.ICS,
        "https://kulturhuset.example.org/kalender.ics",
        True,
        venue.id,
    )
    assert made.category_slugs == ["language-cafe"]
    assert made.column_mapping == {
        "Aktivitet": "Tittel",
        "Ukedag": "days",
        "Internt notat": "ignorer",
    }
    # The mapping is shown again as it was written, one line each.
    edit = _text(client, f"/admin/importsource/edit/?id={made.id}")
    assert "Aktivitet = Tittel\nUkedag = days" in edit


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"url": "javascript:alert(1)"}, "Skriv en adresse som begynner med https://"),
        ({"url": "file:///etc/passwd"}, "Skriv en adresse som begynner med https://"),
        ({"municipality_number": OSLO}, "Ikke et gyldig valg"),
        ({"column_mapping": "Aktivitet"}, "Linje 1: skriv overskriften i kilden"),
        ({"column_mapping": "Aktivitet = farge"}, "Linje 1: kjenner ikke feltet «farge»"),
        ({"name": "Bydel Grünerløkka"}, "Det finnes allerede en kilde med det navnet."),
    ],
)
def test_a_source_form_with_bad_values_is_refused(
    client: FlaskClient, world: World, db_session: Session, fields: dict[str, str], message: str
) -> None:
    assert log_in(client, COORDINATOR) == 302
    url = "/admin/importsource/new/"
    response = client.post(url, data=_source_form(client, url, **fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert (
        db_session.scalars(
            select(ImportSource).where(ImportSource.name == "Kulturhusets kalender")
        ).all()
        == []
    )


def test_the_default_organization_belongs_to_the_sources_municipality(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, ADMINISTRATOR) == 302
    url = "/admin/importsource/new/"
    form = _source_form(client, url, organization_id=str(world.oslo_source.organization_id))
    response = client.post(url, data=form)
    assert "Velg en som hører til samme kommune som kilden." in response.get_data(as_text=True)
    # The administrator may put the source in Oslo, where that organization is.
    form = _source_form(
        client,
        url,
        municipality_number=OSLO,
        organization_id=str(world.oslo_source.organization_id),
    )
    assert client.post(url, data=form).status_code == 302


def test_the_coordinator_edits_a_source_and_not_one_elsewhere(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    url = f"/admin/importsource/edit/?id={world.source.id}"
    form = _source_form(client, url, name="Biblioteket i Kautokeino", kind="csv", url="")
    assert client.post(url, data=form).status_code == 302
    db_session.refresh(world.source)
    assert (world.source.url, world.source.trusted) == (None, True)
    oslo = f"/admin/importsource/edit/?id={world.oslo_source.id}"
    client.post(oslo, data={**form, "name": "Kapret"})
    db_session.refresh(world.oslo_source)
    assert world.oslo_source.name == "Bydel Grünerløkka"


def test_a_conflicting_schedule_is_described_as_the_listing_page_would(app: Flask) -> None:
    exhibition = Schedule(
        dtstart=dt.date(2030, 3, 12),
        opens_at=dt.time(0),
        all_day=True,
        span_days=2,
    )
    with app.test_request_context():
        text = value_text("schedules", [schedule_facts(exhibition)])
        assert text == describe_schedule(exhibition)
    assert "00:00" not in text


def test_an_inactive_source_offers_no_upload(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    upload_link = f"/admin/import/?source={world.source.id}"
    details = f"/admin/importsource/details/?id={world.source.id}"
    assert upload_link in _text(client, details)
    world.source.active = False
    db_session.flush()
    assert upload_link not in _text(client, details)


def test_parse_mapping_reads_lines_and_refuses_unknown_fields() -> None:
    assert parse_mapping("# kommentar\n Navn på kurs = title \nUkedag=Dag") == {
        "Navn på kurs": "title",
        "Ukedag": "Dag",
    }
    with pytest.raises(ValueError, match="Linje 2"):
        parse_mapping("Navn = title\n = title")
    with pytest.raises(ValueError, match="kjenner ikke feltet"):
        parse_mapping("Navn = ukjent")


# -- duplicates --------------------------------------------------------------------------


def test_possible_duplicates_show_both_listings_and_can_be_dismissed(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    page = _text(client, "/admin/duplicate/")
    pair = world.duplicate
    assert "Norskkafé" in page
    assert "Norsk kafé" in page
    assert "Import fra «kalender»" in page
    assert "Lagt inn på nettstedet" in page
    assert "Huset Norskkafé" in page
    assert f'href="/nb/account/listings/{pair.listing_id}/edit"' in page
    assert f'href="/nb/account/listings/{pair.other_id}/edit"' in page
    assert "Strikking i Oslo" not in page
    assert _inline(page) == []
    data = {
        "action": "dismiss",
        "rowid": [str(pair.id), str(world.oslo_duplicate.id)],
        "url": "/admin/duplicate/",
    }
    assert client.post("/admin/duplicate/action/", data=data).status_code == 400  # no token
    data["csrf_token"] = csrf_token(client, "/admin/duplicate/")
    assert client.post("/admin/duplicate/action/", data=data).status_code == 302
    assert db_session.get(PossibleDuplicate, pair.id).dismissed_at is not None
    assert db_session.get(PossibleDuplicate, world.oslo_duplicate.id).dismissed_at is None
    # Both listings stay as they were: nothing is merged.
    assert db_session.get(Listing, pair.listing_id).status is ListingStatus.PUBLISHED
    assert db_session.get(Listing, pair.other_id).status is ListingStatus.PUBLISHED
    page = _text(client, "/admin/duplicate/")
    assert "1 par er merket som ikke dublett." in page
    assert "Norskkafé" not in page.split("<tbody>")[1]


def test_the_dashboard_counts_duplicates_and_links_to_the_upload(
    client: FlaskClient, world: World
) -> None:
    assert log_in(client, COORDINATOR) == 302
    page = _text(client, "/admin/")
    assert "Mulige dubletter: 1" in page
    assert 'href="/admin/duplicate/"' in page
    assert 'href="/admin/import/"' in page
    assert 'href="/admin/importsource/"' in page


# -- provenance on the site --------------------------------------------------------------


def test_the_edit_and_review_pages_say_where_an_imported_listing_came_from(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    token = _token(_upload(client, SHEET, source=str(world.source.id)).get_data(as_text=True))
    assert _confirm(client, token).status_code == 200
    listing = _imported(db_session, world.source)[1]
    record = db_session.scalars(
        select(ImportedRecord).where(ImportedRecord.listing_id == listing.id)
    ).one()
    record.conflicts = {
        "title": {"local": "Språkkafé <b>her</b>", "source": "Språkkafé i kilden"},
        "is_free": {"local": True, "source": False},
    }
    db_session.flush()
    for url in (f"/nb/account/listings/{listing.id}/edit", f"/nb/review/{listing.id}"):
        page = _text(client, url)
        assert "Fra «Biblioteket i Kautokeino», sist synkronisert" in page, url
        assert "Kilden har endret disse feltene, men de er også endret her:" in page, url
        assert "her «Språkkafé &lt;b&gt;her&lt;/b&gt;», i kilden «Språkkafé i kilden»" in page
        assert ": her «Ja», i kilden «Nei»" in page, url
    # A listing typed in on the site has no such box.
    page = _text(client, f"/nb/account/listings/{world.duplicate.listing_id}/edit")
    assert "sist synkronisert" not in page


def test_the_provenance_box_is_for_coordinators_only(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, COORDINATOR) == 302
    token = _token(_upload(client, SHEET, source=str(world.source.id)).get_data(as_text=True))
    _confirm(client, token)
    listing = _imported(db_session, world.source)[0]
    client.post("/nb/account/logout", data={"csrf_token": csrf_token(client, "/nb/account/")})
    make_user(db_session, VOLUNTEER, (Role.VOLUNTEER, {"organization": listing.organization_id}))
    assert log_in(client, VOLUNTEER) == 302
    page = _text(client, f"/nb/account/listings/{listing.id}/edit")
    assert listing.title in page
    assert "sist synkronisert" not in page


# -- every new page under the CSP ---------------------------------------------------------


@pytest.mark.parametrize("who", [COORDINATOR, ADMINISTRATOR])
def test_import_pages_carry_the_csp_and_no_inline_script(
    client: FlaskClient, world: World, who: str
) -> None:
    assert log_in(client, who) == 302
    for url in (
        "/admin/import/",
        "/admin/importsource/",
        "/admin/importsource/new/",
        f"/admin/importsource/edit/?id={world.source.id}",
        f"/admin/importsource/details/?id={world.source.id}",
        "/admin/importrun/",
        f"/admin/importrun/details/?id={world.run.id}",
        "/admin/duplicate/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        page = response.get_data(as_text=True)
        assert _inline(page) == [], url
        if 'method="post"' in page.lower():
            assert 'name="csrf_token"' in page, url
    page = _text(client, "/admin/import/")
    assert 'enctype="multipart/form-data"' in page


# -- the upload store --------------------------------------------------------------------


def test_uploads_are_found_only_by_their_owner_and_old_ones_are_swept(tmp_path: Path) -> None:
    upload = store_upload(tmp_path, b"data", "liste.csv", 7, 3, SourceKind.CSV)
    assert upload.path.read_bytes() == b"data"
    found = load_upload(tmp_path, upload.token, 7)
    assert found is not None
    assert (found.source_id, found.kind, found.original_name) == (3, SourceKind.CSV, "liste.csv")
    assert load_upload(tmp_path, upload.token, 8) is None
    assert load_upload(tmp_path, "../" + upload.token, 7) is None
    assert sweep_uploads(tmp_path) == 0
    import os

    # An upload older than the sweep age cannot be confirmed, even before it is swept.
    old = time.time() - UPLOAD_MAX_AGE.total_seconds() - 60
    os.utime(upload.path, (old, old))
    assert load_upload(tmp_path, upload.token, 7) is None

    assert sweep_uploads(tmp_path, dt.timedelta(seconds=-1)) == 1
    assert list(tmp_path.iterdir()) == []
