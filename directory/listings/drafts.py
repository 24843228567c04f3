"""Listings not yet written: plain objects that the listing rules read like listings.

Importers build thousands of listings in one run. Building each as ORM objects and
letting the unit of work flush them costs milliseconds a row; a draft costs microseconds.
The rules (``validate_listing``, ``prepare_listing``, ``snapshot``) take either, so a
draft is checked exactly as a form's listing is, and ``listings.bulk`` writes drafts
with one statement per table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from directory.listings.models import Eligibility, Listing, ListingKind, ListingStatus
from directory.organizations.models import Organization
from directory.places.models import Venue
from directory.schedules.models import OSLO, Schedule, ScheduleBreak
from directory.taxonomy.models import Category, TargetGroup


@dataclass(slots=True)
class BreakDraft:
    """A pause in a schedule (see ``ScheduleBreak``)."""

    starts_on: dt.date
    ends_on: dt.date
    reason: str = ""


@dataclass(slots=True)
class ScheduleDraft:
    """A schedule not yet written; the fields are those of ``Schedule``."""

    dtstart: dt.date
    opens_at: dt.time
    closes_at: dt.time | None = None
    rrule: str | None = None
    rdates: list[str] = field(default_factory=list)
    exdates: list[str] = field(default_factory=list)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    timezone: str = OSLO
    skip_public_holidays: bool = False
    notes: str = ""
    span_days: int = 0
    all_day: bool = False
    breaks: list[BreakDraft] = field(default_factory=list)

    def model(self) -> Schedule:
        """The same schedule as an ORM object (for listings that already exist)."""
        schedule = Schedule(**{name: getattr(self, name) for name in SCHEDULE_FIELDS})
        schedule.breaks = [
            ScheduleBreak(starts_on=b.starts_on, ends_on=b.ends_on, reason=b.reason)
            for b in self.breaks
        ]
        return schedule

    def row(self, schedule_id: int, listing_id: int) -> dict[str, object]:
        """The schedule table's row."""
        row: dict[str, object] = {name: getattr(self, name) for name in SCHEDULE_FIELDS}
        row["id"], row["listing_id"] = schedule_id, listing_id
        return row


# What a schedule says: all of ``Schedule``'s columns but its ids.
SCHEDULE_FIELDS = tuple(
    c.key for c in Schedule.__table__.columns if c.key not in {"id", "listing_id"}
)

# The listing table's columns a draft carries: ids of related rows come from the related
# objects (so new organizations and venues can be flushed first), and what only later
# edits set (a pause) or the database stamps is left out.
LISTING_COLUMNS = tuple(
    c.key
    for c in Listing.__table__.columns
    if c.key
    not in {
        "id",
        "organization_id",
        "venue_id",
        "primary_category_id",
        "paused_until",
        "created_at",
        "updated_at",
    }
)


@dataclass(slots=True)
class ListingDraft:
    """A new offer or event not yet written; the fields are those of ``Listing``."""

    kind: ListingKind
    organization: Organization
    municipality_number: str
    primary_category: Category
    origin: str
    external_id: str
    venue: Venue | None = None
    categories: list[Category] = field(default_factory=list)
    target_groups: list[TargetGroup] = field(default_factory=list)
    language_codes: list[str] = field(default_factory=list)
    schedules: list[ScheduleDraft] = field(default_factory=list)
    status: ListingStatus = ListingStatus.DRAFT
    title: str = ""
    summary: str = ""
    description: str = ""
    online_url: str = ""
    min_age: int | None = None
    max_age: int | None = None
    is_free: bool = True
    cost_text: str = ""
    registration_required: bool = False
    registration_info: str = ""
    childcare: bool = False
    no_documents: bool = False
    eligibility: Eligibility = Eligibility.OPEN
    eligibility_note: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    verified_at: dt.datetime | None = None
    freshness_asked_at: dt.datetime | None = None
    freshness_unanswered: int = 0
    weekday_mask: int = 0
    daytime: bool = False
    evening: bool = False
    content_hash: str | None = None
    source_language: str = "nb"
    version: int = 1
    id: int | None = None  # set once written

    @property
    def organization_id(self) -> int:
        """The organization's id (it must have been flushed)."""
        return self.organization.id

    @property
    def venue_id(self) -> int | None:
        """The venue's id, if there is a venue (it must have been flushed)."""
        return self.venue.id if self.venue is not None else None

    @property
    def primary_category_id(self) -> int:
        """The main category's id."""
        return self.primary_category.id

    def row(self) -> dict[str, object]:
        """The listing table's row (without its id, which the database gives)."""
        row: dict[str, object] = {name: getattr(self, name) for name in LISTING_COLUMNS}
        row["organization_id"] = self.organization_id
        row["venue_id"] = self.venue_id
        row["primary_category_id"] = self.primary_category_id
        return row
