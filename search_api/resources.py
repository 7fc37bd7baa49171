"""The index and store an app reads from, opened lazily and once per app.

Opening lazily lets ``create_app`` succeed (and ``/healthz`` answer 503) before an index has been
built; opening once keeps per-request cost to a search. The API only reads: the index is opened
read-only, so the crawler's writer process keeps its lock.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, current_app

from tidings.core.config import Settings
from tidings.core.index.base import IndexBackend, IndexUnavailable

EXTENSION = "tidings"


class StoreUnavailable(RuntimeError):
    """The store of record cannot be opened (a 503 for the client, not a 500)."""


class Resources:
    """Holds the settings and the lazily opened index and store of one app."""

    def __init__(self, settings: Settings, index: IndexBackend | None, store: Any | None) -> None:
        self.settings = settings
        self._index = index
        self._store = store
        self._owned: list[Any] = []
        self._lock = threading.Lock()

    @property
    def index(self) -> IndexBackend:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from tidings.core.index import open_index

                    try:
                        index = open_index(self.settings, writable=False)
                    except Exception as exc:  # any backend failure means "not available"
                        raise IndexUnavailable(f"{type(exc).__name__}: {exc}") from exc
                    self._owned.append(index)
                    self._index = index
        return self._index

    @property
    def store(self) -> Any:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    from tidings.core.store import open_store

                    try:
                        store = open_store(self.settings)
                    except Exception as exc:  # unreadable, not a database, newer schema...
                        raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc
                    self._owned.append(store)
                    self._store = store
        return self._store

    def close(self) -> None:
        """Close what this app opened itself (injected index/store belong to the caller)."""
        with self._lock:
            for thing in reversed(self._owned):
                close = getattr(thing, "close", None)
                if close is not None:
                    close()
                if thing is self._index:
                    self._index = None
                if thing is self._store:
                    self._store = None
            self._owned.clear()


def init_app(app: Flask, resources: Resources) -> None:
    app.extensions[EXTENSION] = resources


def resources() -> Resources:
    """The resources of the app handling the current request."""
    return current_app.extensions[EXTENSION]
