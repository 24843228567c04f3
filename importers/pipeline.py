"""One pipeline for every source: map records to listings, validate them through the same
services as the forms, upsert by (source, external id), archive what vanished, report.

The whole run is one transaction: the caller commits once at the end, so a run killed
midway leaves nothing half-written, and the next run finds every record again by its
(source, external id). Only the run's own row is committed at the start, so an
interrupted run still shows up as "running" that never finished. Bad rows never stop good
ones: each record is mapped and validated in Python first; new ones are written in
batches (``listings.bulk``), each in a savepoint, and updates one at a time, each in its
own savepoint.
"""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, selectinload

from directory.contribute.services import set_languages
from directory.db import fingerprint, utcnow
from directory.i18n import _
from directory.listings.bulk import insert_new
from directory.listings.drafts import SCHEDULE_FIELDS, BreakDraft, ListingDraft, ScheduleDraft
from directory.listings.models import Listing, ListingStatus
from directory.listings.services import ListingValidationError, prepare_listing
from directory.markup import strip_tags
from directory.moderation import services as moderation
from directory.moderation.models import StatusChange
from directory.organizations.models import Organization, OrganizationKind
from directory.places.models import Venue
from directory.taxonomy.models import Category, TargetGroup
from directory.text import fold, strip_controls
from importers.models import (
    ImportedRecord,
    ImportRowError,
    ImportRun,
    ImportSource,
    PossibleDuplicate,
    RunStatus,
)
from importers.records import CARRIED_FIELDS, FileError, Item, Record, RowError, ScheduleData

EXTERNAL_ID_MAX = 200
DUPLICATE_SIMILARITY = 0.85
# New listings are written this many at a time (one INSERT per table): far fewer round trips.
BATCH_SIZE = 500
LABEL_LANGUAGES = ("nn", "en")
Progress = Callable[[int], None]


@dataclass
class Pending:
    """A new listing waiting for its batch to be written."""

    listing: ListingDraft
    where: str
    key: str
    digest: str
    values: dict[str, Any]


@dataclass
class Change:
    """What a run did (or, in a dry run, would do) to one record."""

    action: str  # "create", "update", "archive", "conflict"
    external_id: str
    title: str
    fields: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """A finished run with what it changed, for the command line and the back office."""

    run: ImportRun
    changes: list[Change]

    def summary(self) -> dict[str, Any]:
        """The counts and row errors, as one JSON-ready object."""
        run = self.run
        return {
            "source": run.source.name,
            "dry_run": run.dry_run,
            "status": run.status.value,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "archived": run.archived,
            "failed": run.failed,
            "conflicts": run.conflicts,
            "errors": [{"where": e.where, "message": e.message} for e in run.errors],
            "changes": [asdict(c) for c in self.changes],
        }


def record_hash(record: Record) -> str:
    """A fingerprint of everything a record says: unchanged records are skipped."""
    facts = dict(vars(record))
    facts.pop("where", None)  # moving a row in the sheet is not a change
    return fingerprint(facts)


def _clean(text: str) -> str:
    """Source text as it is stored: no HTML, no control characters (PostgreSQL refuses
    NUL; bidi marks and zero-width characters confuse search), no outer spaces. Every
    reader's text passes here once."""
    return strip_tags(strip_controls(text)).strip()


def external_key(value: str) -> str:
    """External ids fit the column; very long ones (some calendar UIDs) are hashed."""
    value = value.strip()
    if len(value) <= EXTERNAL_ID_MAX:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


# -- looking things up -----------------------------------------------------------------


class Resolver:
    """Labels, organizations and venues of one run, each looked up once."""

    def __init__(self, session: Session, source: ImportSource) -> None:
        self.session = session
        self.source = source
        # New organizations and venues not in the session yet (see Run._prepare_new).
        self.unwritten: set[Organization | Venue] = set()
        categories = session.scalars(select(Category)).all()
        self.categories = _label_index(categories)
        self.groups = _label_index(session.scalars(select(TargetGroup)).all())
        self.top_labels = [
            c.label for c in sorted(categories, key=lambda c: c.position) if c.parent_id is None
        ]
        self.organizations: dict[str, Organization] = {
            fold(o.name): o
            for o in session.scalars(
                select(Organization).where(
                    Organization.municipality_number == source.municipality_number
                )
            )
        }
        self.venues: dict[str, Venue] = {
            fold(v.name): v
            for v in session.scalars(
                select(Venue).where(Venue.municipality_number == source.municipality_number)
            )
        }

    def categories_of(self, record: Record) -> tuple[list[Category], list[str]]:
        """The record's categories and the names that matched none. Unknown names are an
        error only when nothing is left: then the source's defaults are used if it has
        any (other directories and calendars have their own category names)."""
        found: list[Category] = []
        unknown = []
        for name in record.categories:
            category = self.categories.get(fold(name))
            if category is None:
                unknown.append(name)
            elif category not in found:
                found.append(category)
        if not found:
            for slug in self.source.category_slugs or []:
                category = self.categories.get(fold(slug))
                if category is not None and category not in found:
                    found.append(category)
        if not found and unknown:
            raise MappingError(
                _(
                    "ukjent kategori «%(name)s». Bruk en av: %(labels)s.",
                    name=", ".join(unknown)[:80],
                    labels=", ".join(self.top_labels),
                )
            )
        if not found:
            raise MappingError(
                _("mangler kategori. Fyll ut kolonnen Kategori, for eksempel Språkkafé.")
            )
        return found, unknown

    def groups_of(self, record: Record) -> list[TargetGroup]:
        """The record's target groups (unknown ones are reported)."""
        found: list[TargetGroup] = []
        for name in record.target_groups:
            group = self.groups.get(fold(name))
            if group is None:
                raise MappingError(
                    _(
                        "ukjent målgruppe «%(name)s». Bruk for eksempel Alle, Bare kvinner, "
                        "Barn, Ungdom, Foreldre eller Seniorer.",
                        name=name[:60],
                    )
                )
            if group not in found:
                found.append(group)
        return found

    def organization_of(self, record: Record) -> Organization:
        """The organization the record names (created when new), else the source's."""
        data = record.organization
        if data is None or not data.name.strip():
            if self.source.organization is None:
                raise MappingError(
                    _(
                        "mangler arrangør. Fyll ut kolonnen Arrangør, eller velg en "
                        "organisasjon for kilden."
                    )
                )
            return self.source.organization
        key = fold(data.name)
        organization = self.organizations.get(key)
        if organization is None:
            organization = Organization(
                name=_clean(data.name)[:200],
                kind=OrganizationKind.OTHER,
                municipality_number=self.source.municipality_number,
                email=data.email[:254],
                phone=data.phone[:40],
                website=data.website[:500]
                if data.website.startswith(("http://", "https://"))
                else "",
                description=_clean(data.description),
                origin=self.source.origin,
                external_id=external_key(data.external_id) if data.external_id else None,
            )
            self.organizations[key] = organization
            self.unwritten.add(organization)  # added with its first good record
        return organization

    def venue_of(self, record: Record) -> Venue | None:
        """The venue the record names (created when new), else the source's default."""
        data = record.venue
        if data is None or not data.name.strip():
            return self.source.venue
        key = fold(data.name)
        venue = self.venues.get(key)
        if venue is None:
            venue = Venue(
                name=_clean(data.name)[:200],
                street_address=_clean(data.street_address)[:200],
                postal_code=data.postal_code[:4] if data.postal_code.isdigit() else "",
                postal_place=_clean(data.postal_place)[:100],
                latitude=data.latitude,
                longitude=data.longitude,
                municipality_number=self.source.municipality_number,
                origin=self.source.origin,
                external_id=external_key(data.external_id) if data.external_id else None,
            )
            self.venues[key] = venue
            self.unwritten.add(venue)  # added with its first good record
        return venue


def _label_index(records: Iterable[Category | TargetGroup]) -> dict[str, Any]:
    """Folded slug, Norwegian and English labels and every synonym → record."""
    index: dict[str, Any] = {}
    for record in records:
        names = [record.slug, record.slug.replace("-", " "), record.label]
        # Norwegian and English labels only: short words in other languages collide with
        # English ones (Kurdish "name" is a letter), and sources write in these three.
        names += [
            row.text
            for row in record.translations
            if row.field == "label" and row.language in LABEL_LANGUAGES
        ]
        names += list(getattr(record, "synonyms", None) or [])
        for name in names:
            index.setdefault(fold(name), record)
    return index


class MappingError(ValueError):
    """A record that cannot become a listing as it stands; the message says why."""


# -- mapping a record onto a listing ---------------------------------------------------


def _draft(data: ScheduleData) -> ScheduleDraft:
    draft = ScheduleDraft(**{name: getattr(data, name) for name in SCHEDULE_FIELDS})
    draft.rdates, draft.exdates, draft.notes = (
        list(data.rdates),
        list(data.exdates),
        data.notes[:500],
    )
    draft.breaks = [BreakDraft(start, end, reason[:200]) for start, end, reason in data.breaks]
    return draft


def _feed_values(
    record: Record,
    categories: list[Category],
    venue: Venue | None,
    schedules: list[ScheduleDraft] | None = None,
) -> dict[str, Any]:
    """The values the source carries, as compared with the listing on the next sync."""
    values: dict[str, Any] = {}
    for name in CARRIED_FIELDS:
        if name in record.fields:
            value = record.fields[name]
            values[name] = _clean(value) if isinstance(value, str) else value
    built = schedules if schedules is not None else [_draft(s) for s in record.schedules]
    values["schedules"] = [moderation.schedule_facts(s) for s in built]
    values["categories"] = sorted(c.id for c in categories)
    if record.venue is not None:
        values["venue_name"] = venue.name if venue else None
    return values


def _listing_values(listing: Listing, names: Iterable[str]) -> dict[str, Any]:
    """The listing's current values for the names a source carries."""
    values: dict[str, Any] = {}
    for name in names:
        if name == "schedules":
            values[name] = [moderation.schedule_facts(s) for s in listing.schedules]
        elif name == "categories":
            values[name] = sorted(c.id for c in listing.categories)
        elif name == "venue_name":
            values[name] = listing.venue.name if listing.venue else None
        else:
            values[name] = getattr(listing, name)
    return values


def _apply(
    listing: Listing,
    name: str,
    value: Any,
    record: Record,
    categories: list[Category],
    venue: Venue | None,
) -> None:
    if name == "schedules":
        listing.schedules = [_draft(s).model() for s in record.schedules]
    elif name == "categories":
        listing.primary_category = categories[0]
        listing.categories = list(categories)
    elif name == "venue_name":
        listing.venue = venue
    else:
        setattr(listing, name, value)


# -- the run ------------------------------------------------------------------------------


class Run:
    """One pass over a source's items."""

    def __init__(self, session: Session, source: ImportSource, run: ImportRun) -> None:
        self.session = session
        self.source = source
        self.run = run
        self.resolver = Resolver(session, source)
        self.changes: list[Change] = []
        self.created: list[ListingDraft] = []
        stmt = (
            select(ImportedRecord)
            .where(ImportedRecord.source_id == source.id)
            .options(selectinload(ImportedRecord.listing))
        )
        self.known = {r.external_id: r for r in session.scalars(stmt)}
        self.seen: set[str] = set()
        self.pending: list[Pending] = []

    def fail(self, where: str, message: str) -> None:
        """Keep a row error for the report."""
        self.run.failed += 1
        self.run.errors.append(ImportRowError(where=where[:300], message=message))

    def take(self, item: Item) -> None:
        """Create, update, archive or skip one record; a bad one only adds an error."""
        if isinstance(item, RowError):
            if item.external_id is not None:
                self.seen.add(external_key(item.external_id))
            if item.kept:
                self.run.errors.append(ImportRowError(where=item.where[:300], message=item.message))
            else:
                self.fail(item.where, item.message)
            return
        key = external_key(item.external_id)
        if key in self.seen:
            self.fail(
                item.where,
                _("samme id som en rad over (%(id)s). Raden er hoppet over.", id=key[:60]),
            )
            return
        self.seen.add(key)
        known = self.known.get(key)
        if item.cancelled:
            self._archive(known, str(item.fields.get("title", "")))
            return
        digest = record_hash(item)
        if (
            known is not None
            and known.content_hash == digest
            and known.listing.status is not ListingStatus.ARCHIVED
        ):
            self.run.unchanged += 1
            return
        try:
            if known is None:
                self.pending.append(self._prepare_new(item, key, digest))
                if len(self.pending) >= BATCH_SIZE:
                    self.write_pending()
            else:
                with self.session.begin_nested():
                    self._update(item, known, digest)
        except MappingError as error:
            self.fail(item.where, str(error))
        except ListingValidationError as error:
            self.fail(item.where, " ".join(error.errors.values()))
        except moderation.TransitionError as error:
            self.fail(item.where, str(error))

    def note_unknown(self, record: Record, names: list[str]) -> None:
        """Category names that matched nothing, reported without failing the record."""
        if names:
            message = _(
                "kategorien «%(name)s» finnes ikke her; brukte %(used)s.",
                name=", ".join(names)[:80],
                used=", ".join(self.source.category_slugs or []) or "–",
            )
            self.run.errors.append(ImportRowError(where=record.where[:300], message=message))

    def _status_for_new(self) -> ListingStatus:
        return ListingStatus.PUBLISHED if self.source.trusted else ListingStatus.PENDING

    def _prepare_new(self, record: Record, key: str, digest: str) -> Pending:
        """A new listing, mapped and validated in memory as a draft: nothing touches the
        database yet, so a bad record never needs undoing."""
        resolver = self.resolver
        categories, unknown = resolver.categories_of(record)
        self.note_unknown(record, unknown)
        schedules = [_draft(s) for s in record.schedules]
        venue = resolver.venue_of(record)
        values = _feed_values(record, categories, venue, schedules)
        listing = ListingDraft(
            kind=record.kind,
            organization=resolver.organization_of(record),
            municipality_number=self.source.municipality_number,
            primary_category=categories[0],
            origin=self.source.origin,
            external_id=key,
            venue=venue,
            categories=list(categories),
            target_groups=resolver.groups_of(record),
            language_codes=list(dict.fromkeys([code for code in record.languages if code][:20])),
            schedules=schedules,
            status=self._status_for_new(),
        )
        for name in CARRIED_FIELDS:
            if name in values:
                setattr(listing, name, values[name])
        if listing.status is ListingStatus.PUBLISHED:
            moderation.mark_verified(listing)
        prepare_listing(listing)
        # Only now, with the record known to be good, may a new organization or venue it
        # names be written.
        for new in self.resolver.unwritten & {listing.organization, listing.venue}:
            self.session.add(new)
            self.resolver.unwritten.discard(new)
        return Pending(listing, record.where, key, digest, values)

    def write_pending(self) -> None:
        """Write the batch of new listings in one flush; if the database refuses the
        batch, write them one by one so only the bad ones are reported."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        self.session.flush()  # new organizations and venues, outside the batch's savepoint
        try:
            with self.session.begin_nested():
                self._write(batch)
        except DBAPIError:
            for one in batch:
                try:
                    with self.session.begin_nested():
                        self._write([one])
                except DBAPIError as error:
                    self.fail(
                        one.where, _("kunne ikke lagres: %(reason)s", reason=str(error.orig)[:200])
                    )

    def _write(self, batch: list[Pending]) -> None:
        insert_new(self.session, [p.listing for p in batch], via=self.source.origin)
        now = utcnow()
        self.session.execute(
            insert(ImportedRecord),
            [
                {
                    "source_id": self.source.id,
                    "external_id": one.key,
                    "listing_id": one.listing.id,
                    "content_hash": one.digest,
                    "values": one.values,
                    "conflicts": {},
                    "synced_at": now,
                }
                for one in batch
            ],
        )
        for one in batch:
            self.run.created += 1
            self.created.append(one.listing)
            self.changes.append(Change("create", one.key, one.listing.title))

    def _update(self, record: Record, known: ImportedRecord, digest: str) -> None:
        # Loading the listing's schedules and labels must not flush half an update (two
        # UPDATEs, the version bumped twice).
        with self.session.no_autoflush:
            self._apply_update(record, known, digest)

    def _apply_update(self, record: Record, known: ImportedRecord, digest: str) -> None:
        listing = known.listing
        resolver = self.resolver
        categories, unknown = resolver.categories_of(record)
        self.note_unknown(record, unknown)
        venue = resolver.venue_of(record)
        new = _feed_values(record, categories, venue)
        before = known.values or {}
        local = _listing_values(listing, new)
        previous = dict(known.conflicts or {})
        changed, conflicts = [], dict(previous)
        for name, value in new.items():
            last = before.get(name)
            if value == last and name in before:
                continue  # the source did not change it: a local edit stays
            if name not in before or local[name] == last:
                if local[name] != value:
                    _apply(listing, name, value, record, categories, venue)
                    changed.append(name)
                conflicts.pop(name, None)
            elif local[name] != value:
                conflicts[name] = {"local": local[name], "source": value}
        for name in list(conflicts):
            if name in local and name in new and local[name] == new[name]:
                conflicts.pop(name)  # someone made them agree: nothing left to decide
        if record.target_groups:
            listing.target_groups = resolver.groups_of(record)
        if record.languages:
            set_languages(listing, record.languages[:20])
        reopened = listing.status is ListingStatus.ARCHIVED
        if reopened:
            listing.status = self._status_for_new()
            self.session.add(
                StatusChange(
                    listing_id=listing.id,
                    from_status=ListingStatus.ARCHIVED,
                    to_status=listing.status,
                )
            )
        moderation.save(self.session, listing, None, via=self.source.origin)
        known.values, known.conflicts = new, conflicts
        known.content_hash, known.synced_at = digest, utcnow()
        if changed or reopened:
            self.run.updated += 1
            self.changes.append(Change("update", known.external_id, listing.title, changed))
        else:
            self.run.unchanged += 1
        new_conflicts = {name for name in conflicts if conflicts[name] != previous.get(name)}
        if new_conflicts:
            self.run.conflicts += 1
            self.changes.append(
                Change("conflict", known.external_id, listing.title, sorted(new_conflicts))
            )

    def _archive(self, known: ImportedRecord | None, title: str) -> None:
        # A rejected listing stays rejected: it is not shown, and the coordinator decided.
        if known is None or ListingStatus.ARCHIVED not in moderation.TRANSITIONS.get(
            known.listing.status, frozenset()
        ):
            self.run.unchanged += 1
            return
        listing = known.listing
        moderation.change_status(
            self.session, listing, ListingStatus.ARCHIVED, None, via=self.source.origin
        )
        self.run.archived += 1
        self.changes.append(Change("archive", known.external_id, listing.title or title))

    def archive_vanished(self) -> None:
        """Records the source no longer has are archived, never deleted."""
        for key, known in self.known.items():
            if key not in self.seen:
                self._archive(known, "")

    def flag_duplicates(self) -> None:
        """New listings that look like another source's (similar title, same venue and
        time) are flagged for the coordinator; other sources' listings are read once."""
        if not self.created:
            return
        stmt = (
            select(Listing)
            .where(
                Listing.municipality_number == self.source.municipality_number,
                Listing.origin != self.source.origin,
                Listing.status != ListingStatus.ARCHIVED,
            )
            .options(selectinload(Listing.schedules))
        )
        by_venue: dict[int | None, list[tuple[str, int, set[dt.time], int]]] = {}
        for other in self.session.scalars(stmt):
            times = {s.opens_at for s in other.schedules}
            entry = (fold(other.title), other.weekday_mask, times, other.id)
            by_venue.setdefault(other.venue_id, []).append(entry)
        for listing in self.created:
            title = fold(listing.title)
            times = {s.opens_at for s in listing.schedules}
            for other_title, mask, other_times, other_id in by_venue.get(listing.venue_id, []):
                if not (mask & listing.weekday_mask and times & other_times):
                    continue
                matcher = difflib.SequenceMatcher(None, title, other_title)
                if matcher.quick_ratio() >= DUPLICATE_SIMILARITY and (
                    matcher.ratio() >= DUPLICATE_SIMILARITY
                ):
                    self.session.add(PossibleDuplicate(listing_id=listing.id, other_id=other_id))


@contextmanager
def _old_objects_frozen() -> Iterator[None]:
    """A run creates many objects that live until it ends, so the garbage collector keeps
    making full passes, and each pass walks every object of the process (the app, the
    mappers, the session). Objects older than the run cannot become garbage because of it:
    leaving them out of those passes for the run's length makes a large import about a
    fifth faster (``bench/imports.py``)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def start_run(session: Session, source: ImportSource, dry_run: bool) -> ImportRun:
    """Record that a run began, committed at once (so a killed run stays visible)."""
    run = ImportRun(source=source, dry_run=dry_run, status=RunStatus.RUNNING)
    session.add(run)
    session.commit()
    return run


def run_import(
    session: Session,
    source: ImportSource,
    items: Iterable[Item],
    *,
    dry_run: bool = False,
    complete: bool = True,
    progress: Progress | None = None,
) -> Outcome:
    """Import ``items`` from ``source``; the caller commits. With ``dry_run`` nothing is
    kept but the run's counts and errors. ``complete`` means the items are the whole source,
    so records missing from them are archived."""
    run = start_run(session, source, dry_run)
    work = session.begin_nested()
    with _old_objects_frozen():
        state = Run(session, source, run)
        try:
            for count, item in enumerate(items, start=1):
                state.take(item)
                if progress is not None and count % 500 == 0:
                    progress(count)
            state.write_pending()
            if complete:
                state.archive_vanished()
            state.flag_duplicates()
        except FileError as error:  # the source broke off midway (a feed, a corrupt file)
            work.rollback()
            fail_run(session, run, str(error))
            session.commit()
            raise
        except Exception:  # a fault of ours: nothing kept, and the run does not stay "running"
            work.rollback()
            fail_run(
                session,
                run,
                _("Importen stoppet på grunn av en feil hos oss. Ingenting ble lagret."),
            )
            session.commit()
            raise
    counts = {
        name: getattr(run, name)
        for name in ("created", "updated", "unchanged", "archived", "failed", "conflicts")
    }
    errors = [(e.where, e.message) for e in run.errors]
    if dry_run:
        work.rollback()  # nothing the run did is kept …
        for name, value in counts.items():  # … except what it would have done
            setattr(run, name, value)
        run.errors = [ImportRowError(where=w, message=m) for w, m in errors]
    else:
        work.commit()
        source.last_run_at = utcnow()
    run.status = RunStatus.FINISHED
    run.finished_at = utcnow()
    session.flush()
    return Outcome(run, state.changes)


def fail_run(session: Session, run: ImportRun, message: str) -> None:
    """A run whose source could not be read at all."""
    run.status = RunStatus.FAILED
    run.message = message[:2000]
    run.finished_at = utcnow()
    session.flush()
