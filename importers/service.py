"""Running imports: pick the reader for a kind, find or create the source, fetch feeds."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.db import utcnow
from directory.i18n import _
from directory.organizations.models import Organization
from directory.places.models import Municipality, Venue
from importers.models import NAME_MAX, ImportSource, PossibleDuplicate, SourceKind
from importers.pipeline import Outcome, Progress, fail_run, run_import, start_run
from importers.records import FileError, Reader

MAX_FILE_BYTES = 20_000_000


def reader_for(kind: SourceKind, data: bytes | Path, source: ImportSource) -> Reader:
    """The reader for a kind of source, over bytes (or a folder, for an HSDS package)."""
    if kind is SourceKind.HSDS_CSV:
        from importers.hsds import read_hsds_tabular

        return read_hsds_tabular(data)
    if isinstance(data, Path):
        data = read_bytes(data)
    if kind is SourceKind.CSV:
        from importers.spreadsheet import read_csv

        return read_csv(data, source.column_mapping or None)
    if kind is SourceKind.XLSX:
        from importers.spreadsheet import read_xlsx

        return read_xlsx(data, source.column_mapping or None)
    if kind is SourceKind.ICS:
        from importers.ical import read_ics

        return read_ics(data)
    if kind is SourceKind.HSDS_JSON:
        from importers.hsds import read_hsds_json

        return read_hsds_json(data)
    raise FileError(_("Denne typen kilde leses fra en adresse, ikke en fil."))


def read_bytes(path: Path) -> bytes:
    """A file's bytes, refusing missing, unreadable and oversized files in plain words."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileError(_("Filen er for stor (over 20 MB)."))
        return path.read_bytes()
    except FileNotFoundError:
        raise FileError(_("Fant ikke filen %(path)s.", path=str(path))) from None
    except IsADirectoryError:
        raise FileError(_("%(path)s er en mappe, ikke en fil.", path=str(path))) from None
    except OSError as error:
        raise FileError(
            _("Kunne ikke lese %(path)s: %(reason)s", path=str(path), reason=error.strerror)
        ) from None


def in_municipality(
    session: Session, model: type[Organization | Venue], id_: int | None, number: str
) -> bool:
    """Whether the organization or venue ``id_`` (if any) is in municipality ``number``."""
    if id_ is None:
        return True
    stmt = select(model.municipality_number).where(model.id == id_)
    return session.scalar(stmt) == number


def source_for_file(
    session: Session,
    name: str,
    kind: SourceKind,
    municipality: str,
    organization_id: int | None,
) -> ImportSource:
    """The named source, created with these defaults the first time it is used."""
    if session.get(Municipality, municipality) is None:
        raise FileError(_("Fant ingen kommune med nummer %(number)s.", number=municipality))
    if not in_municipality(session, Organization, organization_id, municipality):
        raise FileError(
            _(
                "Fant ingen organisasjon med id %(id)s i kommune %(number)s.",
                id=organization_id,
                number=municipality,
            )
        )
    name = name.strip()[:NAME_MAX]
    source = session.scalars(select(ImportSource).where(ImportSource.name == name)).first()
    if source is not None and source.kind is not kind:
        # Another kind of file would not carry the source's records: all would be archived.
        raise FileError(
            _(
                "Kilden «%(name)s» leser %(kind)s-filer. Bruk et annet kildenavn for denne filen.",
                name=name,
                kind=source.kind.value,
            )
        )
    if source is None:
        source = ImportSource(
            name=name,
            kind=kind,
            municipality_number=municipality,
            organization_id=organization_id,
        )
        session.add(source)
        session.flush()
    elif source.municipality_number != municipality:
        raise FileError(
            _(
                "Kilden «%(name)s» hører til kommune %(number)s.",
                name=name,
                number=source.municipality_number,
            )
        )
    if organization_id is not None:
        source.organization_id = organization_id
    session.flush()
    return source


def import_data(
    session: Session,
    source: ImportSource,
    data: bytes | Path,
    *,
    kind: SourceKind | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Outcome:
    """Read and import one file's content; a FileError is recorded on a failed run."""
    try:
        reader = reader_for(kind or source.kind, data, source)
    except FileError as error:
        record_failure(session, source, dry_run, str(error))
        raise
    return run_import(session, source, reader, dry_run=dry_run, progress=progress)


def record_failure(session: Session, source: ImportSource, dry_run: bool, message: str) -> None:
    """Keep a failed run for a source that could not be read at all."""
    session.rollback()
    fail_run(session, start_run(session, source, dry_run), message)
    session.commit()


def import_configured(
    session: Session, source: ImportSource, *, dry_run: bool = False
) -> Outcome | None:
    """Fetch and import a configured source; None when the feed has not changed."""
    if not source.url:
        raise FileError(_("Kilden «%(name)s» har ingen adresse.", name=source.name))
    from functools import partial

    from flask import current_app

    from importers.fetch import fetch

    # Feeds are addresses typed by coordinators: internal addresses are refused unless
    # the deployment says otherwise (an intranet feed; the tests' local server).
    allow_private = bool(current_app.config.get("IMPORT_ALLOW_PRIVATE_URLS"))
    if source.kind is SourceKind.HSDS_API:
        from importers.hsds import read_hsds_api

        fetcher = partial(fetch, allow_private=allow_private)
        return run_import(session, source, read_hsds_api(source.url, fetcher), dry_run=dry_run)
    try:
        fetched = fetch(
            source.url,
            etag=source.etag,
            last_modified=source.last_modified,
            allow_private=allow_private,
        )
    except FileError as error:
        record_failure(session, source, dry_run, str(error))
        raise
    if fetched.content is None:
        return None
    outcome = import_data(session, source, fetched.content, dry_run=dry_run)
    if not dry_run:
        source.etag, source.last_modified = fetched.etag, fetched.last_modified
    return outcome


def dismiss_duplicates(pairs: Iterable[PossibleDuplicate]) -> None:
    """A coordinator says these pairs are different activities: they are no longer shown
    (the row stays, as a record of the decision)."""
    now = utcnow()
    for pair in pairs:
        pair.dismissed_at = now
