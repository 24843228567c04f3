"""Analyzers: stemming where whoosh has a stemmer, folding everywhere.

Snowball stemmers are not idempotent ("kursene"→"kurs" but "kurs"→"kur"), so stemmed
fields hold each word's root (stemmed until it stops changing): "kurs" and "kursene"
meet, and a word costs one posting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.lang import has_stopwords, stemmer_for_language, stopwords_for_language

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


# Forms cached per analyzer group; bounded so a flood of nonsense words cannot grow it.
_FORMS_LIMIT = 300_000
_forms: dict[str, dict[str, tuple[str, ...]]] = {}


def forms_of(group: str, word: str) -> tuple[str, ...]:
    """The indexed form of one word: folded, and in stemmed groups reduced to its root.

    Empty for a stop word. In stemmed groups words shorter than two letters are dropped,
    as whoosh's StopFilter does.
    """
    cache = _forms.setdefault(group, {})
    found = cache.get(word)
    if found is not None:
        return found
    lower = word.lower()
    if group == "fold":
        folded = fold(lower)
        forms: tuple[str, ...] = (folded,) if folded else ()
    elif len(lower) < 2 or lower in _stoplist(group):
        forms = ()
    elif group == "no":
        # Norwegian suffixes hold no æ, ø or å: folding first lets "språkkafé" and
        # "språkkafeen" meet.
        forms = (_root(group, fold(lower)),)
    else:
        forms = (fold(_root(group, lower)),)
    forms = tuple(f for f in forms if f)
    if len(cache) > _FORMS_LIMIT:
        cache.clear()
    cache[word] = forms
    return forms


def _root(group: str, word: str) -> str:
    """Stem until the stem stops changing.

    Snowball stemmers are not idempotent ("kursene"→"kurs"→"kur"): one root per word
    means "kurs" and "kursene" meet, and each word is one posting, not two.
    """
    for _ in range(3):
        stem = _stem(group, word)
        if stem == word:
            break
        word = stem
    return word


class WordAnalyzer(Tokenizer):  # type: ignore[misc]
    """Tokenize, lower-case, drop stop words, stem and fold in one pass with a word cache.

    What RegexTokenizer | LowercaseFilter | StopFilter | stemming | folding would do, at a
    fraction of the cost: profiling showed the chain of generator filters taking half of
    the indexing time.
    """

    def __init__(self, group: str) -> None:
        # Only the group is kept: the schema (with its analyzers) is pickled into the index.
        self.group = group

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordAnalyzer) and other.group == self.group

    def __hash__(self) -> int:
        return hash(("word-analyzer", self.group))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        group = self.group
        position = start_pos
        for match in _WORD.finditer(value):
            word = match.group(0)
            forms = forms_of(group, word)
            if not forms:
                if removestops:
                    continue
                forms = (fold(word.lower()),)
                token.stopped = True
            else:
                token.stopped = False
            if positions:
                token.pos = position
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            if keeporiginal:
                token.original = word
            token.boost = 1.0
            for form in forms:
                token.text = form
                yield token
            if not token.stopped:
                position += 1


_WORD = re.compile(WORD_PATTERN)


@cache
def _stoplist(group: str) -> frozenset[str]:
    return frozenset(stopwords_for_language(group)) if has_stopwords(group) else frozenset()


@lru_cache(maxsize=200_000)
def _stem(language: str, word: str) -> str:
    return str(stemmer_for_language(language)(word))


@cache
def analyzer_for(group: str) -> WordAnalyzer:
    """The analyzer of a group: tokenize, lower-case, drop stop words, stem, fold."""
    return WordAnalyzer(group)


def fold_analyzer() -> WordAnalyzer:
    """Tokenize and fold, no stemming: for vocabulary, names and languages without a stemmer."""
    return analyzer_for("fold")
