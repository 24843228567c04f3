"""Spreadsheet readers: CSV and Excel as coordinators make them, and the template."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from openpyxl import Workbook, load_workbook

from directory.listings.models import ListingKind
from importers import norwegian
from importers.records import (
    FileError,
    Item,
    OrganizationData,
    Record,
    RowError,
    ScheduleData,
    VenueData,
)
from importers.spreadsheet import (
    XLSX_MIMETYPE,
    external_id_for,
    read_csv,
    read_xlsx,
    template_columns,
    template_csv,
    template_xlsx,
)
from importers.views import bp

FIXTURES = Path(__file__).parent / "fixtures" / "spreadsheet"
DOCS = Path(__file__).parents[2] / "docs" / "importing.md"
TODAY = dt.date(2025, 10, 1)  # a Wednesday
# Series without a start date begin at the first matching day of the year (so the same
# sheet imported again another day says the same); 1 January 2025 is a Wednesday too.
ANCHOR = dt.date(2025, 1, 1)
TEMPLATE_HINT = "Last ned malen: /nb/import/template.xlsx"


def read(name: str, mapping: dict[str, str] | None = None) -> list[Item]:
    """Every item a fixture file gives, read as of TODAY."""
    return list(read_csv((FIXTURES / name).read_bytes(), mapping, today=TODAY))


def records(items: list[Item]) -> list[Record]:
    return [item for item in items if isinstance(item, Record)]


def errors(items: list[Item]) -> list[RowError]:
    return [item for item in items if isinstance(item, RowError)]


def by_id(items: list[Item]) -> dict[str, Record]:
    return {record.external_id: record for record in records(items)}


def weekly(
    day: dt.date, opens: dt.time, closes: dt.time | None, rule: str, **extra: Any
) -> ScheduleData:
    return ScheduleData(dtstart=day, opens_at=opens, closes_at=closes, rrule=rule, **extra)


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


# --- encodings and delimiters -----------------------------------------------------------


def test_utf8_bom_with_semicolons_reads_every_column() -> None:
    raw = (FIXTURES / "bom_semicolon.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    items = read("bom_semicolon.csv")
    assert errors(items) == []
    cafe, meeting = records(items)

    assert cafe.external_id == "1"
    assert cafe.where == "Linje 2"
    assert cafe.kind is ListingKind.OFFER
    assert cafe.fields == {
        "title": "Språkkafé på biblioteket",
        "summary": "Øv på norsk over en kopp kaffe.",
        "cost_text": "",
        "is_free": True,
        "registration_info": "",
        "registration_required": False,
        "childcare": True,
        "min_age": 16,
        "max_age": None,
        "contact_name": "Kari Nordmann",
        "contact_phone": "900 00 000",
        "contact_email": "sprakkafe@example.org",
    }
    assert cafe.categories == ["Språkkafé"]
    assert cafe.target_groups == ["Alle"]
    assert cafe.languages == ["nb", "en", "ar"]
    assert cafe.venue == VenueData("Biblioteket", "Storgata 1", "0182", "Oslo")
    assert cafe.organization == OrganizationData(
        "Frivilligsentralen", website="https://example.org/sprakkafe"
    )
    assert cafe.schedules == [
        weekly(
            dt.date(2025, 1, 7),
            dt.time(18),
            dt.time(20),
            "FREQ=WEEKLY;BYDAY=TU",
            breaks=[
                (dt.date(2026, 6, 22), dt.date(2026, 8, 16), "sommerferie"),
                (dt.date(2026, 9, 28), dt.date(2026, 10, 2), "høstferie"),
            ],
        )
    ]

    assert meeting.kind is ListingKind.EVENT
    assert meeting.fields["registration_required"] is True
    assert meeting.fields["registration_info"] == "Send SMS til 900 00 000"
    assert meeting.venue == VenueData("Rådhuset, møterom 2", "Storgata 10", "0182", "Oslo")
    assert meeting.languages == ["nb", "ar"]
    assert meeting.schedules == [
        ScheduleData(dtstart=dt.date(2026, 3, 12), opens_at=dt.time(17, 30), closes_at=dt.time(19))
    ]


def test_windows_1252_with_norwegian_letters() -> None:
    raw = (FIXTURES / "cp1252.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    women, chess = records(read("cp1252.csv"))
    assert women.fields["title"] == "Kvinnegruppe på Løkka"
    assert women.fields["description"] == "Vi strikker, prater og drikker kaffe – velkommen!"
    assert women.venue == VenueData("Bydelshuset Grünerløkka", postal_place="Oslo")
    assert women.target_groups == ["Bare kvinner"]
    assert women.schedules == [
        weekly(dt.date(2025, 1, 1), dt.time(18), None, "FREQ=WEEKLY;BYDAY=WE")
    ]
    assert chess.fields["title"] == "Sjakk for små og store"
    assert chess.schedules == [
        weekly(dt.date(2025, 1, 4), dt.time(12), dt.time(14), "FREQ=WEEKLY;BYDAY=SA")
    ]


def test_commas_with_quoted_cells_and_english_headers() -> None:
    homework, football = records(read("commas.csv"))
    assert homework.fields == {
        "title": "Homework help",
        "description": "Bring your books, we bring the coffee.",
        "cost_text": "",
        "is_free": True,
    }
    assert homework.languages == ["en", "ar"]
    # "Storgata 1, 0182 Oslo" in the address column is split into its parts.
    assert homework.venue == VenueData("The library", "Storgata 1", "0182", "Oslo")
    assert homework.schedules == [
        weekly(dt.date(2025, 1, 1), dt.time(16), dt.time(18), "FREQ=WEEKLY;BYDAY=MO,WE")
    ]
    assert football.fields["is_free"] is False
    assert football.fields["cost_text"] == "50 kr"
    assert football.schedules[0].rrule == "FREQ=WEEKLY;BYDAY=TU"


def test_lone_carriage_returns_from_old_mac_excel() -> None:
    data = (
        b"Tittel;Kategori;Dag;Tid\r"
        b"Kaf\xe9;Spr\xe5kkaf\xe9;tirsdag;18-20\r"
        b'"To\rlinjer";Leksehjelp;onsdag;17\r'  # a quoted cell over two lines stays one row
    )
    [cafe, homework] = records(list(read_csv(data, today=TODAY)))
    assert (cafe.fields["title"], cafe.where) == ("Kafé", "Linje 2")
    assert cafe.schedules[0].rrule == "FREQ=WEEKLY;BYDAY=TU"
    assert (homework.fields["title"], homework.where) == ("To linjer", "Linje 3")


def test_tabs() -> None:
    homework, hall = records(read("tabs.tsv"))
    assert homework.schedules == [
        weekly(dt.date(2025, 1, 1), dt.time(16), dt.time(18), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH")
    ]
    assert hall.fields["title"] == "Åpen hall"
    assert hall.schedules[0].closes_at == dt.time(22)


def test_utf16_from_excel_unicode_text() -> None:
    data = "Tittel\tDag\tTid\r\nSpråkkafé\ttirsdag\t18:00\r\n".encode("utf-16")
    (cafe,) = records(list(read_csv(data, today=TODAY)))
    assert cafe.fields["title"] == "Språkkafé"


def test_sep_line_is_hidden_like_excel_hides_it() -> None:
    data = csv_bytes("sep=,", "Tittel,Dag,Tid", "Språkkafé,tirsdag,18:00", "Kor,onsdag,kl 19x")
    items = list(read_csv(data, today=TODAY))
    assert records(items)[0].where == "Linje 2"
    assert [error.where for error in errors(items)] == ["Linje 3"]


# --- header rows, blank lines, line numbers ---------------------------------------------


def test_title_row_and_blank_lines_above_and_between() -> None:
    cafe, homework = records(read("title_rows.csv"))
    assert (cafe.where, homework.where) == ("Linje 5", "Linje 8")
    assert cafe.schedules == [
        weekly(dt.date(2025, 1, 7), dt.time(18), dt.time(20), "FREQ=WEEKLY;BYDAY=TU")
    ]
    assert homework.fields == {"title": "Leksehjelp", "min_age": 6, "max_age": 12}
    assert homework.schedules == [weekly(ANCHOR, dt.time(16), None, "FREQ=WEEKLY;BYDAY=MO,WE")]


def test_bad_time_on_line_14_names_the_line_what_was_written_and_an_example() -> None:
    items = read("bad_time_line14.csv")
    (error,) = errors(items)
    assert error.where == "Linje 14"
    assert str(error) == (
        "Linje 14: «tirsdager kl 18x» – fant ikke klokkeslettet. "
        "Skriv for eksempel 18:00 eller 18:00–20:00."
    )
    # The lines around it still come, numbered as Excel shows them (line 8 is blank).
    assert [record.where for record in records(items)] == [
        f"Linje {n}" for n in (4, 5, 6, 7, 9, 10, 11, 12, 13, 15)
    ]


def test_mixed_rows_good_ones_come_bad_ones_say_every_problem() -> None:
    items = read("mixed.csv")
    assert [record.fields["title"] for record in records(items)] == [
        "Språkkafé",
        "Infomøte",
        "Yoga",
    ]
    problems = {error.where: error.message for error in errors(items)}
    assert set(problems) == {"Linje 3", "Linje 5", "Linje 6", "Linje 7"}
    several = problems["Linje 3"]
    for part in (
        "«25:00» – fant ikke klokkeslettet",
        "«200» – forstod ikke alderen",
        "«kanskje» – skriv Ja eller Nei.",
        "«ikke-epost» ser ikke ut som en e-postadresse",
    ):
        assert part in several
    assert problems["Linje 5"].startswith("Tittel mangler.")
    assert problems["Linje 6"].startswith("«blåmandag» – forstod ikke dagen. Skriv for eksempel")
    assert (
        problems["Linje 7"]
        == "«31.02.2026» – den datoen finnes ikke. Skriv for eksempel 12.03.2026."
    )


def test_two_level_header_takes_the_lower_row() -> None:
    data = csv_bytes(
        "Aktivitet;;Når;",
        "Tittel;Beskrivelse;Dag;Tid",
        "Språkkafé;Prat og kaffe;tirsdag;18:00",
    )
    (cafe,) = records(list(read_csv(data, today=TODAY)))
    assert cafe.fields == {"title": "Språkkafé", "description": "Prat og kaffe"}


def test_rows_only_numbered_in_advance_are_skipped() -> None:
    data = csv_bytes("ID;Tittel;Dag;Tid", "1;Språkkafé;tirsdag;18:00", "2;;;", "3;;;")
    items = list(read_csv(data, today=TODAY))
    assert len(items) == 1


# --- file errors ------------------------------------------------------------------------


def test_missing_title_column_says_what_a_header_row_needs() -> None:
    with pytest.raises(FileError) as raised:
        read("missing_title.csv")
    assert str(raised.value) == (
        "Fant ikke kolonnen «Tittel». Første rad med overskrifter må ha minst Tittel, "
        "og Dag eller Dato. " + TEMPLATE_HINT
    )


def test_missing_day_and_date_columns() -> None:
    with pytest.raises(FileError, match="Fant ikke kolonnen «Dag» eller «Dato»"):
        read_csv(csv_bytes("Tittel;Sted", "Språkkafé;Biblioteket"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Filen er tom."),
        (b"  \r\n\r\n", "Filen er tom."),
        (b"PK\x03\x04rest", "Dette er en Excel-fil (.xlsx), ikke CSV."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "Dette er en gammel Excel-fil (.xls)."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "Filen er ikke et regneark (CSV)."),
        (b"\x81\x8d\x8f\x90", "Kunne ikke lese teksten i filen."),
        (
            csv_bytes("hei og hallo", "ingen overskrifter her"),
            "Fant ingen rad med kolonneoverskrifter.",
        ),
        # The empty template: importing it must not archive everything from the source.
        (csv_bytes("Tittel;Kategori;Dag;Tid", ";;;"), "Filen har ingen rader under overskriftene."),
        (
            csv_bytes("Tittel;Dag", "Kafé;tirsdag;" + "x" * 140_000),
            "En celle i filen har mer enn 131 072 tegn.",
        ),
    ],
)
def test_unreadable_csv_files(data: bytes, message: str) -> None:
    with pytest.raises(FileError) as raised:
        read_csv(data)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Tittel;Dag\r\n", "Filen er ikke en Excel-fil (.xlsx)."),
        (b"PK\x03\x04 not really a zip", "Filen er ikke en Excel-fil (.xlsx)."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "Dette er en gammel Excel-fil (.xls)."),
    ],
)
def test_unreadable_xlsx_files(data: bytes, message: str) -> None:
    with pytest.raises(FileError, match=re.escape(message)):
        read_xlsx(data)


def test_the_same_column_twice_is_refused_with_both_names() -> None:
    with pytest.raises(FileError) as raised:
        read_csv(csv_bytes("Tittel;Dag;Navn", "Språkkafé;tirsdag;Kari"))
    assert str(raised.value) == (
        "Kolonne A («Tittel») og kolonne C («Navn») betyr begge Tittel. "
        "Slett den ene, eller gi den et annet navn."
    )


# --- headers and mapping ----------------------------------------------------------------


def test_headers_match_whatever_case_spaces_accents_and_hints() -> None:
    data = csv_bytes(
        "  TITTEL * ;UKEDAG;Klokkeslett (tt:mm);Malgruppe;E-POST;Tlf.;postnr",
        "Språkkafé;tirsdag;18:00;Alle / Foreldre;kari@example.org;900 00 000;182",
    )
    (cafe,) = records(list(read_csv(data, today=TODAY)))
    assert cafe.target_groups == ["Alle", "Foreldre"]
    assert cafe.fields["contact_email"] == "kari@example.org"
    assert cafe.fields["contact_phone"] == "900 00 000"
    assert cafe.schedules[0].rrule == "FREQ=WEEKLY;BYDAY=TU"


def test_sted_is_the_venue_unless_another_column_names_the_venue() -> None:
    (alone,) = records(
        list(read_csv(csv_bytes("Tittel;Dag;Sted", "Kor;onsdag;Kirken"), today=TODAY))
    )
    assert alone.venue == VenueData("Kirken")
    (both,) = records(
        list(read_csv(csv_bytes("Tittel;Dag;Sted;Lokale", "Kor;onsdag;Bodø;Kirken"), today=TODAY))
    )
    assert both.venue == VenueData("Kirken", postal_place="Bodø")


def test_mapping_overrides_aliases_and_can_ignore_columns() -> None:
    data = csv_bytes(
        "Aktivitetens navn;Når på uka;Klokka;Navn",
        "Språkkafé;tirsdag;18:00;Kari Nordmann",
    )
    mapping = {"Aktivitetens navn": "title", "Når på uka": "Dag", "Navn": "contact_name"}
    (cafe,) = records(list(read_csv(data, mapping, today=TODAY)))
    assert cafe.fields == {"title": "Språkkafé", "contact_name": "Kari Nordmann"}
    assert cafe.schedules[0].opens_at == dt.time(18)

    ignored = {**mapping, "Navn": "ignorer"}
    (cafe,) = records(list(read_csv(data, ignored, today=TODAY)))
    assert cafe.fields == {"title": "Språkkafé"}


def test_mapping_to_an_unknown_field_is_a_file_error() -> None:
    with pytest.raises(FileError, match="ukjent felt «farge»"):
        read_csv(csv_bytes("Tittel;Dag", "Kor;onsdag"), {"Farge": "farge"})


def test_contact_cell_is_split_into_name_phone_and_email() -> None:
    data = csv_bytes("Tittel;Dag;Kontakt", "Kor;onsdag;Kari Nordmann, 900 00 000, kari@example.org")
    (choir,) = records(list(read_csv(data, today=TODAY)))
    assert choir.fields == {
        "title": "Kor",
        "contact_name": "Kari Nordmann",
        "contact_phone": "900 00 000",
        "contact_email": "kari@example.org",
    }


# --- external ids -----------------------------------------------------------------------


def test_rows_without_id_keep_their_id_when_read_again_or_columns_move() -> None:
    first = records(read("title_rows.csv"))
    again = records(read("title_rows.csv"))
    assert [r.external_id for r in first] == [r.external_id for r in again]
    moved = csv_bytes("Sted;Tid;Dag;Tittel", "Biblioteket;19:00;tirsdager;Språkkafé")
    assert records(list(read_csv(moved, today=TODAY)))[0].external_id == first[0].external_id
    assert first[0].external_id == external_id_for("Språkkafé", "Biblioteket", "tirsdager | ", "")
    assert first[0].external_id.startswith("auto-")


def test_renamed_title_gives_a_new_id() -> None:
    def first_id(title: str) -> str:
        data = csv_bytes("Tittel;Dag", f"{title};tirsdag")
        return records(list(read_csv(data, today=TODAY)))[0].external_id

    # Folding makes "Språkkafé" and "SPRÅKKAFÉ" the same; a real rename is a new record.
    assert first_id("Språkkafé") == first_id("  SPRÅKKAFÉ ")
    assert first_id("Språkkafé") != first_id("Norskkafé")


def test_duplicate_rows_and_ids_are_reported() -> None:
    same = csv_bytes("Tittel;Dag;Sted", "Kor;onsdag;Kirken", "Kor;onsdag;Kirken")
    (error,) = errors(list(read_csv(same, today=TODAY)))
    assert error == RowError(
        "Linje 3",
        "Samme tittel, sted og dag som linje 2. Gi radene hver sin ID i kolonnen ID, "
        "eller slett den ene.",
    )
    ids = csv_bytes("ID;Tittel;Dag", "7;Kor;onsdag", "7;Yoga;fredag")
    (error,) = errors(list(read_csv(ids, today=TODAY)))
    assert error == RowError(
        "Linje 3", "ID «7» er brukt på linje 2 også. Hver rad trenger sin egen ID."
    )


# --- Norwegian values, read end to end --------------------------------------------------


def test_norwegian_values_in_rows() -> None:
    items = read("norwegian_values.csv")
    assert errors(items) == []
    found = by_id(items)
    tu = "FREQ=WEEKLY;BYDAY=TU"

    def only(key: str) -> ScheduleData:
        (schedule,) = found[key].schedules
        return schedule

    assert only("a1") == weekly(dt.date(2025, 1, 7), dt.time(18), None, tu)
    assert only("a2") == weekly(
        dt.date(2025, 9, 2),
        dt.time(18),
        dt.time(20),
        "FREQ=WEEKLY;BYDAY=TU,TH",
        valid_to=dt.date(2025, 12, 19),
    )
    assert only("a3") == weekly(ANCHOR, dt.time(18), dt.time(20), "FREQ=WEEKLY;BYDAY=MO,WE")
    assert only("a4") == weekly(
        ANCHOR, dt.time(18), dt.time(20), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    )
    assert only("a5") == weekly(ANCHOR, dt.time(18), None, "FREQ=DAILY")
    assert only("a6") == weekly(
        dt.date(2025, 9, 3), dt.time(18, 30), dt.time(20), "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
    )
    assert only("a7") == weekly(
        dt.date(2025, 9, 10), dt.time(18), None, "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
    )
    assert only("a8") == weekly(dt.date(2025, 1, 6), dt.time(18), None, "FREQ=MONTHLY;BYDAY=1MO")
    assert only("a9") == weekly(dt.date(2025, 1, 31), dt.time(19), None, "FREQ=MONTHLY;BYDAY=-1FR")
    assert only("a10") == weekly(
        dt.date(2025, 1, 7), dt.time(17), dt.time(19), "FREQ=MONTHLY;BYDAY=1TU,3TU"
    )
    assert only("a11") == ScheduleData(
        dtstart=dt.date(2026, 3, 12), opens_at=dt.time(18), closes_at=dt.time(20)
    )
    assert only("a12") == ScheduleData(
        dtstart=dt.date(2026, 3, 12), opens_at=dt.time(18), rdates=["2026-03-19T18:00"]
    )
    assert only("a13") == ScheduleData(
        dtstart=dt.date(2026, 3, 12), opens_at=dt.time(0), span_days=2, all_day=True
    )
    assert only("a14").breaks == [
        (dt.date(2026, 6, 22), dt.date(2026, 8, 16), "sommerferie"),
        (dt.date(2026, 9, 28), dt.date(2026, 10, 2), "høstferie"),
    ]
    assert only("a15") == weekly(dt.date(2026, 3, 12), dt.time(10), None, "FREQ=WEEKLY;BYDAY=TH")
    # Dato is the start: the first Wednesday on or after Thursday 12.03.26.
    assert only("a16") == weekly(
        dt.date(2026, 3, 18), dt.time(19), dt.time(21), "FREQ=WEEKLY;BYDAY=WE"
    )
    assert only("a17") == weekly(
        dt.date(2026, 3, 13), dt.time(18, 30), dt.time(20), "FREQ=WEEKLY;BYDAY=FR"
    )

    kinds = {key: record.kind for key, record in found.items()}
    assert {key for key, kind in kinds.items() if kind is ListingKind.EVENT} == {
        "a11",
        "a12",
        "a13",
    }

    fields = {key: record.fields for key, record in found.items()}
    assert fields["a1"] | {} == {
        "title": "Språkkafé",
        "cost_text": "",
        "is_free": True,
        "registration_info": "",
        "registration_required": True,
        "childcare": True,
        "min_age": None,
        "max_age": None,
    }
    assert (fields["a2"]["is_free"], fields["a2"]["cost_text"]) == (False, "50 kr")
    assert (fields["a3"]["is_free"], fields["a3"]["cost_text"]) == (False, "kr 50,-")
    assert fields["a3"]["registration_required"] is True
    assert fields["a3"]["registration_info"] == "Send SMS til 900 00 000"
    assert [fields[k]["childcare"] for k in ("a1", "a2", "a3", "a4", "a5", "a6", "a7")] == [
        True, False, True, False, False, False, False,
    ]  # fmt: skip
    assert [fields[k]["registration_required"] for k in ("a4", "a5", "a6", "a7")] == [True] * 4
    ages = {k: (fields[k]["min_age"], fields[k]["max_age"]) for k in ("a2", "a3", "a4", "a5", "a6")}
    assert ages == {
        "a2": (6, 12),
        "a3": (6, 12),
        "a4": (16, None),
        "a5": (18, None),
        "a6": (None, 11),
    }

    languages = {key: record.languages for key, record in found.items() if record.languages}
    assert languages == {
        "a1": ["nb"],
        "a2": ["en"],
        "a3": ["uk", "ar"],
        "a4": ["so"],
        "a5": ["so", "ti"],
        "a6": ["fa", "prs"],
        "a7": ["pl", "ru", "lt"],
        "a8": ["ur", "tr", "th"],
        "a9": ["se", "ku"],
        "a10": ["nb", "en", "uk"],
    }


def test_day_and_time_in_one_cell_and_several_schedules() -> None:
    data = csv_bytes(
        "Tittel;Når;Tid",
        "Leksehjelp;tirsdager kl 16–18; torsdager kl. 12.00;",
        "Kor;onsdager;19-21",
        "Strikking;;torsdager 18-20",
    )
    homework, choir, knitting = records(list(read_csv(data, today=TODAY)))
    assert homework.schedules == [
        weekly(dt.date(2025, 1, 7), dt.time(16), dt.time(18), "FREQ=WEEKLY;BYDAY=TU"),
        weekly(dt.date(2025, 1, 2), dt.time(12), None, "FREQ=WEEKLY;BYDAY=TH"),
    ]
    assert choir.schedules == [weekly(ANCHOR, dt.time(19), dt.time(21), "FREQ=WEEKLY;BYDAY=WE")]
    assert knitting.schedules == [
        weekly(dt.date(2025, 1, 2), dt.time(18), dt.time(20), "FREQ=WEEKLY;BYDAY=TH")
    ]


def test_dates_with_times_ranges_and_all_day() -> None:
    data = csv_bytes(
        "Tittel;Dato;Til dato;Tid;Dag",
        "Møte;12.03.2026 kl 18;;;",
        "Messe;12.03.2026–14.03.2026;;10-16;",
        "Dugnad;torsdag 12. mars 2026;;;",
        "Kurs;;15.12.2025;18:00;mandager",
        "Kafé;;;;annenhver torsdag",
        "Feil;12.03.2026, 19.03.2026;;;tirsdag",
        "Baklengs;12.03.2026;10.03.2026;;",
    )
    items = list(read_csv(data, today=TODAY))
    meeting, fair, work, course = records(items)
    assert meeting.schedules == [ScheduleData(dtstart=dt.date(2026, 3, 12), opens_at=dt.time(18))]
    assert fair.schedules == [
        ScheduleData(
            dtstart=dt.date(2026, 3, 12), opens_at=dt.time(10), closes_at=dt.time(16), span_days=2
        )
    ]
    assert work.schedules == [
        ScheduleData(dtstart=dt.date(2026, 3, 12), opens_at=dt.time(0), all_day=True)
    ]
    assert course.schedules == [
        weekly(
            dt.date(2025, 1, 6),
            dt.time(18),
            None,
            "FREQ=WEEKLY;BYDAY=MO",
            valid_to=dt.date(2025, 12, 15),
        )
    ]
    problems = {error.where: error.message for error in errors(items)}
    assert problems["Linje 6"].startswith("Annenhver uke trenger en startdato")
    assert problems["Linje 7"].startswith("Skriv bare én dato (første gang) når Dag er fylt ut")
    assert problems["Linje 8"] == "Til dato (10.03.2026) er før Dato (12.03.2026)."


def test_dates_without_a_year_are_dates_not_times() -> None:
    items = list(
        read_csv(
            csv_bytes(
                "ID;Tittel;Kategori;Dato;Tid",
                "1;Temakveld;Språkkafé;12.03, 19.03;18-20",
                "2;Sommerkurs;Språkkafé;22.06–16.08;10",
                "3;Foreldremøte;Språkkafé;03.09 kl 18;",
            ),
            today=TODAY,
        )
    )
    assert errors(items) == []
    found = by_id(items)
    [both] = found["1"].schedules  # two dates, one schedule: 12.03 and again 19.03 at 18
    assert (both.dtstart, both.opens_at, both.rdates) == (
        dt.date(2026, 3, 12),
        dt.time(18),
        ["2026-03-19T18:00"],
    )
    summer = found["2"].schedules[0]
    assert (summer.dtstart, summer.opens_at) == (dt.date(2026, 6, 22), dt.time(10))
    meeting = found["3"].schedules[0]
    assert (meeting.dtstart, meeting.opens_at) == (dt.date(2025, 9, 3), dt.time(18))


def test_no_day_no_date_is_a_row_error() -> None:
    data = csv_bytes("Tittel;Dag;Tid", "Kor;;18:00")
    assert errors(list(read_csv(data, today=TODAY))) == [
        RowError(
            "Linje 2",
            "Mangler når: skriv dag i kolonnen Dag (for eksempel tirsdag), eller dato i "
            "kolonnen Dato (for eksempel 12.03.2026).",
        )
    ]


def test_free_column_and_a_price_that_says_otherwise() -> None:
    data = csv_bytes("Tittel;Dag;Gratis;Pris", "Kor;onsdag;Ja;", "Yoga;fredag;Ja;50 kr")
    items = list(read_csv(data, today=TODAY))
    assert records(items)[0].fields["is_free"] is True
    assert errors(items) == [
        RowError("Linje 3", "Gratis er Ja, men Pris sier «50 kr». Rett den ene.")
    ]


# --- Excel ------------------------------------------------------------------------------


def make_xlsx(path: Path) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Høst 2025"
    sheet["A1"] = "Aktiviteter høsten 2025"
    sheet.merge_cells("A1:H1")
    # Row 2 blank; headers on row 3.
    sheet.append([])
    sheet.append(["Tittel", "Dag", "Dato", "Tid", "Postnummer", "Telefon", "Barnepass", "Alder"])
    sheet.append(
        ["Infomøte", None, dt.datetime(2026, 3, 12), dt.time(18, 0), 182, 90000000, True, None]
    )
    # Excel makes "6-12" typed in a cell into 6 December.
    sheet.append(
        ["Språkkafé", "tirsdager", None, "18:00–20:00", None, None, False, dt.datetime(2025, 12, 6)]
    )
    sheet.append([])
    sheet.append(["Kor", "onsdager", None, "kl 19x", None, None, None, None])
    sheet.append(["Foredrag", None, dt.datetime(2026, 4, 2, 17, 30), None, None, None, None, None])
    other = workbook.create_sheet("Gamle")  # only the first sheet is read
    other.append(["Tittel", "Dag"])
    other.append(["Gammel aktivitet", "mandag"])
    workbook.save(path)
    return path.read_bytes()


def test_xlsx_with_merged_title_row_date_and_time_cells(tmp_path: Path) -> None:
    data = make_xlsx(tmp_path / "aktiviteter.xlsx")
    items = list(read_xlsx(data, today=TODAY))
    meeting, cafe, talk = records(items)
    assert meeting.where == "Linje 4"
    assert meeting.kind is ListingKind.EVENT
    assert meeting.schedules == [ScheduleData(dtstart=dt.date(2026, 3, 12), opens_at=dt.time(18))]
    assert meeting.fields["contact_phone"] == "90000000"
    assert meeting.fields["childcare"] is True
    assert meeting.fields["min_age"] is None
    assert cafe.where == "Linje 5"
    assert cafe.fields["childcare"] is False
    assert (cafe.fields["min_age"], cafe.fields["max_age"]) == (6, 12)
    assert cafe.schedules == [
        weekly(dt.date(2025, 1, 7), dt.time(18), dt.time(20), "FREQ=WEEKLY;BYDAY=TU")
    ]
    # A date cell with a time of day gives the time when the Tid column is empty.
    assert talk.where == "Linje 8"
    assert talk.schedules == [ScheduleData(dtstart=dt.date(2026, 4, 2), opens_at=dt.time(17, 30))]
    (error,) = errors(items)
    assert str(error).startswith("Linje 7: «kl 19x» – fant ikke klokkeslettet.")


def test_xlsx_postal_code_that_lost_its_leading_zero(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Tittel", "Dag", "Sted", "Postnummer", "Poststed"])
    sheet.append(["Kor", "onsdag", "Kirken", 182, "Oslo"])
    out = io.BytesIO()
    workbook.save(out)
    (choir,) = records(list(read_xlsx(out.getvalue(), today=TODAY)))
    assert choir.venue == VenueData("Kirken", postal_code="0182", postal_place="Oslo")


def test_xlsx_without_header_row(tmp_path: Path) -> None:
    workbook = Workbook()
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(FileError, match="Filen er tom"):
        read_xlsx(out.getvalue())


# --- the template -----------------------------------------------------------------------


@pytest.fixture
def template_app() -> Flask:
    """A bare app with the import blueprint and the site's locale handling in URLs."""
    app = Flask(__name__)
    app.register_blueprint(bp)

    @app.url_value_preprocessor
    def pull_locale(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and "locale" in values:
            g.locale = values.pop("locale")

    return app


@pytest.mark.parametrize(
    ("locale", "english"), [("nb", False), ("nn", False), ("en", True), ("uk", True)]
)
def test_csv_template_downloads_in_norwegian_or_english(
    template_app: Flask, locale: str, english: bool
) -> None:
    response = template_app.test_client().get(f"/{locale}/import/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    name = "lokaltilbud-template.csv" if english else "lokaltilbud-mal.csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    header = body.decode("utf-8-sig").splitlines()[0].split(";")
    assert header == [c.en if english else c.nb for c in template_columns()]
    assert header[:3] == (["ID", "Title", "Type"] if english else ["ID", "Tittel", "Type"])


@pytest.mark.parametrize("english", [False, True])
def test_templates_read_back_without_errors(english: bool) -> None:
    for reader, data in (
        (read_csv, template_csv(english, TODAY)),
        (read_xlsx, template_xlsx(english, TODAY)),
    ):
        items = list(reader(data, today=TODAY))
        assert errors(items) == []
        cafe, meeting = records(items)
        assert cafe.kind is ListingKind.OFFER
        assert cafe.schedules[0].rrule == "FREQ=WEEKLY;BYDAY=TU"
        assert (cafe.schedules[0].opens_at, cafe.schedules[0].closes_at) == (
            dt.time(18),
            dt.time(20),
        )
        assert [b[2] for b in cafe.schedules[0].breaks] == (
            ["summer holiday", "autumn break"] if english else ["sommerferie", "høstferie"]
        )
        assert cafe.fields["is_free"] is True
        assert cafe.languages == ["nb", "en", "ar"]
        assert cafe.venue == VenueData(
            "The library" if english else "Biblioteket", "Storgata 1", "0182", "Oslo"
        )
        assert meeting.kind is ListingKind.EVENT
        assert meeting.schedules[0].dtstart == dt.date(2025, 10, 23)  # a Thursday 3 weeks on
        assert meeting.fields["registration_required"] is True
        assert meeting.languages == ["nb", "ar", "so", "uk"]


def test_xlsx_template_download_has_a_help_sheet(template_app: Flask) -> None:
    response = template_app.test_client().get("/nb/import/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX_MIMETYPE
    assert response.headers["Content-Disposition"] == 'attachment; filename="lokaltilbud-mal.xlsx"'
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Aktiviteter", "Slik fyller du ut"]
    help_rows = list(workbook["Slik fyller du ut"].iter_rows(values_only=True))
    assert help_rows[1][0] == "ID"
    assert all(text for _name, text in help_rows[1:])
    assert len(records(list(read_xlsx(response.data)))) == 2


def test_docs_describe_every_template_column() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for column in template_columns():
        assert f"| {column.nb} | {column.en} |" in text


# --- norwegian.py -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ja", True), ("Nei", False), ("ja", True), ("nei", False), ("J", True), ("N", False),
        ("x", True), ("yes", True), ("no", False), ("true", True), ("false", False),
        ("1", True), ("0", False), ("", None), ("-", None), ("Ja, for barn under 6", True),
    ],
)  # fmt: skip
def test_parse_bool(text: str, expected: bool | None) -> None:
    assert norwegian.parse_bool(text) is expected


def test_parse_bool_says_what_to_write() -> None:
    with pytest.raises(ValueError, match=r"^«kanskje» – skriv Ja eller Nei\.$"):
        norwegian.parse_bool("kanskje")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gratis", (True, "")),
        ("gratis", (True, "")),
        ("kr 0,-", (True, "")),
        ("50 kr", (False, "50 kr")),
        ("kr 50,-", (False, "kr 50,-")),
        ("Gratis, ta med matpakke", (True, "Gratis, ta med matpakke")),
        ("Gratis for barn, 50 kr for voksne", (False, "Gratis for barn, 50 kr for voksne")),
        ("Egenandel", (False, "Egenandel")),
        ("", (None, "")),
    ],
)
def test_parse_price(text: str, expected: tuple[bool | None, str]) -> None:
    assert norwegian.parse_price(text) == expected


@pytest.mark.parametrize(
    "value",
    [
        "12.03.2025", "12.3.2025", "12.03.25", "2025-03-12", "12. mars 2025", "12 mars 2025",
        "onsdag 12.03.2025", "March 12, 2025", "12/3/2025",
        dt.datetime(2025, 3, 12), dt.date(2025, 3, 12),
    ],
)  # fmt: skip
def test_parse_date(value: norwegian.Cell) -> None:
    assert norwegian.parse_date(value, today=TODAY) == dt.date(2025, 3, 12)


def test_parse_date_without_year_is_the_coming_one() -> None:
    assert norwegian.parse_date("12.03", today=TODAY) == dt.date(2026, 3, 12)
    assert norwegian.parse_date("12.09", today=TODAY) == dt.date(2025, 9, 12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31.02.2025", "«31.02.2025» – den datoen finnes ikke. Skriv for eksempel 12.03.2026."),
        ("snart", "«snart» – forstod ikke datoen. Skriv for eksempel 12.03.2026."),
    ],
)
def test_parse_date_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        norwegian.parse_date(text, today=TODAY)


@pytest.mark.parametrize("text", ["12.03.0225", "12.03.9999", "12.03.1925"])
def test_years_far_off_are_typos(text: str) -> None:
    message = f"«{text}» – året ser feil ut. Skriv for eksempel 12.03.2026."
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        norwegian.parse_dates(text, today=TODAY)


def test_date_messages_quote_what_was_written() -> None:
    message = "«Første 31. Juni» – forstod ikke datoen. Skriv for eksempel 12.03.2026."
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        norwegian.parse_dates("12. Mai, Første 31. Juni", today=TODAY)


def test_parse_dates_and_ranges() -> None:
    march = [dt.date(2026, 3, 12), dt.date(2026, 3, 19)]
    assert norwegian.parse_dates("12.03.2026, 19.03.2026", today=TODAY) == march
    assert norwegian.parse_dates("12. og 19. mars 2026", today=TODAY) == march
    assert norwegian.parse_date_range("22.06–16.08.2026", today=TODAY) == (
        dt.date(2026, 6, 22),
        dt.date(2026, 8, 16),
    )
    assert norwegian.parse_date_range("20.12 til 02.01", today=TODAY) == (
        dt.date(2025, 12, 20),
        dt.date(2026, 1, 2),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kl. 18.00", (dt.time(18), None)),
        ("18:00", (dt.time(18), None)),
        ("18.00", (dt.time(18), None)),
        ("18-20", (dt.time(18), dt.time(20))),
        ("18–20", (dt.time(18), dt.time(20))),
        ("18:00-20:00", (dt.time(18), dt.time(20))),
        ("kl 18.30–20", (dt.time(18, 30), dt.time(20))),
        ("fra 18", (dt.time(18), None)),
        ("18:00 til 20:00", (dt.time(18), dt.time(20))),
        ("1800-2000", (dt.time(18), dt.time(20))),
        ("6-8 pm", (dt.time(18), dt.time(20))),
        (dt.time(18, 0), (dt.time(18), None)),
    ],
)
def test_parse_time_range(text: norwegian.Cell, expected: tuple[dt.time, dt.time | None]) -> None:
    assert norwegian.parse_time_range(text) == expected


@pytest.mark.parametrize("text", ["18x", "25:00", "18:75", "kveld", "18-20-22"])
def test_parse_time_range_errors(text: str) -> None:
    message = f"«{text}» – fant ikke klokkeslettet. Skriv for eksempel 18:00 eller 18:00–20:00."
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        norwegian.parse_time_range(text)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("tirsdag", "FREQ=WEEKLY;BYDAY=TU"),
        ("tirsdager", "FREQ=WEEKLY;BYDAY=TU"),
        ("Hver tirsdag", "FREQ=WEEKLY;BYDAY=TU"),
        ("tysdagar", "FREQ=WEEKLY;BYDAY=TU"),
        ("tirsdag og torsdag", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("man, ons", "FREQ=WEEKLY;BYDAY=MO,WE"),
        ("mandag–fredag", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("hverdager", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("fre-søn", "FREQ=WEEKLY;BYDAY=FR,SA,SU"),
        ("hver dag", "FREQ=DAILY"),
        ("daglig", "FREQ=DAILY"),
        ("mandag til søndag", "FREQ=DAILY"),
        ("annenhver onsdag", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
        ("hver 2. onsdag", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
        ("første mandag i måneden", "FREQ=MONTHLY;BYDAY=1MO"),
        ("siste fredag i måneden", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("1. og 3. tirsdag i måneden", "FREQ=MONTHLY;BYDAY=1TU,3TU"),
        ("hver andre onsdag i måneden", "FREQ=MONTHLY;BYDAY=2WE"),
        ("nest siste torsdag i måneden", "FREQ=MONTHLY;BYDAY=-2TH"),
        ("Tuesdays", "FREQ=WEEKLY;BYDAY=TU"),
        ("Monday and Thursday", "FREQ=WEEKLY;BYDAY=MO,TH"),
        ("every other Wednesday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
        ("first Monday of the month", "FREQ=MONTHLY;BYDAY=1MO"),
        ("every day", "FREQ=DAILY"),
    ],
)
def test_parse_days(text: str, rule: str) -> None:
    assert norwegian.parse_days(text) == rule


@pytest.mark.parametrize(
    "text",
    ["tirsdag eller torsdag", "ukentlig", "mandag hver måned", "blå", "hver 1000. onsdag"],
)
def test_parse_days_errors(text: str) -> None:
    message = (
        f"«{text}» – forstod ikke dagen. Skriv for eksempel tirsdag, mandag og onsdag, "
        "annenhver onsdag eller første mandag i måneden."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        norwegian.parse_days(text)


def test_first_occurrence_of_every_other_week_is_the_first_matching_day() -> None:
    thursday = dt.date(2025, 10, 2)
    assert norwegian.first_occurrence("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", thursday) == dt.date(
        2025, 10, 8
    )
    assert norwegian.first_occurrence("FREQ=MONTHLY;BYDAY=-1FR", TODAY) == dt.date(2025, 10, 31)


@pytest.mark.parametrize(
    ("text", "split"),
    [
        ("tirsdager kl 18x", ("tirsdager", "kl 18x")),
        ("tirsdag 18-20", ("tirsdag", "18-20")),
        ("Torsdager fra 17", ("Torsdager", "fra 17")),
        ("1. og 3. tirsdag i måneden", ("1. og 3. tirsdag i måneden", "")),
        ("hver 2. onsdag", ("hver 2. onsdag", "")),
        ("kl 18", ("", "kl 18")),
    ],
)
def test_split_day_and_time(text: str, split: tuple[str, str]) -> None:
    assert norwegian.split_day_and_time(text) == split


def test_parse_breaks() -> None:
    found = norwegian.parse_breaks(
        "22.06.2026–16.08.2026 sommerferie; 28.09.2026-02.10.2026 høstferie", today=TODAY
    )
    assert found == norwegian.Breaks(
        [
            (dt.date(2026, 6, 22), dt.date(2026, 8, 16), "sommerferie"),
            (dt.date(2026, 9, 28), dt.date(2026, 10, 2), "høstferie"),
        ]
    )
    weeks = norwegian.parse_breaks("Høstferie uke 41, vinterferie uke 9, helligdager", today=TODAY)
    assert weeks == norwegian.Breaks(
        [
            (dt.date(2025, 10, 6), dt.date(2025, 10, 12), "Høstferie"),
            (dt.date(2026, 2, 23), dt.date(2026, 3, 1), "vinterferie"),
        ],
        skip_public_holidays=True,
    )
    # A pause without a year that is over already is next year's.
    assert norwegian.parse_breaks("22.06–16.08 sommerferie", today=TODAY).periods == [
        (dt.date(2026, 6, 22), dt.date(2026, 8, 16), "sommerferie")
    ]
    with pytest.raises(ValueError, match=r"^«snart» – forstod ikke pausen"):
        norwegian.parse_breaks("snart", today=TODAY)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("norsk", ["nb"]), ("engelsk", ["en"]), ("ukrainsk", ["uk"]), ("arabisk", ["ar"]),
        ("somali", ["so"]), ("somalisk", ["so"]), ("tigrinja", ["ti"]), ("persisk", ["fa"]),
        ("farsi", ["fa"]), ("dari", ["prs"]), ("polsk", ["pl"]), ("russisk", ["ru"]),
        ("litauisk", ["lt"]), ("urdu", ["ur"]), ("tyrkisk", ["tr"]), ("thai", ["th"]),
        ("samisk", ["se"]), ("nordsamisk", ["se"]), ("kurdisk", ["ku"]),
        ("Norsk, Engelsk og Arabisk", ["nb", "en", "ar"]), ("ar / uk", ["ar", "uk"]),
        ("Norwegian, Ukrainian", ["nb", "uk"]), ("fransk", ["fr"]), ("nb, nb", ["nb"]),
    ],
)  # fmt: skip
def test_parse_languages(text: str, codes: list[str]) -> None:
    assert norwegian.parse_languages(text) == codes


def test_parse_languages_unknown() -> None:
    with pytest.raises(ValueError, match=r"^«marsiansk» – kjenner ikke språket"):
        norwegian.parse_languages("norsk, marsiansk")


@pytest.mark.parametrize(
    ("value", "ages"),
    [
        ("6-12", (6, 12)), ("6–12 år", (6, 12)), ("fra 16", (16, None)), ("over 18", (18, None)),
        ("under 12", (None, 11)), ("16+", (16, None)), ("18 år og eldre", (18, None)),
        ("opp til 5", (None, 5)), ("6 år", (6, 6)), ("alle", (None, None)),
        (dt.datetime(2025, 12, 6), (6, 12)),
    ],
)  # fmt: skip
def test_parse_age(value: norwegian.Cell, ages: tuple[int | None, int | None]) -> None:
    assert norwegian.parse_age(value) == ages


@pytest.mark.parametrize("text", ["12-6", "200", "ung"])
def test_parse_age_errors(text: str) -> None:
    with pytest.raises(ValueError, match=f"^«{text}» – forstod ikke alderen"):
        norwegian.parse_age(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ja", (True, "")),
        ("Nei", (False, "")),
        ("", (None, "")),
        ("Send SMS til 900 00 000", (True, "Send SMS til 900 00 000")),
        ("Nei, bare møt opp", (False, "Nei, bare møt opp")),
        ("Drop-in", (False, "Drop-in")),
    ],
)
def test_parse_registration(text: str, expected: tuple[bool | None, str]) -> None:
    assert norwegian.parse_registration(text) == expected


def test_parse_kind() -> None:
    assert norwegian.parse_kind("Tilbud") is ListingKind.OFFER
    assert norwegian.parse_kind("arrangement") is ListingKind.EVENT
    assert norwegian.parse_kind("Event") is ListingKind.EVENT
    with pytest.raises(ValueError, match=r"^«kurs» – skriv Tilbud"):
        norwegian.parse_kind("kurs")


def test_places_and_contact_values() -> None:
    assert norwegian.parse_postal_code("182") == "0182"
    assert norwegian.parse_postal_code("0150") == "0150"
    with pytest.raises(ValueError, match="postnummer har fire sifre"):
        norwegian.parse_postal_code("12345")
    assert norwegian.split_address("Storgata 1, 0150 Oslo") == ("Storgata 1", "0150", "Oslo")
    assert norwegian.split_postal_place("0150 Oslo") == ("0150", "Oslo")
    assert norwegian.parse_url("www.kommune.no/kafe") == "https://www.kommune.no/kafe"
    assert norwegian.parse_email("mailto:kari@example.org") == "kari@example.org"
    assert norwegian.parse_phone("+47 900 00 000") == "+47 900 00 000"
    with pytest.raises(ValueError, match="ser ikke ut som et telefonnummer"):
        norwegian.parse_phone("ring oss")
