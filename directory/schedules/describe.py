"""Schedules in plain words, in the reader's language ("Every Tuesday 18:00–20:00")."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_interval, format_timedelta, get_day_names
from babel.lists import format_list
from flask_babel import format_date, format_time, get_locale

from directory.i18n import _, ngettext
from directory.schedules.models import Schedule
from directory.schedules.recurrence import WEEKDAY_CODES, parse_rrule, today_in_oslo


def _locale() -> str:
    return str(get_locale() or "nb")


def day_names(codes: list[str]) -> str:
    """Weekday names joined as a list in the reader's language: "Monday and Wednesday"."""
    names = get_day_names("wide", locale=_locale())
    return format_list([names[WEEKDAY_CODES.index(c)] for c in codes], locale=_locale())


def time_range(schedule: Schedule) -> str:
    """Opening and closing time, e.g. "18:00–20:00"."""
    if schedule.closes_at is None:
        return str(format_time(schedule.opens_at, "HH:mm"))
    return format_interval(schedule.opens_at, schedule.closes_at, "Hm", locale=_locale())


def _monthly(parts: dict[str, str]) -> str | None:
    byday = parts.get("BYDAY", "")
    if not byday or "," in byday or len(byday) < 3:
        if "BYMONTHDAY" in parts:
            return _("Hver måned den %(day)s.", day=parts["BYMONTHDAY"])
        return _("Hver måned")
    ordinal, code = byday[:-2], byday[-2:]
    day = day_names([code])
    phrases = {
        "1": _("Første %(day)s i måneden", day=day),
        "2": _("Andre %(day)s i måneden", day=day),
        "3": _("Tredje %(day)s i måneden", day=day),
        "4": _("Fjerde %(day)s i måneden", day=day),
        "-1": _("Siste %(day)s i måneden", day=day),
    }
    return phrases.get(ordinal.lstrip("+"))


def describe_rule(schedule: Schedule) -> str:
    """The repeating part in words: "Every Tuesday", "Every other Wednesday", a date or dates."""
    if not schedule.rrule:
        if schedule.span_days:
            last = schedule.dtstart + dt.timedelta(days=schedule.span_days)
            return format_interval(schedule.dtstart, last, "yMMMd", locale=_locale())
        return str(format_date(schedule.dtstart, "full")).capitalize()
    parts = parse_rrule(schedule.rrule)
    interval = int(parts.get("INTERVAL", "1") or 1)
    freq = parts["FREQ"]
    codes = [c[-2:] for c in parts.get("BYDAY", "").split(",") if c]
    if freq == "DAILY":
        return _("Hver dag") if interval == 1 else _("Hver %(n)s. dag", n=interval)
    if freq == "WEEKLY":
        days = day_names(codes or [WEEKDAY_CODES[schedule.dtstart.weekday()]])
        if interval == 1:
            return _("Hver %(days)s", days=days)
        if interval == 2:
            return _("Annenhver %(days)s", days=days)
        return _("Hver %(n)s. uke: %(days)s", n=interval, days=days)
    if freq == "MONTHLY":
        return _monthly(parts) or _("Hver måned")
    return _("Hvert år")


def describe_schedule(schedule: Schedule) -> str:
    """A whole schedule in plain words, e.g. "Every Tuesday 18:00–20:00, not in school holidays"."""
    when = describe_rule(schedule)
    repeats_over_days = bool(schedule.span_days and schedule.rrule)
    notes = []
    if schedule.all_day and schedule.span_days and not schedule.rrule:
        text = when  # the dates say it all: "12.–14. mars 2026"
    elif schedule.all_day:
        text = _("%(when)s, hele dagen", when=when)
    elif repeats_over_days:  # "17:00–15:00" would read as a misprint
        text = _("%(when)s kl. %(time)s", when=when, time=format_time(schedule.opens_at, "HH:mm"))
    else:
        text = _("%(when)s kl. %(time)s", when=when, time=time_range(schedule))
    if repeats_over_days:
        days = (schedule.span_days or 0) + 1
        notes.append(ngettext("over %(num)s dag", "over %(num)s dager", days))
    if schedule.valid_from and schedule.valid_from > today_in_oslo():
        notes.append(_("fra %(date)s", date=format_date(schedule.valid_from, "long")))
    if schedule.valid_to and schedule.rrule:
        notes.append(_("til %(date)s", date=format_date(schedule.valid_to, "long")))
    if schedule.breaks:
        notes.append(_("ikke i skoleferier"))
    if schedule.skip_public_holidays:
        notes.append(_("ikke på helligdager"))
    if notes:
        text = _("%(text)s, %(notes)s", text=text, notes=", ".join(notes))
    return text


def describe_break(start: dt.date, end: dt.date, reason: str) -> str:
    """A break in words: "Pause 21 December – 3 January (Christmas holiday)"."""
    span = format_interval(start, end, "yMMMd", locale=_locale())
    return (
        _("Pause %(span)s (%(reason)s)", span=span, reason=reason)
        if reason
        else _("Pause %(span)s", span=span)
    )


RELATIVE_DAYS_MAX = 13


def relative_day(day: dt.date, today: dt.date | None = None) -> str:
    """ "today", "tomorrow", "in 3 days" in the reader's language; "" beyond two weeks."""
    days = (day - (today or today_in_oslo())).days
    if days == 0:
        return _("i dag")
    if days == 1:
        return _("i morgen")
    if 1 < days <= RELATIVE_DAYS_MAX:
        return str(
            format_timedelta(
                dt.timedelta(days=days),
                granularity="day",
                threshold=RELATIVE_DAYS_MAX + 1,
                add_direction=True,
                locale=get_locale(),
            )
        )
    return ""
