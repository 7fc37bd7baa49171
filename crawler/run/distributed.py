"""Scale a crawl out: several processes (or machines) share one frontier and dupefilter in Redis.

Built on scrapy-redis: its scheduler keeps the request queue (a priority queue, so articles
still go first) and the dupefilter's fingerprints in Redis, so a URL that any worker has
queued is never queued again by another. What this module adds:

- :class:`CanonicalRedisDupeFilter`: the Redis dupefilter on the same canonical-URL
  fingerprints as a one-process crawl (:mod:`crawler.urls.request_ids`); scrapy-redis' own
  fingerprint ignores ``REQUEST_FINGERPRINTER_CLASS``.
- :class:`RedisCrawlCoordinator`: a Scrapy extension that keeps an idle worker alive while
  any other worker is busy (it may still queue requests) or the shared queue is not empty,
  and wakes it within ``TIDINGS_REDIS_POLL`` seconds when work appears (Scrapy alone looks
  every 5 s). The last worker to finish a complete crawl deletes its keys, so the next crawl
  starts with a fresh dupefilter (feeds are read again; stored articles are skipped through
  the store, as in a one-process crawl). A crawl whose workers were all stopped or killed
  keeps its keys: started again, it resumes the queue. Requests a killed worker had taken
  are lost to that run (the dupefilter has them) and fetched by the next one, since their
  articles were never stored.

Every worker starts from the same feeds and sitemaps; the dupefilter lets one of them fetch
each. Workers share the store of record (SQLite in WAL mode queues writers), and the search
index, which allows one writer, is written by whichever worker holds it; the others leave
their articles pending for it (see :mod:`crawler.pipelines`). robots.txt is read once per
worker (Scrapy's robots middleware bypasses the scheduler).

Keys (``<id>`` is ``TIDINGS_REDIS_CRAWL``, default ``tidings``): ``tidings:<id>:requests``,
``tidings:<id>:dupefilter``, ``tidings:<id>:workers`` (a hash of worker → state and time).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any

from redis import Redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from twisted.internet.task import LoopingCall

from crawler.urls.request_ids import CanonicalRequestFingerprinter

logger = logging.getLogger(__name__)

DEFAULT_CRAWL_ID = "tidings"
#: Seconds between a worker's heartbeats (and its look at the shared queue when idle).
DEFAULT_POLL = 0.5
#: A worker whose heartbeat is older than this is taken for dead (killed, machine gone).
DEFAULT_STALE = 15.0


def redis_keys(crawl_id: str) -> dict[str, str]:
    """The Redis keys of one distributed crawl."""
    prefix = f"tidings:{crawl_id}"
    return {
        "requests": f"{prefix}:requests",
        "dupefilter": f"{prefix}:dupefilter",
        "workers": f"{prefix}:workers",
    }


def redis_settings(redis_url: str, crawl_id: str = DEFAULT_CRAWL_ID) -> dict[str, Any]:
    """Scrapy settings that put the frontier and dupefilter of crawl ``crawl_id`` in Redis."""
    keys = redis_keys(crawl_id)
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "crawler.run.distributed.CanonicalRedisDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys["requests"],
        "SCHEDULER_DUPEFILTER_KEY": keys["dupefilter"],
        # never flush on close: the first worker to finish would wipe the others' queue
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_FLUSH_ON_START": False,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # never block the reactor on a pop
        "REDIS_URL": redis_url,
        "TIDINGS_REDIS_CRAWL": crawl_id,
        "TIDINGS_SHARED_INDEX": True,
        "EXTENSIONS": {"crawler.run.distributed.RedisCrawlCoordinator": 500},
    }


class CanonicalRedisDupeFilter(RFPDupeFilter):
    """scrapy-redis' shared dupefilter on Tidings' canonical-URL request fingerprints."""

    _fingerprinter = CanonicalRequestFingerprinter()

    def request_fingerprint(self, request: Request) -> str:
        return self._fingerprinter.fingerprint(request).hex()


class RedisCrawlCoordinator:
    """Keep the workers of one Redis crawl running until the whole crawl is done."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.keys = redis_keys(settings.get("TIDINGS_REDIS_CRAWL") or DEFAULT_CRAWL_ID)
        self.poll = settings.getfloat("TIDINGS_REDIS_POLL", DEFAULT_POLL)
        self.stale = settings.getfloat("TIDINGS_REDIS_STALE", DEFAULT_STALE)
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.server: Redis = get_redis_from_settings(settings)
        self.loop: LoopingCall | None = None
        self.waiting = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisCrawlCoordinator:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured  # not a Redis crawl (no message: Scrapy logs it as a WARNING)
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _now(self) -> float:
        seconds, micros = self.server.time()
        return float(seconds) + micros / 1e6

    def _beat(self, state: str) -> None:
        self.server.hset(self.keys["workers"], self.worker, f"{state} {self._now():.3f}")

    def _others(self) -> dict[str, str]:
        """Live workers other than this one → their state ("busy" or "idle")."""
        now = self._now()
        live: dict[str, str] = {}
        for name, value in self.server.hgetall(self.keys["workers"]).items():
            name = name.decode() if isinstance(name, bytes) else str(name)
            value = value.decode() if isinstance(value, bytes) else str(value)
            state, _, stamp = value.partition(" ")
            try:
                fresh = now - float(stamp) <= self.stale
            except ValueError:
                fresh = False
            if name != self.worker and fresh:
                live[name] = state
        return live

    def spider_opened(self, spider: Spider) -> None:
        for key in (self.keys["requests"], self.keys["dupefilter"]):
            self.server.persist(key)  # a crawl that is running again is not finished
        self._beat("busy")  # busy until the first heartbeat says otherwise
        others = self._others()
        logger.info(
            "Redis crawl %s: worker %s joins %d other worker(s); %d request(s) queued",
            self.keys["requests"].rsplit(":", 1)[0],
            self.worker,
            len(others),
            self.server.zcard(self.keys["requests"]),
        )
        self.loop = LoopingCall(self._tick)
        self.loop.start(self.poll, now=False)

    def _idle(self) -> bool:
        engine = self.crawler.engine
        try:
            return bool(engine is not None and engine.spider_is_idle())
        except RuntimeError:  # engine slot gone: closing
            return True

    def _tick(self) -> None:
        """Heartbeat; a waiting worker also has its engine look at the queue (and the others)."""
        try:
            idle = self._idle()
            self._beat("idle" if idle else "busy")
            if idle and self.waiting:  # re-runs spider_idle: new requests, or all done
                _wake(self.crawler)
        except Exception:  # a Redis hiccup must not kill the loop; the next tick retries
            logger.warning("Redis heartbeat failed", exc_info=True)

    def spider_idle(self, spider: Spider) -> None:
        """Stay open while the shared queue has requests or another worker may add some."""
        queued = self.server.zcard(self.keys["requests"])
        busy = [name for name, state in self._others().items() if state == "busy"]
        if queued or busy:
            self.waiting = True
            raise DontCloseSpider
        self.waiting = False

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.server.hdel(self.keys["workers"], self.worker)
        if self._others():
            return
        if reason == "finished" and not self.server.zcard(self.keys["requests"]):
            self.server.delete(*self.keys.values())  # done: the next crawl starts afresh
            logger.info("Redis crawl finished; its queue and dupefilter are deleted")
        else:
            logger.info("Redis crawl stopped (%s); started again, it resumes its queue", reason)


def _wake(crawler: Crawler) -> None:
    """Make the engine ask the scheduler for requests now rather than at its 5 s heartbeat."""
    slot = getattr(crawler.engine, "_slot", None)
    nextcall = getattr(slot, "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()
