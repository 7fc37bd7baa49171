"""Per-source health: counters per source during a crawl, errors and a run record after it.

Counters live in Scrapy's stats under ``tidings-source/<id>/<name>`` (next to the crawl-wide
``tidings/<name>``), so they cost a dict update and vanish with the crawl; at the end each
source's counters become one row of ``source_runs`` that ``tidings sources health`` reads.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from scrapy.crawler import Crawler

from crawler.health.failures import CrawlError
from crawler.run.state import shared_store
from tidings.core.article import utc_now
from tidings.core.store import FetchState, StoreEngine

logger = logging.getLogger(__name__)

STAT = "tidings/"
SOURCE_STAT = "tidings-source/"
#: Routine outcomes (sitemaps list section pages, robots.txt says no); other kinds are warnings.
QUIET_KINDS = frozenset({"not-article", "offsite", "robots"})
#: Errors that may go away on the next try: the feeds and sitemaps that led to one keep no
#: validators, so the next crawl reads them in full and retries the article that failed.
TRANSIENT_KINDS = frozenset({"http", "timeout", "connection", "dns", "download"})
#: Counters whose being non-zero means the source answered.
OK_COUNTERS = ("feeds_fetched", "sitemaps_fetched", "pages_fetched", "not_modified")


def count(crawler: Crawler, source_id: str, name: str, n: int = 1) -> None:
    """Add ``n`` to a crawl-wide counter and to the same counter of one source."""
    if n:
        crawler.stats.inc_value(f"{STAT}{name}", n)
        crawler.stats.inc_value(f"{SOURCE_STAT}{source_id}/{name}", n)


def report_error(crawler: Crawler, error: CrawlError) -> None:
    """Log a failed URL, count it by kind for its source and keep it in the store."""
    level = logging.INFO if error.kind in QUIET_KINDS else logging.WARNING
    logger.log(level, "[%s] %s %s: %s", error.source_id, error.kind, error.url, error.message)
    count(crawler, error.source_id, f"errors/{error.kind}")
    shared_store(crawler).record_error(error.source_id, error.url, error.kind, error.message)


def source_counts(stats: dict[str, Any], source_id: str) -> dict[str, Any]:
    """One source's counters: ``{"pages_fetched": 3, ..., "errors": {"http": 1}}``."""
    prefix = f"{SOURCE_STAT}{source_id}/"
    counts: dict[str, Any] = {"errors": {}}
    for key, value in stats.items():
        if not key.startswith(prefix):
            continue
        name = key.removeprefix(prefix)
        if name.startswith("errors/"):
            counts["errors"][name.removeprefix("errors/")] = int(value)
        else:
            counts[name] = int(value)
    return counts


def answered(counts: dict[str, Any]) -> bool:
    """Whether a source's counters (:func:`source_counts`) show that it answered at all."""
    return any(counts.get(name) for name in OK_COUNTERS)


def failed_sources(stats: dict[str, Any], source_ids: Iterable[str]) -> list[str]:
    """Sources that failed and never answered; a source with no counters at all is not one
    (in a crawl shared through Redis another worker may have fetched all of its URLs)."""
    counts = {source_id: source_counts(stats, source_id) for source_id in source_ids}
    return [sid for sid, c in counts.items() if c["errors"] and not answered(c)]


def record_runs(
    store: StoreEngine,
    stats: dict[str, Any],
    source_ids: Iterable[str],
    started_at: str,
    reason: str | None,
    deferred_states: dict[str, list[FetchState]],
) -> None:
    """Write one run row per source; keep feed/sitemap validators only after a full crawl.

    Validators written earlier would let a crawl killed half-way get 304 for its feeds on
    restart and never see the articles it had not stored yet.
    """
    finished_at = utc_now()
    for source_id in source_ids:
        counts = source_counts(stats, source_id)
        ok = answered(counts)
        store.record_source_run(source_id, started_at, finished_at, reason, counts, ok)
        if reason == "finished":
            store.put_fetch_states(deferred_states.get(source_id, []))
