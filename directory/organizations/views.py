"""The public page of an organization."""

from __future__ import annotations

from flask import Blueprint, render_template

from directory.extensions import db
from directory.listings.models import Listing
from directory.listings.services import card_options, public_listings
from directory.organizations.models import Organization

bp = Blueprint("organizations", __name__, url_prefix="/<locale>")


@bp.get("/organization/<int:organization_id>")
@bp.get("/organization/<int:organization_id>/<slug>")
def organization(organization_id: int, slug: str | None = None) -> str:
    """Who an organization is, how to reach it, and what it runs."""
    org = db.get_or_404(Organization, organization_id)
    stmt = (
        public_listings()
        .where(Listing.organization_id == org.id)
        .options(*card_options())
        .order_by(Listing.kind, Listing.title)
    )
    return render_template(
        "organizations/organization.html", org=org, listings=db.session.scalars(stmt).all()
    )
