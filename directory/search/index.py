"""The local whoosh index: one writer at a time, readers always served.

Layout under the index folder: ``CURRENT`` names the live generation folder; a rebuild
writes a new folder and swaps ``CURRENT`` atomically, so readers never see a half-built
index. Each generation remembers the last outbox row it applied (``outbox.pos``). An
advisory file lock lets one process write while all others keep reading.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from directory.listings.models import Listing
from directory.listings.services import card_options, public_listings
from directory.places.models import Municipality
from directory.schedules.recurrence import now_in_oslo
from directory.search.documents import document_for
from directory.search.models import SearchOutbox
from directory.search.schema import build_schema
from directory.taxonomy.models import Category

T = TypeVar("T")

# Outbox rows committed slightly out of id order are caught by re-reading this window.
LATE_COMMIT_WINDOW = dt.timedelta(seconds=30)
BATCH = 500


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


def indexable_listings(session: Session, ids: set[int] | None = None) -> Iterator[Listing]:
    """Public listings with everything their documents need, in batches."""
    options = (
        *card_options(),
        selectinload(Listing.categories).selectinload(Category.parent),
        selectinload(Listing.municipality).selectinload(Municipality.names),
        selectinload(Listing.municipality).selectinload(Municipality.county),
    )
    stmt = public_listings().options(*options).order_by(Listing.id)
    if ids is not None:
        stmt = stmt.where(Listing.id.in_(ids))
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


class SearchIndex:
    """A local index folder and the operations on it."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._local = threading.local()
        self._recent: dict[int, float] = {}

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
        try:
            return path, whoosh_index.open_dir(str(path))
        except Exception as error:  # whoosh raises many kinds on damaged files
            raise IndexUnavailableError(f"index unreadable: {error}") from error

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
        if cached is not None and path == self._local.path:
            try:
                fresh = cached.up_to_date()
            except Exception:
                fresh = False
        if not fresh:
            # Reopen rather than Searcher.refresh(): refresh can reuse a segment reader
            # whose deletions are out of date.
            if cached is not None:
                cached.close()
            path, ix = self._open()
            try:
                cached = ix.searcher()
            except Exception as error:
                raise IndexUnavailableError(str(error)) from error
            self._local.searcher, self._local.path, self._local.cache = cached, path, {}
        yield cached

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Memoize per searcher generation (filter sets, stored points)."""
        cache: dict[Hashable, Any] = self._local.cache
        if key not in cache:
            cache[key] = compute()
        value: T = cache[key]
        return value

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

    def rebuild(self, session: Session, progress: Callable[[int, int], None] | None = None) -> int:
        """Build a new generation from the database and make it live; return its size."""
        with self._lock("rebuild.lock", blocking=True), self._lock("writer.lock", blocking=True):
            position = session.scalar(select(func.max(SearchOutbox.id))) or 0
            total = session.scalar(public_listings().with_only_columns(func.count(Listing.id))) or 0
            generation = f"gen-{time.time_ns()}"
            path = self.folder / generation
            path.mkdir(parents=True)
            ix = whoosh_index.create_in(str(path), build_schema())
            writer = ix.writer(limitmb=128)
            now = now_in_oslo()
            count = 0
            try:
                for listing in indexable_listings(session):
                    writer.add_document(**document_for(listing, now))
                    count += 1
                    if progress and count % 200 == 0:
                        progress(count, total)
                writer.commit()
            except BaseException:
                writer.cancel()
                shutil.rmtree(path, ignore_errors=True)
                raise
            self._set_position(path, position)
            pointer = self.folder / "CURRENT.tmp"
            pointer.write_text(generation)
            os.replace(pointer, self.folder / "CURRENT")
            if progress:
                progress(count, total)
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
        writer = whoosh_index.open_dir(str(path)).writer(timeout=30)
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
