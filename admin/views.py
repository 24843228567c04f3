"""The back office's model views, every one scoped by the site's own permission functions.

Decisions, and why:

- Scope lives in the queries. ``ScopedModelView.scope()`` returns the permission select
  (``reviewable_listings``, ``manageable_organizations``, ``reports_in_scope``) and
  ``get_query``, ``get_count_query`` and ``get_one`` all filter on it, so list, details,
  edit, delete, actions and export never load a record outside the user's
  municipalities. A details or edit page for an id outside scope answers 404, as the site
  does; posted ids outside scope are ignored like missing ones.
- CSRF: ``SecureForm`` is Flask-WTF's ``FlaskForm`` with Flask-Admin's form behaviour, not
  ``flask_admin.form.SecureForm``. The site's ``CSRFProtect`` checks every POST against
  Flask-WTF's token before a view runs, so Flask-Admin's own session token would be
  refused with 400 on every admin form; with one token scheme, each admin POST is checked
  twice (globally with 400, then by the form).
- Listings are not edited here (``can_edit = False``; there is a details page). They are
  written through the site's forms, which validate, record revisions and notify. Status
  changes are the bulk actions approve, archive and verify, which call the moderation
  services and so are recorded as StatusChange and Revision rows.
- The pages work without JavaScript and under the site's CSP (no inline scripts or event
  handlers): the list template (templates/admin/scoped/list.html) replaces Flask-Admin's
  script-built filter bar with a plain GET form and its ``onclick`` action menu with a
  POST form that the row checkboxes join through their ``form`` attribute. Flask-Admin's
  confirm() prompts went with their ``onclick`` handlers; the only deletion left is
  taking back a role grant.
- Every list and detail value is plain text that Jinja escapes: the type formatters here
  return ``str``, never ``Markup``, and no column formatter builds markup.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import abort, current_app, flash, has_request_context, redirect, request, url_for
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterEqual, FilterLike
from flask_admin.form import BaseForm
from flask_babel import format_date, format_datetime
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from directory.accounts.models import ROLE_LABELS, Role, RoleGrant, User
from directory.accounts.permissions import (
    coordinated_municipalities,
    manageable_organizations,
    reviewable_listings,
)
from directory.accounts.services import AccountError, find_user, grant, normalize_email
from directory.extensions import db
from directory.i18n import _, _l, ngettext
from directory.listings.models import (
    PUBLIC_STATUSES,
    STATUS_LABELS,
    Listing,
    ListingKind,
    ListingStatus,
)
from directory.listings.services import ListingValidationError, forget_filter_choices
from directory.moderation import services as moderation
from directory.moderation.models import ProblemReport
from directory.moderation.reports import reports_in_scope, resolve_report
from directory.organizations.models import ORGANIZATION_KIND_LABELS, Organization, OrganizationKind
from directory.places.models import Municipality
from directory.taxonomy.models import Category

MUNICIPALITY_NUMBER = re.compile(r"\d{4}")
# The shape of an address only; whether it works shows when mail to it arrives.
EMAIL_SHAPE = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Skriv en gyldig e-postadresse."))
MAX_SELECTED = 500  # rows one bulk action handles; a list page shows 50


# -- access ------------------------------------------------------------------------------


def curated_municipalities() -> set[str] | None:
    """The signed-in user's municipalities (None: administrators, all of them)."""
    return coordinated_municipalities(current_user)


def is_curator() -> bool:
    """Coordinators (with two-step login) in at least one municipality, and administrators."""
    mine = curated_municipalities()
    return mine is None or bool(mine)


def is_administrator() -> bool:
    """Administrators with two-step login."""
    return curated_municipalities() is None


def acting_user() -> User:
    """The signed-in user as a model (services record who acted)."""
    user: User = current_user._get_current_object()
    return user


class BackOfficeAccess:
    """Coordinators and administrators only; anyone else finds nothing here."""

    def is_accessible(self) -> bool:
        """Coordinators and administrators only."""
        return is_curator()

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        """Anonymous: log in first; signed in without the role: as if it did not exist."""
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", locale="nb", next=request.path))
        abort(404)


# -- forms -------------------------------------------------------------------------------


class SecureForm(BaseForm, FlaskForm):  # type: ignore[misc]
    """Flask-Admin's form base with Flask-WTF's CSRF token, the one CSRFProtect checks."""


def municipality_choices() -> list[SelectChoice]:
    """Every municipality, by name."""
    rows = db.session.execute(
        select(Municipality.number, Municipality.name).order_by(Municipality.name)
    )
    return [SelectChoice(number, f"{name} ({number})") for number, name in rows]


def category_choices() -> list[SelectChoice]:
    """No parent, or any category, by label."""
    rows = db.session.execute(select(Category.id, Category.label).order_by(Category.label))
    return [SelectChoice("", "—"), *(SelectChoice(str(i), label) for i, label in rows)]


def optional_id(value: Any) -> int | None:
    """A posted id, or None for the blank choice."""
    return None if value in ("", None) else int(value)


# -- plain-text values -------------------------------------------------------------------


def _empty(view: Any, value: Any, name: str) -> str:
    return ""


def _yes_no(view: Any, value: bool, name: str) -> str:
    return _("Ja") if value else _("Nei")


def _enum_label(view: Any, value: enum.Enum, name: str) -> str:
    return str(getattr(value, "label", value.name))


def _moment(view: Any, value: dt.datetime, name: str) -> str:
    moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite: naive UTC
    return str(format_datetime(moment, "short"))


def _day(view: Any, value: dt.date, name: str) -> str:
    return str(format_date(value, "short"))


def _joined(view: Any, values: Iterable[Any], name: str) -> str:
    return ", ".join(str(v) for v in values)


# Order matters: datetime before date (a datetime is a date). Every one returns str.
PLAIN_FORMATTERS: dict[type, Callable[[Any, Any, str], str]] = {
    type(None): _empty,
    bool: _yes_no,
    enum.Enum: _enum_label,
    dt.datetime: _moment,
    dt.date: _day,
    list: _joined,
}


# -- filters (blank means "all": the no-JavaScript filter form sends every field) --------


class ChoiceFilter(FilterEqual):  # type: ignore[misc]
    """Equals one value, converted by ``convert``; a blank value filters nothing."""

    def __init__(
        self,
        column: Any,
        name: Any,
        convert: Callable[[str], Any] = str,
        options: Any = None,
    ) -> None:
        super().__init__(column, name, options=options)
        self.convert = convert

    def validate(self, value: str) -> bool:
        """Blank, or a value ``convert`` accepts."""
        if value == "":
            return True
        try:
            self.convert(value)
        except (ValueError, KeyError):
            return False
        return True

    def clean(self, value: str) -> Any:
        """The value as the column stores it (None for blank)."""
        return self.convert(value) if value else None

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        """Filter, unless blank."""
        return query if value is None else super().apply(query, value, alias)


class TextFilter(FilterLike):  # type: ignore[misc]
    """Contains a text; a blank value filters nothing."""

    def clean(self, value: str) -> str:
        """Trimmed and capped."""
        return value.strip()[:200]

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        """Filter, unless blank."""
        return super().apply(query, value, alias) if value else query


def municipality_number(value: str) -> str:
    """A four-digit kommunenummer, else ValueError."""
    if not MUNICIPALITY_NUMBER.fullmatch(value):
        raise ValueError(value)
    return value


class MunicipalityFilter(ChoiceFilter):
    """The municipality, chosen among the user's own."""

    def __init__(self, column: Any, name: Any) -> None:
        super().__init__(column, name, convert=municipality_number)

    def get_options(self, view: Any) -> list[tuple[str, str]] | None:
        """The user's municipalities by name (only inside a request)."""
        if not has_request_context():
            return None
        stmt = select(Municipality.number, Municipality.name).order_by(Municipality.name)
        mine = curated_municipalities()
        if mine is not None:
            stmt = stmt.where(Municipality.number.in_(mine))
        return [(number, f"{name} ({number})") for number, name in db.session.execute(stmt)]


def yes_no_value(value: str) -> bool:
    """The filter form's "1" or "0" as a flag."""
    return {"1": True, "0": False}[value]


def yes_no_filter(column: Any, name: Any) -> ChoiceFilter:
    """A filter on a flag: yes, no or either."""
    return ChoiceFilter(
        column, name, convert=yes_no_value, options=[("1", _l("Ja")), ("0", _l("Nei"))]
    )


def selected_ids(values: Iterable[str]) -> list[int]:
    """Integer ids from the posted checkboxes; anything else is dropped."""
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 19][:MAX_SELECTED]


# -- the base view -----------------------------------------------------------------------


class ScopedModelView(BackOfficeAccess, ModelView):  # type: ignore[misc]
    """A model view whose every query is the user's permission select."""

    form_base_class = SecureForm
    list_template = "admin/scoped/list.html"
    details_template = "admin/scoped/details.html"
    edit_template = "admin/scoped/edit.html"
    create_template = "admin/scoped/create.html"
    can_create = False
    can_delete = False
    can_export = False
    can_set_page_size = False
    page_size = 50
    column_display_actions = True
    column_type_formatters = PLAIN_FORMATTERS
    column_type_formatters_detail = PLAIN_FORMATTERS
    column_type_formatters_export = PLAIN_FORMATTERS

    def __init__(self, model: type, **kwargs: Any) -> None:
        # The extension, not a session: Flask-Admin asks it for db.session at query time,
        # so each request (and each test's transaction) gets its own session.
        super().__init__(model, db, **kwargs)

    def scope(self) -> Select[Any]:
        """The records of ``self.model`` the user may see here."""
        return select(self.model)

    @property
    def primary_key(self) -> Any:
        """The model's one primary-key column."""
        return inspect(self.model).primary_key[0]

    def in_scope(self) -> Any:
        """A WHERE clause keeping only records the permission select returns."""
        key = self.primary_key
        return key.in_(self.scope().with_only_columns(key))

    def get_query(self) -> Any:
        """The list query, restricted to scope."""
        return db.session.query(self.model).filter(self.in_scope())

    def get_count_query(self) -> Any:
        """The list count, restricted to scope."""
        return db.session.query(func.count("*")).select_from(self.model).filter(self.in_scope())

    def get_one(self, id: Any) -> Any:
        """One record in scope, or None: then there is nothing to show or change."""
        key = self.primary_key
        value = str(id)
        if key.type.python_type is int:
            if not (value.isascii() and value.isdigit() and len(value) < 19):
                return None
            return self.get_query().filter(key == int(value)).one_or_none()
        return self.get_query().filter(key == value).one_or_none()

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        """Before every view: access; then, on a record's page, 404 for an id outside
        scope (as the site answers), instead of Flask-Admin's "record not found"."""
        response = super()._handle_view(name, **kwargs)
        if response is None and name in ("details_view", "edit_view"):
            record_id = request.args.get("id")
            if record_id is not None and self.get_one(record_id) is None:
                abort(404)
        return response

    def records(self, ids: Iterable[str]) -> list[Any]:
        """The selected records that are in scope (others are ignored)."""
        wanted = selected_ids(ids)
        if not wanted:
            return []
        return list(
            self.get_query().filter(self.primary_key.in_(wanted)).order_by(self.primary_key)
        )

    def record_label(self, model: Any) -> str:
        """What the record is called on its edit and details pages."""
        return str(getattr(model, "name", None) or getattr(model, "title", None) or "")

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        """Links from the details page to the record on the site, as (label, URL)."""
        return []

    def filter_url(self, column: Any, value: str) -> str:
        """The list filtered on one column's value (for links from the dashboard)."""
        for index, flt in enumerate(self._filters or []):
            if flt.column is column:
                args: dict[str, Any] = {f"flt0_{self.get_filter_arg(index, flt)}": value}
                return url_for(f"{self.endpoint}.index_view", **args)
        return url_for(f"{self.endpoint}.index_view")


class AdministratorView(ScopedModelView):
    """Views for administrators only; coordinators get 404 as for anything not theirs."""

    def is_accessible(self) -> bool:
        """Administrators only."""
        return is_administrator()


def _endpoint_exists(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


# -- listings ----------------------------------------------------------------------------


Step = Callable[[Session, Listing, User], object]


def kind_label(kind: ListingKind) -> str:
    """Offer or event, in words."""
    return _("Arrangement") if kind is ListingKind.EVENT else _("Tilbud")


class ListingView(ScopedModelView):
    """Listings in the coordinator's municipalities; status changes as bulk actions."""

    can_edit = False
    form = SecureForm  # never shown: no create or edit here, and no scaffolding of Listing
    can_view_details = True
    column_list = ["title", "status", "organization.name", "municipality.name", "verified_at"]
    column_details_list = [
        "title",
        "kind",
        "status",
        "organization.name",
        "municipality.name",
        "summary",
        "contact_name",
        "contact_email",
        "contact_phone",
        "verified_at",
        "freshness_asked_at",
        "freshness_unanswered",
        "paused_until",
        "created_at",
        "updated_at",
    ]
    column_labels = {
        "title": _l("Tittel"),
        "kind": _l("Type"),
        "status": _l("Status"),
        "organization.name": _l("Organisasjon"),
        "municipality.name": _l("Kommune"),
        "summary": _l("Kort beskrivelse"),
        "contact_name": _l("Kontaktperson"),
        "contact_email": _l("E-post"),
        "contact_phone": _l("Telefon"),
        "verified_at": _l("Sist bekreftet"),
        "freshness_asked_at": _l("Sist spurt om det går"),
        "freshness_unanswered": _l("Ubesvarte spørsmål"),
        "paused_until": _l("Pause til"),
        "created_at": _l("Opprettet"),
        "updated_at": _l("Endret"),
    }
    column_formatters = {"kind": lambda view, context, model, name: kind_label(model.kind)}
    column_formatters_detail = column_formatters
    column_sortable_list = ["title", "status", "verified_at", "updated_at"]
    column_default_sort = ("updated_at", True)
    column_searchable_list = ["title"]
    column_filters = [
        ChoiceFilter(
            Listing.status,
            _l("Status"),
            convert=ListingStatus,
            options=[(status.value, STATUS_LABELS[status]) for status in ListingStatus],
        ),
        MunicipalityFilter(Listing.municipality_number, _l("Kommune")),
        TextFilter("organization.name", _l("Organisasjon")),
    ]

    def scope(self) -> Select[Any]:
        """Listings the user reviews."""
        return reviewable_listings(current_user)

    def record_links(self, model: Listing) -> list[tuple[str, str]]:
        """The review page, the site's edit page and the public page, where they exist."""
        links = []
        if model.status is ListingStatus.PENDING and _endpoint_exists("contribute.review"):
            url = url_for("contribute.review", locale="nb", listing_id=model.id)
            links.append((_("Vurder oppføringen"), url))
        if _endpoint_exists("contribute.edit"):
            url = url_for("contribute.edit", locale="nb", listing_id=model.id)
            links.append((_("Rediger på nettstedet"), url))
        if model.status in PUBLIC_STATUSES:
            url = url_for(
                f"listings.{model.kind.value}", locale="nb", listing_id=model.id, slug=model.slug
            )
            links.append((_("Se den offentlige siden"), url))
        return links

    def _bulk(self, ids: Iterable[str], step: Step, eligible: Callable[[Listing], bool]) -> int:
        """Run ``step`` on each selected listing in scope, one savepoint each, one commit;
        flash what was done and how many were skipped. Returns how many were done."""
        session = db.session()
        actor = acting_user()
        done = skipped = 0
        for listing in self.records(ids):
            if not eligible(listing):
                skipped += 1
                continue
            try:
                with session.begin_nested():
                    step(session, listing, actor)
            except (moderation.TransitionError, ListingValidationError):
                skipped += 1
            else:
                done += 1
        session.commit()
        flash(ngettext("%(num)d oppføring er endret.", "%(num)d oppføringer er endret.", done))
        if skipped:
            flash(
                ngettext(
                    "%(num)d oppføring ble hoppet over fordi statusen ikke passet.",
                    "%(num)d oppføringer ble hoppet over fordi statusen ikke passet.",
                    skipped,
                ),
                "warning",
            )
        return done

    @action("approve", _l("Godkjenn og publiser"))  # type: ignore[untyped-decorator]
    def action_approve(self, ids: list[str]) -> None:
        """Publish the selected pending listings; their authors are told."""
        self._bulk(
            ids,
            lambda session, listing, actor: moderation.approve(session, listing, actor),
            lambda listing: listing.status is ListingStatus.PENDING,
        )

    @action("archive", _l("Avslutt (arkiver)"))  # type: ignore[untyped-decorator]
    def action_archive(self, ids: list[str]) -> None:
        """Archive the selected listings."""
        self._bulk(
            ids,
            lambda session, listing, actor: moderation.change_status(
                session, listing, ListingStatus.ARCHIVED, actor
            ),
            lambda listing: listing.status is not ListingStatus.ARCHIVED,
        )

    @action("verify", _l("Bekreft at de fortsatt stemmer"))  # type: ignore[untyped-decorator]
    def action_verify(self, ids: list[str]) -> None:
        """Confirm that the selected public listings are still right."""
        self._bulk(
            ids,
            lambda session, listing, actor: moderation.verify(session, listing, actor),
            lambda listing: listing.status in PUBLIC_STATUSES,
        )


# -- organizations -----------------------------------------------------------------------


class OrganizationView(ScopedModelView):
    """Organizations in the coordinator's municipalities; administrators add new ones."""

    column_list = ["name", "kind", "municipality.name", "email", "phone", "trusted"]
    column_labels = {
        "name": _l("Navn"),
        "kind": _l("Type"),
        "municipality.name": _l("Kommune"),
        "municipality": _l("Kommune"),
        "email": _l("E-post"),
        "phone": _l("Telefon"),
        "website": _l("Nettsted"),
        "trusted": _l("Publiserer uten godkjenning"),
    }
    column_sortable_list = ["name", "trusted"]
    column_default_sort = "name"
    column_searchable_list = ["name", "email"]
    column_filters = [
        MunicipalityFilter(Organization.municipality_number, _l("Kommune")),
        yes_no_filter(Organization.trusted, _l("Publiserer uten godkjenning")),
    ]
    form_columns = ["name", "email", "phone", "website", "trusted"]
    form_args = {"email": {"validators": [Optional(), EMAIL_SHAPE]}}

    @property
    def can_create(self) -> bool:  # type: ignore[override]  # read per request, not set
        """Only administrators add organizations (coordinators curate existing ones)."""
        return has_request_context() and is_administrator()

    def scope(self) -> Select[Any]:
        """Organizations the user manages."""
        return manageable_organizations(current_user)

    def get_create_form(self) -> type:
        """The edit fields plus kind and municipality."""

        class OrganizationCreateForm(self.scaffold_form()):  # type: ignore[misc]
            kind = SelectField(
                _l("Type"),
                choices=[
                    SelectChoice(k.value, ORGANIZATION_KIND_LABELS[k]) for k in OrganizationKind
                ],
                coerce=OrganizationKind,
            )
            municipality_number = SelectField(
                _l("Kommune"), choices=municipality_choices, validators=[DataRequired()]
            )

        return OrganizationCreateForm

    def create_model(self, form: Any) -> Any:
        """Administrators only, whatever the form says."""
        if not is_administrator():
            abort(404)
        return super().create_model(form)


# -- problem reports ---------------------------------------------------------------------


class ProblemReportView(ScopedModelView):
    """Open reports from readers on listings in the coordinator's municipalities."""

    can_edit = False
    form = SecureForm  # never shown: reports are made by readers on the site
    can_view_details = True
    column_list = ["listing.title", "reason", "message", "created_at"]
    column_details_list = ["listing.title", "reason", "message", "created_at"]
    column_labels = {
        "listing.title": _l("Oppføring"),
        "reason": _l("Hva er feil"),
        "message": _l("Melding"),
        "created_at": _l("Meldt"),
    }
    column_sortable_list = ["created_at"]
    column_default_sort = ("created_at", True)
    column_searchable_list = ["message"]

    def scope(self) -> Select[Any]:
        """Unresolved reports on listings the user curates."""
        return reports_in_scope(curated_municipalities()).where(ProblemReport.resolved_at.is_(None))

    def record_label(self, model: ProblemReport) -> str:
        """The listing's title."""
        return model.listing.title

    @action("resolve", _l("Merk som løst"))  # type: ignore[untyped-decorator]
    def action_resolve(self, ids: list[str]) -> None:
        """Mark the selected open reports as dealt with."""
        session = db.session()
        actor = acting_user()
        reports = self.records(ids)
        for report in reports:
            resolve_report(session, report, actor)
        session.commit()
        count = len(reports)
        flash(ngettext("%(num)d melding er løst.", "%(num)d meldinger er løst.", count))


# -- administrators only -----------------------------------------------------------------


class UserView(AdministratorView):
    """Accounts: name, address and whether they may log in; never the password."""

    can_edit = True
    column_list = ["email", "name", "active", "email_confirmed_at", "last_login_at"]
    column_labels = {
        "email": _l("E-post"),
        "name": _l("Navn"),
        "active": _l("Aktiv"),
        "email_confirmed_at": _l("E-post bekreftet"),
        "last_login_at": _l("Sist logget inn"),
    }
    column_sortable_list = ["email", "name", "last_login_at"]
    column_default_sort = "email"
    column_searchable_list = ["email", "name"]
    column_filters = [yes_no_filter(User.active, _l("Aktiv"))]
    form_columns = ["email", "name", "active"]
    form_args = {"email": {"validators": [DataRequired(), EMAIL_SHAPE]}}

    def record_label(self, model: User) -> str:
        """The address."""
        return model.email

    def on_model_change(self, form: Any, model: User, is_created: bool) -> None:
        """Addresses are stored the way login looks them up."""
        model.email = normalize_email(model.email)


class GrantForm(SecureForm):
    """Give a user a role in a scope."""

    email = StringField(_l("E-post til brukeren"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        _l("Rolle"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role], coerce=Role
    )
    municipality = SelectField(
        _l("Kommune (koordinator)"),
        choices=lambda: [SelectChoice("", "—"), *municipality_choices()],
    )
    organization = IntegerField(
        _l("Organisasjonens id i katalogen (frivillig, redaktør)"),
        validators=[Optional(), NumberRange(min=1)],
    )
    language = StringField(_l("Språkkode (oversetter)"), validators=[Optional(), Length(max=12)])

    def validate_organization(self, field: Any) -> None:
        """An existing organization."""
        if field.data and db.session.get(Organization, field.data) is None:
            raise ValidationError(_("Fant ingen organisasjon med det nummeret."))


class RoleGrantView(AdministratorView):
    """Who may do what where; grants are given and taken back, not edited."""

    can_create = True
    can_edit = False
    can_delete = True
    form = GrantForm
    column_list = [
        "user.email",
        "role",
        "municipality_number",
        "organization_id",
        "language",
        "created_at",
    ]
    column_labels = {
        "user.email": _l("Bruker"),
        "role": _l("Rolle"),
        "municipality_number": _l("Kommune"),
        "organization_id": _l("Organisasjon"),
        "language": _l("Språk"),
        "created_at": _l("Gitt"),
    }
    column_sortable_list = ["role", "municipality_number", "created_at"]
    column_default_sort = ("created_at", True)
    column_searchable_list = ["user.email"]
    column_filters = [
        ChoiceFilter(
            RoleGrant.role,
            _l("Rolle"),
            convert=Role,
            options=[(role.value, ROLE_LABELS[role]) for role in Role],
        ),
        MunicipalityFilter(RoleGrant.municipality_number, _l("Kommune")),
    ]

    def create_model(self, form: Any) -> Any:
        """Give the role through the accounts service."""
        session = db.session()
        user = find_user(session, form.email.data)
        if user is None:
            flash(_("Fant ingen bruker med den e-postadressen."), "error")
            return False
        try:
            with session.begin_nested():
                row = grant(
                    session,
                    user,
                    form.role.data,
                    municipality=form.municipality.data or None,
                    organization=form.organization.data or None,
                    language=form.language.data or None,
                )
        except AccountError:
            flash(_("Rollen trenger en kommune, en organisasjon eller et språk."), "error")
            return False
        except IntegrityError:  # the unique constraint: the user has this grant already
            flash(_("Brukeren har allerede denne rollen."), "error")
            return False
        session.commit()
        return row


class MunicipalityView(AdministratorView):
    """How often each municipality's listings are checked; names come from Kartverket."""

    can_edit = True
    column_list = ["number", "name", "freshness_days"]
    column_labels = {
        "number": _l("Nummer"),
        "name": _l("Navn"),
        "freshness_days": _l("Spør om tilbudet går etter (dager)"),
    }
    column_sortable_list = ["number", "name", "freshness_days"]
    column_default_sort = "name"
    column_searchable_list = ["name", "number"]
    form_columns = ["freshness_days"]
    form_args = {
        "freshness_days": {
            "label": _l("Spør om tilbudet går etter (dager)"),
            "validators": [DataRequired(), NumberRange(min=7, max=3650)],
        }
    }

    def record_label(self, model: Municipality) -> str:
        """The municipality's official names."""
        return f"{model.display_name} ({model.number})"


class CategoryView(AdministratorView):
    """The category tree offers are filed under."""

    can_create = True
    can_edit = True
    column_list = ["label", "slug", "parent.label", "icon", "position"]
    column_labels = {
        "label": _l("Navn"),
        "slug": _l("Nøkkel i adressen"),
        "parent.label": _l("Under"),
        "parent_id": _l("Under"),
        "icon": _l("Ikon"),
        "position": _l("Plass i rekkefølgen"),
    }
    column_sortable_list = ["label", "slug", "position"]
    column_default_sort = "position"
    column_searchable_list = ["label", "slug"]
    form_columns = ["label", "slug", "parent_id", "icon", "position"]
    form_overrides = {"parent_id": SelectField}
    form_args = {"parent_id": {"choices": category_choices, "coerce": optional_id}}

    def record_label(self, model: Category) -> str:
        """The label."""
        return model.label

    def after_model_change(self, form: Any, model: Category, is_created: bool) -> None:
        """The site's filter choices are cached; drop them."""
        forget_filter_choices()
