"""Curation rules in one place: status changes, revisions and restoring them, reviewers'
messages to authors. Functions take the session, flush and never commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.accounts.models import Role, RoleGrant, User
from directory.accounts.services import send_mail
from directory.db import utcnow
from directory.i18n import _
from directory.listings.drafts import ListingDraft, ScheduleDraft
from directory.listings.models import Eligibility, Listing, ListingStatus
from directory.listings.services import save_listing
from directory.moderation.models import Revision, StatusChange
from directory.schedules.models import OSLO, Schedule, ScheduleBreak
from directory.taxonomy.models import Category, TargetGroup

S = ListingStatus
# Which status may follow which. Pending → draft is "changes requested".
TRANSITIONS: dict[ListingStatus, frozenset[ListingStatus]] = {
    S.DRAFT: frozenset({S.PENDING, S.PUBLISHED, S.ARCHIVED}),
    S.PENDING: frozenset({S.PUBLISHED, S.REJECTED, S.DRAFT, S.ARCHIVED}),
    S.PUBLISHED: frozenset({S.PAUSED, S.FULL, S.ARCHIVED, S.PENDING}),
    S.PAUSED: frozenset({S.PUBLISHED, S.FULL, S.ARCHIVED, S.PENDING}),
    S.FULL: frozenset({S.PUBLISHED, S.PAUSED, S.ARCHIVED, S.PENDING}),
    S.ARCHIVED: frozenset({S.DRAFT, S.PUBLISHED}),
    S.REJECTED: frozenset({S.DRAFT, S.PENDING}),
}
# Statuses only a coordinator (or a trusted organization, for publishing) may set.
REVIEW_STATUSES = frozenset({S.PUBLISHED, S.REJECTED})

SCALAR_FIELDS = (
    *Listing.__translatable__,
    "online_url",
    "min_age",
    "max_age",
    "is_free",
    "registration_required",
    "childcare",
    "no_documents",
    "contact_name",
    "contact_phone",
    "contact_email",
    "venue_id",
    "primary_category_id",
)


class TransitionError(ValueError):
    """A status change that the rules do not allow, with a message for the person."""


# -- revisions (the audit log) ----------------------------------------------------------


def schedule_facts(schedule: Schedule | ScheduleDraft) -> dict[str, Any]:
    """Everything a schedule says, as JSON-ready values (revisions, imports, the form)."""
    return {
        "dtstart": schedule.dtstart.isoformat(),
        "opens_at": schedule.opens_at.isoformat(timespec="minutes"),
        "closes_at": schedule.closes_at.isoformat(timespec="minutes")
        if schedule.closes_at
        else None,
        "rrule": schedule.rrule,
        "rdates": list(schedule.rdates or []),
        "exdates": list(schedule.exdates or []),
        "valid_from": schedule.valid_from.isoformat() if schedule.valid_from else None,
        "valid_to": schedule.valid_to.isoformat() if schedule.valid_to else None,
        "skip_public_holidays": schedule.skip_public_holidays,
        "notes": schedule.notes,
        "timezone": schedule.timezone or OSLO,
        "span_days": schedule.span_days or 0,
        "all_day": bool(schedule.all_day),
        "breaks": [
            [b.starts_on.isoformat(), b.ends_on.isoformat(), b.reason] for b in schedule.breaks
        ],
    }


def schedule_from_facts(item: dict[str, Any]) -> Schedule:
    """A schedule back from ``schedule_facts`` (restore, and imports' conflict lines)."""
    return Schedule(
        dtstart=dt.date.fromisoformat(item["dtstart"]),
        opens_at=dt.time.fromisoformat(item["opens_at"]),
        closes_at=_time(item.get("closes_at")),
        rrule=item.get("rrule"),
        rdates=item.get("rdates", []),
        exdates=item.get("exdates", []),
        valid_from=_date(item.get("valid_from")),
        valid_to=_date(item.get("valid_to")),
        skip_public_holidays=item.get("skip_public_holidays", False),
        notes=item.get("notes", ""),
        timezone=item.get("timezone", OSLO),
        span_days=item.get("span_days", 0),
        all_day=item.get("all_day", False),
        breaks=[
            ScheduleBreak(
                starts_on=dt.date.fromisoformat(start),
                ends_on=dt.date.fromisoformat(end),
                reason=reason,
            )
            for start, end, reason in item.get("breaks", [])
        ],
    )


def snapshot(listing: Listing | ListingDraft) -> dict[str, Any]:
    """Everything an editor can change about a listing, as JSON-ready values."""
    facts: dict[str, Any] = {name: getattr(listing, name) for name in SCALAR_FIELDS}
    facts["eligibility"] = listing.eligibility.value
    facts["status"] = listing.status.value
    facts["categories"] = sorted(c.id for c in listing.categories)
    facts["target_groups"] = sorted(t.id for t in listing.target_groups)
    facts["languages"] = listing.language_codes
    facts["schedules"] = [schedule_facts(s) for s in listing.schedules]
    return facts


def latest_revision(session: Session, listing: Listing) -> Revision | None:
    """The most recent saved state of a listing."""
    stmt = (
        select(Revision)
        .where(Revision.listing_id == listing.id)
        .order_by(Revision.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def revision_changes(before: dict[str, Any], state: dict[str, Any]) -> dict[str, list[Any]]:
    """What differs between two snapshots: field → [value before, value after]."""
    return {
        name: [before.get(name), value]
        for name, value in state.items()
        if before.get(name) != value
    }


def record_revision(
    session: Session,
    listing: Listing,
    actor: User | None = None,
    via: str = "",
    new: bool = False,
) -> Revision | None:
    """Add a revision when the listing differs from its last one (call after a flush;
    ``new`` says the listing was just created, so there is no last one to look up)."""
    state = snapshot(listing)
    previous = None if new else latest_revision(session, listing)
    before = previous.snapshot if previous else {}
    changes = revision_changes(before, state)
    if previous is not None and not changes:
        return None
    revision = Revision(
        listing_id=listing.id,
        user_id=actor.id if actor else None,
        via=via,
        version=listing.version,
        changes=changes,
        snapshot=state,
    )
    session.add(revision)  # written with the next flush (autoflush precedes every query)
    return revision


def history(session: Session, listing: Listing) -> list[Revision]:
    """A listing's revisions, newest first."""
    stmt = select(Revision).where(Revision.listing_id == listing.id).order_by(Revision.id.desc())
    return list(session.scalars(stmt))


def changes_since(session: Session, listing: Listing, version: int) -> dict[str, list[Any]]:
    """What others changed after ``version``: field → [value then, value now]."""
    stmt = (
        select(Revision)
        .where(Revision.listing_id == listing.id, Revision.version > version)
        .order_by(Revision.id)
    )
    merged: dict[str, list[Any]] = {}
    for revision in session.scalars(stmt):
        for name, (old, new) in revision.changes.items():
            merged[name] = [merged[name][0] if name in merged else old, new]
    return {name: pair for name, pair in merged.items() if pair[0] != pair[1]}


def save(session: Session, listing: Listing, actor: User | None = None, via: str = "") -> Listing:
    """Validate and flush a listing, then record the revision: the one write path for
    forms, the back office and importers."""
    new = listing.id is None
    save_listing(session, listing)
    record_revision(session, listing, actor, via, new=new)
    return listing


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def restore(session: Session, listing: Listing, revision: Revision, actor: User | None) -> Listing:
    """Put a listing's content back as it was in ``revision`` (its status stays)."""
    if revision.listing_id != listing.id:
        raise TransitionError(_("Denne versjonen hører til en annen oppføring."))
    facts = revision.snapshot
    for name in SCALAR_FIELDS:
        if name in facts:
            setattr(listing, name, facts[name])
    listing.eligibility = Eligibility(facts.get("eligibility", Eligibility.OPEN.value))
    primary = session.get(Category, facts["primary_category_id"])
    if primary is not None:
        listing.primary_category = primary
    listing.categories = [
        c for c in (session.get(Category, i) for i in facts.get("categories", [])) if c
    ]
    listing.target_groups = [
        t for t in (session.get(TargetGroup, i) for i in facts.get("target_groups", [])) if t
    ]
    from directory.contribute.services import set_languages

    set_languages(listing, list(facts.get("languages", [])))
    listing.schedules = [schedule_from_facts(item) for item in facts.get("schedules", [])]
    return save(session, listing, actor, via="restore")


# -- status changes ---------------------------------------------------------------------


def change_status(
    session: Session,
    listing: Listing,
    to: ListingStatus,
    actor: User | None,
    reason: str = "",
    via: str = "",
) -> StatusChange:
    """Move a listing to another status, recording who and why."""
    before = listing.status
    if to not in TRANSITIONS[before]:
        raise TransitionError(
            _("En oppføring med status «%(a)s» kan ikke bli «%(b)s».", a=before.label, b=to.label)
        )
    if to is S.REJECTED and not reason.strip():
        raise TransitionError(_("Skriv hvorfor oppføringen ikke kan publiseres."))
    listing.status = to
    if to is S.PUBLISHED and before in (S.DRAFT, S.PENDING, S.ARCHIVED, S.REJECTED):
        mark_verified(listing)
    if to is not S.PAUSED:
        listing.paused_until = None
    change = StatusChange(
        listing_id=listing.id,
        from_status=before,
        to_status=to,
        user_id=actor.id if actor else None,
        reason=reason.strip()[:2000],
    )
    session.add(change)
    save(session, listing, actor, via)
    return change


def mark_verified(listing: Listing | ListingDraft) -> None:
    """Someone who knows has said the listing is still right today."""
    listing.verified_at = utcnow()
    listing.freshness_asked_at = None
    listing.freshness_unanswered = 0


def submit(session: Session, listing: Listing, actor: User, may_publish: bool) -> StatusChange:
    """Send a listing for review, or publish it at once when its organization is trusted
    or the author curates the municipality (``may_publish``)."""
    publish = may_publish or listing.organization.trusted
    return change_status(session, listing, S.PUBLISHED if publish else S.PENDING, actor)


def approve(session: Session, listing: Listing, actor: User) -> StatusChange:
    """A coordinator publishes a pending listing; its authors are told."""
    change = change_status(session, listing, S.PUBLISHED, actor)
    notify_authors(session, listing, change)
    return change


def reject(session: Session, listing: Listing, actor: User, reason: str) -> StatusChange:
    """A coordinator turns a listing down, saying why; its authors are told."""
    change = change_status(session, listing, S.REJECTED, actor, reason)
    notify_authors(session, listing, change)
    return change


def request_changes(session: Session, listing: Listing, actor: User, reason: str) -> StatusChange:
    """A coordinator sends a pending listing back to its authors with a message."""
    if listing.status is not S.PENDING:
        raise TransitionError(_("Bare oppføringer som venter på godkjenning kan sendes tilbake."))
    if not reason.strip():
        raise TransitionError(_("Skriv hva som må endres."))
    change = change_status(session, listing, S.DRAFT, actor, reason)
    notify_authors(session, listing, change)
    return change


def verify(session: Session, listing: Listing, actor: User | None, via: str = "") -> None:
    """Confirm that a listing is still right (coordinator, or the organization's answer)."""
    mark_verified(listing)
    save(session, listing, actor, via)


def last_message(session: Session, listing: Listing) -> StatusChange | None:
    """The reviewer's latest status change with a reason, for the author to read."""
    stmt = (
        select(StatusChange)
        .where(StatusChange.listing_id == listing.id, StatusChange.reason != "")
        .order_by(StatusChange.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def organization_members(session: Session, organization_id: int) -> list[User]:
    """Everyone who writes for an organization."""
    stmt = (
        select(User)
        .join(RoleGrant)
        .where(
            RoleGrant.organization_id == organization_id,
            RoleGrant.role.in_((Role.VOLUNTEER, Role.ORGANIZATION_EDITOR)),
            User.active.is_(True),
        )
        .distinct()
    )
    return list(session.scalars(stmt))


def author_addresses(session: Session, listing: Listing) -> list[str]:
    """Where news about a listing goes: its organization's members, else the
    organization's or the listing's own address."""
    addresses = [user.email for user in organization_members(session, listing.organization_id)]
    if not addresses:
        addresses = [a for a in (listing.organization.email, listing.contact_email) if a][:1]
    return sorted(set(addresses))


def notify_authors(session: Session, listing: Listing, change: StatusChange) -> None:
    """Mail the authors what a reviewer decided, with the reviewer's words."""
    link = url_for("contribute.edit", listing_id=listing.id, _external=True)
    subjects = {
        S.PUBLISHED: _("«%(title)s» er publisert", title=listing.title),
        S.REJECTED: _("«%(title)s» ble ikke publisert", title=listing.title),
        S.DRAFT: _("«%(title)s» trenger endringer", title=listing.title),
    }
    subject = subjects.get(change.to_status)
    if subject is None:
        return
    body = subject
    if change.reason:
        body += "\n\n" + _("Melding fra koordinatoren:") + "\n" + change.reason
    body += "\n\n" + link
    for address in author_addresses(session, listing):
        send_mail(session, address, subject, body)
