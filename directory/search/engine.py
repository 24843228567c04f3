"""Searching the index: text query, filters, facet counts, distance and sorting.

Document sets are integers used as bitsets (``directory.search.bitsets``): filters,
facet counts and the text match are intersections and bit counts that run in C. Filter
sets and coordinate columns are cached per index segment, so a commit that adds a small
segment keeps the work done for the large ones. Whoosh scores only what is shown: the
top of the page, under a filter of the already-known matches.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from array import array
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any

from geopy.distance import geodesic
from whoosh.query import And, FuzzyTerm, NullQuery, Or, Prefix, Query, Term, TermRange
from whoosh.searching import Searcher

from directory.listings.services import DAY_CODES, TIME_CHOICES
from directory.search import query as user_query
from directory.search.bitsets import full_mask, mask_of, members
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


MAX_EXPANSIONS = 30
PREFIX_SCAN = 300
# Matches scored exactly for one page of results.
RANK_POOL = 2000
COLUMN_TYPES = {"lat": "f", "lon": "f", "next_at": "i"}
EARTH_KM = 6371.0088
# Equirectangular distances are within 0.5 % of geodesic ones at these ranges: only
# documents near the radius, and those shown, get the exact geodesic distance.
APPROXIMATION = 0.01


def _terms(query: Query, texts: list[str]) -> Query:
    terms = [Term(query.fieldname, t, boost=query.boost) for t in texts]
    return Or(terms) if terms else NullQuery


def _leaves(query: Query, boost: float = 1.0) -> list[tuple[float, Query]]:
    """The term and phrase clauses of a query with their effective boosts."""
    if isinstance(query, And | Or):
        return [pair for sub in query.subqueries for pair in _leaves(sub, boost * query.boost)]
    return [(boost * query.boost, query)]


def _load_column(reader: Any, name: str) -> array[Any]:
    loaded = reader.column_reader(name, translate=False).load()
    return loaded if isinstance(loaded, array) else array(COLUMN_TYPES[name], loaded)


class SearchEngine:
    """Searches one local index."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    # -- document sets -----------------------------------------------------------------

    def _leaf_masks(self, searcher: Searcher, key: Hashable, compute: Any) -> int:
        """OR of a per-segment bitset over all segments, shifted to global numbers."""
        mask = 0
        for sub, offset in searcher.reader().leaf_readers():
            local: int = self.index.segment_cached(sub, key, partial(compute, sub))
            mask |= local << offset
        return mask

    def _live(self, searcher: Searcher) -> int:
        """Every document not deleted."""

        def compute() -> int:
            mask = 0
            for sub, offset in searcher.reader().leaf_readers():
                local = full_mask(sub.doc_count_all())
                if sub.has_deletions():
                    local &= ~mask_of(sub.deleted_docs_set, sub.doc_count_all())
                mask |= local << offset
            return mask

        return self.index.cached(("live",), compute)

    def _term_mask(self, searcher: Searcher, fieldname: str, value: str) -> int:
        """Documents with a keyword (filters and facets), cached per segment."""

        def compute(sub: Any) -> int:
            if (fieldname, value) not in sub:
                return 0
            return mask_of(sub.postings(fieldname, value).all_ids(), sub.doc_count_all())

        return self.index.cached(
            ("term", fieldname, value),
            lambda: (
                self._leaf_masks(searcher, ("term", fieldname, value), compute)
                & self._live(searcher)
            ),
        )

    def _text_mask(self, searcher: Searcher, query: Query, memo: dict[Query, int]) -> int:
        """Documents a text query matches, combined from its terms' bitsets."""
        if isinstance(query, Or):
            mask = 0
            for sub in query.subqueries:
                mask |= self._text_mask(searcher, sub, memo)
            return mask
        if isinstance(query, And):
            masks = [self._text_mask(searcher, sub, memo) for sub in query.subqueries]
            mask = masks[0]
            for other in masks[1:]:
                mask &= other
            return mask
        if query not in memo:
            memo[query] = self._leaf_mask(searcher, query)
        return memo[query]

    def _leaf_mask(self, searcher: Searcher, query: Query) -> int:
        if not isinstance(query, Term):  # phrases: positions are needed, ask whoosh
            return mask_of(searcher.docs_for_query(query), searcher.doc_count_all())
        fieldname, text = query.fieldname, query.text
        mask = 0
        for sub, offset in searcher.reader().leaf_readers():
            if (fieldname, text) not in sub:
                continue

            def compute(sub: Any = sub) -> int:
                return mask_of(sub.postings(fieldname, text).all_ids(), sub.doc_count_all())

            mask |= self.index.term_cached(sub, fieldname, text, compute) << offset
        return mask

    def _expand(self, searcher: Searcher, query: Query) -> Query:
        """Typo and prefix clauses as plain terms, at most MAX_EXPANSIONS of them, so one
        short prefix or common typo cannot turn into thousands of terms."""
        if isinstance(query, And | Or):
            return type(query)([self._expand(searcher, sub) for sub in query.subqueries])
        if isinstance(query, FuzzyTerm):
            speller = self.index.speller(searcher)
            texts = (
                speller.candidates(query.text, maxdist=query.maxdist, limit=MAX_EXPANSIONS)
                if speller is not None
                else []
            )
            return _terms(query, texts)
        if isinstance(query, Prefix):
            reader = searcher.reader()
            found = list(islice(reader.expand_prefix(query.fieldname, query.text), PREFIX_SCAN))
            texts = [t.decode() if isinstance(t, bytes) else str(t) for t in found]
            texts.sort(key=lambda t: -reader.doc_frequency(query.fieldname, t))
            return _terms(query, texts[:MAX_EXPANSIONS])
        return query

    def _filter_masks(self, searcher: Searcher, request: SearchRequest) -> dict[str, int]:
        masks: dict[str, int] = {}
        for name, value in request.filters.items():
            if name in FLAG_FILTERS:
                masks[name] = self._term_mask(searcher, "flag", name)
            else:
                masks[name] = self._term_mask(searcher, KEYWORD_FILTERS[name], value)
        if request.date_from or request.date_to:
            start = (request.date_from or dt.date.min).isoformat()
            end = (request.date_to or dt.date.max).isoformat()
            masks["dates"] = self.index.cached(
                ("dates", start, end),
                lambda: mask_of(
                    searcher.docs_for_query(TermRange("date", start, end)),
                    searcher.doc_count_all(),
                ),
            )
        if request.origin is not None:
            cells = cells_near(
                request.origin.latitude, request.origin.longitude, request.origin.radius_km
            )
            near = 0
            for cell in cells:
                near |= self._term_mask(searcher, "cell", cell)
            masks["near"] = near
        return masks

    def _column(self, searcher: Searcher, name: str) -> array[Any]:
        """A per-document column for the whole index, from per-segment copies."""

        def compute() -> array[Any]:
            values: array[Any] | None = None
            for sub, _offset in searcher.reader().leaf_readers():
                part: array[Any] = self.index.segment_cached(
                    sub, ("column", name), partial(_load_column, sub, name)
                )
                values = array(part.typecode, part) if values is None else values + part
            return values if values is not None else array(COLUMN_TYPES[name])

        return self.index.cached(("column", name), compute)

    # -- searching ---------------------------------------------------------------------

    def search(
        self, request: SearchRequest, locale: str, vocabulary: Vocabulary | None = None
    ) -> SearchResults:
        """Run a search and return one page of results with facet counts."""
        parsed = user_query.parse(request.q)
        with self.index.searcher() as searcher:
            live = self._live(searcher)
            text_query = (
                None if parsed.empty else user_query.build(parsed, locale, vocabulary=vocabulary)
            )
            relaxed = False
            memo: dict[Query, int] = {}
            if text_query is None:
                base = live
            else:
                text_query = self._expand(searcher, text_query)
                base = self._text_mask(searcher, text_query, memo) & live
                if not base and len(parsed.words) + len(parsed.phrases) > 1:
                    loose = user_query.build(
                        parsed, locale, require_all=False, vocabulary=vocabulary
                    )
                    if loose is not None:
                        text_query = self._expand(searcher, loose)
                        base = self._text_mask(searcher, text_query, memo) & live
                        relaxed = bool(base)
            filter_masks = self._filter_masks(searcher, request)
            final = base
            for mask in filter_masks.values():
                final &= mask
            distances: dict[int, float] = {}
            if request.origin is not None:
                final, distances = self._within(searcher, final, request.origin)
            total = final.bit_count()
            pages = max(1, math.ceil(total / PAGE_SIZE))
            page = min(request.page, pages)
            start = (page - 1) * PAGE_SIZE
            ordered = self._order(searcher, text_query, final, distances, request, start, memo)
            if request.origin is not None:
                self._exact_distances(searcher, ordered, distances, request.origin)
            hits = []
            for docnum, score in ordered:
                fields = searcher.stored_fields(docnum)
                hits.append(
                    Hit(
                        listing_id=int(fields["id"]),
                        kind=fields["kind"],
                        score=score,
                        distance_km=distances.get(docnum),
                        next=fields.get("next"),
                    )
                )
            facets = self._facets(searcher, base, filter_masks)
            suggestion = None if parsed.empty else self._suggest(searcher, parsed)
        return SearchResults(
            hits=hits,
            total=total,
            page=page,
            pages=pages,
            facets=facets,
            suggestion=suggestion,
            relaxed=relaxed,
            terms=parsed.highlight_terms,
        )

    def _within(
        self, searcher: Searcher, docs: int, origin: Origin
    ) -> tuple[int, dict[int, float]]:
        """The documents within the radius, with their (approximate) distances in km."""
        lats, lons = self._column(searcher, "lat"), self._column(searcher, "lon")
        lat0, lon0 = math.radians(origin.latitude), math.radians(origin.longitude)
        cos0 = math.cos(lat0)
        radius = origin.radius_km
        inside = bytearray((searcher.doc_count_all() >> 3) + 1)
        distances: dict[int, float] = {}
        for n in members(docs):
            dlat = math.radians(lats[n]) - lat0
            dlon = (math.radians(lons[n]) - lon0) * cos0
            km = EARTH_KM * math.hypot(dlat, dlon)
            if km > radius * (1 - APPROXIMATION):
                km = geodesic((origin.latitude, origin.longitude), (lats[n], lons[n])).km
                if km > radius:
                    continue
            distances[n] = km
            inside[n >> 3] |= 1 << (n & 7)
        return int.from_bytes(inside, "little"), distances

    def _exact_distances(
        self,
        searcher: Searcher,
        ordered: list[tuple[int, float]],
        distances: dict[int, float],
        origin: Origin,
    ) -> None:
        lats, lons = self._column(searcher, "lat"), self._column(searcher, "lon")
        here = (origin.latitude, origin.longitude)
        for docnum, _score in ordered:
            distances[docnum] = geodesic(here, (lats[docnum], lons[docnum])).km

    def _order(
        self,
        searcher: Searcher,
        text_query: Query | None,
        docs: int,
        distances: dict[int, float],
        request: SearchRequest,
        start: int,
        memo: dict[Query, int],
    ) -> list[tuple[int, float]]:
        """The documents of the requested page, in order, with scores."""
        end = start + PAGE_SIZE
        if not docs:
            return []
        if request.sort == "distance" and distances:
            # Exact order among near-ties is settled on a window around the page.
            window = heapq.nsmallest(end + PAGE_SIZE, distances, key=lambda n: (distances[n], n))
            lats, lons = self._column(searcher, "lat"), self._column(searcher, "lon")
            here = (request.origin.latitude, request.origin.longitude)  # type: ignore[union-attr]
            exact = {n: geodesic(here, (lats[n], lons[n])).km for n in window}
            distances.update(exact)
            return [(n, 0.0) for n in sorted(window, key=lambda n: (exact[n], n))[start:end]]
        if request.sort == "date" or text_query is None:
            nexts = self._column(searcher, "next_at")
            chosen = heapq.nsmallest(end, members(docs), key=lambda n: (nexts[n], n))
            return [(n, 0.0) for n in chosen[start:end]]
        return self._rank(searcher, text_query, docs, memo, start)

    def _rank(
        self,
        searcher: Searcher,
        text_query: Query,
        docs: int,
        memo: dict[Query, int],
        start: int,
    ) -> list[tuple[int, float]]:
        """Order matches by the weight of the clauses they meet (field and language
        boosts times rarity), then by next date.

        Listings are short, so whether a word occurs matters far more than how often;
        scoring by clause membership works on the bitsets at hand. Only a bounded pool is
        scored: the matches of the heaviest clauses, narrowed while enough remain.
        """
        end = start + PAGE_SIZE
        total_docs = max(searcher.doc_count_all(), 1)
        leaves = []
        for boost, leaf in _leaves(text_query):
            mask = memo.get(leaf, 0) & docs
            if mask:
                rarity = math.log(1 + total_docs / mask.bit_count())
                leaves.append((boost * rarity, mask))
        leaves.sort(key=lambda pair: -pair[0])
        limit = max(RANK_POOL, end)
        pool = docs
        for _weight, mask in leaves:
            if pool.bit_count() <= limit:
                break
            narrower = pool & mask
            if narrower.bit_count() >= end:
                pool = narrower
        candidates = list(islice(members(pool), limit))
        chosen = mask_of(candidates, searcher.doc_count_all())
        scores = dict.fromkeys(candidates, 0.0)
        for weight, mask in leaves:
            for n in members(mask & chosen):
                scores[n] += weight
        nexts = self._column(searcher, "next_at")
        ordered = sorted(candidates, key=lambda n: (-scores[n], nexts[n], n))
        return [(n, scores[n]) for n in ordered[start:end]]

    def _facets(
        self,
        searcher: Searcher,
        base: int,
        filter_masks: dict[str, int],
    ) -> dict[str, dict[str, int]]:
        """For each facet, counts under every active filter except its own."""
        facets: dict[str, dict[str, int]] = {}
        for name in FACETS:
            scope = base
            for key, mask in filter_masks.items():
                if key != name:
                    scope &= mask
            if name in FLAG_FILTERS:
                facets[name] = {"1": (scope & self._term_mask(searcher, "flag", name)).bit_count()}
                continue
            fieldname = KEYWORD_FILTERS[name]
            counts = {
                value: (scope & self._term_mask(searcher, fieldname, value)).bit_count()
                for value in self._values(searcher, fieldname)
            }
            facets[name] = {value: count for value, count in counts.items() if count}
        return facets

    def _values(self, searcher: Searcher, fieldname: str) -> list[str]:
        return self.index.cached(
            ("values", fieldname),
            lambda: [v.decode() for v in searcher.lexicon(fieldname)],
        )

    def _suggest(self, searcher: Searcher, parsed: user_query.ParsedQuery) -> str | None:
        """ "Did you mean": words the index does not know, replaced by the closest it does.

        Known words cost a few dictionary lookups; unknown ones a lookup in the speller's
        deletion table. Nothing is computed over the vocabulary per request.
        """
        reader = searcher.reader()
        known_fields = ("words", "names", "text_no", "text_fold", "text_en")
        speller = None
        changed = False
        words = []
        for word in parsed.words:
            folded = fold(word)
            if len(folded) <= 3 or any((f, folded) in reader for f in known_fields):
                words.append(word)
                continue
            speller = speller or self.index.speller(searcher)
            correction = speller.correct(folded) if speller is not None else None
            words.append(correction or word)
            changed = changed or correction is not None
        return " ".join(words) if changed else None
