"""Several worker processes on one index: one writer at a time, readers always served."""

from __future__ import annotations

import multiprocessing
import time
import traceback
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.extensions import db
from directory.listings.models import Listing
from directory.search.engine import SearchEngine, SearchRequest
from directory.search.index import SearchIndex

SECONDS = 3.0
QUERY = {"q": "leksehjelp"}


def _reader(app: Flask, folder: str, results: Any) -> None:
    """Search again and again; report how many searches ran, their totals and errors."""
    with app.app_context():
        db.engine.dispose(close=False)
        engine = SearchEngine(SearchIndex(folder))
        totals, errors = set(), []
        count = 0
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            try:
                totals.add(engine.search(SearchRequest.from_args(QUERY), "nb").total)
                count += 1
            except Exception:
                errors.append(traceback.format_exc())
        results.put(
            ("reader", count, sorted(totals), errors[:3] + [f"{len(errors)} errors"] * bool(errors))
        )


def _writer(app: Flask, folder: str, ids: list[int], results: Any) -> None:
    """Rewrite documents again and again, as each worker does after its commits."""
    with app.app_context():
        db.engine.dispose(close=False)
        index = SearchIndex(folder)
        count, errors = 0, []
        deadline = time.monotonic() + SECONDS
        with Session(db.engine) as session:
            while time.monotonic() < deadline:
                try:
                    index.reindex(session, set(ids[count % len(ids) :][:5]))
                    count += 1
                except Exception:
                    errors.append(traceback.format_exc())
                session.rollback()
        results.put(("writer", count, [], errors[:3] + [f"{len(errors)} errors"] * bool(errors)))


def test_writers_take_turns_and_readers_are_always_served(app: Flask, tmp_path: Path) -> None:
    folder = str(tmp_path / "index")
    with app.app_context(), Session(db.engine) as session:
        index = SearchIndex(folder)
        index.rebuild(session, workers=1)
        expected = SearchEngine(index).search(SearchRequest.from_args(QUERY), "nb").total
        ids = list(session.scalars(select(Listing.id).order_by(Listing.id).limit(40)))
    assert expected > 0

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_reader, args=(app, folder, results)) for _ in range(2)]
    processes += [
        context.Process(target=_writer, args=(app, folder, ids[n::2], results)) for n in range(2)
    ]
    for process in processes:
        process.start()
    # Read before joining: a child blocks on a full pipe until its report is read.
    reports = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    readers = [r for r in reports if r[0] == "reader"]
    writers = [r for r in reports if r[0] == "writer"]
    assert all(not errors for *_, errors in reports), [e for *_, errors in reports for e in errors]
    assert all(count > 10 for _, count, _, _ in readers)  # never blocked for long
    assert all(count > 0 for _, count, _, _ in writers)
    # Rewriting unchanged listings never shows a reader a half-written index.
    assert all(totals == [expected] for _, _, totals, _ in readers)
    with app.app_context(), Session(db.engine) as session:
        assert SearchIndex(folder).verify(session).ok


def test_a_closed_searcher_is_never_handed_out_again(app: Flask, tmp_path: Path) -> None:
    # A reopen that failed (a commit racing it) used to leave the closed searcher cached
    # for the thread, and every later search of that thread failed with ReaderClosed.
    with app.app_context(), Session(db.engine) as session:
        index = SearchIndex(tmp_path / "index")
        index.rebuild(session, workers=1)
        with index.searcher() as first:
            count = first.doc_count()
        first.close()
        with index.searcher() as again:
            assert again is not first
            assert again.doc_count() == count > 0
