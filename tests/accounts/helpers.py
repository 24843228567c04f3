"""Logging in through the real form, CSRF token and all."""

from __future__ import annotations

import re

import pyotp
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory.accounts.models import Role, User
from directory.accounts.services import create_user, grant, new_totp_secret
from directory.db import utcnow

PASSWORD = "en lang setning om kaffe"
# Authenticator secrets of the users made here, by e-mail, for logging in as them.
SECRETS: dict[str, str] = {}


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def make_user(session: Session, email: str, *grants: tuple[Role, dict[str, object]]) -> User:
    user = create_user(session, email, PASSWORD, confirmed=True)
    for role, scope in grants:
        grant(session, user, role, **scope)  # type: ignore[arg-type]
    if user.needs_two_step:
        user.totp_secret, user.totp_enabled_at = new_totp_secret(), utcnow()
        SECRETS[user.email] = user.totp_secret
        session.flush()
    return user


def log_in(client: FlaskClient, email: str, password: str = PASSWORD) -> int:
    token = csrf_token(client, "/nb/account/login")
    response = client.post(
        "/nb/account/login", data={"email": email, "password": password, "csrf_token": token}
    )
    if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
        code = pyotp.TOTP(SECRETS[email]).now()
        token = csrf_token(client, "/nb/account/login/code")
        response = client.post("/nb/account/login/code", data={"code": code, "csrf_token": token})
    return response.status_code
