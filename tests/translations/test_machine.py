"""Machine-translated drafts through a LibreTranslate-compatible service (a local stand-in)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from directory.translations.services import TranslationState, state_of
from tests.factories import EMPTY_MUNICIPALITY, make_listing


class FakeLibreTranslate(BaseHTTPRequestHandler):
    """POST /translate like LibreTranslate: {q, source, target, format} → {translatedText}."""

    requests: list[dict[str, str]] = []
    refuse: set[str] = set()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeLibreTranslate.requests.append(body)
        if self.path != "/translate" or body["target"] in self.refuse:
            self.send_response(400)
            answer = {"error": f"{body['target']} is not supported"}
        else:
            self.send_response(200)
            answer = {"translatedText": f"[{body['target']}] {body['q']}"}
        data = json.dumps(answer).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def service(app: Flask) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLibreTranslate)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeLibreTranslate.requests, FakeLibreTranslate.refuse = [], set()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    app.config["TRANSLATE_URL"] = url
    try:
        yield url
    finally:
        app.config["TRANSLATE_URL"] = ""
        server.shutdown()
        server.server_close()


def test_drafts_are_stored_as_machine_translations(
    app: Flask, db_session: Session, service: str
) -> None:
    listing = make_listing(db_session, title="Kvinnegruppe", summary="Hver mandag.")
    listing.set_translation("summary", "so", "Isniin kasta.")
    db_session.flush()
    result = app.test_cli_runner().invoke(
        args=["translations", "machine", "--municipality", EMPTY_MUNICIPALITY, "--language", "so"]
    )
    assert result.exit_code == 0, result.output
    assert state_of(listing, "title", "so") is TranslationState.MACHINE
    assert listing.localized("title", "so").text == "[so] Kvinnegruppe"
    assert listing.localized("title", "so").machine
    # The reviewed translation was left alone and not sent to the service.
    assert state_of(listing, "summary", "so") is TranslationState.CURRENT
    assert "Hver mandag." not in {r["q"] for r in FakeLibreTranslate.requests}
    assert {r["source"] for r in FakeLibreTranslate.requests} == {"nb"}


def test_a_refusing_service_saves_nothing(app: Flask, db_session: Session, service: str) -> None:
    listing = make_listing(db_session, title="Leksehjelp")
    FakeLibreTranslate.refuse = {"ti"}
    result = app.test_cli_runner().invoke(
        args=["translations", "machine", "--municipality", EMPTY_MUNICIPALITY, "--language", "ti"]
    )
    assert result.exit_code != 0
    assert "Nothing saved" in result.output
    assert "400" in result.output
    assert state_of(listing, "title", "ti") is TranslationState.MISSING


def test_nothing_is_sent_unless_configured(app: Flask, db_session: Session) -> None:
    make_listing(db_session, title="Leksehjelp")
    result = app.test_cli_runner().invoke(
        args=["translations", "machine", "--municipality", EMPTY_MUNICIPALITY, "--language", "uk"]
    )
    assert result.exit_code != 0
    assert "TRANSLATE_URL" in result.output
