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

Off the reactor: SQLite upserts (which may wait up to the store's busy timeout for another
writer) and index commits run on one writer thread, with a store connection of its own, so
Scrapy's reactor keeps fetching and parsing meanwhile. One thread means one write at a time,
in the order the batches came (``TIDINGS_WRITE_THREAD = False`` writes on the reactor thread
instead, for comparison in ``bench/crawl.py``). When the writer is the slower side, at most
``TIDINGS_QUEUED_WRITES`` writes (default 2) wait for it: further items wait in
:meth:`ArticlePipeline.process_item`, their responses stay active in Scrapy's scraper, and past
``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` (5 MB, or what the worker pool's calls hold) the engine
stops taking responses, so a slow store slows the crawl instead of queueing batches in memory
without bound.

With a worker pool (:mod:`crawler.run.workers`) records arrive tagged (the worker that
extracted a page tagged it) and the settings give this pipeline no tagger; without a pool it
tags each batch here. In a Redis crawl (``TIDINGS_SHARED_INDEX``) several processes store into
one store but only one may write the embedded index: the one holding it indexes its batches
and everything the others left pending; the others try to take it at each batch and, when
they finish, wait for it and index what is still pending.

The writer thread also hands the heaps' free pages back every ``TRIM_EVERY`` seconds
(:func:`crawler.run.malloc.release_free_memory`).

Site memory (:mod:`crawler.extract.site_memory`, learnt by the spider): what it learnt is added
to the store's site templates on the writer thread every ``TIDINGS_SITE_MEMORY_SAVE`` seconds
(default 30) and at the end, so the next crawl starts with it; a crawl killed loses at most
that much learning, never an article.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from scrapy.crawler import Crawler

from crawler.extract.site_memory import MAX_LINES, SiteMemory
from crawler.health.counters import STAT, count, report_error
from crawler.health.failures import CrawlError
from crawler.items import FetchedArticle
from crawler.run.by_reference import unwrap
from crawler.run.malloc import TRIM_EVERY, release_free_memory
from crawler.run.state import shared_store, tidings_settings
from crawler.run.workers import TAGGING_ERRORS_STAT, add_seconds
from tidings.core.article import source_id
from tidings.core.index import IndexBackend, IndexLockedError, open_index
from tidings.core.index.base import IndexUnavailable
from tidings.core.store import StoreEngine, UpsertResult, open_store
from tidings.core.stories.ingest import UNPLACED_STAT, store_with_stories, unplaced
from tidings.core.sync import index_pending, index_stories
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
#: Seconds between saves of what the site memory learnt (and a save at the end).
DEFAULT_SITE_MEMORY_SAVE = 30.0
#: Writes handed to the writer thread and not yet done, at most, before items wait: one being
#: written and one ready, so the writer never idles and the queue never grows.
DEFAULT_QUEUED_WRITES = 2
#: Stat: items that waited for the writer thread (the crawl was as fast as its store).
WRITER_WAITS_STAT = f"{STAT}writer_waits"

T = TypeVar("T")


class ArticlePipeline:
    """Store and index extracted articles in batches; record crawl errors per source."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.settings = tidings_settings(crawler)
        self.tagger: ArticleTagger | None = unwrap(crawler.settings.get("TIDINGS_TAGGER"))
        self.batch_size = max(1, crawler.settings.getint("TIDINGS_BATCH_SIZE", DEFAULT_BATCH_SIZE))
        self.batch: list[FetchedArticle] = []
        self.store: StoreEngine | None = None
        self.index: IndexBackend | None = None
        self.shared_index = crawler.settings.getbool("TIDINGS_SHARED_INDEX")
        self.index_wait = crawler.settings.getfloat("TIDINGS_INDEX_WAIT", DEFAULT_INDEX_WAIT)
        self._said_locked = False
        self.index_batch = crawler.settings.getint("TIDINGS_INDEX_BATCH", DEFAULT_INDEX_BATCH)
        self.index_interval = crawler.settings.getfloat(
            "TIDINGS_INDEX_INTERVAL", DEFAULT_INDEX_INTERVAL
        )
        # stored, not yet committed to the index: id -> (record, version of its store write)
        self.unindexed: dict[str, tuple[dict[str, Any], int]] = {}
        self.last_commit = time.monotonic()
        self.in_thread = crawler.settings.getbool("TIDINGS_WRITE_THREAD", True)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tidings-writer")
        self.max_queued_writes = max(
            1, crawler.settings.getint("TIDINGS_QUEUED_WRITES", DEFAULT_QUEUED_WRITES)
        )
        self._queued_writes = 0
        self._writer_free = asyncio.Condition()
        self.memory_save = crawler.settings.getfloat(
            "TIDINGS_SITE_MEMORY_SAVE", DEFAULT_SITE_MEMORY_SAVE
        )
        self.last_memory_save = time.monotonic()
        self.last_trim = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticlePipeline:
        return cls(crawler)

    async def _write(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on the writer thread (one write at a time, in order), off the reactor."""
        if not self.in_thread:
            return fn(*args)
        self._queued_writes += 1
        try:
            return await asyncio.wrap_future(self._writer.submit(fn, *args))
        finally:
            self._queued_writes -= 1
            async with self._writer_free:
                self._writer_free.notify_all()

    async def _wait_for_writer(self) -> None:
        """Hold an item while the writer has :attr:`max_queued_writes` writes to do (see the
        module's docstring: the backpressure that keeps the crawl's memory flat)."""
        if self._queued_writes < self.max_queued_writes:
            return
        self.stats.inc_value(WRITER_WAITS_STAT)
        async with self._writer_free:
            await self._writer_free.wait_for(lambda: self._queued_writes < self.max_queued_writes)

    async def open_spider(self) -> None:
        shared_store(self.crawler)  # the spider's and middlewares' connection (reads, errors)
        self.store = open_store(self.settings)  # the writer thread's own connection
        if await self._write(self._take_index):
            await self._write(self._index_pending)

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
        try:
            healed = index_pending(self.store, self.index, HEAL_BATCH)
        except IndexUnavailable as exc:
            self._index_failed(exc, "articles left pending by " + whose)
            return
        if healed:
            level = logging.DEBUG if whose == "other workers" else logging.INFO
            logger.log(level, "indexed %d article(s) left pending by %s", healed, whose)
            self.stats.inc_value(f"{STAT}index_healed", healed)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, CrawlError):
            report_error(self.crawler, item)
            return item
        await self._wait_for_writer()
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
        if self.tagger is not None:  # no worker pool: tag here, a batch at a time
            self._tag(records)
        self._add_source_topics(records)
        fetch_states = [item.fetch for item in batch]
        result, store_s, index_s = await self._write(self._store_batch, records, fetch_states)
        add_seconds(self.crawler, "store", store_s)
        if index_s is not None:
            add_seconds(self.crawler, "index", index_s)
        if time.monotonic() - self.last_memory_save >= self.memory_save:
            await self._save_site_memory()
        source_of = {r.get("id"): source_id(r) or "?" for r in records}
        for name in ("inserted", "updated", "unchanged"):
            for aid in getattr(result, name):
                count(self.crawler, source_of.get(aid, "?"), name)
        for source, n in unplaced(result).items():
            count(self.crawler, source, UNPLACED_STAT, n)
        url_of = {r.get("id"): r.get("url") for r in records}
        for aid in result.refused:
            message = "the store holds this URL under another source; left as it was"
            report_error(
                self.crawler,
                CrawlError(source_of.get(aid, "?"), url_of.get(aid), "source-conflict", message),
            )
        self.stats.inc_value(f"{STAT}batches")

    def _tag(self, records: list[dict[str, Any]]) -> None:
        assert self.tagger is not None
        started = time.perf_counter()
        try:
            self.tagger.tag(records)
            add_seconds(self.crawler, "tag", time.perf_counter() - started)
        except Exception:  # store untagged rather than lose the batch; reclassify later
            logger.exception("tagging a batch of %d articles failed", len(records))
            self.stats.inc_value(TAGGING_ERRORS_STAT, len(records))

    def _store_batch(
        self, records: list[dict[str, Any]], fetch_states: list[Any]
    ) -> tuple[UpsertResult, float, float | None]:
        """Writer thread: store a tagged batch; index when a commit is due (unlike
        :func:`tidings.core.sync.store_and_index`, which indexes every batch at once).

        Returns the result and the seconds spent storing and (if it committed) indexing.
        """
        assert self.store is not None
        started = time.perf_counter()
        # each record the store keeps is placed in its story in the same transaction
        result, placing, placing_cpu = store_with_stories(
            self.store, records, fetch_states=fetch_states, track_index=True
        )
        stored = time.perf_counter()
        add_seconds(self.crawler, "stories", placing)
        # this thread's CPU too: on a loaded machine the wall time is mostly waiting for a core
        add_seconds(self.crawler, "stories_cpu", placing_cpu)
        if result.version is not None:
            self.unindexed.update((r["id"], (r, result.version)) for r in result.articles)
        due = time.monotonic() - self.last_commit >= self.index_interval
        index_s = None
        if len(self.unindexed) >= self.index_batch or due:
            self._commit_index()
            index_s = time.perf_counter() - stored
        self._trim_heap()  # after the index's clock stops: its own stage, not the index's
        return result, stored - started - placing, index_s

    def _trim_heap(self) -> None:
        """Writer thread: every :data:`TRIM_EVERY` seconds, hand the free pages of the heaps
        back to the system (:mod:`crawler.run.malloc`), so a long crawl stays flat."""
        if time.monotonic() - self.last_trim < TRIM_EVERY:
            return
        started = time.perf_counter()
        release_free_memory()
        self.last_trim = time.monotonic()
        add_seconds(self.crawler, "trim", time.perf_counter() - started)

    async def _save_site_memory(self) -> None:
        """Add what the spider's site memory learnt since the last save to the store (taken
        here, on the reactor thread where it learns; written on the writer thread)."""
        self.last_memory_save = time.monotonic()
        memory: SiteMemory | None = getattr(self.crawler.spider, "site_memory", None)
        learnt = memory.take_unsaved() if memory is not None else {}
        if learnt:
            started = time.perf_counter()
            await self._write(self._add_site_lines, learnt)
            add_seconds(self.crawler, "site_memory", time.perf_counter() - started)

    def _add_site_lines(self, learnt: dict[str, tuple[int, dict[int, int]]]) -> None:
        assert self.store is not None
        for source, (pages, lines) in learnt.items():
            self.store.add_site_lines(source, pages, lines, keep=MAX_LINES)

    def _add_source_topics(self, batch: list[dict[str, Any]]) -> None:
        """Add each source's default ``topics`` (from the sources file) as rule topics.

        Done after tagging so the tagger neither skips nor overwrites them.
        """
        sources = getattr(self.crawler.spider, "sources", None) or {}
        for record in batch:
            source = sources.get(source_id(record))
            if source is None or not source.topics:
                continue
            topics = record.setdefault("topics", [])
            have = {t.get("id") for t in topics}
            topics.extend(
                {"id": t, "score": 1.0, "origin": "rule"} for t in source.topics if t not in have
            )

    def _commit_index(self) -> None:
        """Writer thread: index what was stored since the last commit (and, in a Redis crawl,
        what the other workers left pending), in one commit; without the index, leave it
        pending. Marks are cleared for the versions indexed, so a newer write by another
        process stays pending."""
        pending, self.unindexed = self.unindexed, {}
        self.last_commit = time.monotonic()
        if not self._take_index():
            return  # still pending in the store: the worker holding the index takes them
        assert self.index is not None and self.store is not None
        if pending:
            try:
                self.index.upsert([record for record, _ in pending.values()])
            except IndexUnavailable as exc:
                self._index_failed(exc, f"{len(pending)} stored article(s)")
                return
            self.store.mark_indexed({aid: version for aid, (_, version) in pending.items()})
        try:
            index_stories(self.store, self.index)  # the stories those articles grew
        except IndexUnavailable as exc:
            self._index_failed(exc, "story documents")
            return
        if self.shared_index:
            self._index_pending("other workers")

    def _index_failed(self, exc: IndexUnavailable, what: str) -> None:
        """Writer thread: the index is down (an Elasticsearch cluster gone away). One log line
        and one recorded crawl error per failed write, no traceback: the articles are stored
        and stay marked pending, and the next crawl (or import) indexes exactly those."""
        message = f"indexing {what} failed; they stay pending for the next run: {exc}"
        logger.error(" ".join(message.split()))
        self.stats.inc_value(f"{STAT}errors/index")
        assert self.store is not None
        self.store.record_error(None, None, "index-unavailable", str(exc))

    def _close_writes(self) -> None:
        """Writer thread: release the index and the writer's store connection."""
        if self.index is not None:
            self.index.close()
            self.index = None
        if self.store is not None:
            self.store.close()
            self.store = None

    async def close_spider(self) -> None:
        try:
            await self.flush()
            await self._save_site_memory()
            started = time.perf_counter()
            await self._write(self._commit_index)
            add_seconds(self.crawler, "index", time.perf_counter() - started)
            if self.shared_index and self.index is None:
                await self._index_when_free()
        finally:
            await self._write(self._close_writes)
            self._writer.shutdown(wait=True)

    async def _index_when_free(self) -> None:
        """Redis crawl, end: wait for the index writer to be free, then index what is pending."""
        deadline = time.monotonic() + self.index_wait
        while not await self._write(self._take_index):
            if time.monotonic() > deadline:
                logger.warning(
                    "the index stayed locked for %.0f s; articles left pending are indexed by "
                    "the worker holding it or by the next crawl",
                    self.index_wait,
                )
                return
            await asyncio.sleep(0.2)
        await self._write(self._index_pending, "workers of this crawl")
