"""Loading the demo set from TOML files, with events dated relative to today."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
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
from directory.places.models import Venue
from directory.schedules.models import Schedule, ScheduleBreak
from directory.schedules.recurrence import now_in_oslo, occurrences
from directory.taxonomy.models import Category, TargetGroup

DEMO_ORIGIN = "demo"
# Past demo events move forward by whole multiples of this period, keeping their weekday
# and the spread of events over the coming weeks.
REFRESH_PERIOD = dt.timedelta(days=56)
SEASON_LOOKBACK = dt.timedelta(days=120)


def read_demo_files() -> list[dict[str, Any]]:
    """Every packaged demo file, parsed, in file-name order."""
    folder = resources.files("directory.demo").joinpath("data")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    return [tomllib.loads(f.read_text(encoding="utf-8")) for f in files]


def _time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def _schedule(item: dict[str, Any], today: dt.date) -> Schedule:
    schedule = Schedule(
        opens_at=_time(item["starts"]),
        closes_at=_time(item["ends"]) if item.get("ends") else None,
        rrule=item.get("rrule"),
        valid_from=dt.date.fromisoformat(item["valid_from"]) if item.get("valid_from") else None,
        valid_to=dt.date.fromisoformat(item["valid_to"]) if item.get("valid_to") else None,
        skip_public_holidays=item.get("skip_public_holidays", False),
        rdates=[],
        exdates=[],
        breaks=[
            ScheduleBreak(
                starts_on=dt.date.fromisoformat(b[0]),
                ends_on=dt.date.fromisoformat(b[1]),
                reason=b[2] if len(b) > 2 else "",
            )
            for b in item.get("breaks", [])
        ],
    )
    schedule.dtstart = schedule.valid_from or today - SEASON_LOOKBACK
    if schedule.rrule:
        # RFC 5545 counts DTSTART as the first occurrence: anchor it on a real one.
        start = dt.datetime.combine(schedule.dtstart, dt.time(0), tzinfo=now_in_oslo().tzinfo)
        first = occurrences(schedule, start, start + dt.timedelta(days=400), limit=1)
        if first:
            schedule.dtstart = first[0].local_date
    return schedule


def _listing(
    model: type[Listing],
    item: dict[str, Any],
    refs: dict[str, Any],
    today: dt.date,
) -> Listing:
    categories = [refs["categories"][slug] for slug in item["categories"]]
    listing = model(
        origin=DEMO_ORIGIN,
        external_id=item["key"],
        source_language="nb",
        organization=refs["organizations"][item["organization"]],
        venue=refs["venues"].get(item.get("venue", "")),
        online_url=item.get("online_url", ""),
        title=item["title"],
        summary=item["summary"],
        description=item.get("description", "").strip(),
        primary_category=categories[0],
        categories=categories,
        target_groups=[refs["targets"][slug] for slug in item.get("target_groups", [])],
        min_age=item.get("min_age"),
        max_age=item.get("max_age"),
        is_free=item.get("free", True),
        cost_text=item.get("cost", ""),
        registration_required=not item.get("dropin", True),
        registration_info=item.get("registration", ""),
        childcare=item.get("childcare", False),
        no_documents=item.get("no_documents", False),
        eligibility=Eligibility(item.get("eligibility", "open")),
        eligibility_note=item.get("eligibility_note", ""),
        contact_name=item.get("contact_name", ""),
        contact_phone=item.get("contact_phone", ""),
        contact_email=item.get("contact_email", ""),
        status=ListingStatus(item.get("status", "published")),
        verified_at=now_in_oslo() - dt.timedelta(days=item.get("verified_days_ago", 30)),
        languages=[
            ListingLanguage(code=c, position=i) for i, c in enumerate(item.get("languages", []))
        ],
    )
    listing.municipality = listing.organization.municipality
    if listing.venue is not None:
        listing.municipality = listing.venue.municipality
    if "in_days" in item:
        when = today + dt.timedelta(days=int(item["in_days"]))
        listing.schedules = [
            Schedule(
                dtstart=when,
                opens_at=_time(item["starts"]),
                closes_at=_time(item["ends"]) if item.get("ends") else None,
                rdates=[],
                exdates=[],
            )
        ]
    else:
        listing.schedules = [_schedule(s, today) for s in item.get("schedules", [])]
    return listing


def load_demo(session: Session, files: list[dict[str, Any]] | None = None) -> dict[str, int]:
    """Create the demo organizations, venues, offers and events; flush, never commit."""
    from directory.places.models import Municipality

    files = read_demo_files() if files is None else files
    today = now_in_oslo().date()
    refs: dict[str, Any] = {
        "categories": {c.slug: c for c in session.scalars(select(Category))},
        "targets": {t.slug: t for t in session.scalars(select(TargetGroup))},
        "organizations": {},
        "venues": {},
    }
    municipalities = {m.number: m for m in session.scalars(select(Municipality))}
    counts = {"organizations": 0, "venues": 0, "offers": 0, "events": 0}
    for data in files:
        for item in data.get("organizations", []):
            org = Organization(
                origin=DEMO_ORIGIN,
                external_id=item["key"],
                name=item["name"],
                kind=OrganizationKind(item["kind"]),
                description=item.get("description", "").strip(),
                website=item.get("website", ""),
                email=item.get("email", ""),
                phone=item.get("phone", ""),
                org_number=item.get("org_number"),
                trusted=item.get("trusted", False),
                municipality=municipalities[item["municipality"]],
            )
            session.add(org)
            refs["organizations"][item["key"]] = org
            counts["organizations"] += 1
        for item in data.get("venues", []):
            venue = Venue(
                origin=DEMO_ORIGIN,
                external_id=item["key"],
                name=item["name"],
                street_address=item.get("street_address", ""),
                postal_code=item.get("postal_code", ""),
                postal_place=item.get("postal_place", ""),
                municipality=municipalities[item["municipality"]],
                latitude=item.get("latitude"),
                longitude=item.get("longitude"),
                step_free=item.get("step_free"),
                accessibility_note=item.get("accessibility_note", ""),
                directions=item.get("directions", ""),
            )
            session.add(venue)
            refs["venues"][item["key"]] = venue
            counts["venues"] += 1
    for data in files:
        for item in data.get("offers", []):
            save_listing(session, _listing(Offer, item, refs, today))
            counts["offers"] += 1
        for item in data.get("events", []):
            save_listing(session, _listing(Event, item, refs, today))
            counts["events"] += 1
    return counts


def refresh_demo_events(session: Session) -> int:
    """Move demo events whose date has passed forward by whole periods; return how many."""
    today = now_in_oslo().date()
    moved = 0
    stmt = (
        select(Schedule)
        .join(Listing)
        .where(Listing.origin == DEMO_ORIGIN, Schedule.rrule.is_(None), Schedule.dtstart < today)
    )
    for schedule in session.scalars(stmt):
        periods = (today - schedule.dtstart) // REFRESH_PERIOD + 1
        schedule.dtstart += periods * REFRESH_PERIOD
        moved += 1
    session.flush()
    return moved
