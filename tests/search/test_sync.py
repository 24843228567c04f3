"""Two app servers on one database, each with its own local index, kept in step."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from directory import create_app
from directory.extensions import db
from directory.listings.models import Listing
from directory.search.engine import PAGE_SIZE, SearchEngine, SearchRequest
from directory.search.index import SearchIndex
from directory.search.service import search_index
from tests.factories import EMPTY_MUNICIPALITY, make_listing

TITLE = "Synkroniseringsprøve for sjakk"


def instance(app: Flask, folder: Path, sync: str) -> Flask:
    other = create_app(
        {
            "APP_ENV": "testing",
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SEARCH_INDEX_DIR": str(folder),
            "SEARCH_SYNC": sync,
            "SEARCH_AUTO_REBUILD": False,
        }
    )
    with other.app_context():
        search_index().rebuild(db.session())
    return other


def found(app: Flask) -> bool:
    with app.test_request_context():
        request = SearchRequest.from_args(
            {"q": "synkroniseringsprøve", "municipality": EMPTY_MUNICIPALITY}
        )
        return bool(SearchEngine(search_index()).search(request, "nb").total)


def test_change_through_one_instance_is_found_through_the_other(app: Flask, tmp_path: Path) -> None:
    first = instance(app, tmp_path / "first", sync="inline")
    second = instance(app, tmp_path / "second", sync="external")
    try:
        with first.app_context():
            listing_id = make_listing(db.session(), title=TITLE).id
            db.session.commit()
        # Embedded default: the writing instance applied its outbox right after commit.
        assert found(first)
        # The other server reads only until its sync process applies the outbox.
        assert not found(second)
        result = second.test_cli_runner().invoke(args=["search", "sync"])
        assert result.exit_code == 0, result.output
        assert "Applied changes to" in result.output
        assert found(second)
        with first.app_context():
            db.session.delete(db.session.get(Listing, listing_id))
            db.session.commit()
        assert not found(first)
        second.test_cli_runner().invoke(args=["search", "sync"])
        assert not found(second)
    finally:
        for other in (first, second):
            with other.app_context():
                for leftover in db.session.scalars(
                    db.select(Listing).where(Listing.title == TITLE)
                ):
                    db.session.delete(leftover)
                db.session.commit()
                db.engine.dispose()


def test_verify_command_reports_agreement(app: Flask, tmp_path: Path) -> None:
    other = instance(app, tmp_path / "verify", sync="inline")
    result = other.test_cli_runner().invoke(args=["search", "verify"])
    assert result.exit_code == 0
    assert "Index and database agree." in result.output
    rebuilt = other.test_cli_runner().invoke(args=["search", "rebuild"])
    assert "Indexed" in rebuilt.output
    with other.app_context():
        db.engine.dispose()


def test_a_rebuild_in_several_processes_equals_one_in_one(app: Flask, tmp_path: Path) -> None:
    # The demo listings are committed, so forked processes see them too.
    with app.app_context(), Session(db.engine) as session:
        serial, parallel = SearchIndex(tmp_path / "one"), SearchIndex(tmp_path / "several")
        count = serial.rebuild(session, workers=1)
        assert parallel.rebuild(session, workers=2) == count > 100
        with parallel.searcher() as searcher:
            assert len(searcher.reader().segments()) == 2
        for query in ({"q": "leksehjelp"}, {"q": "språkkafe"}, {"category": "swimming"}, {}):
            request = SearchRequest.from_args(query)
            one = SearchEngine(serial).search(request, "nb")
            several = SearchEngine(parallel).search(request, "nb")
            assert one.total == several.total
            # Ties (same score, same next date) may fall either side of the page end,
            # depending on which segment holds a document: compare the order keys.
            assert [(h.score, h.next) for h in one.hits] == [
                (h.score, h.next) for h in several.hits
            ]
            if one.total <= PAGE_SIZE:
                assert {h.listing_id for h in one.hits} == {h.listing_id for h in several.hits}
            assert one.facets == several.facets
        assert parallel.verify(session).ok
