"""The Scrapy settings of a Tidings crawl: polite by default, quick on loopback.

Politeness: robots.txt obeyed, an identifying User-Agent, AutoThrottle adapting the delay to
each server's latency, a per-domain concurrency cap. AutoThrottle starts at a short delay and
never waits more than the server's own latency suggests, so a fast local site is not slowed
to a crawl, while a slow remote one is backed off. A 429/503 with ``Retry-After`` pauses its
host (:mod:`crawler.fetch.retry_after`); stored validators make re-crawls conditional
(:mod:`crawler.fetch.conditional`).

Live objects (the tagger, the worker pool) pass through the settings by reference
(:mod:`crawler.run.by_reference`): Scrapy deep-copies its settings for every crawler.
"""

from __future__ import annotations

from typing import Any

from crawler.run.by_reference import ByReference
from crawler.run.workers import WorkerPool
from tidings.core.config import Settings
from tidings.core.tagging import ArticleTagger

DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
#: Scrapy's own default for SCRAPER_SLOT_MAX_ACTIVE_SIZE (bytes of responses in hand).
SCRAPER_ACTIVE_BYTES = 5_000_000


def scrapy_settings(
    settings: Settings,
    tagger: ArticleTagger | None = None,
    batch_size: int = 64,
    log_level: str = "INFO",
    overrides: dict[str, Any] | None = None,
    *,
    pool: WorkerPool | None = None,
    redis_url: str | None = None,
    crawl_id: str = "tidings",
) -> dict[str, Any]:
    """Settings dict for ``CrawlerProcess``; ``overrides`` win (e.g. in benchmarks).

    ``pool`` extracts and tags in worker processes (:mod:`crawler.run.workers`); ``redis_url``
    shares the frontier and dupefilter of crawl ``crawl_id`` with other workers
    (:mod:`crawler.run.distributed`).
    """
    values: dict[str, Any] = {
        "BOT_NAME": "tidings",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 0.25,
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 4.0,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        # Scrapy starts this many asyncio tasks for every response's output, to send its items
        # through the pipeline side by side: a page yields at most one article (a feed or
        # sitemap yields requests, which are only queued), so one task does the same work
        # (100 tasks a page cost ~3 ms of the crawl's one core, 16 still ~0.2)
        "CONCURRENT_ITEMS": 1,
        "DOWNLOAD_TIMEOUT": 30,
        "DNS_TIMEOUT": 20,
        "DOWNLOAD_MAXSIZE": DOWNLOAD_MAXSIZE,
        "DOWNLOAD_WARNSIZE": DOWNLOAD_MAXSIZE // 2,
        "RETRY_TIMES": 2,
        "REDIRECT_MAX_TIMES": 10,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.fetch.retry_after.RetryAfterMiddleware": 550,
            "crawler.fetch.conditional.ConditionalGetMiddleware": 580,
        },
        # Scrapy's spider middlewares wrap every output of every page in a generator each;
        # these two do nothing a Tidings crawl uses: DepthMiddleware counts Scrapy's own depth
        # (no DEPTH_LIMIT or DEPTH_PRIORITY is set; links followed count theirs in
        # ``tidings_depth``), MetaCopyDetectionMiddleware (Scrapy 2.19) warns spiders that copy
        # response.meta into requests, which ours never do
        "SPIDER_MIDDLEWARES": {
            "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
            "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
        },
        "TIDINGS_RETRY_AFTER_MAX": 60.0,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,  # no listening ports besides what we crawl
        "REMOTE_CONTROL_ENABLED": False,
        "RETRY_GIVE_UP_LOG_LEVEL": "INFO",  # the pipeline logs the failure once, per source
        "REQUEST_FINGERPRINTER_CLASS": "crawler.urls.request_ids.CanonicalRequestFingerprinter",
        "ITEM_PIPELINES": {"crawler.pipelines.ArticlePipeline": 300},
        "LOG_LEVEL": log_level.upper(),
        # the per-page "Crawled"/"Scraped" DEBUG lines are built only when they are shown
        "LOG_FORMATTER": "crawler.run.log_formatter.ShownOnlyLogFormatter",
        "LOGSTATS_INTERVAL": 60.0,
        "STATS_DUMP": log_level.upper() == "DEBUG",
        "TIDINGS_SETTINGS": settings,
        # tagging happens in one place: in the pool's workers (which hold their own tagger),
        # else in the item pipeline
        "TIDINGS_TAGGER": ByReference(tagger) if tagger is not None and pool is None else None,
        "TIDINGS_BATCH_SIZE": batch_size,
        "TIDINGS_POOL": ByReference(pool) if pool is not None else None,
    }
    if pool is not None:
        # room for the pages the workers have in hand and the next ones: this only lets
        # fetched pages wait for a worker; how fast any one host is asked stays with
        # CONCURRENT_REQUESTS_PER_DOMAIN and AutoThrottle
        values["SCRAPER_SLOT_MAX_ACTIVE_SIZE"] = max(SCRAPER_ACTIVE_BYTES, pool.in_flight_bytes)
    if redis_url:
        from crawler.run.distributed import redis_settings  # scrapy-redis loads only when used

        values.update(redis_settings(redis_url, crawl_id))
    for name, value in (overrides or {}).items():
        if name == "EXTENSIONS" and isinstance(value, dict):  # add to, not replace, ours
            value = {**values.get("EXTENSIONS", {}), **value}
        values[name] = value
    return values
