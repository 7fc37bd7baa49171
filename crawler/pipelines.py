"""Item pipeline: batches of article records → tagger → store → index; errors → store.

Batching keeps the tagger efficient (spaCy and the topic model work per batch) and makes one
SQLite transaction per batch instead of per article; index commits, which cost the same
however small, are fewer still: every ``TIDINGS_INDEX_BATCH`` stored articles (default 1000)
or ``TIDINGS_INDEX_INTERVAL`` seconds (default 5), and at the end. Settings read:
``TIDINGS_SETTINGS`` (tidings Settings: where the store and index live), ``TIDINGS_TAGGER``
(an ArticleTagger or None) and ``TIDINGS_BATCH_SIZE`` (default 64).

Crash safety: a page's fetch state is written in the same transaction as its article, so a
crawl killed before a batch is stored fetches that batch again on restart. Stored articles
stay marked pending until the index commit; the next crawl indexes any left pending.

With a worker pool (``TIDINGS_POOL``, :mod:`crawler.workers`) each batch is tagged in a worker
process while the next batch fills. In a Redis crawl (``TIDINGS_SHARED_INDEX``) several
processes store into one store but only one may write the embedded index: the one holding
it indexes its batches and everything the others left pending; the others try to take it
at each batch and, when they finish, wait for it and index what is still pending.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from scrapy.crawler import Crawler

from crawler.failures import CrawlError
from crawler.health import STAT, count, report_error
from crawler.items import FetchedArticle
from crawler.shared import unwrap
from crawler.state import shared_store, tidings_settings
from crawler.workers import add_seconds, crawl_pool
from tidings.core.index import IndexBackend, IndexLockedError, open_index
from tidings.core.store import Store
from tidings.core.sync import index_pending
from tidings.core.tagging import ArticleTagger

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 64
HEAL_BATCH = 500
#: How long a Redis-crawl worker waits at its end for the shared index (seconds).
DEFAULT_INDEX_WAIT = 300.0
#: Stored articles are indexed in one commit once this many wait, or this many seconds after
#: the last commit: a commit costs ~0.2 s however small, and the store keeps them marked
#: pending meanwhile, so none is lost to a crash.
DEFAULT_INDEX_BATCH = 1000
DEFAULT_INDEX_INTERVAL = 5.0


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
        self.pool = crawl_pool(crawler)
        self.shared_index = crawler.settings.getbool("TIDINGS_SHARED_INDEX")
        self.index_wait = crawler.settings.getfloat("TIDINGS_INDEX_WAIT", DEFAULT_INDEX_WAIT)
        self._said_locked = False
        self.index_batch = crawler.settings.getint("TIDINGS_INDEX_BATCH", DEFAULT_INDEX_BATCH)
        self.index_interval = crawler.settings.getfloat(
            "TIDINGS_INDEX_INTERVAL", DEFAULT_INDEX_INTERVAL
        )
        self.unindexed: dict[str, dict[str, Any]] = {}  # stored, not yet committed to the index
        self.last_commit = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticlePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = shared_store(self.crawler)
        if self._take_index():
            self._index_pending()

    def _take_index(self) -> bool:
        """Hold the index for writing; in a Redis crawl another worker may hold it (False)."""
        if self.index is not None:
            return True
        try:
            self.index = open_index(self.settings, writable=True)
        except IndexLockedError:
            if not self.shared_index:
                raise
            if not self._said_locked:
                logger.info("another crawl worker writes the index; it indexes our articles")
                self._said_locked = True
            return False
        return True

    def _index_pending(self, whose: str = "an earlier crawl") -> None:
        """Index what an earlier crawl (killed) or another worker stored but did not index."""
        assert self.store is not None and self.index is not None
        healed = index_pending(self.store, self.index, HEAL_BATCH)
        if healed:
            level = logging.DEBUG if whose == "other workers" else logging.INFO
            logger.log(level, "indexed %d article(s) left pending by %s", healed, whose)
            self.stats.inc_value(f"{STAT}index_healed", healed)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, CrawlError):
            report_error(self.crawler, item)
            return item
        self.batch.append(item)
        if len(self.batch) >= self.batch_size:
            await self.flush()
        return item

    async def flush(self) -> None:
        """Tag (in the pool, if any), store (with fetch states) and index the current batch."""
        batch, self.batch = self.batch, []
        if not batch:
            return
        records = [item.record for item in batch]
        if self.tagger is not None or (self.pool is not None and self.pool.has_tagger):
            records = await self._tag(records)
        self._add_source_topics(records)
        self._store_and_index(batch, records)

    async def _tag(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        started = time.perf_counter()
        try:
            if self.pool is not None and self.pool.has_tagger:
                records, seconds = await self.pool.tag(records)
            else:
                assert self.tagger is not None
                self.tagger.tag(records)
                seconds = time.perf_counter() - started
            add_seconds(self.crawler, "tag", seconds)
        except Exception:  # store untagged rather than lose the batch; reclassify later
            logger.exception("tagging a batch of %d articles failed", len(records))
            self.stats.inc_value(f"{STAT}errors/tagging")
        return records

    def _store_and_index(self, batch: list[FetchedArticle], records: list[dict[str, Any]]) -> None:
        """Store a tagged batch; index when a commit is due. No await: batches never interleave."""
        assert self.store is not None
        started = time.perf_counter()
        result = self.store.upsert(
            records, fetch_states=[item.fetch for item in batch], track_index=True
        )
        add_seconds(self.crawler, "store", time.perf_counter() - started)
        self.unindexed.update((r["id"], r) for r in result.articles)
        due = time.monotonic() - self.last_commit >= self.index_interval
        if len(self.unindexed) >= self.index_batch or due:
            self._commit_index()
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

    def _commit_index(self) -> None:
        """Index what was stored since the last commit (and, in a Redis crawl, what the other
        workers left pending), in one commit; without the index, leave it pending."""
        started = time.perf_counter()
        articles, self.unindexed = list(self.unindexed.values()), {}
        self.last_commit = time.monotonic()
        if not self._take_index():
            return  # still pending in the store: the worker holding the index takes them
        assert self.index is not None and self.store is not None
        if articles:
            self.index.upsert(articles)
            self.store.mark_indexed([r["id"] for r in articles])
        if self.shared_index:
            self._index_pending("other workers")
        add_seconds(self.crawler, "index", time.perf_counter() - started)

    async def close_spider(self) -> None:
        try:
            await self.flush()
            self._commit_index()
            if self.shared_index and self.index is None:
                await self._index_when_free()
        finally:
            if self.index is not None:
                self.index.close()
                self.index = None

    async def _index_when_free(self) -> None:
        """Redis crawl, end: wait for the index writer to be free, then index what is pending."""
        deadline = time.monotonic() + self.index_wait
        while not self._take_index():
            if time.monotonic() > deadline:
                logger.warning(
                    "the index stayed locked for %.0f s; articles left pending are indexed by "
                    "the worker holding it or by the next crawl",
                    self.index_wait,
                )
                return
            await asyncio.sleep(0.2)
        self._index_pending("workers of this crawl")
