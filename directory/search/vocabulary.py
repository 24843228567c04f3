"""Cross-language recall: words of category and target-group labels and synonyms, in every
language, mapped to the slugs they name. A query word found here also matches listings in
those categories, so "мовне кафе" finds a language café written only in Norwegian.

Labels are resolved at query time rather than copied into every document: documents stay
small and a relabelled category needs no reindexing.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.search.analysis import GROUPS, analyzer_for
from directory.taxonomy.models import Category, TargetGroup

TTL_SECONDS = 300.0


@dataclass(frozen=True)
class Vocabulary:
    """Analyzed word → (field, slug) pairs."""

    terms: dict[str, frozenset[tuple[str, str]]]

    def lookup(self, tokens: list[str]) -> frozenset[tuple[str, str]]:
        """Every category or target group any of the tokens names."""
        found: set[tuple[str, str]] = set()
        for token in tokens:
            found |= self.terms.get(token, frozenset())
        return frozenset(found)


def tokens_of(text: str) -> set[str]:
    """A text's tokens under every analyzer group (surface forms and stems, folded)."""
    return {t.text for group in GROUPS for t in analyzer_for(group)(text) if len(t.text) > 1}


def build_vocabulary(session: Session) -> Vocabulary:
    """Read the taxonomy and index its words."""
    terms: dict[str, set[tuple[str, str]]] = defaultdict(set)
    categories = session.scalars(select(Category).options(selectinload(Category.translations)))
    for category in categories:
        texts = [category.label, *category.synonyms, *(t.text for t in category.translations)]
        for token in {tok for text in texts for tok in tokens_of(text)}:
            terms[token].add(("category", category.slug))
    groups = session.scalars(select(TargetGroup).options(selectinload(TargetGroup.translations)))
    for group in groups:
        texts = [group.label, *(t.text for t in group.translations)]
        for token in {tok for text in texts for tok in tokens_of(text)}:
            terms[token].add(("target", group.slug))
    return Vocabulary({k: frozenset(v) for k, v in terms.items()})


_cache: tuple[float, Vocabulary] | None = None


def vocabulary(session: Session) -> Vocabulary:
    """The vocabulary, rebuilt at most every few minutes per process."""
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > TTL_SECONDS:
        _cache = (now, build_vocabulary(session))
    return _cache[1]


def forget() -> None:
    """Drop the cached vocabulary (after the taxonomy changes)."""
    global _cache
    _cache = None
