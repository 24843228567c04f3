"""/<locale>/account/…: log in and out, register, confirm the address, reset the password.

Answers never reveal whether an address has an account: registering a known address and
asking to reset an unknown one look the same from outside; the mail says what happened.
"""

from __future__ import annotations

import time

from flask import Blueprint, current_app, redirect, render_template, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from directory.accounts.forms import (
    CodeForm,
    LoginForm,
    RegisterForm,
    ResetForm,
    ResetRequestForm,
)
from directory.accounts.models import User
from directory.accounts.permissions import (
    edited_organizations,
    login_required,
    may_use_translation_queue,
)
from directory.accounts.services import (
    AccountError,
    authenticate,
    check_second_step,
    confirm_email,
    create_user,
    enable_two_step,
    find_user,
    make_token,
    new_totp_secret,
    read_token,
    send_mail,
    set_password,
    totp_uri,
)
from directory.extensions import db, limiter
from directory.i18n import _

bp = Blueprint("accounts", __name__, url_prefix="/<locale>/account")
PENDING = "two_step_pending"
NEW_KEY = "two_step_key"
PENDING_SECONDS = 300


def _message(title: str, text: str, status: int = 200) -> tuple[str, int]:
    return render_template("account/message.html", title=title, text=text), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> str | Response | tuple[str, int]:
    """Log in with e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session(), form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            if user.two_step_on:
                # The password was right; the one-time code comes next (five minutes).
                session[PENDING] = {"id": user.get_id(), "at": time.time()}
                return redirect(url_for("accounts.second_step"))
            login_user(user)
            return redirect(url_for("accounts.index"))
        form.password.errors.append(_("Feil e-post eller passord."))
        return render_template("account/login.html", form=form), 200
    return render_template("account/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def second_step() -> str | Response | tuple[str, int]:
    """The one-time code from the authenticator app (or a recovery code)."""
    pending = session.get(PENDING) or {}
    user = load_user(str(pending.get("id", ""))) if pending else None
    if user is None or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if check_second_step(db.session(), user, form.code.data):
            db.session.commit()
            session.pop(PENDING, None)
            login_user(user)
            return redirect(url_for("accounts.index"))
        db.session.rollback()
        form.code.errors.append(_("Koden stemmer ikke. Prøv den neste koden i appen."))
    return render_template("account/code.html", form=form)


@bp.route("/two-step", methods=["GET", "POST"])
@login_required
def two_step() -> str:
    """Turn on two-step login: scan or type the key, confirm with a code."""
    user: User = current_user
    if user.two_step_on:
        return render_template("account/two_step.html", done=True, codes=None)
    secret = session.get(NEW_KEY) or new_totp_secret()
    session[NEW_KEY] = secret
    form = CodeForm()
    if form.validate_on_submit():
        codes = enable_two_step(db.session(), user, secret, form.code.data)
        if codes is not None:
            db.session.commit()
            session.pop(NEW_KEY, None)
            return render_template("account/two_step.html", done=True, codes=codes)
        form.code.errors.append(_("Koden stemmer ikke. Prøv den neste koden i appen."))
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template(
        "account/two_step.html",
        done=False,
        form=form,
        secret=grouped,
        uri=totp_uri(user, secret),
    )


@bp.post("/logout")
def logout() -> Response:
    """Log out (POST only, with a CSRF token)."""
    logout_user()
    return redirect(url_for("places.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
def register() -> str | tuple[str, int]:
    """Create a contributor account; a link in the e-mail confirms the address."""
    form = RegisterForm()
    if not form.validate_on_submit():
        return render_template("account/register.html", form=form)
    session = db.session()
    existing = find_user(session, form.email.data)
    if existing is not None:
        token = make_token(existing, "reset")
        send_mail(
            session,
            existing.email,
            _("Du har allerede en konto"),
            _(
                "Noen prøvde å lage en ny konto med denne adressen. Du har allerede en konto. "
                "Har du glemt passordet, kan du lage et nytt her: %(url)s",
                url=url_for("accounts.reset_password", token=token, _external=True),
            ),
        )
    else:
        try:
            user = create_user(session, form.email.data, form.password.data, form.name.data)
        except AccountError as error:
            form.password.errors.append(str(error))
            return render_template("account/register.html", form=form)
        send_mail(
            session,
            user.email,
            _("Bekreft e-postadressen din"),
            _(
                "Velkommen til Lokaltilbud. Åpne denne lenken for å bekrefte adressen din: %(url)s",
                url=url_for("accounts.confirm", token=make_token(user, "confirm"), _external=True),
            ),
        )
    session.commit()
    return _message(_("Sjekk e-posten din"), _("Vi har sendt deg en e-post med en lenke."))


@bp.get("/confirm/<token>")
def confirm(token: str) -> tuple[str, int]:
    """Confirm an address from the link in the mail."""
    user = read_token(db.session(), token, "confirm")
    if user is None:
        return _message(_("Lenken virker ikke"), _("Lenken er brukt, for gammel eller feil."), 400)
    confirm_email(user)
    db.session.commit()
    return _message(_("Adressen er bekreftet"), _("Nå kan du logge inn."))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
def reset() -> str | tuple[str, int]:
    """Ask for a link to choose a new password."""
    form = ResetRequestForm()
    if not form.validate_on_submit():
        return render_template("account/reset_request.html", form=form)
    session = db.session()
    user = find_user(session, form.email.data)
    if user is not None and user.active:
        send_mail(
            session,
            user.email,
            _("Nytt passord"),
            _(
                "Åpne denne lenken innen en time for å velge et nytt passord: %(url)s",
                url=url_for(
                    "accounts.reset_password", token=make_token(user, "reset"), _external=True
                ),
            ),
        )
        session.commit()
    return _message(
        _("Sjekk e-posten din"),
        _("Hvis adressen har en konto, har vi sendt en lenke for å velge nytt passord."),
    )


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | tuple[str, int]:
    """Choose a new password from the link in the mail."""
    session = db.session()
    user = read_token(session, token, "reset")
    if user is None:
        return _message(_("Lenken virker ikke"), _("Lenken er brukt, for gammel eller feil."), 400)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.password.data)
        except AccountError as error:
            form.password.errors.append(str(error))
            return render_template("account/reset.html", form=form)
        if user.email_confirmed_at is None:
            confirm_email(user)  # the mail reached them: the address works
        session.commit()
        return _message(_("Passordet er endret"), _("Nå kan du logge inn med det nye passordet."))
    return render_template("account/reset.html", form=form)


@bp.get("/")
@login_required
def index() -> str:
    """The contributor's own page: who they are and what they may do."""
    from directory.accounts.permissions import coordinated_municipalities, member_organizations
    from directory.contribute.views import my_listings
    from directory.organizations.models import Organization

    user: User = current_user
    mine = member_organizations(user)
    organizations = (
        db.session.scalars(
            db.select(Organization).where(Organization.id.in_(mine)).order_by(Organization.name)
        ).all()
        if mine
        else []
    )
    coordinates = coordinated_municipalities(user)
    return render_template(
        "account/index.html",
        user=user,
        translates=may_use_translation_queue(user),
        listings=my_listings(user),
        organizations=organizations,
        edits=edited_organizations(user),
        reviews=coordinates is None or bool(coordinates),
    )


def load_user(identifier: str) -> User | None:
    """Flask-Login: the session names the user and a fingerprint of the password hash."""
    user_id, _sep, fingerprint = identifier.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.password_hash[-12:] != fingerprint:
        return None
    return user
