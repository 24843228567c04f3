"""The back office at /admin/ (Flask-Admin), for coordinators and administrators.

Flask-Admin ships a Norwegian catalog as ``no`` only; ``admin/translations`` carries it as
``nb`` and ``nn`` (Flask-Admin looks there first), so the back office speaks Norwegian
when the site does. The model views and why they look as they do: admin/views.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, url_for
from flask_admin import Admin, AdminIndexView, expose
from flask_login import current_user
from sqlalchemy import Select, func, select

from admin.imports import (
    DuplicateView,
    ImportRunView,
    ImportSourceView,
    ImportUploadView,
    duplicates_in_scope,
    init_imports,
)
from admin.views import (
    BackOfficeAccess,
    CategoryView,
    ListingView,
    MunicipalityView,
    OrganizationView,
    ProblemReportView,
    RoleGrantView,
    UserView,
    curated_municipalities,
)
from directory.accounts.models import RoleGrant, User
from directory.accounts.permissions import reviewable_listings
from directory.extensions import db
from directory.i18n import _l
from directory.listings.models import Listing, ListingStatus
from directory.moderation.freshness import silent_organizations, stale_listings
from directory.moderation.models import ProblemReport
from directory.moderation.reports import open_reports, reports_in_scope
from directory.organizations.models import Organization
from directory.places.models import Municipality
from directory.taxonomy.models import Category
from importers.models import ImportRun, ImportSource, PossibleDuplicate

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
SHORT_LIST = 10  # items shown under each count on the dashboard
LONG_LIST = 50  # stale listings and silent organizations counted at most ("50+")


def count(stmt: Select[Any]) -> int:
    """How many rows a select returns."""
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


class Dashboard(BackOfficeAccess, AdminIndexView):  # type: ignore[misc]
    """What waits for the coordinator: reviews, stale listings, reports, translations."""

    listings: ListingView | None = None

    def review_url(self) -> str:
        """The site's review queue, or the admin list filtered on pending."""
        if "contribute.review_queue" in current_app.view_functions:
            return url_for("contribute.review_queue", locale="nb")
        if self.listings is None:
            return url_for("admin.index")
        return self.listings.filter_url(Listing.status, ListingStatus.PENDING.value)

    @expose("/")  # type: ignore[untyped-decorator]  # Flask-Admin ships no types
    def index(self) -> str:
        """Counts and short lists in the user's scope."""
        session = db.session()
        mine = curated_municipalities()
        waiting = reviewable_listings(current_user).where(Listing.status == ListingStatus.PENDING)
        pending = list(session.scalars(waiting.order_by(Listing.updated_at).limit(SHORT_LIST)))
        open_in_scope = reports_in_scope(mine).where(ProblemReport.resolved_at.is_(None))
        rendered: str = self.render(
            "admin/dashboard.html",
            pending_count=count(waiting),
            pending=pending,
            review_url=self.review_url(),
            stale=stale_listings(session, mine, limit=LONG_LIST),
            silent=silent_organizations(session, mine, limit=LONG_LIST),
            reports_count=count(open_in_scope),
            reports=open_reports(session, mine, limit=SHORT_LIST),
            duplicates_count=count(duplicates_in_scope()),
            unconfirmed_days=current_app.config["UNCONFIRMED_AFTER_DAYS"],
            short_list=SHORT_LIST,
            long_list=LONG_LIST,
        )
        return rendered


def init_admin(app: Flask) -> Admin:
    """Attach the back office and its views."""
    dashboard = Dashboard(url="/admin")
    admin = Admin(
        app,
        name="Lokaltilbud",
        url="/admin",
        index_view=dashboard,
        translations_path=str(TRANSLATIONS),
    )
    dashboard.listings = ListingView(Listing, name=_l("Oppføringer"), endpoint="listing")
    admin.add_views(
        dashboard.listings,
        ProblemReportView(ProblemReport, name=_l("Meldinger om feil"), endpoint="report"),
        OrganizationView(Organization, name=_l("Organisasjoner"), endpoint="organization"),
        UserView(User, name=_l("Brukere"), endpoint="user"),
        RoleGrantView(RoleGrant, name=_l("Roller"), endpoint="grant"),
        MunicipalityView(Municipality, name=_l("Kommuner"), endpoint="municipality"),
        CategoryView(Category, name=_l("Kategorier"), endpoint="category"),
        ImportUploadView(name=_l("Importer en fil"), endpoint="import", url="/admin/import"),
        ImportSourceView(ImportSource, name=_l("Importkilder"), endpoint="importsource"),
        ImportRunView(ImportRun, name=_l("Importkjøringer"), endpoint="importrun"),
        DuplicateView(PossibleDuplicate, name=_l("Mulige dubletter"), endpoint="duplicate"),
    )
    init_imports(app)
    return admin
