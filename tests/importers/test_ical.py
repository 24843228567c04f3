"""The iCalendar reader: records, schedules, and occurrences equal to recurring-ical-events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events  # type: ignore[import-untyped]  # ships no type hints
from flask import Flask
from flask_babel import force_locale

from directory.listings.models import ListingKind
from directory.schedules.describe import describe_schedule
from directory.schedules.models import Schedule
from directory.schedules.recurrence import occurrences
from importers.ical import read_ics
from importers.records import FileError, Record, RowError, ScheduleData

FIXTURES = Path(__file__).parent / "fixtures" / "ical"
OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC
# About a year; no fixture event straddles either end (recurring-ical-events also returns
# occurrences that started before the window, ours only those starting in it).
WINDOW = (dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC))

Span = tuple[dt.datetime, dt.datetime | None]


def read(name: str) -> list[Record | RowError]:
    return list(read_ics((FIXTURES / name).read_bytes()))


def records(name: str) -> dict[str, Record]:
    return {item.external_id: item for item in read(name) if isinstance(item, Record)}


def only(name: str) -> Record:
    (record,) = records(name).values()
    return record


def transient(data: ScheduleData) -> Schedule:
    """A Schedule as the pipeline would store it, without a database."""
    return Schedule(
        dtstart=data.dtstart,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        rrule=data.rrule,
        rdates=data.rdates,
        exdates=data.exdates,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        timezone=data.timezone,
        skip_public_holidays=data.skip_public_holidays,
        span_days=data.span_days,
        all_day=data.all_day,
        breaks=[],
    )


def ours(record: Record, start: dt.datetime, end: dt.datetime) -> list[Span]:
    """What our schedule model makes of a record: (start, end) in UTC, in time order."""
    found = [
        (occ.start.astimezone(UTC), occ.end.astimezone(UTC) if occ.end else None)
        for data in record.schedules
        for occ in occurrences(transient(data), start, end)
    ]
    return sorted(found, key=lambda span: span[0])


def _aware(value: dt.date, zone: ZoneInfo) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(0), tzinfo=zone)
    return value if value.tzinfo else value.replace(tzinfo=zone)


def theirs(data: bytes, record: Record, start: dt.datetime, end: dt.datetime) -> list[Span]:
    """What recurring-ical-events makes of the same UID: (start, end) in UTC, in time order."""
    calendar = icalendar.Calendar.from_ical(data)
    # Only this UID's components: the library stops at a broken neighbour (no DTSTART).
    calendar.subcomponents = [
        c
        for c in calendar.subcomponents
        if c.name != "VEVENT" or str(c.get("UID")) == record.external_id
    ]
    # Dates and floating times (no X-WR-TIMEZONE) are local to the zone the reader chose.
    zone = ZoneInfo(record.schedules[0].timezone)
    found: list[Span] = []
    for event in recurring_ical_events.of(calendar).between(start, end):
        if not record.cancelled and str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue  # a cancelled instance; a cancelled series keeps its dates (archived)
        begins = _aware(event["DTSTART"].dt, zone).astimezone(UTC)
        ends = _aware(event["DTEND"].dt, zone).astimezone(UTC) if "DTEND" in event else None
        found.append((begins, None if ends == begins else ends))
    return sorted(found, key=lambda span: span[0])


def assert_same_occurrences(name: str) -> list[Span]:
    """Every record of a fixture occurs exactly when recurring-ical-events says it does."""
    data = (FIXTURES / name).read_bytes()
    found = records(name)
    assert found, name
    every: list[Span] = []
    for record in found.values():
        expected = theirs(data, record, *WINDOW)
        assert expected, record.external_id  # the fixture says something in the window
        assert ours(record, *WINDOW) == expected, record.external_id
        every += expected
    return every


ALL_FIXTURES = sorted(path.name for path in FIXTURES.glob("*.ics"))


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_occurrences_match_recurring_ical_events(name: str) -> None:
    assert_same_occurrences(name)


def test_every_fixture_is_compared() -> None:
    assert len(ALL_FIXTURES) >= 14


def local(span: Span) -> dt.datetime:
    return span[0].astimezone(OSLO)


def test_weekly_stays_at_six_across_both_dst_changes() -> None:
    record = only("weekly_dst.ics")
    (schedule,) = record.schedules
    assert record.kind is ListingKind.OFFER
    assert (schedule.rrule, schedule.timezone) == ("FREQ=WEEKLY;BYDAY=TH", "Europe/Oslo")
    # UNTIL 23:59:59Z on 17 December is 00:59 on the 18th in Oslo, before that day's 18:00.
    assert schedule.valid_to == dt.date(2026, 12, 17)
    spans = assert_same_occurrences("weekly_dst.ics")
    assert {local(s).time() for s in spans} == {dt.time(18, 0)}
    by_day = {local(s).date(): s[0].hour for s in spans}
    # Summer time from Sunday 29 March to Sunday 25 October 2026.
    assert by_day[dt.date(2026, 3, 26)] == 17
    assert by_day[dt.date(2026, 4, 2)] == 16
    assert by_day[dt.date(2026, 10, 22)] == 16
    assert by_day[dt.date(2026, 10, 29)] == 17
    assert max(by_day) == dt.date(2026, 12, 17)
    assert len(spans) == 50


def test_listing_fields_from_the_event() -> None:
    record = only("weekly_dst.ics")
    assert record.external_id == "spraakkafe-torsdag@frivilligsentralen.example"
    assert record.where == "VEVENT spraakkafe-torsdag@frivilligsentralen.example"
    assert record.fields == {
        "title": "Språkkafé på biblioteket",
        "description": "Øv på norsk med frivillige.\nGratis, ingen påmelding.",
        "online_url": "https://frivilligsentralen.example/spraakkafe",
        "contact_email": "post@frivilligsentralen.example",
    }
    assert record.categories == ["Språkkafé", "Norsktrening", "Voksne"]
    assert record.venue is not None
    assert record.venue.name == "Deichman Grünerløkka"
    assert record.venue.street_address == "Schleppegrells gate 16"
    assert (record.venue.postal_code, record.venue.postal_place) == ("0556", "Oslo")
    assert (record.venue.latitude, record.venue.longitude) == (59.9236, 10.759)
    assert record.organization is not None
    assert record.organization.name == "Grünerløkka frivilligsentral"
    assert record.organization.email == "post@frivilligsentralen.example"
    assert not record.cancelled


def test_an_override_moves_one_instance() -> None:
    record = only("override_moved.ics")
    series, moved, later = record.schedules
    assert series.exdates == ["2026-04-14", "2026-05-05"]
    assert (moved.dtstart, moved.opens_at, moved.closes_at, moved.rrule) == (
        dt.date(2026, 4, 15),
        dt.time(16, 0),
        dt.time(18, 30),
        None,
    )
    assert (later.dtstart, later.opens_at) == (dt.date(2026, 5, 5), dt.time(18, 0))
    days = {local(s).date(): local(s).time() for s in assert_same_occurrences("override_moved.ics")}
    assert dt.date(2026, 4, 14) not in days
    assert days[dt.date(2026, 4, 15)] == dt.time(16, 0)
    assert days[dt.date(2026, 5, 5)] == dt.time(18, 0)
    assert days[dt.date(2026, 4, 21)] == dt.time(17, 0)


def test_a_cancelled_instance_is_left_out() -> None:
    record = only("cancelled_instance.ics")
    (schedule,) = record.schedules
    assert schedule.exdates == ["2026-02-04"]
    days = [local(s).date() for s in assert_same_occurrences("cancelled_instance.ics")]
    assert days[:3] == [dt.date(2026, 1, 7), dt.date(2026, 1, 21), dt.date(2026, 2, 18)]


def test_exdates_in_local_dates_whatever_zone_they_are_written_in() -> None:
    (schedule,) = only("exdate.ics").schedules
    # 2026-04-06T16:00Z is 18:00 in Oslo on the same day.
    assert schedule.exdates == ["2026-02-16", "2026-02-23", "2026-04-06"]
    days = {local(s).date() for s in assert_same_occurrences("exdate.ics")}
    assert dt.date(2026, 2, 9) in days
    assert not days & {dt.date(2026, 2, 16), dt.date(2026, 2, 23), dt.date(2026, 4, 6)}


def test_rdates_make_a_dated_event() -> None:
    record = only("rdate.ics")
    (schedule,) = record.schedules
    assert record.kind is ListingKind.EVENT
    assert schedule.rrule is None
    assert schedule.rdates == ["2026-02-17T09:00", "2026-03-03T09:00", "2026-04-07T09:00"]
    spans = assert_same_occurrences("rdate.ics")
    assert [local(s).date().isoformat() for s in spans] == [
        "2026-02-10",
        "2026-02-17",
        "2026-03-03",
        "2026-04-07",
    ]
    assert {local(s).time() for s in spans} == {dt.time(9, 0)}


def test_utc_times_become_local_times_in_the_default_zone() -> None:
    found = records("utc.ics")
    meeting = found["infomote@kommune.example"].schedules[0]
    assert (meeting.timezone, meeting.opens_at, meeting.closes_at) == (
        "Europe/Oslo",
        dt.time(18, 0),
        dt.time(19, 30),
    )
    walks = found["vinterturer@kommune.example"].schedules[0]
    assert (walks.opens_at, walks.closes_at) == (dt.time(10, 0), dt.time(13, 0))  # DURATION
    assert walks.valid_to == dt.date(2026, 3, 14)
    assert walks.rrule == "FREQ=WEEKLY;BYDAY=SA"
    assert len(assert_same_occurrences("utc.ics")) == 1 + 10


def test_a_utc_series_keeps_its_local_time_across_dst() -> None:
    # By the letter of RFC 5545 a UTC series moves an hour in local time in summer; the
    # organizer meant the local time, and that is what the schedule model can hold.
    data = (FIXTURES / "utc.ics").read_bytes().replace(b"UNTIL=20260314", b"UNTIL=20260418")
    (walks,) = (r for r in read_ics(data) if isinstance(r, Record) and r.kind is ListingKind.OFFER)
    spans = ours(walks, *WINDOW)
    assert {local(s).time() for s in spans} == {dt.time(10, 0)}
    assert local(spans[-1]).date() == dt.date(2026, 4, 18)


def test_floating_times_are_read_in_the_calendars_zone() -> None:
    record = only("floating.ics")
    (schedule,) = record.schedules
    assert (schedule.timezone, schedule.opens_at) == ("Europe/London", dt.time(19, 0))
    assert schedule.rrule == "FREQ=WEEKLY;COUNT=20;BYDAY=TU"
    spans = assert_same_occurrences("floating.ics")
    assert len(spans) == 20
    london = ZoneInfo("Europe/London")
    assert {s[0].astimezone(london).time() for s in spans} == {dt.time(19, 0)}


def test_floating_times_without_a_calendar_zone_use_the_default() -> None:
    data = (FIXTURES / "floating.ics").read_bytes().replace(b"X-WR-TIMEZONE:Europe/London\n", b"")
    (record,) = read_ics(data, default_timezone="Europe/Helsinki")
    assert isinstance(record, Record)
    assert record.schedules[0].timezone == "Europe/Helsinki"
    assert ours(record, *WINDOW) == theirs(data, record, *WINDOW)


def test_a_new_york_event_keeps_its_own_zone() -> None:
    record = only("new_york.ics")
    (schedule,) = record.schedules
    assert (schedule.timezone, schedule.opens_at) == ("America/New_York", dt.time(12, 0))
    assert record.fields["online_url"] == "https://meet.example.org/bedrift"
    assert record.venue is None  # LOCATION was a link: an online event
    spans = assert_same_occurrences("new_york.ics")
    new_york = ZoneInfo("America/New_York")
    assert {s[0].astimezone(new_york).time() for s in spans} == {dt.time(12, 0)}
    # First Tuesdays: 3 February, 3 March (before US summer time on 8 March), 7 April.
    assert [s[0].astimezone(new_york).day for s in spans[:3]] == [3, 3, 7]
    assert [s[0].hour for s in spans[:3]] == [17, 17, 16]


def test_an_all_day_event() -> None:
    record = only("all_day.ics")
    (schedule,) = record.schedules
    assert record.kind is ListingKind.EVENT
    assert (schedule.all_day, schedule.span_days, schedule.opens_at) == (True, 0, dt.time(0))
    ((start, end),) = assert_same_occurrences("all_day.ics")
    assert start == dt.datetime(2026, 5, 17, tzinfo=OSLO)
    assert end == dt.datetime(2026, 5, 18, tzinfo=OSLO)


def test_multi_week_events() -> None:
    found = records("exhibition.ics")
    exhibition = found["utstilling-hjem@museum.example"].schedules[0]
    assert (exhibition.span_days, exhibition.closes_at, exhibition.all_day) == (
        21,
        dt.time(16, 0),
        False,
    )
    festival = found["kulturuker@museum.example"].schedules[0]  # DURATION:P21D, dates
    assert (festival.all_day, festival.span_days) == (True, 20)
    spans = dict(assert_same_occurrences("exhibition.ics"))
    # The exhibition closes at 16:00 summer time, after the clocks changed on 29 March.
    assert spans[dt.datetime(2026, 3, 10, 10, tzinfo=OSLO)] == dt.datetime(
        2026, 3, 31, 16, tzinfo=OSLO
    )
    assert spans[dt.datetime(2026, 9, 1, tzinfo=OSLO)] == dt.datetime(2026, 9, 22, tzinfo=OSLO)


def test_a_daily_series_with_count() -> None:
    (schedule,) = only("daily_count.ics").schedules
    assert schedule.rrule == "FREQ=DAILY;COUNT=5"
    spans = assert_same_occurrences("daily_count.ics")
    assert [local(s).day for s in spans] == [22, 23, 24, 25, 26]


def test_a_cancelled_series_is_marked_for_archiving() -> None:
    record = only("cancelled_master.ics")
    assert record.cancelled
    assert len(assert_same_occurrences("cancelled_master.ics")) == 10


def test_a_broken_event_next_to_a_good_one() -> None:
    items = read("broken.ics")
    errors = [i for i in items if isinstance(i, RowError)]
    assert [e.where for e in errors] == [
        "VEVENT uten-start@example.org",
        "VEVENT rar-regel@example.org",
    ]
    assert "DTSTART" in errors[0].message
    assert "FREQ=WEEKLY;BYDAY=XX" in errors[1].message
    assert "FREQ=WEEKLY;BYDAY=TU" in errors[1].message  # says what to write instead
    (good,) = (i for i in items if isinstance(i, Record))
    assert good.fields["title"] == "Sjakk for alle"


CALENDAR = """BEGIN:VCALENDAR\r
VERSION:2.0\r
{body}END:VCALENDAR\r
"""


def event(*lines: str) -> bytes:
    body = "BEGIN:VEVENT\r\n" + "".join(line + "\r\n" for line in lines) + "END:VEVENT\r\n"
    return CALENDAR.format(body=body).encode()


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"Navn;Tid\nKafe;18:00\n", b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n"],
)
def test_a_file_that_is_not_a_calendar(data: bytes) -> None:
    with pytest.raises(FileError, match="ikke en kalender"):
        read_ics(data)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("FREQ=HOURLY", "flere ganger om dagen"),
        ("FREQ=DAILY;BYHOUR=10,14", "flere ganger om dagen"),
        ("FREQ=WEEKLY;INTERVAL=0", "kan ikke leses"),  # dateutil would loop forever
        ("FREQ=MONTHLY;BYMONTH=13", "kan ikke leses"),
        ("FREQ=WEEKLY;BYDAY=TUE", "kan ikke leses"),
        ("BYDAY=TU", "kan ikke leses"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "gir ingen datoer"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "gir ingen datoer"),  # dateutil: 5 s to say so
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20251201T000000Z", "slutter (UNTIL) før den begynner"),
    ],
)
def test_rules_the_schedule_model_cannot_hold(rule: str, problem: str) -> None:
    data = event("UID:a", "SUMMARY:Kafé", "DTSTART:20260105T180000", f"RRULE:{rule}")
    (error,) = read_ics(data)
    assert isinstance(error, RowError)
    assert problem in error.message


@pytest.mark.parametrize(
    "line",
    ["DTEND:99991231T235959Z", "DURATION:P99999999W", "EXDATE:99991231T235959Z"],
)
def test_dates_at_the_end_of_time_are_row_errors(line: str) -> None:
    data = event("UID:a", "SUMMARY:Kafé", "DTSTART:20260105T180000", line)
    (error,) = read_ics(data)
    assert isinstance(error, RowError)
    assert error.message == (
        "En verdi i hendelsen kan ikke leses. Lagre hendelsen på nytt i kalenderen."
    )


def test_overnight_and_open_ended_times() -> None:
    late = event("UID:a", "SUMMARY:Nattkafé", "DTSTART:20260105T220000", "DTEND:20260106T020000")
    (record,) = read_ics(late)
    assert isinstance(record, Record)
    (schedule,) = record.schedules
    assert (schedule.closes_at, schedule.span_days) == (dt.time(2, 0), 0)
    assert ours(record, *WINDOW) == theirs(late, record, *WINDOW)
    open_ended = event("UID:b", "SUMMARY:Kafé", "DTSTART:20260105T180000")
    (record,) = read_ics(open_ended)
    assert isinstance(record, Record)
    assert record.schedules[0].closes_at is None


def test_events_without_uid_or_title_are_reported() -> None:
    data = event("SUMMARY:Kafé", "DTSTART:20260105T180000")
    (error,) = read_ics(data)
    assert isinstance(error, RowError)
    assert error.where == "VEVENT nr. 1"
    assert "UID" in error.message
    (error,) = read_ics(event("UID:a", "DTSTART:20260105T180000"))
    assert isinstance(error, RowError)
    assert "SUMMARY" in error.message


def test_html_descriptions_become_plain_text() -> None:
    data = event(
        "UID:a",
        "SUMMARY:Kafé",
        "DTSTART:20260105T180000",
        "DESCRIPTION:<b>Velkommen</b><br>Ta med venner &amp; familie.",
    )
    (record,) = read_ics(data)
    assert isinstance(record, Record)
    assert record.fields["description"] == "Velkommen\nTa med venner & familie."


def test_windows_zone_names_are_mapped() -> None:
    data = event(
        "UID:a",
        "SUMMARY:Kafé",
        "DTSTART;TZID=W. Europe Standard Time:20260105T180000",
        "DTEND;TZID=W. Europe Standard Time:20260105T200000",
    )
    (record,) = read_ics(data)
    assert isinstance(record, Record)
    assert record.schedules[0].timezone == "Europe/Berlin"
    assert record.schedules[0].opens_at == dt.time(18, 0)


@pytest.mark.parametrize(
    ("fields", "nb"),
    [
        ({"all_day": True, "span_days": 0}, "Søndag 17. mai 2026, hele dagen"),
        ({"all_day": True, "span_days": 2}, "17.–19. mai 2026"),
        ({"span_days": 20, "closes_at": dt.time(16, 0)}, "17. mai–6. juni 2026 kl. 10:00–16:00"),
        (
            {"span_days": 2, "closes_at": dt.time(9, 0), "rrule": "FREQ=MONTHLY;BYDAY=-1FR"},
            "Siste fredag i måneden kl. 10:00, over 3 dager",
        ),
        ({"all_day": True, "rrule": "FREQ=WEEKLY;BYDAY=SA"}, "Hver lørdag, hele dagen"),
    ],
)
def test_long_and_all_day_schedules_in_words(
    app: Flask, fields: dict[str, object], nb: str
) -> None:
    fields = dict(fields)
    schedule = Schedule(
        dtstart=dt.date(2026, 5, 17),
        opens_at=dt.time(0) if fields.get("all_day") else dt.time(10, 0),
        rrule=fields.pop("rrule", None),
        rdates=[],
        exdates=[],
        breaks=[],
        **fields,
    )
    with app.test_request_context(), force_locale("nb"):
        assert describe_schedule(schedule) == nb


def test_recurring_long_and_all_day_events() -> None:
    found = records("recurring_long.ics")
    camp = found["helgeleir@speider.example"].schedules[0]
    assert (camp.rrule, camp.span_days, camp.closes_at) == (
        "FREQ=MONTHLY;COUNT=6;BYDAY=-1FR",
        2,
        dt.time(15, 0),
    )
    hall = found["aapen-hall@idrett.example"].schedules[0]
    assert (hall.all_day, hall.span_days, hall.valid_to) == (True, 0, dt.date(2026, 3, 28))
    assert hall.exdates == ["2026-02-14"]
    spans = dict(assert_same_occurrences("recurring_long.ics"))
    # The camp over the last weekend of March ends at 15:00 summer time, as it starts in winter.
    assert spans[dt.datetime(2026, 3, 27, 17, tzinfo=OSLO)] == dt.datetime(
        2026, 3, 29, 15, tzinfo=OSLO
    )
    saturdays = [start for start in spans if start.astimezone(OSLO).time() == dt.time(0)]
    assert len(saturdays) == 13 - 1  # 13 Saturdays from 3 January to 28 March, without 14 February


def test_a_time_of_day_part_that_repeats_the_start_is_fine() -> None:
    data = event("UID:a", "SUMMARY:Kafé", "DTSTART:20260105T180000", "RRULE:FREQ=DAILY;BYHOUR=18")
    (record,) = read_ics(data)
    assert isinstance(record, Record)
    assert ours(record, *WINDOW) == theirs(data, record, *WINDOW)


def test_an_override_without_its_series_is_a_dated_event() -> None:
    data = event(
        "UID:a",
        "SUMMARY:Kafé",
        "RECURRENCE-ID:20260105T180000",
        "DTSTART:20260106T180000",
        "DTEND:20260106T200000",
    )
    (record,) = read_ics(data)
    assert isinstance(record, Record)
    assert record.kind is ListingKind.EVENT
    assert [(s.dtstart, s.opens_at) for s in record.schedules] == [
        (dt.date(2026, 1, 6), dt.time(18, 0))
    ]


@pytest.mark.parametrize(
    ("location", "name", "street", "postal"),
    [
        ("Tøyen skole", "Tøyen skole", "", ("", "")),
        ("Huset\nStorgata 1\n9008 Tromsø", "Huset", "Storgata 1", ("9008", "Tromsø")),
        (
            "Kafé Sør, Torget 2, Bygg B, 4610 Kristiansand S",
            "Kafé Sør",
            "Torget 2, Bygg B",
            ("4610", "Kristiansand S"),
        ),
    ],
)
def test_location_as_a_venue(
    location: str, name: str, street: str, postal: tuple[str, str]
) -> None:
    text = location.replace("\n", "\\n").replace(",", "\\,")
    (record,) = read_ics(
        event("UID:a", "SUMMARY:Kafé", "DTSTART:20260105T180000", f"LOCATION:{text}")
    )
    assert isinstance(record, Record)
    assert record.venue is not None
    assert (record.venue.name, record.venue.street_address) == (name, street)
    assert (record.venue.postal_code, record.venue.postal_place) == postal


def test_an_empty_location_is_no_venue() -> None:
    (record,) = read_ics(
        event("UID:a", "SUMMARY:Kafé", "DTSTART:20260105T180000", "LOCATION:\\,\\,")
    )
    assert isinstance(record, Record)
    assert record.venue is None
