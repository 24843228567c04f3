"""HSDS 3.0 readers: the official examples (JSON, API, tabular package) and schedule mapping."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from directory.listings.models import Listing, ListingKind
from importers.fetch import fetch
from importers.hsds import (
    FIELD_LIMITS,
    read_hsds_api,
    read_hsds_json,
    read_hsds_tabular,
    records_from_services,
)
from importers.records import (
    FileError,
    Item,
    OrganizationData,
    Record,
    RowError,
    ScheduleData,
    VenueData,
)

FIXTURES = Path(__file__).parent / "fixtures" / "hsds"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
SCHEDULE_ID = "48102e86-bb50-41c4-8f1e-e269368c41d1"
DESCRIPTION = (
    "Counselling Services provided by trained professionals. Suitable for people with mental "
    "health conditions such as anxiety, depression, or eating disorders as well as people "
    "experiencing difficult life events and circumstances."
)
FEES = (
    "Non-NHS patients are expected to pay for their counselling sessions. We charge a flat "
    "rate per hour of counselling. The current rate is £50 per hour. Please see our website "
    "for up to date prices."
)
ORGANIZATION = OrganizationData(
    name="Example Organization Inc.",
    external_id="d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
    email="email@example.com",
    phone="+44 1234 234567",
    website="http://example.com",
    description=(
        "Example Org is a non-profit organization dedicated to providing services to "
        "qualified beneficiaries"
    ),
)
VENUE = VenueData(
    name="MyCity Civic Center",
    street_address="1-30 Main Street",
    postal_code="ABC 1234",
    postal_place="MyCity",
    latitude=None,  # the example's latitude 100 is off the globe
    longitude=None,
    external_id="3a19ff88-4620-4d17-9830-ac1d859eb5d5",
)
FULL_FIELDS = {
    "title": "Community Counselling",
    "summary": "Counselling Services provided by trained professionals.",
    "description": DESCRIPTION,
    "online_url": "http://example.com/counselling",
    "contact_email": "email@example.com",
    "contact_phone": "+44 1234 234567",
    "contact_name": "Ann Persona",
    "eligibility_note": (
        "This service is intended for all people aged 12 and over who require counselling "
        "services in the MyCity area"
    ),
    "registration_info": (
        "If you are an NHS patient please ask your GP for a referral letter, we will then be in "
        "touch with you directly. If you are not an NHS patient you should ring our reception "
        "to arrange an appointment"
    ),
    "cost_text": FEES,
    "is_free": False,
    "min_age": 12,
    "max_age": 100,
    "no_documents": False,
}
WEEK_NUMBERS_DROPPED = (
    "en åpningstid kunne ikke leses: bestemte ukenumre (byweekno) kan ikke brukes; skriv "
    f"datoene med valid_from og valid_to (schedule {SCHEDULE_ID}). Resten av tjenesten er "
    "tatt med."
)


def example(name: str) -> dict[str, Any]:
    """One of the official HSDS 3.0 example files, parsed."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_bytes())
    return data


def split(items: Iterator[Item]) -> tuple[list[Record], list[RowError]]:
    """Records and row errors of a reader, each in order."""
    found = list(items)
    return (
        [i for i in found if isinstance(i, Record)],
        [i for i in found if isinstance(i, RowError)],
    )


def one_schedule(schedule: dict[str, Any], **service: Any) -> tuple[list[ScheduleData], list[str]]:
    """The schedules and row messages of a small service holding one HSDS schedule."""
    records, errors = split(
        records_from_services(
            [{"id": "s1", "name": "Språkkafé", "schedules": [schedule], **service}]
        )
    )
    assert len(records) == 1
    return records[0].schedules, [e.message for e in errors]


# --- the official examples -------------------------------------------------------------


def test_service_full_example() -> None:
    records, errors = split(read_hsds_json((FIXTURES / "service_full.json").read_bytes()))
    assert len(records) == 1
    record = records[0]
    assert record.external_id == SERVICE_ID
    assert record.where == f"service {SERVICE_ID}"
    assert record.kind is ListingKind.OFFER
    assert record.fields == FULL_FIELDS
    assert record.categories == ["name"]  # the example's taxonomy term is called "name"
    assert record.languages == ["ur"]
    assert record.venue == VENUE
    assert record.organization == ORGANIZATION
    assert record.cancelled is False
    # Its one schedule is limited to weeks 41 and 42, which the model cannot say: the
    # service comes without it, and the report says why.
    assert record.schedules == []
    assert [(e.where, e.message) for e in errors] == [
        (f"service {SERVICE_ID}", WEEK_NUMBERS_DROPPED)
    ]


def test_service_full_example_schedule_as_rrule() -> None:
    service = example("service_full.json")
    del service["schedules"][0]["byweekno"]
    records, errors = split(records_from_services([service]))
    assert errors == []
    assert records[0].schedules == [
        ScheduleData(
            dtstart=dt.date(2005, 1, 1),
            opens_at=dt.time(10, 0),
            closes_at=dt.time(18, 0),
            # bymonthday and byyearday belong to MONTHLY and YEARLY: not part of a WEEKLY rule.
            rrule="FREQ=WEEKLY;BYDAY=TH,FR",
            valid_from=dt.date(2005, 1, 1),
            valid_to=dt.date(2005, 1, 1),  # valid_to, until and count: the earliest
            timezone="Etc/GMT-3",  # "timezone": 3 is UTC+3
            notes=(
                "The service is available from 10 am to 6pm weekdays. The service is not "
                "available on public holidays. Some of our staff will be unavailable during "
                "their lunch break which may be any 30 minute period between 1200 and 1400"
            ),
        )
    ]


def test_service_list_example_has_only_one_to_one_fields() -> None:
    records, errors = split(read_hsds_json((FIXTURES / "service_list.json").read_bytes()))
    assert errors == []
    assert len(records) == 1
    record = records[0]
    assert record.external_id == SERVICE_ID
    assert record.fields["title"] == "Community Counselling"
    assert record.fields["cost_text"] == FEES
    assert "contact_phone" not in record.fields
    assert "is_free" not in record.fields  # fees in words only: not clear enough
    assert record.venue is None
    assert record.schedules == []
    assert record.languages == []
    assert record.organization == OrganizationData(
        name=ORGANIZATION.name,
        external_id=ORGANIZATION.external_id,
        email=ORGANIZATION.email,
        website=ORGANIZATION.website,
        description=ORGANIZATION.description,
    )


def test_organization_full_example_hands_the_organization_to_its_services() -> None:
    records, _errors = split(read_hsds_json((FIXTURES / "organization_full.json").read_bytes()))
    assert [r.external_id for r in records] == [SERVICE_ID]
    assert records[0].organization == ORGANIZATION
    assert records[0].venue == VENUE


def test_tabular_package_example_folder() -> None:
    records, errors = split(read_hsds_tabular(FIXTURES / "csv"))
    assert len(records) == 1
    record = records[0]
    assert record.external_id == SERVICE_ID
    assert record.fields == FULL_FIELDS
    assert record.organization == ORGANIZATION
    assert record.venue == VENUE
    assert record.languages == ["ur"]
    # attributes.csv links its term to another id (f28dd44b…), not to this service.
    assert record.categories == []
    assert [e.message for e in errors] == [WEEK_NUMBERS_DROPPED]


def test_tabular_package_joins_the_schedule_rows() -> None:
    rows = (FIXTURES / "csv" / "schedules.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    assert "byweekno" in header
    records = _package_without_week_numbers()
    assert records[0].schedules[0].rrule == "FREQ=WEEKLY;BYDAY=TH,FR"
    assert records[0].schedules[0].opens_at == dt.time(10, 0)
    assert records[0].schedules[0].closes_at == dt.time(18, 0)
    assert records[0].schedules[0].timezone == "Etc/GMT-3"


def _package_without_week_numbers() -> list[Record]:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        for path in (FIXTURES / "csv").iterdir():
            text = path.read_text(encoding="utf-8")
            if path.name == "schedules.csv":
                text = text.replace(',"41,42",', ",,")
            package.writestr(path.name, text)
    records, errors = split(read_hsds_tabular(archive.getvalue()))
    assert errors == []
    return records


def test_tabular_package_as_zip_bytes_in_a_subfolder() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as package:
        for path in (FIXTURES / "csv").iterdir():
            package.write(path, f"export-2026/{path.name}")
    records, _errors = split(read_hsds_tabular(archive.getvalue()))
    assert [r.fields["title"] for r in records] == ["Community Counselling"]
    assert records[0].venue == VENUE


def test_tabular_package_as_zip_file(tmp_path: Path) -> None:
    target = tmp_path / "hsds.zip"
    with zipfile.ZipFile(target, "w") as package:
        for path in (FIXTURES / "csv").iterdir():
            package.write(path, path.name)
    records, _errors = split(read_hsds_tabular(str(target)))
    assert records[0].organization == ORGANIZATION


def test_tabular_example_as_one_json_file() -> None:
    records, _errors = split(read_hsds_json((FIXTURES / "tabular.json").read_bytes()))
    assert len(records) == 1
    assert records[0].fields == FULL_FIELDS
    assert records[0].venue == VENUE


def test_tabular_package_with_singular_names_and_semicolons(tmp_path: Path) -> None:
    (tmp_path / "service.csv").write_text(
        "id;organization_id;name;description;status\n"
        "s1;o1;Leksehjelp;Hjelp med lekser for alle. Ta med bøkene.;active\n"
        ";o1;Uten id;;active\n"
        "s1;o1;Dobbel;;active\n",
        encoding="utf-8",
    )
    (tmp_path / "organization.csv").write_text("id;name\no1;Røde Kors\n", encoding="utf-8")
    (tmp_path / "schedule.csv").write_text(
        "id;service_id;byday;opens_at;closes_at\nh1;s1;TU,TH;17:00;19:00\n", encoding="utf-8"
    )
    (tmp_path / "language.csv").write_text(
        "id;service_id;code\nl1;s1;nb\nl2;s1;AR\n", encoding="utf-8"
    )
    records, errors = split(read_hsds_tabular(tmp_path))
    assert [(e.where, e.message) for e in errors] == [
        ("services.csv linje 3", "Tjenesten mangler id. Fyll inn kolonnen id."),
        ("services.csv linje 4", "id «s1» er brukt før i filen."),
    ]
    assert len(records) == 1
    record = records[0]
    assert record.fields["summary"] == "Hjelp med lekser for alle."
    assert record.organization == OrganizationData(name="Røde Kors", external_id="o1")
    assert record.languages == ["nb", "ar"]
    assert [(s.rrule, s.opens_at, s.closes_at) for s in record.schedules] == [
        ("FREQ=WEEKLY;BYDAY=TU,TH", dt.time(17, 0), dt.time(19, 0))
    ]


def test_tabular_package_without_services_is_a_file_error(tmp_path: Path) -> None:
    (tmp_path / "organizations.csv").write_text("id,name\no1,Org\n", encoding="utf-8")
    with pytest.raises(FileError, match=r"Fant ikke services\.csv"):
        list(read_hsds_tabular(tmp_path))
    with pytest.raises(FileError, match="ikke en zip-fil"):
        list(read_hsds_tabular(b"not a zip"))
    with pytest.raises(FileError, match="Fant ikke"):
        list(read_hsds_tabular(tmp_path / "missing"))


# --- JSON shapes and errors --------------------------------------------------------------


def test_bad_json_is_a_file_error() -> None:
    with pytest.raises(
        FileError, match=r"^Filen er ikke gyldig JSON \(feil på linje 2, tegn 1\)\.$"
    ):
        list(read_hsds_json(b'{"id": "x",\n}'))
    with pytest.raises(FileError, match="Fant ingen tjenester"):
        list(read_hsds_json(b'{"hello": "world"}'))
    # A tabular package whose services are not rows: refused, not an empty import (which
    # would archive everything the source had).
    with pytest.raises(FileError, match="Fant ingen tjenester"):
        list(read_hsds_json(b'{"services.csv": "x"}'))
    too_deep = b"[" * 100_000 + b"]" * 100_000
    huge_number = b'{"id": "a", "name": "x", "minimum_age": ' + b"9" * 5000 + b"}"
    for data in (too_deep, huge_number):
        with pytest.raises(FileError, match="for dypt nestet eller har altfor lange tall"):
            list(read_hsds_json(data))


def test_list_and_page_shapes() -> None:
    service = {"id": "a", "name": "Språkkafé"}
    for document in ([service], {"contents": [service], "total_pages": 1}, service):
        records, _errors = split(read_hsds_json(json.dumps(document).encode()))
        assert [r.external_id for r in records] == ["a"]


def test_services_without_id_or_name_are_row_errors() -> None:
    items = list(records_from_services([{"name": "Uten id"}, {"id": "x"}, "nonsense"]))
    assert [(i.where, i.message) for i in items if isinstance(i, RowError)] == [
        ("service «Uten id»", "Tjenesten mangler id. Hver tjeneste må ha en fast id."),
        ("service x", "Tjenesten mangler navn (name)."),
        ("service", "En tjeneste i filen er ikke et JSON-objekt."),
    ]


# --- field mapping -----------------------------------------------------------------------


def test_status_inactive_or_defunct_cancels() -> None:
    services = [
        {"id": status, "name": "N", "status": status}
        for status in ("active", "inactive", "defunct", "temporarily closed")
    ]
    records, _errors = split(records_from_services(services))
    assert {r.external_id: r.cancelled for r in records} == {
        "active": False,
        "inactive": True,
        "defunct": True,
        "temporarily closed": False,
    }


@pytest.mark.parametrize(
    ("service", "is_free", "cost_text"),
    [
        ({"cost_options": [{"amount": 0, "option": "Alle"}]}, True, "Alle: gratis"),
        ({"fees_description": "Gratis. Ta med matpakke."}, True, "Gratis. Ta med matpakke."),
        ({"fees_description": "Free"}, True, "Free"),
        ({"fees_description": "Gratis for medlemmer"}, None, "Gratis for medlemmer"),
        (
            {"cost_options": [{"amount": 50, "currency": "nok", "amount_description": "per gang"}]},
            False,
            "50 NOK per gang",
        ),
        ({}, None, None),
    ],
)
def test_cost(service: dict[str, Any], is_free: bool | None, cost_text: str | None) -> None:
    records, _errors = split(records_from_services([{"id": "c", "name": "N", **service}]))
    assert records[0].fields.get("is_free") is is_free
    assert records[0].fields.get("cost_text") == cost_text


def test_summary_only_when_the_first_sentence_fits() -> None:
    long_sentence = "Ord " * 60 + "slutt."
    records, _errors = split(
        records_from_services(
            [
                {"id": "a", "name": "N", "description": long_sentence + " Kort."},
                {"id": "b", "name": "N", "description": "Ingen punktum her"},
                {"id": "c", "name": "N"},
            ]
        )
    )
    assert [r.fields["summary"] for r in records] == ["", "Ingen punktum her", ""]
    assert records[2].fields["description"] == ""


def test_long_texts_fit_their_columns_and_bad_urls_are_left_out() -> None:
    service = {
        "id": "a",
        "name": "N",
        "fees_description": "kroner " * 100,
        "url": "ftp://example.org/tilbud",
        "phones": [{"number": "1" * 50}],
    }
    records, _errors = split(records_from_services([service]))
    fields = records[0].fields
    assert len(fields["cost_text"]) <= 300
    assert fields["cost_text"].endswith("kroner…")
    assert "online_url" not in fields
    assert "contact_phone" not in fields


def test_field_limits_match_the_listing_columns() -> None:
    columns = Listing.__table__.c
    assert {
        name: getattr(columns[name].type, "length", None) for name in FIELD_LIMITS
    } == FIELD_LIMITS


def test_virtual_location_is_no_venue_and_languages_fall_back_to_the_location() -> None:
    service = example("service_full.json")
    del service["languages"]
    service["service_at_locations"][0]["location"]["languages"] = [{"code": "SO"}]
    records, _errors = split(records_from_services([service]))
    assert records[0].languages == ["so"]
    service["service_at_locations"][0]["location"]["location_type"] = "virtual"
    records, _errors = split(records_from_services([service]))
    assert records[0].venue is None


# --- schedules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "rrules"),
    [
        ({"byday": "TU", "opens_at": "18:00"}, ["FREQ=WEEKLY;BYDAY=TU"]),
        ({"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "18:00"}, ["FREQ=WEEKLY;BYDAY=MO,WE"]),
        (
            {
                "freq": "WEEKLY",
                "interval": 2,
                "byday": "WE",
                "dtstart": "2026-01-07",
                "opens_at": "18:00",
            },
            ["FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"],
        ),
        (
            {
                "freq": "WEEKLY",
                "interval": "2",
                "byday": "WE",
                "wkst": "SU",
                "dtstart": "2026-01-07",
                "opens_at": "18:00",
            },
            ["FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;WKST=SU"],
        ),
        (
            {"freq": "WEEKLY", "dtstart": "2026-01-08", "opens_at": "18:00"},
            ["FREQ=WEEKLY;BYDAY=TH"],
        ),
        ({"freq": "MONTHLY", "byday": "1MO", "opens_at": "18:00"}, ["FREQ=MONTHLY;BYDAY=1MO"]),
        (
            {"freq": "MONTHLY", "byday": "+1MO,-1FR", "opens_at": "18:00"},
            ["FREQ=MONTHLY;BYDAY=1MO", "FREQ=MONTHLY;BYDAY=-1FR"],
        ),
        (
            {"freq": "MONTHLY", "bymonthday": "15", "opens_at": "18:00"},
            ["FREQ=MONTHLY;BYMONTHDAY=15"],
        ),
        ({"freq": "MONTHLY", "byday": "SA", "opens_at": "11:00"}, ["FREQ=WEEKLY;BYDAY=SA"]),
        ({"freq": "DAILY", "opens_at": "09:00"}, ["FREQ=DAILY"]),
        ({"freq": "daily", "byday": "MO,TU", "opens_at": "09:00"}, ["FREQ=WEEKLY;BYDAY=MO,TU"]),
        ({"dtstart": "2026-05-17", "opens_at": "10:00"}, [None]),
    ],
)
def test_schedule_rules(schedule: dict[str, Any], rrules: list[str | None]) -> None:
    schedules, problems = one_schedule(schedule)
    assert problems == []
    assert [s.rrule for s in schedules] == rrules


def test_schedule_dates_times_and_zone() -> None:
    schedules, _problems = one_schedule(
        {
            "freq": "WEEKLY",
            "byday": "WE",
            "interval": 2,
            "dtstart": "2026-01-07",
            "count": 3,
            "valid_from": "2026-01-01",
            "opens_at": "18:00:00+01:00",
            "closes_at": "20:00:00+01:00",
        }
    )
    assert schedules == [
        ScheduleData(
            dtstart=dt.date(2026, 1, 7),
            opens_at=dt.time(18, 0),
            closes_at=dt.time(20, 0),
            rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
            valid_from=dt.date(2026, 1, 1),
            valid_to=dt.date(2026, 2, 4),  # the third occurrence: 7 Jan, 21 Jan, 4 Feb
            timezone="Europe/Oslo",  # +01:00 is Norwegian time, which has summer time
        )
    ]


@pytest.mark.parametrize(
    ("schedule", "zone"),
    [
        ({"opens_at": "18:00"}, "Europe/Oslo"),
        ({"opens_at": "18:00+02:00"}, "Europe/Oslo"),
        ({"opens_at": "18:00", "timezone": 1}, "Europe/Oslo"),
        ({"opens_at": "18:00Z"}, "UTC"),
        ({"opens_at": "18:00-05:00"}, "Etc/GMT+5"),
        ({"opens_at": "18:00", "timezone": "3"}, "Etc/GMT-3"),
    ],
)
def test_schedule_zones(schedule: dict[str, Any], zone: str) -> None:
    schedules, _problems = one_schedule({"byday": "MO", **schedule})
    assert [s.timezone for s in schedules] == [zone]


def test_schedule_without_dtstart_starts_on_the_service_date() -> None:
    schedules, _problems = one_schedule(
        {"byday": "TU", "opens_at": "18:00"}, last_modified="2026-03-15T10:30:45.123Z"
    )
    assert schedules[0].dtstart == dt.date(2026, 3, 15)
    schedules, _problems = one_schedule(
        {"byday": "TU", "opens_at": "18:00", "valid_from": "2026-08-17"}
    )
    assert schedules[0].dtstart == dt.date(2026, 8, 17)


@pytest.mark.parametrize(
    ("schedule", "reason"),
    [
        ({"freq": "YEARLY", "opens_at": "10:00"}, "freq «YEARLY» kan ikke brukes"),
        ({"byday": "MO"}, "mangler klokkeslett i opens_at"),
        ({"byday": "MO", "opens_at": "25:00"}, "klokkeslettet «25:00» i opens_at kunne ikke leses"),
        ({"byday": "MO", "opens_at": "kl 18"}, "klokkeslettet «kl 18» i opens_at"),
        ({"byday": "XX", "opens_at": "10:00"}, "ukedagen «XX» i byday finnes ikke"),
        (
            {"freq": "WEEKLY", "byday": "2MO", "opens_at": "10:00"},
            "«2MO» i byday passer bare med freq MONTHLY",
        ),
        (
            {"freq": "WEEKLY", "byday": "MO", "interval": 2, "opens_at": "10:00"},
            "interval krever en startdato",
        ),
        (
            {"byday": "MO", "interval": "annenhver", "dtstart": "2026-01-05", "opens_at": "10:00"},
            "interval må være et helt tall",
        ),
        (
            {"byday": "MO", "dtstart": "5. januar", "opens_at": "10:00"},
            "datoen «5. januar» i dtstart",
        ),
        ({"opens_at": "10:00"}, "mangler dag"),
        (
            {"freq": "MONTHLY", "byday": "1MO", "bymonthday": "3", "opens_at": "10:00"},
            "byday og bymonthday",
        ),
        ({"byday": "MO", "opens_at": "10:00", "timezone": 5.5}, "tidssonen 330 minutter"),
        ({"byday": "MO", "opens_at": "10:00", "timezone": 1e308}, "tidssonen «1e+308»"),
        (
            {"byday": "MO", "dtstart": "2026-01-05", "until": "2025-12-01", "opens_at": "10:00"},
            "slutter (until eller valid_to) før den begynner",
        ),
    ],
)
def test_schedules_the_model_cannot_express_are_dropped(
    schedule: dict[str, Any], reason: str
) -> None:
    schedules, problems = one_schedule({"id": "h1", **schedule})
    assert schedules == []
    assert len(problems) == 1
    assert problems[0].startswith("en åpningstid kunne ikke leses: " + reason)
    assert problems[0].endswith("(schedule h1). Resten av tjenesten er tatt med.")


def test_good_schedules_stay_when_one_is_dropped() -> None:
    records, errors = split(
        records_from_services(
            [
                {
                    "id": "s1",
                    "name": "Kvinnegruppe",
                    "schedules": [
                        {"id": "ok", "byday": "TH", "opens_at": "12:00"},
                        {"id": "bad", "freq": "YEARLY", "opens_at": "12:00"},
                    ],
                }
            ]
        )
    )
    assert [s.rrule for s in records[0].schedules] == ["FREQ=WEEKLY;BYDAY=TH"]
    assert [e.where for e in errors] == ["service s1"]


def test_schedules_come_from_the_nearest_level() -> None:
    own = {"id": "own", "byday": "MO", "opens_at": "17:00"}
    at_location = {"id": "sal", "byday": "WE", "opens_at": "18:00"}
    location_hours = {"id": "loc", "byday": "MO,TU,WE,TH,FR", "opens_at": "08:00"}
    service: dict[str, Any] = {
        "id": "s1",
        "name": "N",
        "schedules": [own],
        "service_at_locations": [
            {"schedules": [at_location], "location": {"id": "l1", "schedules": [location_hours]}}
        ],
    }

    def opening_times() -> list[dt.time]:
        records, _errors = split(records_from_services([service]))
        return [s.opens_at for s in records[0].schedules]

    assert opening_times() == [dt.time(17, 0)]
    service["schedules"] = []
    assert opening_times() == [dt.time(18, 0)]
    service["service_at_locations"][0]["schedules"] = []
    assert opening_times() == [dt.time(8, 0)]


def test_single_dates_make_an_event_and_no_schedule_an_offer() -> None:
    records, _errors = split(
        records_from_services(
            [
                {
                    "id": "e",
                    "name": "Sommerfest",
                    "schedules": [{"dtstart": "2026-06-20", "opens_at": "14:00"}],
                },
                {"id": "o", "name": "Uten tider"},
            ]
        )
    )
    assert [(r.kind, len(r.schedules)) for r in records] == [
        (ListingKind.EVENT, 1),
        (ListingKind.OFFER, 0),
    ]


# --- the API -----------------------------------------------------------------------------


class Api:
    """What the test server answers: two pages of services and each in full by id."""

    def __init__(self) -> None:
        full = example("service_full.json")
        listed = example("service_list.json")["contents"][0]
        second = {**listed, "id": "b2", "name": "Leksehjelp"}
        gone = {**listed, "id": "gone", "name": "Borte"}
        already_full = {**copy.deepcopy(full), "id": "c3", "name": "Norsktrening"}
        self.pages = {
            1: {
                "total_items": 4,
                "total_pages": 2,
                "page_number": 1,
                "size": 2,
                "first_page": True,
                "last_page": False,
                "empty": False,
                "contents": [listed, second],
            },
            2: {
                "total_items": 4,
                "total_pages": 2,
                "page_number": 2,
                "size": 2,
                "first_page": False,
                "last_page": True,
                "empty": False,
                "contents": [gone, already_full],
            },
        }
        self.services = {
            SERVICE_ID: full,
            "b2": {**copy.deepcopy(full), "id": "b2", "name": "Leksehjelp"},
        }
        self.requests: list[str] = []
        self.ignore_page = False


@pytest.fixture
def api() -> Iterator[tuple[str, Api]]:
    """A local HSDS API in a thread; yields its base URL and what it serves."""
    state = Api()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            parts = urlsplit(self.path)
            body: Any = None
            if parts.path == "/api/services":
                page = 1 if state.ignore_page else int(parse_qs(parts.query)["page"][0])
                body = state.pages.get(page, {"contents": [], "empty": True})
                if state.ignore_page:
                    body = {"contents": body["contents"]}
            elif parts.path.startswith("/api/services/"):
                body = state.services.get(parts.path.removeprefix("/api/services/"))
            if body is None:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api", state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


LOCAL = functools.partial(fetch, allow_private=True)


def test_api_follows_pages_and_fetches_full_services(api: tuple[str, Api]) -> None:
    base, state = api
    records, errors = split(read_hsds_api(base + "/", fetcher=LOCAL))
    assert [r.external_id for r in records] == [SERVICE_ID, "b2", "c3"]
    assert [r.fields["title"] for r in records] == [
        "Community Counselling",
        "Leksehjelp",
        "Norsktrening",
    ]
    assert records[0].fields == FULL_FIELDS
    assert records[0].venue == VENUE
    assert records[2].organization == ORGANIZATION
    # The service that 404s is one row error; c3 came whole in the list, so no second GET.
    # The full example's schedule is limited to week numbers: one row error each.
    assert [e.where for e in errors] == [f"service {i}" for i in (SERVICE_ID, "b2", "gone", "c3")]
    gone = next(e for e in errors if e.where == "service gone")
    assert gone.message.startswith(f"{base}/services/gone svarte 404")
    assert state.requests == [
        "/api/services?page=1",
        f"/api/services/{SERVICE_ID}",
        "/api/services/b2",
        "/api/services?page=2",
        "/api/services/gone",
    ]


def test_api_keeps_the_base_query_and_accepts_a_services_url(api: tuple[str, Api]) -> None:
    base, state = api
    list(read_hsds_api(base + "/services?key=abc", fetcher=LOCAL))
    assert state.requests[0] == "/api/services?key=abc&page=1"
    assert state.requests[1] == f"/api/services/{SERVICE_ID}?key=abc"


def test_api_that_ignores_the_page_stops_when_nothing_is_new(api: tuple[str, Api]) -> None:
    base, state = api
    state.ignore_page = True
    records, _errors = split(read_hsds_api(base, fetcher=LOCAL))
    assert [r.external_id for r in records] == [SERVICE_ID, "b2"]
    assert [p for p in state.requests if "page=" in p] == [
        "/api/services?page=1",
        "/api/services?page=2",
    ]


def test_api_list_that_cannot_be_read_is_a_file_error(api: tuple[str, Api]) -> None:
    base, _state = api
    with pytest.raises(FileError, match=r"/elsewhere/services\?page=1 svarte 404"):
        list(read_hsds_api(base.replace("/api", "/elsewhere"), fetcher=LOCAL))


def test_api_refuses_internal_addresses_by_default(api: tuple[str, Api]) -> None:
    base, state = api
    with pytest.raises(FileError, match="intern adresse"):
        list(read_hsds_api(base))
    assert state.requests == []
