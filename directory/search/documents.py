"""Turning a listing into one index document."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from directory.listings.models import Eligibility, Listing
from directory.listings.services import DAY_CODES, WEEKEND_MASK
from directory.schedules.recurrence import next_occurrences, occurrences
from directory.search.analysis import group_for
from directory.search.schema import NO_NEXT, cell_of
from directory.taxonomy.models import Category

DATE_HORIZON = dt.timedelta(days=120)
TEXT_FIELDS = ("summary", "description", "eligibility_note", "cost_text", "registration_info")


def category_slugs(categories: list[Category]) -> set[str]:
    """Slugs of the categories and of their parents."""
    slugs: set[str] = set()
    for category in categories:
        node: Category | None = category
        while node is not None:
            slugs.add(node.slug)
            node = node.parent
    return slugs


def flags_of(listing: Listing) -> list[str]:
    """Yes/no facts people filter on, as keywords."""
    flags = {
        "free": listing.is_free,
        "dropin": not listing.registration_required,
        "childcare": listing.childcare,
        "women": "women" in listing.target_slugs,
        "nodocs": listing.no_documents,
        "open": listing.eligibility is Eligibility.OPEN,
    }
    return [name for name, on in flags.items() if on]


def times_of(listing: Listing) -> list[str]:
    """Daytime, evening and weekend keywords."""
    times = [
        name for name, on in (("daytime", listing.daytime), ("evening", listing.evening)) if on
    ]
    if listing.weekday_mask & WEEKEND_MASK:
        times.append("weekend")
    return times


def point_of(listing: Listing) -> tuple[float, float]:
    """Where the listing is: its venue, or else its municipality's point."""
    venue = listing.venue
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        return venue.latitude, venue.longitude
    return listing.municipality.latitude, listing.municipality.longitude


def document_for(listing: Listing, now: dt.datetime) -> dict[str, Any]:
    """The index document of a public listing."""
    titles: list[str] = [listing.title]
    texts: dict[str, list[str]] = defaultdict(list)
    source = group_for(listing.source_language)
    texts[source] += [listing.title, *(getattr(listing, f) for f in TEXT_FIELDS)]
    for row in listing.translations:
        texts[group_for(row.language)].append(row.text)
        if row.field == "title":
            titles.append(row.text)

    slugs = category_slugs(listing.categories)
    place = listing.municipality
    names = [listing.organization.name, place.name, *place.other_names]
    if listing.venue is not None:
        names += [listing.venue.name, listing.venue.postal_place]

    dates = sorted(
        {
            occ.local_date.isoformat()
            for schedule in listing.schedules
            for occ in occurrences(schedule, now, now + DATE_HORIZON)
        }
    )
    upcoming = next_occurrences(listing.schedules, now, count=1)
    latitude, longitude = point_of(listing)
    document: dict[str, Any] = {
        "id": str(listing.id),
        "kind": listing.kind.value,
        "municipality": listing.municipality_number,
        "county": listing.municipality.county_number,
        "category": ",".join(sorted(slugs)),
        "target": ",".join(sorted(listing.target_slugs)),
        "language": ",".join(listing.language_codes),
        "flag": ",".join(flags_of(listing)),
        "day": ",".join(c for i, c in enumerate(DAY_CODES) if listing.weekday_mask & (1 << i)),
        "time": ",".join(times_of(listing)),
        "date": ",".join(dates),
        "cell": cell_of(latitude, longitude),
        "lat": latitude,
        "lon": longitude,
        "next_at": int(upcoming[0].start.timestamp() // 60) if upcoming else NO_NEXT,
        "next": upcoming[0].start.isoformat() if upcoming else None,
        "names": " ".join(names),
        "words": " ".join([*titles, listing.organization.name]),
    }
    for group, values in texts.items():
        document[f"text_{group}"] = " ".join(v for v in values if v)
    return document
