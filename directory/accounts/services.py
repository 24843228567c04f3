"""Accounts: password hashing, signed single-use tokens, mail, and the rules for each.

Passwords are hashed with Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane); a login
for an unknown address still spends the time of one hash, so timing tells nothing about
which addresses have accounts. Tokens for confirming an address and resetting a password
are signed, expire, and carry a fingerprint of the account's current password hash and
confirmation state: using one changes that state, so each works once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import smtplib
from email.message import EmailMessage
from functools import cache
from importlib import resources
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.accounts.models import OutgoingMail, RecoveryCode, Role, RoleGrant, User
from directory.db import utcnow
from directory.i18n import _

PASSWORD_MIN = 8
PASSWORD_MAX = 128
TOKEN_MAX_AGE = {"confirm": 3 * 24 * 3600, "reset": 3600}

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_DUMMY_HASH = _hasher.hash("not a password anyone has")


class AccountError(ValueError):
    """A rule was broken; the message is for the person at the form."""


@cache
def common_passwords() -> frozenset[str]:
    """Passwords seen most often in breaches (packaged list, lower case)."""
    text = resources.files("directory.accounts").joinpath("data", "common-passwords.txt")
    return frozenset(
        line.strip().lower() for line in text.read_text(encoding="utf-8").splitlines() if line
    )


def check_password_rules(password: str, email: str = "") -> None:
    """Length 8–128, not a common password, not the e-mail address."""
    if len(password) < PASSWORD_MIN:
        raise AccountError(_("Passordet må ha minst %(n)d tegn.", n=PASSWORD_MIN))
    if len(password) > PASSWORD_MAX:
        raise AccountError(_("Passordet kan ha høyst %(n)d tegn.", n=PASSWORD_MAX))
    lowered = password.lower()
    if lowered in common_passwords() or (email and lowered == email.lower()):
        raise AccountError(_("Dette passordet er for vanlig. Velg et annet."))


def hash_password(password: str) -> str:
    """An Argon2id hash of a password."""
    return _hasher.hash(password)


def normalize_email(email: str) -> str:
    """E-mail addresses compare without case and surrounding spaces."""
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    """The account with this address, if any."""
    return session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this address and password, or None (same cost either way)."""
    user = find_user(session, email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def create_user(
    session: Session, email: str, password: str, name: str = "", confirmed: bool = False
) -> User:
    """A new account; raises AccountError if the address is taken or the password weak."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(_("Skriv en gyldig e-postadresse."))
    check_password_rules(password, email)
    if find_user(session, email) is not None:
        raise AccountError(_("Det finnes allerede en konto med denne adressen."))
    user = User(
        email=email,
        password_hash=hash_password(password),
        name=name.strip()[:200],
        email_confirmed_at=utcnow() if confirmed else None,
    )
    session.add(user)
    session.flush()
    return user


def grant(
    session: Session,
    user: User,
    role: Role,
    municipality: str | None = None,
    organization: int | None = None,
    language: str | None = None,
) -> RoleGrant:
    """Give a user a role in a scope (coordinators need a municipality, translators a
    language, volunteers and organization editors an organization)."""
    needs = {
        Role.COORDINATOR: municipality,
        Role.TRANSLATOR: language,
        Role.VOLUNTEER: organization,
        Role.ORGANIZATION_EDITOR: organization,
    }
    if role in needs and not needs[role]:
        raise AccountError(f"{role.value} needs a scope")
    row = RoleGrant(
        user=user,
        role=role,
        municipality_number=municipality,
        organization_id=organization,
        language=language,
    )
    session.add(row)
    session.flush()
    return row


# -- tokens ----------------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"account-{purpose}")


def _fingerprint(user: User) -> str:
    confirmed = user.email_confirmed_at.isoformat() if user.email_confirmed_at else "-"
    return f"{user.password_hash[-16:]}|{confirmed}"


def make_token(user: User, purpose: str) -> str:
    """A signed token for one purpose ("confirm" or "reset") that expires and works once."""
    return str(_serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)}))


def read_token(session: Session, token: str, purpose: str) -> User | None:
    """The user a valid, unexpired, unused token names, or None."""
    try:
        data: Any = _serializer(purpose).loads(token[:500], max_age=TOKEN_MAX_AGE[purpose])
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = session.get(User, data["u"])
    if user is None or data.get("f") != _fingerprint(user):
        return None
    return user


def confirm_email(user: User) -> None:
    """Mark the address as confirmed (this also spends the confirmation token)."""
    user.email_confirmed_at = utcnow()


def set_password(user: User, password: str) -> None:
    """Change the password (this also spends any reset token and ends other sessions)."""
    check_password_rules(password, user.email)
    user.password_hash = hash_password(password)


# -- mail ------------------------------------------------------------------------------


def send_mail(session: Session, recipient: str, subject: str, body: str) -> OutgoingMail:
    """Send through SMTP when MAIL_SERVER is set; always keep a copy in the outbox table."""
    mail = OutgoingMail(recipient=recipient, subject=subject[:300], body=body)
    session.add(mail)
    server = current_app.config.get("MAIL_SERVER") or ""
    if server:
        message = EmailMessage()
        message["From"] = current_app.config.get("MAIL_FROM") or "noreply@localhost"
        message["To"], message["Subject"] = recipient, subject
        message.set_content(body)
        port = int(current_app.config.get("MAIL_PORT") or 25)
        with smtplib.SMTP(server, port, timeout=10) as smtp:
            if current_app.config.get("MAIL_STARTTLS"):
                smtp.starttls()
            if current_app.config.get("MAIL_USERNAME"):
                smtp.login(current_app.config["MAIL_USERNAME"], current_app.config["MAIL_PASSWORD"])
            smtp.send_message(message)
        mail.sent_at = dt.datetime.now(dt.UTC)
    else:
        current_app.logger.info("Mail to %s kept in the outbox: %s", recipient, subject)
    session.flush()
    return mail


# -- two-step login (TOTP) -------------------------------------------------------------

RECOVERY_CODES = 10


def new_totp_secret() -> str:
    """A fresh base32 secret for an authenticator app."""
    return str(pyotp.random_base32())


def totp_uri(user: User, secret: str) -> str:
    """The otpauth:// address authenticator apps read (as text or a QR code)."""
    return str(pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Lokaltilbud"))


def _totp_step(secret: str, code: str) -> int | None:
    """The time step a code belongs to (now, or one step either side), or None."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = dt.datetime.now(dt.UTC)
    for offset in (0, -1, 1):
        moment = now + dt.timedelta(seconds=30 * offset)
        if totp.verify(code, for_time=moment, valid_window=0):
            return int(totp.timecode(moment))
    return None


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def enable_two_step(session: Session, user: User, secret: str, code: str) -> list[str] | None:
    """Turn two-step login on if the code matches the new secret; return recovery codes."""
    step = _totp_step(secret, code)
    if step is None:
        return None
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, utcnow(), step
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    for existing in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(existing)
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(c)) for c in codes)
    session.flush()
    return codes


def check_second_step(session: Session, user: User, code: str) -> bool:
    """A current one-time code (never one already used) or an unused recovery code."""
    if not user.two_step_on or not user.totp_secret:
        return False
    step = _totp_step(user.totp_secret, code)
    if step is not None:
        if step <= user.totp_last_step:
            return False  # replayed
        user.totp_last_step = step
        return True
    recovery = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    return True
