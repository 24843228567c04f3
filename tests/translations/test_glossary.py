"""Official terms are explained to readers and checked in translations."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory.i18n import UI_LOCALES
from directory.translations.glossary import check_translation, glossary, terms_in
from tests.factories import make_listing


def test_every_term_has_every_language() -> None:
    terms = {e.term for e in glossary("nb")}
    assert {"NAV", "fastlege", "introduksjonsprogram", "frivilligsentral"} <= terms
    for language in UI_LOCALES:
        entries = glossary(language)
        assert {e.language for e in entries} == {language}
        assert all(e.explanation and e.rendering for e in entries)


def test_terms_are_found_in_inflected_forms() -> None:
    found = {e.term for e in terms_in(["Kom til frivilligsentralen og åpen barnehage"], "en")}
    assert found == {"frivilligsentral", "åpen barnehage"}  # the longer term wins
    assert terms_in(["Ingen ord her"], "en") == []
    assert {e.term for e in terms_in(["Spør NAV eller fastlegen din"], "uk")} == {"NAV", "fastlege"}


def test_translations_are_checked_for_the_agreed_terms() -> None:
    source = "Ta kontakt med NAV."
    assert check_translation(source, "Contact NAV.", "en") == []
    missing = check_translation(source, "Contact the welfare office.", "en")
    assert [e.term for e in missing] == ["NAV"]


def test_readers_get_the_explanation_in_their_language(
    db_session: Session, client: FlaskClient
) -> None:
    listing = make_listing(db_session, title="Hjelp med brev fra NAV", summary="Gratis.")
    page = client.get(f"/uk/offer/{listing.id}").get_data(as_text=True)
    explanation = next(e for e in glossary("uk") if e.term == "NAV").explanation
    assert 'class="glossary"' in page
    assert explanation in page
    assert '<dd lang="uk" dir="ltr">' in page
