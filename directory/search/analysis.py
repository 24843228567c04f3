"""Analyzers: stemming where whoosh has a stemmer, folding everywhere.

The Norwegian Snowball stemmer is not idempotent ("kursene"→"kurs" but "kurs"→"kur"), so
stemmed fields keep each word's surface form beside its stem at the same position; a
query matches when either form meets either form.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

from whoosh.analysis import (
    Analyzer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.lang import has_stopwords, stemmer_for_language

from directory.text import fold

# Analyzer groups: each has its own fields in the index.
STEMMED_GROUPS = ("no", "en", "ru", "ar")
GROUPS = (*STEMMED_GROUPS, "fold")

# Content language (ISO 639) → analyzer group; anything else is folded only.
LANGUAGE_GROUPS = {"nb": "no", "nn": "no", "no": "no", "en": "en", "ru": "ru", "ar": "ar"}

# Words, including letters joined by apostrophes (Somali, Kurmanji) and digits.
WORD_PATTERN = r"\w+(?:['’]\w+)*"


def group_for(language: str) -> str:
    """The analyzer group for a content language."""
    return LANGUAGE_GROUPS.get(language, "fold")


class FoldFilter(Filter):  # type: ignore[misc]
    """Fold each token as ``directory.text.fold`` does (case, accents, æøå, Sami)."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = _fold(token.text)
            if token.text:
                yield token


class StemVariantsFilter(Filter):  # type: ignore[misc]
    """Yield each word's surface form and, when different, its stem at the same position."""

    def __init__(self, language: str) -> None:
        # Only the language is kept: the schema (with its analyzers) is pickled into the index.
        self.language = language

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StemVariantsFilter) and other.language == self.language

    def __hash__(self) -> int:
        return hash(("stem-variants", self.language))

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            surface = token.text
            yield token
            if token.stopped:
                continue
            stem = _stem(self.language, surface)
            if stem and stem != surface:
                token.text = stem
                yield token


@lru_cache(maxsize=200_000)
def _fold(word: str) -> str:
    return fold(word)


@lru_cache(maxsize=200_000)
def _stem(language: str, word: str) -> str:
    return str(stemmer_for_language(language)(word))


@cache
def analyzer_for(group: str) -> Analyzer:
    """The analyzer of a group: tokenize, lower-case, drop stop words, stem, fold."""
    tokens = RegexTokenizer(WORD_PATTERN) | LowercaseFilter()
    if group == "fold":
        return tokens | FoldFilter()
    if has_stopwords(group):
        tokens = tokens | StopFilter(lang=group)
    return tokens | StemVariantsFilter(group) | FoldFilter()


def fold_analyzer() -> Analyzer:
    """Tokenize and fold, no stemming: for vocabulary, names and languages without a stemmer."""
    return analyzer_for("fold")
