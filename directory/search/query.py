"""From what a person typed to a whoosh query, with no query syntax to trip over.

Input is treated as plain text: words, plus "quoted phrases". Each word must match in
some field (the reader's language, Norwegian, English, the folded fields, or the category
vocabulary); longer words also match with a typo, and the last word as a prefix for
type-ahead, both weighted below exact hits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh.query import And, FuzzyTerm, Or, Phrase, Prefix, Query, Term

from directory.search.analysis import GROUPS, analyzer_for, forms_of, group_for
from directory.search.vocabulary import Vocabulary
from directory.text import fold, strip_controls

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10
WORD = re.compile(r"\w+(?:['’]\w+)*")
PHRASE = re.compile(r'"([^"]{1,100})"')
FUZZY_MIN = 5
PREFIX_MIN = 3
PHRASE_GROUPS = 3


@dataclass(frozen=True)
class ParsedQuery:
    """The words and phrases of a query, and whether the last word is still being typed."""

    words: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]
    open_ended: bool

    @property
    def empty(self) -> bool:
        """Nothing searchable was typed."""
        return not self.words and not self.phrases

    @property
    def highlight_terms(self) -> set[str]:
        """Folded words to mark in snippets."""
        return {fold(w) for w in (*self.words, *(w for p in self.phrases for w in p))}


def parse(text: str) -> ParsedQuery:
    """Split user input into words and quoted phrases; everything else is ignored."""
    cleaned = strip_controls(text)[:MAX_QUERY_LENGTH]
    phrases = tuple(
        tuple(WORD.findall(p)) for p in PHRASE.findall(cleaned) if len(WORD.findall(p)) > 1
    )
    rest = PHRASE.sub(" ", cleaned)
    words = tuple(WORD.findall(rest))[:MAX_WORDS]
    return ParsedQuery(words, phrases[:3], open_ended=bool(rest) and not rest[-1:].isspace())


def field_weights(locale: str) -> dict[str, float]:
    """Analyzer groups to query, weighted: the reader's language first, then nb and en."""
    weights = dict.fromkeys(GROUPS, 0.7)
    weights["no"] = 0.9
    weights["en"] = 0.8
    weights[group_for(locale)] = 1.0
    return weights


def _tokens(group: str, word: str) -> list[str]:
    return list(dict.fromkeys(t.text for t in analyzer_for(group)(word)))


def word_query(
    word: str, weights: dict[str, float], last: bool, vocabulary: Vocabulary | None = None
) -> Query | None:
    """Everything one word may match, or None if it is only stop words everywhere."""
    clauses: list[Query] = []
    tokens: set[str] = set()
    for group, weight in weights.items():
        for token in _tokens(group, word):
            tokens.add(token)
            clauses.append(Term(f"text_{group}", token, boost=weight * 0.6))
    if not clauses:
        return None
    folded = fold(word)
    clauses.append(Term("words", folded, boost=1.5))
    clauses.append(Term("names", folded, boost=0.8))
    if vocabulary is not None:
        for fieldname, slug in sorted(vocabulary.lookup(sorted(tokens))):
            clauses.append(Term(fieldname, slug, boost=0.5))
    if len(folded) >= FUZZY_MIN:
        distance = 1 if len(folded) < 8 else 2
        clauses.append(FuzzyTerm("words", folded, boost=0.3, maxdist=distance, prefixlength=2))
    if last and len(folded) >= PREFIX_MIN:
        clauses.append(Prefix("words", folded, boost=0.4))
    return Or(clauses)


def phrase_query(words: tuple[str, ...], weights: dict[str, float]) -> Query | None:
    """A phrase, in order, in the text of the reader's language, Norwegian or English.

    Checking word positions is whoosh's slowest work, so phrases are looked for only in
    the three languages a reader's query is likely to be in.
    """
    clauses: list[Query] = []
    likely = sorted(weights, key=lambda g: -weights[g])[:PHRASE_GROUPS]
    for group in likely:
        # Each word's indexed form, with the group's stop words dropped as at indexing.
        tokens = [forms[0] for w in words if (forms := forms_of(group, w))]
        boost = weights[group] * 1.5
        if len(tokens) > 1:
            clauses.append(Phrase(f"text_{group}", tokens, boost=boost))
        elif tokens:  # all but one word were stop words here
            clauses.append(Term(f"text_{group}", tokens[0], boost=boost))
    return Or(clauses) if clauses else None


def build(
    parsed: ParsedQuery,
    locale: str,
    require_all: bool = True,
    vocabulary: Vocabulary | None = None,
) -> Query | None:
    """The whoosh query for parsed input: all words (or, relaxed, any word) must match."""
    weights = field_weights(locale)
    last = len(parsed.words) - 1
    clauses = [
        q
        for i, w in enumerate(parsed.words)
        if (q := word_query(w, weights, parsed.open_ended and i == last, vocabulary))
    ]
    clauses += [q for p in parsed.phrases if (q := phrase_query(p, weights))]
    if not clauses:
        return None
    if len(clauses) == 1:
        return clauses[0]
    return And(clauses) if require_all else Or(clauses)
