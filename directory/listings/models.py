"""Offers (ongoing activities) and events (dated), sharing one table (HSDS service)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base, created_at, int_pk, language_code, str200, updated_at
from directory.i18n import _l
from directory.schedules.models import Schedule
from directory.text import slugify
from directory.translations.models import Translatable, TranslationMixin

if TYPE_CHECKING:
    from directory.organizations.models import Organization
    from directory.places.models import Municipality, Venue
    from directory.taxonomy.models import Category, TargetGroup


class ListingStatus(enum.Enum):
    """Where a listing is in its life; only some statuses are shown publicly."""

    DRAFT = "draft"
    PENDING = "pending"
    PUBLISHED = "published"
    PAUSED = "paused"
    FULL = "full"
    ARCHIVED = "archived"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        """The status in the reader's language."""
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    ListingStatus.DRAFT: _l("Utkast"),
    ListingStatus.PENDING: _l("Venter på godkjenning"),
    ListingStatus.PUBLISHED: _l("Publisert"),
    ListingStatus.PAUSED: _l("Tar pause nå"),
    ListingStatus.FULL: _l("Fullt – venteliste"),
    ListingStatus.ARCHIVED: _l("Avsluttet"),
    ListingStatus.REJECTED: _l("Avvist"),
}

# Statuses a newcomer can see: paused and full listings stay visible, with a note.
PUBLIC_STATUSES = (ListingStatus.PUBLISHED, ListingStatus.PAUSED, ListingStatus.FULL)


class Eligibility(enum.Enum):
    """Whether anyone can come, or only a group; the group is said in plain words."""

    OPEN = "open"
    RESTRICTED = "restricted"


class ListingKind(enum.Enum):
    """Offer (ongoing) or event (dated)."""

    OFFER = "offer"
    EVENT = "event"


listing_category = Table(
    "listing_category",
    Base.metadata,
    Column("listing_id", ForeignKey("listing.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_listing_category_category_id", "category_id"),
)

listing_target_group = Table(
    "listing_target_group",
    Base.metadata,
    Column("listing_id", ForeignKey("listing.id", ondelete="CASCADE"), primary_key=True),
    Column("target_group_id", ForeignKey("target_group.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_listing_target_group_target_group_id", "target_group_id"),
)


class Listing(Translatable, Base):
    """What offers and events share; ``kind`` tells them apart."""

    __tablename__ = "listing"
    __translatable__ = (
        "title",
        "summary",
        "description",
        "eligibility_note",
        "cost_text",
        "registration_info",
    )
    __table_args__ = (
        UniqueConstraint("origin", "external_id"),
        Index("ix_listing_municipality_status", "municipality_number", "status"),
    )
    id: Mapped[int_pk]
    kind: Mapped[ListingKind]
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"), index=True)
    online_url: Mapped[str] = mapped_column(String(500), default="")

    title: Mapped[str200]
    summary: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    primary_category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)

    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    is_free: Mapped[bool] = mapped_column(default=True)
    cost_text: Mapped[str] = mapped_column(String(300), default="")
    registration_required: Mapped[bool] = mapped_column(default=False)
    registration_info: Mapped[str] = mapped_column(String(500), default="")
    childcare: Mapped[bool] = mapped_column(default=False)
    no_documents: Mapped[bool] = mapped_column(default=False)
    eligibility: Mapped[Eligibility] = mapped_column(default=Eligibility.OPEN)
    eligibility_note: Mapped[str] = mapped_column(String(500), default="")

    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")

    status: Mapped[ListingStatus] = mapped_column(default=ListingStatus.DRAFT)
    # Freshness: when someone last said it still runs, when we last asked, how often
    # in a row we asked without an answer.
    verified_at: Mapped[dt.datetime | None]
    freshness_asked_at: Mapped[dt.datetime | None]
    freshness_unanswered: Mapped[int] = mapped_column(default=0, server_default="0")
    paused_until: Mapped[dt.date | None]

    # Derived from the schedules by schedules.services.summarize, for cheap filtering.
    weekday_mask: Mapped[int] = mapped_column(default=0)
    daytime: Mapped[bool] = mapped_column(default=False)
    evening: Mapped[bool] = mapped_column(default=False)

    # Provenance: where the record came from, its id there and a hash of what it said.
    origin: Mapped[str] = mapped_column(String(100), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str | None] = mapped_column(String(64))

    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    # Optimistic locking: every UPDATE checks and bumps it, so two editors never
    # overwrite each other silently (the second gets StaleDataError, shown as a conflict).
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"polymorphic_on": "kind", "version_id_col": version}

    organization: Mapped[Organization] = relationship()
    municipality: Mapped[Municipality] = relationship()
    venue: Mapped[Venue | None] = relationship()
    primary_category: Mapped[Category] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=listing_category)
    target_groups: Mapped[list[TargetGroup]] = relationship(secondary=listing_target_group)
    languages: Mapped[list[ListingLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="ListingLanguage.position"
    )
    schedules: Mapped[list[Schedule]] = relationship(
        cascade="all, delete-orphan", order_by=Schedule.id
    )
    translations: Mapped[list[ListingTranslation]] = relationship(
        cascade="all, delete-orphan", back_populates="record"
    )

    @property
    def slug(self) -> str:
        """URL slug of the source title."""
        return slugify(self.title)

    @property
    def is_example(self) -> bool:
        """Demo listings are marked as examples wherever they are shown."""
        return self.origin == "demo"

    @property
    def language_codes(self) -> list[str]:
        """ISO 639 codes of the languages spoken at the activity."""
        return [lang.code for lang in self.languages]

    @property
    def target_slugs(self) -> set[str]:
        """Slugs of the target groups."""
        return {group.slug for group in self.target_groups}


class Offer(Listing):
    """An ongoing activity, e.g. a language café every Tuesday."""

    __mapper_args__ = {"polymorphic_identity": ListingKind.OFFER}


class Event(Listing):
    """A dated happening, e.g. a theme evening on 12 March."""

    __mapper_args__ = {"polymorphic_identity": ListingKind.EVENT}


class ListingLanguage(Base):
    """A language spoken at the activity (HSDS language), by ISO 639 code."""

    __tablename__ = "listing_language"
    __table_args__ = (UniqueConstraint("listing_id", "code"),)

    id: Mapped[int_pk]
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"))
    code: Mapped[language_code] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)


class ListingTranslation(TranslationMixin, Base):
    """A translated field of an offer or event."""

    __tablename__ = "listing_translation"

    record_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"))
    record: Mapped[Listing] = relationship(back_populates="translations")
