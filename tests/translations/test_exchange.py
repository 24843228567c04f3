"""XLIFF 2.0 and PO files go out and come back without loss; stale units are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from directory.listings.models import Listing
from directory.translations.exchange import (
    ExchangeFileError,
    from_po,
    from_xliff,
    read_exchange_file,
    to_po,
    to_xliff,
)
from directory.translations.services import (
    IncomingUnit,
    TranslationState,
    apply_units,
    municipality_records,
    state_of,
    units_of,
)
from tests.factories import EMPTY_MUNICIPALITY, make_listing

# Text that trips naive exchange code: markup characters, quotes, line breaks, other scripts.
TRICKY = 'Ta med "leksene" & <blyant>.\n\nVi snakker også arabisk: مرحبا.'


def listings(session: Session) -> tuple[Listing, Listing]:
    first = make_listing(session, title="Leksehjelp hos NAV", description=TRICKY)
    second = make_listing(session, title="Språkkafé", summary="Hver tirsdag.")
    return first, second


def fill(units: list[IncomingUnit]) -> list[IncomingUnit]:
    """What a translation agency sends back: every target filled in."""
    return [IncomingUnit(u.key, u.source, f"UK «{u.source}»\n  ✓") for u in units]


@pytest.mark.parametrize(("write", "read"), [(to_xliff, from_xliff), (to_po, from_po)])
def test_round_trip_loses_nothing(db_session: Session, write: object, read: object) -> None:
    first, second = listings(db_session)
    units = list(units_of(municipality_records(db_session, EMPTY_MUNICIPALITY), "uk"))
    keys = {f"listing:{first.id}:description", f"listing:{second.id}:title"}
    assert keys <= {u.key for u in units}
    language, back = read(write(units, "uk"))  # type: ignore[operator]
    assert language == "uk"
    assert [(u.key, u.source) for u in back] == [(u.key, u.source) for u in units]
    assert next(u for u in back if u.key.endswith(":description")).source == TRICKY

    report = apply_units(db_session, "uk", fill(back))
    assert set(report.applied) >= keys
    assert not report.rejected
    assert first.localized("description", "uk").text == f"UK «{TRICKY}»\n  ✓"
    assert state_of(second, "title", "uk") is TranslationState.CURRENT

    # Exported again, with the translations now in it, and read back: still the same.
    again = list(units_of(municipality_records(db_session, EMPTY_MUNICIPALITY), "uk"))
    _, twice = read(write(again, "uk"))  # type: ignore[operator]
    assert [(u.key, u.source, u.target) for u in twice] == [
        (u.key, u.source, u.target) for u in again
    ]
    assert apply_units(db_session, "uk", twice).applied == []


@pytest.mark.parametrize(("write", "read"), [(to_xliff, from_xliff), (to_po, from_po)])
def test_units_whose_source_changed_are_refused(
    db_session: Session, write: object, read: object
) -> None:
    first, second = listings(db_session)
    units = list(units_of(municipality_records(db_session, EMPTY_MUNICIPALITY), "uk"))
    data = write(units, "uk")  # type: ignore[operator]
    second.title = "Språkkafé med mat"  # changed while the file was at the agency
    db_session.flush()
    _, back = read(data)  # type: ignore[operator]
    report = apply_units(db_session, "uk", fill(back))
    assert report.rejected == [
        (f"listing:{second.id}:title", "the source text changed after export")
    ]
    assert f"listing:{first.id}:title" in report.applied
    assert state_of(second, "title", "uk") is TranslationState.MISSING


def test_glossary_notes_travel_with_xliff(db_session: Session) -> None:
    first, _ = listings(db_session)
    units = [
        u
        for u in units_of(municipality_records(db_session, EMPTY_MUNICIPALITY), "uk")
        if u.key == f"listing:{first.id}:title"
    ]
    data = to_xliff(units, "uk", {"NAV": "Державна служба праці та соціального забезпечення."})
    assert b'category="glossary"' in data
    assert "NAV: Державна служба".encode() in data


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<?xml version='1.0'?><xliff version='1.2'></xliff>",
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>',
        b'msgid "x\nmsgstr',
        "\ufeffnot a translation file at all".encode(),
    ],
)
def test_unreadable_files_get_a_plain_message(data: bytes) -> None:
    with pytest.raises(ExchangeFileError):
        read_exchange_file(data)


def test_cli_export_and_import(app: Flask, db_session: Session, tmp_path: Path) -> None:
    first, _ = listings(db_session)
    runner = app.test_cli_runner()
    out = tmp_path / "uk.xlf"
    result = runner.invoke(
        args=[
            "translations",
            "export",
            "--municipality",
            EMPTY_MUNICIPALITY,
            "--language",
            "uk",
            "-o",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    _, units = from_xliff(out.read_bytes())
    out.write_bytes(to_xliff_filled(units))
    result = runner.invoke(args=["translations", "import", str(out)])
    assert result.exit_code == 0, result.output
    assert "refused" in result.output
    assert first.localized("title", "uk").text.startswith("UK «Leksehjelp hos NAV»")
    bad = tmp_path / "bad.po"
    bad.write_bytes(b"this is not a file we know")
    result = runner.invoke(args=["translations", "import", str(bad)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "not a readable PO file" in result.output


def to_xliff_filled(units: list[IncomingUnit]) -> bytes:
    from directory.translations.services import TranslationUnit

    return to_xliff(
        [
            TranslationUnit(
                u.key, u.source, "nb", f"UK «{u.source}»\n  ✓", TranslationState.MISSING
            )
            for u in units
        ],
        "uk",
    )
