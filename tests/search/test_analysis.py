"""Analyzers: Norwegian stemming both ways, folding, other scripts."""

from __future__ import annotations

from directory.search.analysis import analyzer_for, group_for


def tokens(group: str, text: str) -> set[str]:
    return {t.text for t in analyzer_for(group)(text)}


def test_norwegian_stem_and_surface_meet_both_ways() -> None:
    # Snowball gives kurs→kur but kursene→kurs; stemming to a fixed point bridges the gap.
    assert tokens("no", "kurs") == tokens("no", "kursene") == tokens("no", "kurset")
    assert tokens("no", "språkkafé") == tokens("no", "språkkafeen")
    assert tokens("no", "kvinner") == tokens("no", "kvinne")
    assert tokens("no", "Svømming") == {"svomming"}


def test_folding_of_nordic_and_sami_letters() -> None:
    assert tokens("fold", "Tromsø Ålesund Guovdageaidnu Kárášjohka") == {
        "tromso",
        "alesund",
        "guovdageaidnu",
        "karasjohka",
    }


def test_other_scripts_keep_their_letters() -> None:
    assert tokens("fold", "Мовне кафе") == {"мовне", "кафе"}
    assert "درس" in tokens("ar", "المدرسية")


def test_language_groups() -> None:
    assert group_for("nn") == "no"
    assert group_for("uk") == "fold"
    assert group_for("ar") == "ar"
