"""Bulk-written listings (importers) come out as listings saved one at a time do."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.db import Base, reserve_ids
from directory.listings.bulk import insert_new
from directory.listings.drafts import BreakDraft, ListingDraft, ScheduleDraft
from directory.listings.models import Listing, ListingKind, ListingStatus, Offer
from directory.listings.services import ListingValidationError, prepare_listing
from directory.moderation.models import Revision, StatusChange
from directory.moderation.services import record_revision, snapshot
from directory.schedules.models import Schedule, ScheduleBreak
from directory.search import hooks
from directory.search.models import SearchOutbox
from directory.taxonomy.models import Category, TargetGroup
from tests.factories import make_organization, make_venue


def _drafts(session: Session, count: int, **fields: object) -> list[ListingDraft]:
    categories = {c.slug: c for c in session.scalars(select(Category))}
    groups = {g.slug: g for g in session.scalars(select(TargetGroup))}
    organization = make_organization(session, name="Frivilligsentralen")
    venue = make_venue(session, name="Biblioteket")
    drafts = []
    for n in range(count):
        draft = ListingDraft(
            kind=ListingKind.OFFER,
            organization=organization,
            municipality_number=organization.municipality_number,
            primary_category=categories["homework-help"],
            categories=[categories["language-cafe"]],
            target_groups=[groups["women"]],
            origin="import:test",
            external_id=f"row-{n}",
            venue=venue,
            language_codes=["uk", "nb"],
            status=ListingStatus.PUBLISHED,
            title=f"Kvinnekafé {n}",
            summary="Prat og kaffe.",
            schedules=[
                ScheduleDraft(
                    dtstart=dt.date(2026, 1, 7),
                    opens_at=dt.time(18, 30),
                    closes_at=dt.time(20),
                    rrule="FREQ=WEEKLY;BYDAY=WE",
                    exdates=["2026-01-14"],
                    breaks=[BreakDraft(dt.date(2026, 6, 20), dt.date(2026, 8, 16), "Sommer")],
                ),
                ScheduleDraft(dtstart=dt.date(2026, 1, 10), opens_at=dt.time(11)),
            ],
        )
        for name, value in fields.items():
            setattr(draft, name, value)
        drafts.append(prepare_listing(draft))
    return drafts


def test_a_draft_is_checked_by_the_same_rules_as_a_form(app: Flask, db_session: Session) -> None:
    with app.test_request_context(), pytest.raises(ListingValidationError) as error:
        _drafts(db_session, 1, title=" ", registration_required=True)
    assert set(error.value.errors) == {"title", "registration_info"}


def test_bulk_listings_have_everything_a_saved_one_has(app: Flask, db_session: Session) -> None:
    with app.test_request_context():
        drafts = _drafts(db_session, 3)
        outbox_before = db_session.scalar(select(func.count()).select_from(SearchOutbox))
        insert_new(db_session, drafts, via="import:test")
    assert db_session.info.pop(hooks.DIRTY_FLAG) is True
    draft = drafts[1]
    listing = db_session.get(Listing, draft.id)
    assert isinstance(listing, Offer)
    assert listing.title == "Kvinnekafé 1"
    # prepare_listing put the primary category first among the categories
    assert [c.slug for c in listing.categories] == ["homework-help", "language-cafe"]
    assert listing.target_slugs == {"women"}
    assert listing.language_codes == ["uk", "nb"]
    assert listing.weekday_mask == (1 << 2) | (1 << 5)  # Wednesday and Saturday
    assert (listing.evening, listing.daytime) == (True, True)
    assert listing.content_hash == draft.content_hash
    assert len(draft.content_hash or "") == 64
    weekly, single = listing.schedules
    assert weekly.exdates == ["2026-01-14"]
    assert [(b.starts_on, b.reason) for b in weekly.breaks] == [(dt.date(2026, 6, 20), "Sommer")]
    assert (single.rrule, single.opens_at, single.breaks) == (None, dt.time(11), [])
    # What the history page and restore read is exactly the listing's own snapshot.
    [revision] = db_session.scalars(select(Revision).where(Revision.listing_id == listing.id))
    assert revision.snapshot == snapshot(listing)
    assert revision.changes["title"] == [None, "Kvinnekafé 1"]
    assert revision.via == "import:test"
    assert record_revision(db_session, listing) is None  # nothing differs from it
    [change] = db_session.scalars(select(StatusChange).where(StatusChange.listing_id == listing.id))
    assert (change.from_status, change.to_status) == (None, ListingStatus.PUBLISHED)
    outbox = db_session.scalars(
        select(SearchOutbox.listing_id).order_by(SearchOutbox.id).offset(outbox_before)
    ).all()
    assert outbox == [d.id for d in drafts]
    # Each schedule got its own id and its breaks point at the right one.
    breaks = db_session.scalars(
        select(ScheduleBreak.schedule_id)
        .join(Schedule)
        .where(Schedule.listing_id.in_([d.id for d in drafts]))
    ).all()
    assert len(set(breaks)) == 3


def test_reserved_ids_follow_those_in_use(app: Flask, db_session: Session) -> None:
    with app.test_request_context():
        insert_new(db_session, _drafts(db_session, 2), via="import:test")
    table = Base.metadata.tables["schedule"]
    highest = db_session.scalar(select(func.max(Schedule.id)))
    ids = reserve_ids(db_session, table, 3)
    assert len(set(ids)) == 3
    assert min(ids) > highest
    assert reserve_ids(db_session, table, 0) == []
