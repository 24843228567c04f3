"""Finding your municipality: the home page, name lookup and county pages."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from sqlalchemy import func

from directory.extensions import db
from directory.listings.models import Listing
from directory.listings.services import public_listings
from directory.places.models import County, Municipality
from directory.places.services import counties_with_municipalities, find_municipalities

bp = Blueprint("places", __name__, url_prefix="/<locale>")


@bp.get("/")
def home() -> str:
    """Find your municipality: a search form and every municipality by county."""
    return render_template("places/home.html", counties=counties_with_municipalities())


@bp.get("/municipalities")
def municipalities() -> str:
    """Municipalities whose name, in any official form, matches ``q``."""
    query = request.args.get("q", "").strip()[:100]
    found = find_municipalities(query) if query else []
    return render_template("places/municipalities.html", query=query, found=found)


@bp.get("/municipalities.json")
def municipalities_json() -> Response:
    """Type-ahead suggestions for the municipality search (an enhancement)."""
    found = find_municipalities(request.args.get("q", "").strip()[:100], limit=10)
    return jsonify(
        [
            {
                "name": m.display_name,
                "url": url_for("listings.municipality", number=m.number, slug=m.slug),
            }
            for m in found
        ]
    )


@bp.get("/county/<string(length=2):number>")
def county(number: str) -> str:
    """A county: its municipalities and how many listings each has."""
    county = db.get_or_404(County, number)
    counts_stmt = (
        public_listings()
        .with_only_columns(Listing.municipality_number, func.count())
        .join(Municipality)
        .where(Municipality.county_number == number)
        .group_by(Listing.municipality_number)
    )
    counts = dict(db.session.execute(counts_stmt).all())
    return render_template("places/county.html", county=county, counts=counts)
