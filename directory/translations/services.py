"""Content translations: status kept in step with the source, coverage, and exchange files.

The rule for outdating lives here once, for every write path (forms, importers, admin,
CLI): when a translatable field's text changes, its translations made from the old text
become outdated — unless the change is marked as a minor edit (a typo fix), which only
restamps them. Saving a draft, changing the status or moving a listing touches no
translatable field, so it outdates nothing. Statuses are stored, never recomputed on a
page view.
"""

from __future__ import annotations

import enum
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, selectinload

from directory.listings.models import ListingStatus
from directory.translations.models import Translatable, TranslationStatus, source_hash

MINOR_EDIT = "minor_edit"
# Listings whose texts are worth translating: everything not ended or turned down.
LIVE_STATUSES = tuple(
    s for s in ListingStatus if s not in (ListingStatus.ARCHIVED, ListingStatus.REJECTED)
)


class TranslationState(enum.Enum):
    """What a reader would get in a language: the stored status, or missing."""

    CURRENT = "current"
    OUTDATED = "outdated"
    MACHINE = "machine"
    MISSING = "missing"


def mark_minor_edit(record: Translatable) -> None:
    """The next flush of ``record`` fixes typos only: its translations stay current."""
    inspect(record).info[MINOR_EDIT] = True


def outdate_changed_sources(session: Session, _context: Any, _instances: Any) -> None:
    """before_flush: outdate (or, for a minor edit, restamp) translations of changed text."""
    for record in session.dirty:
        if not isinstance(record, Translatable):
            continue
        state = inspect(record)
        minor = state.info.pop(MINOR_EDIT, False)
        for name in record.__translatable__:
            if not state.attrs[name].history.has_changes():
                continue
            digest = source_hash(getattr(record, name) or "")
            for row in record.translations:
                if row.field != name or row.source_hash == digest:
                    continue
                if minor:
                    row.source_hash = digest
                else:
                    row.status = TranslationStatus.OUTDATED


def register() -> None:
    """Listen on every session (idempotent)."""
    if not event.contains(Session, "before_flush", outdate_changed_sources):
        event.listen(Session, "before_flush", outdate_changed_sources)


def state_of(record: Translatable, name: str, language: str) -> TranslationState:
    """The stored status of one field's translation, or MISSING."""
    for row in record.translations:
        if row.field == name and row.language == language and row.text:
            return TranslationState(row.status.value)
    return TranslationState.MISSING


# -- which texts exist ------------------------------------------------------------------


@dataclass(frozen=True)
class TranslationUnit:
    """One translatable field of one record, with its source and current translation."""

    key: str  # "<table>:<id>:<field>"
    source: str
    source_language: str
    target: str
    state: TranslationState


def _models() -> dict[str, type[Any]]:
    from directory.listings.models import Listing
    from directory.organizations.models import Organization
    from directory.places.models import Venue

    return {"listing": Listing, "organization": Organization, "venue": Venue}


def municipality_records(session: Session, number: str) -> list[Translatable]:
    """The listings of a municipality that are not ended, their organizations and venues."""
    from directory.listings.models import Listing
    from directory.organizations.models import Organization
    from directory.places.models import Venue

    listings = session.scalars(
        select(Listing)
        .where(Listing.municipality_number == number, Listing.status.in_(LIVE_STATUSES))
        .options(
            selectinload(Listing.translations),
            selectinload(Listing.organization).selectinload(Organization.translations),
            selectinload(Listing.venue).selectinload(Venue.translations),
        )
        .order_by(Listing.id)
    ).all()
    records: dict[tuple[str, int], Translatable] = {}
    for listing in listings:
        for record in (listing, listing.organization, listing.venue):
            if record is not None:
                records.setdefault((type(record).__tablename__, record.id), record)
    return list(records.values())


def units_of(records: Iterable[Translatable], language: str) -> Iterator[TranslationUnit]:
    """Every non-empty translatable field of the records, as seen in ``language``."""
    for record in records:
        if record.source_language == language:
            continue
        table = type(record).__tablename__  # type: ignore[attr-defined]
        for name in record.__translatable__:
            source = getattr(record, name) or ""
            if not source.strip():
                continue
            target = next(
                (
                    row.text
                    for row in record.translations
                    if row.field == name and row.language == language
                ),
                "",
            )
            yield TranslationUnit(
                key=f"{table}:{record.id}:{name}",  # type: ignore[attr-defined]
                source=source,
                source_language=record.source_language,
                target=target,
                state=state_of(record, name, language),
            )


@dataclass
class Coverage:
    """How much of a municipality's content a language has, and what is missing."""

    counts: dict[TranslationState, int] = field(
        default_factory=lambda: dict.fromkeys(TranslationState, 0)
    )
    missing: list[str] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Translatable fields in all."""
        return sum(self.counts.values())

    @property
    def percent_current(self) -> int:
        """Share of fields with a reviewed, up-to-date translation."""
        return (
            round(100 * self.counts[TranslationState.CURRENT] / self.total) if self.total else 100
        )


def coverage(session: Session, number: str, languages: Iterable[str]) -> dict[str, Coverage]:
    """Per language: counts by state, and the keys of missing and outdated fields."""
    records = municipality_records(session, number)
    report: dict[str, Coverage] = {}
    for language in languages:
        entry = Coverage()
        for unit in units_of(records, language):
            entry.counts[unit.state] += 1
            if unit.state is TranslationState.MISSING:
                entry.missing.append(unit.key)
            elif unit.state is TranslationState.OUTDATED:
                entry.outdated.append(unit.key)
        report[language] = entry
    return report


# -- applying translations -------------------------------------------------------------


class UnitError(ValueError):
    """A unit that cannot be applied; the message says why, in plain words."""


def find_record(session: Session, key: str) -> tuple[Translatable, str]:
    """The record and field a unit key names."""
    table, _, rest = key.partition(":")
    record_id, _, name = rest.partition(":")
    model = _models().get(table)
    if model is None or not record_id.isdigit():
        raise UnitError(f"unknown unit {key!r}")
    record = session.get(model, int(record_id))
    if record is None:
        raise UnitError("the record no longer exists")
    if name not in model.__translatable__:
        raise UnitError(f"{name!r} is not a translatable field")
    return record, name


@dataclass
class ImportReport:
    """What an imported translation file changed, and which units it refused."""

    applied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class IncomingUnit:
    """A unit read from an exchange file."""

    key: str
    source: str
    target: str


def apply_units(
    session: Session,
    language: str,
    units: Iterable[IncomingUnit],
    status: TranslationStatus = TranslationStatus.CURRENT,
) -> ImportReport:
    """Store translated units; refuse those whose source changed since export.

    Flushes, never commits: the caller commits once, so a file applies whole or not at all.
    """
    report = ImportReport()
    for unit in units:
        try:
            record, name = find_record(session, unit.key)
        except UnitError as error:
            report.rejected.append((unit.key, str(error)))
            continue
        current = getattr(record, name) or ""
        if source_hash(current) != source_hash(unit.source):
            report.rejected.append((unit.key, "the source text changed after export"))
            continue
        if not unit.target.strip():
            report.empty.append(unit.key)
            continue
        existing = next(
            (r for r in record.translations if r.field == name and r.language == language), None
        )
        if (
            existing is not None
            and existing.text == unit.target
            and existing.status is status
            and existing.source_hash == source_hash(current)
        ):
            report.unchanged.append(unit.key)
            continue
        record.set_translation(name, language, unit.target, status)
        report.applied.append(unit.key)
    session.flush()
    return report


# -- machine drafts --------------------------------------------------------------------

Translate = Callable[[str, str, str], str]


class MachineTranslationError(RuntimeError):
    """The translation service did not answer usefully."""


def libretranslate(url: str, api_key: str = "", timeout: float = 20.0) -> Translate:
    """A client for a LibreTranslate-compatible ``/translate`` endpoint."""
    endpoint = url.rstrip("/") + "/translate"

    def translate(text: str, source: str, target: str) -> str:
        payload: dict[str, str] = {"q": text, "source": source, "target": target}
        payload["format"] = "text"
        if api_key:
            payload["api_key"] = api_key
        request = urllib.request.Request(  # noqa: S310 - the configured service, http(s)
            endpoint,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                answer = json.loads(response.read(1_000_000))
        except urllib.error.HTTPError as error:
            error.close()
            raise MachineTranslationError(f"{target}: the service answered {error.code}") from error
        except (OSError, ValueError) as error:
            raise MachineTranslationError(f"{target}: {error}") from error
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(translated, str) or not translated.strip():
            raise MachineTranslationError(f"{target}: no translation in the answer")
        return translated

    return translate


def machine_drafts(session: Session, number: str, language: str, translate: Translate) -> list[str]:
    """Ask the service for every missing field of a municipality; store them as machine
    translations (shown with a note until a translator approves them). Returns the keys."""
    done = []
    for unit in list(units_of(municipality_records(session, number), language)):
        if unit.state is not TranslationState.MISSING:
            continue
        record, name = find_record(session, unit.key)
        text = translate(unit.source, unit.source_language, language)
        record.set_translation(name, language, text, TranslationStatus.MACHINE)
        done.append(unit.key)
    session.flush()
    return done
