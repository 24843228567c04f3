"""The freshness loop: ask organizations "Still running?", take their one-click answers,
and find what nobody has confirmed for a long time. Functions flush and never commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from directory.accounts.services import send_mail
from directory.db import utcnow
from directory.i18n import _
from directory.listings.models import PUBLIC_STATUSES, Listing, ListingStatus
from directory.moderation.services import author_addresses, change_status, mark_verified, save
from directory.moderation.services import verify as verify_listing
from directory.organizations.models import Organization
from directory.places.models import Municipality
from directory.schedules.models import OSLO

ANSWERS = ("yes", "paused", "ended")
TOKEN_MAX_AGE = 60 * 24 * 3600
# Longer pauses are really an end; the organization can publish again when it restarts.
LONGEST_PAUSE = dt.timedelta(days=366)
VIA = "freshness"


class FreshnessError(ValueError):
    """An answer that cannot be taken as given; the message is for the person."""


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _confirmed_column() -> ColumnElement[dt.datetime]:
    return func.coalesce(Listing.verified_at, Listing.created_at)


def last_confirmed(listing: Listing) -> dt.datetime | None:
    """When someone last said the listing is right (or when it was created)."""
    moment = listing.verified_at or listing.created_at
    return _aware(moment) if moment else None


# -- reads ------------------------------------------------------------------------------


def unconfirmed_since(listing: Listing, now: dt.datetime | None = None) -> dt.date | None:
    """The date of the last confirmation when it is older than UNCONFIRMED_AFTER_DAYS."""
    confirmed = last_confirmed(listing)
    if confirmed is None:
        return None
    limit = dt.timedelta(days=current_app.config["UNCONFIRMED_AFTER_DAYS"])
    if (now or utcnow()) - confirmed < limit:
        return None
    return confirmed.astimezone(ZoneInfo(OSLO)).date()


def stale_listings(
    session: Session,
    municipalities: set[str] | None,
    now: dt.datetime | None = None,
    limit: int = 50,
) -> list[Listing]:
    """Public listings in these municipalities (None: all) unconfirmed for too long,
    oldest first."""
    days = current_app.config["UNCONFIRMED_AFTER_DAYS"]
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    confirmed = _confirmed_column()
    stmt = (
        select(Listing)
        .where(Listing.status.in_(PUBLIC_STATUSES), confirmed < cutoff)
        .order_by(confirmed, Listing.id)
        .limit(limit)
    )
    if municipalities is not None:
        stmt = stmt.where(Listing.municipality_number.in_(municipalities))
    return list(session.scalars(stmt))


def silent_organizations(
    session: Session, municipalities: set[str] | None, limit: int = 50
) -> list[tuple[Organization, int]]:
    """Organizations with public listings asked at least twice without an answer, with
    how many such listings they have, most first."""
    silent = (
        select(Listing.organization_id, func.count(Listing.id).label("listings"))
        .where(Listing.status.in_(PUBLIC_STATUSES), Listing.freshness_unanswered >= 2)
        .group_by(Listing.organization_id)
    )
    if municipalities is not None:
        silent = silent.where(Listing.municipality_number.in_(municipalities))
    counts = silent.subquery()
    stmt = (
        select(Organization, counts.c.listings)
        .join(counts, counts.c.organization_id == Organization.id)
        .order_by(counts.c.listings.desc(), Organization.name, Organization.id)
        .limit(limit)
    )
    return [(organization, int(n)) for organization, n in session.execute(stmt)]


def due_for_asking(session: Session, now: dt.datetime) -> list[Listing]:
    """Published listings unconfirmed for longer than their municipality's freshness_days
    and not asked within FRESHNESS_REMINDER_DAYS, oldest first."""
    reminder_cutoff = now - dt.timedelta(days=current_app.config["FRESHNESS_REMINDER_DAYS"])
    confirmed = _confirmed_column()
    base = (
        select(Listing)
        .join(Municipality, Municipality.number == Listing.municipality_number)
        .where(
            Listing.status == ListingStatus.PUBLISHED,
            or_(
                Listing.freshness_asked_at.is_(None),
                Listing.freshness_asked_at < reminder_cutoff,
            ),
        )
    )
    # One query per distinct freshness_days: date arithmetic on columns differs between
    # SQLite and PostgreSQL, a cutoff computed here does not.
    all_days = session.scalars(select(Municipality.freshness_days).distinct())
    due: list[Listing] = []
    for days in all_days:
        cutoff = now - dt.timedelta(days=days)
        stmt = base.where(Municipality.freshness_days == days, confirmed < cutoff)
        due.extend(session.scalars(stmt))
    due.sort(key=lambda listing: (last_confirmed(listing) or now, listing.id))
    return due


# -- tokens -----------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="freshness")


def make_token(listing: Listing) -> str:
    """A signed token naming the listing and the moment it was asked (valid 60 days)."""
    asked = listing.freshness_asked_at
    if asked is None:
        raise ValueError("make_token needs a listing that was asked")
    return str(_serializer().dumps({"l": listing.id, "a": _aware(asked).isoformat()}))


@dataclass(frozen=True)
class Question:
    """One "Still running?" question as a token names it."""

    listing: Listing
    asked_at: dt.datetime

    @property
    def answered(self) -> bool:
        """Someone confirmed the listing after this question was asked."""
        verified = self.listing.verified_at
        return verified is not None and _aware(verified) >= self.asked_at

    @property
    def open(self) -> bool:
        """The question can still be answered: not answered, the listing still public."""
        return not self.answered and self.listing.status in PUBLIC_STATUSES


def read_question(session: Session, token: str) -> Question | None:
    """The question a valid, unexpired token names, or None."""
    try:
        data: Any = _serializer().loads(token[:500], max_age=TOKEN_MAX_AGE)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict) or not isinstance(data.get("l"), int):
        return None
    try:
        asked_at = _aware(dt.datetime.fromisoformat(str(data.get("a"))))
    except ValueError:
        return None
    listing = session.get(Listing, data["l"])
    return Question(listing, asked_at) if listing is not None else None


# -- writes -----------------------------------------------------------------------------


def ask(session: Session, listing: Listing, now: dt.datetime) -> int:
    """Mail the organization's people "Still running?" with three one-click links;
    return how many mails went out (0 when the organization has no address)."""
    addresses = author_addresses(session, listing)
    if not addresses:
        return 0
    listing.freshness_asked_at = now
    listing.freshness_unanswered += 1
    token = make_token(listing)
    link = {
        answer: url_for("freshness.answer", locale="nb", token=token, answer=answer, _external=True)
        for answer in ANSWERS
    }
    with force_locale("nb"):
        subject = _("Går «%(title)s» fortsatt?", title=listing.title)
        body = "\n\n".join(
            [
                _("Hei!"),
                _(
                    "Dere har «%(title)s» på Lokaltilbud (%(place)s). Vi spør av og til om "
                    "tilbudene fortsatt går, så nye i kommunen finner det som er riktig.",
                    title=listing.title,
                    place=listing.municipality.name,
                ),
                _("Går det fortsatt? Klikk på ett av svarene:"),
                _("Ja, det går som før:") + "\n" + link["yes"],
                _("Det tar pause (dere velger dato for når det starter igjen):")
                + "\n"
                + link["paused"],
                _("Nei, det er avsluttet:") + "\n" + link["ended"],
                _("Du trenger ikke logge inn. Lenkene virker i 60 dager."),
                _("Er noe annet endret, som tid, sted eller kontaktperson? Logg inn og rett det:")
                + "\n"
                + url_for("contribute.edit", locale="nb", listing_id=listing.id, _external=True),
            ]
        )
    for address in addresses:
        send_mail(session, address, subject, body)
    session.flush()
    return len(addresses)


def parse_date(value: str) -> dt.date | None:
    """A date typed as 2026-03-01 (what date fields send) or 1.3.2026, else None."""
    value = value.strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return dt.datetime.strptime(value, "%d.%m.%Y").date()
    except ValueError:
        return None


def answer(
    session: Session,
    listing: Listing,
    answer: str,
    until: dt.date | None,
    today: dt.date | None = None,
) -> None:
    """Apply the organization's answer: "yes" confirms, "paused" pauses until a future
    date, "ended" archives."""
    if answer not in ANSWERS:
        raise FreshnessError(_("Velg ett av svarene."))
    if answer == "yes":
        verify_listing(session, listing, None, via=VIA)
        return
    if answer == "paused":
        today = today or dt.datetime.now(ZoneInfo(OSLO)).date()
        if until is None:
            raise FreshnessError(_("Skriv datoen tilbudet starter igjen, for eksempel 1.9.2026."))
        if until <= today:
            raise FreshnessError(_("Datoen må være etter i dag."))
        if until > today + LONGEST_PAUSE:
            raise FreshnessError(
                _("Velg en dato innen ett år. Tar det lengre pause, svar at det er avsluttet.")
            )
        listing.paused_until = until
        mark_verified(listing)
        if listing.status is ListingStatus.PAUSED:
            save(session, listing, None, via=VIA)
        else:
            change_status(session, listing, ListingStatus.PAUSED, None, via=VIA)
        return
    # The organization did answer, so the question is settled as well as the status.
    mark_verified(listing)
    change_status(session, listing, ListingStatus.ARCHIVED, None, via=VIA)


def paused_to_resume(session: Session, today: dt.date) -> list[Listing]:
    """Paused listings whose pause has ended by ``today``."""
    stmt = select(Listing).where(
        Listing.status == ListingStatus.PAUSED,
        Listing.paused_until.is_not(None),
        Listing.paused_until <= today,
    )
    return list(session.scalars(stmt))


def resume_paused(session: Session, today: dt.date) -> list[Listing]:
    """Publish again the paused listings whose paused_until has come."""
    listings = paused_to_resume(session, today)
    for listing in listings:
        change_status(session, listing, ListingStatus.PUBLISHED, None, via=VIA)
    return listings


# -- command line -----------------------------------------------------------------------


def register_cli(app: Flask) -> None:
    """Attach the freshness command group (run `flask freshness send` daily)."""
    group = AppGroup("freshness", help='The "Still running?" loop.')

    @group.command("send")
    @click.option("--dry-run", is_flag=True, help="Only count; change and send nothing.")
    def send_command(dry_run: bool) -> None:
        """Resume paused listings whose date has come and ask every due listing."""
        from directory.extensions import db

        session = db.session()
        now = utcnow()
        today = now.astimezone(ZoneInfo(OSLO)).date()
        if dry_run:
            resumed = len(paused_to_resume(session, today))
            due = len(due_for_asking(session, now))
            click.echo(f"Dry run: {resumed} paused listings to resume, {due} listings to ask.")
            return
        # Links in the mail are absolute, pointing at the public site.
        with app.test_request_context(base_url=app.config["PUBLIC_URL"]):
            resumed = len(resume_paused(session, today))
            asked = unreachable = mails = 0
            for listing in due_for_asking(session, now):
                sent = ask(session, listing, now)
                mails += sent
                asked += bool(sent)
                unreachable += not sent
            session.commit()
        click.echo(
            f"{resumed} paused listings resumed, {asked} listings asked ({mails} mails), "
            f"{unreachable} without an address."
        )

    app.cli.add_command(group)
