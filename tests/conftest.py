"""Fixtures: one migrated database per run, one rolled-back transaction per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from directory import create_app
from directory.extensions import db
from directory.search.index import SearchIndex
from directory.search.service import search_index


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLite in a temporary folder, or PostgreSQL when TEST_DATABASE=postgres."""
    if os.environ.get("TEST_DATABASE") == "postgres":
        url = os.environ["TEST_DATABASE_URL"]
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def reset_database(app: Flask) -> None:
    """Drop everything, then build the schema from the migrations (not create_all)."""
    from flask_migrate import upgrade

    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))


def seed_reference_data(app: Flask, with_demo: bool = True) -> None:
    """Municipalities, taxonomy and the demo set, committed once for the whole run."""
    from directory.demo.loader import load_demo
    from directory.places.services import load_municipalities, read_municipality_rows
    from directory.taxonomy.services import load_taxonomy

    with app.app_context():
        load_municipalities(db.session, read_municipality_rows())
        load_taxonomy(db.session)
        if with_demo:
            load_demo(db.session)
        db.session.commit()
        db.session.remove()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application on a freshly migrated test database with reference and demo data."""
    application = create_app(
        {
            "TESTING": True,
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory),
            # Tests rebuild explicitly; a background thread would share their connection.
            "SEARCH_AUTO_REBUILD": False,
            "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("search")),
        }
    )
    reset_database(application)
    seed_reference_data(application)
    with application.app_context():
        search_index().rebuild(db.session())
        db.session.remove()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        )
        db.session = session
        try:
            yield session()
        finally:
            session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    """A test client whose requests see the test's own uncommitted data."""
    return app.test_client()


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
