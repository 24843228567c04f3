"""Import sources (configured in the back office), runs with their row errors, what each
source last said about each record, and possible duplicates across sources."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base, created_at, int_pk, utcnow
from directory.i18n import _l

if TYPE_CHECKING:
    from directory.listings.models import Listing
    from directory.organizations.models import Organization
    from directory.places.models import Municipality, Venue


# How long a source's name may be.
NAME_MAX = 80


class SourceKind(enum.Enum):
    """What a source is read as."""

    CSV = "csv"
    XLSX = "xlsx"
    ICS = "ics"
    HSDS_JSON = "hsds-json"
    HSDS_CSV = "hsds-csv"
    HSDS_API = "hsds-api"

    @property
    def label(self) -> str:
        """The kind in the reader's language."""
        return str(SOURCE_KIND_LABELS[self])


SOURCE_KIND_LABELS = {
    SourceKind.CSV: _l("Regneark (CSV)"),
    SourceKind.XLSX: _l("Regneark (Excel)"),
    SourceKind.ICS: _l("Kalender (iCalendar)"),
    SourceKind.HSDS_JSON: _l("Open Referral (JSON-fil)"),
    SourceKind.HSDS_CSV: _l("Open Referral (CSV-pakke)"),
    SourceKind.HSDS_API: _l("Open Referral (API)"),
}


class ImportSource(Base):
    """A spreadsheet, calendar or directory listings come from, with its defaults."""

    __tablename__ = "import_source"

    id: Mapped[int_pk]
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    kind: Mapped[SourceKind]
    url: Mapped[str | None] = mapped_column(String(1000))
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"))
    category_slugs: Mapped[list[str]] = mapped_column(default=list)
    # Listings from a trusted source publish at once; others wait for review.
    trusted: Mapped[bool] = mapped_column(default=False)
    # Spreadsheet header in the source → our field name, for sheets with odd headers.
    column_mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    # HTTP caching: a feed that has not changed is not read again.
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_run_at: Mapped[dt.datetime | None]
    created_at: Mapped[created_at]

    municipality: Mapped[Municipality] = relationship()
    organization: Mapped[Organization | None] = relationship()
    venue: Mapped[Venue | None] = relationship()

    @property
    def origin(self) -> str:
        """What imported listings carry in ``Listing.origin``."""
        return f"import:{self.name}"


class RunStatus(enum.Enum):
    """How a run ended; "running" that never ends means the process was stopped."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class ImportRun(Base):
    """One import: when, what it did, and every row it could not take."""

    __tablename__ = "import_run"

    id: Mapped[int_pk]
    source_id: Mapped[int] = mapped_column(
        ForeignKey("import_source.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    dry_run: Mapped[bool] = mapped_column(default=False)
    status: Mapped[RunStatus] = mapped_column(default=RunStatus.RUNNING)
    message: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    archived: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    conflicts: Mapped[int] = mapped_column(default=0)

    source: Mapped[ImportSource] = relationship()
    errors: Mapped[list[ImportRowError]] = relationship(
        cascade="all, delete-orphan", order_by="ImportRowError.id"
    )


class ImportRowError(Base):
    """A line or record a run could not take, and why."""

    __tablename__ = "import_row_error"

    id: Mapped[int_pk]
    run_id: Mapped[int] = mapped_column(ForeignKey("import_run.id", ondelete="CASCADE"), index=True)
    where: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text)


class ImportedRecord(Base):
    """What a source last said about one of its records, and the listing it became.

    ``values`` holds the fields the source carries as last imported, so the next sync
    can tell a coordinator's local edit (the listing differs from ``values``) from a
    change in the source (the new record differs from ``values``); when both changed,
    the local edit stays and the difference is kept in ``conflicts``.
    """

    __tablename__ = "imported_record"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)

    id: Mapped[int_pk]
    source_id: Mapped[int] = mapped_column(ForeignKey("import_source.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listing.id", ondelete="CASCADE"), index=True
    )
    content_hash: Mapped[str] = mapped_column(String(64))
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    conflicts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    source: Mapped[ImportSource] = relationship()
    listing: Mapped[Listing] = relationship()


class PossibleDuplicate(Base):
    """Two listings from different sources that look like the same activity (similar
    title, same venue and time), for a coordinator to decide; never merged automatically."""

    __tablename__ = "possible_duplicate"
    __table_args__ = (UniqueConstraint("listing_id", "other_id"),)

    id: Mapped[int_pk]
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listing.id", ondelete="CASCADE"), index=True
    )
    other_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"))
    created_at: Mapped[created_at]
    dismissed_at: Mapped[dt.datetime | None]

    listing: Mapped[Listing] = relationship(foreign_keys=[listing_id])
    other: Mapped[Listing] = relationship(foreign_keys=[other_id])
