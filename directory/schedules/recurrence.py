"""Expanding schedules into dated occurrences with python-dateutil.

Recurrence is computed on local wall-clock times in the schedule's zone, so a Tuesday
18:00 activity stays at 18:00 across daylight-saving changes; dateutil does the date
arithmetic, this module only applies the exceptions (EXDATE, breaks, validity, holidays).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays
from dateutil.rrule import rruleset, rrulestr

from directory.schedules.models import OSLO, Schedule

if TYPE_CHECKING:
    from directory.listings.drafts import ScheduleDraft

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
EVENING_STARTS = dt.time(16, 30)


class RecurrenceError(ValueError):
    """The RRULE text is not something dateutil can read."""


@dataclass(frozen=True, order=True)
class Occurrence:
    """One dated occurrence of a schedule, with aware start and end times."""

    start: dt.datetime
    end: dt.datetime | None
    schedule_id: int | None = None

    @property
    def local_date(self) -> dt.date:
        """The date on which it happens, in its own zone."""
        return self.start.date()


def now_in_oslo() -> dt.datetime:
    """The current time in Norway."""
    return dt.datetime.now(ZoneInfo(OSLO))


def today_in_oslo() -> dt.date:
    """Today's date in Norway, whatever the server's zone."""
    return now_in_oslo().date()


@cache
def _norwegian_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("NO", years=year))


def is_public_holiday(day: dt.date) -> bool:
    """Whether a date is a Norwegian public holiday (helligdag)."""
    return day in _norwegian_holidays(day.year)


def parse_rrule(text: str) -> dict[str, str]:
    """Split an RRULE value into its parts: ``{"FREQ": "WEEKLY", "BYDAY": "TU"}``."""
    parts: dict[str, str] = {}
    for item in text.removeprefix("RRULE:").split(";"):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        if not sep or not value:
            raise RecurrenceError(text)
        parts[name.strip().upper()] = value.strip().upper()
    if "FREQ" not in parts:
        raise RecurrenceError(text)
    return parts


def month_days_fit(parts: dict[str, str]) -> bool:
    """Whether a BYMONTHDAY can fall in one of the BYMONTHs: "30 February" never occurs,
    and dateutil would look for it all the way to the year 9999 (seconds per rule)."""
    if "BYMONTHDAY" not in parts or "BYMONTH" not in parts:
        return True
    try:
        days = [abs(int(day)) for day in parts["BYMONTHDAY"].split(",")]
        months = [int(month) for month in parts["BYMONTH"].split(",")]
        longest = max(calendar.monthrange(2024, month)[1] for month in months)  # a leap year
    except (ValueError, calendar.IllegalMonthError):
        return False
    return any(1 <= day <= longest for day in days)


def _starts_at(schedule: Schedule) -> dt.time:
    # An all-day occurrence starts at midnight whatever opens_at says.
    return dt.time(0) if schedule.all_day else schedule.opens_at


def build_ruleset(schedule: Schedule) -> rruleset:
    """The dateutil rule set of a schedule: its RRULE and RDATEs from its first start."""
    zone = ZoneInfo(schedule.timezone or OSLO)
    first = dt.datetime.combine(schedule.dtstart, _starts_at(schedule), tzinfo=zone)
    rules = rruleset()
    if schedule.rrule:
        parse_rrule(schedule.rrule)
        try:
            rule = rrulestr(schedule.rrule.removeprefix("RRULE:"), dtstart=first)
        except (ValueError, TypeError) as error:
            raise RecurrenceError(schedule.rrule) from error
        rules.rrule(rule)  # type: ignore[arg-type]
    else:
        rules.rdate(first)
    for value in schedule.rdates or ():
        extra = dt.datetime.fromisoformat(value)
        rules.rdate(extra if extra.tzinfo else extra.replace(tzinfo=zone))
    return rules


def _excluded(schedule: Schedule, day: dt.date, exdates: frozenset[dt.date]) -> bool:
    if day in exdates:
        return True
    if schedule.valid_from and day < schedule.valid_from:
        return True
    if schedule.valid_to and day > schedule.valid_to:
        return True
    if schedule.skip_public_holidays and is_public_holiday(day):
        return True
    return any(b.starts_on <= day <= b.ends_on for b in schedule.breaks)


def occurrences(
    schedule: Schedule, start: dt.datetime, end: dt.datetime, limit: int | None = None
) -> list[Occurrence]:
    """Occurrences of a schedule starting in [start, end), exceptions removed."""
    zone = ZoneInfo(schedule.timezone or OSLO)
    exdates = frozenset(dt.date.fromisoformat(d) for d in schedule.exdates or ())
    found: list[Occurrence] = []
    for begins in build_ruleset(schedule).xafter(start, inc=True):
        if begins >= end:
            break
        begins = begins.astimezone(zone)
        if _excluded(schedule, begins.date(), exdates):
            continue
        found.append(Occurrence(begins, _end_of(schedule, begins), schedule.id))
        if limit is not None and len(found) >= limit:
            break
    return found


def _end_of(schedule: Schedule, begins: dt.datetime) -> dt.datetime | None:
    # Transient schedules (previews, imports) have no column defaults filled in yet.
    span = schedule.span_days or 0
    if schedule.all_day:
        last = begins.date() + dt.timedelta(days=span + 1)
        return dt.datetime.combine(last, dt.time(0), tzinfo=begins.tzinfo)
    if schedule.closes_at is None:
        return None
    last = begins.date() + dt.timedelta(days=span)
    ends = dt.datetime.combine(last, schedule.closes_at, tzinfo=begins.tzinfo)
    return ends if ends > begins else ends + dt.timedelta(days=1)


def next_occurrences(
    schedules: list[Schedule], after: dt.datetime, count: int = 5, horizon_days: int = 400
) -> list[Occurrence]:
    """The next ``count`` occurrences over several schedules, in time order."""
    until = after + dt.timedelta(days=horizon_days)
    merged = [occ for s in schedules for occ in occurrences(s, after, until, limit=count)]
    return sorted(merged)[:count]


def weekdays_of(schedule: Schedule | ScheduleDraft) -> set[int]:
    """Weekdays (0 = Monday) on which a schedule can occur, from its rule or its dates."""
    if schedule.rrule:
        parts = parse_rrule(schedule.rrule)
        if parts["FREQ"] == "DAILY" and "BYDAY" not in parts:
            return set(range(7))
        if "BYDAY" in parts:
            return {WEEKDAY_CODES.index(code[-2:]) for code in parts["BYDAY"].split(",")}
    days = {schedule.dtstart.weekday()}
    days.update(dt.datetime.fromisoformat(d).weekday() for d in schedule.rdates or ())
    return days


def weekday_mask(schedules: Sequence[Schedule | ScheduleDraft]) -> int:
    """Bit mask of weekdays over all schedules (bit 0 = Monday … bit 6 = Sunday)."""
    mask = 0
    for schedule in schedules:
        for day in weekdays_of(schedule):
            mask |= 1 << day
    return mask


def is_evening(schedule: Schedule | ScheduleDraft) -> bool:
    """Whether the activity starts in the late afternoon or evening."""
    return schedule.opens_at >= EVENING_STARTS
