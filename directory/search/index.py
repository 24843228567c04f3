"""The local whoosh index: one writer at a time, readers always served.

Layout under the index folder: ``CURRENT`` names the live generation folder; a rebuild
writes a new folder and swaps ``CURRENT`` atomically, so readers never see a half-built
index. Each generation remembers the last outbox row it applied (``outbox.pos``). An
advisory file lock lets one process write while all others keep reading.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import multiprocessing
import os
import shutil
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index
from whoosh.index import TOC
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from directory.listings.models import Listing
from directory.listings.services import card_options, public_listings
from directory.places.models import Municipality
from directory.schedules.recurrence import now_in_oslo
from directory.search.documents import document_for
from directory.search.models import SearchOutbox
from directory.search.schema import COLUMN_FIELDS, SCHEMA_VERSION, build_schema
from directory.search.spelling import Speller, SpellerCache
from directory.taxonomy.models import Category

T = TypeVar("T")

# Outbox rows committed slightly out of id order are caught by re-reading this window.
LATE_COMMIT_WINDOW = dt.timedelta(seconds=30)
BATCH = 500
# Segments stay separate files: whoosh reads a compound segment by copying each part into
# memory (a BytesIO per file), which cost every worker the size of the index in RAM.
WRITER_MB = 256
PROGRESS_EVERY = 500
# Below this many listings one process is quicker than starting several.
PARALLEL_MIN = 5000
MAX_WORKERS = 4
OPEN_ATTEMPTS = 5
# Text-term bitsets kept per process: 4,000 × 100,000 documents / 8 ≈ 50 MB at most.
TERM_CACHE_SIZE = 4000


class IndexUnavailableError(RuntimeError):
    """There is no usable index right now (missing, corrupt or being rebuilt)."""


@dataclass(frozen=True)
class VerifyReport:
    """How the index differs from the database."""

    missing: list[int]
    extra: list[int]
    stale: list[int]

    @property
    def ok(self) -> bool:
        """Whether index and database agree."""
        return not (self.missing or self.extra or self.stale)


def indexable_listings(
    session: Session, ids: set[int] | None = None, part: tuple[int, int] | None = None
) -> Iterator[Listing]:
    """Public listings with everything their documents need, in batches.

    ``part=(k, n)`` reads only the listings whose id leaves k when divided by n.
    """
    options = (
        *card_options(),
        selectinload(Listing.categories).selectinload(Category.parent),
        selectinload(Listing.municipality).selectinload(Municipality.names),
        selectinload(Listing.municipality).selectinload(Municipality.county),
    )
    stmt = public_listings().options(*options).order_by(Listing.id)
    if ids is not None:
        stmt = stmt.where(Listing.id.in_(ids))
    if part is not None:
        stmt = stmt.where(Listing.id % part[1] == part[0])
    session.flush()
    # A private session on the same connection: sees the caller's transaction, and can be
    # emptied between batches without detaching the caller's objects.
    with Session(bind=session.connection(), autoflush=False) as reader:
        last = 0
        while True:
            batch = list(reader.scalars(stmt.where(Listing.id > last).limit(BATCH)))
            if not batch:
                return
            yield from batch
            last = batch[-1].id
            reader.expunge_all()


def _default_workers(session: Session, total: int) -> int:
    """Processes for a rebuild: several for a large index on a committed database."""
    if total < PARALLEL_MIN or not isinstance(session.get_bind(), Engine):
        # A session inside an open transaction (tests, a caller's unit of work) holds data
        # that other processes cannot see: build here.
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _build_here(
    path: Path, session: Session, total: int, report: Callable[[int, int], None]
) -> int:
    writer = whoosh_index.open_dir(str(path)).writer(limitmb=WRITER_MB, compound=False)
    now = now_in_oslo()
    count = 0
    try:
        for listing in indexable_listings(session):
            writer.add_document(**document_for(listing, now))
            count += 1
            if count % PROGRESS_EVERY == 0:
                report(count, total)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return count


# What forked build processes inherit: the engine to reconnect with, and a progress queue.
_fork_state: dict[str, Any] = {}


def _build_part(path: str, part: int, parts: int, now: dt.datetime) -> tuple[Any, int]:
    """In a child process: index every listing with ``id % parts == part`` as one segment."""
    engine: Engine = _fork_state["engine"]
    engine.dispose(close=False)  # never share the parent's connections
    writer = SegmentWriter(
        whoosh_index.open_dir(path), _lk=False, limitmb=WRITER_MB, compound=False
    )
    count = 0
    with Session(engine) as session:
        for listing in indexable_listings(session, part=(part, parts)):
            writer.add_document(**document_for(listing, now))
            count += 1
            if count % PROGRESS_EVERY == 0:
                _fork_state["queue"].put(PROGRESS_EVERY)
    if count:
        return writer._finalize_segment(), count
    writer._close_segment()
    return None, 0


def _build_in_processes(
    path: Path, session: Session, parts: int, total: int, report: Callable[[int, int], None]
) -> int:
    context = multiprocessing.get_context("fork")
    queue = context.SimpleQueue()
    _fork_state.update(engine=session.get_bind(), queue=queue)
    now = now_in_oslo()
    # The generation is new and not yet live: no one else writes to it, so the parts
    # write their segments side by side and this process lists them in a new TOC.
    try:
        with context.Pool(parts) as pool:
            pending = pool.starmap_async(
                _build_part, [(str(path), part, parts, now) for part in range(parts)]
            )
            done = 0
            while not pending.ready():
                while not queue.empty():
                    done += queue.get()
                report(min(done, total), total)
                pending.wait(0.5)
            results = pending.get()
    finally:
        _fork_state.clear()
    ix = whoosh_index.open_dir(str(path))
    segments = [segment for segment, _ in results if segment is not None]
    TOC(ix.schema, segments, ix.latest_generation() + 1).write(ix.storage, ix.indexname)
    shutil.rmtree(path / f"{ix.indexname}.tmp", ignore_errors=True)
    return sum(count for _, count in results)


def _close_all(searchers: set[Searcher]) -> None:
    for searcher in list(searchers):
        with suppress(Exception):  # already closed, or its files are gone
            searcher.close()


def _segment_key(reader: Any) -> str:
    # Segment ids are random and never reused, across generations too.
    segment = reader.segment()
    return str(segment.segment_id()) if segment is not None else f"reader-{id(reader)}"


class SearchIndex:
    """A local index folder and the operations on it."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._local = threading.local()
        # Every open searcher of this object, in any thread, closed when it goes away (the
        # finalizer holds the set, so it outlives the object's own attributes).
        self._searchers: set[Searcher] = set()
        weakref.finalize(self, _close_all, self._searchers)
        self._recent: dict[int, float] = {}
        # Values computed from one segment (filter bitsets, coordinate columns), shared by
        # every thread and generation that still has the segment.
        self._segment_cache: dict[tuple[str, Hashable], Any] = {}
        # Bitsets of text terms, per segment, most recently used last.
        self._term_cache: OrderedDict[tuple[str, str, str], int] = OrderedDict()
        self._spellers = SpellerCache()

    # -- generations -------------------------------------------------------------------

    def _current_dir(self) -> Path | None:
        try:
            name = (self.folder / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        path = self.folder / name
        return path if name and path.is_dir() else None

    def _open(self) -> tuple[Path, Any]:
        path = self._current_dir()
        if path is None:
            raise IndexUnavailableError("no index")
        if self._version(path) != SCHEMA_VERSION:
            raise IndexUnavailableError("index written by another version")
        try:
            return path, whoosh_index.open_dir(str(path))
        except Exception as error:  # whoosh raises many kinds on damaged files
            raise IndexUnavailableError(f"index unreadable: {error}") from error

    @staticmethod
    def _version(path: Path) -> str:
        try:
            return (path / "schema.version").read_text().strip()
        except FileNotFoundError:
            return ""

    def status(self) -> str:
        """ "ok", "rebuilding", "missing" or "corrupt"."""
        if self.rebuilding():
            return "rebuilding"
        if self._current_dir() is None:
            return "missing"
        try:
            with self.searcher():
                return "ok"
        except IndexUnavailableError:
            return "corrupt"

    def rebuilding(self) -> bool:
        """Whether some process is rebuilding right now."""
        return self._lock_held("rebuild.lock")

    # -- reading -----------------------------------------------------------------------

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """A searcher on the live generation, reused per thread and refreshed when stale."""
        cached = getattr(self._local, "searcher", None)
        path = self._current_dir()
        fresh = False
        if cached is not None and path == self._local.path and not cached.is_closed:
            try:
                fresh = cached.up_to_date()
            except Exception:
                fresh = False
        if not fresh:
            # Reopen rather than Searcher.refresh(): refresh can reuse a segment reader
            # whose deletions are out of date.
            if cached is not None:
                # Closing twice raises ReaderClosed, which used to stick to the thread.
                if not cached.is_closed:
                    cached.close()
                self._searchers.discard(cached)
                # Never hand out a closed searcher later, even if opening fails now.
                self._local.searcher = None
            path, cached = self._open_searcher()
            self._searchers.add(cached)
            self._local.searcher, self._local.path, self._local.cache = cached, path, {}
            self._forget_old_segments(cached)
        yield cached

    def _open_searcher(self) -> tuple[Path, Searcher]:
        """Open a searcher with every file it will read already open.

        Whoosh opens column files (stored fields, coordinates) on first use, and a writer's
        commit deletes the files of segments it merged away; a reader that opened late
        would find them gone. Opening them at once keeps the reader whole (an open file
        survives its deletion); if a commit raced the opening, try again.
        """
        error: Exception | None = None
        for _attempt in range(OPEN_ATTEMPTS):
            path, ix = self._open()
            try:
                searcher = ix.searcher()
            except Exception as exc:  # a commit removed files between TOC and segments
                error = exc
                time.sleep(0.01)
                continue
            try:
                for sub, _offset in searcher.reader().leaf_readers():
                    if sub.doc_count_all():
                        sub.stored_fields(0)
                        for name in COLUMN_FIELDS:
                            sub.column_reader(name, translate=False)
            except OSError as exc:
                searcher.close()
                error = exc
                time.sleep(0.01)
                continue
            return path, searcher
        raise IndexUnavailableError(f"index unreadable: {error}")

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Memoize per searcher generation (filter sets, stored points)."""
        cache: dict[Hashable, Any] = self._local.cache
        if key not in cache:
            cache[key] = compute()
        value: T = cache[key]
        return value

    def segment_cached(self, reader: Any, key: Hashable, compute: Callable[[], T]) -> T:
        """Memoize per index segment: its documents never change, deletions aside."""
        cache_key = (_segment_key(reader), key)
        if cache_key not in self._segment_cache:
            self._segment_cache[cache_key] = compute()
        value: T = self._segment_cache[cache_key]
        return value

    def term_cached(
        self, reader: Any, fieldname: str, text: str, compute: Callable[[], int]
    ) -> int:
        """A text term's bitset in one segment, from a bounded least-recently-used cache."""
        key = (_segment_key(reader), fieldname, text)
        cache = self._term_cache
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
            return found
        value = compute()
        cache[key] = value
        while len(cache) > TERM_CACHE_SIZE:
            cache.popitem(last=False)
        return value

    def speller(self, searcher: Searcher) -> Speller | None:
        """Typo candidates from this index's vocabulary (None while a large one builds)."""
        version = (self._local.path, searcher.reader().generation())

        def open_searcher() -> Searcher:
            return self._open()[1].searcher()

        return self._spellers.get(searcher, version, open_searcher)

    def _forget_old_segments(self, searcher: Searcher) -> None:
        live = {_segment_key(sub) for sub, _offset in searcher.reader().leaf_readers()}
        for key in [k for k in self._segment_cache if k[0] not in live]:
            self._segment_cache.pop(key, None)
        for term in [k for k in self._term_cache if k[0] not in live]:
            self._term_cache.pop(term, None)

    # -- writing -----------------------------------------------------------------------

    def _lock_held(self, name: str) -> bool:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / name, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    @contextmanager
    def _lock(self, name: str, blocking: bool) -> Iterator[bool]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / name, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _position(self, path: Path) -> int:
        try:
            return int((path / "outbox.pos").read_text())
        except (FileNotFoundError, ValueError):
            return 0

    @staticmethod
    def _set_position(path: Path, position: int) -> None:
        temporary = path / "outbox.pos.tmp"
        temporary.write_text(str(position))
        os.replace(temporary, path / "outbox.pos")

    def rebuild(
        self,
        session: Session,
        progress: Callable[[int, int], None] | None = None,
        workers: int | None = None,
    ) -> int:
        """Build a new generation from the database and make it live; return its size.

        Large rebuilds run in several processes, each reading its share of the listings
        and writing its own segment (whoosh is pure Python: one core would be the limit).
        """
        with self._lock("rebuild.lock", blocking=True), self._lock("writer.lock", blocking=True):
            position = session.scalar(select(func.max(SearchOutbox.id))) or 0
            total = session.scalar(public_listings().with_only_columns(func.count(Listing.id))) or 0
            generation = f"gen-{time.time_ns()}"
            path = self.folder / generation
            path.mkdir(parents=True)
            whoosh_index.create_in(str(path), build_schema())
            parts = workers if workers is not None else _default_workers(session, total)
            report = progress or (lambda _done, _total: None)
            try:
                if parts > 1:
                    count = _build_in_processes(path, session, parts, total, report)
                else:
                    count = _build_here(path, session, total, report)
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise
            self._set_position(path, position)
            (path / "schema.version").write_text(SCHEMA_VERSION)
            pointer = self.folder / "CURRENT.tmp"
            pointer.write_text(generation)
            os.replace(pointer, self.folder / "CURRENT")
            report(count, total)
            self._remove_old_generations(keep=path)
            return count

    def _remove_old_generations(self, keep: Path) -> None:
        for old in self.folder.glob("gen-*"):
            if old != keep:
                shutil.rmtree(old, ignore_errors=True)

    def apply_pending(self, session: Session, wait: bool = False) -> int:
        """Apply outbox rows to the local index; return how many listings were rewritten.

        If another process holds the writer lock and ``wait`` is false, return at once:
        that process re-reads the outbox after it finishes.
        """
        done = 0
        while True:
            with self._lock("writer.lock", blocking=wait) as locked:
                if not locked:
                    return done
                applied = self._apply_once(session)
            done += applied
            if not applied:
                return done

    def _apply_once(self, session: Session) -> int:
        path = self._current_dir()
        if path is None:
            return 0
        position = self._position(path)
        since = dt.datetime.now(dt.UTC) - LATE_COMMIT_WINDOW
        rows = session.execute(
            select(SearchOutbox.id, SearchOutbox.listing_id).where(
                (SearchOutbox.id > position) | (SearchOutbox.created_at > since)
            )
        ).all()
        fresh = [(i, lid) for i, lid in rows if i > position or i not in self._recent]
        if not fresh:
            return 0
        ids = {lid for _, lid in fresh}
        self._rewrite(path, session, ids)
        moment = time.monotonic()
        self._recent.update({i: moment for i, _ in fresh})
        self._recent = {i: t for i, t in self._recent.items() if moment - t < 120}
        self._set_position(path, max(position, *(i for i, _ in fresh)))
        return len(ids)

    # -- checking ----------------------------------------------------------------------

    def verify(self, session: Session, repair: bool = False) -> VerifyReport:
        """Compare the index with the database: missing, extra and outdated documents."""
        with self.searcher() as searcher:
            indexed = {
                int(fields["id"]): fields.get("next") for fields in searcher.all_stored_fields()
            }
        now = now_in_oslo()
        expected: dict[int, str | None] = {}
        stale: list[int] = []
        for listing in indexable_listings(session):
            document = document_for(listing, now)
            expected[listing.id] = document["next"]
            if listing.id in indexed and indexed[listing.id] != document["next"]:
                stale.append(listing.id)
        report = VerifyReport(
            missing=sorted(set(expected) - set(indexed)),
            extra=sorted(set(indexed) - set(expected)),
            stale=sorted(stale),
        )
        if repair and not report.ok:
            self.reindex(session, set(report.missing + report.extra + report.stale))
        return report

    def reindex(self, session: Session, ids: set[int]) -> None:
        """Rewrite the documents of some listings now."""
        path = self._current_dir()
        if path is None:
            raise IndexUnavailableError("no index")
        with self._lock("writer.lock", blocking=True):
            self._rewrite(path, session, ids)

    @staticmethod
    def _rewrite(path: Path, session: Session, ids: set[int]) -> None:
        """Replace the documents of some listings (dropping those no longer public)."""
        writer = whoosh_index.open_dir(str(path)).writer(timeout=30, compound=False)
        now = now_in_oslo()
        try:
            for listing_id in ids:
                writer.delete_by_term("id", str(listing_id))
            for listing in indexable_listings(session, ids):
                writer.add_document(**document_for(listing, now))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
