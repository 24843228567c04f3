"""/<locale>/search: full-text search with filters, facets, distance and sorting."""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Blueprint, current_app, g, render_template, request
from markupsafe import Markup, escape

from directory.extensions import db
from directory.listings.services import filter_choices, listings_by_ids
from directory.places.models import Municipality
from directory.places.services import locate, municipalities_near
from directory.search.engine import Origin, SearchRequest
from directory.search.index import IndexUnavailableError
from directory.search.service import rebuild_in_background, search_engine
from directory.search.vocabulary import vocabulary
from directory.text import fold

bp = Blueprint("search", __name__, url_prefix="/<locale>")
_WORDS = re.compile(r"(\w+(?:['’]\w+)*)")


_fold = lru_cache(maxsize=50_000)(fold)


def highlight(text: str, terms: set[str]) -> Markup:
    """Escape a text and wrap words that start with a searched word in <mark>."""
    if not terms:
        return escape(text)
    parts = []
    for piece in _WORDS.split(text):
        folded = _fold(piece)
        hit = folded and any(
            folded.startswith(t) or (t.startswith(folded) and len(folded) > 3)
            for t in terms
            if len(t) > 1
        )
        parts.append(Markup("<mark>%s</mark>") % piece if hit else escape(piece))
    return Markup("").join(parts)


def _origin() -> Origin | None:
    lat, lon = request.args.get("lat", ""), request.args.get("lon", "")
    try:
        if lat and lon:
            latitude, longitude = float(lat), float(lon)
            if -90 <= latitude <= 90 and -180 <= longitude <= 180:
                return Origin(latitude, longitude, "")
    except ValueError:
        pass
    near = request.args.get("near", "")
    if near:
        found = locate(near)
        if found is not None:
            return Origin(*found)
    number = request.args.get("municipality", "")
    if request.args.get("sort") == "distance" and number:
        place = db.session.get(Municipality, number[:4])
        if place is not None:
            return Origin(place.latitude, place.longitude, place.name)
    return None


def _filter_choices(search_request: SearchRequest) -> dict[str, object]:
    number = search_request.filters.get("municipality", "")
    return {
        **filter_choices(),
        "municipality": db.session.get(Municipality, number) if number else None,
        "near_text": request.args.get("near", "")[:100],
    }


def _nearby(place: Municipality | None, origin: Origin | None) -> list[tuple[Municipality, float]]:
    if place is not None:
        return municipalities_near(place.latitude, place.longitude, exclude=place.number)
    if origin is not None:
        return municipalities_near(origin.latitude, origin.longitude)
    return []


@bp.get("/search")
def search() -> tuple[str, int]:
    """Search or browse listings; works without JavaScript."""
    origin = _origin()
    search_request = SearchRequest.from_args(request.args, origin)
    context = {"req": search_request, "origin": origin, **_filter_choices(search_request)}
    try:
        results = search_engine().search(search_request, g.locale, vocabulary(db.session()))
    except IndexUnavailableError:
        if current_app.config.get("SEARCH_AUTO_REBUILD", True):
            rebuild_in_background(current_app._get_current_object())  # type: ignore[attr-defined]
        return render_template("search/search.html", unavailable=True, **context), 503
    listings = listings_by_ids([hit.listing_id for hit in results.hits])
    hits = [(hit, listings[hit.listing_id]) for hit in results.hits if hit.listing_id in listings]
    place = context["municipality"]
    nearby = (
        [] if results.total else _nearby(place if isinstance(place, Municipality) else None, origin)
    )
    return render_template(
        "search/search.html",
        unavailable=False,
        results=results,
        hits=hits,
        nearby=nearby,
        highlight=highlight,
        **context,
    ), 200
