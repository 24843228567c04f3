"""Open Referral HSDS 3.0: services from a JSON file, an HSDS API or a tabular data package.

All three end in ``records_from_services``, which maps one fully nested HSDS service
(organization, service_at_locations[].location, schedules, phones, contacts, languages,
cost options, attributes) to a ``Record``. A schedule the schedule model cannot express is
left out with a ``RowError`` for its service; the service itself is still yielded.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import math
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests
from dateutil.rrule import rrulestr

from directory.i18n import _
from directory.listings.models import ListingKind
from directory.markup import html_to_text
from directory.schedules.models import OSLO
from directory.schedules.recurrence import WEEKDAY_CODES, today_in_oslo
from importers.fetch import Fetched, fetch
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

# Column lengths of the listing fields we fill (directory/listings/models.py; a test checks).
FIELD_LIMITS = {
    "title": 200,
    "summary": 200,
    "cost_text": 300,
    "registration_info": 500,
    "eligibility_note": 500,
    "contact_name": 200,
    "contact_phone": 40,
    "contact_email": 254,
    "online_url": 500,
}
NOTES_LIMIT = 500  # Schedule.notes
FREE_WORDS = frozenset(
    {"free", "free of charge", "no charge", "no cost", "gratis", "kostnadsfritt", "ingen kostnad"}
)
MAX_PAGES = 10_000
MAX_TABLE_BYTES = 50_000_000


class _ScheduleError(ValueError):
    """A schedule the schedule model cannot express; the message says why, for people."""


# --- services → records ---------------------------------------------------------------


def records_from_services(services: Iterable[Any]) -> Reader:
    """Map fully nested HSDS 3.0 service objects to Records (and RowErrors)."""
    for service in services:
        yield from _service_items(service)


def _service_items(service: Any) -> Iterator[Item]:
    if not isinstance(service, Mapping):
        yield RowError("service", _("En tjeneste i filen er ikke et JSON-objekt."))
        return
    service_id = _text(service, "id")
    if not service_id:
        name = _text(service, "name") or "?"
        yield RowError(
            f"service «{name}»", _("Tjenesten mangler id. Hver tjeneste må ha en fast id.")
        )
        return
    where = f"service {service_id}"
    if not _text(service, "name"):
        yield RowError(where, _("Tjenesten mangler navn (name)."))
        return
    schedules, problems = _schedules(service)
    single_dates = bool(schedules) and all(s.rrule is None for s in schedules)
    yield Record(
        external_id=service_id,
        where=where,
        kind=ListingKind.EVENT if single_dates else ListingKind.OFFER,
        fields=_fields(service),
        categories=_categories(service),
        languages=_languages(service),
        schedules=schedules,
        venue=_venue(service),
        organization=_organization(service.get("organization")),
        cancelled=_text(service, "status").lower() in ("inactive", "defunct"),
    )
    for problem in problems:
        yield RowError(where, problem, kept=True)


def _fields(service: Mapping[str, Any]) -> dict[str, Any]:
    """Listing fields; title, summary and description always, the rest when the source has them."""
    description = html_to_text(_text(service, "description"))
    fields: dict[str, Any] = {
        "title": _fit(_text(service, "name"), "title"),
        "summary": _summary(description),
        "description": description,
    }
    url = _web_address(_text(service, "url"))
    contacts = _items(service, "contacts")
    first_contact = contacts[0] if contacts else {}
    candidates = {
        "online_url": url,
        "contact_email": _text(service, "email") or _text(first_contact, "email"),
        "contact_phone": _phone(service),
        "contact_name": _text(first_contact, "name"),
        "eligibility_note": _text(service, "eligibility_description"),
        "registration_info": _text(service, "application_process"),
    }
    for name, value in candidates.items():
        fitted = _fit(value, name)
        if fitted:
            fields[name] = fitted
    fields.update(_cost(service))
    for name, key in (("min_age", "minimum_age"), ("max_age", "maximum_age")):
        age = _integer(service, key)
        if age is not None and 0 <= age <= 120:
            fields[name] = age
    if _items(service, "required_documents"):
        fields["no_documents"] = False
    return fields


def _summary(description: str) -> str:
    """The description's first sentence when it fits a card (200 characters), else ""."""
    text = " ".join(description.split())
    match = re.match(r"(.+?[.!?])(?=\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= FIELD_LIMITS["summary"] else ""


def _phone(service: Mapping[str, Any]) -> str:
    """The service's first phone number, else its first contact's, else at its location."""
    owners = [service, *_items(service, "contacts"), *_items(service, "service_at_locations")]
    for owner in owners:
        for phone in _items(owner, "phones"):
            # The official examples quote the number inside the string: "\"+44 1234 234567\"".
            number = _text(phone, "number").strip("\"' ")
            if number:
                return number
    return ""


def _cost(service: Mapping[str, Any]) -> dict[str, Any]:
    """cost_text from fees_description (or the cost options); is_free only when clear."""
    options = _items(service, "cost_options")
    amounts = [a for a in (_number(o, "amount") for o in options) if a is not None]
    # "fees" is deprecated in 3.0 but older feeds still fill only that one.
    text = _text(service, "fees_description") or _text(service, "fees")
    if not text and options:
        text = "; ".join(filter(None, (_cost_option_text(o) for o in options)))
    found: dict[str, Any] = {}
    if text:
        found["cost_text"] = _fit(text, "cost_text")
    if any(a > 0 for a in amounts):
        found["is_free"] = False
    elif (amounts and all(a == 0 for a in amounts)) or _says_free(text):
        found["is_free"] = True
    return found


def _cost_option_text(option: Mapping[str, Any]) -> str:
    amount = _number(option, "amount")
    price = ""
    if amount == 0:
        price = _("gratis")
    elif amount is not None:
        price = " ".join(filter(None, (f"{amount:g}", _text(option, "currency").upper())))
    price = " ".join(filter(None, (price, _text(option, "amount_description"))))
    label = _text(option, "option")
    return f"{label}: {price}" if label and price else label or price


def _says_free(text: str) -> bool:
    """Whether the text, or its first sentence, is just "free" (not "free for members")."""
    lowered = " ".join(text.lower().split())
    first = re.split(r"[.!]\s", lowered, maxsplit=1)[0]
    return any(part.strip(" .!") in FREE_WORDS for part in (lowered, first))


def _categories(service: Mapping[str, Any]) -> list[str]:
    """Taxonomy term names (codes when unnamed) of the service's attributes."""
    terms = [a.get("taxonomy_term") for a in _items(service, "attributes")]
    terms += _items(service, "taxonomy_terms")  # how some 2.x-era APIs nest them
    labels = (_text(t, "name") or _text(t, "code") for t in terms if isinstance(t, Mapping))
    return list(dict.fromkeys(label for label in labels if label))


def _languages(service: Mapping[str, Any]) -> list[str]:
    """Language codes of the service, else of its first location."""
    languages = _items(service, "languages")
    if not languages:
        location = _first_location(service)
        languages = _items(location, "languages") if location else []
    codes = (_text(language, "code").lower() for language in languages)
    return list(dict.fromkeys(code for code in codes if code))


def _organization(organization: Any) -> OrganizationData | None:
    if not isinstance(organization, Mapping) or not _text(organization, "name"):
        return None
    phones = _items(organization, "phones")
    return OrganizationData(
        name=_text(organization, "name"),
        external_id=_text(organization, "id") or None,
        email=_text(organization, "email"),
        phone=_text(phones[0], "number").strip("\"' ") if phones else "",
        website=_web_address(_text(organization, "website")),
        description=_text(organization, "description"),
    )


def _first_location(service: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for at_location in _items(service, "service_at_locations"):
        location = at_location.get("location")
        if isinstance(location, Mapping):
            return location
    return None


def _venue(service: Mapping[str, Any]) -> VenueData | None:
    """The first service_at_location's location, unless it is virtual."""
    location = _first_location(service)
    if location is None or _text(location, "location_type").lower() == "virtual":
        return None
    addresses = [a for a in _items(location, "addresses") if _text(a, "address_type") != "virtual"]
    addresses.sort(key=lambda a: _text(a, "address_type") != "physical")
    address = addresses[0] if addresses else {}
    latitude, longitude = _number(location, "latitude"), _number(location, "longitude")
    # Coordinates off the globe (the official example has latitude 100) are dropped.
    if latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180:
        latitude = longitude = None
    street = _text(address, "address_1")
    return VenueData(
        name=_text(location, "name") or _text(location, "alternate_name") or street,
        street_address=street,
        postal_code=_text(address, "postal_code"),
        postal_place=_text(address, "city"),
        latitude=latitude,
        longitude=longitude,
        external_id=_text(location, "id") or None,
    )


# --- schedules ------------------------------------------------------------------------


def _schedules(service: Mapping[str, Any]) -> tuple[list[ScheduleData], list[str]]:
    """The service's schedules, else those of its first service_at_location or location.

    The nearest level that has any wins: a building's opening hours are only a guess at
    when a service runs, so they are used only when nothing closer says.
    """
    at_locations = _items(service, "service_at_locations")
    location = _first_location(service)
    levels = [
        _items(service, "schedules"),
        _items(at_locations[0], "schedules") if at_locations else [],
        _items(location, "schedules") if location else [],
    ]
    raw = next((level for level in levels if level), [])
    unique = list({_text(s, "id") or str(n): s for n, s in enumerate(raw)}.values())
    fallback = _date_of(_text(service, "last_modified")) or today_in_oslo()
    schedules: list[ScheduleData] = []
    problems: list[str] = []
    for item in unique:
        try:
            schedules.extend(_schedule(item, fallback))
        except _ScheduleError as error:
            problems.append(
                _(
                    "en åpningstid kunne ikke leses: %(reason)s (schedule %(id)s). Resten av "
                    "tjenesten er tatt med.",
                    reason=str(error),
                    id=_text(item, "id") or "uten id",
                )
            )
    return schedules, problems


def _schedule(raw: Mapping[str, Any], fallback_start: dt.date) -> list[ScheduleData]:
    """One HSDS schedule as ScheduleData (several when a month has several set weekdays)."""
    if not _text(raw, "opens_at"):
        raise _ScheduleError(_("mangler klokkeslett i opens_at; skriv for eksempel 18:00"))
    opens, offset = _time(raw, "opens_at")
    closes = _time(raw, "closes_at")[0] if _text(raw, "closes_at") else None
    zone = _zone(offset if offset is not None else _timezone_field(raw))
    given_start = _date(raw, "dtstart")
    valid_from, valid_to, until = (_date(raw, key) for key in ("valid_from", "valid_to", "until"))
    start = given_start or valid_from or fallback_start
    rules: list[str | None] = []
    rules.extend(_rules(raw, given_start) or [])
    if not rules:
        if given_start is None:
            raise _ScheduleError(
                _("mangler dag; skriv ukedager i byday (for eksempel TU) eller en dato i dtstart")
            )
        rules = [None]  # one date, no repeat
    notes = " ".join(filter(None, (_text(raw, "description"), _text(raw, "notes"))))
    count = _integer(raw, "count")
    result = []
    for rule in rules:
        ends = [d for d in (valid_to, until if rule else None) if d]
        if rule and count is not None and count > 0:
            ends.append(_date_of_occurrence(rule, start, opens, count))
        if ends and min(ends) < start:
            raise _ScheduleError(_("slutter (until eller valid_to) før den begynner (dtstart)"))
        result.append(
            ScheduleData(
                dtstart=start,
                opens_at=opens,
                closes_at=closes,
                rrule=rule,
                valid_from=valid_from,
                valid_to=min(ends) if ends else None,
                timezone=zone,
                notes=_shorten(notes, NOTES_LIMIT),
            )
        )
    return result


def _rules(raw: Mapping[str, Any], given_start: dt.date | None) -> list[str] | None:
    """RRULE texts for a schedule, or None for a single date (no freq, no byday)."""
    freq = _text(raw, "freq").upper()
    days = [d.strip().upper() for d in _text(raw, "byday").split(",") if d.strip()]
    monthdays = [d.strip() for d in _text(raw, "bymonthday").split(",") if d.strip()]
    interval = _interval(raw)
    if not freq and not days:
        return None
    freq = freq or "WEEKLY"  # opens_at/closes_at on weekdays is a weekly schedule
    if interval > 1 and given_start is None:
        raise _ScheduleError(
            _(
                "interval krever en startdato i dtstart (for eksempel 2026-01-07), ellers vet vi "
                "ikke hvor rekken begynner"
            )
        )
    plain = [d for d in days if d in WEEKDAY_CODES]
    ordinal = [d for d in days if d not in WEEKDAY_CODES]
    for day in ordinal:
        if not re.fullmatch(r"[+-]?[1-5](MO|TU|WE|TH|FR|SA|SU)", day):
            raise _ScheduleError(
                _("ukedagen «%(day)s» i byday finnes ikke; skriv for eksempel MO,WE", day=day)
            )
    step = f";INTERVAL={interval}" if interval > 1 else ""
    if freq == "DAILY":
        if days and (ordinal or interval > 1):
            raise _ScheduleError(
                _("byday sammen med freq DAILY kan ikke brukes her; bruk freq WEEKLY")
            )
        return [f"FREQ=WEEKLY;BYDAY={','.join(plain)}" if days else f"FREQ=DAILY{step}"]
    if freq == "WEEKLY":
        if ordinal:
            raise _ScheduleError(
                _("«%(day)s» i byday passer bare med freq MONTHLY", day=ordinal[0])
            )
        # HSDS documents byweekno for WEEKLY; "only weeks 41 and 42" has no place in the model.
        if _text(raw, "byweekno"):
            raise _ScheduleError(
                _(
                    "bestemte ukenumre (byweekno) kan ikke brukes; skriv datoene med "
                    "valid_from og valid_to"
                )
            )
        if not plain:
            if given_start is None:
                raise _ScheduleError(_("mangler ukedag; skriv ukedager i byday, for eksempel TU"))
            plain = [WEEKDAY_CODES[given_start.weekday()]]
        start_of_week = _text(raw, "wkst").upper()
        # WKST only changes which weeks an every-other-week rule picks.
        other_start = interval > 1 and start_of_week in WEEKDAY_CODES[1:]
        week = f";WKST={start_of_week}" if other_start else ""
        return [f"FREQ=WEEKLY{step};BYDAY={','.join(plain)}{week}"]
    if freq == "MONTHLY":
        if days and monthdays:
            raise _ScheduleError(_("byday og bymonthday sammen kan ikke brukes; velg én av dem"))
        if plain:
            if interval > 1:
                raise _ScheduleError(
                    _("hver ukedag annenhver måned kan ikke brukes; skriv for eksempel 1MO")
                )
            return [f"FREQ=WEEKLY;BYDAY={','.join(plain)}"]  # every Monday of every month
        if ordinal:
            # One rule per weekday, so each reads plainly ("first Monday", "third Monday").
            return [f"FREQ=MONTHLY{step};BYDAY={day.lstrip('+')}" for day in ordinal]
        for day in monthdays:
            if not re.fullmatch(r"-?(?:[1-9]|[12]\d|3[01])", day):
                raise _ScheduleError(
                    _("dagen «%(day)s» i bymonthday finnes ikke; skriv for eksempel 15", day=day)
                )
        if not monthdays:
            if given_start is None:
                raise _ScheduleError(
                    _("mangler dag i måneden; skriv for eksempel byday 1MO eller bymonthday 15")
                )
            monthdays = [str(given_start.day)]
        return [f"FREQ=MONTHLY{step};BYMONTHDAY={','.join(monthdays)}"]
    raise _ScheduleError(
        _("freq «%(freq)s» kan ikke brukes; skriv WEEKLY, MONTHLY eller DAILY", freq=freq)
    )


def _interval(raw: Mapping[str, Any]) -> int:
    if raw.get("interval") in (None, ""):
        return 1
    interval = _integer(raw, "interval")
    if interval is None or interval < 1:
        raise _ScheduleError(_("interval må være et helt tall, for eksempel 2 for annenhver uke"))
    return interval


def _date_of_occurrence(rule: str, start: dt.date, opens: dt.time, count: int) -> dt.date:
    """The date of the count-th occurrence: HSDS "count" said as the model's valid_to."""
    first = dt.datetime.combine(start, opens)
    occurrences = list(rrulestr(f"{rule};COUNT={min(count, 10_000)}", dtstart=first))
    return occurrences[-1].date() if occurrences else start


TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?")


def _time(raw: Mapping[str, Any], key: str) -> tuple[dt.time, int | None]:
    """A time of day and its UTC offset in minutes, if it carries one ("09:00-05:00")."""
    value = _text(raw, key)
    match = TIME.fullmatch(value.upper())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise _ScheduleError(
            _(
                "klokkeslettet «%(value)s» i %(key)s kunne ikke leses; skriv for eksempel 18:00",
                value=value,
                key=key,
            )
        )
    suffix = match.group(4)
    offset = None
    if suffix == "Z":
        offset = 0
    elif suffix:
        digits = suffix[1:].replace(":", "")
        offset = int(digits[:2]) * 60 + int(digits[2:] or 0)
        offset = -offset if suffix[0] == "-" else offset
    return dt.time(int(match.group(1)), int(match.group(2))), offset


def _timezone_field(raw: Mapping[str, Any]) -> int | None:
    """The schedule's timezone (hours from UTC, HSDS 3.0) in minutes, if given."""
    if raw.get("timezone") in (None, ""):
        return None
    hours = _number(raw, "timezone")
    if hours is None or not -14 <= hours <= 14:  # UTC-12 to UTC+14 are the zones there are
        raise _ScheduleError(
            _(
                "tidssonen «%(value)s» kunne ikke leses; skriv timer fra UTC, for eksempel 1",
                value=_text(raw, "timezone"),
            )
        )
    return round(hours * 60)


def _zone(offset_minutes: int | None) -> str:
    """A zone name for a UTC offset; Norwegian offsets (and none) are Europe/Oslo.

    Norwegian sources that write +01:00 or +02:00 mean local time, which moves with
    daylight saving; other offsets are fixed zones, as the data says.
    """
    if offset_minutes is None or offset_minutes in (60, 120):
        return OSLO
    hours, rest = divmod(offset_minutes, 60)
    if rest or not -12 <= hours <= 14:
        raise _ScheduleError(
            _(
                "tidssonen %(minutes)s minutter fra UTC kan ikke brukes; skriv hele timer",
                minutes=offset_minutes,
            )
        )
    # IANA's Etc zones have the sign turned round: UTC+3 is "Etc/GMT-3".
    return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


def _date(raw: Mapping[str, Any], key: str) -> dt.date | None:
    value = _text(raw, key)
    if not value:
        return None
    found = _date_of(value)
    if found is None:
        raise _ScheduleError(
            _(
                "datoen «%(value)s» i %(key)s kunne ikke leses; skriv for eksempel 2026-03-12",
                value=value,
                key=key,
            )
        )
    return found


def _date_of(value: str) -> dt.date | None:
    """The date of "2026-03-12" or "2026-03-12T10:30:45.123Z", else None."""
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


# --- small readers of loosely typed JSON ----------------------------------------------


def _text(obj: Any, key: str) -> str:
    """A value as stripped text: strings as they are, numbers written out, else ""."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:g}"
    return ""


def _items(obj: Any, key: str) -> list[Mapping[str, Any]]:
    """The objects of a nested list (a lone object counts as a list of one)."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, Mapping)]
    return []


def _number(obj: Any, key: str) -> float | None:
    """A number, also when written as text (tabular files), with either decimal mark."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _integer(obj: Any, key: str) -> int | None:
    number = _number(obj, key)
    return int(number) if number is not None and number.is_integer() else None


def _web_address(url: str) -> str:
    return url if urlsplit(url).scheme in ("http", "https") else ""


def _fit(value: str, name: str) -> str:
    """A value that fits its listing column: text shortened, addresses and numbers dropped."""
    limit = FIELD_LIMITS.get(name)
    if limit is None or len(value) <= limit:
        return value
    if name in ("online_url", "contact_email", "contact_phone"):
        return ""  # a cut address or number is a wrong one
    return _shorten(value, limit)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


# --- JSON files and the API -----------------------------------------------------------


def read_hsds_json(data: bytes) -> Reader:
    """Services from a JSON file: one service, a list, one API page, or a full organization."""
    yield from records_from_services(_services_in(_parse_json(data, _("Filen"))))


def _services_in(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, Mapping):
        if isinstance(document.get("contents"), list):
            return list(document["contents"])
        if isinstance(document.get("services"), list):
            # A full organization: its services do not repeat it, so hand it down.
            organization = {k: v for k, v in document.items() if k != "services"}
            return [
                {**s, "organization": organization}
                if isinstance(s, Mapping) and "organization" not in s
                else s
                for s in document["services"]
            ]
        if isinstance(document.get("services.csv"), list):  # the package as one JSON
            files = {name: table for table, names in TABLES.items() for name in names}
            return _join_tables({files[k]: v for k, v in document.items() if k in files})
        if "id" in document and "name" in document:
            return [document]
    raise FileError(
        _(
            "Fant ingen tjenester i filen. Vi leser én HSDS-tjeneste, en liste med tjenester "
            "eller én side fra et HSDS-API (med «contents»)."
        )
    )


def _parse_json(data: bytes, source: str) -> Any:
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        raise FileError(
            _(
                "%(source)s er ikke gyldig JSON (feil på linje %(line)s, tegn %(column)s).",
                source=source,
                line=error.lineno,
                column=error.colno,
            )
        ) from None
    except UnicodeDecodeError:
        raise FileError(_("%(source)s er ikke JSON-tekst i UTF-8.", source=source)) from None
    except (RecursionError, ValueError):  # nested too deep, or a number thousands of digits long
        raise FileError(
            _(
                "%(source)s kunne ikke leses: den er for dypt nestet eller har altfor lange tall.",
                source=source,
            )
        ) from None


def read_hsds_api(base_url: str, fetcher: Callable[[str], Fetched] = fetch) -> Reader:
    """Services from an HSDS 3.0 API: every page of /services, each in full from /services/{id}."""
    parts = urlsplit(base_url.strip())
    path = parts.path.rstrip("/").removesuffix("/services")
    base = urlunsplit(parts._replace(path=path))
    with ExitStack() as stack:
        get = fetcher
        if fetcher is fetch:  # one connection for the hundreds of requests that follow
            session = stack.enter_context(requests.Session())
            get = functools.partial(fetch, session=session)
        seen: set[str] = set()
        for page in range(1, MAX_PAGES + 1):
            url = _api_url(base, "/services", page=str(page))
            listing = _parse_json(_content(get(url), url), url)
            contents = listing.get("contents") if isinstance(listing, Mapping) else None
            if not isinstance(contents, list):
                raise FileError(
                    _(
                        "%(url)s svarte ikke med en HSDS-liste over tjenester (mangler "
                        "«contents»). Sjekk at adressen er roten av et HSDS 3.0-API.",
                        url=url,
                    )
                )
            new = 0
            for item in contents:
                service_id = _text(item, "id")
                if not service_id:
                    yield RowError(url, _("En tjeneste i lista mangler id."))
                    continue
                if service_id in seen:
                    continue
                seen.add(service_id)
                new += 1
                yield from _full_service(item, base, service_id, get)
            # A server that ignores ?page repeats itself: stop when a page brings nothing new.
            if new == 0 or _last_page(listing, page):
                return


def _full_service(
    item: Mapping[str, Any], base: str, service_id: str, get: Callable[[str], Fetched]
) -> Reader:
    # List items hold only one-to-one fields; any nested list means the server sent it whole.
    if any(key in item for key in ("service_at_locations", "schedules", "phones", "languages")):
        yield from records_from_services([item])
        return
    url = _api_url(base, "/services/" + quote(service_id, safe=""))
    try:
        service = _parse_json(_content(get(url), url), url)
    except FileError as error:
        yield RowError(f"service {service_id}", str(error), external_id=service_id)
        return
    if not isinstance(service, Mapping):
        yield RowError(
            f"service {service_id}",
            _("%(url)s svarte ikke med en tjeneste.", url=url),
            external_id=service_id,
        )
        return
    yield from records_from_services([service])


def _content(fetched: Fetched, url: str) -> bytes:
    if fetched.content is None:
        raise FileError(_("%(url)s svarte uten innhold.", url=url))
    return fetched.content


def _last_page(listing: Mapping[str, Any], page: int) -> bool:
    """As the HSDS 3.0 Page object says: last_page, empty, or total_pages reached."""
    if listing.get("last_page") is True or listing.get("empty") is True:
        return True
    total = _integer(listing, "total_pages")
    return total is not None and page >= total


def _api_url(base: str, path: str, **query: str) -> str:
    """base + path, keeping any query the base already has (an API key, say)."""
    parts = urlsplit(base)
    params = [*parse_qsl(parts.query, keep_blank_values=True), *query.items()]
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + path, query=urlencode(params)))


# --- the tabular data package ---------------------------------------------------------

# Table name → file names: HSDS 3.0 uses these (see its datapackage.json); older packages
# and hand-made ones use the singular.
TABLES = {
    "service": ("services.csv", "service.csv"),
    "organization": ("organizations.csv", "organization.csv"),
    "location": ("locations.csv", "location.csv"),
    "service_at_location": ("service_at_location.csv", "service_at_locations.csv"),
    "address": ("addresses.csv", "address.csv"),
    "phone": ("phones.csv", "phone.csv"),
    "contact": ("contacts.csv", "contact.csv"),
    "schedule": ("schedules.csv", "schedule.csv"),
    "language": ("languages.csv", "language.csv"),
    "attribute": ("attributes.csv", "attribute.csv"),
    "taxonomy_term": ("taxonomy_terms.csv", "taxonomy_term.csv"),
    "cost_option": ("cost_options.csv", "cost_option.csv"),
    "required_document": ("required_documents.csv", "required_document.csv"),
    "service_area": ("service_areas.csv", "service_area.csv"),
}


def read_hsds_tabular(path_or_zip: str | Path | bytes) -> Reader:
    """Services from an HSDS tabular data package: a folder, a .zip file, or a zip's bytes."""
    files = _package_files(path_or_zip)
    names = _resource_paths(files)
    tables: dict[str, list[dict[str, str]]] = {}
    for table, defaults in TABLES.items():
        for name in (names.get(table), *defaults):
            if name and name in files:
                tables[table] = _csv_rows(files[name](), name)
                break
    if "service" not in tables:
        raise FileError(_("Fant ikke services.csv i pakken. En HSDS-pakke har minst services.csv."))
    yield from _row_problems(tables["service"])
    yield from records_from_services(_join_tables(tables))


def _package_files(source: str | Path | bytes) -> dict[str, Callable[[], bytes]]:
    """The package's files by name, relative to its root, each read on demand."""
    if isinstance(source, bytes):
        return _zip_files(source)
    path = Path(source)
    if path.is_file() and path.name == "datapackage.json":
        path = path.parent
    if path.is_dir():
        return {
            child.relative_to(path).as_posix(): functools.partial(_read_limited, child)
            for child in path.rglob("*")
            if child.is_file() and child.suffix.lower() in (".csv", ".json")
        }
    if path.is_file():
        return _zip_files(_read_limited(path))
    raise FileError(_("Fant ikke %(path)s.", path=str(path)))


def _read_limited(path: Path) -> bytes:
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise FileError(_("%(name)s er for stor til å leses.", name=path.name))
    return path.read_bytes()


def _zip_files(data: bytes) -> dict[str, Callable[[], bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileError(
            _("Filen er ikke en zip-fil. Last opp HSDS-pakken som .zip med CSV-filene i.")
        ) from None
    entries = [i for i in archive.infolist() if not i.is_dir()]
    # The package's root is where datapackage.json or services.csv sits, however deep.
    markers = [
        PurePosixPath(i.filename).parent
        for i in entries
        if PurePosixPath(i.filename).name in ("datapackage.json", "services.csv", "service.csv")
    ]
    root = min(markers, key=lambda p: len(p.parts), default=PurePosixPath())
    files: dict[str, Callable[[], bytes]] = {}
    for info in entries:
        name = PurePosixPath(info.filename)
        if name.parts[: len(root.parts)] == root.parts:
            relative = PurePosixPath(*name.parts[len(root.parts) :]).as_posix()
            files[relative] = functools.partial(_read_entry, archive, info)
    return files


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    # Read at most the limit, whatever the entry claims, so a zip bomb stays small.
    try:
        with archive.open(info) as stream:
            data = stream.read(MAX_TABLE_BYTES + 1)
    except (zipfile.BadZipFile, OSError, NotImplementedError):
        raise FileError(
            _("%(name)s i zip-filen kunne ikke pakkes ut.", name=info.filename)
        ) from None
    if len(data) > MAX_TABLE_BYTES:
        raise FileError(_("%(name)s er for stor til å leses.", name=info.filename))
    return data


def _resource_paths(files: Mapping[str, Callable[[], bytes]]) -> dict[str, str]:
    """Table name → file from datapackage.json, when there is one and it says so."""
    if "datapackage.json" not in files:
        return {}
    try:
        package = json.loads(files["datapackage.json"]())
    except (ValueError, RecursionError):
        raise FileError(_("datapackage.json i pakken er ikke gyldig JSON.")) from None
    resources = package.get("resources") if isinstance(package, Mapping) else None
    paths: dict[str, str] = {}
    for resource in resources if isinstance(resources, list) else []:
        name, path = _text(resource, "name"), _text(resource, "path")
        # Only files inside the package: no URLs, no way up out of the folder.
        if name and path and "://" not in path and ".." not in PurePosixPath(path).parts:
            paths[name] = PurePosixPath(path).as_posix()
    return paths


def _csv_rows(data: bytes, name: str) -> list[dict[str, str]]:
    """Rows as dicts of non-empty cells (an empty cell says nothing), with their line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # saved from Excel on Windows
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            cells = {
                key.strip().lower(): value.strip()
                for key, value in row.items()
                if isinstance(key, str) and isinstance(value, str) and value.strip()
            }
            cells["_line"] = str(reader.line_num)
            rows.append(cells)
    except csv.Error as error:
        raise FileError(
            _(
                "%(name)s kunne ikke leses som CSV (linje %(line)s).",
                name=name,
                line=reader.line_num,
            )
        ) from error
    return rows


def _row_problems(services: list[dict[str, str]]) -> Iterator[RowError]:
    """services.csv lines without an id, or with one used before (they are skipped)."""
    seen: set[str] = set()
    for row in services:
        where = _("services.csv linje %(line)s", line=row.get("_line", "?"))
        if not row.get("id"):
            yield RowError(where, _("Tjenesten mangler id. Fyll inn kolonnen id."))
        elif row["id"] in seen:
            yield RowError(where, _("id «%(id)s» er brukt før i filen.", id=row["id"]))
        seen.add(row.get("id", ""))


def _join_tables(tables: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Nest the package's tables into full service objects, as the API would send them."""

    def rows(table: str) -> list[dict[str, Any]]:
        value = tables.get(table)
        return [dict(r) for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []

    def by(table: str, key: str) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows(table):
            if _text(row, key):
                grouped[_text(row, key)].append(row)
        return grouped

    phones = {
        k: by("phone", k)
        for k in (
            "service_id",
            "organization_id",
            "contact_id",
            "location_id",
            "service_at_location_id",
        )
    }
    contacts = {
        k: by("contact", k)
        for k in ("service_id", "organization_id", "location_id", "service_at_location_id")
    }
    schedules = {
        k: by("schedule", k) for k in ("service_id", "location_id", "service_at_location_id")
    }
    languages = {k: by("language", k) for k in ("service_id", "location_id")}
    terms = {_text(t, "id"): t for t in rows("taxonomy_term")}

    def with_phones(contact: dict[str, Any]) -> dict[str, Any]:
        return {**contact, "phones": phones["contact_id"].get(_text(contact, "id"), [])}

    organizations = {
        _text(o, "id"): {
            **o,
            "phones": phones["organization_id"].get(_text(o, "id"), []),
            "contacts": [
                with_phones(c) for c in contacts["organization_id"].get(_text(o, "id"), [])
            ],
        }
        for o in rows("organization")
    }
    addresses = by("address", "location_id")
    locations = {
        _text(loc, "id"): {
            **loc,
            "addresses": addresses.get(_text(loc, "id"), []),
            "languages": languages["location_id"].get(_text(loc, "id"), []),
            "schedules": schedules["location_id"].get(_text(loc, "id"), []),
            "phones": phones["location_id"].get(_text(loc, "id"), []),
        }
        for loc in rows("location")
    }
    at_locations = by("service_at_location", "service_id")
    attributes = by("attribute", "link_id")
    cost_options = by("cost_option", "service_id")
    documents = by("required_document", "service_id")
    areas = by("service_area", "service_id")

    services: list[dict[str, Any]] = []
    seen: set[str] = set()
    for service in rows("service"):
        service_id = _text(service, "id")
        if not service_id or service_id in seen:
            continue  # reported by _row_problems
        seen.add(service_id)
        services.append(
            {
                **service,
                "organization": organizations.get(_text(service, "organization_id")),
                "phones": phones["service_id"].get(service_id, []),
                "contacts": [with_phones(c) for c in contacts["service_id"].get(service_id, [])],
                "schedules": schedules["service_id"].get(service_id, []),
                "languages": languages["service_id"].get(service_id, []),
                "cost_options": cost_options.get(service_id, []),
                "required_documents": documents.get(service_id, []),
                "service_areas": areas.get(service_id, []),
                "attributes": [
                    {**a, "taxonomy_term": terms.get(_text(a, "taxonomy_term_id"))}
                    for a in attributes.get(service_id, [])
                ],
                "service_at_locations": [
                    {
                        **sal,
                        "location": locations.get(_text(sal, "location_id")),
                        "schedules": schedules["service_at_location_id"].get(_text(sal, "id"), []),
                        "phones": phones["service_at_location_id"].get(_text(sal, "id"), []),
                        "contacts": [
                            with_phones(c)
                            for c in contacts["service_at_location_id"].get(_text(sal, "id"), [])
                        ],
                    }
                    for sal in at_locations.get(service_id, [])
                ],
            }
        )
    return services
