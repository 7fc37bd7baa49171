"""Item pipeline: batches of article records → tagger → store → index; errors → store.

Batching keeps the tagger efficient (spaCy and the topic model work per batch) and makes one
SQLite transaction and one index commit per batch instead of per article. Settings read:
``TIDINGS_SETTINGS`` (tidings Settings: where the store and index live), ``TIDINGS_TAGGER``
(an ArticleTagger or None) and ``TIDINGS_BATCH_SIZE`` (default 64).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from crawler.failures import CrawlError
from crawler.shared import unwrap
from tidings.core.config import Settings
from tidings.core.index import IndexBackend, open_index
from tidings.core.store import Store
from tidings.core.tagging import ArticleTagger

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 64
STAT = "tidings/"
#: Routine outcomes (sitemaps list section pages, robots.txt says no); other kinds are warnings.
QUIET_KINDS = frozenset({"not-article", "offsite", "robots"})


class ArticlePipeline:
    """Store and index extracted articles in batches; record crawl errors per source."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = unwrap(crawler.settings.get("TIDINGS_SETTINGS"))
        if not isinstance(settings, Settings):
            raise ValueError("TIDINGS_SETTINGS must hold a tidings.core.config.Settings")
        self.settings = settings
        self.tagger: ArticleTagger | None = unwrap(crawler.settings.get("TIDINGS_TAGGER"))
        self.batch_size = max(1, crawler.settings.getint("TIDINGS_BATCH_SIZE", DEFAULT_BATCH_SIZE))
        self.batch: list[dict[str, Any]] = []
        self.store: Store | None = None
        self.index: IndexBackend | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticlePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.settings.home.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.settings.db_path)
        self.index = open_index(self.settings, writable=True)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, CrawlError):
            self._record_error(item)
            return item
        self.batch.append(item)
        if len(self.batch) >= self.batch_size:
            self.flush()
        return item

    def _record_error(self, error: CrawlError) -> None:
        level = logging.INFO if error.kind in QUIET_KINDS else logging.WARNING
        logger.log(level, "[%s] %s %s: %s", error.source_id, error.kind, error.url, error.message)
        self.stats.inc_value(f"{STAT}errors/{error.kind}")
        assert self.store is not None
        self.store.record_error(error.source_id, error.url, error.kind, error.message)

    def flush(self) -> None:
        """Tag, store and index the current batch."""
        batch, self.batch = self.batch, []
        if not batch:
            return
        assert self.store is not None and self.index is not None
        if self.tagger is not None:
            try:
                self.tagger.tag(batch)
            except Exception:  # store untagged rather than lose the batch; reclassify later
                logger.exception("tagging a batch of %d articles failed", len(batch))
                self.stats.inc_value(f"{STAT}errors/tagging")
        self._add_source_topics(batch)
        result = self.store.upsert(batch)
        if result.articles:
            self.index.upsert(result.articles)
        for name in ("inserted", "updated", "unchanged"):
            self.stats.inc_value(f"{STAT}{name}", len(getattr(result, name)))
        self.stats.inc_value(f"{STAT}batches")

    def _add_source_topics(self, batch: list[dict[str, Any]]) -> None:
        """Add each source's default ``topics`` (from the sources file) as rule topics.

        Done after tagging so the tagger neither skips nor overwrites them.
        """
        sources = getattr(self.crawler.spider, "sources", None) or {}
        for record in batch:
            source = sources.get((record.get("source") or {}).get("id"))
            if source is None or not source.topics:
                continue
            topics = record.setdefault("topics", [])
            have = {t.get("id") for t in topics}
            topics.extend(
                {"id": t, "score": 1.0, "origin": "rule"} for t in source.topics if t not in have
            )

    def close_spider(self) -> None:
        try:
            self.flush()
        finally:
            if self.index is not None:
                self.index.close()
            if self.store is not None:
                self.store.close()
