"""The offer and event form, in plain words, with a recurrence editor that needs no
JavaScript: a pattern (once, weekly, every other week, monthly), weekdays, times, extra
dates, breaks and public holidays."""

from __future__ import annotations

import datetime as dt
import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
    ValidationError,
    widgets,
)
from wtforms.validators import NumberRange, Optional

from directory.accounts.forms import REQUIRED, at_most
from directory.i18n import _, _l
from directory.schedules.recurrence import WEEKDAY_CODES

DAY_PATTERN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
RANGE_SPLIT = re.compile(r"\s*(?:–|—|-(?=\s*\d{1,2}\.)|\bto\b|\btil\b)\s*")


def web_address(form: object, field: StringField) -> None:
    """Only http(s) addresses: a javascript: or data: link would run in readers' pages."""
    value = (field.data or "").strip()
    if value and not re.match(r"^https?://[^\s/]+\.[^\s]+$", value, re.IGNORECASE):
        raise ValidationError(_("Skriv en nettadresse som begynner med https://"))


class CheckboxList(SelectMultipleField):  # type: ignore[misc]
    """Several choices as checkboxes (works without JavaScript, unlike a multi-select)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def parse_day(text: str) -> dt.date:
    """A date as people write it here: 12.03.2026, 12.3.2026 or 2026-03-12."""
    text = text.strip()
    match = DAY_PATTERN.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("«%(text)s» er ikke en dato. Skriv for eksempel 12.03.2026.", text=text[:40])
        ) from None


def parse_days(text: str) -> list[dt.date]:
    """One date per line (or separated by commas)."""
    return [parse_day(part) for part in re.split(r"[\n,;]+", text or "") if part.strip()]


def parse_breaks(text: str) -> list[tuple[dt.date, dt.date, str]]:
    """Lines like "22.06.2026–16.08.2026 sommerferie": a date range and a reason."""
    breaks = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        parts = RANGE_SPLIT.split(line, maxsplit=1)
        if len(parts) != 2:
            raise ValueError(
                _(
                    "«%(text)s»: skriv fra–til, for eksempel 22.06.2026–16.08.2026 sommerferie.",
                    text=line[:60],
                )
            )
        start_text, rest = parts
        end_text, _sep, reason = rest.strip().partition(" ")
        start, end = parse_day(start_text), parse_day(end_text)
        if end < start:
            raise ValueError(_("«%(text)s»: sluttdatoen er før startdatoen.", text=line[:60]))
        breaks.append((start, end, reason.strip()[:200]))
    return breaks


class ListingForm(FlaskForm):  # type: ignore[misc]
    """Everything a newcomer needs to know about one activity."""

    version = HiddenField()
    title = StringField(
        _l("Navn på aktiviteten"),
        validators=[REQUIRED, at_most(200)],
        description=_l("Kort og tydelig, for eksempel «Språkkafé på biblioteket»."),
    )
    summary = StringField(
        _l("Kort om aktiviteten"),
        validators=[Optional(), at_most(200)],
        description=_l("Én setning som vises i lister."),
    )
    description = TextAreaField(
        _l("Mer om aktiviteten"),
        validators=[Optional(), at_most(5000)],
        description=_l(
            "Skriv enkelt. Du kan bruke **fet**, *kursiv*, lister med - og lenker som "
            "[tekst](https://…)."
        ),
    )
    primary_category = SelectField(_l("Hva slags aktivitet"), coerce=int, validators=[REQUIRED])
    categories = CheckboxList(_l("Passer også under"), coerce=int, validators=[Optional()])
    target_groups = CheckboxList(_l("Hvem er det for"), coerce=int, validators=[Optional()])
    languages = CheckboxList(_l("Språk dere snakker der"), validators=[Optional()])

    # Where
    venue = SelectField(_l("Sted"), validators=[Optional()])
    venue_name = StringField(_l("Navn på nytt sted"), validators=[Optional(), at_most(200)])
    venue_address = StringField(_l("Gateadresse"), validators=[Optional(), at_most(200)])
    venue_postal_code = StringField(_l("Postnummer"), validators=[Optional(), at_most(4)])
    venue_postal_place = StringField(_l("Poststed"), validators=[Optional(), at_most(100)])
    online_url = URLField(
        _l("Lenke til digitalt møte"), validators=[Optional(), at_most(500), web_address]
    )

    # When
    pattern = RadioField(
        _l("Hvor ofte"),
        choices=[
            SelectChoice("weekly", _l("Hver uke")),
            SelectChoice("biweekly", _l("Annenhver uke")),
            SelectChoice("monthly", _l("Én gang i måneden")),
            SelectChoice("once", _l("Bare én gang, eller på egne datoer")),
        ],
        default="weekly",
    )
    weekdays = CheckboxList(_l("Dager"))  # no Optional(): it would skip validate_weekdays
    nth = SelectField(
        _l("Hvilken uke i måneden"),
        choices=[
            SelectChoice("1", _l("Første")),
            SelectChoice("2", _l("Andre")),
            SelectChoice("3", _l("Tredje")),
            SelectChoice("4", _l("Fjerde")),
            SelectChoice("-1", _l("Siste")),
        ],
        default="1",
    )
    starts_on = DateField(
        _l("Første dato"), validators=[REQUIRED], description=_l("For eksempel 12.03.2026.")
    )
    opens_at = TimeField(_l("Starter kl."), validators=[REQUIRED])
    closes_at = TimeField(_l("Slutter kl."), validators=[Optional()])
    valid_to = DateField(_l("Siste dato"), validators=[Optional()], description=_l("Valgfritt."))
    extra_dates = TextAreaField(
        _l("Andre datoer"),
        validators=[Optional(), at_most(2000)],
        description=_l("Én dato per linje, for eksempel 12.03.2026."),
    )
    breaks = TextAreaField(
        _l("Pauser"),
        validators=[Optional(), at_most(2000)],
        description=_l("Én pause per linje, for eksempel: 22.06.2026–16.08.2026 sommerferie"),
    )
    skip_public_holidays = BooleanField(_l("Ikke på helligdager"), default=True)

    # For whom, what it costs
    is_free = BooleanField(_l("Gratis"), default=True)
    cost_text = StringField(_l("Pris"), validators=[Optional(), at_most(300)])
    registration_required = BooleanField(_l("Man må melde seg på"))
    registration_info = StringField(
        _l("Slik melder man seg på"), validators=[Optional(), at_most(500)]
    )
    childcare = BooleanField(_l("Barnepass mens man er der"))
    no_documents = BooleanField(_l("Man trenger ikke vise papirer eller ID"))
    eligibility = RadioField(
        _l("Hvem kan komme"),
        choices=[SelectChoice("open", _l("Alle")), SelectChoice("restricted", _l("Bare noen"))],
        default="open",
    )
    eligibility_note = StringField(
        _l("Hvem kan komme, med enkle ord"), validators=[Optional(), at_most(500)]
    )
    min_age = IntegerField(
        _l("Fra alder"), validators=[Optional(), NumberRange(0, 120, _l("Skriv en alder."))]
    )
    max_age = IntegerField(
        _l("Til alder"), validators=[Optional(), NumberRange(0, 120, _l("Skriv en alder."))]
    )

    # Contact
    contact_name = StringField(_l("Kontaktperson"), validators=[Optional(), at_most(200)])
    contact_phone = StringField(_l("Telefon"), validators=[Optional(), at_most(40)])
    contact_email = EmailField(_l("E-post"), validators=[Optional(), at_most(254)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.weekdays.choices = [
            SelectChoice(code, name)
            for code, name in zip(WEEKDAY_CODES, _weekday_labels(), strict=True)
        ]

    def validate_weekdays(self, field: CheckboxList) -> None:
        """Weekly patterns need days; monthly ones exactly one."""
        if self.pattern.data in ("weekly", "biweekly") and not field.data:
            raise ValidationError(_("Velg minst én dag."))
        if self.pattern.data == "monthly" and len(field.data or []) != 1:
            raise ValidationError(_("Velg én dag, for eksempel mandag."))

    def validate_extra_dates(self, field: TextAreaField) -> None:
        """Every line a date."""
        try:
            parse_days(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def validate_breaks(self, field: TextAreaField) -> None:
        """Every line a date range."""
        try:
            parse_breaks(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def validate_closes_at(self, field: TimeField) -> None:
        """Ends after it starts."""
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_("Sluttid må være etter starttid."))

    def validate_venue(self, field: SelectField) -> None:
        """A new venue needs a name."""
        if field.data == "new" and not (self.venue_name.data or "").strip():
            raise ValidationError(_("Skriv navnet på det nye stedet."))


def _weekday_labels() -> list[str]:
    from babel.dates import get_day_names
    from flask_babel import get_locale

    names = get_day_names("wide", locale=str(get_locale() or "nb"))
    return [names[index] for index in range(7)]


class ReviewForm(FlaskForm):  # type: ignore[misc]
    """A coordinator's decision; rejecting and requesting changes need a message."""

    message = TextAreaField(
        _l("Melding til dem som la inn oppføringen"),
        validators=[Optional(), at_most(2000)],
        description=_l("Må fylles ut når du avviser eller ber om endringer."),
    )


class InviteForm(FlaskForm):  # type: ignore[misc]
    """Invite someone to write for an organization."""

    email = EmailField(_l("E-post"), validators=[REQUIRED, at_most(254)])
    editor = BooleanField(_l("Kan også endre organisasjonen og invitere andre"))


class OrganizationForm(FlaskForm):  # type: ignore[misc]
    """What readers see about an organization."""

    name = StringField(_l("Navn"), validators=[REQUIRED, at_most(200)])
    description = TextAreaField(
        _l("Om organisasjonen"),
        validators=[Optional(), at_most(5000)],
        description=_l(
            "Skriv enkelt. Du kan bruke **fet**, *kursiv*, lister med - og lenker som "
            "[tekst](https://…)."
        ),
    )
    website = URLField(_l("Nettside"), validators=[Optional(), at_most(500), web_address])
    email = EmailField(_l("E-post"), validators=[Optional(), at_most(254)])
    phone = StringField(_l("Telefon"), validators=[Optional(), at_most(40)])
