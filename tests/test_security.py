"""Security headers on every page, and no default secret key in production."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from directory import create_app
from directory.config import ConfigError


@pytest.mark.parametrize("path", ["/nb/", "/nb/municipality/5501", "/healthz", "/nb/nope"])
def test_security_headers(client: FlaskClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script_or_style(client: FlaskClient) -> None:
    page = client.get("/nb/municipality/5501").get_data(as_text=True)
    assert "<script>" not in page
    assert "style=" not in page
    assert "<style" not in page


def test_secret_key_required_outside_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).secret_key == "a-real-secret"


def test_no_third_party_requests(client: FlaskClient) -> None:
    page = client.get("/nb/municipality/5501").get_data(as_text=True)
    for attribute in ("src=", "href="):
        for chunk in page.split(attribute)[1:]:
            url = chunk[1:].split(chunk[0])[0]
            is_link = attribute == "href=" and not chunk.startswith(('"/static', "'/static"))
            assert url.startswith(("/", "#", "tel:", "mailto:")) or is_link, url
    assert 'rel="stylesheet" href="/static/' in page
