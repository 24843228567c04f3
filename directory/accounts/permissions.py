"""Who may do what, in one place; views and queries ask these functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import flask_login
from sqlalchemy import Select, false, or_, select

from directory.accounts.models import Role, User
from directory.listings.models import Listing
from directory.organizations.models import Organization


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


def member_organizations(user: Any) -> set[int]:
    """Organizations whose listings a user writes (volunteers and organization editors)."""
    if not isinstance(user, User):
        return set()
    roles = (Role.VOLUNTEER, Role.ORGANIZATION_EDITOR)
    return {g.organization_id for g in user.grants if g.role in roles and g.organization_id}


def edited_organizations(user: Any) -> set[int]:
    """Organizations whose profile and members a user manages as organization editor."""
    if not isinstance(user, User):
        return set()
    return {
        g.organization_id
        for g in user.grants
        if g.role is Role.ORGANIZATION_EDITOR and g.organization_id
    }


def editable_listings(user: Any) -> Select[Listing]:
    """Every listing a user may open and change: their organizations' listings and, for
    coordinators, everything in their municipalities. The one scoped query behind every
    contributor page."""
    return _scoped(
        select(Listing),
        user,
        Listing.municipality_number,
        Listing.organization_id,
        member_organizations(user),
    )


def _scoped(
    stmt: Select[Any], user: Any, municipality: Any, own_column: Any, own: set[int]
) -> Select[Any]:
    """Rows in the user's municipalities (all for administrators) or their own."""
    municipalities = coordinated_municipalities(user)
    if municipalities is None:
        return stmt
    conditions = []
    if municipalities:
        conditions.append(municipality.in_(municipalities))
    if own:
        conditions.append(own_column.in_(own))
    return stmt.where(or_(*conditions) if conditions else false())


def reviewable_listings(user: Any) -> Select[Listing]:
    """Listings a user may approve, reject, verify, restore: coordinators' municipalities."""
    stmt = select(Listing)
    municipalities = coordinated_municipalities(user)
    if municipalities is None:
        return stmt
    return stmt.where(Listing.municipality_number.in_(municipalities or {""}))


def manageable_organizations(user: Any) -> Select[Organization]:
    """Organizations whose profile and members a user manages: organization editors their
    own, coordinators those in their municipalities, administrators all."""
    return _scoped(
        select(Organization),
        user,
        Organization.municipality_number,
        Organization.id,
        edited_organizations(user),
    )


def may_review(user: Any, listing: Listing) -> bool:
    """Whether the user curates the listing's municipality."""
    municipalities = coordinated_municipalities(user)
    return municipalities is None or listing.municipality_number in municipalities


def login_required[F: Callable[..., Any]](view: F) -> F:
    """Flask-Login's decorator, typed: anonymous visitors go to the login page."""
    return cast("F", flask_login.login_required(view))


def postable_organizations(user: Any) -> Select[Organization]:
    """Organizations a user may post listings for: their own, and for coordinators every
    organization in their municipalities."""
    return _scoped(
        select(Organization),
        user,
        Organization.municipality_number,
        Organization.id,
        member_organizations(user),
    )
