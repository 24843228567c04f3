"""The back office for imports: sources, runs, uploads with a dry run, possible duplicates,
and where an imported listing came from (shown on the site's edit and review pages).

Decisions, and why:

- Scope is the source's municipality (a run's through its source, a possible duplicate's
  through its listing), applied in the queries as in admin/views.py: a source, run or
  duplicate outside the user's municipalities is never loaded, and its page answers 404.
- An upload is kept under the instance folder in ``uploads/`` between the dry run and the
  confirmation, with a random name; the original name, the uploader and the source are
  metadata in a JSON file beside it. No route ever sends an upload back, and a token is
  only honoured for the user who uploaded it, so a guessed or leaked token is a 404.
- The dry run's page is the answer to the upload POST, not a page of its own: what a run
  would change is only known by running it, and the uploaded bytes stay until the
  coordinator confirms, cancels, or a day has passed.
- Every value is plain text that Jinja escapes (titles, row errors, source names): the
  templates build the links, no Python code builds markup.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.actions import action
from flask_babel import LazyString, format_datetime
from flask_login import current_user
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import Select, delete, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from admin.views import (
    BackOfficeAccess,
    ChoiceFilter,
    MunicipalityFilter,
    ScopedModelView,
    SecureForm,
    curated_municipalities,
    optional_id,
)
from directory.accounts.permissions import may_review
from directory.extensions import db
from directory.i18n import _, _l, ngettext
from directory.listings.models import Listing
from directory.moderation.services import schedule_from_facts
from directory.organizations.models import Organization
from directory.places.models import Municipality, Venue
from directory.schedules.describe import describe_schedule
from directory.taxonomy.models import Category
from importers.models import (
    SOURCE_KIND_LABELS,
    ImportedRecord,
    ImportRun,
    ImportSource,
    PossibleDuplicate,
    RunStatus,
    SourceKind,
)
from importers.pipeline import Change, Outcome
from importers.records import FileError
from importers.service import (
    dismiss_duplicates,
    import_data,
    in_municipality,
    source_for_file,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# What a file is read as, by its extension (the file is what it is, whatever the source).
KIND_BY_EXTENSION = {
    "csv": SourceKind.CSV,
    "xlsx": SourceKind.XLSX,
    "ics": SourceKind.ICS,
    "json": SourceKind.HSDS_JSON,
}
FILE_KINDS = tuple(KIND_BY_EXTENSION.values())
UPLOAD_MAX_AGE = dt.timedelta(days=1)  # an upload nobody confirmed or cancelled
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")
RUN_STATUS_LABELS = {
    RunStatus.RUNNING: _l("Pågår (eller ble stoppet underveis)"),
    RunStatus.FINISHED: _l("Ferdig"),
    RunStatus.FAILED: _l("Filen kunne ikke leses"),
}
CHANGE_LABELS = {
    "create": _l("Ny"),
    "update": _l("Endres"),
    "archive": _l("Avsluttes (arkiveres)"),
    "conflict": _l("Endret både her og i kilden"),
}


# -- scope -------------------------------------------------------------------------------


def _in_mine(column: Any) -> Any:
    """A WHERE clause on a municipality number column for the user's municipalities."""
    mine = curated_municipalities()
    return None if mine is None else column.in_(mine or {""})


def sources_in_scope() -> Select[Any]:
    """Import sources in the user's municipalities (all for administrators)."""
    stmt = select(ImportSource)
    clause = _in_mine(ImportSource.municipality_number)
    return stmt if clause is None else stmt.where(clause)


def runs_in_scope() -> Select[Any]:
    """Runs of the sources in scope."""
    stmt = select(ImportRun).join(ImportRun.source)
    clause = _in_mine(ImportSource.municipality_number)
    return stmt if clause is None else stmt.where(clause)


def duplicates_in_scope() -> Select[Any]:
    """Undecided possible duplicates whose listing is in the user's municipalities."""
    stmt = (
        select(PossibleDuplicate)
        .join(PossibleDuplicate.listing)
        .where(PossibleDuplicate.dismissed_at.is_(None))
    )
    clause = _in_mine(Listing.municipality_number)
    return stmt if clause is None else stmt.where(clause)


# -- choices -----------------------------------------------------------------------------


def my_municipality_choices() -> list[SelectChoice]:
    """The user's municipalities, by name."""
    stmt = select(Municipality.number, Municipality.name).order_by(Municipality.name)
    clause = _in_mine(Municipality.number)
    if clause is not None:
        stmt = stmt.where(clause)
    return [SelectChoice(number, f"{name} ({number})") for number, name in db.session.execute(stmt)]


def _choices_in_scope(model: type[Organization | Venue]) -> list[SelectChoice]:
    """Organizations or venues in the user's municipalities, with the blank choice first."""
    stmt = select(model.id, model.name, model.municipality_number)
    clause = _in_mine(model.municipality_number)
    if clause is not None:
        stmt = stmt.where(clause)
    rows = db.session.execute(stmt.order_by(model.name))
    return [
        SelectChoice("", "—"),
        *(SelectChoice(str(i), f"{name} ({number})") for i, name, number in rows),
    ]


def organization_choices() -> list[SelectChoice]:
    """Organizations in the user's municipalities, with the blank choice first."""
    return _choices_in_scope(Organization)


def venue_choices() -> list[SelectChoice]:
    """Venues in the user's municipalities, with the blank choice first."""
    return _choices_in_scope(Venue)


def category_slug_choices() -> list[SelectChoice]:
    """Every category, by label, keyed by slug."""
    rows = db.session.execute(select(Category.slug, Category.label).order_by(Category.label))
    return [SelectChoice(slug, label) for slug, label in rows]


def source_choices() -> list[SelectChoice]:
    """The active sources in scope, with "a new source" first."""
    stmt = sources_in_scope().where(ImportSource.active.is_(True)).order_by(ImportSource.name)
    return [
        SelectChoice("", _("Ny kilde (fyll ut under)")),
        *(SelectChoice(str(s.id), s.name) for s in db.session.scalars(stmt)),
    ]


def file_kind_choices() -> list[SelectChoice]:
    """The kinds a file is read as, with "from the file name" first."""
    return [
        SelectChoice("", _("Finn ut fra filnavnet")),
        *(SelectChoice(k.value, SOURCE_KIND_LABELS[k]) for k in FILE_KINDS),
    ]


# -- column mapping ----------------------------------------------------------------------


def mapping_help() -> str:
    """The fields a header may be pointed at, as the spreadsheet template names them."""
    from importers.spreadsheet import COLUMNS

    names = ", ".join(f"{column.nb} ({column.field})" for column in COLUMNS)
    return _(
        "Én per linje: overskriften i kilden, et likhetstegn og feltet den betyr, for "
        "eksempel «Aktivitet = Tittel». Skriv «ignorer» for en kolonne som skal hoppes "
        "over. Bare nødvendig når regnearket bruker andre overskrifter enn malen. "
        "Feltene: %(names)s.",
        names=names,
    )


def is_mapping_target(header: str, target: str) -> bool:
    """Whether the spreadsheet reader accepts pointing ``header`` at ``target``."""
    from importers import spreadsheet

    try:
        # The reader's own rule (field names, template headers, "ignorer"), so the form
        # refuses exactly what an import would refuse.
        spreadsheet._header_lookup({header: target})
    except FileError:
        return False
    return True


def parse_mapping(text: str) -> dict[str, str]:
    """``Overskrift i kilden = felt`` one per line, as a dict; ValueError says what is wrong."""
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        header, sep, target = line.partition("=")
        header, target = header.strip()[:100], target.strip()[:100]
        if not sep or not header or not target:
            raise ValueError(
                _(
                    "Linje %(n)d: skriv overskriften i kilden, et likhetstegn og feltet, "
                    "for eksempel «Aktivitet = Tittel».",
                    n=number,
                )
            )
        if not is_mapping_target(header, target):
            raise ValueError(
                _(
                    "Linje %(n)d: kjenner ikke feltet «%(name)s». Bruk et av feltene som "
                    "står under.",
                    n=number,
                    name=target[:40],
                )
            )
        mapping[header] = target
    return mapping


class MappingField(TextAreaField):  # type: ignore[misc]  # WTForms ships no types here
    """A column mapping as text, one ``header = field`` a line; the data is the dict."""

    data: dict[str, str]

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "\n".join(f"{header} = {name}" for header, name in (self.data or {}).items())

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the posted text (WTForms reports the ValueError on the field)."""
        if valuelist:
            self.data = parse_mapping(str(valuelist[0])[:10_000])


def http_url(form: Any, field: Any) -> None:
    """Only http and https addresses (no file:, javascript: or internal schemes)."""
    if not field.data:
        return
    parts = urlsplit(field.data.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(_("Skriv en adresse som begynner med https:// (eller http://)."))


class SourceForm(SecureForm):
    """A source and the defaults its listings get."""

    name = StringField(_l("Navn"), validators=[DataRequired(), Length(max=80)])
    kind = SelectField(
        _l("Type"),
        choices=[SelectChoice(k.value, SOURCE_KIND_LABELS[k]) for k in SourceKind],
        coerce=SourceKind,
    )
    url = StringField(
        _l("Adresse (for kilder som hentes fra nettet)"),
        validators=[Optional(), Length(max=1000), http_url],
    )
    municipality_number = SelectField(
        _l("Kommune"), choices=my_municipality_choices, validators=[DataRequired()]
    )
    organization_id = SelectField(
        _l("Arrangør når kilden ikke sier det"), choices=organization_choices, coerce=optional_id
    )
    venue_id = SelectField(
        _l("Sted når kilden ikke sier det"), choices=venue_choices, coerce=optional_id
    )
    category_slugs = SelectMultipleField(
        _l("Kategorier når kilden ikke sier det"), choices=category_slug_choices
    )
    trusted = BooleanField(_l("Publiser uten godkjenning (klarert kilde)"))
    active = BooleanField(_l("Aktiv"), default=True)
    column_mapping = MappingField(
        _l("Andre overskrifter i regnearket"),
        description=LazyString(mapping_help),
    )

    def validate_name(self, field: Any) -> None:
        """Names are unique: listings carry the name as their origin."""
        stmt = select(ImportSource.id).where(ImportSource.name == field.data.strip())
        own = getattr(self, "_obj", None)
        if own is not None and own.id is not None:
            stmt = stmt.where(ImportSource.id != own.id)
        if db.session.scalar(stmt) is not None:
            raise ValidationError(_("Det finnes allerede en kilde med det navnet."))

    def validate_url(self, field: Any) -> None:
        """A source read from the web needs its address."""
        if self.kind.data is SourceKind.HSDS_API and not field.data:
            raise ValidationError(_("Skriv adressen til API-et, for eksempel https://…/api."))

    def validate_organization_id(self, field: Any) -> None:
        """The default organization is in the source's municipality."""
        _same_municipality(Organization, field.data, self.municipality_number.data)

    def validate_venue_id(self, field: Any) -> None:
        """The default venue is in the source's municipality."""
        _same_municipality(Venue, field.data, self.municipality_number.data)


def _same_municipality(model: type[Organization | Venue], id_: int | None, number: str) -> None:
    if not in_municipality(db.session(), model, id_, number):
        raise ValidationError(_("Velg en som hører til samme kommune som kilden."))


# -- model views -------------------------------------------------------------------------


def local_time(moment: dt.datetime) -> str:
    """A moment in the reader's time zone, short."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite: naive UTC
    return str(format_datetime(moment, "short"))


def _mapping_text(view: Any, context: Any, model: ImportSource, name: str) -> str:
    return "; ".join(f"{header} = {target}" for header, target in model.column_mapping.items())


def _run_status(view: Any, context: Any, model: ImportRun, name: str) -> str:
    return str(RUN_STATUS_LABELS[model.status])


class ImportSourceView(ScopedModelView):
    """The sources of the coordinator's municipalities, with their defaults."""

    can_create = True
    can_edit = True
    can_view_details = True
    form = SourceForm
    column_list = [
        "name",
        "kind",
        "municipality.name",
        "organization.name",
        "trusted",
        "active",
        "last_run_at",
    ]
    column_details_list = [
        "name",
        "kind",
        "url",
        "municipality.name",
        "organization.name",
        "venue.name",
        "category_slugs",
        "trusted",
        "active",
        "column_mapping",
        "last_run_at",
    ]
    column_formatters_detail = {"column_mapping": _mapping_text}
    column_labels = {
        "name": _l("Navn"),
        "kind": _l("Type"),
        "municipality.name": _l("Kommune"),
        "organization.name": _l("Arrangør"),
        "venue.name": _l("Sted"),
        "url": _l("Adresse"),
        "category_slugs": _l("Kategorier"),
        "column_mapping": _l("Andre overskrifter i regnearket"),
        "trusted": _l("Klarert"),
        "active": _l("Aktiv"),
        "last_run_at": _l("Sist importert"),
    }
    column_sortable_list = ["name", "last_run_at"]
    column_default_sort = "name"
    # One query for the list, not one a row.
    column_select_related_list = [ImportSource.municipality, ImportSource.organization]
    column_searchable_list = ["name"]
    column_filters = [MunicipalityFilter(ImportSource.municipality_number, _l("Kommune"))]

    def scope(self) -> Select[Any]:
        """Sources in the user's municipalities."""
        return sources_in_scope()

    def on_model_change(self, form: Any, model: ImportSource, is_created: bool) -> None:
        """Blank address stored as none; the name as listings will carry it."""
        model.name = model.name.strip()
        model.url = (model.url or "").strip() or None
        model.category_slugs = list(model.category_slugs or [])
        model.column_mapping = dict(model.column_mapping or {})

    def record_links(self, model: ImportSource) -> list[tuple[str, str]]:
        """Upload a file to this source (only an active one takes files)."""
        if not model.active:
            return []
        return [(_("Last opp en fil"), url_for("import.index", source=model.id))]


class ImportRunView(ScopedModelView):
    """Every run of the sources in scope, read only; the details page lists row errors."""

    can_edit = False
    can_view_details = True
    form = SecureForm  # never shown: runs are made by importing
    details_template = "admin/imports/run_details.html"
    column_select_related_list = [ImportRun.source]  # one query for the list, not one a row
    column_list = [
        "source.name",
        "started_at",
        "dry_run",
        "status",
        "created",
        "updated",
        "unchanged",
        "archived",
        "failed",
        "conflicts",
    ]
    column_details_list = [*column_list, "finished_at", "message"]
    column_labels = {
        "source.name": _l("Kilde"),
        "started_at": _l("Startet"),
        "finished_at": _l("Ferdig"),
        "dry_run": _l("Prøvekjøring"),
        "status": _l("Status"),
        "message": _l("Melding"),
        "created": _l("Nye"),
        "updated": _l("Endret"),
        "unchanged": _l("Uendret"),
        "archived": _l("Arkivert"),
        "failed": _l("Feil"),
        "conflicts": _l("Konflikter"),
    }
    column_formatters = {"status": _run_status}
    column_formatters_detail = column_formatters
    column_sortable_list = ["started_at", "failed"]
    column_default_sort = ("started_at", True)
    column_filters = [
        ChoiceFilter(
            ImportRun.status,
            _l("Status"),
            convert=RunStatus,
            options=[(status.value, label) for status, label in RUN_STATUS_LABELS.items()],
        )
    ]

    def scope(self) -> Select[Any]:
        """Runs of sources in the user's municipalities."""
        return runs_in_scope()

    def record_label(self, model: ImportRun) -> str:
        """The source and when."""
        return f"{model.source.name} – {local_time(model.started_at)}"


def origin_label(origin: str) -> str:
    """Where a listing came from, in words."""
    if origin.startswith("import:"):
        return _("Import fra «%(name)s»", name=origin.removeprefix("import:"))
    if origin == "demo":
        return _("Eksempeldata")
    return _("Lagt inn på nettstedet")


class DuplicateView(ScopedModelView):
    """Listings from two sources that look alike; the coordinator decides, nothing merges."""

    can_edit = False
    form = SecureForm  # never shown
    list_template = "admin/imports/duplicate_list.html"
    column_list = ["listing.title", "other.title", "created_at"]
    column_labels = {
        "listing.title": _l("Oppføring"),
        "other.title": _l("Ligner på"),
        "created_at": _l("Funnet"),
    }
    column_sortable_list = ["created_at"]
    column_default_sort = ("created_at", True)

    def scope(self) -> Select[Any]:
        """Undecided pairs whose listing is in the user's municipalities."""
        return duplicates_in_scope()

    def get_query(self) -> Any:
        """The list query, with both listings and their venues loaded at once."""
        return (
            super()
            .get_query()
            .options(
                selectinload(PossibleDuplicate.listing).selectinload(Listing.venue),
                selectinload(PossibleDuplicate.other).selectinload(Listing.venue),
            )
        )

    def record_label(self, model: PossibleDuplicate) -> str:
        """Both titles."""
        return f"{model.listing.title} / {model.other.title}"

    def origin_label(self, listing: Listing) -> str:
        """Where the listing came from, in words (for the template)."""
        return origin_label(listing.origin)

    def edit_url(self, listing: Listing) -> str | None:
        """The site's edit page for a listing, where the site has one."""
        if "contribute.edit" not in current_app.view_functions:
            return None
        return url_for("contribute.edit", locale="nb", listing_id=listing.id)

    @action("dismiss", _l("Ikke dublett"))  # type: ignore[untyped-decorator]
    def action_dismiss(self, ids: list[str]) -> None:
        """The selected pairs are different activities: stop showing them."""
        pairs = self.records(ids)  # only pairs in the user's municipalities
        dismiss_duplicates(pairs)
        db.session.commit()
        flash(
            ngettext(
                "%(num)d par er merket som ikke dublett.",
                "%(num)d par er merket som ikke dubletter.",
                len(pairs),
            )
        )


# -- uploads -----------------------------------------------------------------------------


@dataclass
class Upload:
    """An uploaded file waiting for its dry run to be confirmed or cancelled."""

    token: str
    path: Path
    user_id: int
    source_id: int
    kind: SourceKind
    original_name: str
    new_source: bool  # made for this upload: it goes again if nothing is imported

    @property
    def meta_path(self) -> Path:
        """Where the metadata is kept, beside the file."""
        return self.path.with_suffix(".json")


def upload_folder() -> Path:
    """The instance folder's ``uploads/``, where uploads wait (created when missing)."""
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def store_upload(
    folder: Path,
    data: bytes,
    original_name: str,
    user_id: int,
    source_id: int,
    kind: SourceKind,
    new_source: bool = False,
) -> Upload:
    """Keep an upload under a random name, with who sent it and for which source."""
    token = secrets.token_urlsafe(24)
    upload = Upload(
        token=token,
        path=folder / f"{token}.upload",
        user_id=user_id,
        source_id=source_id,
        kind=kind,
        original_name=original_name[:200],
        new_source=new_source,
    )
    upload.path.write_bytes(data)
    meta = {
        "user_id": user_id,
        "source_id": source_id,
        "kind": kind.value,
        "original_name": upload.original_name,
        "new_source": new_source,
    }
    upload.meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return upload


def load_upload(folder: Path, token: str, user_id: int) -> Upload | None:
    """The user's own upload with this token, or None (missing, malformed or not theirs)."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    path = folder / f"{token}.upload"
    try:
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        upload = Upload(
            token=token,
            path=path,
            user_id=int(meta["user_id"]),
            source_id=int(meta["source_id"]),
            kind=SourceKind(meta["kind"]),
            original_name=str(meta["original_name"]),
            new_source=bool(meta.get("new_source")),
        )
        expired = path.stat().st_mtime < time.time() - UPLOAD_MAX_AGE.total_seconds()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if upload.user_id != user_id or expired:
        return None
    return upload


def discard_upload(upload: Upload) -> None:
    """Delete the file and its metadata."""
    upload.path.unlink(missing_ok=True)
    upload.meta_path.unlink(missing_ok=True)


def forget_new_source(upload: Upload) -> None:
    """A source made for an upload that was thrown away goes too, unless something was
    imported into it meanwhile (its runs go with it)."""
    if not upload.new_source:
        return
    session = db.session()
    used = select(ImportedRecord.id).where(ImportedRecord.source_id == upload.source_id)
    if session.scalar(used.limit(1)) is None:
        session.execute(delete(ImportSource).where(ImportSource.id == upload.source_id))
        session.commit()


def sweep_uploads(folder: Path, max_age: dt.timedelta = UPLOAD_MAX_AGE) -> int:
    """Delete uploads nobody confirmed or cancelled in time; returns how many."""
    cutoff = time.time() - max_age.total_seconds()
    removed = 0
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                path.with_suffix(".json").unlink(missing_ok=True)
                removed += 1
        except OSError:
            continue
    return removed


def upload_kind(filename: str, chosen: str) -> SourceKind:
    """The kind a file is read as: the one chosen, else its extension's."""
    if chosen:
        return SourceKind(chosen)
    return KIND_BY_EXTENSION[filename.rsplit(".", 1)[-1].lower()]


class UploadForm(SecureForm):
    """A file for an existing source, or for a new one described here."""

    source = SelectField(_l("Kilde"), choices=source_choices)
    name = StringField(_l("Navn på den nye kilden"), validators=[Length(max=80)])
    kind = SelectField(_l("Filtype"), choices=file_kind_choices)
    municipality = SelectField(
        _l("Kommune"), choices=lambda: [SelectChoice("", "—"), *my_municipality_choices()]
    )
    organization = SelectField(
        _l("Arrangør når filen ikke sier det"), choices=organization_choices, coerce=optional_id
    )
    file = FileField(
        _l("Fil (CSV, Excel, iCalendar eller Open Referral JSON, høyst 5 MB)"),
        validators=[
            FileRequired(_l("Velg en fil.")),
            FileAllowed(
                list(KIND_BY_EXTENSION),
                _l("Filen må slutte på .csv, .xlsx, .ics eller .json."),
            ),
        ],
    )
    content: bytes = b""

    def validate_file(self, field: Any) -> None:
        """At most 5 MB (read once, and kept for the import)."""
        data = field.data.stream.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValidationError(_("Filen er for stor. Den kan være høyst 5 MB."))
        if not data:
            raise ValidationError(_("Filen er tom."))
        self.content = data

    def validate_name(self, field: Any) -> None:
        """A new source needs a name nobody else uses."""
        if self.source.data:
            return
        name = (field.data or "").strip()
        if not name:
            raise ValidationError(_("Velg en kilde, eller gi den nye kilden et navn."))
        if db.session.scalar(select(ImportSource.id).where(ImportSource.name == name)):
            raise ValidationError(
                _("Det finnes allerede en kilde med det navnet. Velg den i listen over.")
            )

    def validate_municipality(self, field: Any) -> None:
        """A new source needs one of the user's municipalities."""
        if not self.source.data and not field.data:
            raise ValidationError(_("Velg kommunen den nye kilden hører til."))

    def validate_organization(self, field: Any) -> None:
        """The new source's organization is in its municipality."""
        if not self.source.data and self.municipality.data:
            _same_municipality(Organization, field.data, self.municipality.data)


class ConfirmForm(SecureForm):
    """The token of an upload to import or throw away."""

    token = HiddenField(validators=[DataRequired(), Regexp(TOKEN_SHAPE.pattern)])


@dataclass
class ChangeLine:
    """One row of the dry run's list of changes, in words."""

    action: str
    label: str
    title: str
    external_id: str
    fields: list[str] = field(default_factory=list)


def change_lines(changes: Iterable[Change]) -> list[ChangeLine]:
    """What a run did or would do, with field names as the forms call them."""
    labels = field_labels()
    return [
        ChangeLine(
            action=c.action,
            label=str(CHANGE_LABELS.get(c.action, c.action)),
            title=c.title,
            external_id=c.external_id,
            fields=[labels.get(name, name) for name in c.fields],
        )
        for c in changes
    ]


class ImportUploadView(BackOfficeAccess, BaseView):  # type: ignore[misc]
    """Upload a file, see what it would change, then import it or throw it away."""

    def _form_data(self) -> Any:
        return (
            CombinedMultiDict((request.files, request.form)) if request.method == "POST" else None
        )

    def _source(self, source_id: int) -> ImportSource:
        found = db.session.scalar(sources_in_scope().where(ImportSource.id == source_id))
        if found is None:
            abort(404)
        return found  # type: ignore[no-any-return]

    @expose("/", methods=("GET", "POST"))  # type: ignore[untyped-decorator]
    def index(self) -> str:
        """The upload form; a valid upload is stored and its dry run shown."""
        form = UploadForm(self._form_data())
        if request.method == "GET" and request.args.get("source", "").isdigit():
            form.source.data = request.args["source"]
        if request.method == "POST" and form.validate():
            kind = upload_kind(form.file.data.filename or "", form.kind.data)
            source = self._chosen_source(form, kind)
            folder = upload_folder()
            sweep_uploads(folder)
            upload = store_upload(
                folder,
                form.content,
                form.file.data.filename or "",
                current_user.id,
                source.id,
                kind,
                new_source=not form.source.data,
            )
            return self._run(upload, source, dry_run=True)
        return str(self.render("admin/imports/upload.html", form=form))

    def _chosen_source(self, form: UploadForm, kind: SourceKind) -> ImportSource:
        if form.source.data:
            return self._source(int(form.source.data))
        source = source_for_file(
            db.session(),
            form.name.data.strip(),
            kind,
            form.municipality.data,
            form.organization.data,
        )
        db.session.commit()
        return source

    def _run(self, upload: Upload, source: ImportSource, *, dry_run: bool) -> str:
        """Import (or try) the upload; a file that cannot be read is thrown away."""
        session = db.session()
        try:
            outcome = import_data(session, source, upload.path, kind=upload.kind, dry_run=dry_run)
        except FileError as error:
            discard_upload(upload)
            forget_new_source(upload)
            return str(
                self.render("admin/imports/unreadable.html", upload=upload, reason=str(error))
            )
        session.commit()
        if not dry_run:
            discard_upload(upload)
        return str(self.render("admin/imports/result.html", **self._result(outcome, upload)))

    def _result(self, outcome: Outcome, upload: Upload) -> dict[str, Any]:
        run = outcome.run
        return {
            "run": run,
            "source": run.source,
            "upload": upload,
            "changes": change_lines(outcome.changes),
            "errors": list(run.errors),
            "form": ConfirmForm(token=upload.token),
        }

    def _upload(self) -> Upload:
        form = ConfirmForm(request.form)
        if not form.validate():
            abort(404)
        upload = load_upload(upload_folder(), form.token.data, current_user.id)
        if upload is None:
            abort(404)
        return upload

    @expose("/confirm", methods=("POST",))  # type: ignore[untyped-decorator]
    def confirm(self) -> str:
        """Import the upload for real, then delete it."""
        upload = self._upload()
        return self._run(upload, self._source(upload.source_id), dry_run=False)

    @expose("/cancel", methods=("POST",))  # type: ignore[untyped-decorator]
    def cancel(self) -> Response:
        """Throw the upload away; nothing was imported."""
        upload = self._upload()
        discard_upload(upload)
        forget_new_source(upload)
        flash(_("Filen er slettet. Ingenting ble importert."))
        return redirect(url_for(".index"))


# -- provenance on the site's edit and review pages ---------------------------------------


@dataclass
class ConflictLine:
    """A field changed both here and in the source, with both values in words."""

    label: str
    here: str
    there: str


@dataclass
class Provenance:
    """Where an imported listing came from, for its coordinators."""

    record: ImportedRecord
    source_name: str
    synced_at: str
    conflicts: list[ConflictLine]


def field_labels() -> dict[str, str]:
    """Listing field names as the site's form calls them."""
    from directory.contribute.forms import ListingForm

    form = ListingForm(formdata=None, meta={"csrf": False})
    labels = {name: str(f.label.text) for name, f in form._fields.items()}
    labels.update(
        schedules=_("Når"),
        categories=_("Kategorier"),
        venue_name=_("Sted"),
    )
    return labels


def value_text(name: str, value: Any) -> str:
    """A field's value as a coordinator reads it."""
    if value is None or value == "" or value == []:
        return _("(tomt)")
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    if name == "categories" and isinstance(value, list):
        stmt = select(Category.label).where(Category.id.in_(value)).order_by(Category.label)
        return ", ".join(db.session.scalars(stmt))
    if name == "schedules" and isinstance(value, list):
        return "; ".join(_schedule_text(facts) for facts in value)
    return str(value)


def _schedule_text(facts: Any) -> str:
    try:
        return describe_schedule(schedule_from_facts(facts))
    except (KeyError, TypeError, ValueError):
        return json.dumps(facts, ensure_ascii=False)[:200]


def provenance(listing: Any) -> Provenance | None:
    """Where the listing was imported from, for those who curate it; else None."""
    if not isinstance(listing, Listing) or listing.id is None:
        return None
    if not may_review(current_user, listing):
        return None
    stmt = (
        select(ImportedRecord)
        .where(ImportedRecord.listing_id == listing.id)
        .options(selectinload(ImportedRecord.source))
        .order_by(ImportedRecord.synced_at.desc())
    )
    record = db.session.scalars(stmt).first()
    if record is None:
        return None
    labels = field_labels() if record.conflicts else {}
    conflicts = [
        ConflictLine(
            label=labels.get(name, name),
            here=value_text(name, pair.get("local")),
            there=value_text(name, pair.get("source")),
        )
        for name, pair in sorted((record.conflicts or {}).items())
        if isinstance(pair, dict)
    ]
    return Provenance(record, record.source.name, local_time(record.synced_at), conflicts)


def init_imports(app: Flask) -> None:
    """The ``provenance`` template global (the request size limit is MAX_CONTENT_LENGTH in
    the configuration; uploads have their own, smaller one: MAX_UPLOAD_BYTES)."""
    app.add_template_global(provenance, "provenance")
