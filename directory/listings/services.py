"""Reading listings for public pages, and the rules every write goes through."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from directory.db import fingerprint
from directory.extensions import db
from directory.i18n import _
from directory.listings.drafts import ListingDraft
from directory.listings.models import (
    PUBLIC_STATUSES,
    Eligibility,
    Event,
    Listing,
    ListingKind,
    ListingLanguage,
    Offer,
    listing_category,
    listing_target_group,
)
from directory.schedules.recurrence import (
    Occurrence,
    is_evening,
    occurrences,
    weekday_mask,
)
from directory.taxonomy.models import Category, TargetGroup
from directory.translations.models import LocalizedText

WEEKEND_MASK = (1 << 5) | (1 << 6)
DAY_CODES = ("mo", "tu", "we", "th", "fr", "sa", "su")
TIME_CHOICES = ("daytime", "evening", "weekend")
SUMMARY_MAX = 200


class ListingValidationError(ValueError):
    """A listing breaks a rule; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ListingFilters:
    """What a newcomer narrows a municipality's listings by (all GET parameters)."""

    category: str = ""
    target: str = ""
    language: str = ""
    day: str = ""
    time: str = ""
    free: bool = False
    dropin: bool = False
    childcare: bool = False
    women: bool = False
    active: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ListingFilters:
        """Read filters from query parameters; values that make no sense are ignored."""

        def text(name: str, limit: int = 60) -> str:
            value = (args.get(name) or "").strip()
            return value[:limit] if value.isascii() else ""

        day = text("day").lower()
        time = text("time").lower()

        def flag(name: str) -> bool:
            return (args.get(name) or "") in {"1", "on", "true", "yes"}

        filters = cls(
            category=text("category").lower(),
            target=text("target").lower(),
            language=text("language", 12).lower(),
            day=day if day in DAY_CODES else "",
            time=time if time in TIME_CHOICES else "",
            free=flag("free"),
            dropin=flag("dropin"),
            childcare=flag("childcare"),
            women=flag("women"),
        )
        active = tuple(
            f.name for f in fields(cls) if f.name != "active" and getattr(filters, f.name)
        )
        return replace(filters, active=active)

    def as_args(self, **changes: str | bool | None) -> dict[str, str]:
        """The filters as query parameters, with some changed or dropped (None)."""
        args: dict[str, str] = {}
        for f in fields(self):
            if f.name == "active":
                continue
            value = changes[f.name] if f.name in changes else getattr(self, f.name)
            if value is True:
                args[f.name] = "1"
            elif value:
                args[f.name] = str(value)
        return args


def public_listings(kind: type[Listing] = Listing) -> Select[Listing]:
    """Listings a newcomer may see (published, paused or full)."""
    return select(kind).where(kind.status.in_(PUBLIC_STATUSES))


def _category_ids(slug: str) -> Select[int]:
    """Ids of a category and its direct subcategories, by the parent's slug."""
    parent = select(Category.id).where(Category.slug == slug).scalar_subquery()
    return select(Category.id).where(or_(Category.id == parent, Category.parent_id == parent))


def apply_filters(stmt: Select[Listing], filters: ListingFilters) -> Select[Listing]:
    """Narrow a listing query by the filters (each an AND)."""
    if filters.category:
        stmt = stmt.where(
            exists().where(
                listing_category.c.listing_id == Listing.id,
                listing_category.c.category_id.in_(_category_ids(filters.category)),
            )
        )
    for slug in filter(None, [filters.target, "women" if filters.women else ""]):
        stmt = stmt.where(
            exists().where(
                listing_target_group.c.listing_id == Listing.id,
                listing_target_group.c.target_group_id
                == select(TargetGroup.id).where(TargetGroup.slug == slug).scalar_subquery(),
            )
        )
    if filters.language:
        stmt = stmt.where(
            exists().where(
                ListingLanguage.listing_id == Listing.id, ListingLanguage.code == filters.language
            )
        )
    if filters.free:
        stmt = stmt.where(Listing.is_free.is_(True))
    if filters.dropin:
        stmt = stmt.where(Listing.registration_required.is_(False))
    if filters.childcare:
        stmt = stmt.where(Listing.childcare.is_(True))
    if filters.day:
        stmt = stmt.where(Listing.weekday_mask.op("&")(1 << DAY_CODES.index(filters.day)) != 0)
    if filters.time == "daytime":
        stmt = stmt.where(Listing.daytime.is_(True))
    elif filters.time == "evening":
        stmt = stmt.where(Listing.evening.is_(True))
    elif filters.time == "weekend":
        stmt = stmt.where(Listing.weekday_mask.op("&")(WEEKEND_MASK) != 0)
    return stmt


def card_options() -> tuple[LoaderOption, ...]:
    """Eager loads for everything a listing card shows, to avoid a query per row."""
    return (
        # Cards show category and target slugs and icons, never their labels in other
        # languages: those translations load only if something asks for them.
        selectinload(Listing.categories).lazyload(Category.translations),
        selectinload(Listing.target_groups).lazyload(TargetGroup.translations),
        selectinload(Listing.municipality),
        selectinload(Listing.languages),
        selectinload(Listing.schedules),
        selectinload(Listing.translations),
        selectinload(Listing.primary_category).selectinload(Category.parent),
        selectinload(Listing.venue),
        selectinload(Listing.organization),
    )


def municipality_offers(number: str, filters: ListingFilters) -> Select[Listing]:
    """Public offers in a municipality matching the filters, ordered by title."""
    stmt = public_listings(Offer).where(Offer.municipality_number == number)
    return apply_filters(stmt, filters).options(*card_options()).order_by(Offer.title, Offer.id)


def top_categories() -> list[Category]:
    """Top-level categories in display order, with their subcategories."""
    stmt = (
        select(Category)
        .where(Category.parent_id.is_(None))
        .order_by(Category.position)
        .options(
            selectinload(Category.children).selectinload(Category.translations),
            selectinload(Category.translations),
        )
    )
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class Choice:
    """A category or target group as the filter forms show it: plain data, cached."""

    slug: str
    icon: str
    labels: Mapping[str, str]
    source_language: str
    children: tuple[Choice, ...] = ()

    def localized(self, field: str, locale: str) -> LocalizedText:
        """The label in the reader's language, or in the source language."""
        text = self.labels.get(locale)
        if text:
            return LocalizedText(text, locale, fallback=False)
        source = self.source_language
        return LocalizedText(self.labels[source], source, fallback=locale != source)


def _choice(record: Category | TargetGroup, children: tuple[Choice, ...] = ()) -> Choice:
    labels = {row.language: row.text for row in record.translations if row.field == "label"}
    labels[record.source_language] = record.label
    return Choice(
        slug=record.slug,
        icon=getattr(record, "icon", "other"),
        labels=labels,
        source_language=record.source_language,
        children=children,
    )


CHOICES_TTL = 300.0
_choices: tuple[float, dict[str, object]] | None = None


def filter_choices() -> dict[str, object]:
    """What the filter forms offer: categories, target groups and weekdays.

    Read once every few minutes per process as plain data: the taxonomy changes seldom,
    and loading it through the ORM cost every search page more than the search itself.
    """
    global _choices
    now = time.monotonic()
    if _choices is None or now - _choices[0] > CHOICES_TTL:
        categories = [
            _choice(c, tuple(_choice(sub) for sub in c.children)) for c in top_categories()
        ]
        groups = db.session.scalars(select(TargetGroup).order_by(TargetGroup.position)).all()
        _choices = (
            now,
            {
                "categories": categories,
                "target_groups": [_choice(t) for t in groups],
                "day_codes": DAY_CODES,
            },
        )
    return _choices[1]


def forget_filter_choices() -> None:
    """Drop the cached choices (after the taxonomy changes)."""
    global _choices
    _choices = None


def group_by_category(listings: Iterable[Listing]) -> list[tuple[Category, list[Listing]]]:
    """Listings grouped by the top-level category of their main category, in taxonomy order."""
    groups: dict[int, list[Listing]] = {}
    roots: dict[int, Category] = {}
    for listing in listings:
        root = listing.primary_category.root
        roots[root.id] = root
        groups.setdefault(root.id, []).append(listing)
    ordered = sorted(roots.values(), key=lambda c: c.position)
    return [(c, groups[c.id]) for c in ordered]


@dataclass(frozen=True)
class DatedListing:
    """One occurrence of a listing, for calendars and event lists."""

    occurrence: Occurrence
    listing: Listing


def upcoming_events(
    number: str, start: dt.datetime, days: int, filters: ListingFilters | None = None
) -> list[DatedListing]:
    """Occurrences of public events in a municipality in the next ``days`` days."""
    end = start + dt.timedelta(days=days)
    stmt = public_listings(Event).where(Event.municipality_number == number)
    if filters is not None:
        stmt = apply_filters(stmt, filters)
    dated = [
        DatedListing(occ, event)
        for event in db.session.scalars(stmt.options(*card_options()))
        for schedule in event.schedules
        for occ in occurrences(schedule, start, end)
    ]
    return sorted(dated, key=lambda d: (d.occurrence.start, d.listing.title))


def listing_by_id(kind: ListingKind, listing_id: int) -> Listing | None:
    """A public listing of the given kind with everything its page shows, or None."""
    model = Offer if kind is ListingKind.OFFER else Event
    stmt = public_listings(model).where(model.id == listing_id).options(*card_options())
    return db.session.scalars(stmt).first()


def listings_by_ids(ids: list[int]) -> dict[int, Listing]:
    """Public listings by id, with everything a card shows."""
    if not ids:
        return {}
    stmt = public_listings().where(Listing.id.in_(ids)).options(*card_options())
    return {listing.id: listing for listing in db.session.scalars(stmt)}


def summarize_schedules(listing: Listing | ListingDraft) -> None:
    """Derive the weekday mask and time-of-day flags used by filters from the schedules."""
    listing.weekday_mask = weekday_mask(listing.schedules)
    listing.evening = any(is_evening(s) for s in listing.schedules)
    listing.daytime = any(not is_evening(s) for s in listing.schedules)


def content_hash(listing: Listing | ListingDraft) -> str:
    """A fingerprint of what a listing says, for importers to skip unchanged records."""
    facts = {
        name: getattr(listing, name)
        for name in (
            *Listing.__translatable__,
            "is_free",
            "registration_required",
            "childcare",
            "no_documents",
            "contact_name",
            "contact_phone",
            "contact_email",
            "online_url",
            "min_age",
            "max_age",
        )
    }
    facts["eligibility"] = listing.eligibility.value
    facts["languages"] = listing.language_codes
    facts["categories"] = sorted(c.slug for c in listing.categories)
    facts["targets"] = sorted(t.slug for t in listing.target_groups)
    facts["schedules"] = [
        [s.dtstart.isoformat(), s.opens_at.isoformat(), s.rrule, s.rdates, s.exdates]
        for s in listing.schedules
    ]
    return fingerprint(facts)


def validate_listing(listing: Listing | ListingDraft) -> None:
    """Check the rules every listing must satisfy, whoever writes it."""
    errors: dict[str, str] = {}
    if not listing.title.strip():
        errors["title"] = _("Skriv et navn på aktiviteten.")
    if len(listing.summary) > SUMMARY_MAX:
        errors["summary"] = _("Kortteksten kan ha høyst %(n)s tegn.", n=SUMMARY_MAX)
    if listing.eligibility is Eligibility.RESTRICTED and not listing.eligibility_note.strip():
        errors["eligibility_note"] = _("Skriv med enkle ord hvem som kan være med.")
    if listing.registration_required and not listing.registration_info.strip():
        errors["registration_info"] = _("Skriv hvordan man melder seg på.")
    if (
        listing.min_age is not None
        and listing.max_age is not None
        and listing.min_age > listing.max_age
    ):
        errors["max_age"] = _("Øvre alder kan ikke være lavere enn nedre alder.")
    # An event needs its date. An ongoing offer may come without opening times (an
    # imported directory service "by appointment"): its page then says to ask.
    if not listing.schedules and listing.kind is ListingKind.EVENT:
        errors["schedules"] = _("Legg inn minst én dato eller et tidspunkt.")
    if getattr(listing, "primary_category", None) is None:
        errors["primary_category"] = _("Velg en kategori.")
    if errors:
        raise ListingValidationError(errors)


def prepare_listing[L: (Listing, ListingDraft)](listing: L) -> L:
    """Validate a listing (or a draft of one) and derive its filter fields and hash,
    without the database."""
    primary = getattr(listing, "primary_category", None)
    if primary is not None and primary not in listing.categories:
        listing.categories.insert(0, primary)
    validate_listing(listing)
    summarize_schedules(listing)
    listing.content_hash = content_hash(listing)
    return listing


def save_listing(session: Session, listing: Listing) -> Listing:
    """Validate a listing, derive its filter fields and hash, and flush it (no commit)."""
    session.add(prepare_listing(listing))
    session.flush()
    return listing
