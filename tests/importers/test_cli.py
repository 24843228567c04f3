"""`flask import file …` end to end: each kind of source through the whole pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.listings.models import Listing, ListingStatus
from tests.factories import EMPTY_MUNICIPALITY, make_organization

FIXTURES = Path(__file__).parent / "fixtures"


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["import", "file", *args])
    return result.exit_code, result.output


def summary(app: Flask, *args: str) -> dict[str, Any]:
    code, output = run(app, *args, "--json")
    assert code == 0, output
    data: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return data


def imported(session: Session, source: str) -> list[Listing]:
    stmt = select(Listing).where(Listing.origin == f"import:{source}").order_by(Listing.id)
    return list(session.scalars(stmt))


def test_a_norwegian_excel_csv_imports_and_a_second_run_changes_nothing(
    app: Flask, db_session: Session
) -> None:
    path = str(FIXTURES / "spreadsheet" / "bom_semicolon.csv")
    args = (path, "--kind", "csv", "--municipality", EMPTY_MUNICIPALITY, "--source", "ark")
    first = summary(app, *args)
    assert (first["created"], first["failed"]) == (2, 0), first["errors"]
    cafe, meeting = imported(db_session, "ark")
    assert cafe.title == "Språkkafé på biblioteket"
    assert cafe.status is ListingStatus.PENDING
    assert cafe.schedules[0].rrule == "FREQ=WEEKLY;BYDAY=TU"
    assert cafe.organization.name == "Frivilligsentralen"
    assert meeting.kind.value == "event"
    second = summary(app, *args)
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 2)
    assert len(imported(db_session, "ark")) == 2


def test_a_file_that_cannot_be_read_gets_one_line_and_a_non_zero_exit(
    app: Flask, db_session: Session
) -> None:
    path = str(FIXTURES / "spreadsheet" / "missing_title.csv")
    code, output = run(app, path, "--kind", "csv", "--municipality", EMPTY_MUNICIPALITY)
    assert code == 1
    assert "Tittel" in output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1
    code, output = run(app, "/nowhere/ark.csv", "--kind", "csv", "--municipality", "5612")
    assert (code, "Traceback" in output) == (1, False)
    code, output = run(app, path, "--kind", "csv", "--municipality", "9999")
    assert code == 1
    assert "9999" in output


def test_an_organization_or_source_that_does_not_fit_is_refused(
    app: Flask, db_session: Session
) -> None:
    path = str(FIXTURES / "spreadsheet" / "bom_semicolon.csv")
    elsewhere = make_organization(db_session, "0301", name="Oslo frivilligsentral")
    base = ("--kind", "csv", "--municipality", EMPTY_MUNICIPALITY)
    for organization in ("999999", str(elsewhere.id)):
        code, output = run(app, path, *base, "--organization", organization)
        assert (code, "Traceback" in output) == (1, False)
        assert f"Fant ingen organisasjon med id {organization} i kommune 5612" in output
    assert summary(app, path, *base, "--source", "ark")["created"] == 2
    # The same source name for a calendar would archive everything the sheet gave.
    calendar = str(FIXTURES / "ical" / "weekly_dst.ics")
    code, output = run(app, calendar, "--kind", "ics", "--municipality", "5612", "--source", "ark")
    assert code == 1
    assert "Kilden «ark» leser csv-filer" in output
    assert {item.status for item in imported(db_session, "ark")} == {ListingStatus.PENDING}


def test_a_dry_run_shows_the_changes_and_keeps_nothing(app: Flask, db_session: Session) -> None:
    path = str(FIXTURES / "spreadsheet" / "cp1252.csv")
    organization = make_organization(db_session, name="Kirken")
    data = summary(
        app,
        path,
        "--kind",
        "csv",
        "--municipality",
        EMPTY_MUNICIPALITY,
        "--source",
        "gammel",
        "--organization",
        str(organization.id),
        "--category",
        "meeting-places",
        "--dry-run",
    )
    assert data["dry_run"] is True
    assert data["created"] >= 1
    assert {c["action"] for c in data["changes"]} == {"create"}
    assert imported(db_session, "gammel") == []


def test_a_calendar_imports_and_a_cancelled_series_is_archived(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    organization = make_organization(db_session, name="Biblioteket")
    path = FIXTURES / "ical" / "weekly_dst.ics"
    args = ["--kind", "ics", "--municipality", EMPTY_MUNICIPALITY, "--source", "kalender"]
    args += ["--organization", str(organization.id), "--category", "language-cafe"]
    first = summary(app, str(path), *args)
    assert (first["created"], first["failed"]) == (1, 0), first["errors"]
    [listing] = imported(db_session, "kalender")
    assert listing.title == "Språkkafé på biblioteket"
    assert listing.schedules[0].opens_at.hour == 18
    cancelled = tmp_path / "kalender.ics"
    text = path.read_text(encoding="utf-8")
    cancelled.write_text(text.replace("BEGIN:VEVENT", "BEGIN:VEVENT\nSTATUS:CANCELLED", 1))
    second = summary(app, str(cancelled), *args)
    assert second["archived"] == 1
    db_session.refresh(listing)
    assert listing.status is ListingStatus.ARCHIVED


def test_the_official_hsds_examples_import(app: Flask, db_session: Session) -> None:
    common = ("--municipality", EMPTY_MUNICIPALITY, "--category", "guidance")
    service = str(FIXTURES / "hsds" / "service_full.json")
    data = summary(app, service, "--kind", "hsds-json", "--source", "hsds", *common)
    assert (data["created"], data["failed"]) == (1, 0), data["errors"]
    assert any("byweekno" in e["message"] for e in data["errors"])  # the dropped schedule
    [listing] = imported(db_session, "hsds")
    assert listing.title == "Community Counselling"
    # The example's taxonomy term is literally called "name" (a placeholder), which our
    # curated synonyms know as Kurdish for "letter": a match, so the default is not used.
    assert listing.primary_category.slug == "letter-help"
    assert listing.language_codes
    package = str(FIXTURES / "hsds" / "csv")
    data = summary(app, package, "--kind", "hsds-csv", "--source", "hsds-pakke", *common)
    assert (data["created"], data["failed"]) == (1, 0), data["errors"]
    [tabular] = imported(db_session, "hsds-pakke")
    assert tabular.title == "Community Counselling"
    assert tabular.organization.name == listing.organization.name
    assert tabular.primary_category.slug == "guidance"  # no term there: the default
