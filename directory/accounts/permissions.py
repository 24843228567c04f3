"""Who may do what, in one place; views and queries ask these functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import flask_login

from directory.accounts.models import Role, User


def coordinated_municipalities(user: Any) -> set[str] | None:
    """Municipality numbers a user coordinates; None means all (administrators)."""
    if not isinstance(user, User):  # anonymous visitors (Flask-Login's AnonymousUserMixin)
        return set()
    if user.needs_two_step and not user.two_step_on:
        return set()  # no coordinator or administrator powers before two-step login is on
    if user.is_admin:
        return None
    return {
        g.municipality_number
        for g in user.grants
        if g.role is Role.COORDINATOR and g.municipality_number
    }


def translator_languages(user: Any) -> set[str] | None:
    """Languages a user translates; None means all (administrators)."""
    if not isinstance(user, User):
        return set()
    if user.is_admin and user.two_step_on:
        return None
    return {g.language for g in user.grants if g.role is Role.TRANSLATOR and g.language}


def can_translate(user: Any, municipality: str, language: str) -> bool:
    """Coordinators translate anything in their municipalities, translators their
    languages everywhere, administrators everything."""
    municipalities = coordinated_municipalities(user)
    languages = translator_languages(user)
    if municipalities is None or languages is None:
        return True
    return municipality in municipalities or language in languages


def may_use_translation_queue(user: Any) -> bool:
    """Whether the translation pages are for this user at all."""
    municipalities = coordinated_municipalities(user)
    languages = translator_languages(user)
    return municipalities is None or languages is None or bool(municipalities or languages)


def login_required[F: Callable[..., Any]](view: F) -> F:
    """Flask-Login's decorator, typed: anonymous visitors go to the login page."""
    return cast("F", flask_login.login_required(view))
