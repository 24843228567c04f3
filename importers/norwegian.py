"""Reading values the way Norwegian coordinators write them in spreadsheets.

Pure functions: each takes what one cell holds (text, or the date or time an Excel cell
holds) and returns Python values, or raises ``ValueError`` with a plain Norwegian message
that quotes what was written and says what to write instead. Matching is done on folded
text (``directory.text.fold``), so case, accents and æøå spelled ae/o/a do not matter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from babel import Locale
from dateutil.rrule import rrulestr

from directory.i18n import _
from directory.listings.models import ListingKind
from directory.schedules.recurrence import WEEKDAY_CODES, today_in_oslo
from directory.text import fold

# What a spreadsheet cell may hold once read: text, or a date/time from an Excel cell.
Cell = str | dt.date | dt.datetime | dt.time

_DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "−": "-", "‐": "-", "‑": "-"})


def _clean(text: str) -> str:
    """Folded text with every kind of dash written as "-"."""
    return fold(text).translate(_DASHES)


def as_written(value: Cell) -> str:
    """What the coordinator sees in the cell, for quoting in messages."""
    if isinstance(value, dt.datetime):
        shown = value.strftime("%d.%m.%Y")
        return shown if value.time() == dt.time() else f"{shown} {value:%H:%M}"
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return " ".join(value.split())


# --- yes / no ---------------------------------------------------------------------------

_TRUE = {"ja", "j", "x", "yes", "y", "true", "1", "sant", "✓", "✔", "jo"}
_FALSE = {"nei", "n", "no", "false", "0", "usant"}


def parse_bool(value: Cell | bool | None) -> bool | None:
    """Ja/Nei, J/N, x, yes/no, true/false, 1/0; empty (or "-") is None (not said)."""
    if value is None or isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise ValueError(_("«%(text)s» – skriv Ja eller Nei.", text=as_written(value)))
    text = _clean(value).strip(" .!")
    if text in {"", "-"}:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    # "Ja, for barn under 6" still says yes; the rest is for people.
    first = re.split(r"[\s,.;:!()]+", text, maxsplit=1)[0]
    if first in {"ja", "yes"}:
        return True
    if first in {"nei", "no"}:
        return False
    raise ValueError(_("«%(text)s» – skriv Ja eller Nei.", text=as_written(value)))


# --- price ------------------------------------------------------------------------------

_FREE_WORDS = re.compile(r"\b(gratis|free|kostnadsfritt|kostnadsfri|ingen kostnad)\b")


def parse_price(value: Cell) -> tuple[bool | None, str]:
    """(is_free, cost_text): "Gratis" → (True, ""); "50 kr" → (False, "50 kr") as written.

    Any amount above zero means it is not free, even next to "gratis" ("gratis for barn,
    50 kr for voksne"), so the free filter never shows something people pay for.
    """
    written = as_written(value)
    if not written:
        return None, ""
    text = _clean(written)
    amounts = [int(number) for number in re.findall(r"\d+", text)]
    if any(amounts):
        return False, written
    if amounts or _FREE_WORDS.search(text):
        plain = re.fullmatch(r"(gratis|free|(kr\.?\s*)?0(,-|,00)?(\s*kr\.?)?)!?", text)
        return True, "" if plain else written
    return False, written


# --- dates ------------------------------------------------------------------------------

_MONTHS = {
    "januar": 1, "jan": 1, "january": 1,
    "februar": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUMERIC = r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?\.?"
_ISO = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_NAMED = rf"(\d{{1,2}})\.?\s*({_MONTH_RE})\.?(?:\s+(\d{{4}}))?"
_NAMED_EN = rf"({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?(?:\s+(\d{{4}}))?"
# A date may follow its weekday: "torsdag 12. mars", "Thu 12.03.2026".
_LEADING_WEEKDAY = re.compile(
    r"^[a-z]+dag(?:en)?\.?,?\s+|^(?:mon|tue|wed|thu|fri|sat|sun)\w*\.?,?\s+"
)
# A date written without a year is this year's, unless that was more than this long ago.
_YEAR_SLACK = dt.timedelta(days=90)

DateParts = tuple[int, int, int | None]  # day, month, year (None when not written)


def _date_parts(text: str) -> DateParts | None:
    """Day, month and year as written, from folded text; None if it is not a date."""
    text = _LEADING_WEEKDAY.sub("", text.strip())
    if match := re.fullmatch(_ISO, text):
        return int(match[3]), int(match[2]), int(match[1])
    if match := re.fullmatch(_NUMERIC, text):
        year = match[3]
        return int(match[1]), int(match[2]), _full_year(year) if year else None
    if match := re.fullmatch(_NAMED, text):
        return int(match[1]), _MONTHS[match[2]], int(match[3]) if match[3] else None
    if match := re.fullmatch(_NAMED_EN, text):
        return int(match[2]), _MONTHS[match[1]], int(match[3]) if match[3] else None
    return None


# Years a date in a sheet may have: a typo like 12.03.0225 is caught, not imported.
YEARS_BACK, YEARS_AHEAD = 25, 10


def _full_year(year: str) -> int:
    return int(year) + 2000 if len(year) == 2 else int(year)


def _make_date(parts: DateParts, reference: dt.date, written: str) -> dt.date:
    """The date, taking a missing year from the reference date (see _YEAR_SLACK)."""
    day, month, year = parts
    if year is not None and not reference.year - YEARS_BACK <= year <= reference.year + YEARS_AHEAD:
        raise ValueError(
            _("«%(text)s» – året ser feil ut. Skriv for eksempel 12.03.2026.", text=written)
        )
    try:
        if year is not None:
            return dt.date(year, month, day)
        found = dt.date(reference.year, month, day)
        if found < reference - _YEAR_SLACK:
            found = dt.date(reference.year + 1, month, day)
        return found
    except ValueError:
        raise ValueError(
            _("«%(text)s» – den datoen finnes ikke. Skriv for eksempel 12.03.2026.", text=written)
        ) from None


def _date_error(written: str) -> ValueError:
    return ValueError(
        _("«%(text)s» – forstod ikke datoen. Skriv for eksempel 12.03.2026.", text=written)
    )


def _today(today: dt.date | None) -> dt.date:
    return today if today is not None else today_in_oslo()


def parse_date(value: Cell, *, today: dt.date | None = None) -> dt.date:
    """12.03.2025, 12.3.2025, 12.03.25, 2025-03-12, 12. mars 2025, or an Excel date cell.

    Without a year ("12.03") it is the coming such date, counted from ``today``.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    written = as_written(value)
    parts = _date_parts(_clean(written)) if isinstance(value, str) else None
    if parts is None:
        raise _date_error(written)
    return _make_date(parts, _today(today), written)


_LIST_SPLIT = re.compile(r"\s*(?:[,;\n]|\bog\b|\band\b|&)\s*", re.IGNORECASE)


def parse_dates(value: Cell, *, today: dt.date | None = None) -> list[dt.date]:
    """One or more dates: "12.03.2026, 19.03.2026" or "12. og 19. mars 2026"."""
    if not isinstance(value, str):
        return [parse_date(value, today=today)]
    text = _clean(value)
    if _date_parts(text) is not None:
        return [parse_date(value, today=today)]
    parts = [part for part in _LIST_SPLIT.split(text) if part]
    if not parts:
        raise _date_error(as_written(value))
    # Messages quote each part as written ("Første 31. Juni"), not folded.
    shown = [part for part in _LIST_SPLIT.split(value.strip()) if part]
    if len(shown) != len(parts):
        shown = [value.strip()] * len(parts)
    # "12. og 19. mars 2026": the month and year are written once, at the end.
    last = _date_parts(parts[-1])
    found = []
    for part, written in zip(parts, shown, strict=True):
        parsed = _date_parts(part)
        if parsed is None and last is not None and re.fullmatch(r"\d{1,2}\.?", part):
            parsed = (int(part.rstrip(".")), last[1], last[2])
        if parsed is None:
            raise _date_error(written)
        found.append(_make_date(parsed, _today(today), written))
    return found


_RANGE_SPLIT = re.compile(rf"({_ISO}|[^-]+?)\s*(?:-|\btil\b|\bto\b|\buntil\b)\s*({_ISO}|[^-]+)")


def parse_date_range(value: str, *, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """From–to: "22.06.2026–16.08.2026", "22.06–16.08.2026", "20.12 til 02.01"."""
    written = as_written(value)
    match = _RANGE_SPLIT.fullmatch(_clean(written))
    first = _date_parts(match[1]) if match else None
    last = _date_parts(match[5]) if match else None
    if first is None or last is None:
        raise _date_error(written)
    reference = _today(today)
    if first[2] is None and last[2] is not None:
        # "22.06–16.08.2026": the year written once, at the end, counts for both.
        year = last[2] - 1 if (first[1], first[0]) > (last[1], last[0]) else last[2]
        first = (first[0], first[1], year)
    start = _make_date(first, reference, written)
    if last[2] is None:
        year = start.year + 1 if (last[1], last[0]) < (start.month, start.day) else start.year
        last = (last[0], last[1], year)
    end = _make_date(last, reference, written)
    if end < start:
        raise ValueError(
            _("«%(text)s» – sluttdatoen er før startdatoen. Skriv den tidligste datoen først.",
              text=written)
        )  # fmt: skip
    return start, end


# --- times ------------------------------------------------------------------------------

_CLOCK = r"(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?"
_TIME_RANGE = re.compile(rf"{_CLOCK}(?:\s*-\s*(?:{_CLOCK})?)?")


def time_error(written: str) -> ValueError:
    """The message for a time we could not read, quoting what was written."""
    return ValueError(
        _(
            "«%(text)s» – fant ikke klokkeslettet. Skriv for eksempel 18:00 eller 18:00–20:00.",
            text=" ".join(written.split()),
        )
    )


def _clock(hour: str, minute: str | None, meridiem: str | None) -> dt.time | None:
    value, minutes = int(hour), int(minute or 0)
    if meridiem == "pm" and value < 12:
        value += 12
    elif meridiem == "am" and value == 12:
        value = 0
    if value > 23 or minutes > 59:
        return None
    return dt.time(value, minutes)


@lru_cache(maxsize=1024)  # a column repeats a few values all the way down
def parse_time_range(value: Cell) -> tuple[dt.time, dt.time | None]:
    """(opens, closes): "kl. 18.00", "18:00", "18-20", "18:00–20:00", "kl 18.30–20", "fra 18"."""
    if isinstance(value, dt.datetime) and value.time() != dt.time():
        return value.time().replace(second=0, microsecond=0), None
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0), None
    if not isinstance(value, str):
        raise time_error(as_written(value))
    text = _clean(value)
    text = re.sub(r"\b(?:kl|klokka|klokken|ca|fra|from|at|fom|f\.o\.m)\b\.?", " ", text)
    text = re.sub(r"\b(?:til|to|until|tom|t\.o\.m)\b\.?", "-", text)
    text = " ".join(text.split()).strip(" .,")
    match = _TIME_RANGE.fullmatch(text)
    if not match:
        raise time_error(value)
    opens = _clock(match[1], match[2], match[3] or match[6])
    closes = _clock(match[4], match[5], match[6]) if match[4] else None
    if opens is None or (match[4] and closes is None):
        raise time_error(value)
    return opens, closes


_KL = re.compile(r"\b(?:kl|klokka|klokken)\b\.?|\bfra\s+(?=\d)|\bat\s+(?=\d)", re.IGNORECASE)
_TRAILING_TIME = re.compile(
    r"(?<![\d.:])\d{1,2}(?:[:.]\d{2})?(?:\s*[-–—]\s*\d{1,2}(?:[:.]\d{2})?)?\s*$"
)


def split_day_and_time(text: str) -> tuple[str, str]:
    """Split "tirsdager kl 18–20" into ("tirsdager", "kl 18–20"); either part may be ""."""
    if match := _KL.search(text):
        return text[: match.start()].strip(" ,:;"), text[match.start() :].strip()
    match = _TRAILING_TIME.search(text)
    prefix = text[: match.start()] if match else text
    if match and (not prefix.strip() or re.search(r"[^\W\d_]\s*,?\s*$", prefix)):
        return prefix.strip(" ,:;"), match[0].strip()
    return text.strip(), ""


# --- days and recurrence ----------------------------------------------------------------

MAX_WEEKLY_INTERVAL = 52
_WEEKDAY_NAMES = {
    0: ("mandag", "man", "mon", "monday"),
    1: ("tirsdag", "tysdag", "tir", "tirs", "tys", "tue", "tues", "tuesday"),
    2: ("onsdag", "ons", "wed", "wednesday"),
    3: ("torsdag", "tor", "tors", "thu", "thur", "thurs", "thursday"),
    4: ("fredag", "fre", "fri", "friday"),
    5: ("lordag", "laurdag", "lor", "lau", "sat", "saturday"),
    6: ("sondag", "sundag", "son", "sun", "sunday"),
}
_WEEKDAYS = {name: day for day, names in _WEEKDAY_NAMES.items() for name in names}
# Plural and definite endings: tirsdager, onsdagar, tirsdagene, mondays.
_ENDINGS = ("", "er", "ar", "ene", "ane", "en", "a", "e", "s")
_GROUPS: dict[str, tuple[int, ...]] = {
    **dict.fromkeys(
        ("hverdag", "hverdager", "ukedager", "virkedager", "kvardag", "kvardagar", "weekdays"),
        (0, 1, 2, 3, 4),
    ),
    **dict.fromkeys(("helg", "helger", "helgen", "helga", "helgar", "weekend", "weekends"), (5, 6)),
}
_ORDINALS = {
    "1.": 1, "1": 1, "1st": 1, "forste": 1, "fyrste": 1, "first": 1,
    "2.": 2, "2": 2, "2nd": 2, "andre": 2, "second": 2,
    "3.": 3, "3": 3, "3rd": 3, "tredje": 3, "third": 3,
    "4.": 4, "4": 4, "4th": 4, "fjerde": 4, "fourth": 4,
    "5.": 5, "5": 5, "5th": 5, "femte": 5, "fifth": 5,
    "siste": -1, "last": -1, "nestsiste": -2,
}  # fmt: skip
_DAILY = re.compile(r"(?:hver|alle|kvar|every|each)\s+(?:dag|dager|dagar|day)|daglig|dagleg|daily")
_MONTHLY = re.compile(
    r"\b(?:i|hver|per|kvar|every|each|of the|of every|of each|a)\s+(?:maned|manad|mnd)(?:en|a)?\b"
    r"|\b(?:of the|of every|of each|every|each|a)\s+month\b|\bmaned\w*|\bmonthly\b"
)
_EVERY_OTHER = re.compile(
    r"\b(?:annenhver|annankvar|annakvar|annenkvar|annan\s+kvar|annen\s+hver|every\s+other"
    r"|biweekly|fortnightly)\b"
)
_EVERY_SECOND = re.compile(r"\b(?:hver|kvar)\s+(?:annen|andre)\b|\bevery\s+second\b")
_EVERY_NTH = re.compile(r"\b(?:hver|kvar|every)\s+(\d+)(?:\.|st|nd|rd|th)?(?=\s|$)")
_EVERY_WORD = re.compile(r"\b(?:hver|kvar)\s+(tredje|fjerde)\b|\bevery\s+(third|fourth)\b")
_FILLERS = {"hver", "hvert", "kvar", "alle", "every", "each", "on", "pa", "om", "the", "i"}
_WEEK_WORDS = {"uke", "uka", "uker", "veke", "veker", "week", "weeks"}
_SEPARATORS = {",", "og", "and", "samt"}
_RANGE_WORDS = {"-", "til", "to", "through", "thru"}


def _days_error(written: str) -> ValueError:
    return ValueError(
        _(
            "«%(text)s» – forstod ikke dagen. Skriv for eksempel tirsdag, mandag og onsdag, "
            "annenhver onsdag eller første mandag i måneden.",
            text=written,
        )
    )


def _weekday(token: str) -> int | None:
    token = token.rstrip(".")
    for ending in _ENDINGS:
        stem = token[: len(token) - len(ending)] if ending else token
        if token.endswith(ending) and stem in _WEEKDAYS:
            return _WEEKDAYS[stem]
    return None


@lru_cache(maxsize=1024)  # a column repeats a few values all the way down
def parse_days(value: str) -> str:
    """An RRULE value from the day column: "tirsdager" → "FREQ=WEEKLY;BYDAY=TU".

    Reads lists ("man, ons"), ranges ("mandag–fredag"), "hver dag", "annenhver onsdag",
    "hver 2. onsdag", "første mandag i måneden", "1. og 3. tirsdag i måneden", in
    bokmål, nynorsk and English.
    """
    written = as_written(value)
    text = _clean(written).strip(" .")
    if not text:
        raise _days_error(written)
    if _DAILY.fullmatch(text):
        return "FREQ=DAILY"
    monthly = False
    if _MONTHLY.search(text):
        monthly, text = True, _MONTHLY.sub(" ", text)
    interval = 1
    if match := _EVERY_OTHER.search(text):
        interval, text = 2, text.replace(match[0], " ")
    elif match := _EVERY_SECOND.search(text):
        if monthly:  # "hver andre onsdag i måneden" is the second Wednesday
            text = text.replace(match[0], " 2. ")
        else:
            interval, text = 2, text.replace(match[0], " ")
    elif not monthly and (match := _EVERY_NTH.search(text)):
        interval, text = int(match[1]), text.replace(match[0], " ")
        if interval > MAX_WEEKLY_INTERVAL:  # "hver 1000. onsdag" is a typo
            raise _days_error(written)
    elif not monthly and (match := _EVERY_WORD.search(text)):
        interval = 3 if (match[1] or match[2]) in ("tredje", "third") else 4
        text = text.replace(match[0], " ")
    text = re.sub(r"\bnest\s+siste\b|\bsecond\s+last\b|\bnext\s+to\s+last\b", " nestsiste ", text)
    text = re.sub(r"[&+/]", " og ", text).replace(",", " , ").replace("-", " - ")
    tokens = re.findall(r"\d+(?:\.|st|nd|rd|th)?|[^\W\d_]+\.?|[,-]", text)
    items = _day_items(tokens, interval > 1, written)
    if interval < 1 or not items:
        raise _days_error(written)
    ordinals = [ordinal for ordinal, _day in items]
    parts = ["FREQ=MONTHLY" if monthly or any(ordinals) else "FREQ=WEEKLY"]
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if any(ordinals):
        if not all(ordinals):
            raise _days_error(written)
        byday = list(dict.fromkeys(f"{ordinal}{WEEKDAY_CODES[day]}" for ordinal, day in items))
    else:
        if monthly:  # "mandag hver måned" does not say which Monday
            raise _days_error(written)
        days = sorted({day for _ordinal, day in items})
        if len(days) == 7 and interval == 1:
            return "FREQ=DAILY"
        byday = [WEEKDAY_CODES[day] for day in days]
    parts.append("BYDAY=" + ",".join(byday))
    return ";".join(parts)


def _day_items(tokens: list[str], weekly_interval: bool, written: str) -> list[tuple[int, int]]:
    """(ordinal or 0, weekday) pairs from the tokens of a day description."""
    items: list[tuple[int, int]] = []
    pending: list[int] = []
    ranging = False
    for token in tokens:
        bare = token.rstrip(".")
        if token in _SEPARATORS or bare in _FILLERS or (weekly_interval and bare in _WEEK_WORDS):
            continue
        if token in _RANGE_WORDS:
            if not items or pending:
                raise _days_error(written)
            ranging = True
            continue
        if bare in _GROUPS or token in _GROUPS:
            items.extend((0, day) for day in _GROUPS[bare])
            continue
        day = _weekday(token)
        if day is not None:
            if ranging:
                previous = items[-1][1]
                span = (day - previous) % 7
                items.extend((0, (previous + step) % 7) for step in range(1, span + 1))
                ranging = False
            elif pending:
                items.extend((ordinal, day) for ordinal in pending)
                pending = []
            else:
                items.append((0, day))
            continue
        ordinal = _ORDINALS.get(token) or _ORDINALS.get(bare)
        if ordinal is None:
            raise _days_error(written)
        pending.append(ordinal)
    if pending or ranging:
        raise _days_error(written)
    return items


@lru_cache(maxsize=4096)  # a sheet repeats the same few patterns on every row
def first_occurrence(rrule: str, on_or_after: dt.date) -> dt.date:
    """The first day on or after a date that the rule matches."""
    # Without INTERVAL: dateutil counts "every other week" from the start's own week, which
    # would skip a matching day in the first week; the found day becomes the series' start.
    parts = [part for part in rrule.split(";") if not part.startswith("INTERVAL=")]
    start = dt.datetime.combine(on_or_after, dt.time())
    found = rrulestr("RRULE:" + ";".join(parts), dtstart=start).after(start, inc=True)
    if found is None:
        raise ValueError(_("Fant ingen dag som passer med «%(rule)s».", rule=rrule))
    return found.date()


# --- breaks -----------------------------------------------------------------------------

_DATE_IN_TEXT = (
    rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[./]\d{{1,2}}(?:[./](?:\d{{4}}|\d{{2}}))?\.?"
    rf"|\d{{1,2}}\.?\s*(?:{_MONTH_RE})\b\.?(?:\s+\d{{4}})?)"
)
_BREAK_DATES = re.compile(
    rf"({_DATE_IN_TEXT})(?:\s*(?:[-–—]|\btil\b|\bto\b)\s*({_DATE_IN_TEXT}))?", re.IGNORECASE
)
_BREAK_WEEKS = re.compile(
    r"\b(?:uke|uka|veke|week)\s*(\d{1,2})(?:\s*(?:[-–—]|til|to)\s*(?:uke\s*)?(\d{1,2}))?"
    r"(?:\s*,?\s*(\d{4}))?",
    re.IGNORECASE,
)
_HOLIDAYS = re.compile(r"helligdag|heilagdag|rode dager|raude dagar|public holiday|bank holiday")


def _break_items(value: str) -> list[str]:
    """One text per pause: split on ; and new lines, and on "," or "og" between pauses."""
    items: list[str] = []
    for line in re.split(r"[;\n]", value):
        pieces = re.split(r"(,|\bog\b|\band\b)", line)
        held = ""  # text before the first date belongs to the first pause: "ferie, 1.5"
        for index in range(0, len(pieces), 2):
            piece = pieces[index]
            joint = pieces[index - 1] if index else ""
            says_when = (
                _BREAK_DATES.search(piece)
                or _BREAK_WEEKS.search(piece)
                or _HOLIDAYS.search(_clean(piece))
            )
            if says_when:
                items.append(held + joint + piece if held else piece)
                held = ""
            elif items and not held:
                items[-1] += joint + piece  # "sommerferie, stengt": part of the reason
            else:
                held += joint + piece if held else piece
        if held.strip():
            items.append(held)
    return items


@dataclass
class Breaks:
    """Pauses in a schedule: date ranges with a reason, and whether holidays are off."""

    periods: list[tuple[dt.date, dt.date, str]] = field(default_factory=list)
    skip_public_holidays: bool = False


def _breaks_error(written: str) -> ValueError:
    return ValueError(
        _(
            "«%(text)s» – forstod ikke pausen. Skriv for eksempel "
            "22.06.2026–16.08.2026 sommerferie; uke 40 høstferie.",
            text=written,
        )
    )


def parse_breaks(value: str, *, today: dt.date | None = None) -> Breaks:
    """Pauses: "22.06.2026–16.08.2026 sommerferie; uke 40 høstferie; helligdager".

    Dates and weeks without a year are the first such after ``today`` (the start).
    """
    reference = _today(today)
    found = Breaks()
    for item in _break_items(value):
        written = " ".join(item.split())
        if not written:
            continue
        if (match := _BREAK_DATES.search(written)) is not None:
            if match[2]:
                start, end = parse_date_range(f"{match[1]} - {match[2]}", today=reference)
            else:
                start = end = parse_date(match[1], today=reference)
            written_year = _date_parts(_clean(match[2] or match[1]))
            if written_year and written_year[2] is None and end < reference:
                start, end = _next_year(start), _next_year(end)  # a pause still to come
        elif (match := _BREAK_WEEKS.search(written)) is not None:
            start, end = _weeks(match, reference, written)
        elif _HOLIDAYS.search(_clean(written)):
            found.skip_public_holidays = True
            continue
        else:
            raise _breaks_error(written)
        reason = (written[: match.start()] + " " + written[match.end() :]).strip(" :,-–—()")
        found.periods.append((start, end, " ".join(reason.split())))
    return found


def _next_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _weeks(match: re.Match[str], reference: dt.date, written: str) -> tuple[dt.date, dt.date]:
    first, last = int(match[1]), int(match[2] or match[1])
    year = int(match[3]) if match[3] else reference.year
    try:
        start = dt.date.fromisocalendar(year, first, 1)
        end_year = year + 1 if last < first else year
        end = dt.date.fromisocalendar(end_year, last, 7)
        if not match[3] and end < reference:
            start = dt.date.fromisocalendar(year + 1, first, 1)
            end = dt.date.fromisocalendar(end_year + 1, last, 7)
    except ValueError:
        raise _breaks_error(written) from None
    return start, end


# --- languages --------------------------------------------------------------------------

# Names Norwegians use that CLDR does not give (adjectives, older names, macro-languages).
_LANGUAGE_ALIASES = {
    "norsk": "nb",
    "bokmal": "nb",
    "nynorsk": "nn",
    "no": "nb",
    "somali": "so",
    "somalisk": "so",
    "samisk": "se",
    "persisk": "fa",
    "farsi": "fa",
    "dari": "prs",
    "tigrinja": "ti",
    "tigrinya": "ti",
    "kurmanji": "ku",
    "sorani": "ckb",
    "pashto": "ps",
    "pashtu": "ps",
    "norwegian": "nb",
    "persian": "fa",
    "sami": "se",
    "tegnsprak": "nsi",
    "norsk tegnsprak": "nsi",
}


@cache
def _language_names() -> dict[str, str]:
    """Folded language name (bokmål, nynorsk, English) → ISO 639 code."""
    names: dict[str, str] = {}
    for locale in ("en", "nn", "nb"):  # later ones win: bokmål names first
        for code, name in Locale.parse(locale).languages.items():
            if "_" not in code:
                names[fold(name)] = code
    names.update(_LANGUAGE_ALIASES)
    return names


@cache
def _language_codes() -> frozenset[str]:
    codes = {str(code) for code in Locale.parse("en").languages if "_" not in str(code)}
    return frozenset(codes | {"prs", "nsi"})


def parse_languages(value: str) -> list[str]:
    """ISO 639 codes from names or codes: "norsk, arabisk / dari" → ["nb", "ar", "prs"]."""
    found: list[str] = []
    for part in re.split(r"\s*(?:[,;/+&\n]|\bog\b|\band\b)\s*", value):
        written = " ".join(part.split())
        name = fold(written).strip(" .")
        if not name:
            continue
        code = _language_names().get(name)
        if code is None and name in _language_codes():
            code = _LANGUAGE_ALIASES.get(name, name)
        if code is None:
            raise ValueError(
                _(
                    "«%(text)s» – kjenner ikke språket. Skriv navnet på norsk, for eksempel "
                    "arabisk eller ukrainsk, eller koden, for eksempel ar eller uk.",
                    text=written,
                )
            )
        if code not in found:
            found.append(code)
    return found


# --- age --------------------------------------------------------------------------------

_AGE_WORDS = re.compile(r"\b(?:ar|aar|years?|yrs?|arige?|alder|age|aged|ages)\b\.?")


def _age_error(written: str) -> ValueError:
    return ValueError(
        _(
            "«%(text)s» – forstod ikke alderen. Skriv for eksempel 6–12, fra 16 eller under 12.",
            text=written,
        )
    )


def parse_age(value: Cell) -> tuple[int | None, int | None]:
    """(min, max): "6-12", "6–12 år", "fra 16", "over 18" → (18, None), "under 12" → (None, 11).

    "Over 18" and "under 18" read as Norwegians mean them: has turned 18, has not turned 18.
    """
    if isinstance(value, dt.date):
        # Excel turns "6-12" typed in a cell into 6 December.
        return _checked_age(value.day, value.month, as_written(value))
    if not isinstance(value, str):
        raise _age_error(as_written(value))
    written = as_written(value)
    text = " ".join(_AGE_WORDS.sub(" ", _clean(written)).split()).strip(" .")
    if text in {"", "alle", "for alle", "alle aldre", "all", "all ages", "everyone"}:
        return None, None
    if match := re.fullmatch(r"(?:fra\s+)?(\d{1,3})\s*-\s*(\d{1,3})", text):
        return _checked_age(int(match[1]), int(match[2]), written)
    if match := re.fullmatch(r"(?:fra|from|over|minst|min\.?|at least)\s*(\d{1,3})\s*\+?", text):
        return _checked_age(int(match[1]), None, written)
    if match := re.fullmatch(
        r"(\d{1,3})\s*(?:\+|-|og (?:eldre|over|oppover|opp)|and (?:older|over|up)|or older)",
        text,
    ):
        return _checked_age(int(match[1]), None, written)
    if match := re.fullmatch(r"(?:under|below|yngre enn|younger than)\s*(\d{1,3})", text):
        return _checked_age(None, int(match[1]) - 1, written)
    if match := re.fullmatch(r"(?:til|opp til|up to|maks|max\.?|inntil|to)\s*(\d{1,3})", text):
        return _checked_age(None, int(match[1]), written)
    if match := re.fullmatch(r"(\d{1,3})", text):
        return _checked_age(int(match[1]), int(match[1]), written)
    raise _age_error(written)


def _checked_age(low: int | None, high: int | None, written: str) -> tuple[int | None, int | None]:
    if any(age is not None and not 0 <= age <= 120 for age in (low, high)) or (
        low is not None and high is not None and low > high
    ):
        raise _age_error(written)
    return low, high


# --- registration, kind, contact, places ------------------------------------------------

_NOT_NEEDED = re.compile(
    r"(?:nei|no|ikke|ingen|trengs ikke|drop-?in|bare mot opp|bare kom|just come|not required)\b"
)


def parse_registration(value: Cell) -> tuple[bool | None, str]:
    """(registration_required, registration_info): Ja/Nei, or how to sign up as written."""
    written = as_written(value)
    text = _clean(written).strip(" .!")
    if not text or text == "-":
        return None, ""
    if text in _TRUE:
        return True, ""
    if text in _FALSE:
        return False, ""
    return (not _NOT_NEEDED.match(text)), written


_OFFER_WORDS = {"tilbud", "fast tilbud", "fast", "aktivitet", "offer", "activity", "ongoing"}
_EVENT_WORDS = {"arrangement", "hendelse", "enkeltarrangement", "event", "engangs", "one-off"}


def parse_kind(value: str) -> ListingKind:
    """Tilbud (ongoing) or Arrangement (dated), in Norwegian or English."""
    text = _clean(value).strip(" .")
    if text in _OFFER_WORDS:
        return ListingKind.OFFER
    if text in _EVENT_WORDS:
        return ListingKind.EVENT
    raise ValueError(
        _(
            "«%(text)s» – skriv Tilbud (noe som går fast) eller Arrangement "
            "(noe på en bestemt dato).",
            text=as_written(value),
        )
    )


_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+")
_PHONE = re.compile(r"\+?[\d\s().-]{5,}")


def parse_email(value: str) -> str:
    """An e-mail address, without "mailto:"."""
    written = as_written(value)
    text = written.removeprefix("mailto:").strip()
    if not _EMAIL.fullmatch(text):
        raise ValueError(
            _(
                "«%(text)s» ser ikke ut som en e-postadresse. Skriv for eksempel navn@kommune.no.",
                text=written,
            )
        )
    return text


def parse_phone(value: str) -> str:
    """A phone number, kept as written ("900 00 000", "+47 22 00 00 00")."""
    written = as_written(value)
    if not _PHONE.fullmatch(written) or sum(ch.isdigit() for ch in written) < 5:
        raise ValueError(
            _(
                "«%(text)s» ser ikke ut som et telefonnummer. Skriv for eksempel 900 00 000.",
                text=written,
            )
        )
    return written


def split_contact(value: str) -> tuple[str, str, str]:
    """(name, phone, email) from one "Kontakt" cell: "Kari Nordmann, 900 00 000"."""
    names, phone, email = [], "", ""
    for part in re.split(r"\s*[,;/\n]\s*", value):
        part = " ".join(part.split())
        if not part:
            continue
        if not email and _EMAIL.fullmatch(part.removeprefix("mailto:")):
            email = part.removeprefix("mailto:")
        elif not phone and _PHONE.fullmatch(part) and sum(ch.isdigit() for ch in part) >= 5:
            phone = part
        else:
            names.append(part)
    return ", ".join(names), phone, email


def parse_url(value: str) -> str:
    """A web address; "www.kommune.no/x" gets https:// in front."""
    written = as_written(value)
    if re.fullmatch(r"https?://\S+\.\S+", written, re.IGNORECASE):
        return written
    if re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/\S*)?", written, re.I):
        return "https://" + written
    raise ValueError(
        _(
            "«%(text)s» ser ikke ut som en lenke. Skriv for eksempel https://kommune.no/sprakkafe.",
            text=written,
        )
    )


def parse_postal_code(value: str) -> str:
    """Four digits; Excel's "150" (a number that lost its leading zero) becomes "0150"."""
    written = as_written(value)
    digits = written.replace(" ", "")
    if not re.fullmatch(r"\d{3,4}", digits):
        raise ValueError(
            _("«%(text)s» – postnummer har fire sifre, for eksempel 0150.", text=written)
        )
    return digits.zfill(4)


def split_postal_place(value: str) -> tuple[str, str]:
    """("0150", "Oslo") from "0150 Oslo"; ("", text) when no postal code is in front."""
    written = as_written(value)
    if match := re.fullmatch(r"(\d{4})\s+(\S.*)", written):
        return match[1], match[2]
    return "", written


def split_address(value: str) -> tuple[str, str, str]:
    """(street, postal code, place) from "Storgata 1, 0150 Oslo"; else (text, "", "")."""
    written = as_written(value)
    if match := re.fullmatch(r"(.+?),?\s+(\d{4})\s+(\D.*)", written):
        return match[1].strip(" ,"), match[2], match[3]
    return written, "", ""
