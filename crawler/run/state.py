"""One store per crawl on the reactor thread, shared by the spider, middlewares and health
recorder.

They all need the store of record (fetch state, errors, runs). The connection is closed once,
when the engine stops, after every component is done with it. The item pipeline writes
articles from its writer thread through a connection of its own (:mod:`crawler.pipelines`),
so reading fetch state here never waits for a batch being stored.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.run.by_reference import unwrap
from tidings.core.config import Settings
from tidings.core.store import StoreEngine, open_store

_ATTR = "_tidings_store"


def tidings_settings(crawler: Crawler) -> Settings:
    """The tidings Settings of this crawl (``TIDINGS_SETTINGS``)."""
    settings = unwrap(crawler.settings.get("TIDINGS_SETTINGS"))
    if not isinstance(settings, Settings):
        raise ValueError("TIDINGS_SETTINGS must hold a tidings.core.config.Settings")
    return settings


def shared_store(crawler: Crawler) -> StoreEngine:
    """The crawl's store (SQLite or PostgreSQL, as the settings say), opened on first use
    and closed when the engine stops."""
    store: StoreEngine | None = getattr(crawler, _ATTR, None)
    if store is None:
        settings = tidings_settings(crawler)
        settings.home.mkdir(parents=True, exist_ok=True)
        store = open_store(settings)
        setattr(crawler, _ATTR, store)
        crawler.signals.connect(lambda: _close(crawler), signal=signals.engine_stopped, weak=False)
    return store


def _close(crawler: Crawler) -> None:
    store: StoreEngine | None = getattr(crawler, _ATTR, None)
    if store is not None:
        store.close()
        setattr(crawler, _ATTR, None)
