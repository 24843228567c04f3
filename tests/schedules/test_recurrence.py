"""Schedule expansion with dateutil: DST, EXDATE, validity, breaks, holidays."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from directory.schedules.models import Schedule, ScheduleBreak
from directory.schedules.recurrence import (
    RecurrenceError,
    next_occurrences,
    occurrences,
    weekday_mask,
)

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC


def schedule(rrule: str | None, start: dt.date, **fields: object) -> Schedule:
    return Schedule(
        dtstart=start,
        opens_at=fields.pop("opens_at", dt.time(18, 0)),
        closes_at=fields.pop("closes_at", dt.time(20, 0)),
        rrule=rrule,
        rdates=fields.pop("rdates", []),
        exdates=fields.pop("exdates", []),
        timezone="Europe/Oslo",
        **fields,
    )


def window(start: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    begin = dt.datetime.combine(start, dt.time(0), tzinfo=OSLO)
    return begin, begin + dt.timedelta(days=days)


def test_weekly_keeps_local_time_across_dst_change() -> None:
    # Summer time starts on Sunday 28 March 2027: Tuesday 18:00 stays 18:00 local.
    s = schedule("FREQ=WEEKLY;BYDAY=TU", dt.date(2027, 3, 16))
    found = occurrences(s, *window(dt.date(2027, 3, 15), 21))
    assert [o.start.date() for o in found] == [
        dt.date(2027, 3, 16),
        dt.date(2027, 3, 23),
        dt.date(2027, 3, 30),
    ]
    assert {o.start.time() for o in found} == {dt.time(18, 0)}
    assert [o.start.astimezone(UTC).hour for o in found] == [17, 17, 16]
    assert found[2].end == dt.datetime(2027, 3, 30, 20, 0, tzinfo=OSLO)


def test_autumn_dst_change() -> None:
    # Winter time starts on Sunday 31 October 2027.
    s = schedule("FREQ=WEEKLY;BYDAY=SU", dt.date(2027, 10, 24), opens_at=dt.time(11, 0))
    found = occurrences(s, *window(dt.date(2027, 10, 20), 14))
    assert [o.start.astimezone(UTC).hour for o in found] == [9, 10]


def test_exdate_removes_one_date() -> None:
    s = schedule("FREQ=WEEKLY;BYDAY=TU", dt.date(2027, 1, 5), exdates=["2027-01-12"])
    found = occurrences(s, *window(dt.date(2027, 1, 1), 21))
    assert [o.local_date for o in found] == [dt.date(2027, 1, 5), dt.date(2027, 1, 19)]


def test_valid_to_ends_the_season() -> None:
    s = schedule("FREQ=WEEKLY;BYDAY=WE", dt.date(2027, 5, 5), valid_to=dt.date(2027, 5, 19))
    found = occurrences(s, *window(dt.date(2027, 5, 1), 60))
    assert [o.local_date for o in found] == [
        dt.date(2027, 5, 5),
        dt.date(2027, 5, 12),
        dt.date(2027, 5, 19),
    ]


def test_valid_from_starts_the_season() -> None:
    s = schedule("FREQ=WEEKLY;BYDAY=WE", dt.date(2027, 1, 6), valid_from=dt.date(2027, 8, 18))
    found = occurrences(s, *window(dt.date(2027, 8, 1), 21))
    assert [o.local_date for o in found] == [dt.date(2027, 8, 18)]


def test_breaks_skip_school_holidays() -> None:
    s = schedule("FREQ=WEEKLY;BYDAY=MO", dt.date(2026, 12, 7))
    s.breaks = [
        ScheduleBreak(
            starts_on=dt.date(2026, 12, 21), ends_on=dt.date(2027, 1, 3), reason="Juleferie"
        )
    ]
    found = occurrences(s, *window(dt.date(2026, 12, 7), 35))
    assert [o.local_date for o in found] == [
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 14),
        dt.date(2027, 1, 4),
    ]


def test_public_holidays_skipped_when_asked() -> None:
    # 17 May 2027 is a Monday and Norway's national day.
    s = schedule("FREQ=WEEKLY;BYDAY=MO", dt.date(2027, 5, 10), skip_public_holidays=True)
    found = occurrences(s, *window(dt.date(2027, 5, 10), 14))
    assert [o.local_date for o in found] == [dt.date(2027, 5, 10)]
    s.skip_public_holidays = False
    assert len(occurrences(s, *window(dt.date(2027, 5, 10), 14))) == 2


def test_every_other_week_and_nth_weekday_of_month() -> None:
    biweekly = schedule("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", dt.date(2027, 1, 6))
    assert [o.local_date.day for o in occurrences(biweekly, *window(dt.date(2027, 1, 1), 31))] == [
        6,
        20,
    ]
    first_monday = schedule("FREQ=MONTHLY;BYDAY=1MO", dt.date(2027, 1, 4))
    found = occurrences(first_monday, *window(dt.date(2027, 1, 1), 90))
    assert [o.local_date for o in found] == [
        dt.date(2027, 1, 4),
        dt.date(2027, 2, 1),
        dt.date(2027, 3, 1),
    ]


def test_single_date_and_rdates() -> None:
    s = schedule(None, dt.date(2027, 3, 12), rdates=["2027-03-19T17:00:00"])
    found = occurrences(s, *window(dt.date(2027, 3, 1), 31))
    assert [(o.local_date, o.start.time()) for o in found] == [
        (dt.date(2027, 3, 12), dt.time(18, 0)),
        (dt.date(2027, 3, 19), dt.time(17, 0)),
    ]


def test_next_occurrences_merges_schedules_in_order() -> None:
    tuesday = schedule("FREQ=WEEKLY;BYDAY=TU", dt.date(2027, 1, 5))
    thursday = schedule("FREQ=WEEKLY;BYDAY=TH", dt.date(2027, 1, 7), opens_at=dt.time(10, 0))
    found = next_occurrences([thursday, tuesday], dt.datetime(2027, 1, 4, tzinfo=OSLO), count=5)
    assert [o.local_date.day for o in found] == [5, 7, 12, 14, 19]


def test_weekday_mask() -> None:
    assert weekday_mask([schedule("FREQ=WEEKLY;BYDAY=MO,WE", dt.date(2027, 1, 4))]) == 0b101
    assert weekday_mask([schedule("FREQ=DAILY", dt.date(2027, 1, 4))]) == 0b1111111
    assert weekday_mask([schedule(None, dt.date(2027, 1, 9))]) == 1 << 5  # a Saturday


@pytest.mark.parametrize("rule", ["BYDAY=TU", "FREQ=WEEKLY;BYDAY=XX", "FREQ=SOMETIMES", "FREQ"])
def test_invalid_rules_raise_a_clear_error(rule: str) -> None:
    s = schedule(rule, dt.date(2027, 1, 5))
    with pytest.raises(RecurrenceError):
        occurrences(s, *window(dt.date(2027, 1, 1), 10))
