"""Translation status follows the source: edits outdate, typo fixes, drafts and moves do not."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory.listings.models import Listing, ListingStatus
from directory.places.models import Municipality
from directory.translations.models import TranslationStatus
from directory.translations.services import (
    IncomingUnit,
    TranslationState,
    apply_units,
    coverage,
    mark_minor_edit,
    state_of,
)
from tests.factories import EMPTY_MUNICIPALITY, make_listing, make_venue


def approve(session: Session, listing: Listing, field: str, language: str) -> None:
    """What the translator's editor does when a machine text is saved as it stands."""
    key = f"listing:{listing.id}:{field}"
    text = listing.localized(field, language).text
    apply_units(session, language, [IncomingUnit(key, getattr(listing, field), text)])


def translated(session: Session) -> Listing:
    listing = make_listing(session, title="Språkkafé på biblioteket", summary="Kom og snakk norsk.")
    listing.set_translation("title", "uk", "Мовне кафе в бібліотеці")
    listing.set_translation("summary", "uk", "Приходьте говорити норвезькою.")
    listing.set_translation("title", "en", "Language café", TranslationStatus.MACHINE)
    session.flush()
    return listing


def test_a_changed_source_outdates_its_translations(db_session: Session) -> None:
    listing = translated(db_session)
    listing.title = "Språkkafé på kulturhuset"
    db_session.flush()
    assert state_of(listing, "title", "uk") is TranslationState.OUTDATED
    assert state_of(listing, "title", "en") is TranslationState.OUTDATED  # machine text too
    assert state_of(listing, "summary", "uk") is TranslationState.CURRENT  # other field
    assert state_of(listing, "title", "ar") is TranslationState.MISSING


def test_a_minor_edit_keeps_translations_current(db_session: Session) -> None:
    listing = translated(db_session)
    listing.title = "Språkkafé på bibloteket"  # a typo fix the other way round still counts
    mark_minor_edit(listing)
    db_session.flush()
    assert state_of(listing, "title", "uk") is TranslationState.CURRENT
    # The translation now counts as made from the corrected text: a later real edit outdates.
    listing.title = "Språkkafé i rådhuset"
    db_session.flush()
    assert state_of(listing, "title", "uk") is TranslationState.OUTDATED


def test_saving_a_draft_or_moving_outdates_nothing(db_session: Session) -> None:
    listing = translated(db_session)
    listing.status = ListingStatus.DRAFT
    db_session.flush()
    listing.status = ListingStatus.PUBLISHED
    listing.venue = make_venue(db_session, name="Kulturhuset")
    listing.municipality = db_session.get(Municipality, "5610")
    listing.childcare = True
    db_session.flush()
    assert state_of(listing, "title", "uk") is TranslationState.CURRENT
    assert state_of(listing, "summary", "uk") is TranslationState.CURRENT


def test_approving_makes_a_machine_translation_current(db_session: Session) -> None:
    listing = translated(db_session)
    approve(db_session, listing, "title", "en")
    assert state_of(listing, "title", "en") is TranslationState.CURRENT


def test_coverage_counts_and_names_what_is_missing(db_session: Session) -> None:
    listing = translated(db_session)
    report = coverage(db_session, EMPTY_MUNICIPALITY, ["uk", "en", "ar"])
    uk, en, ar = report["uk"], report["en"], report["ar"]
    assert f"listing:{listing.id}:title" not in uk.missing
    assert f"listing:{listing.id}:title" in ar.missing
    assert en.counts[TranslationState.MACHINE] >= 1
    assert uk.counts[TranslationState.CURRENT] >= 2
    assert uk.total == ar.total == en.total
    assert ar.counts[TranslationState.CURRENT] <= uk.counts[TranslationState.CURRENT]


def test_untranslated_text_is_shown_in_its_own_language(
    db_session: Session, client: FlaskClient
) -> None:
    listing = make_listing(db_session, title="Leksehjelp for alle", summary="Ta med leksene.")
    page = client.get(f"/uk/offer/{listing.id}").get_data(as_text=True)
    assert '<h1 lang="nb" dir="ltr">Leksehjelp for alle</h1>' in page
    assert 'class="notice"' in page
    assert "Ikke oversatt ennå" not in page  # the note itself is in Ukrainian
    arabic = client.get(f"/ar/offer/{listing.id}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic
    assert '<h1 lang="nb" dir="ltr">Leksehjelp for alle</h1>' in arabic


def test_a_machine_translation_is_marked_for_readers(
    db_session: Session, client: FlaskClient
) -> None:
    listing = translated(db_session)
    page = client.get(f"/en/offer/{listing.id}").get_data(as_text=True)
    assert "<h1>Language café</h1>" in page
    assert "Machine translated." in page
    approve(db_session, listing, "title", "en")
    db_session.flush()
    assert "Machine translated." not in client.get(f"/en/offer/{listing.id}").get_data(as_text=True)
