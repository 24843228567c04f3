"""Language names and directions for the languages spoken at activities."""

from __future__ import annotations

import pytest

from directory.i18n import direction, language_info, language_name


@pytest.mark.parametrize(
    ("code", "native", "dir_"),
    [
        ("uk", "Українська", "ltr"),
        ("ar", "العربية", "rtl"),
        ("fa", "فارسی", "rtl"),
        ("prs", "دری", "rtl"),
        ("ur", "اردو", "rtl"),
        ("se", "Davvisámegiella", "ltr"),
        ("ti", "ትግርኛ", "ltr"),
        ("zz-nonsense", "zz-nonsense", "ltr"),
    ],
)
def test_language_info(code: str, native: str, dir_: str) -> None:
    info = language_info(code)
    assert info.native_name == native
    assert info.direction == dir_ == direction(code)


def test_language_name_in_reader_language() -> None:
    assert language_name("uk", "nb") == "Ukrainsk"
    assert language_name("prs", "en") == "Dari"
    assert language_name("so", "en") == "Somali"


def test_fold_strips_controls_and_folds_letters() -> None:
    from directory.text import fold, slugify

    assert fold("\u200fTROMSØ\x00") == "tromso"
    assert fold("Guovdageaidnu") == "guovdageaidnu"
    assert fold("Kárášjohka") == "karasjohka"
    assert fold("Unjárga  Nesseby") == "unjarga nesseby"
    assert fold("Ŋ Đ Ŧ Æ") == "n d t ae"
    assert fold("мовне кафе") == "мовне кафе"
    assert fold("كافي") == "کافی"
    assert slugify("Øygarden") == "oygarden"
    assert slugify("!!!") == "x"


def test_shipped_catalogs_are_complete_and_compiled() -> None:
    from directory.i18n import DEFAULT_LOCALE, UI_LOCALES
    from directory.i18n_check import catalog_problems, extracted_ids

    wanted = extracted_ids()
    assert len(wanted) > 100
    for locale in UI_LOCALES:
        if locale != DEFAULT_LOCALE:
            assert catalog_problems(locale, wanted) == []


def test_english_pages_are_english(client: object) -> None:
    from flask.testing import FlaskClient

    assert isinstance(client, FlaskClient)
    page = client.get("/en/municipality/5501/tromso").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert "Offers in Tromsø" in page
    assert "Filtrer" not in page
