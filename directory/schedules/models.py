"""A schedule is an RFC 5545 recurrence in Europe/Oslo (HSDS schedule)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base, int_pk

OSLO = "Europe/Oslo"


class Schedule(Base):
    """When a listing happens: first date, times and an optional RRULE with exceptions.

    ``rrule`` holds the RRULE value without its name (``FREQ=WEEKLY;BYDAY=TU``); no rule
    means a single occurrence on ``dtstart`` plus any ``rdates``. ``exdates`` are local
    dates, ``rdates`` local date-times (ISO 8601), both in ``timezone``. An ``all_day``
    occurrence runs from midnight to midnight; ``span_days`` makes it last several days.
    """

    __tablename__ = "schedule"

    id: Mapped[int_pk]
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listing.id", ondelete="CASCADE"), index=True
    )
    dtstart: Mapped[dt.date]
    opens_at: Mapped[dt.time]
    closes_at: Mapped[dt.time | None]
    rrule: Mapped[str | None] = mapped_column(String(500))
    rdates: Mapped[list[str]] = mapped_column(default=list)
    exdates: Mapped[list[str]] = mapped_column(default=list)
    valid_from: Mapped[dt.date | None]
    valid_to: Mapped[dt.date | None]
    timezone: Mapped[str] = mapped_column(String(40), default=OSLO)
    skip_public_holidays: Mapped[bool] = mapped_column(default=False)
    # An occurrence ends this many days after it starts (multi-day and multi-week events).
    span_days: Mapped[int] = mapped_column(default=0, server_default="0")
    all_day: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    notes: Mapped[str] = mapped_column(String(500), default="")

    breaks: Mapped[list[ScheduleBreak]] = relationship(
        cascade="all, delete-orphan", order_by="ScheduleBreak.starts_on", lazy="selectin"
    )


class ScheduleBreak(Base):
    """A pause in a recurring schedule, e.g. the school summer holiday."""

    __tablename__ = "schedule_break"

    id: Mapped[int_pk]
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("schedule.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(String(200), default="")
