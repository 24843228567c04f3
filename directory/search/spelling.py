"""Typo candidates from the index's own vocabulary, without spelling work per request.

A deletion neighbourhood (the SymSpell idea): every frequent title word is filed under
itself and under each form with one letter removed. A typed word's own deletions then
meet the intended word's for one substitution, insertion, deletion or swap of letters,
found with a handful of dictionary lookups. Built from the index in the background, so
no search waits for it, and refreshed every few minutes.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable

from whoosh.searching import Searcher
from whoosh.support.levenshtein import damerau_levenshtein

FIELD = "words"
MIN_LENGTH = 4
MAX_WORDS = 40_000
REFRESH_SECONDS = 600.0
# Below this many documents the dictionary is built at once, in the request (a few
# milliseconds); above, in the background, so no search waits for it.
SMALL_INDEX = 2_000


def _deletions(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


class Speller:
    """Frequent words of the index, filed by their one-letter deletions."""

    def __init__(self, frequencies: dict[str, int]) -> None:
        self.frequencies = frequencies
        self._by_deletion: dict[str, list[str]] = defaultdict(list)
        for word in frequencies:
            for key in _deletions(word):
                self._by_deletion[key].append(word)

    def candidates(self, word: str, maxdist: int = 2, limit: int = 30) -> list[str]:
        """Known words within ``maxdist`` edits of ``word``, nearest and most common first."""
        found = {c for key in _deletions(word) for c in self._by_deletion.get(key, ())}
        scored = [
            (distance, -self.frequencies[c], c)
            for c in found
            if (distance := damerau_levenshtein(word, c, maxdist + 1)) <= maxdist
        ]
        return [c for _, _, c in sorted(scored)[:limit]]

    def correct(self, word: str) -> str | None:
        """The likeliest intended word for an unknown one, or None."""
        if word in self.frequencies:
            return None
        best = self.candidates(word, maxdist=2, limit=1)
        return best[0] if best else None


def build_speller(searcher: Searcher) -> Speller:
    """Read the most frequent title words of the index."""
    reader = searcher.reader()
    frequencies: dict[str, int] = {}
    if FIELD in reader.indexed_field_names():
        for text, info in reader.iter_field(FIELD):
            word = text.decode() if isinstance(text, bytes) else str(text)
            if len(word) >= MIN_LENGTH and not word.isdigit():
                frequencies[word] = info.doc_frequency()
    if len(frequencies) > MAX_WORDS:
        kept = sorted(frequencies, key=frequencies.__getitem__, reverse=True)[:MAX_WORDS]
        frequencies = {w: frequencies[w] for w in kept}
    return Speller(frequencies)


class SpellerCache:
    """One speller per index and process; small indexes rebuild it at once after each
    change, large ones in the background at most every few minutes."""

    def __init__(self) -> None:
        self._speller: Speller | None = None
        self._version: object = None
        self._built_at = 0.0
        self._lock = threading.Lock()

    def get(
        self, searcher: Searcher, version: object, open_searcher: Callable[[], Searcher]
    ) -> Speller | None:
        """The speller for this version of the index, or the last one built."""
        if self._speller is not None and version == self._version:
            return self._speller
        if searcher.doc_count() < SMALL_INDEX:
            self._store(build_speller(searcher), version)
            return self._speller
        due = time.monotonic() - self._built_at > REFRESH_SECONDS
        if (self._speller is None or due) and self._lock.acquire(blocking=False):
            threading.Thread(
                target=self._build, args=(open_searcher, version), name="speller", daemon=True
            ).start()
        return self._speller

    def _store(self, speller: Speller, version: object) -> None:
        self._speller, self._version, self._built_at = speller, version, time.monotonic()

    def _build(self, open_searcher: Callable[[], Searcher], version: object) -> None:
        try:
            searcher = open_searcher()
            try:
                self._store(build_speller(searcher), version)
            finally:
                searcher.close()
        except Exception:  # the index went away meanwhile: try again next time
            self._built_at = 0.0
        finally:
            self._lock.release()
