"""Reading and loading counties and municipalities."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from directory.config import ConfigError
from directory.extensions import db
from directory.places.models import County, Municipality, MunicipalityName
from directory.text import fold

MUNICIPALITIES_CSV = "municipalities.csv"


def read_municipality_rows() -> list[dict[str, str]]:
    """The packaged list of all municipalities (2024 structure), as CSV rows."""
    source = resources.files("directory.places").joinpath("data", MUNICIPALITIES_CSV)
    return list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"))))


def load_municipalities(session: Session, rows: Iterable[dict[str, str]]) -> int:
    """Insert or update counties and municipalities with all their official names."""
    counties = {c.number: c for c in session.scalars(select(County))}
    existing = {
        m.number: m
        for m in session.scalars(select(Municipality).options(selectinload(Municipality.names)))
    }
    count = 0
    for row in rows:
        county = counties.get(row["county_number"])
        if county is None:
            county = County(number=row["county_number"], name=row["county"])
            session.add(county)
            counties[county.number] = county
        county.name = row["county"]
        municipality = existing.get(row["number"]) or Municipality(number=row["number"])
        municipality.name = row["name"]
        municipality.county = county
        municipality.latitude = float(row["lat"])
        municipality.longitude = float(row["lon"])
        municipality.sami_area = row["sami_admin_area"] == "1"
        names = [row["name"], *[n.strip() for n in row["other_names"].split(";") if n.strip()]]
        if [n.name for n in municipality.names] != names:
            municipality.names = [MunicipalityName(name=n, folded=fold(n)) for n in names]
        session.add(municipality)
        count += 1
    session.flush()
    return count


def find_municipalities(query: str, limit: int = 50) -> list[Municipality]:
    """Municipalities with a name in any official form matching ``query``.

    Matching ignores case, accents and Nordic/Sami letters; names that start with the
    query come before names that merely contain it.
    """
    folded = fold(query)[:100]
    if not folded:
        return []
    starts = func.min(
        case((MunicipalityName.folded.startswith(folded, autoescape=True), 0), else_=1)
    )
    stmt = (
        select(Municipality)
        .join(MunicipalityName)
        .where(MunicipalityName.folded.contains(folded, autoescape=True))
        .group_by(Municipality.number)
        .order_by(starts, Municipality.name)
        .options(selectinload(Municipality.names), selectinload(Municipality.county))
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def counties_with_municipalities() -> list[County]:
    """All counties in name order, each with its municipalities loaded."""
    stmt = (
        select(County)
        .order_by(County.name)
        .options(selectinload(County.municipalities).selectinload(Municipality.names))
    )
    return list(db.session.scalars(stmt))


def municipalities_near(
    latitude: float, longitude: float, limit: int = 5, exclude: str | None = None
) -> list[tuple[Municipality, float]]:
    """The nearest municipalities to a point, with distances in km."""
    from geopy.distance import geodesic

    here = (latitude, longitude)
    places = [
        (m, geodesic(here, (m.latitude, m.longitude)).km)
        for m in db.session.scalars(select(Municipality))
        if m.number != exclude
    ]
    return sorted(places, key=lambda pair: pair[1])[:limit]


def locate(text: str) -> tuple[float, float, str] | None:
    """A point for what a reader typed as "near": a municipality (any official name or
    number), a postal code of a known venue, or, when a geocoder is configured, an address.
    """
    from flask import current_app

    from directory.places.models import Venue

    text = text.strip()[:100]
    if not text:
        return None
    if text.isdigit() and len(text) == 4:
        venue = db.session.scalars(
            select(Venue).where(Venue.postal_code == text, Venue.latitude.is_not(None))
        ).first()
        if venue is not None and venue.latitude is not None and venue.longitude is not None:
            return venue.latitude, venue.longitude, f"{text} {venue.postal_place}".strip()
        by_number = db.session.get(Municipality, text)
        if by_number is not None:
            return by_number.latitude, by_number.longitude, by_number.name
    folded = fold(text)
    exact = db.session.scalars(
        select(Municipality).join(MunicipalityName).where(MunicipalityName.folded == folded)
    ).first()
    found = exact or next(iter(find_municipalities(text, limit=1)), None)
    if found is not None:
        return found.latitude, found.longitude, found.name
    geocode = current_app.extensions.get("geocoder")
    if geocode is not None:
        try:
            point = geocode(" ".join(text.split()))
        except Exception:  # a geocoder outage must not break search
            current_app.logger.warning("Geocoding failed for %r", text)
            return None
        if point is not None:
            return point[0], point[1], text
    return None


def init_geocoder(app: Flask) -> None:
    """Geocode addresses through a Nominatim server when GEOCODER_URL is set.

    Nominatim's usage policy asks for a user agent that names the application and at
    most one request a second: geopy's RateLimiter spaces the requests, and answers are
    remembered, so a popular address is looked up once per process.
    """
    url = app.config.get("GEOCODER_URL") or ""
    if not url:
        return
    agent = app.config.get("GEOCODER_USER_AGENT") or ""
    if not agent:
        raise ConfigError("GEOCODER_USER_AGENT must name this site when GEOCODER_URL is set.")
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    parts = urlsplit(url)
    nominatim = Nominatim(
        user_agent=agent,
        domain=(parts.netloc + parts.path).rstrip("/"),
        scheme=parts.scheme or "https",
        timeout=3,
    )
    limited = RateLimiter(
        nominatim.geocode,
        min_delay_seconds=float(app.config.get("GEOCODER_MIN_DELAY", 1.0)),
        max_retries=0,
        swallow_exceptions=False,
    )

    @lru_cache(maxsize=2048)
    def geocode(query: str) -> tuple[float, float] | None:
        location = limited(query, country_codes="no", exactly_one=True)
        return None if location is None else (location.latitude, location.longitude)

    app.extensions["geocoder"] = geocode
