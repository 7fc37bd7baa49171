"""Run one crawl of some sources in this process and report what it did.

Twisted's reactor starts once per process, so :func:`run_crawl` can be called once per
process: fine for ``tidings crawl``; tests run crawls in a subprocess.

``workers`` > 0 forks a process pool for extraction and tagging before the reactor starts
(:mod:`crawler.run.workers`); ``redis_url`` makes this process one worker of a crawl shared
through Redis (:mod:`crawler.run.distributed`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

# imported before the tagger's modules load: Scrapy's HTTP handler calls inspect.stack() when
# first imported, which walks every loaded module (~0.2 s a crawl with spaCy's loaded)
import scrapy.core.downloader.handlers.http11  # noqa: F401
from scrapy.crawler import CrawlerProcess

from crawler.health.counters import STAT, failed_sources
from crawler.pipelines import WRITER_WAITS_STAT
from crawler.run.collector import collect_for_crawl
from crawler.run.malloc import return_large_blocks
from crawler.run.scaling import check_redis
from crawler.run.scrapy_settings import scrapy_settings
from crawler.run.workers import DEFAULT_MAX_BATCH, STAGE_STAT, WorkerPool
from crawler.spiders.news import NewsSpider
from tidings.core.config import Settings
from tidings.core.sources import Source
from tidings.core.stories.ingest import UNPLACED_STAT
from tidings.core.tagging import ArticleTagger

logger = logging.getLogger(__name__)


#: Scrapy's robots.txt middleware logs an unreachable host with the whole traceback (which
#: reads like a crash of Tidings); the crawl's per-source log (crawler.health) names the error.
ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


class WithoutTraceback(logging.Filter):
    """Keep a record's message, drop its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = record.exc_text = None
        return True


class CrawlFailed(RuntimeError):
    """Scrapy's crawl itself failed (it logged why), as opposed to pages or sources failing."""


@dataclass
class CrawlReport:
    """Counts of one crawl; ``errors`` maps error kind to count."""

    sources: int = 0
    feeds_fetched: int = 0
    sitemaps_fetched: int = 0
    pages_fetched: int = 0
    articles_extracted: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: int = 0
    skipped_seen: int = 0
    #: articles stored without a story (their placement failed; ``tidings restory`` retries)
    unplaced: int = 0
    #: items that waited because the store's writer was behind (the store set the pace)
    writer_waits: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    #: ids of the sources that failed and never answered (see crawler.health.counters)
    failed_sources: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    finish_reason: str | None = None
    #: seconds spent per stage (extract, tag: in the worker doing it; store, index: here)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_stats(
        cls, stats: dict[str, Any], sources: list[str], elapsed_s: float
    ) -> CrawlReport:
        def get(name: str) -> int:
            return int(stats.get(f"{STAT}{name}", 0))

        errors = {
            key.removeprefix(f"{STAT}errors/"): int(value)
            for key, value in sorted(stats.items())
            if key.startswith(f"{STAT}errors/")
        }
        return cls(
            sources=len(sources),
            feeds_fetched=get("feeds_fetched"),
            sitemaps_fetched=get("sitemaps_fetched"),
            pages_fetched=get("pages_fetched"),
            articles_extracted=get("articles_extracted"),
            inserted=get("inserted"),
            updated=get("updated"),
            unchanged=get("unchanged"),
            not_modified=get("not_modified"),
            skipped_seen=get("skipped_seen"),
            unplaced=get(UNPLACED_STAT),
            writer_waits=int(stats.get(WRITER_WAITS_STAT, 0)),
            errors=errors,
            failed_sources=failed_sources(stats, sources),
            elapsed_s=round(elapsed_s, 3),
            finish_reason=stats.get("finish_reason"),
            stage_seconds={
                key.removeprefix(STAGE_STAT).removesuffix("_ms"): int(value) / 1000
                for key, value in sorted(stats.items())
                if key.startswith(STAGE_STAT)
            },
        )

    @property
    def all_failed(self) -> bool:
        """Every source of the run failed: a run failure, not a quiet day (exit code 1)."""
        return bool(self.sources) and len(self.failed_sources) == self.sources

    def summary(self) -> str:
        """One line for logs and the CLI."""
        errors = ", ".join(f"{k} {v}" for k, v in self.errors.items()) or "none"
        rate = self.articles_extracted / self.elapsed_s if self.elapsed_s else 0.0
        unplaced = f", {self.unplaced} without a story" if self.unplaced else ""
        waits = f"; {self.writer_waits} waited for the store" if self.writer_waits else ""
        return (
            f"crawled {self.sources} source(s) in {self.elapsed_s:.1f} s: "
            f"{self.feeds_fetched} feed(s), {self.sitemaps_fetched} sitemap(s), "
            f"{self.pages_fetched} page(s), {self.articles_extracted} article(s) "
            f"({rate:.1f}/s; {self.inserted} new, {self.updated} updated, "
            f"{self.unchanged} unchanged{unplaced}); {self.not_modified} not modified, "
            f"{self.skipped_seen} seen and skipped; errors: {errors}{waits}"
        )


def run_crawl(
    settings: Settings,
    sources: list[Source],
    tagger: ArticleTagger | None = None,
    log_level: str = "INFO",
    batch_size: int = 64,
    overrides: dict[str, Any] | None = None,
    *,
    workers: int = 0,
    redis_url: str | None = None,
    crawl_id: str = "tidings",
) -> CrawlReport:
    """Crawl ``sources`` into the store and index of ``settings``; blocks until done."""
    if redis_url:
        check_redis(redis_url)  # a clear error now rather than a traceback from the scheduler
    robots_log = logging.getLogger(ROBOTS_LOGGER)
    if not any(isinstance(f, WithoutTraceback) for f in robots_log.filters):
        robots_log.addFilter(WithoutTraceback())
    # a worker's call is a tagging batch too, but kept short (see DEFAULT_MAX_BATCH)
    call_pages = min(batch_size, DEFAULT_MAX_BATCH)
    pool = WorkerPool(workers, tagger, max_batch=call_pages) if workers > 0 else None
    try:
        if pool is not None:
            pool.start()  # fork now: no reactor threads yet
            return_large_blocks()  # this process now only holds pages in transit
        values = scrapy_settings(
            settings, tagger, batch_size, log_level, overrides,
            pool=pool, redis_url=redis_url, crawl_id=crawl_id,
        )  # fmt: skip
        process = CrawlerProcess(values)
        crawler = process.create_crawler(NewsSpider)
        started = time.monotonic()
        failures: list[str] = []
        done = process.crawl(crawler, sources=sources)
        done.addErrback(lambda f: failures.append(f"{f.type.__name__}: {f.getErrorMessage()}"))
        with collect_for_crawl():
            process.start()
        if failures:  # Scrapy could not start or finish the crawl (a bad --set value, ...)
            raise CrawlFailed(f"the crawl stopped: {failures[0]}")
        stats = crawler.stats.get_stats() if crawler.stats else {}
    finally:
        if pool is not None:
            pool.close()
    report = CrawlReport.from_stats(stats, [s.id for s in sources], time.monotonic() - started)
    logger.info("%s", report.summary())
    return report
