"""/<locale>/still-running/<token>: the organization answers "Still running?" without
logging in."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template, request

from directory.extensions import db, limiter
from directory.i18n import _
from directory.moderation import freshness
from directory.moderation.services import TransitionError
from directory.schedules.recurrence import now_in_oslo

bp = Blueprint("freshness", __name__, url_prefix="/<locale>/still-running")
# A Jinja global rather than a context variable: the card macro is imported without
# the template context and needs it too.
bp.add_app_template_global(freshness.unconfirmed_since, "unconfirmed_since")


def _message(title: str, text: str, status: int = 200) -> tuple[str, int]:
    return render_template("freshness/message.html", title=title, text=text), status


@bp.route("/<token>", methods=["GET", "POST"])
# Answers are posts like any other; the token already limits who can make them.
@limiter.limit(lambda: current_app.config["POSTING_RATE_LIMIT"], methods=["POST"])
def answer(token: str) -> tuple[str, int]:
    """The question with its three answers; a POST applies the chosen one."""
    session = db.session()
    question = freshness.read_question(session, token)
    if question is None:
        return _message(
            _("Lenken virker ikke"),
            _(
                "Lenken er for gammel eller ikke hel. Kopier hele lenken fra e-posten, "
                "eller logg inn og se over oppføringen der."
            ),
            404,
        )
    listing = question.listing
    if not question.open:
        return _message(
            _("Allerede besvart"),
            _("Takk! Noen har allerede svart for «%(title)s».", title=listing.title),
        )
    # A GET never changes anything: mail scanners and link previews open every link in
    # a mail, and must not answer on the organization's behalf. Only the button posts.
    # On a POST only the button counts, never an ?answer= left in the address.
    chosen = (request.form if request.method == "POST" else request.args).get("answer", "")
    error = None
    if request.method == "POST":
        until = freshness.parse_date(request.form.get("until", ""))
        try:
            freshness.answer(session, listing, chosen, until)
        except (freshness.FreshnessError, TransitionError) as exc:
            session.rollback()
            error = str(exc)
        else:
            session.commit()
            return render_template("freshness/thanks.html", listing=listing, answer=chosen), 200
    status = 400 if error else 200
    return render_template(
        "freshness/question.html",
        listing=listing,
        chosen=chosen if chosen in freshness.ANSWERS else None,
        error=error,
        until=request.form.get("until", ""),
        token=token,
        tomorrow=(now_in_oslo().date() + dt.timedelta(days=1)).isoformat(),
    ), status
