"""Item pipeline: batches of article records → tagger → store → index; errors → store.

Batching keeps the tagger efficient (spaCy and the topic model work per batch) and makes one
SQLite transaction and one index commit per batch instead of per article. Settings read:
``TIDINGS_SETTINGS`` (tidings Settings: where the store and index live), ``TIDINGS_TAGGER``
(an ArticleTagger or None) and ``TIDINGS_BATCH_SIZE`` (default 64).

Crash safety: a page's fetch state is written in the same transaction as its article, so a
crawl killed before a batch is stored fetches that batch again on restart. Stored articles
stay marked pending until the index commit; the next crawl indexes any left pending.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from crawler.failures import CrawlError
from crawler.health import STAT, count, report_error
from crawler.items import FetchedArticle
from crawler.shared import unwrap
from crawler.state import shared_store, tidings_settings
from tidings.core.index import IndexBackend, open_index
from tidings.core.store import Store
from tidings.core.tagging import ArticleTagger

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 64
HEAL_BATCH = 500


class ArticlePipeline:
    """Store and index extracted articles in batches; record crawl errors per source."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.settings = tidings_settings(crawler)
        self.tagger: ArticleTagger | None = unwrap(crawler.settings.get("TIDINGS_TAGGER"))
        self.batch_size = max(1, crawler.settings.getint("TIDINGS_BATCH_SIZE", DEFAULT_BATCH_SIZE))
        self.batch: list[FetchedArticle] = []
        self.store: Store | None = None
        self.index: IndexBackend | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticlePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = shared_store(self.crawler)
        self.index = open_index(self.settings, writable=True)
        self._index_pending()

    def _index_pending(self) -> None:
        """Index what an earlier crawl stored but did not get to index (it was killed)."""
        assert self.store is not None and self.index is not None
        healed = 0
        while ids := self.store.pending_index(HEAL_BATCH):
            records = self.store.get_many(ids)
            if records:
                self.index.upsert(records)
            gone = sorted(set(ids) - {r["id"] for r in records})
            if gone:
                self.index.delete(gone)
            self.store.mark_indexed(ids)
            healed += len(ids)
        if healed:
            logger.info("indexed %d article(s) left pending by an earlier crawl", healed)
            self.stats.inc_value(f"{STAT}index_healed", healed)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, CrawlError):
            report_error(self.crawler, item)
            return item
        self.batch.append(item)
        if len(self.batch) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        """Tag, store (with fetch states) and index the current batch."""
        batch, self.batch = self.batch, []
        if not batch:
            return
        assert self.store is not None and self.index is not None
        records = [item.record for item in batch]
        if self.tagger is not None:
            try:
                self.tagger.tag(records)
            except Exception:  # store untagged rather than lose the batch; reclassify later
                logger.exception("tagging a batch of %d articles failed", len(records))
                self.stats.inc_value(f"{STAT}errors/tagging")
        self._add_source_topics(records)
        result = self.store.upsert(
            records, fetch_states=[item.fetch for item in batch], track_index=True
        )
        if result.articles:
            self.index.upsert(result.articles)
            self.store.mark_indexed([r["id"] for r in result.articles])
        source_of = {r.get("id"): (r.get("source") or {}).get("id", "?") for r in records}
        for name in ("inserted", "updated", "unchanged"):
            for aid in getattr(result, name):
                count(self.crawler, source_of.get(aid, "?"), name)
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
