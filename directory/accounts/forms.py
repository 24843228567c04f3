"""Account forms (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from directory.accounts.services import PASSWORD_MAX
from directory.i18n import _l

# Our own messages: WTForms ships catalogs for only half of our languages. Password rules
# (length, common passwords) are checked once, in accounts.services.
REQUIRED = DataRequired(message=_l("Fyll ut dette feltet."))


def at_most(n: int) -> Length:
    """A length limit with a message in every interface language."""
    return Length(max=n, message=_l("Teksten er for lang."))


class LoginForm(FlaskForm):  # type: ignore[misc]
    """E-mail and password."""

    email = EmailField(_l("E-post"), validators=[REQUIRED, at_most(254)])
    password = PasswordField(_l("Passord"), validators=[REQUIRED, at_most(PASSWORD_MAX)])


class RegisterForm(FlaskForm):  # type: ignore[misc]
    """A new contributor account."""

    name = StringField(_l("Navn"), validators=[at_most(200)])
    email = EmailField(_l("E-post"), validators=[REQUIRED, at_most(254)])
    password = PasswordField(
        _l("Passord"),
        validators=[REQUIRED, at_most(PASSWORD_MAX)],
        description=_l("Minst 8 tegn. En setning du husker er et godt passord."),
    )


class ResetRequestForm(FlaskForm):  # type: ignore[misc]
    """Ask for a reset link."""

    email = EmailField(_l("E-post"), validators=[REQUIRED, at_most(254)])


class ResetForm(FlaskForm):  # type: ignore[misc]
    """Choose a new password."""

    password = PasswordField(_l("Nytt passord"), validators=[REQUIRED, at_most(PASSWORD_MAX)])
    again = PasswordField(
        _l("Gjenta passordet"),
        validators=[REQUIRED, EqualTo("password", message=_l("Passordene er ikke like."))],
    )


class CodeForm(FlaskForm):  # type: ignore[misc]
    """A six-digit one-time code, or a recovery code."""

    code = StringField(
        _l("Kode"),
        validators=[REQUIRED, at_most(20)],
        description=_l("Seks sifre fra appen, eller en av reservekodene dine."),
    )
