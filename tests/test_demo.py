"""The demo set is realistic, complete and always marked as examples."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.demo.loader import DEMO_ORIGIN, REFRESH_PERIOD, refresh_demo_events
from directory.listings.models import Event, Listing, Offer
from directory.listings.services import upcoming_events
from directory.schedules.models import Schedule
from directory.schedules.recurrence import now_in_oslo

DEMO_PLACES = {
    "5501": "Tromsø",
    "1508": "Ålesund",
    "1108": "Sandnes",
    "1103": "Stavanger",
    "3301": "Drammen",
    "0301": "Oslo",
    "4601": "Bergen",
    "5601": "Alta",
    "4202": "Grimstad",
    "4626": "Øygarden",
    "3201": "Bærum",
}
VESTERALEN = {"1851", "1866", "1867", "1868", "1870", "1871"}


def count(session: Session, model: type[Listing]) -> int:
    return (
        session.scalar(select(func.count()).select_from(model).where(model.origin == DEMO_ORIGIN))
        or 0
    )


def test_demo_has_enough_offers_and_events(db_session: Session) -> None:
    assert count(db_session, Offer) >= 60
    assert count(db_session, Event) >= 30


def test_every_demo_place_has_listings(db_session: Session) -> None:
    numbers = set(db_session.scalars(select(Listing.municipality_number).distinct()))
    assert set(DEMO_PLACES) <= numbers
    assert numbers & VESTERALEN


def test_every_demo_listing_is_marked_as_example(client: FlaskClient, db_session: Session) -> None:
    listing = db_session.scalars(select(Offer).where(Offer.origin == DEMO_ORIGIN)).first()
    assert listing is not None
    page = client.get(f"/nb/offer/{listing.id}").get_data(as_text=True)
    assert "Dette er et eksempel" in page
    listing_page = client.get(f"/nb/municipality/{listing.municipality_number}").get_data(
        as_text=True
    )
    cards = listing_page.count('<li class="card">')
    assert cards > 0
    assert listing_page.count('<li class="b-example">') == cards


def test_next_14_days_have_events_in_the_demo_places(app: object, db_session: Session) -> None:
    now = now_in_oslo()
    with_events = [n for n in DEMO_PLACES if upcoming_events(n, now, 14)]
    assert len(with_events) >= 8


def test_refresh_moves_past_events_forward_keeping_weekday(db_session: Session) -> None:
    schedule = db_session.scalars(
        select(Schedule)
        .join(Listing)
        .where(Listing.origin == DEMO_ORIGIN, Schedule.rrule.is_(None))
    ).first()
    assert schedule is not None
    today = now_in_oslo().date()
    schedule.dtstart = today - dt.timedelta(days=100)
    weekday = schedule.dtstart.weekday()
    assert refresh_demo_events(db_session) >= 1
    assert today <= schedule.dtstart < today + REFRESH_PERIOD
    assert schedule.dtstart.weekday() == weekday
