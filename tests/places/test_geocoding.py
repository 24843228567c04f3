"""Addresses are geocoded through a configured Nominatim server; tests run a local one."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from directory import create_app
from directory.config import ConfigError
from directory.extensions import db
from directory.places.services import locate
from directory.search.service import search_index

# Bryggen in Bergen, as a Nominatim /search answer.
BRYGGEN = {"lat": "60.3975", "lon": "5.3242", "display_name": "Bryggen, Bergen, Vestland"}


class FakeNominatim(BaseHTTPRequestHandler):
    """Answers /search like Nominatim: a JSON list of places (empty when unknown)."""

    seen: list[dict[str, object]] = []

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        FakeNominatim.seen.append(
            {"path": url.path, "query": query, "agent": self.headers.get("User-Agent")}
        )
        known = "bryggen" in query.get("q", [""])[0].lower()
        body = json.dumps([BRYGGEN] if known else []).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def nominatim() -> Iterator[str]:
    """A local stand-in for a Nominatim server; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeNominatim.seen = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def geocoding_app(app: Flask, url: str, index_dir: Path | None = None) -> Flask:
    other = create_app(
        {
            "APP_ENV": "testing",
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "GEOCODER_URL": url,
            "GEOCODER_USER_AGENT": "Lokaltilbud tests",
            "GEOCODER_MIN_DELAY": 0.0,
            "SEARCH_INDEX_DIR": str(index_dir) if index_dir else None,
            "SEARCH_AUTO_REBUILD": False,
        }
    )
    if index_dir is not None:
        with other.app_context():
            search_index().rebuild(db.session())
    return other


def test_an_address_is_geocoded_through_the_configured_server(app: Flask, nominatim: str) -> None:
    other = geocoding_app(app, nominatim)
    try:
        with other.test_request_context():
            found = locate("Bryggen 5")
            again = locate("Bryggen  5")  # the same address, remembered
        assert found == (60.3975, 5.3242, "Bryggen 5")
        assert again == (60.3975, 5.3242, "Bryggen  5")
        assert len(FakeNominatim.seen) == 1
        request = FakeNominatim.seen[0]
        assert request["path"] == "/search"
        assert request["agent"] == "Lokaltilbud tests"
        assert request["query"]["countrycodes"] == ["no"]  # type: ignore[index]
    finally:
        with other.app_context():
            db.engine.dispose()


def test_municipality_names_need_no_geocoder(app: Flask, nominatim: str) -> None:
    other = geocoding_app(app, nominatim)
    try:
        with other.test_request_context():
            found = locate("Tromsø")
            unknown = locate("Ingensteds gate 1")
        assert found is not None
        assert found[2] == "Tromsø"
        assert unknown is None
        assert [r["query"]["q"] for r in FakeNominatim.seen] == [["Ingensteds gate 1"]]  # type: ignore[index]
    finally:
        with other.app_context():
            db.engine.dispose()


def test_an_unreachable_geocoder_means_no_point_not_an_error(app: Flask, tmp_path: Path) -> None:
    # Nothing listens on the discard port.
    other = geocoding_app(app, "http://127.0.0.1:9", index_dir=tmp_path / "index")
    try:
        with other.test_request_context():
            assert locate("Bryggen 5") is None
        page = other.test_client().get("/nb/search", query_string={"near": "Bryggen 5"})
        assert page.status_code == 200
        assert "nær Bryggen" not in page.get_data(as_text=True)
    finally:
        with other.app_context():
            db.engine.dispose()


def test_a_geocoder_without_user_agent_is_refused(app: Flask) -> None:
    with pytest.raises(ConfigError, match="GEOCODER_USER_AGENT"):
        create_app(
            {
                "APP_ENV": "testing",
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "GEOCODER_URL": "http://127.0.0.1:9",
            }
        )
