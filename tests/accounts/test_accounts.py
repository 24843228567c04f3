"""Registration, confirmation, login, reset: safe defaults and no user enumeration."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory import create_app
from directory.accounts import services
from directory.accounts.models import OutgoingMail, User
from directory.accounts.services import AccountError, check_password_rules, create_user
from directory.extensions import db, limiter
from tests.accounts.helpers import PASSWORD, csrf_token, log_in, make_user


def mails(session: Session, to: str) -> list[OutgoingMail]:
    return list(session.scalars(select(OutgoingMail).where(OutgoingMail.recipient == to)))


def link_in(mail: OutgoingMail) -> str:
    found = re.search(r"https?://[^/]+(/\S+)", mail.body)
    assert found
    return found.group(1)


def register(client: FlaskClient, email: str, password: str = PASSWORD) -> str:
    token = csrf_token(client, "/nb/account/register")
    response = client.post(
        "/nb/account/register",
        data={"name": "Aisha", "email": email, "password": password, "csrf_token": token},
    )
    return response.get_data(as_text=True)


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    limiter.reset()


def test_register_confirm_and_log_in(client: FlaskClient, db_session: Session) -> None:
    page = register(client, "Aisha@Example.org")
    assert "Sjekk e-posten din" in page
    user = db_session.scalar(select(User).where(User.email == "aisha@example.org"))
    assert user is not None
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert log_in(client, "aisha@example.org") == 200  # not confirmed yet: the form again
    (mail,) = mails(db_session, "aisha@example.org")
    assert "Bekreft" in mail.subject
    confirm = link_in(mail)
    assert "lenken virker ikke" not in client.get(confirm).get_data(as_text=True).lower()
    assert client.get(confirm).status_code == 400  # a token works once
    assert log_in(client, "AISHA@example.org ") == 302
    assert "aisha@example.org" in client.get("/nb/account/").get_data(as_text=True)


def test_registering_a_known_address_reveals_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "known@example.org")
    known = register(client, "known@example.org")
    unknown = register(client, "new@example.org")
    assert known == unknown.replace("new@example.org", "known@example.org")
    (mail,) = mails(db_session, "known@example.org")
    assert "allerede" in mail.subject


def test_reset_is_single_use_and_says_the_same_for_unknown_addresses(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "volunteer@example.org")
    answers = []
    for email in ("volunteer@example.org", "nobody@example.org"):
        token = csrf_token(client, "/nb/account/reset")
        response = client.post("/nb/account/reset", data={"email": email, "csrf_token": token})
        answers.append((response.status_code, response.get_data(as_text=True)))
    assert answers[0] == answers[1]
    assert mails(db_session, "nobody@example.org") == []
    (mail,) = mails(db_session, "volunteer@example.org")
    link = link_in(mail)
    token = csrf_token(client, link)
    new = "et helt nytt passord i dag"
    response = client.post(link, data={"password": new, "again": new, "csrf_token": token})
    assert "Passordet er endret" in response.get_data(as_text=True)
    assert client.get(link).status_code == 400  # spent
    assert log_in(client, "volunteer@example.org") == 200  # the old password is gone
    assert log_in(client, "volunteer@example.org", new) == 302


def test_expired_tokens_are_refused(
    client: FlaskClient, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(db_session, "late@example.org")
    with client.application.test_request_context():
        token = services.make_token(user, "reset")
    monkeypatch.setitem(services.TOKEN_MAX_AGE, "reset", -1)
    assert client.get(f"/nb/account/reset/{token}").status_code == 400


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("kort", False),
        ("password123", False),
        ("passord123", False),
        ("x" * 64, True),
        ("kaffe med melk om morgenen", True),
        ("y" * 129, False),
    ],
)
def test_password_rules(password: str, ok: bool) -> None:
    if ok:
        check_password_rules(password)
    else:
        with pytest.raises(AccountError):
            check_password_rules(password)


def test_a_burst_of_failed_logins_is_answered_429(client: FlaskClient, db_session: Session) -> None:
    make_user(db_session, "target@example.org")
    codes = [log_in(client, "target@example.org", "wrong password") for _ in range(12)]
    assert codes[:10] == [200] * 10
    assert codes[-1] == 429


def test_rate_limits_are_shared_through_redis(app: Flask, db_session: Session) -> None:
    shared = create_app(
        {
            "APP_ENV": "testing",
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
            "WTF_CSRF_ENABLED": False,
            "SEARCH_AUTO_REBUILD": False,
        }
    )
    limiter.reset()
    first, second = shared.test_client(), shared.test_client()
    data = {"email": "someone@example.org", "password": "wrong password"}
    codes = [first.post("/nb/account/login", data=data).status_code for _ in range(6)]
    codes += [second.post("/nb/account/login", data=data).status_code for _ in range(6)]
    assert codes[-1] == 429  # the second client counts on from the first
    limiter.reset()
    with shared.app_context():
        db.engine.dispose()


def test_logout_is_a_post_with_csrf(client: FlaskClient, db_session: Session) -> None:
    make_user(db_session, "out@example.org")
    assert log_in(client, "out@example.org") == 302
    assert client.get("/nb/account/logout").status_code == 405
    assert client.post("/nb/account/logout").status_code == 400  # no CSRF token
    token = csrf_token(client, "/nb/account/")
    assert client.post("/nb/account/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/nb/account/").status_code == 302  # back to the login page


def test_users_create_command(app: Flask, db_session: Session) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "koord@example.org",
            "--role",
            "coordinator",
            "--municipality",
            "4601",
        ],
        env={"LOKALTILBUD_PASSWORD": PASSWORD},
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "koord@example.org"))
    assert user is not None
    assert [(g.role.value, g.municipality_number) for g in user.grants] == [("coordinator", "4601")]
    missing = app.test_cli_runner().invoke(
        args=["users", "create", "t@example.org", "--role", "translator"],
        env={"LOKALTILBUD_PASSWORD": PASSWORD},
    )
    assert missing.exit_code != 0
    assert "needs a scope" in missing.output


def test_unknown_and_inactive_users_cannot_log_in(db_session: Session) -> None:
    user = create_user(db_session, "off@example.org", PASSWORD, confirmed=True)
    user.active = False
    assert services.authenticate(db_session, "off@example.org", PASSWORD) is None
    assert services.authenticate(db_session, "none@example.org", PASSWORD) is None


@pytest.mark.parametrize(("locale", "required"), [("so", "Buuxi meeshan."), ("nb", "Fyll ut")])
def test_form_errors_speak_the_readers_language(
    client: FlaskClient, locale: str, required: str
) -> None:
    token = csrf_token(client, f"/{locale}/account/register")
    page = client.post(
        f"/{locale}/account/register",
        data={"name": "", "email": "", "password": "kort", "csrf_token": token},
    ).get_data(as_text=True)
    assert required in page
    assert "This field is required" not in page
