"""Writing many new listings at once: one statement per table instead of one per row.

Used by importers, whose drafts have passed ``prepare_listing`` like any form's listing.
Each listing gets what a listing saved one at a time gets: its schedules and breaks,
categories, target groups and languages, its first revision and status change, and a
search outbox row, all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from directory.db import reserve_ids, utcnow
from directory.listings.drafts import ListingDraft
from directory.listings.models import (
    Listing,
    ListingLanguage,
    listing_category,
    listing_target_group,
)
from directory.moderation.models import Revision, StatusChange
from directory.moderation.services import revision_changes, snapshot
from directory.schedules.models import Schedule, ScheduleBreak
from directory.search import hooks
from directory.search.models import SearchOutbox


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def insert_new(session: Session, drafts: Sequence[ListingDraft], via: str = "") -> None:
    """Write ``drafts`` as new listings and set each draft's ``id``. Organizations and
    venues they name that are new are flushed first. No commit."""
    if not drafts:
        return
    session.flush()  # new organizations and venues get their ids
    listings = _table(Listing)
    result = session.execute(
        insert(listings).returning(listings.c.id, listings.c.origin, listings.c.external_id),
        [draft.row() for draft in drafts],
    )
    ids = {(origin, external_id): id_ for id_, origin, external_id in result}
    for draft in drafts:
        draft.id = ids[(draft.origin, draft.external_id)]

    schedules = [(draft.id, s) for draft in drafts if draft.id for s in draft.schedules]
    schedule_ids = reserve_ids(session, _table(Schedule), len(schedules))
    schedule_rows, break_rows = [], []
    for (listing_id, schedule), schedule_id in zip(schedules, schedule_ids, strict=True):
        schedule_rows.append(schedule.row(schedule_id, listing_id))
        break_rows += [
            {
                "schedule_id": schedule_id,
                "starts_on": b.starts_on,
                "ends_on": b.ends_on,
                "reason": b.reason,
            }
            for b in schedule.breaks
        ]
    now = utcnow()
    rows: dict[Table, list[dict[str, Any]]] = {
        _table(Schedule): schedule_rows,
        _table(ScheduleBreak): break_rows,
        listing_category: [
            {"listing_id": d.id, "category_id": c.id} for d in drafts for c in d.categories
        ],
        listing_target_group: [
            {"listing_id": d.id, "target_group_id": g.id} for d in drafts for g in d.target_groups
        ],
        _table(ListingLanguage): [
            {"listing_id": d.id, "code": code, "position": position}
            for d in drafts
            for position, code in enumerate(d.language_codes)
        ],
        _table(Revision): [_first_revision(d, via, now) for d in drafts],
        _table(StatusChange): [
            {
                "listing_id": d.id,
                "from_status": None,
                "to_status": d.status,
                "reason": "",
                "created_at": now,
            }
            for d in drafts
        ],
        _table(SearchOutbox): [{"listing_id": d.id, "created_at": now} for d in drafts],
    }
    for table, table_rows in rows.items():
        if table_rows:
            session.execute(insert(table), table_rows)
    session.info[hooks.DIRTY_FLAG] = True  # the search index catches up after commit


def _first_revision(draft: ListingDraft, via: str, now: object) -> dict[str, Any]:
    state = snapshot(draft)
    return {
        "listing_id": draft.id,
        "user_id": None,
        "via": via,
        "version": draft.version,
        "changes": revision_changes({}, state),
        "snapshot": state,
        "created_at": now,
    }
