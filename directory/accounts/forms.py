"""Account forms (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from directory.accounts.services import PASSWORD_MAX, PASSWORD_MIN
from directory.i18n import _l


class LoginForm(FlaskForm):  # type: ignore[misc]
    """E-mail and password."""

    email = EmailField(_l("E-post"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Passord"), validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class RegisterForm(FlaskForm):  # type: ignore[misc]
    """A new contributor account."""

    name = StringField(_l("Navn"), validators=[Length(max=200)])
    email = EmailField(_l("E-post"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Passord"),
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)],
        description=_l("Minst 8 tegn. En setning du husker er et godt passord."),
    )


class ResetRequestForm(FlaskForm):  # type: ignore[misc]
    """Ask for a reset link."""

    email = EmailField(_l("E-post"), validators=[DataRequired(), Length(max=254)])


class ResetForm(FlaskForm):  # type: ignore[misc]
    """Choose a new password."""

    password = PasswordField(
        _l("Nytt passord"), validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)]
    )
    again = PasswordField(
        _l("Gjenta passordet"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passordene er ikke like."))],
    )


class CodeForm(FlaskForm):  # type: ignore[misc]
    """A six-digit one-time code, or a recovery code."""

    code = StringField(
        _l("Kode"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("Seks sifre fra appen, eller en av reservekodene dine."),
    )
