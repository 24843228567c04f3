"""Searching the index: text query, filters, facet counts, distance and sorting."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from geopy.distance import geodesic
from whoosh.query import Every, Query, Term, TermRange
from whoosh.searching import Searcher

from directory.listings.services import DAY_CODES, TIME_CHOICES
from directory.search import query as user_query
from directory.search.index import SearchIndex
from directory.search.schema import cells_near
from directory.search.vocabulary import Vocabulary
from directory.text import fold

PAGE_SIZE = 20
FLAG_FILTERS = ("free", "dropin", "childcare", "women")
KEYWORD_FILTERS = {
    "municipality": "municipality",
    "county": "county",
    "category": "category",
    "target": "target",
    "language": "language",
    "day": "day",
    "time": "time",
    "kind": "kind",
}
FACETS = ("kind", "category", "target", "language", "day", "time", *FLAG_FILTERS)
SORTS = ("relevance", "distance", "date")
DEFAULT_RADIUS_KM = 30.0


@dataclass(frozen=True)
class Origin:
    """Where distances are measured from."""

    latitude: float
    longitude: float
    label: str
    radius_km: float = DEFAULT_RADIUS_KM


@dataclass(frozen=True)
class SearchRequest:
    """A search as the reader asked for it (GET parameters), already cleaned."""

    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    origin: Origin | None = None
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str], origin: Origin | None = None) -> SearchRequest:
        """Read GET parameters; values that make no sense are dropped, never an error."""

        def clean(name: str, limit: int = 40) -> str:
            value = (args.get(name) or "").strip()[:limit]
            return value if value.isascii() and value.replace("-", "").isalnum() else ""

        filters = {name: clean(name).lower() for name in KEYWORD_FILTERS if clean(name)}
        if filters.get("day") not in (None, *DAY_CODES):
            filters.pop("day")
        if filters.get("time") not in (None, *TIME_CHOICES):
            filters.pop("time")
        if filters.get("kind") not in (None, "offer", "event"):
            filters.pop("kind")
        for name in FLAG_FILTERS:
            if (args.get(name) or "") in {"1", "on", "true", "yes"}:
                filters[name] = "1"
        sort = args.get("sort") or "relevance"
        sort = sort if sort in SORTS else "relevance"
        page_text = args.get("page") or "1"
        page = max(1, min(int(page_text), 500)) if page_text.isdigit() else 1
        return cls(
            q=(args.get("q") or "")[: user_query.MAX_QUERY_LENGTH * 2],
            filters=filters,
            date_from=_date(args.get("from")),
            date_to=_date(args.get("to")),
            origin=origin,
            sort=sort,
            page=page,
        )


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "")[:10]) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Hit:
    """One result: which listing, how well it matched, how far and when next."""

    listing_id: int
    kind: str
    score: float
    distance_km: float | None
    next: str | None


@dataclass
class SearchResults:
    """A page of results with totals, facet counts and a suggestion."""

    hits: list[Hit]
    total: int
    page: int
    pages: int
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    relaxed: bool = False
    terms: set[str] = field(default_factory=set)


def _docs(searcher: Searcher, query: Query) -> frozenset[int]:
    return frozenset(searcher.docs_for_query(query))


class SearchEngine:
    """Searches one local index."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    def _term_set(self, searcher: Searcher, fieldname: str, value: str) -> frozenset[int]:
        return self.index.cached(
            ("term", fieldname, value), lambda: _docs(searcher, Term(fieldname, value))
        )

    def _values(self, searcher: Searcher, fieldname: str) -> list[str]:
        return self.index.cached(
            ("values", fieldname),
            lambda: [v.decode() for v in searcher.lexicon(fieldname)],
        )

    def _stored(self, searcher: Searcher) -> dict[int, dict[str, Any]]:
        """Stored fields by document number, loaded once per index generation."""
        return self.index.cached(("stored",), lambda: dict(searcher.reader().iter_docs()))

    def _filter_sets(self, searcher: Searcher, request: SearchRequest) -> dict[str, frozenset[int]]:
        sets: dict[str, frozenset[int]] = {}
        for name, value in request.filters.items():
            if name in FLAG_FILTERS:
                sets[name] = self._term_set(searcher, "flag", name)
            else:
                sets[name] = self._term_set(searcher, KEYWORD_FILTERS[name], value)
        if request.date_from or request.date_to:
            start = (request.date_from or dt.date.min).isoformat()
            end = (request.date_to or dt.date.max).isoformat()
            sets["dates"] = self.index.cached(
                ("dates", start, end),
                lambda: _docs(searcher, TermRange("date", start, end)),
            )
        if request.origin is not None:
            cells = cells_near(
                request.origin.latitude, request.origin.longitude, request.origin.radius_km
            )
            sets["near"] = frozenset().union(
                *(self._term_set(searcher, "cell", cell) for cell in cells)
            )
        return sets

    def search(
        self, request: SearchRequest, locale: str, vocabulary: Vocabulary | None = None
    ) -> SearchResults:
        """Run a search and return one page of results with facet counts."""
        parsed = user_query.parse(request.q)
        with self.index.searcher() as searcher:
            text_query = (
                None if parsed.empty else user_query.build(parsed, locale, vocabulary=vocabulary)
            )
            relaxed = False
            if text_query is None:
                base = self.index.cached(("all",), lambda: _docs(searcher, Every()))
            else:
                base = _docs(searcher, text_query)
                if not base and len(parsed.words) + len(parsed.phrases) > 1:
                    text_query = user_query.build(
                        parsed, locale, require_all=False, vocabulary=vocabulary
                    )
                    base = _docs(searcher, text_query) if text_query is not None else base
                    relaxed = bool(base)
            filter_sets = self._filter_sets(searcher, request)
            final = base.intersection(*filter_sets.values()) if filter_sets else base
            stored = self._stored(searcher)
            distances = self._distances(final, stored, request.origin)
            if request.origin is not None:
                final = frozenset(n for n in final if distances[n] <= request.origin.radius_km)
            ordered = self._order(searcher, text_query, final, stored, distances, request)
            pages = max(1, math.ceil(len(final) / PAGE_SIZE))
            start = (min(request.page, pages) - 1) * PAGE_SIZE
            hits = [
                Hit(
                    listing_id=int(stored[n]["id"]),
                    kind=stored[n]["kind"],
                    score=score,
                    distance_km=distances.get(n),
                    next=stored[n].get("next"),
                )
                for n, score in ordered[start : start + PAGE_SIZE]
            ]
            facets = self._facets(searcher, base, filter_sets)
            suggestion = None if parsed.empty else self._suggest(searcher, parsed)
        return SearchResults(
            hits=hits,
            total=len(final),
            page=min(request.page, pages),
            pages=pages,
            facets=facets,
            suggestion=suggestion,
            relaxed=relaxed,
            terms=parsed.highlight_terms,
        )

    @staticmethod
    def _distances(
        docs: frozenset[int], stored: dict[int, dict[str, Any]], origin: Origin | None
    ) -> dict[int, float]:
        if origin is None:
            return {}
        here = (origin.latitude, origin.longitude)
        return {n: geodesic(here, stored[n]["point"]).km for n in docs}

    def _order(
        self,
        searcher: Searcher,
        text_query: Query | None,
        docs: frozenset[int],
        stored: dict[int, dict[str, Any]],
        distances: dict[int, float],
        request: SearchRequest,
    ) -> list[tuple[int, float]]:
        if request.sort == "distance" and distances:
            return sorted(((n, 0.0) for n in docs), key=lambda p: (distances[p[0]], p[0]))
        if request.sort == "date" or text_query is None:
            return sorted(
                ((n, 0.0) for n in docs), key=lambda p: (stored[p[0]].get("next") or "~", p[0])
            )
        results = searcher.search(text_query, filter=set(docs), limit=len(docs) or 1)
        return [(hit.docnum, hit.score) for hit in results]

    def _facets(
        self,
        searcher: Searcher,
        base: frozenset[int],
        filter_sets: dict[str, frozenset[int]],
    ) -> dict[str, dict[str, int]]:
        """For each facet, counts under every active filter except its own."""
        facets: dict[str, dict[str, int]] = {}
        for name in FACETS:
            others = [s for key, s in filter_sets.items() if key != name]
            scope = base.intersection(*others) if others else base
            if name in FLAG_FILTERS:
                facets[name] = {"1": len(scope & self._term_set(searcher, "flag", name))}
                continue
            fieldname = KEYWORD_FILTERS[name]
            counts = {
                value: len(scope & self._term_set(searcher, fieldname, value))
                for value in self._values(searcher, fieldname)
            }
            facets[name] = {value: count for value, count in counts.items() if count}
        return facets

    def _suggest(self, searcher: Searcher, parsed: user_query.ParsedQuery) -> str | None:
        """ "Did you mean": words the index does not know, replaced by the closest it does.

        Only unknown words of more than three letters are looked up, so the common case
        (every word known) costs a few dictionary lookups and no spelling work.
        """
        reader = searcher.reader()
        known_fields = ("words", "names", "title_no", "text_no", "text_fold", "text_en")
        corrector = None
        changed = False
        words = []
        for word in parsed.words:
            folded = fold(word)
            if len(folded) <= 3 or any((f, folded) in reader for f in known_fields):
                words.append(word)
                continue
            corrector = corrector or searcher.corrector("words")
            suggestions = corrector.suggest(folded, limit=1, maxdist=2)
            if suggestions and suggestions[0] != folded:
                words.append(suggestions[0])
                changed = True
            else:
                words.append(word)
        return " ".join(words) if changed else None
