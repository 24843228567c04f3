"""Providers: the municipality, libraries, the Red Cross, churches, associations."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base, created_at, int_pk, str200, updated_at
from directory.i18n import _l
from directory.text import slugify
from directory.translations.models import Translatable, TranslationMixin

if TYPE_CHECKING:
    from directory.places.models import Municipality


class OrganizationKind(enum.Enum):
    """What kind of provider runs an activity."""

    MUNICIPAL = "municipal"
    LIBRARY = "library"
    RED_CROSS = "red_cross"
    FAITH = "faith"
    VOLUNTEER_CENTRE = "volunteer_centre"
    NGO = "ngo"
    IMMIGRANT_ASSOCIATION = "immigrant_association"
    SPORTS_CLUB = "sports_club"
    ADULT_EDUCATION = "adult_education"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The kind in the reader's language."""
        return str(ORGANIZATION_KIND_LABELS[self])


ORGANIZATION_KIND_LABELS = {
    OrganizationKind.MUNICIPAL: _l("Kommunen"),
    OrganizationKind.LIBRARY: _l("Bibliotek"),
    OrganizationKind.RED_CROSS: _l("Røde Kors"),
    OrganizationKind.FAITH: _l("Kirke eller trossamfunn"),
    OrganizationKind.VOLUNTEER_CENTRE: _l("Frivilligsentral"),
    OrganizationKind.NGO: _l("Frivillig organisasjon"),
    OrganizationKind.IMMIGRANT_ASSOCIATION: _l("Innvandrerorganisasjon"),
    OrganizationKind.SPORTS_CLUB: _l("Idrettslag"),
    OrganizationKind.ADULT_EDUCATION: _l("Voksenopplæring"),
    OrganizationKind.OTHER: _l("Annet"),
}


class Organization(Translatable, Base):
    """Who runs an activity, and whose listings publish without review when trusted."""

    __tablename__ = "organization"
    __translatable__ = ("description",)
    __table_args__ = (UniqueConstraint("origin", "external_id"),)

    id: Mapped[int_pk]
    name: Mapped[str200]
    kind: Mapped[OrganizationKind]
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"), index=True)
    org_number: Mapped[str | None] = mapped_column(String(9))
    trusted: Mapped[bool] = mapped_column(default=False)
    origin: Mapped[str] = mapped_column(String(100), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    municipality: Mapped[Municipality] = relationship()
    translations: Mapped[list[OrganizationTranslation]] = relationship(
        cascade="all, delete-orphan", back_populates="record"
    )

    @property
    def slug(self) -> str:
        """URL slug of the name."""
        return slugify(self.name)


class OrganizationTranslation(TranslationMixin, Base):
    """A translated field of an organization."""

    __tablename__ = "organization_translation"

    record_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    record: Mapped[Organization] = relationship(back_populates="translations")
