"""Turning the plain-words form into a listing and back, and inviting members."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from directory.accounts.models import Role, RoleGrant, User
from directory.accounts.services import grant, normalize_email
from directory.contribute.forms import ListingForm, parse_breaks, parse_days
from directory.i18n import UI_LOCALES
from directory.listings.models import Eligibility, Listing, ListingLanguage
from directory.markup import strip_tags
from directory.organizations.models import Organization
from directory.places.models import Venue
from directory.schedules.models import Schedule, ScheduleBreak
from directory.schedules.recurrence import parse_rrule
from directory.taxonomy.models import Category, TargetGroup

# Spoken languages offered as checkboxes: the interface languages and a few more that
# newcomers in Norway often speak.
SPOKEN_LANGUAGES = (*UI_LOCALES, "prs", "ps", "sw", "es", "fr")
INVITE_MAX_AGE = 14 * 24 * 3600
TEXT_FIELDS = (
    "title",
    "summary",
    "description",
    "cost_text",
    "registration_info",
    "eligibility_note",
    "contact_name",
    "contact_phone",
    "contact_email",
    "online_url",
)
FLAGS = ("is_free", "registration_required", "childcare", "no_documents")


def fill_choices(form: ListingForm, session: Session, municipality: str, locale: str) -> None:
    """Categories, target groups, languages and the municipality's venues."""
    from directory.i18n import language_info

    categories = session.scalars(select(Category).order_by(Category.position)).all()
    labels = [SelectChoice(c.id, c.localized("label", locale).text) for c in categories]
    form.primary_category.choices = labels
    form.categories.choices = labels
    groups = session.scalars(select(TargetGroup).order_by(TargetGroup.position)).all()
    form.target_groups.choices = [
        SelectChoice(t.id, t.localized("label", locale).text) for t in groups
    ]
    form.languages.choices = [
        SelectChoice(code, language_info(code).native_name) for code in SPOKEN_LANGUAGES
    ]
    venues = session.scalars(
        select(Venue).where(Venue.municipality_number == municipality).order_by(Venue.name)
    ).all()
    from directory.i18n import _

    form.venue.choices = [
        SelectChoice("", _("Ikke noe fast sted (digitalt)")),
        *(SelectChoice(str(v.id), f"{v.name}, {v.street_address}".rstrip(", ")) for v in venues),
        SelectChoice("new", _("Et nytt sted …")),
    ]


def form_data(listing: Listing) -> dict[str, Any]:
    """The form's values for an existing listing (its first schedule)."""
    data: dict[str, Any] = {name: getattr(listing, name) for name in (*TEXT_FIELDS, *FLAGS)}
    data.update(
        version=str(listing.version),
        primary_category=listing.primary_category_id,
        categories=[c.id for c in listing.categories if c.id != listing.primary_category_id],
        target_groups=[t.id for t in listing.target_groups],
        languages=listing.language_codes,
        venue=str(listing.venue_id) if listing.venue_id else "",
        eligibility=listing.eligibility.value,
        min_age=listing.min_age,
        max_age=listing.max_age,
    )
    if listing.schedules:
        data.update(schedule_data(listing.schedules[0]))
    return data


def schedule_data(schedule: Schedule) -> dict[str, Any]:
    """The recurrence editor's values for a schedule."""
    data: dict[str, Any] = {
        "starts_on": schedule.dtstart,
        "opens_at": schedule.opens_at,
        "closes_at": schedule.closes_at,
        "valid_to": schedule.valid_to,
        "skip_public_holidays": schedule.skip_public_holidays,
        "extra_dates": "\n".join(
            dt.date.fromisoformat(d[:10]).strftime("%d.%m.%Y") for d in schedule.rdates or []
        ),
        "breaks": "\n".join(
            f"{b.starts_on:%d.%m.%Y}–{b.ends_on:%d.%m.%Y} {b.reason}".strip()
            for b in schedule.breaks
        ),
        "pattern": "once",
        "weekdays": [],
    }
    if schedule.rrule:
        parts = parse_rrule(schedule.rrule)
        days = [d for d in parts.get("BYDAY", "").split(",") if d]
        if parts["FREQ"] == "MONTHLY" and days:
            data.update(pattern="monthly", nth=days[0][:-2] or "1", weekdays=[days[0][-2:]])
        elif parts["FREQ"] == "WEEKLY":
            every_other = parts.get("INTERVAL") == "2"
            data.update(pattern="biweekly" if every_other else "weekly", weekdays=days)
    return data


def build_schedule(form: ListingForm) -> Schedule:
    """One schedule from the recurrence editor."""
    pattern, days = form.pattern.data, form.weekdays.data or []
    rule = None
    if pattern == "weekly":
        rule = "FREQ=WEEKLY;BYDAY=" + ",".join(days)
    elif pattern == "biweekly":
        rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=" + ",".join(days)
    elif pattern == "monthly":
        rule = f"FREQ=MONTHLY;BYDAY={form.nth.data}{days[0]}"
    opens: dt.time = form.opens_at.data
    return Schedule(
        dtstart=form.starts_on.data,
        opens_at=opens,
        closes_at=form.closes_at.data,
        rrule=rule,
        rdates=[
            dt.datetime.combine(day, opens).isoformat(timespec="minutes")
            for day in parse_days(form.extra_dates.data or "")
        ],
        exdates=[],
        valid_to=form.valid_to.data if rule else None,
        skip_public_holidays=bool(form.skip_public_holidays.data),
        breaks=[
            ScheduleBreak(starts_on=start, ends_on=end, reason=reason)
            for start, end, reason in parse_breaks(form.breaks.data or "")
        ],
    )


def apply_form(session: Session, listing: Listing, form: ListingForm) -> None:
    """Copy the form onto a listing (not yet validated by the listing rules or flushed)."""
    for name in TEXT_FIELDS:
        setattr(listing, name, strip_tags((getattr(form, name).data or "").strip()))
    for name in FLAGS:
        setattr(listing, name, bool(getattr(form, name).data))
    listing.eligibility = Eligibility(form.eligibility.data or "open")
    listing.min_age, listing.max_age = form.min_age.data, form.max_age.data
    primary = session.get(Category, form.primary_category.data)
    listing.primary_category = primary  # type: ignore[assignment]  # validated below
    chosen = [i for i in form.categories.data or [] if i != form.primary_category.data]
    listing.categories = [c for c in (primary, *(session.get(Category, i) for i in chosen)) if c]
    listing.target_groups = [
        t for t in (session.get(TargetGroup, i) for i in form.target_groups.data or []) if t
    ]
    wanted = [code for code in form.languages.data or [] if code in SPOKEN_LANGUAGES]
    set_languages(listing, wanted)
    listing.venue = _venue(session, listing, form)
    schedule = build_schedule(form)
    if listing.schedules:
        # What the form does not show (from imports: exceptions, another time zone, long
        # or all-day events) is kept, so fixing a title never loses them.
        old = listing.schedules[0]
        schedule.exdates = list(old.exdates or [])
        schedule.timezone = old.timezone
        schedule.span_days, schedule.all_day = old.span_days or 0, bool(old.all_day)
        schedule.notes = old.notes
    if not listing.schedules or _schedule_changed(listing.schedules[0], schedule):
        # The form edits the first schedule; any further ones (from imports) stay.
        listing.schedules = [schedule, *listing.schedules[1:]]


def set_languages(listing: Listing, codes: list[str]) -> None:
    """Replace the spoken languages, keeping the rows of those that stay (a delete and an
    insert of the same code in one flush would break the unique constraint)."""
    kept = {row.code: row for row in listing.languages}
    rows = [kept.get(code) or ListingLanguage(code=code) for code in dict.fromkeys(codes)]
    for position, row in enumerate(rows):
        row.position = position
    listing.languages = rows


def _schedule_changed(old: Schedule, new: Schedule) -> bool:
    from directory.moderation.services import schedule_facts

    return schedule_facts(old) != schedule_facts(new)


def _venue(session: Session, listing: Listing, form: ListingForm) -> Venue | None:
    choice = form.venue.data or ""
    if choice == "new":
        venue = Venue(
            name=strip_tags(form.venue_name.data.strip()),
            street_address=strip_tags((form.venue_address.data or "").strip()),
            postal_code=(form.venue_postal_code.data or "").strip(),
            postal_place=strip_tags((form.venue_postal_place.data or "").strip()),
            municipality_number=listing.municipality_number,
        )
        session.add(venue)
        return venue
    if choice.isdigit():
        chosen = session.get(Venue, int(choice))
        if chosen is not None and chosen.municipality_number == listing.municipality_number:
            return chosen
    return None


# -- organization members ------------------------------------------------------------------


def _invites() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invite")


def make_invite(organization: Organization, email: str, editor: bool) -> str:
    """A signed invitation for one address to one organization (valid 14 days)."""
    role = Role.ORGANIZATION_EDITOR if editor else Role.VOLUNTEER
    return str(
        _invites().dumps({"o": organization.id, "e": normalize_email(email), "r": role.value})
    )


def read_invite(session: Session, token: str) -> tuple[Organization, str, Role] | None:
    """The organization, address and role an invitation names, or None."""
    try:
        data: Any = _invites().loads(token[:500], max_age=INVITE_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("o"), int):
        return None
    organization = session.get(Organization, data["o"])
    if organization is None or data.get("r") not in {r.value for r in Role}:
        return None
    return organization, str(data.get("e", "")), Role(data["r"])


def join(session: Session, user: User, organization: Organization, role: Role) -> RoleGrant | None:
    """Make a user a member of an organization (nothing when they already are)."""
    for existing in user.grants:
        if existing.organization_id == organization.id and existing.role is role:
            return None
    return grant(session, user, role, organization=organization.id)
