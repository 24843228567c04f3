"""Readers' problem reports: stored for the coordinator's queue, the organization told.
Functions take the session, flush and never commit."""

from __future__ import annotations

from flask import url_for
from flask_babel import force_locale
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from directory.accounts.models import User
from directory.accounts.services import send_mail
from directory.db import utcnow
from directory.i18n import DEFAULT_LOCALE, _
from directory.listings.models import Listing
from directory.moderation.models import ProblemReport, ReportReason
from directory.moderation.services import author_addresses

MESSAGE_MAX = 1000


# SQLAlchemy 2.1 types a select by its row elements: Select[ProblemReport], not tuple[...].
def reports_in_scope(municipalities: set[str] | None) -> Select[ProblemReport]:
    """Problem reports on listings in these municipalities (None means all)."""
    stmt = select(ProblemReport).join(Listing, ProblemReport.listing_id == Listing.id)
    if municipalities is not None:
        stmt = stmt.where(Listing.municipality_number.in_(municipalities))
    return stmt


def open_reports(
    session: Session, municipalities: set[str] | None, limit: int = 100
) -> list[ProblemReport]:
    """Unresolved reports in scope, newest first, with their listings loaded."""
    stmt = (
        reports_in_scope(municipalities)
        .where(ProblemReport.resolved_at.is_(None))
        .options(joinedload(ProblemReport.listing))
        .order_by(ProblemReport.created_at.desc(), ProblemReport.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _tell_organization(session: Session, report: ProblemReport, listing: Listing) -> None:
    # The organization's mail is in Norwegian whatever language the reader used.
    with force_locale(DEFAULT_LOCALE):
        link = url_for(
            f"listings.{listing.kind.value}",
            listing_id=listing.id,
            slug=listing.slug,
            locale=DEFAULT_LOCALE,
            _external=True,
        )
        subject = _("Noen har meldt fra om feil i «%(title)s»", title=listing.title)
        body = _(
            "En leser har meldt fra om at noe er feil med «%(title)s».",
            title=listing.title,
        )
        body += "\n\n" + _("Hva er feil: %(reason)s", reason=report.reason.label)
        if report.message:
            body += "\n\n" + _("Leseren skrev:") + "\n" + report.message
        body += "\n\n" + _(
            "Koordinatoren i kommunen ser også meldingen. Sjekk oppføringen og rett den "
            "hvis noe er feil:"
        )
        body += "\n" + link
    for address in author_addresses(session, listing):
        send_mail(session, address, subject, body)


def report_problem(
    session: Session, listing: Listing, reason: ReportReason, message: str
) -> ProblemReport:
    """Store a reader's report for the coordinator's queue and mail the organization."""
    report = ProblemReport(
        listing_id=listing.id, reason=reason, message=message.strip()[:MESSAGE_MAX]
    )
    session.add(report)
    session.flush()
    _tell_organization(session, report, listing)
    session.flush()
    return report


def resolve_report(session: Session, report: ProblemReport, actor: User) -> None:
    """Mark a report as dealt with, by whom and when."""
    report.resolved_at = utcnow()
    report.resolved_by = actor
    session.flush()
