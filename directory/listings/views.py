"""A municipality's offers and events, and the page of each listing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from directory.extensions import db, limiter
from directory.listings.models import PUBLIC_STATUSES, Listing, ListingKind, ListingLanguage
from directory.listings.services import (
    DatedListing,
    ListingFilters,
    filter_choices,
    group_by_category,
    listing_by_id,
    municipality_offers,
    upcoming_events,
)
from directory.moderation.forms import ReportForm
from directory.moderation.reports import report_problem
from directory.places.models import Municipality
from directory.schedules.recurrence import next_occurrences, now_in_oslo
from directory.translations.glossary import terms_in

bp = Blueprint("listings", __name__, url_prefix="/<locale>")


def _page() -> int:
    value = request.args.get("page", "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


def _languages_in(number: str) -> list[str]:
    stmt = (
        db.select(ListingLanguage.code)
        .join(Listing)
        .where(Listing.municipality_number == number, Listing.status.in_(PUBLIC_STATUSES))
        .distinct()
        .order_by(ListingLanguage.code)
    )
    return list(db.session.scalars(stmt))


@bp.get("/municipality/<string(length=4):number>")
@bp.get("/municipality/<string(length=4):number>/<slug>")
def municipality(number: str, slug: str | None = None) -> str | Response:
    """Offers grouped by category, events of the next two weeks and the filter form."""
    place = db.get_or_404(Municipality, number)
    if slug is not None and slug != place.slug:
        values: dict[str, Any] = {**request.args.to_dict(), "number": number, "slug": place.slug}
        return redirect(url_for(".municipality", **values))
    filters = ListingFilters.from_args(request.args)
    stmt = municipality_offers(number, filters)
    config = current_app.config
    page = None
    if filters.category:
        page = db.paginate(stmt, page=_page(), per_page=config["PAGE_SIZE"], error_out=False)
        groups = group_by_category(page.items)
    else:
        groups = group_by_category(db.session.scalars(stmt))
    events = upcoming_events(number, now_in_oslo(), config["UPCOMING_DAYS"], filters)
    return render_template(
        "listings/municipality.html",
        place=place,
        filters=filters,
        groups=groups,
        page=page,
        events=events,
        preview=config["GROUP_PREVIEW_SIZE"],
        languages=_languages_in(number),
        **filter_choices(),
    )


@bp.get("/municipality/<string(length=4):number>/events")
def municipality_events(number: str) -> str:
    """Events in a municipality by date: this week, next week, later this month."""
    place = db.get_or_404(Municipality, number)
    now = now_in_oslo()
    today = now.date()
    week_start = today - dt.timedelta(days=today.weekday())
    next_week = week_start + dt.timedelta(days=7)
    after_next = week_start + dt.timedelta(days=14)
    month_end = max(after_next, (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1))
    events = upcoming_events(number, now, (month_end - today).days)
    periods: dict[str, list[DatedListing]] = {"this_week": [], "next_week": [], "this_month": []}
    for item in events:
        day = item.occurrence.local_date
        key = "this_week" if day < next_week else "next_week" if day < after_next else "this_month"
        periods[key].append(item)
    return render_template("listings/events.html", place=place, periods=periods)


def _detail(kind: ListingKind, listing_id: int, slug: str | None) -> str | Response:
    listing = listing_by_id(kind, listing_id)
    if listing is None:
        abort(404)
    endpoint = ".offer" if kind is ListingKind.OFFER else ".event"
    if slug is not None and slug != listing.slug:
        return redirect(url_for(endpoint, listing_id=listing_id, slug=listing.slug))
    upcoming = next_occurrences(listing.schedules, now_in_oslo(), count=5)
    shown = [listing.localized(f, g.locale).text for f in ("title", "summary", "description")]
    return render_template(
        "listings/detail.html",
        listing=listing,
        upcoming=upcoming,
        glossary_terms=terms_in(shown, g.locale),
    )


@bp.get("/offer/<int:listing_id>")
@bp.get("/offer/<int:listing_id>/<slug>")
def offer(listing_id: int, slug: str | None = None) -> str | Response:
    """Every fact about one offer, with its next dates."""
    return _detail(ListingKind.OFFER, listing_id, slug)


@bp.get("/event/<int:listing_id>")
@bp.get("/event/<int:listing_id>/<slug>")
def event(listing_id: int, slug: str | None = None) -> str | Response:
    """Every fact about one event."""
    return _detail(ListingKind.EVENT, listing_id, slug)


@bp.route("/report/<any(offer, event):kind>/<int:listing_id>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REPORT_RATE_LIMIT"], methods=["POST"])
def report(kind: str, listing_id: int) -> str | tuple[str, int]:
    """Tell the coordinator and the organizer that something is wrong with a listing."""
    listing = listing_by_id(ListingKind(kind), listing_id)
    if listing is None:
        abort(404)
    form = ReportForm()
    if request.method == "POST" and form.is_bot:
        # The honeypot was filled in: look exactly like success, keep nothing.
        return render_template("listings/report.html", listing=listing, sent=form)
    if form.validate_on_submit():
        report_problem(db.session(), listing, form.chosen_reason, form.message.data or "")
        db.session.commit()
        return render_template("listings/report.html", listing=listing, sent=form)
    status = 400 if request.method == "POST" else 200
    return render_template("listings/report.html", listing=listing, form=form), status
