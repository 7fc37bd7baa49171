"""Retries that honour ``Retry-After`` on 429 and 503: the whole host waits, not just one URL.

Scrapy's RetryMiddleware retries at once. Here a 429/503 carrying ``Retry-After`` (seconds or
an HTTP date) blocks its download slot (host) until then, capped by
``TIDINGS_RETRY_AFTER_MAX`` seconds (default 60) so one server cannot park the crawl; requests
for that host wait in :meth:`process_request` meanwhile.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.task import deferLater

DEFAULT_MAX_WAIT = 60.0
RETRY_AFTER_CODES = frozenset({429, 503})


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, or None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware that delays a host's requests as its ``Retry-After`` asks."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("TIDINGS_RETRY_AFTER_MAX", DEFAULT_MAX_WAIT)
        self.blocked_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    @staticmethod
    def _host(request: Request) -> str:
        return request.meta.get("download_slot") or urlparse_cached(request).hostname or ""

    async def process_request(self, request: Request) -> None:
        until = self.blocked_until.get(self._host(request), 0.0)
        wait = until - time.monotonic()
        if wait > 0:
            from twisted.internet import reactor

            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status in RETRY_AFTER_CODES and not request.meta.get("dont_retry"):
            header = response.headers.get("Retry-After")
            wait = retry_after_seconds(header.decode("latin-1") if header else None)
            if wait is not None:
                wait = min(wait, self.max_wait)
                host = self._host(request)
                until = time.monotonic() + wait
                self.blocked_until[host] = max(self.blocked_until.get(host, 0.0), until)
                self.crawler.stats.inc_value("tidings/retry_after_waits")
        return super().process_response(request, response)
