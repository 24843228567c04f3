"""`flask import run`: configured sources fetched over HTTP (a local server), with ETag."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.listings.models import Listing
from importers.models import ImportRun, ImportSource, RunStatus, SourceKind
from tests.factories import EMPTY_MUNICIPALITY, make_organization

FIXTURES = Path(__file__).parent / "fixtures"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No request log in the test output."""


@pytest.fixture
def feeds() -> Iterator[str]:
    """The fixture folders over HTTP on 127.0.0.1 (Last-Modified and 304 included)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(FIXTURES)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def local_feeds(app: Flask) -> Iterator[None]:
    app.config["IMPORT_ALLOW_PRIVATE_URLS"] = True
    yield
    app.config["IMPORT_ALLOW_PRIVATE_URLS"] = False


def test_a_configured_calendar_is_fetched_and_not_read_again_when_unchanged(
    app: Flask, db_session: Session, feeds: str, local_feeds: None
) -> None:
    organization = make_organization(db_session, name="Biblioteket")
    source = ImportSource(
        name="bibliotekets-kalender",
        kind=SourceKind.ICS,
        url=f"{feeds}/ical/weekly_dst.ics",
        municipality_number=EMPTY_MUNICIPALITY,
        organization_id=organization.id,
        category_slugs=["language-cafe"],
    )
    db_session.add(source)
    db_session.flush()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import", "run", "bibliotekets-kalender"])
    assert first.exit_code == 0, first.output
    assert "1 created" in first.output
    assert source.last_modified  # kept for the next request
    second = runner.invoke(args=["import", "run", "--all"])
    assert second.exit_code == 0, second.output
    assert "not changed since the last run" in second.output
    stmt = select(Listing).where(Listing.origin == "import:bibliotekets-kalender")
    assert len(db_session.scalars(stmt).all()) == 1


def test_an_unreachable_feed_fails_the_run_in_one_line(
    app: Flask, db_session: Session, feeds: str, local_feeds: None
) -> None:
    source = ImportSource(
        name="borte",
        kind=SourceKind.ICS,
        url=f"{feeds}/ical/finnes-ikke.ics",
        municipality_number=EMPTY_MUNICIPALITY,
    )
    db_session.add(source)
    db_session.flush()
    result = app.test_cli_runner().invoke(args=["import", "run", "borte"])
    assert result.exit_code == 1
    assert "404" in result.output
    assert "Traceback" not in result.output
    runs = db_session.scalars(select(ImportRun).where(ImportRun.source_id == source.id)).all()
    assert [(r.status, "404" in r.message) for r in runs] == [(RunStatus.FAILED, True)]


def test_internal_addresses_are_refused_unless_allowed(
    app: Flask, db_session: Session, feeds: str
) -> None:
    source = ImportSource(
        name="intern",
        kind=SourceKind.ICS,
        url=f"{feeds}/ical/weekly_dst.ics",
        municipality_number=EMPTY_MUNICIPALITY,
    )
    db_session.add(source)
    db_session.flush()
    result = app.test_cli_runner().invoke(args=["import", "run", "intern"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
