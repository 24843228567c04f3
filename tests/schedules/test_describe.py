"""Schedules in plain words, per locale."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask_babel import force_locale

from directory.schedules.describe import describe_break, describe_schedule, relative_day
from directory.schedules.models import Schedule, ScheduleBreak


def schedule(rrule: str | None, **fields: object) -> Schedule:
    return Schedule(
        dtstart=fields.pop("dtstart", dt.date(2026, 1, 6)),
        opens_at=dt.time(18, 0),
        closes_at=dt.time(20, 0),
        rrule=rrule,
        rdates=[],
        exdates=[],
        breaks=fields.pop("breaks", []),
        **fields,
    )


@pytest.mark.parametrize(
    ("rule", "nb", "en"),
    [
        (
            "FREQ=WEEKLY;BYDAY=TU",
            "Hver tirsdag kl. 18:00–20:00",
            "Every Tuesday 18:00\u2009–\u200920:00",
        ),
        (
            "FREQ=WEEKLY;BYDAY=MO,WE",
            "Hver mandag og onsdag kl. 18:00–20:00",
            "Every Monday and Wednesday 18:00\u2009–\u200920:00",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
            "Annenhver onsdag kl. 18:00–20:00",
            "Every other Wednesday 18:00\u2009–\u200920:00",
        ),
        (
            "FREQ=MONTHLY;BYDAY=1MO",
            "Første mandag i måneden kl. 18:00–20:00",
            "First Monday of the month 18:00\u2009–\u200920:00",
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            "Siste fredag i måneden kl. 18:00–20:00",
            "Last Friday of the month 18:00\u2009–\u200920:00",
        ),
        ("FREQ=DAILY", "Hver dag kl. 18:00–20:00", "Every day 18:00\u2009–\u200920:00"),
    ],
)
def test_rules_in_plain_words(app: Flask, rule: str, nb: str, en: str) -> None:
    with app.test_request_context():
        with force_locale("nb"):
            assert describe_schedule(schedule(rule)) == nb
        with force_locale("en"):
            assert describe_schedule(schedule(rule)) == en


def test_breaks_and_holidays_are_mentioned(app: Flask) -> None:
    s = schedule(
        "FREQ=WEEKLY;BYDAY=TU",
        breaks=[
            ScheduleBreak(
                starts_on=dt.date(2026, 12, 21), ends_on=dt.date(2027, 1, 3), reason="Juleferie"
            )
        ],
        skip_public_holidays=True,
    )
    with app.test_request_context(), force_locale("nb"):
        assert describe_schedule(s) == (
            "Hver tirsdag kl. 18:00–20:00, ikke i skoleferier, ikke på helligdager"
        )
        assert describe_break(dt.date(2026, 12, 21), dt.date(2027, 1, 3), "Juleferie") == (
            "Pause 21. des. 2026–3. jan. 2027 (Juleferie)"
        )


def test_single_date_in_words(app: Flask) -> None:
    with app.test_request_context(), force_locale("nb"):
        assert describe_schedule(schedule(None, dtstart=dt.date(2027, 3, 12))) == (
            "Fredag 12. mars 2027 kl. 18:00–20:00"
        )


@pytest.mark.parametrize(
    ("locale", "days", "expected"),
    [
        ("nb", 0, "i dag"),
        ("nb", 1, "i morgen"),
        ("nb", 3, "om 3 døgn"),
        ("uk", 1, "завтра"),
        ("uk", 3, "через 3 дні"),
        ("ar", 3, "خلال 3 أيام"),
        ("en", 12, "in 12 days"),
        ("en", 30, ""),
    ],
)
def test_relative_days_in_each_language(app: Flask, locale: str, days: int, expected: str) -> None:
    today = dt.date(2026, 12, 1)
    with app.test_request_context(), force_locale(locale):
        assert relative_day(today + dt.timedelta(days=days), today) == expected
