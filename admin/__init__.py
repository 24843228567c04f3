"""The back office at /admin/ (Flask-Admin), for coordinators and administrators.

Flask-Admin ships a Norwegian catalog as ``no`` only; ``admin/translations`` carries it as
``nb`` and ``nn`` (Flask-Admin looks there first), so the back office speaks Norwegian
when the site does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import Flask, abort, redirect, request, url_for
from flask_admin import Admin, AdminIndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from directory.accounts.permissions import coordinated_municipalities
from directory.extensions import db
from directory.listings.models import Listing, ListingStatus

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
STALE_AFTER = dt.timedelta(days=90)


def in_scope(stmt: Any) -> Any:
    """Restrict a listing query to the current user's municipalities (all for admins)."""
    mine = coordinated_municipalities(current_user)
    return stmt if mine is None else stmt.where(Listing.municipality_number.in_(mine))


class Dashboard(AdminIndexView):  # type: ignore[misc]
    """What waits for the coordinator: reviews, stale listings, translations."""

    def is_accessible(self) -> bool:
        """Coordinators and administrators only."""
        mine = coordinated_municipalities(current_user)
        return mine is None or bool(mine)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        """Anonymous: log in first; signed in without the role: as if it did not exist."""
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", locale="nb", next=request.path))
        abort(404)

    @expose("/")  # type: ignore[untyped-decorator]  # Flask-Admin ships no types
    def index(self) -> str:
        """Counts in the user's scope."""
        pending = db.session.scalar(
            in_scope(select(func.count(Listing.id)).where(Listing.status == ListingStatus.PENDING))
        )
        cutoff = dt.datetime.now(dt.UTC) - STALE_AFTER
        stale = db.session.scalar(
            in_scope(
                select(func.count(Listing.id)).where(
                    Listing.status == ListingStatus.PUBLISHED,
                    (Listing.verified_at.is_(None)) | (Listing.verified_at < cutoff),
                )
            )
        )
        rendered: str = self.render("admin/dashboard.html", pending=pending, stale=stale)
        return rendered


def init_admin(app: Flask) -> Admin:
    """Attach the back office."""
    return Admin(
        app,
        name="Lokaltilbud",
        url="/admin",
        index_view=Dashboard(url="/admin"),
        translations_path=str(TRANSLATIONS),
    )
