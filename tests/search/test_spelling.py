"""Typo candidates come from a deletion table of the index's own words."""

from __future__ import annotations

from directory.search.spelling import Speller

WORDS = {"leksehjelp": 40, "leksehjelpen": 3, "svomming": 25, "sprakkafe": 30, "kvinner": 12}


def test_one_edit_of_any_kind_is_found() -> None:
    speller = Speller(WORDS)
    assert speller.correct("leksehjep") == "leksehjelp"  # a letter missing
    assert speller.correct("leksehjellp") == "leksehjelp"  # a letter too many
    assert speller.correct("svomning") == "svomming"  # a letter wrong
    assert speller.correct("sprakakfe") == "sprakkafe"  # two letters swapped


def test_known_words_and_strangers_get_no_correction() -> None:
    speller = Speller(WORDS)
    assert speller.correct("kvinner") is None
    assert speller.correct("fotball") is None


def test_candidates_nearest_then_most_common() -> None:
    speller = Speller(WORDS)
    assert speller.candidates("leksehjelpe", maxdist=1) == ["leksehjelp", "leksehjelpen"]
    assert speller.candidates("leksehjelpe", maxdist=1, limit=1) == ["leksehjelp"]
