"""The public problem report form (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length

from directory.i18n import _l
from directory.moderation.models import REPORT_REASON_LABELS, ReportReason
from directory.moderation.reports import MESSAGE_MAX


class ReportForm(FlaskForm):  # type: ignore[misc]
    """What is wrong with a listing; no account needed."""

    reason = RadioField(
        _l("Hva er feil?"),
        choices=[
            SelectChoice(reason.value, label) for reason, label in REPORT_REASON_LABELS.items()
        ],
        # Our own check and message instead of WTForms' English "Not a valid choice".
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Velg hva som er feil.")),
            AnyOf([reason.value for reason in ReportReason], message=_l("Velg hva som er feil.")),
        ],
    )
    message = TextAreaField(
        _l("Fortell mer (valgfritt)"),
        validators=[Length(max=MESSAGE_MAX, message=_l("Teksten er for lang."))],
        description=_l("For eksempel riktig tid eller sted. Ikke skriv navn eller telefonnummer."),
    )
    # Honeypot: hidden from people, filled in by bots that fill in every field.
    website = StringField(_l("Ikke fyll ut dette feltet"))

    @property
    def is_bot(self) -> bool:
        """The hidden field was filled in: answer as usual, store nothing."""
        return bool((self.website.data or "").strip())

    @property
    def chosen_reason(self) -> ReportReason:
        """The chosen reason as the enum (after validation)."""
        return ReportReason(self.reason.data)
