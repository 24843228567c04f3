"""Two-step login: required for coordinators and administrators, replay-proof."""

from __future__ import annotations

import re

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory.accounts.models import Role
from directory.accounts.services import create_user, grant
from directory.extensions import limiter
from tests.accounts.helpers import PASSWORD, SECRETS, csrf_token, log_in, make_user
from tests.factories import EMPTY_MUNICIPALITY


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    limiter.reset()


def password_step(client: FlaskClient, email: str) -> str:
    token = csrf_token(client, "/nb/account/login")
    response = client.post(
        "/nb/account/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    return response.headers.get("Location", "")


def send_code(client: FlaskClient, code: str) -> int:
    token = csrf_token(client, "/nb/account/login/code")
    return client.post(
        "/nb/account/login/code", data={"code": code, "csrf_token": token}
    ).status_code


def test_a_coordinator_has_no_powers_until_two_step_is_on(
    client: FlaskClient, db_session: Session
) -> None:
    user = create_user(db_session, "new-koord@example.org", PASSWORD, confirmed=True)
    grant(db_session, user, Role.COORDINATOR, municipality=EMPTY_MUNICIPALITY)
    assert log_in(client, "new-koord@example.org") == 302
    assert client.get(f"/nb/translate/{EMPTY_MUNICIPALITY}/ar").status_code == 404
    assert "Slå på innlogging i to trinn" in client.get("/nb/account/").get_data(as_text=True)
    page = client.get("/nb/account/two-step").get_data(as_text=True)
    secret = re.search(r'<code dir="ltr">([A-Z2-7 ]+)</code>', page)
    assert secret is not None
    key = secret.group(1).replace(" ", "")
    assert "otpauth://totp/Lokaltilbud" in page
    token = csrf_token(client, "/nb/account/two-step")
    wrong = client.post("/nb/account/two-step", data={"code": "000000", "csrf_token": token})
    assert "Koden stemmer ikke" in wrong.get_data(as_text=True)
    done = client.post(
        "/nb/account/two-step", data={"code": pyotp.TOTP(key).now(), "csrf_token": token}
    ).get_data(as_text=True)
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done)
    assert len(codes) == 10
    assert client.get(f"/nb/translate/{EMPTY_MUNICIPALITY}/ar").status_code == 200
    # The recovery codes: each works once instead of the app.
    client.post("/nb/account/logout", data={"csrf_token": csrf_token(client, "/nb/account/")})
    assert password_step(client, "new-koord@example.org").endswith("/account/login/code")
    assert send_code(client, codes[0]) == 302
    client.post("/nb/account/logout", data={"csrf_token": csrf_token(client, "/nb/account/")})
    password_step(client, "new-koord@example.org")
    assert send_code(client, codes[0]) == 200  # spent


def test_codes_are_checked_and_never_replayed(client: FlaskClient, db_session: Session) -> None:
    make_user(db_session, "admin@example.org", (Role.ADMINISTRATOR, {}))
    assert password_step(client, "admin@example.org").endswith("/account/login/code")
    assert client.get("/nb/account/").status_code == 302  # not in yet
    assert send_code(client, "123456") == 200
    code = pyotp.TOTP(SECRETS["admin@example.org"]).now()
    assert send_code(client, code) == 302
    assert client.get("/nb/account/").status_code == 200
    client.post("/nb/account/logout", data={"csrf_token": csrf_token(client, "/nb/account/")})
    password_step(client, "admin@example.org")
    assert send_code(client, code) == 200  # the same code a second time: refused


def test_the_code_page_needs_the_password_first(client: FlaskClient) -> None:
    response = client.get("/nb/account/login/code")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/login")
