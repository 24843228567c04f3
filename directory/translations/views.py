"""/<locale>/translate/…: the queue of missing and outdated translations, and the
side-by-side editor with the glossary. Scope is checked before anything is loaded."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from directory.accounts.permissions import (
    can_translate,
    coordinated_municipalities,
    login_required,
    may_use_translation_queue,
    translator_languages,
)
from directory.extensions import db
from directory.i18n import DEFAULT_LOCALE, UI_LOCALES, _
from directory.listings.models import Listing
from directory.places.models import Municipality
from directory.translations.glossary import check_translation, terms_in
from directory.translations.services import (
    LIVE_STATUSES,
    IncomingUnit,
    TranslationState,
    UnitError,
    apply_units,
    coverage,
    find_record,
    municipality_records,
    units_of,
)

bp = Blueprint("translations", __name__, url_prefix="/<locale>/translate")
WORK_STATES = (TranslationState.MISSING, TranslationState.OUTDATED, TranslationState.MACHINE)
MAX_TEXT = 20_000


def _languages() -> list[str]:
    allowed = translator_languages(current_user)
    codes = [c for c in UI_LOCALES if c != DEFAULT_LOCALE]
    if allowed is None or coordinated_municipalities(current_user):
        return codes
    return [c for c in codes if c in allowed]


def _check(number: str, language: str) -> Municipality:
    if language not in UI_LOCALES or language == DEFAULT_LOCALE:
        abort(404)
    if not can_translate(current_user, number, language):
        abort(404)  # not yours: the same answer as "does not exist"
    place = db.session.get(Municipality, number)
    if place is None:
        abort(404)
    return place


@bp.get("/")
@login_required
def index() -> str:
    """Municipalities in scope with their counts per language."""
    if not may_use_translation_queue(current_user):
        abort(403)
    mine = coordinated_municipalities(current_user)
    stmt = select(Listing.municipality_number).where(Listing.status.in_(LIVE_STATUSES)).distinct()
    if mine is not None and translator_languages(current_user) == set():
        stmt = stmt.where(Listing.municipality_number.in_(mine))
    numbers = sorted(db.session.scalars(stmt))[:100]
    languages = _languages()
    rows = []
    for number in numbers:
        visible = [lang for lang in languages if can_translate(current_user, number, lang)]
        if visible:
            report = coverage(db.session(), number, visible)
            rows.append((db.session.get(Municipality, number), report))
    return render_template("translations/index.html", rows=rows, languages=languages)


@bp.get("/<number>/<language>")
@login_required
def queue(number: str, language: str) -> str:
    """Fields of one municipality that need translating into one language."""
    place = _check(number, language)
    units = [
        u
        for u in units_of(municipality_records(db.session(), number), language)
        if u.state in WORK_STATES
    ]
    return render_template("translations/queue.html", place=place, language=language, units=units)


@bp.route("/<number>/<language>/<key>", methods=["GET", "POST"])
@login_required
def unit(number: str, language: str, key: str) -> str | Response:
    """Translate one field beside its source, with the glossary."""
    place = _check(number, language)
    try:
        record, name = find_record(db.session(), key)
    except UnitError:
        abort(404)
    if getattr(record, "municipality_number", None) != number:
        abort(404)  # the key names something outside this municipality
    source = getattr(record, name) or ""
    warnings = []
    message = ""
    if request.method == "POST":
        target = (request.form.get("target") or "")[:MAX_TEXT]
        sent_source = request.form.get("source") or ""
        report = apply_units(db.session(), language, [IncomingUnit(key, sent_source, target)])
        if report.rejected:
            message = _("Originalteksten er endret mens du oversatte. Se på den nye teksten.")
            db.session.rollback()
        elif report.empty:
            message = _("Skriv en oversettelse først.")
        else:
            db.session.commit()
            warnings = check_translation(source, target, language)
            if not warnings:
                return redirect(url_for("translations.queue", number=number, language=language))
    current = next(
        (r.text for r in record.translations if r.field == name and r.language == language), ""
    )
    return render_template(
        "translations/unit.html",
        place=place,
        language=language,
        key=key,
        field=name,
        record=record,
        source=source,
        target=request.form.get("target", current) if request.method == "POST" else current,
        glossary_terms=terms_in([source], language),
        warnings=warnings,
        message=message,
    )
