"""/<locale>/account/listings/…: posting and editing; /<locale>/review/…: the queue;
/<locale>/account/organizations/…: members and invitations.

Every listing is loaded through a scoped query from accounts.permissions, so a listing
outside the user's organizations and municipalities is "not found" through every URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from directory.accounts.models import User
from directory.accounts.permissions import (
    editable_listings,
    login_required,
    manageable_organizations,
    may_review,
    postable_organizations,
    reviewable_listings,
)
from directory.accounts.services import normalize_email, send_mail
from directory.contribute.forms import InviteForm, ListingForm, OrganizationForm, ReviewForm
from directory.contribute.services import (
    apply_form,
    fill_choices,
    form_data,
    join,
    make_invite,
    read_invite,
)
from directory.extensions import db, limiter
from directory.i18n import _
from directory.listings.models import Event, Listing, ListingStatus, Offer
from directory.listings.services import (
    ListingValidationError,
    summarize_schedules,
    validate_listing,
)
from directory.markup import strip_tags
from directory.moderation import services as moderation
from directory.moderation.models import Revision
from directory.organizations.models import Organization
from directory.schedules.recurrence import next_occurrences, now_in_oslo

bp = Blueprint("contribute", __name__, url_prefix="/<locale>")
S = ListingStatus
# What the buttons on "my listings" do, and who may press them (reviewers or authors).
STATUS_ACTIONS: dict[str, ListingStatus] = {
    "pause": S.PAUSED,
    "full": S.FULL,
    "resume": S.PUBLISHED,
    "archive": S.ARCHIVED,
    "reopen": S.DRAFT,
}


def _posting_limit() -> str:
    return str(current_app.config["POSTING_RATE_LIMIT"])


def _first(stmt: Select[Any]) -> Any:
    found = db.session.scalars(stmt).first()
    if found is None:
        abort(404)
    return found


def _editable(listing_id: int) -> Listing:
    listing: Listing = _first(editable_listings(current_user).where(Listing.id == listing_id))
    return listing


def _reviewable(listing_id: int) -> Listing:
    listing: Listing = _first(reviewable_listings(current_user).where(Listing.id == listing_id))
    return listing


def _user() -> User:
    user: User = current_user
    return user


# -- posting and editing -------------------------------------------------------------------


@bp.route("/account/listings/new/<any(offer, event):kind>", methods=["GET", "POST"])
@login_required
@limiter.limit(_posting_limit, methods=["POST"])
def new(kind: str) -> str | Response | tuple[str, int]:
    """A new offer or event for one of the user's organizations."""
    organization_id = request.args.get("organization", "")
    if not organization_id.isdigit():
        abort(404)
    organization: Organization = _first(
        postable_organizations(current_user).where(Organization.id == int(organization_id))
    )
    model = Offer if kind == "offer" else Event
    listing = model(
        organization=organization,
        municipality=organization.municipality,
        municipality_number=organization.municipality_number,
        status=S.DRAFT,
    )
    return _edit_page(listing)


@bp.route("/account/listings/<int:listing_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(_posting_limit, methods=["POST"])
def edit(listing_id: int) -> str | Response | tuple[str, int]:
    """Change a listing; untrusted organizations' changes go back to review."""
    return _edit_page(_editable(listing_id))


def _edit_page(listing: Listing) -> str | Response | tuple[str, int]:
    session = db.session()
    is_new = listing.id is None
    form = ListingForm(data=None if is_new else form_data(listing))
    fill_choices(form, session, listing.municipality_number, g.locale)
    if not form.validate_on_submit():
        return render_template("contribute/edit.html", form=form, listing=listing, is_new=is_new)
    if not is_new and form.version.data != str(listing.version):
        return _conflict(form, listing)
    action = request.form.get("action", "save")
    with session.no_autoflush:
        apply_form(session, listing, form)
    if action == "preview":
        return _preview(form, listing, is_new)
    try:
        moderation.save(session, listing, _user())
        if action == "submit" or (
            listing.status in (S.PUBLISHED, S.PAUSED, S.FULL)
            and not listing.organization.trusted
            and not may_review(current_user, listing)
        ):
            moderation.submit(session, listing, _user(), may_review(current_user, listing))
    except ListingValidationError as error:
        session.rollback()
        _show_errors(form, error.errors)
        return render_template("contribute/edit.html", form=form, listing=listing, is_new=is_new)
    except StaleDataError:
        session.rollback()
        return _conflict(form, db.session.get(Listing, listing.id) or abort(404))
    except moderation.TransitionError as error:
        session.rollback()
        form.form_errors.append(str(error))
        return render_template("contribute/edit.html", form=form, listing=listing, is_new=is_new)
    session.commit()
    flash(_saved_message(listing))
    return redirect(url_for("accounts.index"))


def _saved_message(listing: Listing) -> str:
    if listing.status is S.PENDING:
        return _("Lagret og sendt til godkjenning hos koordinatoren i kommunen.")
    if listing.status is S.PUBLISHED:
        return _("Lagret. Oppføringen er publisert.")
    return _("Lagret som utkast.")


def _show_errors(form: ListingForm, errors: dict[str, str]) -> None:
    fields = {"schedules": "starts_on", "primary_category": "primary_category"}
    for name, message in errors.items():
        field = getattr(form, fields.get(name, name), None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def _preview(form: ListingForm, listing: Listing, is_new: bool) -> str:
    """The listing as readers will see it, from the unsaved form; nothing is kept."""
    session = db.session()
    problems: dict[str, str] = {}
    try:
        validate_listing(listing)
    except ListingValidationError as error:
        problems = error.errors
        _show_errors(form, problems)
    summarize_schedules(listing)
    upcoming = next_occurrences(listing.schedules, now_in_oslo(), count=5) if not problems else []
    page = render_template(
        "contribute/edit.html",
        form=form,
        listing=listing,
        is_new=is_new,
        preview=listing,
        upcoming=upcoming,
    )
    session.rollback()  # the preview changed objects in memory only
    return page


def _conflict(form: ListingForm, listing: Listing) -> tuple[str, int]:
    """Someone else saved first: show what they changed next to what this user wrote."""
    session = db.session()
    session.rollback()
    current = _editable(listing.id)
    seen = int(form.version.data) if (form.version.data or "").isdigit() else 0
    changes = moderation.changes_since(session, current, seen)
    labels = {name: getattr(form, name).label.text for name in changes if hasattr(form, name)}
    form.version.data = str(current.version)  # saving again now is a deliberate choice
    page = render_template(
        "contribute/edit.html",
        form=form,
        listing=current,
        is_new=False,
        conflict=changes,
        conflict_labels=labels,
    )
    return page, 409


@bp.post("/account/listings/<int:listing_id>/status")
@login_required
def set_status(listing_id: int) -> Response | tuple[str, int]:
    """Submit for review, pause, mark as full, resume, archive or reopen a listing."""
    listing = _editable(listing_id)
    action = request.form.get("action", "")
    session = db.session()
    try:
        if action == "submit":
            moderation.submit(session, listing, _user(), may_review(current_user, listing))
        elif action in STATUS_ACTIONS:
            target = STATUS_ACTIONS[action]
            if target is S.PUBLISHED and listing.status not in (S.PAUSED, S.FULL):
                abort(400)
            moderation.change_status(session, listing, target, _user())
        else:
            abort(400)
    except (moderation.TransitionError, ListingValidationError) as error:
        session.rollback()
        message = str(error) if isinstance(error, moderation.TransitionError) else ""
        return render_template(
            "account/message.html",
            title=_("Det gikk ikke"),
            text=message or _("Oppføringen mangler noe. Åpne den og rett opp."),
        ), 400
    session.commit()
    flash(_saved_message(listing) if action == "submit" else _("Status er endret."))
    return redirect(url_for("accounts.index"))


# -- review ------------------------------------------------------------------------------


@bp.get("/review/")
@login_required
def review_queue() -> str:
    """Listings waiting for this coordinator, oldest first."""
    if not _reviews_anything():
        abort(404)
    stmt = (
        reviewable_listings(current_user)
        .where(Listing.status == S.PENDING)
        .order_by(Listing.updated_at)
    )
    pending = db.session.scalars(stmt.limit(200)).all()
    return render_template("contribute/review_queue.html", pending=pending)


def _reviews_anything() -> bool:
    from directory.accounts.permissions import coordinated_municipalities

    mine = coordinated_municipalities(current_user)
    return mine is None or bool(mine)


@bp.route("/review/<int:listing_id>", methods=["GET", "POST"])
@login_required
def review(listing_id: int) -> str | Response | tuple[str, int]:
    """Look at one listing as readers would, then approve, reject or send it back."""
    listing = _reviewable(listing_id)
    form = ReviewForm()
    session = db.session()
    if form.validate_on_submit():
        action, message = request.form.get("action", ""), form.message.data or ""
        steps: dict[str, Callable[[], object]] = {
            "approve": lambda: moderation.approve(session, listing, _user()),
            "reject": lambda: moderation.reject(session, listing, _user(), message),
            "changes": lambda: moderation.request_changes(session, listing, _user(), message),
            "verify": lambda: moderation.verify(session, listing, _user()),
        }
        if action not in steps:
            abort(400)
        try:
            steps[action]()
        except (moderation.TransitionError, ListingValidationError) as error:
            session.rollback()
            listing = _reviewable(listing_id)
            form.message.errors = [
                str(error)
                if isinstance(error, moderation.TransitionError)
                else _("Oppføringen mangler noe.")
            ]
        else:
            session.commit()
            flash(_("Lagret."))
            return redirect(url_for(".review_queue"))
    upcoming = next_occurrences(listing.schedules, now_in_oslo(), count=5)
    return render_template(
        "contribute/review.html", listing=listing, form=form, preview=listing, upcoming=upcoming
    )


@bp.get("/account/listings/<int:listing_id>/history")
@login_required
def history(listing_id: int) -> str:
    """Every saved version of a listing, with what changed, for coordinators."""
    listing = _reviewable(listing_id)
    return render_template(
        "contribute/history.html",
        listing=listing,
        revisions=moderation.history(db.session(), listing),
        form=FlaskForm(),
        labels=_field_labels(),
    )


def _field_labels() -> dict[str, str]:
    form = ListingForm(formdata=None)
    labels = {name: field.label.text for name, field in form._fields.items()}
    labels.update(
        status=_("Status"),
        venue_id=_("Sted"),
        primary_category_id=_("Hva slags aktivitet"),
        schedules=_("Når"),
    )
    return labels


@bp.post("/account/listings/<int:listing_id>/restore/<int:revision_id>")
@login_required
def restore(listing_id: int, revision_id: int) -> Response:
    """Put the content back as it was in an older version (one click)."""
    listing = _reviewable(listing_id)
    session = db.session()
    revision = session.get(Revision, revision_id)
    if revision is None or revision.listing_id != listing.id:
        abort(404)
    try:
        moderation.restore(session, listing, revision, _user())
    except ListingValidationError:
        session.rollback()
        abort(400)
    session.commit()
    flash(_("Den eldre versjonen er satt tilbake."))
    return redirect(url_for(".history", listing_id=listing.id))


# -- organization members ----------------------------------------------------------------


@bp.route("/account/organizations/<int:organization_id>/members", methods=["GET", "POST"])
@login_required
@limiter.limit(_posting_limit, methods=["POST"])
def members(organization_id: int) -> str | Response:
    """Who writes for an organization; invite someone by e-mail."""
    organization: Organization = _first(
        manageable_organizations(current_user).where(Organization.id == organization_id)
    )
    session = db.session()
    form = InviteForm()
    if form.validate_on_submit():
        token = make_invite(organization, form.email.data, bool(form.editor.data))
        send_mail(
            session,
            normalize_email(form.email.data),
            _("Invitasjon fra %(name)s", name=organization.name),
            _(
                "Du er invitert til å legge inn tilbud for %(name)s på Lokaltilbud. "
                "Lag en konto med denne e-postadressen, logg inn og åpne lenken: %(url)s",
                name=organization.name,
                url=url_for(".accept_invite", token=token, _external=True),
            ),
        )
        session.commit()
        flash(_("Invitasjonen er sendt."))
        return redirect(url_for(".members", organization_id=organization.id))
    people = moderation.organization_members(session, organization.id)
    return render_template(
        "contribute/members.html", organization=organization, people=people, form=form
    )


@bp.route("/account/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(_posting_limit, methods=["POST"])
def edit_organization(organization_id: int) -> str | Response:
    """The organization's name, description and contact details."""
    organization: Organization = _first(
        manageable_organizations(current_user).where(Organization.id == organization_id)
    )
    form = OrganizationForm(obj=organization)
    if form.validate_on_submit():
        for name in ("name", "description", "website", "email", "phone"):
            setattr(organization, name, strip_tags((getattr(form, name).data or "").strip()))
        db.session.commit()
        flash(_("Lagret."))
        return redirect(url_for(".members", organization_id=organization.id))
    return render_template("contribute/organization.html", organization=organization, form=form)


@bp.route("/account/join/<token>", methods=["GET", "POST"])
@login_required
def accept_invite(token: str) -> str | Response | tuple[str, int]:
    """Accept an invitation to write for an organization."""
    session = db.session()
    invite = read_invite(session, token)
    if invite is None:
        return render_template(
            "account/message.html",
            title=_("Lenken virker ikke"),
            text=_("Invitasjonen er for gammel eller ikke gyldig. Be om en ny."),
        ), 404
    organization, email, role = invite
    if normalize_email(_user().email) != email:
        return render_template(
            "account/message.html",
            title=_("Invitasjonen er til en annen adresse"),
            text=_("Logg inn med adressen invitasjonen ble sendt til."),
        ), 403
    form = FlaskForm()
    if form.validate_on_submit():
        join(session, _user(), organization, role)
        session.commit()
        flash(_("Nå kan du legge inn tilbud for %(name)s.", name=organization.name))
        return redirect(url_for("accounts.index"))
    return render_template("contribute/join.html", organization=organization, role=role, form=form)


def my_listings(user: User) -> list[tuple[Listing, Any]]:
    """The user's organizations' listings with each one's latest reviewer message."""
    from directory.accounts.permissions import member_organizations

    organizations = member_organizations(user)
    if not organizations:
        return []
    stmt = (
        select(Listing)
        .where(Listing.organization_id.in_(organizations))
        .order_by(Listing.updated_at.desc())
        .limit(200)
    )
    session = db.session()
    return [(item, moderation.last_message(session, item)) for item in session.scalars(stmt)]
