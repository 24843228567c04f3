"""Logging in through the real form, CSRF token and all."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory.accounts.models import Role, User
from directory.accounts.services import create_user, grant

PASSWORD = "en lang setning om kaffe"


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def make_user(session: Session, email: str, *grants: tuple[Role, dict[str, object]]) -> User:
    user = create_user(session, email, PASSWORD, confirmed=True)
    for role, scope in grants:
        grant(session, user, role, **scope)  # type: ignore[arg-type]
    return user


def log_in(client: FlaskClient, email: str, password: str = PASSWORD) -> int:
    token = csrf_token(client, "/nb/account/login")
    response = client.post(
        "/nb/account/login", data={"email": email, "password": password, "csrf_token": token}
    )
    return response.status_code
