"""Counties, municipalities (with every official name) and venues."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base, created_at, int_pk, municipality_number, str200, updated_at
from directory.text import slugify
from directory.translations.models import Translatable, TranslationMixin


class County(Base):
    """A fylke (2024 structure)."""

    __tablename__ = "county"

    number: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str200]

    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="county", order_by="Municipality.name"
    )

    @property
    def slug(self) -> str:
        """URL slug of the county name."""
        return slugify(self.name)


class Municipality(Base):
    """A kommune, keyed by its four-digit kommunenummer (HSDS service_area)."""

    __tablename__ = "municipality"

    number: Mapped[municipality_number] = mapped_column(primary_key=True)
    name: Mapped[str200]
    county_number: Mapped[str] = mapped_column(ForeignKey("county.number"), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    sami_area: Mapped[bool] = mapped_column(Boolean, default=False)
    # Days after which a published listing's organization is asked "Still running?".
    freshness_days: Mapped[int] = mapped_column(default=90, server_default="90")

    county: Mapped[County] = relationship(back_populates="municipalities")
    names: Mapped[list[MunicipalityName]] = relationship(
        back_populates="municipality", cascade="all, delete-orphan", order_by="MunicipalityName.id"
    )

    @property
    def slug(self) -> str:
        """URL slug of the Norwegian name."""
        return slugify(self.name)

    @property
    def other_names(self) -> list[str]:
        """Official names besides the Norwegian one (Sami, Kven)."""
        return [n.name for n in self.names if n.name != self.name]

    @property
    def display_name(self) -> str:
        """All official names, e.g. "Kautokeino – Guovdageaidnu"."""
        return " – ".join([self.name, *self.other_names])


class MunicipalityName(Base):
    """One official name of a municipality, folded for accent-insensitive lookup."""

    __tablename__ = "municipality_name"

    id: Mapped[int_pk]
    municipality_number: Mapped[str] = mapped_column(
        ForeignKey("municipality.number", ondelete="CASCADE"), index=True
    )
    name: Mapped[str200]
    folded: Mapped[str200] = mapped_column(index=True)

    municipality: Mapped[Municipality] = relationship(back_populates="names")


class Venue(Translatable, Base):
    """A place where activities happen (HSDS location with its address and accessibility)."""

    __tablename__ = "venue"
    __translatable__ = ("directions", "accessibility_note")
    __table_args__ = (UniqueConstraint("origin", "external_id"),)

    id: Mapped[int_pk]
    name: Mapped[str200]
    street_address: Mapped[str200] = mapped_column(default="")
    postal_code: Mapped[str] = mapped_column(String(4), default="")
    postal_place: Mapped[str] = mapped_column(String(100), default="")
    municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    step_free: Mapped[bool | None] = mapped_column(Boolean)
    accessibility_note: Mapped[str] = mapped_column(Text, default="")
    directions: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(100), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    municipality: Mapped[Municipality] = relationship()
    translations: Mapped[list[VenueTranslation]] = relationship(
        cascade="all, delete-orphan", back_populates="record"
    )

    @property
    def address_line(self) -> str:
        """Street, postal code and place on one line."""
        place = " ".join(p for p in (self.postal_code, self.postal_place) if p)
        return ", ".join(p for p in (self.street_address, place) if p)

    @property
    def map_url(self) -> str | None:
        """A link to the venue on OpenStreetMap (a link, never an embedded request)."""
        if self.latitude is None or self.longitude is None:
            return None
        lat, lon = round(self.latitude, 5), round(self.longitude, 5)
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


class VenueTranslation(TranslationMixin, Base):
    """A translated field of a venue."""

    __tablename__ = "venue_translation"

    record_id: Mapped[int] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"))
    record: Mapped[Venue] = relationship(back_populates="translations")
