"""A fresh local index per test, built from the test's own view of the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from directory.search.index import SearchIndex


@pytest.fixture
def index(app: Flask, db_session: Session, tmp_path: Path) -> Iterator[SearchIndex]:
    """The app's search index, rebuilt in a temporary folder for this test."""
    original = app.extensions["search"]
    fresh = SearchIndex(tmp_path / "search")
    app.extensions["search"] = fresh
    fresh.rebuild(db_session)
    try:
        yield fresh
    finally:
        app.extensions["search"] = original
