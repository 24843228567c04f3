"""Factory functions for test data, built through the same services as real writes."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.listings.models import (
    Eligibility,
    Event,
    Listing,
    ListingLanguage,
    ListingStatus,
    Offer,
)
from directory.listings.services import save_listing
from directory.organizations.models import Organization, OrganizationKind
from directory.places.models import Municipality, Venue
from directory.schedules.models import Schedule
from directory.taxonomy.models import Category, TargetGroup

_ids = count(1)

# Kautokeino has no demo listings, so tests there see only what they create.
EMPTY_MUNICIPALITY = "5612"


def make_organization(
    session: Session, municipality: str = EMPTY_MUNICIPALITY, **fields: Any
) -> Organization:
    """An organization in a municipality."""
    org = Organization(
        name=fields.pop("name", f"Testlag {next(_ids)}"),
        kind=fields.pop("kind", OrganizationKind.NGO),
        municipality=session.get(Municipality, municipality),
        **fields,
    )
    session.add(org)
    session.flush()
    return org


def weekly(day: str = "TU", opens: str = "18:00", closes: str = "20:00", **fields: Any) -> Schedule:
    """A weekly schedule on one or more days (RRULE BYDAY codes)."""
    return Schedule(
        dtstart=fields.pop("dtstart", dt.date(2026, 1, 6)),
        opens_at=dt.time.fromisoformat(opens),
        closes_at=dt.time.fromisoformat(closes),
        rrule=f"FREQ=WEEKLY;BYDAY={day}",
        rdates=[],
        exdates=[],
        **fields,
    )


def make_listing(
    session: Session,
    *,
    kind: type[Listing] = Offer,
    municipality: str = EMPTY_MUNICIPALITY,
    category: str = "language-cafe",
    targets: tuple[str, ...] = ("everyone",),
    languages: tuple[str, ...] = ("nb",),
    schedules: list[Schedule] | None = None,
    **fields: Any,
) -> Listing:
    """A published listing with sensible defaults, saved through save_listing."""
    categories = {c.slug: c for c in session.scalars(select(Category))}
    groups = {g.slug: g for g in session.scalars(select(TargetGroup))}
    organization = fields.pop("organization", None) or make_organization(session, municipality)
    listing = kind(
        title=fields.pop("title", f"Aktivitet {next(_ids)}"),
        summary=fields.pop("summary", "En kort tekst."),
        organization=organization,
        municipality=session.get(Municipality, municipality),
        primary_category=categories[category],
        categories=[categories[category]],
        target_groups=[groups[s] for s in targets],
        languages=[ListingLanguage(code=c, position=i) for i, c in enumerate(languages)],
        status=fields.pop("status", ListingStatus.PUBLISHED),
        eligibility=fields.pop("eligibility", Eligibility.OPEN),
        schedules=schedules if schedules is not None else [weekly()],
        **fields,
    )
    return save_listing(session, listing)


def make_event(session: Session, when: dt.datetime, **fields: Any) -> Listing:
    """A single-date event."""
    schedule = Schedule(
        dtstart=when.date(),
        opens_at=when.time(),
        closes_at=(when + dt.timedelta(hours=2)).time(),
        rdates=[],
        exdates=[],
    )
    return make_listing(session, kind=Event, schedules=[schedule], **fields)


def make_venue(session: Session, municipality: str = EMPTY_MUNICIPALITY, **fields: Any) -> Venue:
    """A venue with an address and a point."""
    venue = Venue(
        name=fields.pop("name", "Biblioteket"),
        street_address="Storgata 1",
        postal_code="9520",
        postal_place="Kautokeino",
        municipality=session.get(Municipality, municipality),
        latitude=fields.pop("latitude", 69.0),
        longitude=fields.pop("longitude", 23.0),
        **fields,
    )
    session.add(venue)
    session.flush()
    return venue
