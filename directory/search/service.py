"""Wiring search into the app: the index per app, applying the outbox after commits."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from directory.extensions import db
from directory.search import hooks
from directory.search.engine import SearchEngine
from directory.search.index import SearchIndex

_rebuild_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Create the app's index handle, listen for changes, apply them after each commit."""
    folder = app.config.get("SEARCH_INDEX_DIR") or str(Path(app.instance_path) / "search")
    app.extensions["search"] = SearchIndex(folder)
    hooks.register()

    @app.teardown_appcontext
    def apply_after_commit(_error: BaseException | None) -> None:
        # Embedded default: this process brings its own index up to date right after a
        # commit. With SEARCH_SYNC=external a `flask search sync --follow` process does.
        session = db.session()
        if not session.info.pop(hooks.DIRTY_FLAG, False):
            return
        if app.config.get("SEARCH_SYNC", "inline") != "inline":
            return
        index = search_index()
        if index.status() != "ok":
            return
        try:
            index.apply_pending(session)
        except Exception:
            app.logger.exception("Applying search changes failed; sync or verify will repair")


def search_index() -> SearchIndex:
    """The current app's local index."""
    index: SearchIndex = current_app.extensions["search"]
    return index


def search_engine() -> SearchEngine:
    """A search engine on the current app's index."""
    return SearchEngine(search_index())


def rebuild_in_background(app: Flask) -> bool:
    """Start rebuilding a missing or damaged index in a thread; False if one is running."""
    if not _rebuild_lock.acquire(blocking=False):
        return False

    def run() -> None:
        try:
            with app.app_context():
                search_index().rebuild(db.session())
                db.session.remove()
        except Exception:
            app.logger.exception("Background search rebuild failed")
        finally:
            _rebuild_lock.release()

    threading.Thread(target=run, name="search-rebuild", daemon=True).start()
    return True
