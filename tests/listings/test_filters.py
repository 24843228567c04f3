"""Each filter on the municipality page narrows the offers correctly."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from directory.extensions import db
from directory.listings.models import Listing, ListingStatus
from directory.listings.services import ListingFilters, municipality_offers
from tests.factories import EMPTY_MUNICIPALITY, make_listing, weekly


def titles(**args: str) -> set[str]:
    filters = ListingFilters.from_args(args)
    return {
        listing.title
        for listing in db.session.scalars(municipality_offers(EMPTY_MUNICIPALITY, filters))
    }


@pytest.fixture
def offers(db_session: Session) -> dict[str, Listing]:
    return {
        "cafe": make_listing(
            db_session,
            title="cafe",
            category="language-cafe",
            languages=("nb", "uk"),
            is_free=True,
            schedules=[weekly("TU", "18:00", "20:00")],
        ),
        "swim": make_listing(
            db_session,
            title="swim",
            category="swimming",
            targets=("women",),
            childcare=True,
            is_free=False,
            cost_text="50 kr",
            registration_required=True,
            registration_info="SMS til 400 00 000",
            languages=("nb", "ar"),
            schedules=[weekly("SA", "11:00", "12:30")],
        ),
        "homework": make_listing(
            db_session,
            title="homework",
            category="homework-help",
            targets=("children", "youth"),
            languages=("nb", "so"),
            schedules=[weekly("MO,WE", "15:00", "17:00")],
        ),
        "draft": make_listing(db_session, title="draft", status=ListingStatus.DRAFT),
        "archived": make_listing(db_session, title="archived", status=ListingStatus.ARCHIVED),
        "paused": make_listing(
            db_session,
            title="paused",
            status=ListingStatus.PAUSED,
            schedules=[weekly("TH", "10:00", "12:00")],
        ),
    }


def test_without_filters_only_public_statuses(offers: dict[str, Listing]) -> None:
    assert titles() == {"cafe", "swim", "homework", "paused"}


def test_category_includes_subcategories(offers: dict[str, Listing]) -> None:
    assert titles(category="sports-outdoor") == {"swim"}
    assert titles(category="swimming") == {"swim"}
    assert titles(category="language") == {"cafe", "paused"}
    assert titles(category="no-such-category") == set()


def test_target_group_and_women_only(offers: dict[str, Listing]) -> None:
    assert titles(target="youth") == {"homework"}
    assert titles(women="1") == {"swim"}
    assert titles(target="children", women="1") == set()


def test_language_spoken(offers: dict[str, Listing]) -> None:
    assert titles(language="uk") == {"cafe"}
    assert titles(language="nb") == {"cafe", "swim", "homework", "paused"}


def test_free_dropin_childcare(offers: dict[str, Listing]) -> None:
    assert "swim" not in titles(free="1")
    assert titles(free="1") == {"cafe", "homework", "paused"}
    assert titles(dropin="1") == {"cafe", "homework", "paused"}
    assert titles(childcare="1") == {"swim"}


def test_day_of_week(offers: dict[str, Listing]) -> None:
    assert titles(day="we") == {"homework"}
    assert titles(day="tu") == {"cafe"}
    assert titles(day="su") == set()


def test_time_of_day(offers: dict[str, Listing]) -> None:
    assert titles(time="evening") == {"cafe"}
    assert titles(time="daytime") == {"swim", "homework", "paused"}
    assert titles(time="weekend") == {"swim"}


def test_filters_combine(offers: dict[str, Listing]) -> None:
    assert titles(free="1", time="daytime", language="so") == {"homework"}


@pytest.mark.parametrize(
    "args",
    [
        {"day": "funday"},
        {"time": "'; DROP TABLE listing; --"},
        {"language": "x" * 500},
        {"category": "språk"},
        {"free": "maybe"},
    ],
)
def test_nonsense_values_are_ignored(offers: dict[str, Listing], args: dict[str, str]) -> None:
    result = titles(**args)
    assert result <= {"cafe", "swim", "homework", "paused"}


def test_filters_round_trip_as_query_parameters() -> None:
    filters = ListingFilters.from_args(
        {"category": "swimming", "free": "1", "day": "sa", "page": "2"}
    )
    assert filters.as_args() == {"category": "swimming", "day": "sa", "free": "1"}
    assert filters.as_args(category=None) == {"day": "sa", "free": "1"}
    assert filters.active == ("category", "day", "free")


def test_evening_start_time_boundary(db_session: Session) -> None:
    listing = make_listing(db_session, schedules=[weekly("FR", "16:30", "18:00")])
    assert listing.evening is True
    assert listing.daytime is False
    assert listing.weekday_mask == 1 << 4
    assert dt.time(16, 30) == listing.schedules[0].opens_at
