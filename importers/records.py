"""What every reader produces: plain records, independent of the database.

A reader turns a file or feed into ``Record``s (one per offer or event) and ``RowError``s
(a line or record it could not read, with a message a coordinator understands). A file
that cannot be read at all raises ``FileError``. The pipeline maps records to listings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from directory.listings.models import ListingKind
from directory.schedules.models import OSLO

# Listing fields a record may carry (anything else stays as the coordinator set it).
CARRIED_FIELDS = (
    "title",
    "summary",
    "description",
    "is_free",
    "cost_text",
    "registration_required",
    "registration_info",
    "childcare",
    "no_documents",
    "eligibility_note",
    "contact_name",
    "contact_phone",
    "contact_email",
    "online_url",
    "min_age",
    "max_age",
)


class FileError(Exception):
    """The file or feed itself could not be read (one line, no traceback, for people)."""


@dataclass
class RowError:
    """A line or record that could not be taken, and why, in plain words."""

    where: str  # "Linje 14", "VEVENT abc@example.org", "service 1a2b…"
    message: str
    # The record's id when known: a record that could not be fetched this time is not
    # "gone" from the source, so it is not archived.
    external_id: str | None = None
    # The record itself was taken; only a part of it (say one opening time) was not.
    kept: bool = False

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ScheduleData:
    """When, in the schedule model's terms (RFC 5545 RRULE, local wall-clock times)."""

    dtstart: dt.date
    opens_at: dt.time
    closes_at: dt.time | None = None
    rrule: str | None = None  # "FREQ=WEEKLY;BYDAY=TU", without "RRULE:"
    rdates: list[str] = field(default_factory=list)  # local ISO date-times "2026-03-12T18:00"
    exdates: list[str] = field(default_factory=list)  # local ISO dates "2026-03-12"
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    timezone: str = OSLO
    skip_public_holidays: bool = False
    breaks: list[tuple[dt.date, dt.date, str]] = field(default_factory=list)
    span_days: int = 0  # an occurrence ends this many days after it starts (long events)
    all_day: bool = False
    notes: str = ""


@dataclass
class VenueData:
    """Where, as the source says it."""

    name: str
    street_address: str = ""
    postal_code: str = ""
    postal_place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    external_id: str | None = None


@dataclass
class OrganizationData:
    """Who runs it, as the source says it."""

    name: str
    external_id: str | None = None
    email: str = ""
    phone: str = ""
    website: str = ""
    description: str = ""


@dataclass
class Record:
    """One offer or event from a source."""

    external_id: str
    where: str  # how messages point at it: "Linje 14", "VEVENT <uid>"
    kind: ListingKind = ListingKind.OFFER
    fields: dict[str, Any] = field(default_factory=dict)  # names from CARRIED_FIELDS
    categories: list[str] = field(default_factory=list)  # slugs or labels, any language
    target_groups: list[str] = field(default_factory=list)  # slugs or labels
    languages: list[str] = field(default_factory=list)  # ISO 639 codes
    schedules: list[ScheduleData] = field(default_factory=list)
    venue: VenueData | None = None
    organization: OrganizationData | None = None
    cancelled: bool = False  # STATUS:CANCELLED and the like: archive it


Item = Record | RowError
Reader = Iterator[Item]
