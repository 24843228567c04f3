"""Reading CSV and Excel (.xlsx) sheets as Norwegian coordinators really make them.

A sheet has one row per offer or event under a row of column headers, which need not be
the first row (title rows above are skipped). Headers are matched by folded text against
Norwegian and English names (``COLUMNS``), or by a per-source mapping. Values are read by
``importers.norwegian``; a row with a bad value becomes one ``RowError`` naming every
problem in it, and the good rows still come. Line numbers are the row numbers Excel shows.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import has_request_context, url_for
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from werkzeug.routing import BuildError

from directory.i18n import _
from directory.listings.models import ListingKind
from directory.schedules.recurrence import today_in_oslo
from directory.text import fold, strip_controls
from importers.norwegian import (
    Breaks,
    Cell,
    as_written,
    first_occurrence,
    parse_age,
    parse_bool,
    parse_breaks,
    parse_date,
    parse_date_range,
    parse_dates,
    parse_days,
    parse_email,
    parse_kind,
    parse_languages,
    parse_phone,
    parse_postal_code,
    parse_price,
    parse_registration,
    parse_time_range,
    parse_url,
    split_address,
    split_contact,
    split_day_and_time,
    split_postal_place,
    time_error,
)
from importers.records import (
    FileError,
    Item,
    OrganizationData,
    Reader,
    Record,
    RowError,
    ScheduleData,
    VenueData,
)

MAX_ROWS = 50_000  # rows with content; a directory sheet has tens or hundreds
MAX_COLUMNS = 200
HEADER_SEARCH_ROWS = 20  # title rows, notes and blank rows above the headers
TEMPLATE_FALLBACK = "/nb/import/template.xlsx"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

T = TypeVar("T")
Time = tuple[dt.time, dt.time | None]


@dataclass(frozen=True)
class Column:
    """A column we read: its field, its headers in the template, and other names for it."""

    field: str
    nb: str
    en: str
    aliases: str = ""  # other headers meaning the same, separated by "|"
    in_template: bool = True
    help_nb: str = ""
    help_en: str = ""


# The template's headers and help (only Norwegian and English: the template is offered in
# those two, and the headers must stay the same whatever the interface language is).
COLUMNS: tuple[Column, ...] = (
    Column(
        "external_id", "ID", "ID", "nr|nummer|løpenummer|ekstern id|external id|ref",
        help_nb="Valgfritt. Et fast nummer per rad, så samme rad blir oppdatert neste gang.",
        help_en="Optional. A fixed number per row, so the same row is updated next time.",
    ),
    Column(
        "title", "Tittel", "Title",
        "navn|aktivitet|aktivitetsnavn|navn på aktivitet|navn på tilbud|tilbud|name|activity",
        help_nb="Påkrevd. Navnet på aktiviteten.",
        help_en="Required. The activity's name.",
    ),
    Column(
        "kind", "Type", "Type", "tilbud eller arrangement|kind",
        help_nb="Tilbud (går fast) eller Arrangement (bestemt dato). "
        "Tomt: Tilbud når Dag er fylt ut, ellers Arrangement.",
        help_en="Offer (ongoing) or Event (on a date). "
        "Empty: Offer when Days is filled in, else Event.",
    ),
    Column(
        "summary", "Kort beskrivelse", "Summary",
        "kortbeskrivelse|ingress|sammendrag|short description",
        help_nb="Én setning.",
        help_en="One sentence.",
    ),
    Column(
        "description", "Beskrivelse", "Description",
        "om|om aktiviteten|lang beskrivelse|info|about|details",
        help_nb="Mer om aktiviteten.",
        help_en="More about the activity.",
    ),
    Column(
        "categories", "Kategori", "Category", "kategorier|kategoriar|categories|tema",
        help_nb="En eller flere, skilt med komma: Språkkafé, Leksehjelp, Turgrupper …",
        help_en="One or more, separated by commas: Language café, Homework help …",
    ),
    Column(
        "target_groups", "Målgruppe", "Target group",
        "målgrupper|for hvem|for kven|hvem|for|target groups|audience",
        help_nb="For hvem, skilt med komma: Alle, Bare kvinner, Barn, Ungdom, Foreldre …",
        help_en="Who it is for, separated by commas: Everyone, Women only, Children …",
    ),
    Column(
        "days", "Dag", "Days", "dager|dagar|ukedag|ukedager|vekedag|day|weekday|weekdays",
        help_nb="For noe som gjentas: tirsdag, mandag og onsdag, mandag–fredag, hver dag, "
        "annenhver onsdag, første mandag i måneden. Tomt for enkeltdatoer.",
        help_en="For something that repeats: Tuesday, Monday and Wednesday, every day, "
        "every other Wednesday, first Monday of the month. Empty for single dates.",
    ),
    Column(
        "date", "Dato", "Date",
        "datoer|startdato|fra dato|fra|første dato|oppstart|start|dates|start date|from|from date",
        help_nb="Enkeltdato(er) for et arrangement, eller første gang for noe som gjentas: "
        "12.03.2026, eller 12.03.2026, 19.03.2026.",
        help_en="Single date(s) for an event, or the first time for something that repeats: "
        "12.03.2026, or 12.03.2026, 19.03.2026.",
    ),
    Column(
        "end_date", "Til dato", "End date", "sluttdato|til|siste dato|slutt|until|to date|end|to",
        help_nb="Siste gang noe som gjentas holder på. Tomt: fortsetter.",
        help_en="The last date something that repeats runs. Empty: it goes on.",
    ),
    Column(
        "time", "Tid", "Time", "klokkeslett|kl|klokka|tider|tidspunkt|times",
        help_nb="18:00 eller 18:00–20:00. Tomt: hele dagen.",
        help_en="18:00 or 18:00–20:00. Empty: all day.",
    ),
    Column("when", "Når", "When", "schedule", in_template=False),
    Column(
        "venue", "Sted", "Venue", "lokale|møtested|location|place",
        help_nb="Navnet på stedet, for eksempel Biblioteket.",
        help_en="The place's name, e.g. The library.",
    ),
    Column(
        "street_address", "Adresse", "Address", "gateadresse|besøksadresse|street address|street",
        help_nb="Gateadresse.",
        help_en="Street address.",
    ),
    Column(
        "postal_code", "Postnummer", "Postal code", "postnr|post nr|postcode|zip|zip code",
        help_nb="Fire sifre.",
        help_en="Four digits.",
    ),
    Column(
        "postal_place", "Poststed", "City", "by|town|postal place",
        help_nb="For eksempel Drammen.",
        help_en="E.g. Drammen.",
    ),
    Column(
        "organization", "Arrangør", "Organizer",
        "organisasjon|arrangert av|ansvarlig|organiser|organisation|organization|host",
        help_nb="Hvem som driver aktiviteten.",
        help_en="Who runs the activity.",
    ),
    Column("is_free", "Gratis", "Free", in_template=False),
    Column(
        "cost_text", "Pris", "Price", "kostnad|egenandel|cost|fee",
        help_nb="Gratis, eller hva det koster: 50 kr.",
        help_en="Free, or what it costs: NOK 50.",
    ),
    Column(
        "registration", "Påmelding", "Registration", "sign up|signup|booking",
        help_nb="Nei, Ja, eller hvordan man melder seg på.",
        help_en="No, Yes, or how to sign up.",
    ),
    Column(
        "childcare", "Barnepass", "Childcare", "child care",
        help_nb="Ja eller Nei.",
        help_en="Yes or No.",
    ),
    Column(
        "no_documents", "Uten papirer", "No documents",
        "ingen papirer|ingen krav til papirer|no papers", in_template=False,
    ),
    Column(
        "eligibility_note", "Hvem kan komme", "Who can come",
        "hvem kan delta|vilkår|eligibility", in_template=False,
    ),
    Column(
        "languages", "Språk", "Languages", "språk som snakkes|language",
        help_nb="Språk som snakkes, skilt med komma: norsk, arabisk, ukrainsk.",
        help_en="Languages spoken, separated by commas: Norwegian, Arabic, Ukrainian.",
    ),
    Column(
        "age", "Alder", "Age", "aldersgruppe|ages|age group",
        help_nb="6–12, fra 16, over 18 eller under 12. Tomt: alle aldre.",
        help_en="6–12, from 16, over 18 or under 12. Empty: all ages.",
    ),
    Column(
        "min_age", "Fra alder", "Min age", "alder fra|min alder|minimumsalder|minimum age",
        in_template=False,
    ),
    Column(
        "max_age", "Til alder", "Max age", "alder til|maks alder|maksimumsalder|maximum age",
        in_template=False,
    ),
    Column(
        "contact_name", "Kontaktperson", "Contact person", "kontaktperson navn|contact name",
        help_nb="Navn.",
        help_en="Name.",
    ),
    Column(
        "contact_phone", "Telefon", "Phone",
        "tlf|telefonnummer|mobil|telephone|phone number|mobile",
        help_nb="For eksempel 900 00 000.",
        help_en="E.g. +47 900 00 000.",
    ),
    Column(
        "contact_email", "E-post", "Email", "epost|e-mail|mail|e-postadresse",
        help_nb="For eksempel navn@kommune.no.",
        help_en="E.g. name@municipality.no.",
    ),
    Column("contact", "Kontakt", "Contact", "kontaktinfo", in_template=False),
    Column(
        "website", "Lenke", "Link", "nettside|hjemmeside|nettadresse|url|website|web|mer info",
        help_nb="Arrangørens nettside (brukes bare når Arrangør er fylt ut).",
        help_en="The organizer's web page (used only when Organizer is filled in).",
    ),
    Column(
        "online_url", "Digital lenke", "Online link",
        "møtelenke|lenke til møtet|digitalt|online|meeting link", in_template=False,
    ),
    Column(
        "breaks", "Pauser", "Breaks", "pause|ferie|ferier|stengt|opphold|break|holidays|closed",
        help_nb="Når det ikke skjer: 22.06.2026–16.08.2026 sommerferie; uke 40 høstferie; "
        "helligdager.",
        help_en="When it does not happen: 22.06.2026–16.08.2026 summer holiday; "
        "week 40 autumn break; public holidays.",
    ),
)  # fmt: skip


FIELDS = {column.field: column for column in COLUMNS}
LIST_FIELDS = {"categories", "target_groups", "languages"}
# "Sted" is the venue's name, as on Norwegian posters ("Sted: Biblioteket"); only when
# another column already names the venue is it read as the postal place.
SHARED_HEADERS = {"sted": ("venue", "postal_place")}
IGNORED = {"", "-", "ignore", "ignorer"}


def _key(header: str) -> str:
    """A header as compared: folded, without hints in brackets, spaces or punctuation."""
    return re.sub(r"[\W_]+", "", fold(re.sub(r"\(.*?\)|\[.*?\]", " ", header)))


def _builtin_headers() -> dict[str, tuple[str, ...]]:
    headers: dict[str, tuple[str, ...]] = {}
    for column in COLUMNS:
        for name in (column.field, column.nb, column.en, *column.aliases.split("|")):
            if _key(name):
                headers.setdefault(_key(name), (column.field,))
    headers.update({_key(name): fields for name, fields in SHARED_HEADERS.items()})
    return headers


BUILTIN_HEADERS = _builtin_headers()


def template_url() -> str:
    """Where a coordinator downloads the template (a path when no request is running)."""
    if has_request_context():
        try:
            return url_for("imports.template_xlsx", _external=True)
        except (BuildError, RuntimeError):
            pass
    return TEMPLATE_FALLBACK


def _header_rule() -> str:
    return _(
        "Første rad med overskrifter må ha minst Tittel, og Dag eller Dato. "
        "Last ned malen: %(url)s",
        url=template_url(),
    )


# --- reading the file -------------------------------------------------------------------

Row = tuple[int, list[object]]  # the row number Excel shows, and the cells


def read_csv(
    data: bytes, mapping: dict[str, str] | None = None, *, today: dt.date | None = None
) -> Reader:
    """Records from a CSV file (UTF-8 with or without BOM, or Windows-1252; ; , or tab)."""
    text, skipped = _decode(data)
    rows = _csv_rows(text, skipped, mapping)
    return _read(rows, mapping, today)


def read_xlsx(
    data: bytes, mapping: dict[str, str] | None = None, *, today: dt.date | None = None
) -> Reader:
    """Records from the first sheet of an Excel workbook (.xlsx)."""
    return _read(_xlsx_rows(data), mapping, today)


def _decode(data: bytes) -> tuple[str, int]:
    """The text of a CSV file, and how many leading lines Excel does not show."""
    if data.startswith(b"PK\x03\x04"):
        raise FileError(_("Dette er en Excel-fil (.xlsx), ikke CSV. Last den opp som Excel-fil."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _old_excel()
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileError(
            _("Kunne ikke lese teksten i filen. Lagre den som «CSV UTF-8» i Excel og prøv igjen.")
        ) from None
    if "\x00" in text:
        raise _not_a_sheet()
    if not text.strip():
        raise FileError(_("Filen er tom."))
    # "sep=;" on the first line tells Excel the delimiter; Excel hides that line.
    if re.match(r"sep=.\r?\n", text):
        return text, 1
    return text, 0


def _csv_rows(text: str, skipped: int, mapping: dict[str, str] | None) -> list[Row]:
    lines = text.splitlines()
    if skipped:
        delimiters = [lines[0][4]]
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        sample = "\n".join(line for line in lines[:60] if line.strip())
        try:
            sniffed = [csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter]
        except csv.Error:
            sniffed = []
        delimiters = list(dict.fromkeys([*sniffed, ";", ",", "\t"]))
    headers = _header_lookup(mapping)
    first: list[Row] | None = None
    failure: FileError | None = None
    for delimiter in delimiters:
        try:
            rows = _split_csv(text, delimiter)
        except FileError as error:  # under the wrong delimiter, quotes can look broken
            failure = failure or error
            continue
        if _find_header(rows, headers, strict=True) is not None:
            return rows
        first = first if first is not None else rows
    if first is None and failure is not None:
        raise failure
    return first or []


def _split_csv(text: str, delimiter: str) -> list[Row]:
    rows: list[Row] = []
    filled = 0
    try:
        # Each record is one row in Excel, even when a quoted cell spans several lines;
        # lines may end in CR LF, LF or a lone CR (old Mac Excel's "CSV (Macintosh)").
        lines = io.StringIO(text, newline=None)
        for number, cells in enumerate(csv.reader(lines, delimiter=delimiter), 1):
            if any(cell.strip() for cell in cells):
                filled += 1
                if filled > MAX_ROWS:
                    raise _too_many_rows()
                rows.append((number, list(cells[:MAX_COLUMNS])))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            limit = f"{csv.field_size_limit():,}".replace(",", " ")
            raise FileError(
                _("En celle i filen har mer enn %(max)s tegn. Gjør teksten kortere.", max=limit)
            ) from None
        raise _not_a_sheet() from None
    return rows


def _old_excel() -> FileError:
    return FileError(
        _("Dette er en gammel Excel-fil (.xls). Åpne den i Excel og lagre som .xlsx eller CSV.")
    )


def _not_a_sheet() -> FileError:
    return FileError(
        _("Filen er ikke et regneark (CSV). Lagre den som CSV eller .xlsx og prøv igjen.")
    )


def _too_many_rows() -> FileError:
    limit = f"{MAX_ROWS:,}".replace(",", " ")  # "50 000", as numbers are written here
    return FileError(_("Filen har mer enn %(max)s rader. Del den opp i flere filer.", max=limit))


def _xlsx_rows(data: bytes) -> list[Row]:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _old_excel()
    not_excel = _(
        "Filen er ikke en Excel-fil (.xlsx). Lagre den som .xlsx eller CSV og prøv igjen."
    )
    if not data.startswith(b"PK"):
        raise FileError(not_excel)
    rows: list[Row] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken or foreign file
        raise FileError(not_excel) from None
    try:
        if not workbook.worksheets:
            raise FileError(_("Filen er tom."))
        sheet = workbook.worksheets[0]
        # Some programs write a wrong size into the file; read what is really there.
        sheet.reset_dimensions()
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
            if any(cell is not None and str(cell).strip() for cell in cells):
                if len(rows) >= MAX_ROWS:
                    raise _too_many_rows()
                rows.append((number, list(cells)))
    except FileError:
        raise
    except Exception:  # a broken sheet inside a valid zip
        raise FileError(
            _("Kunne ikke lese arket i Excel-filen. Lagre den på nytt som .xlsx og prøv igjen.")
        ) from None
    finally:
        workbook.close()
    return rows


# --- finding the columns ----------------------------------------------------------------


@dataclass
class _Layout:
    header_line: int
    columns: dict[int, str]  # column index → field
    present: set[str] = field(default_factory=set)

    def values(self, cells: list[object]) -> dict[str, Cell]:
        """The row's non-empty cells by field; list fields from several columns joined."""
        found: dict[str, Cell] = {}
        for index, name in self.columns.items():
            value = _cell(cells[index]) if index < len(cells) else None
            if value is None:
                continue
            if name in found:
                found[name] = f"{_text(found[name])}, {_text(value)}"
            else:
                found[name] = value
        return found


def _header_lookup(mapping: dict[str, str] | None) -> dict[str, tuple[str, ...]]:
    """Header key → the fields it may mean; a mapped header to () is ignored."""
    headers = dict(BUILTIN_HEADERS)
    for header, target in (mapping or {}).items():
        name = target.strip()
        if name in FIELDS:
            headers[_key(header)] = (name,)
        elif fold(name) in IGNORED:
            headers[_key(header)] = ()
        elif len(BUILTIN_HEADERS.get(_key(name), ())) == 1:
            headers[_key(header)] = BUILTIN_HEADERS[_key(name)]
        else:
            raise FileError(
                _(
                    "Kolonneoppsettet for kilden viser «%(header)s» til et ukjent felt "
                    "«%(field)s».",
                    header=header,
                    field=target,
                )
            )
    return headers


def _known(cells: list[object], headers: dict[str, tuple[str, ...]]) -> int:
    return sum(
        1 for cell in cells if isinstance(cell, str) and cell.strip() and _key(cell) in headers
    )


def _find_header(
    rows: list[Row], headers: dict[str, tuple[str, ...]], *, strict: bool = False
) -> Row | None:
    """The header row: the first with two known headers, unless the next has more.

    A two-level header (a merged "Aktivitet" over "Tittel" and "Beskrivelse") has its
    real headers on the lower row, which knows more of them. Without ``strict``, a row
    with one known header will do, so the missing column can be named.
    """
    top = rows[:HEADER_SEARCH_ROWS]
    counts = [_known(cells, headers) for _number, cells in top]
    for index, count in enumerate(counts):
        if count >= 2:
            if index + 1 < len(top) and counts[index + 1] > count:
                return top[index + 1]
            return top[index]
    if strict:
        return None
    return next((row for row, count in zip(top, counts, strict=True) if count), None)


def _layout(rows: list[Row], mapping: dict[str, str] | None) -> _Layout:
    headers = _header_lookup(mapping)
    header = _find_header(rows, headers)
    if header is None:
        if not rows:
            raise FileError(_("Filen er tom."))
        raise FileError(_("Fant ingen rad med kolonneoverskrifter.") + " " + _header_rule())
    line, cells = header
    columns: dict[int, str] = {}
    owners: dict[str, tuple[int, str]] = {}
    shared: list[tuple[int, str, tuple[str, ...]]] = []

    def assign(index: int, text: str, name: str) -> None:
        if name in owners and name not in LIST_FIELDS:
            first_index, first_text = owners[name]
            raise FileError(
                _(
                    "Kolonne %(first)s («%(first_text)s») og kolonne %(second)s "
                    "(«%(second_text)s») betyr begge %(field)s. Slett den ene, eller gi den "
                    "et annet navn.",
                    first=get_column_letter(first_index + 1),
                    first_text=first_text,
                    second=get_column_letter(index + 1),
                    second_text=text,
                    field=FIELDS[name].nb,
                )
            )
        owners.setdefault(name, (index, text))
        columns[index] = name

    for index, cell in enumerate(cells):
        text = " ".join(str(cell).split()) if cell is not None else ""
        fields = headers.get(_key(text), ()) if text else ()
        if len(fields) == 1:
            assign(index, text, fields[0])
        elif fields:
            shared.append((index, text, fields))
    for index, text, fields in shared:
        assign(index, text, next((name for name in fields if name not in owners), fields[0]))
    present = set(columns.values())
    if "title" not in present:
        raise FileError(_("Fant ikke kolonnen «Tittel».") + " " + _header_rule())
    if not present & {"days", "date", "when"}:
        raise FileError(_("Fant ikke kolonnen «Dag» eller «Dato».") + " " + _header_rule())
    return _Layout(line, columns, present)


def _read(rows: list[Row], mapping: dict[str, str] | None, today: dt.date | None) -> Reader:
    layout = _layout(rows, mapping)  # file errors now, before the first record is asked for
    if not any(line > layout.header_line for line, _cells in rows):
        # Nothing to import; and a run over an empty sheet would archive the whole source.
        raise FileError(_("Filen har ingen rader under overskriftene."))
    return _records(rows, layout, today or today_in_oslo())


def _records(rows: list[Row], layout: _Layout, today: dt.date) -> Iterator[Item]:
    seen: dict[str, int] = {}
    line_name = _("Linje %(line)s")  # translated once, filled in per row
    for line, cells in rows:
        if line <= layout.header_line:
            continue
        values = layout.values(cells)
        if not values.keys() - {"external_id", "kind"}:
            continue  # blank, or numbered in advance and not filled in yet
        reader = _RowReader(values, layout.present, line_name % {"line": line}, today)
        try:
            item = reader.read()
        except ValueError as error:  # a value no check foresaw: still only this row
            item = RowError(reader.where, str(error))
        if isinstance(item, Record):
            if item.external_id in seen:
                item = _duplicate(item, seen[item.external_id], "external_id" in values)
            else:
                seen[item.external_id] = line
        yield item


def _duplicate(record: Record, line: int, has_id: bool) -> RowError:
    if has_id:
        message = _(
            "ID «%(id)s» er brukt på linje %(line)s også. Hver rad trenger sin egen ID.",
            id=record.external_id,
            line=line,
        )
    else:
        message = _(
            "Samme tittel, sted og dag som linje %(line)s. Gi radene hver sin ID i kolonnen "
            "ID, eller slett den ene.",
            line=line,
        )
    return RowError(record.where, message)


# --- reading a row ----------------------------------------------------------------------


def _cell(raw: object) -> Cell | None:
    """What a cell says, as text or a date/time; None when it is empty."""
    if raw is None:
        return None
    if type(raw) is str:  # every CSV cell, most workbook cells
        return _cell_text(raw)
    if isinstance(raw, bool):
        return "Ja" if raw else "Nei"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        # Norwegian Excel shows decimals with a comma.
        return str(int(raw)) if raw.is_integer() else str(raw).replace(".", ",")
    if isinstance(raw, dt.datetime):
        # A time-only cell some programs store on Excel's day zero (1899-12-30).
        return raw.time() if raw.year < 1901 else raw
    if isinstance(raw, dt.date | dt.time):
        return raw
    if isinstance(raw, dt.timedelta):
        return (dt.datetime.min + raw).time() if raw < dt.timedelta(days=1) else str(raw)
    return _cell_text(str(raw))


def _cell_text(raw: str) -> str | None:
    text = strip_controls(raw).replace("\r\n", "\n").strip()
    return text or None


def _text(value: Cell | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else as_written(value)


def _line_text(value: Cell | None) -> str:
    return " ".join(_text(value).split())


def _split_list(value: Cell | None) -> list[str]:
    return [part for part in (p.strip() for p in re.split(r"[,;/\n]", _text(value))) if part]


_TEXT_WITHOUT_DAY = re.compile(
    r"\b(?:kl|klokka|klokken|ca|fra|from|at|til|to|until|am|pm|fom|tom)\b", re.IGNORECASE
)
_DATE_AND_TIME = re.compile(
    r"(.+?)\s+((?:kl\.?\s*)?\d{1,2}[:.]\d{2}(?:\s*[-–—]\s*\d{1,2}(?:[:.]\d{2})?)?)"
)


def _names_days(text: str) -> bool:
    """Whether a time cell also says the day: "tirsdager kl 18–20"."""
    if re.search(r"[^\W\d_]", _TEXT_WITHOUT_DAY.sub(" ", text)) is None:
        return False
    day, _time = split_day_and_time(text)
    try:
        parse_days(day)
    except ValueError:
        return False
    return True


def _dates_in(text: str, today: dt.date) -> tuple[list[dt.date], dt.date | None]:
    """The dates of a Dato cell: a list ("12.03, 19.03.2026") or a from–to range."""
    try:
        return parse_dates(text, today=today), None
    except ValueError as error:
        try:
            start, end = parse_date_range(text, today=today)
        except ValueError:
            raise error from None
        return [start], end


def external_id_for(title: str, venue: str, days: str, dates: str) -> str:
    """A stable id for a row without one: the same title, venue and day give the same id."""
    parts = "\x1f".join(fold(part) for part in (title, venue, days, dates))
    return "auto-" + hashlib.sha256(parts.encode()).hexdigest()[:20]


class _RowReader:
    """One row's values into a Record, collecting every problem on the way."""

    def __init__(self, values: dict[str, Cell], present: set[str], where: str, today: dt.date):
        self.values = values
        self.present = present
        self.today = today
        self.where = where
        self.problems: list[str] = []

    def parse(self, name: str, parser: Callable[[Cell], T]) -> T | None:
        value = self.values.get(name)
        if value is None:
            return None
        try:
            return parser(value)
        except ValueError as error:
            self.problems.append(str(error))
            return None

    def text_parse(self, name: str, parser: Callable[[str], T]) -> T | None:
        return self.parse(name, lambda value: parser(_text(value)))

    def time(self, text: str, written: str) -> Time | None:
        try:
            return parse_time_range(text)
        except ValueError:
            self.problems.append(str(time_error(written)))
            return None

    def read(self) -> Item:
        fields = self.fields()
        venue = self.venue()
        organization = self.organization()
        languages = self.text_parse("languages", parse_languages) or []
        schedules, kind = self.schedules()
        chosen = self.text_parse("kind", parse_kind)
        if self.problems:
            return RowError(self.where, " ".join(self.problems))
        return Record(
            external_id=self.external_id(fields["title"], venue),
            where=self.where,
            kind=chosen or kind,
            fields=fields,
            categories=_split_list(self.values.get("categories")),
            target_groups=_split_list(self.values.get("target_groups")),
            languages=languages,
            schedules=schedules,
            venue=venue,
            organization=organization,
        )

    def external_id(self, title: str, venue: VenueData | None) -> str:
        given = _line_text(self.values.get("external_id"))
        if given:
            return given
        days = " | ".join(_text(self.values.get(name)) for name in ("days", "when"))
        return external_id_for(
            title, venue.name if venue else "", days, _text(self.values.get("date"))
        )

    def fields(self) -> dict[str, Any]:
        """Listing fields; a column the sheet has sets its field even when the cell is empty."""
        fields: dict[str, Any] = {}
        title = _line_text(self.values.get("title"))
        if not title:
            self.problems.append(
                _("Tittel mangler. Skriv navnet på aktiviteten i kolonnen Tittel.")
            )
        fields["title"] = title
        for name in ("summary", "eligibility_note"):
            if name in self.present:
                fields[name] = _line_text(self.values.get(name))
        if "description" in self.present:
            fields["description"] = _text(self.values.get("description")).strip()
        self.price(fields)
        if "registration" in self.present:
            required, info = self.parse("registration", parse_registration) or (None, "")
            fields["registration_info"] = info
            if required is not None:
                fields["registration_required"] = required
        for name in ("childcare", "no_documents"):
            if (flag := self.parse(name, parse_bool)) is not None:
                fields[name] = flag
        self.ages(fields)
        self.contact(fields)
        if "online_url" in self.present:
            fields["online_url"] = self.text_parse("online_url", parse_url) or ""
        return fields

    def price(self, fields: dict[str, Any]) -> None:
        free = self.parse("is_free", parse_bool)
        is_free, cost = self.parse("cost_text", parse_price) or (None, "")
        if "cost_text" in self.present:
            fields["cost_text"] = cost
        if free is True and is_free is False and cost:
            self.problems.append(
                _("Gratis er Ja, men Pris sier «%(price)s». Rett den ene.", price=cost)
            )
        chosen = free if free is not None else is_free
        if chosen is not None:
            fields["is_free"] = chosen

    def ages(self, fields: dict[str, Any]) -> None:
        low, high = self.parse("age", parse_age) or (None, None)
        if (given := self.parse("min_age", parse_age)) is not None:
            low = given[0]
        if (given := self.parse("max_age", parse_age)) is not None:
            high = given[1]
        if self.present & {"age", "min_age", "max_age"}:
            fields["min_age"], fields["max_age"] = low, high

    def contact(self, fields: dict[str, Any]) -> None:
        name = _line_text(self.values.get("contact_name"))
        phone = self.text_parse("contact_phone", parse_phone) or ""
        email = self.text_parse("contact_email", parse_email) or ""
        if "contact" in self.values:
            # One "Kontakt" cell may hold a name, a number and an address together.
            other_name, other_phone, other_email = split_contact(_text(self.values["contact"]))
            name, phone, email = name or other_name, phone or other_phone, email or other_email
        for key, value, columns in (
            ("contact_name", name, {"contact_name", "contact"}),
            ("contact_phone", phone, {"contact_phone", "contact"}),
            ("contact_email", email, {"contact_email", "contact"}),
        ):
            if self.present & columns:
                fields[key] = value

    def venue(self) -> VenueData | None:
        name = _line_text(self.values.get("venue"))
        street = _line_text(self.values.get("street_address"))
        code = self.text_parse("postal_code", parse_postal_code) or ""
        place = _line_text(self.values.get("postal_place"))
        if street and not code and not place:
            street, code, place = split_address(street)  # "Storgata 1, 0150 Oslo"
        if place and not code:
            code, place = split_postal_place(place)  # "0150 Oslo"
        if not name and not street:
            return None
        return VenueData(
            name=name or street, street_address=street, postal_code=code, postal_place=place
        )

    def organization(self) -> OrganizationData | None:
        name = _line_text(self.values.get("organization"))
        website = self.text_parse("website", parse_url) or ""
        return OrganizationData(name=name, website=website) if name else None

    # When: Dag/Når/Tid/Dato/Til dato/Pauser into schedules.

    def schedules(self) -> tuple[list[ScheduleData], ListingKind]:
        before = len(self.problems)
        segments: list[tuple[str, str, str]] = []  # (as written, day part, time part)
        dates: list[dt.date] = []
        default: Time | None = None
        for name in ("days", "when"):
            value = self.values.get(name)
            if isinstance(value, dt.time):
                default = (value, None)
            elif isinstance(value, dt.date):
                dates.append(parse_date(value))  # a date typed into the day column
            elif isinstance(value, str):
                for segment in re.split(r"\s*[;\n]\s*", value):
                    if segment:
                        segments.append((segment, *split_day_and_time(segment)))
        time_value = self.values.get("time")
        if isinstance(time_value, str) and _names_days(time_value):
            segments.append((time_value, *split_day_and_time(time_value)))
        elif isinstance(time_value, str):
            default = self.time(time_value, time_value)
        elif time_value is not None:
            default = self.parse("time", parse_time_range)  # an Excel time (or date) cell
        dates_given, end, default = self.dates(default)
        dates += dates_given
        rules: list[tuple[str, Time | None]] = []
        for written, day_part, time_part in segments:
            own = self.time(time_part, written) if time_part else None
            if not day_part:
                default = default or own
                continue
            try:
                rules.append((parse_days(day_part), own))
            except ValueError as error:
                try:
                    dates += parse_dates(day_part, today=self.today)
                    default = default or own
                except ValueError:
                    self.problems.append(str(error))
        if len(self.problems) > before:
            return [], ListingKind.OFFER
        start = dates[0] if dates else None
        breaks = self.parse("breaks", lambda v: parse_breaks(_text(v), today=start or self.today))
        if rules:
            return self.repeating(rules, dates, end, default, breaks), ListingKind.OFFER
        if dates:
            return self.dated(dates, end, default, breaks), ListingKind.EVENT
        self.problems.append(
            _(
                "Mangler når: skriv dag i kolonnen Dag (for eksempel tirsdag), eller dato i "
                "kolonnen Dato (for eksempel 12.03.2026)."
            )
        )
        return [], ListingKind.OFFER

    def dates(self, default: Time | None) -> tuple[list[dt.date], dt.date | None, Time | None]:
        """Dato (one or more dates, or a from–to range; maybe with a time) and Til dato."""
        value = self.values.get("date")
        dates: list[dt.date] = []
        end: dt.date | None = None
        if isinstance(value, dt.datetime) and value.time() != dt.time() and default is None:
            default = (value.time(), None)
        if isinstance(value, str):
            try:  # dates only: "12.03, 19.03" are two dates, not a date at 19:03
                dates, end = _dates_in(value, self.today)
            except ValueError as error:
                # "12.03.2026 kl 18" or "12.03.2026 18:00": the time column wins when set.
                text, time_text = split_day_and_time(value)
                if not time_text and (match := _DATE_AND_TIME.fullmatch(value)):
                    text, time_text = match[1], match[2]
                if not time_text or not text:
                    self.problems.append(str(error))
                else:
                    default = default or self.time(time_text, value)
                    try:
                        dates, end = _dates_in(text, self.today)
                    except ValueError as second:
                        self.problems.append(str(second))
        elif value is not None:
            dates = [found] if (found := self.parse("date", parse_date)) else []
        last = self.parse(
            "end_date", lambda v: parse_date(v, today=dates[0] if dates else self.today)
        )
        if last is not None:
            if end is not None:
                self.problems.append(
                    _("Dato har allerede en sluttdato. Skriv sluttdatoen bare i Til dato.")
                )
            end = last
        return dates, end, default

    def repeating(
        self,
        rules: list[tuple[str, Time | None]],
        dates: list[dt.date],
        end: dt.date | None,
        default: Time | None,
        breaks: Breaks | None,
    ) -> list[ScheduleData]:
        if len(dates) > 1:
            self.problems.append(
                _(
                    "Skriv bare én dato (første gang) når Dag er fylt ut, eller tøm Dag for "
                    "arrangementer på enkeltdatoer."
                )
            )
            return []
        start = dates[0] if dates else None
        schedules = []
        for rule, own in rules:
            if "INTERVAL=" in rule and start is None:
                self.problems.append(
                    _(
                        "Annenhver uke trenger en startdato: skriv datoen for første gang i "
                        "kolonnen Dato, for eksempel 03.09.2026."
                    )
                )
                continue
            # Without a start date the series is anchored at the start of the year, not
            # today: the same sheet imported again tomorrow must say the same thing (the
            # occurrences from today on are the same either way).
            first = first_occurrence(rule, start or self.today.replace(month=1, day=1))
            if end is not None and end < first:
                self.problems.append(
                    _(
                        "Til dato (%(end)s) er før første gang (%(first)s).",
                        end=as_written(end),
                        first=as_written(first),
                    )
                )
                continue
            opens, closes = own or default or (None, None)
            schedules.append(
                ScheduleData(
                    dtstart=first,
                    opens_at=opens or dt.time(),
                    closes_at=closes,
                    rrule=rule,
                    valid_to=end,
                    breaks=list(breaks.periods) if breaks else [],
                    skip_public_holidays=breaks.skip_public_holidays if breaks else False,
                    all_day=opens is None,
                )
            )
        return schedules

    def dated(
        self,
        dates: list[dt.date],
        end: dt.date | None,
        default: Time | None,
        breaks: Breaks | None,
    ) -> list[ScheduleData]:
        days = sorted(set(dates))
        span = 0
        if end is not None:
            if len(days) > 1:
                self.problems.append(
                    _("Skriv enten flere datoer i Dato, eller Dato og Til dato – ikke begge.")
                )
                return []
            if end < days[0]:
                self.problems.append(
                    _(
                        "Til dato (%(end)s) er før Dato (%(first)s).",
                        end=as_written(end),
                        first=as_written(days[0]),
                    )
                )
                return []
            span = (end - days[0]).days
        opens, closes = default or (None, None)
        at = opens or dt.time()
        return [
            ScheduleData(
                dtstart=days[0],
                opens_at=at,
                closes_at=closes,
                rdates=[
                    dt.datetime.combine(day, at).isoformat(timespec="minutes") for day in days[1:]
                ],
                span_days=span,
                all_day=opens is None,
                breaks=list(breaks.periods) if breaks else [],
                skip_public_holidays=breaks.skip_public_holidays if breaks else False,
            )
        ]


# --- the template -----------------------------------------------------------------------


def template_columns() -> list[Column]:
    """The columns in the downloadable template, in order."""
    return [column for column in COLUMNS if column.in_template]


def _next_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def template_rows(english: bool, today: dt.date) -> list[list[Cell]]:
    """Two example rows: a weekly language café and a one-off information meeting."""
    summer = today.year if today < dt.date(today.year, 6, 1) else today.year + 1
    holiday = f"22.06.{summer}–16.08.{summer}"
    meeting = _next_weekday(today + dt.timedelta(days=21), 3)  # a Thursday, weeks ahead
    if english:
        cafe: dict[str, Cell] = {
            "title": "Language café at the library",
            "kind": "Offer",
            "summary": "Practise Norwegian over a cup of coffee.",
            "description": "Everyone is welcome, whatever your level. Volunteers help you along.",
            "categories": "Language café",
            "target_groups": "Everyone",
            "days": "Tuesdays",
            "time": "18:00–20:00",
            "venue": "The library",
            "organization": "The volunteer centre",
            "cost_text": "Free",
            "registration": "No",
            "childcare": "Yes",
            "languages": "Norwegian, English, Arabic",
            "age": "from 16",
            "contact_name": "Kari Nordmann",
            "website": "https://example.org/language-cafe",
            "breaks": f"{holiday} summer holiday; week 40 autumn break",
        }
        info: dict[str, Cell] = {
            "title": "Information meeting about kindergarten",
            "kind": "Event",
            "summary": "How to apply for a kindergarten place, and what it costs.",
            "description": "Interpreters for Arabic, Somali and Ukrainian. Children welcome.",
            "categories": "Information meetings and theme evenings",
            "target_groups": "Parents",
            "time": "17:30–19:00",
            "venue": "Town hall, meeting room 2",
            "organization": "The municipality",
            "cost_text": "Free",
            "registration": "Send a text message to 900 00 000",
            "childcare": "Yes",
            "languages": "Norwegian, Arabic, Somali, Ukrainian",
            "contact_name": "Ola Nordmann",
        }
    else:
        cafe = {
            "title": "Språkkafé på biblioteket",
            "kind": "Tilbud",
            "summary": "Øv på norsk over en kopp kaffe.",
            "description": "Alle er velkomne, uansett nivå. Frivillige hjelper deg i gang.",
            "categories": "Språkkafé",
            "target_groups": "Alle",
            "days": "tirsdager",
            "time": "18:00–20:00",
            "venue": "Biblioteket",
            "organization": "Frivilligsentralen",
            "cost_text": "Gratis",
            "registration": "Nei",
            "childcare": "Ja",
            "languages": "norsk, engelsk, arabisk",
            "age": "fra 16",
            "contact_name": "Kari Nordmann",
            "website": "https://example.org/sprakkafe",
            "breaks": f"{holiday} sommerferie; uke 40 høstferie",
        }
        info = {
            "title": "Informasjonsmøte om barnehage",
            "kind": "Arrangement",
            "summary": "Slik søker du barnehageplass, og hva det koster.",
            "description": "Tolk til arabisk, somali og ukrainsk. Barn er velkomne.",
            "categories": "Informasjonsmøter og temakvelder",
            "target_groups": "Foreldre",
            "time": "17:30–19:00",
            "venue": "Rådhuset, møterom 2",
            "organization": "Kommunen",
            "cost_text": "Gratis",
            "registration": "Send SMS til 900 00 000",
            "childcare": "Ja",
            "languages": "norsk, arabisk, somali, ukrainsk",
            "contact_name": "Ola Nordmann",
        }
    shared = {"street_address": "Storgata 1", "postal_code": "0182", "postal_place": "Oslo"}
    cafe |= shared | {"external_id": "1", "contact_phone": "900 00 000"}
    cafe["contact_email"] = "sprakkafe@example.org"
    info |= shared | {"external_id": "2", "date": meeting, "contact_phone": "900 00 001"}
    info["street_address"] = "Storgata 10"
    return [[row.get(column.field, "") for column in template_columns()] for row in (cafe, info)]


def template_csv(english: bool, today: dt.date) -> bytes:
    """The template as CSV: semicolons and UTF-8 with BOM, as Excel in Norway opens it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(column.en if english else column.nb for column in template_columns())
    for row in template_rows(english, today):
        writer.writerow(_text(value) for value in row)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(english: bool, today: dt.date) -> bytes:
    """The template as an Excel workbook: the sheet to fill in, and a sheet of help."""
    columns = template_columns()
    workbook = Workbook()
    sheet = workbook.active
    if sheet is None:  # a new workbook always has its first sheet
        sheet = workbook.create_sheet()
    sheet.title = "Activities" if english else "Aktiviteter"
    sheet.append([column.en if english else column.nb for column in columns])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
    for row in template_rows(english, today):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    # Text columns, so Excel keeps "0182" and "18:00–20:00" as written.
    as_text = {"external_id", "postal_code", "contact_phone", "time", "age"}
    for index, column in enumerate(columns, 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.nb) + 6))
        if column.field in as_text:
            for (cell,) in sheet.iter_rows(min_row=2, max_row=3, min_col=index, max_col=index):
                cell.number_format = "@"
        if column.field == "date":
            for (cell,) in sheet.iter_rows(min_row=2, max_row=3, min_col=index, max_col=index):
                cell.number_format = "DD.MM.YYYY"
    help_sheet = workbook.create_sheet("Help" if english else "Slik fyller du ut")
    help_sheet.append(["Column", "What to write"] if english else ["Kolonne", "Hva du skriver"])
    for cell in help_sheet[1]:
        cell.font, cell.fill = bold, fill
    for column in columns:
        help_sheet.append([column.en, column.help_en] if english else [column.nb, column.help_nb])
    help_sheet.column_dimensions["A"].width = 20
    help_sheet.column_dimensions["B"].width = 100
    for (cell,) in help_sheet.iter_rows(min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
