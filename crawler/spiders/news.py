"""One spider for every source: feeds and sitemaps lead to article pages, which are extracted.

All sources run in one crawl so an article reached through both a feed and a sitemap is
requested once: the dupefilter works on canonical URLs (see :mod:`crawler.request_ids`), and
hints found for a URL that is already queued are merged into the queued request's hints.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.extract import NotAnArticle, extract_article
from crawler.failures import CrawlError, classify_failure
from crawler.sources import Source
from crawler.spiders.feeds import FeedError, parse_feed
from crawler.spiders.sitemaps import SitemapError, parse_sitemap
from crawler.urls import canonicalize
from tidings.core.article import utc_now

#: Articles first: they produce records; feeds and sitemaps only produce more requests.
ARTICLE_PRIORITY = 10
HTML_TYPES = ("text/html", "application/xhtml+xml")


class NewsSpider(scrapy.Spider):
    """Crawl the feeds and sitemaps of ``sources``; yield article records and CrawlErrors."""

    name = "tidings"

    def __init__(self, sources: list[Source], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = {s.id: s for s in sources}
        # OffsiteMiddleware compares hostnames, so sites on any port pass; per-source limits
        # are applied when links are followed.
        self.allowed_domains = sorted({d for s in sources for d in s.allowed_domains})
        self._queued: dict[str, dict[str, Any]] = {}  # canonical URL -> hints, until fetched

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._forget, signal=signals.request_dropped)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for source in self.sources.values():
            if not (source.feeds or source.sitemaps):
                self.logger.warning("[%s] no feeds or sitemaps: nothing to crawl", source.id)
            for url in source.feeds:
                yield self._request(url, source, self.parse_feed, "feed")
            for url in source.sitemaps:
                yield self._request(url, source, self.parse_sitemap, "sitemap")

    def _request(
        self,
        url: str,
        source: Source,
        callback: Any,
        kind: str,
        hints: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> Request:
        meta = {"source_id": source.id, "tidings_kind": kind, "hints": hints or {}}
        if key:
            meta["tidings_key"] = key
        priority = ARTICLE_PRIORITY if kind == "article" else 0
        return Request(url, callback=callback, errback=self.on_error, meta=meta, priority=priority)

    def _article(
        self, source: Source, link: str, base: str, hints: dict[str, Any]
    ) -> Request | None:
        url = urljoin(base, link.strip())
        if not url.startswith(("http://", "https://")):
            return None
        if not source.allows(url):
            self.crawler.stats.inc_value("tidings/offsite_links")
            return None
        key = canonicalize(url, keep_trailing_slash=True)
        queued = self._queued.get(key)
        if queued is not None:  # found again before it was fetched: keep both hints
            for name, value in hints.items():
                queued.setdefault(name, value)
            return None
        self._queued[key] = dict(hints)
        return self._request(url, source, self.parse_article, "article", self._queued[key], key)

    def _forget(self, request: Request, spider: scrapy.Spider | None = None) -> None:
        """Drop queued hints once a request is done (fetched, failed or filtered as duplicate)."""
        self._queued.pop(request.meta.get("tidings_key", ""), None)

    def _source(self, response: Response | Request) -> Source:
        return self.sources[response.meta["source_id"]]

    def parse_feed(self, response: Response) -> Iterator[Request | CrawlError]:
        source = self._source(response)
        self.crawler.stats.inc_value("tidings/feeds_fetched")
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        try:
            entries = parse_feed(response.body, response.url, content_type)
        except FeedError as exc:
            yield CrawlError(source.id, response.url, "parse", f"feed: {exc}")
            return
        for entry in entries:
            request = self._article(source, entry.link, response.url, entry.hints)
            if request is not None:
                yield request

    def parse_sitemap(self, response: Response) -> Iterator[Request | CrawlError]:
        source = self._source(response)
        self.crawler.stats.inc_value("tidings/sitemaps_fetched")
        max_size = self.crawler.settings.getint("DOWNLOAD_MAXSIZE") or 50 * 1024 * 1024
        try:
            document = parse_sitemap(response.body, max_size=max_size)
        except SitemapError as exc:
            yield CrawlError(source.id, response.url, "parse", f"sitemap: {exc}")
            return
        for entry in document.entries:
            if document.kind == "index":
                url = urljoin(response.url, entry.loc)
                if source.allows(url):
                    yield self._request(url, source, self.parse_sitemap, "sitemap")
                continue
            request = self._article(source, entry.loc, response.url, entry.hints)
            if request is not None:
                yield request

    def parse_article(self, response: Response) -> Iterator[dict[str, Any] | CrawlError]:
        source = self._source(response)
        self._queued.pop(response.meta.get("tidings_key", ""), None)
        self.crawler.stats.inc_value("tidings/pages_fetched")
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or (
            content_type and not content_type.startswith(HTML_TYPES)
        ):
            yield CrawlError(
                source.id,
                response.url,
                "not-article",
                f"not an HTML page ({content_type or 'binary'})",
            )
            return
        hints = {
            **response.meta["hints"],
            "source": source.record_source(),
            "fetched_at": utc_now(),
        }
        if source.language:
            hints["language"] = source.language
        try:
            record = extract_article(response.text, response.url, hints)
        except NotAnArticle as exc:
            yield CrawlError(source.id, response.url, "not-article", str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the crawl
            yield CrawlError(source.id, response.url, "parse", f"{type(exc).__name__}: {exc}")
            return
        self.crawler.stats.inc_value("tidings/articles_extracted")
        yield dict(record)

    def on_error(self, failure: Failure) -> Iterator[CrawlError]:
        request: Request = failure.request  # type: ignore[attr-defined]
        self._forget(request)
        kind, message = classify_failure(failure)
        yield CrawlError(request.meta.get("source_id", "?"), request.url, kind, message)
