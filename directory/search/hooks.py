"""Collect, at flush, the listings a change affects, into the outbox (same transaction)."""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from directory.listings.models import (
    Listing,
    ListingLanguage,
    ListingTranslation,
    listing_category,
    listing_target_group,
)
from directory.organizations.models import Organization
from directory.places.models import Municipality, MunicipalityName, Venue, VenueTranslation
from directory.schedules.models import Schedule, ScheduleBreak
from directory.search.models import SearchOutbox
from directory.taxonomy.models import (
    Category,
    CategoryTranslation,
    TargetGroup,
    TargetGroupTranslation,
)

DIRTY_FLAG = "search_dirty"


def _affected(session: Session, obj: Any) -> set[int]:
    """Ids of listings whose index document shows something of ``obj``."""
    connection = session.connection()

    def ids(stmt: Any) -> set[int]:
        return set(connection.execute(stmt).scalars())

    if isinstance(obj, Listing):
        return {obj.id}
    if isinstance(obj, ListingTranslation):
        return {obj.record_id}
    if isinstance(obj, ListingLanguage | Schedule):
        return {obj.listing_id}
    if isinstance(obj, ScheduleBreak):
        return ids(select(Schedule.listing_id).where(Schedule.id == obj.schedule_id))
    if isinstance(obj, Organization):
        return ids(select(Listing.id).where(Listing.organization_id == obj.id))
    if isinstance(obj, Venue | VenueTranslation):
        venue_id = obj.id if isinstance(obj, Venue) else obj.record_id
        return ids(select(Listing.id).where(Listing.venue_id == venue_id))
    if isinstance(obj, Category | CategoryTranslation):
        category_id = obj.id if isinstance(obj, Category) else obj.record_id
        children = select(Category.id).where(Category.parent_id == category_id)
        return ids(
            select(listing_category.c.listing_id).where(
                (listing_category.c.category_id == category_id)
                | listing_category.c.category_id.in_(children)
            )
        )
    if isinstance(obj, TargetGroup | TargetGroupTranslation):
        group_id = obj.id if isinstance(obj, TargetGroup) else obj.record_id
        return ids(
            select(listing_target_group.c.listing_id).where(
                listing_target_group.c.target_group_id == group_id
            )
        )
    if isinstance(obj, Municipality | MunicipalityName):
        number = obj.number if isinstance(obj, Municipality) else obj.municipality_number
        return ids(select(Listing.id).where(Listing.municipality_number == number))
    return set()


def collect_changes(session: Session, _context: Any) -> None:
    """after_flush: write one outbox row per affected listing."""
    changed = chain(
        session.new,
        (o for o in session.dirty if session.is_modified(o, include_collections=True)),
        session.deleted,
    )
    listing_ids: set[int] = set()
    for obj in changed:
        if not isinstance(obj, SearchOutbox):
            listing_ids |= _affected(session, obj)
    if listing_ids:
        session.connection().execute(
            insert(SearchOutbox), [{"listing_id": i} for i in sorted(listing_ids)]
        )
        session.info[DIRTY_FLAG] = True


def register() -> None:
    """Listen on every session (idempotent)."""
    if not event.contains(Session, "after_flush", collect_changes):
        event.listen(Session, "after_flush", collect_changes)
