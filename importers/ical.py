"""Reading iCalendar (.ics) files into records: one per event UID, its times as schedules.

Times end up as local wall-clock times in one zone per event, as the schedule model wants:
the event's own TZID when it is an IANA zone, else the calendar's X-WR-TIMEZONE, else the
default zone (UTC and floating times are moved there). Moved or cancelled instances
(RECURRENCE-ID) become an EXDATE on the series plus, unless cancelled, a one-off schedule.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import suppress
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from icalendar import BrokenCalendarProperty, Calendar, Component, vRecur
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from directory.i18n import _
from directory.listings.models import ListingKind
from directory.markup import html_to_text
from directory.schedules.recurrence import RecurrenceError, month_days_fit, parse_rrule
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

CANCELLED = "CANCELLED"
# The schedule model occurs at most once a day, at one time (EXDATEs are dates).
TOO_FREQUENT = {"SECONDLY", "MINUTELY", "HOURLY"}
TIME_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "EXDATE", "RDATE")
# RFC 5545 value ranges; dateutil loops forever on INTERVAL=0 and the like.
RULE_RANGES = {
    "INTERVAL": (1, 10_000),
    "COUNT": (1, 100_000),
    "BYMONTH": (1, 12),
    "BYMONTHDAY": (-31, 31),
    "BYYEARDAY": (-366, 366),
    "BYWEEKNO": (-53, 53),
    "BYSETPOS": (-366, 366),
}
BYDAY = re.compile(r"^([+-]?)(\d{0,2})(MO|TU|WE|TH|FR|SA|SU)$")
POSTAL = re.compile(r"^(\d{4})\s+(\S.*)$")
COUNTRIES = {"norge", "norway", "noreg", "norga"}
# Google Calendar puts the calendar's own address in ORGANIZER; nobody reads that inbox.
MACHINE_MAIL = ("calendar.google.com",)

LocalTime = dt.datetime | dt.date  # naive wall-clock datetime, or a date


class _UnreadableError(Exception):
    """An event we cannot take; the message is for the coordinator."""


def read_ics(data: bytes, default_timezone: str = "Europe/Oslo") -> Reader:
    """Records from an iCalendar file: one per UID, with RowErrors for unreadable events."""
    calendars = _parse(data)
    return _records(calendars, default_timezone)


def _parse(data: bytes) -> list[Component]:
    not_a_calendar = _("Filen er ikke en kalender (iCalendar/.ics).")
    try:
        components = Calendar.from_ical(data.removeprefix(b"\xef\xbb\xbf"), multiple=True)
    except (ValueError, TypeError, UnicodeDecodeError, IndexError, KeyError) as error:
        raise FileError(not_a_calendar) from error
    calendars: list[Component] = [c for c in components if c.name == "VCALENDAR"]
    if not calendars:
        raise FileError(not_a_calendar)
    return calendars


def _records(calendars: list[Component], default_timezone: str) -> Iterator[Item]:
    for calendar in calendars:
        wanted = str(calendar.get("X-WR-TIMEZONE", "")).strip()
        zone = _iana(wanted) or _iana(default_timezone) or "Europe/Oslo"
        yield from _calendar_records(calendar, zone)


def _calendar_records(calendar: Component, zone: str) -> Iterator[Item]:
    masters: dict[str, Component] = {}
    overrides: dict[str, list[Component]] = {}
    order: list[str] = []
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        uid = str(event.get("UID", "")).strip()
        if not uid:
            yield RowError(
                _("VEVENT nr. %(number)s", number=number),
                _(
                    "«%(title)s» har ingen UID, så den kan ikke oppdateres senere. "
                    "Be den som lager kalenderen om å ta med UID.",
                    title=_text(event, "SUMMARY") or "?",
                ),
            )
            continue
        if uid not in masters and uid not in overrides:
            order.append(uid)
        if "RECURRENCE-ID" in event:
            overrides.setdefault(uid, []).append(event)
        elif uid in masters:
            yield RowError(
                f"VEVENT {uid}",
                _("Samme UID står to ganger i kalenderen. Bare den første er tatt med."),
            )
        else:
            masters[uid] = event
    for uid in order:
        yield from _record(uid, masters.get(uid), overrides.get(uid, []), zone)


def _record(
    uid: str, master: Component | None, overrides: list[Component], zone: str
) -> Iterator[Item]:
    where = f"VEVENT {uid}"
    main = master if master is not None else overrides[0]
    try:
        record = _describe(uid, where, main)
        series = _series(master, zone) if master is not None else None
    except (_UnreadableError, BrokenCalendarProperty, OverflowError) as problem:
        yield RowError(where, _message(problem))
        return
    record.kind = ListingKind.OFFER if series and series.rrule else ListingKind.EVENT
    if series is not None:
        record.schedules.append(series)
        record.cancelled = _status(master) == CANCELLED
    for override in overrides:
        try:
            instance = _when(override, zone)
            original = _local(override.get("RECURRENCE-ID").dt, series.timezone if series else zone)
        except (_UnreadableError, BrokenCalendarProperty, OverflowError) as problem:
            yield RowError(where, _message(problem))
            continue
        if series is not None:
            # EXDATEs are by local date: a schedule occurs at most once a day.
            day = _day(original).isoformat()
            if day not in series.exdates:
                series.exdates.append(day)
        if _status(override) != CANCELLED:
            record.schedules.append(instance)
    if not record.schedules:
        return  # every instance of an orphaned series was cancelled: nothing to list
    yield record


def _message(problem: Exception) -> str:
    if isinstance(problem, _UnreadableError):
        return str(problem)
    return _("En verdi i hendelsen kan ikke leses. Lagre hendelsen på nytt i kalenderen.")


def _describe(uid: str, where: str, event: Component) -> Record:
    """The listing part of an event: title, text, links, place, organizer, categories."""
    title = _text(event, "SUMMARY")
    if not title:
        raise _UnreadableError(
            _("Hendelsen har ingen tittel (SUMMARY). Gi den en tittel i kalenderen.")
        )
    fields: dict[str, Any] = {"title": title}
    if description := html_to_text(_text(event, "DESCRIPTION")):
        fields["description"] = description
    if _is_web(url := _text(event, "URL")):
        fields["online_url"] = url
    location = _text(event, "LOCATION")
    venue = None
    if _is_web(location):
        fields.setdefault("online_url", location)  # an online meeting, not a place
    elif location:
        venue = _venue(location, event.get("GEO"))
    organization = None
    organizer = event.get("ORGANIZER")
    if isinstance(organizer, list):  # several: the first one counts
        organizer = organizer[0] if organizer else None
    if organizer is not None:
        email = _mail(str(organizer))
        name = str(organizer.params.get("CN", "")).strip().strip('"')
        if email:
            fields["contact_email"] = email
        if name and name.lower() != email.lower():
            organization = OrganizationData(name=name, email=email)
    categories = [str(c).strip() for c in _categories(event)]
    return Record(
        external_id=uid,
        where=where,
        fields=fields,
        categories=[c for c in categories if c],
        venue=venue,
        organization=organization,
    )


def _series(event: Component, zone: str) -> ScheduleData:
    """The master event's schedule: its first time, RRULE, RDATEs and EXDATEs."""
    schedule = _when(event, zone)
    local_zone = schedule.timezone
    rule = event.get("RRULE")
    if rule is not None:
        schedule.rrule, schedule.valid_to = _rule(event, rule, schedule)
    for value in _values(event.get("EXDATE")):
        day = _day(_local(value, local_zone)).isoformat()
        if day not in schedule.exdates:
            schedule.exdates.append(day)
    for value in _values(event.get("RDATE")):
        start = value[0] if isinstance(value, tuple) else value  # a PERIOD: its start
        local = _local(start, local_zone)
        if not isinstance(local, dt.datetime):
            local = dt.datetime.combine(local, schedule.opens_at)
        schedule.rdates.append(_iso(local))
    return schedule


def _when(event: Component, zone: str) -> ScheduleData:
    """Start, end and zone of one event as a single occurrence."""
    for name, _error in event.errors:
        if name in TIME_PROPERTIES:
            raise _UnreadableError(
                _(
                    "Tidspunktet i %(name)s kan ikke leses. Rett dato og klokkeslett for "
                    "hendelsen i kalenderen.",
                    name=name,
                )
            )
    start_property = event.get("DTSTART")
    if start_property is None:
        raise _UnreadableError(
            _("Hendelsen mangler starttid (DTSTART). Legg inn dato og klokkeslett i kalenderen.")
        )
    value = start_property.dt
    local_zone = _zone_of(value, start_property.params.get("TZID"), zone)
    start = _local(value, local_zone)
    end = _end(event, start, local_zone)
    if not isinstance(start, dt.datetime):
        days = (end - start).days if isinstance(end, dt.date) else 1
        return ScheduleData(
            dtstart=start,
            opens_at=dt.time(0),
            all_day=True,
            span_days=max(days - 1, 0),
            timezone=local_zone,
        )
    schedule = ScheduleData(dtstart=start.date(), opens_at=start.time(), timezone=local_zone)
    if isinstance(end, dt.datetime) and end > start:
        days = (end.date() - start.date()).days
        overnight = days == 1 and end.time() < start.time()
        schedule.closes_at = end.time()
        schedule.span_days = 0 if overnight else days
    return schedule


def _end(event: Component, start: LocalTime, zone: str) -> LocalTime | None:
    if (end_property := event.get("DTEND")) is not None:
        end = _local(end_property.dt, zone)
    elif (duration := event.get("DURATION")) is not None and isinstance(duration.dt, dt.timedelta):
        # Wall-clock arithmetic: a "P1D" event ends at the same local time the next day.
        end = start + duration.dt
    else:
        return None
    if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
        end = end.date() if isinstance(end, dt.datetime) else dt.datetime.combine(end, dt.time(0))
    return end


def _rule(event: Component, rule: Any, schedule: ScheduleData) -> tuple[str, dt.date | None]:
    """The RRULE text for the schedule model, with UNTIL moved into a last date."""
    if isinstance(rule, list):
        raise _UnreadableError(
            _("Hendelsen har flere gjentakelsesregler (RRULE). Del den i én hendelse per regel.")
        )
    text = rule.to_ical().decode() if hasattr(rule, "to_ical") else str(rule)
    bad_rule = _(
        "Gjentakelsen «%(rule)s» kan ikke leses. Skriv den for eksempel som "
        "FREQ=WEEKLY;BYDAY=TU (hver tirsdag).",
        rule=text.replace("\\", ""),
    )
    if not isinstance(rule, vRecur) or any(name == "RRULE" for name, _m in event.errors):
        raise _UnreadableError(bad_rule)
    freq = str((rule.get("FREQ") or [""])[0]).upper()
    if freq in TOO_FREQUENT or not _same_time_of_day(rule, schedule.opens_at):
        raise _UnreadableError(
            _(
                "Gjentakelsen «%(rule)s» gjentar seg flere ganger om dagen. Lag heller "
                "én hendelse per klokkeslett.",
                rule=text,
            )
        )
    if not _in_range(rule):
        raise _UnreadableError(bad_rule)
    # UNTIL goes into valid_to: dateutil refuses a UTC UNTIL next to a local start.
    until = (rule.get("UNTIL") or [None])[0]
    # Any: icalendar leaves vRecur.to_ical untyped.
    kept: Any = vRecur({name: value for name, value in rule.items() if name != "UNTIL"})
    value = kept.to_ical().decode()
    first = dt.datetime.combine(schedule.dtstart, schedule.opens_at)
    try:
        parts = parse_rrule(value)
        dates = rrulestr(value, dtstart=first)
    except (RecurrenceError, ValueError, TypeError) as error:
        raise _UnreadableError(bad_rule) from error
    # 30 February never comes; dateutil would look for it until the year 9999.
    if not month_days_fit(parts) or dates.after(first, inc=True) is None:
        raise _UnreadableError(
            _("Gjentakelsen «%(rule)s» gir ingen datoer. Sjekk dagene i regelen.", rule=text)
        )
    last = _last_day(until, schedule) if until is not None else None
    if last is not None and last < schedule.dtstart:
        raise _UnreadableError(
            _("Gjentakelsen «%(rule)s» slutter (UNTIL) før den begynner (DTSTART).", rule=text)
        )
    return value, last


def _same_time_of_day(rule: vRecur, opens_at: dt.time) -> bool:
    """Whether BYHOUR, BYMINUTE and BYSECOND, if any, only repeat the start time."""
    start = {"BYHOUR": opens_at.hour, "BYMINUTE": opens_at.minute, "BYSECOND": opens_at.second}
    try:
        return all(
            [int(v) for v in rule.get(name, [value])] == [value] for name, value in start.items()
        )
    except (TypeError, ValueError):
        return False


def _in_range(rule: vRecur) -> bool:
    """Whether every number in the rule is one RFC 5545 allows."""
    try:
        for name, (low, high) in RULE_RANGES.items():
            for number in rule.get(name, []):
                if not low <= int(number) <= high or int(number) == 0:
                    return False
        for day in rule.get("BYDAY", []):
            match = BYDAY.match(str(day).upper())
            if match is None or (match.group(2) and not 1 <= int(match.group(2)) <= 53):
                return False
    except (TypeError, ValueError):
        return False
    return True


def _last_day(until: dt.date | dt.datetime, schedule: ScheduleData) -> dt.date:
    """The last local date a series may occur on, from its UNTIL."""
    local = _local(until, schedule.timezone)
    if not isinstance(local, dt.datetime):
        return local
    if schedule.all_day or local.time() >= schedule.opens_at:
        return local.date()
    return local.date() - dt.timedelta(days=1)  # UNTIL falls before that day's start


def _zone_of(value: Any, tzid: Any, calendar_zone: str) -> str:
    """The zone an event's times are kept in (see the module docstring)."""
    if not isinstance(value, dt.datetime) or (value.tzinfo is not None and _is_utc(value)):
        return calendar_zone
    key = getattr(value.tzinfo, "key", None)
    name = str(tzid or "").strip().strip('"')
    return _iana(key or "") or _iana(name) or _iana(WINDOWS_TO_OLSON.get(name, "")) or calendar_zone


def _is_utc(value: dt.datetime) -> bool:
    # By name, as X-WR-TIMEZONE handling does: Reykjavik is UTC+0 but its own zone.
    return value.utcoffset() == dt.timedelta(0) and (value.tzname() or "").upper() == "UTC"


@cache
def _iana(name: str) -> str | None:
    """The name if it is a zone in the IANA database, else None."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _local(value: Any, zone: str) -> LocalTime:
    """A date, or the wall-clock time in ``zone`` (floating times are taken as they are)."""
    if isinstance(value, dt.datetime):
        moment: dt.datetime = value
        if moment.tzinfo is not None:
            moment = moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        return moment.replace(microsecond=0)
    if isinstance(value, dt.date):
        return value
    raise _UnreadableError(_("Et tidspunkt i hendelsen kan ikke leses. Bruk dato og klokkeslett."))


def _day(value: LocalTime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds" if value.second else "minutes")


def _values(prop: Any) -> list[Any]:
    """The dates of an EXDATE or RDATE property, which may come several times."""
    lists = prop if isinstance(prop, list) else [prop] if prop is not None else []
    return [item.dt for group in lists for item in getattr(group, "dts", [])]


def _categories(event: Component) -> list[Any]:
    prop = event.get("CATEGORIES")
    lists = prop if isinstance(prop, list) else [prop] if prop is not None else []
    return [c for group in lists for c in getattr(group, "cats", [])]


def _text(event: Component, name: str) -> str:
    value = event.get(name)
    if isinstance(value, list):  # repeated properties: the first one counts
        value = value[0] if value else None
    return str(value).strip() if value is not None else ""


def _status(event: Component | None) -> str:
    return _text(event, "STATUS").upper() if event is not None else ""


def _is_web(text: str) -> bool:
    return text.lower().startswith(("http://", "https://")) and " " not in text


def _mail(address: str) -> str:
    if not address.lower().startswith("mailto:"):
        return ""
    email = address[len("mailto:") :].strip()
    if "@" not in email or email.lower().endswith(MACHINE_MAIL):
        return ""
    return email


def _venue(location: str, geo: Any) -> VenueData | None:
    """A place from LOCATION: its name, then a comma-separated address if one follows."""
    lines = [line.strip(" ,") for line in location.splitlines() if line.strip(" ,")]
    if not lines:
        return None
    name, rest = lines[0], lines[1:]
    if not rest:
        name, *rest = (part.strip() for part in lines[0].split(",") if part.strip())
    parts = [p.strip() for line in rest for p in line.split(",") if p.strip()]
    venue = VenueData(name=name)
    street = []
    for part in parts:
        if match := POSTAL.match(part):
            venue.postal_code, venue.postal_place = match.group(1), match.group(2)
        elif part.lower() not in COUNTRIES:
            street.append(part)
    venue.street_address = ", ".join(street)
    # No GEO, or one we cannot read: the pipeline can look the address up instead.
    with suppress(AttributeError, TypeError, ValueError, BrokenCalendarProperty):
        venue.latitude, venue.longitude = float(geo.latitude), float(geo.longitude)
    return venue
