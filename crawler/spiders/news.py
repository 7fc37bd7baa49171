"""One spider for every source: feeds and sitemaps lead to article pages, which are extracted.

All sources run in one crawl so an article reached through both a feed and a sitemap is
requested once: the dupefilter works on canonical URLs (see :mod:`crawler.urls.request_ids`), and
hints found for a URL that is already queued are merged into the queued request's hints.

Incremental: a link whose article is already stored is skipped unless its feed or sitemap
dates a newer version (:mod:`crawler.fetch.incremental`); one that is fetched again carries the
stored validators for a conditional GET (:mod:`crawler.fetch.conditional`).

Link following (``follow_links``): a source's home and section pages are fetched every crawl
and their links followed up to the source's depth (:mod:`crawler.follow.links` sorts links by URL
shape, :mod:`crawler.follow.pagekind` judges fetched pages; extraction has the last word).

Date windows (``--since``/``--until``, :mod:`crawler.run.window`): feed and sitemap entries
dated outside the window are not requested; other pages are judged after extraction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from crawler.extract import NotAnArticle, extract_article
from crawler.extract.document import decode_html, parse_html
from crawler.extract.site_memory import LINES_KEY, TEMPLATE_HINT, SiteMemory
from crawler.fetch.conditional import NotModified
from crawler.fetch.content import looks_binary
from crawler.fetch.incremental import changed_since_fetch, hint_date
from crawler.follow.links import page_links, url_shape
from crawler.follow.pagekind import classify_page
from crawler.health.counters import TRANSIENT_KINDS, count, record_runs, report_error
from crawler.health.failures import CrawlError, classify_failure
from crawler.items import FetchedArticle
from crawler.run.progress import ProgressLine
from crawler.run.state import shared_store
from crawler.run.window import DateWindow, DateWindowMiddleware
from crawler.run.workers import finish_page
from crawler.spiders import feeds, sitemaps
from crawler.urls.canonical import canonicalize, host_of
from tidings.core.article import utc_now
from tidings.core.sources import Source
from tidings.core.store import FetchState, StoreEngine

#: Articles first: they produce records; feeds and sitemaps only produce more requests.
ARTICLE_PRIORITY = 10
#: Pages reached by following links: after known articles, before more listings.
PAGE_PRIORITY = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")


class NewsSpider(scrapy.Spider):
    """Crawl the feeds and sitemaps of ``sources``; yield article records and CrawlErrors."""

    name = "tidings"

    def __init__(self, sources: list[Source], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = {s.id: s for s in sources}
        # OffsiteMiddleware compares hostnames, so sites on any port pass; per-source limits
        # are applied when links are followed. An empty list lets any host through (a source
        # with allowed_domains = ["*"]).
        any_host = any(s.any_domain for s in sources)
        self.allowed_domains = (
            [] if any_host else sorted({d for s in sources for d in s.allowed_domains})
        )
        self.window = DateWindow()
        self._queued: dict[str, dict[str, Any]] = {}  # canonical URL -> hints, until fetched
        self._skipped: set[str] = set()  # seen articles skipped this run (counted once)
        # feed/sitemap fetch states, written only when the crawl ends cleanly (see health),
        # and not for listings that led to a transient failure (so it is retried next time)
        self._deferred: dict[str, list[FetchState]] = {}
        self._dirty: set[str] = set()
        self.started_at = utc_now()
        self.store: StoreEngine | None = None
        self.site_memory: SiteMemory | None = None  # per-source templates (TIDINGS_SITE_MEMORY)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Add the components this spider relies on, unless the settings name them already.

        Set at spider priority: ``CrawlerProcess.crawl(crawler)`` re-applies the process's
        settings to the crawler, which would drop a change made at the settings' own priority.
        """
        super().update_settings(settings)
        for name, component, order in (
            ("EXTENSIONS", ProgressLine, 900),
            ("SPIDER_MIDDLEWARES", DateWindowMiddleware, 950),
        ):
            settings.setdefault_in_component_priority_dict(name, component, order)
            settings.set(name, settings.getdict(name), "spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.store = shared_store(crawler)
        spider.window = DateWindow.from_settings(crawler.settings)
        if crawler.settings.getbool("TIDINGS_SITE_MEMORY", True):
            spider.site_memory = SiteMemory(load=spider.store.site_lines)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        assert self.store is not None
        stats = self.crawler.stats.get_stats()
        clean = {
            sid: [s for s in states if s.url not in self._dirty]
            for sid, states in self._deferred.items()
        }
        record_runs(self.store, stats, self.sources, self.started_at, reason, clean)

    def _state(self, key: str) -> dict[str, Any] | None:
        assert self.store is not None
        return self.store.fetch_state(key)

    @staticmethod
    def _validators(state: dict[str, Any] | None) -> dict[str, str] | None:
        if not state:
            return None
        found = {k: state[k] for k in ("etag", "last_modified") if state.get(k)}
        return found or None

    async def start(self) -> AsyncIterator[Request]:
        for source in self.sources.values():
            if not (source.feeds or source.sitemaps or source.start_pages):
                self.logger.warning(
                    "[%s] no feeds, sitemaps or follow_links: nothing to crawl", source.id
                )
            for url in source.feeds:
                yield self._listing(url, source, self.parse_feed, "feed")
            for url in source.sitemaps:
                yield self._listing(url, source, self.parse_sitemap, "sitemap")
            for url in source.start_pages:  # fetched every crawl: they list the news
                request = self._request(url, source, self.parse_section, "section")
                request.meta["tidings_depth"] = 0
                yield request

    def _listing(self, url: str, source: Source, callback: Any, kind: str) -> Request:
        """A feed or sitemap request, conditional if we hold its validators."""
        key = canonicalize(url, keep_trailing_slash=True)
        request = self._request(url, source, callback, kind, key=key)
        request.meta["tidings_validators"] = self._validators(self._state(key))
        return request

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
        priority = {"article": ARTICLE_PRIORITY, "page": PAGE_PRIORITY}.get(kind, 0)
        return Request(url, callback=callback, errback=self.on_error, meta=meta, priority=priority)

    def _article_request(
        self,
        source: Source,
        link: str,
        base: str,
        hints: dict[str, Any],
        callback: Any = None,
        kind: str = "article",
    ) -> Request | None:
        """The request for a link to an article (or a page to follow); None when the link is
        off the source, dated outside the window, already queued (its hints are merged into
        the queued ones) or stored and not changed since, by its hints."""
        url = urljoin(base, link.strip())
        if not url.startswith(("http://", "https://")):
            return None
        if not source.allows(url):
            self.crawler.stats.inc_value("tidings/offsite_links")
            return None
        if hints and self.window.skips_entry(hints):
            count(self.crawler, source.id, "outside_window")
            return None
        key = canonicalize(url, keep_trailing_slash=True)
        queued = self._queued.get(key)
        if queued is not None:  # found again before it was fetched: keep both hints
            for name, value in hints.items():
                queued.setdefault(name, value)
            return None
        state = self._state(key)
        stored = state is not None and state["stored"]
        if stored and not changed_since_fetch(hints, state):  # type: ignore[arg-type]
            earlier = state["fetched_at"] <= self.started_at  # type: ignore[index]
            if earlier and key not in self._skipped:  # not one fetched earlier in this run
                self._skipped.add(key)
                count(self.crawler, source.id, "skipped_seen")
            return None
        self._queued[key] = dict(hints)
        callback = callback or self.parse_article
        request = self._request(url, source, callback, kind, self._queued[key], key)
        request.meta["tidings_validators"] = self._validators(state) if stored else None
        return request

    def _forget(self, done: Request | Response) -> None:
        """Drop queued hints once a request is done (fetched, failed or filtered as duplicate)."""
        self._queued.pop(done.meta.get("tidings_key", ""), None)

    def _dropped(self, request: Request, spider: scrapy.Spider | None = None) -> None:
        """A request the dupefilter dropped; one that a redirect led back to is a loop."""
        self._forget(request)
        chain = request.meta.get("redirect_urls") or []
        key = canonicalize(request.url, keep_trailing_slash=True)
        if any(canonicalize(u, keep_trailing_slash=True) == key for u in chain):
            error = CrawlError(
                request.meta.get("source_id", "?"),
                str(chain[0]),
                "redirect",
                f"redirect loop back to {request.url}",
            )
            report_error(self.crawler, error)

    def _defer_state(self, source: Source, response: Response) -> None:
        """Keep a feed's or sitemap's validators for the end of a clean crawl."""
        if response.status != 200:
            return
        self._deferred.setdefault(source.id, []).append(
            FetchState(
                url=response.meta.get("tidings_key") or response.url,
                status=response.status,
                fetched_at=utc_now(),
                source_id=source.id,
                etag=_header(response, "ETag"),
                last_modified=_header(response, "Last-Modified"),
            )
        )

    def _source(self, response: Response | Request) -> Source:
        return self.sources[response.meta["source_id"]]

    def parse_feed(self, response: Response) -> Iterator[Request | CrawlError]:
        source = self._source(response)
        count(self.crawler, source.id, "feeds_fetched")
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        try:
            entries = feeds.parse_feed(response.body, response.url, content_type)
        except feeds.FeedError as exc:
            yield CrawlError(source.id, response.url, "parse", f"feed: {exc}")
            return
        self._defer_state(source, response)
        for entry in entries:
            request = self._article_request(source, entry.link, response.url, entry.hints)
            if request is not None:
                yield _via(request, response)

    def parse_sitemap(self, response: Response) -> Iterator[Request | CrawlError]:
        source = self._source(response)
        count(self.crawler, source.id, "sitemaps_fetched")
        max_size = self.crawler.settings.getint("DOWNLOAD_MAXSIZE") or 50 * 1024 * 1024
        try:
            document = sitemaps.parse_sitemap(response.body, max_size=max_size)
        except sitemaps.SitemapError as exc:
            yield CrawlError(source.id, response.url, "parse", f"sitemap: {exc}")
            return
        self._defer_state(source, response)
        for entry in document.entries:
            if document.kind == "index":
                url = urljoin(response.url, entry.loc)
                if self.window.skips_entry(entry.hints):  # unchanged since before the window
                    count(self.crawler, source.id, "outside_window")
                    continue
                if source.allows(url):
                    yield _via(self._listing(url, source, self.parse_sitemap, "sitemap"), response)
                continue
            request = self._article_request(source, entry.loc, response.url, entry.hints)
            if request is not None:
                yield _via(request, response)

    def _page_tree(self, response: Response) -> Any:
        """The parsed HTML of a followed page, or None if it is not readable HTML."""
        content_type = _content_type(response)
        if looks_binary(response.body) or not _is_html(response, content_type):
            return None
        try:
            return parse_html(decode_html(response.body, content_type))
        except (NotAnArticle, ValueError):
            return None

    def parse_section(self, response: Response) -> Iterator[Request | CrawlError]:
        """A home or section page: its links are followed; it is not extracted itself."""
        source = self._source(response)
        count(self.crawler, source.id, "sections_fetched")
        tree = self._page_tree(response)
        if tree is None:
            yield CrawlError(source.id, response.url, "parse", "section page is not HTML")
            return
        yield from self._follow(source, tree, response)

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        """A page reached by a link: extracted unless it is clearly a listing (see pagekind);
        a listing, or a page extraction rejects, has its links followed while depth is left."""
        source = self._source(response)
        tree = self._page_tree(response)
        if tree is not None:
            verdict = classify_page(tree, response.url)
            self.logger.debug("[%s] %s: %s", source.id, response.url, verdict)
            if verdict.kind == "listing":
                self._forget(response)
                count(self.crawler, source.id, "listing_pages")
                for request in self._follow(source, tree, response):
                    yield request
                return
        extracted = False
        async for item in self.parse_article(response):
            extracted = extracted or isinstance(item, FetchedArticle)
            yield item
        if tree is not None and not extracted:
            for request in self._follow(source, tree, response):
                yield request

    def _follow(self, source: Source, tree: Any, response: Response) -> Iterator[Request]:
        """Requests for a page's links, one level deeper, within the source's depth."""
        depth = int(response.meta.get("tidings_depth", 0)) + 1
        if depth > source.follow_depth:
            return
        last_level = depth == source.follow_depth
        page_host = host_of(response.url)
        for link in page_links(tree, response.url):
            if source.any_domain and host_of(link) != page_host:
                continue  # an open source follows links on its own pages' hosts only
            shape = url_shape(link)
            if shape == "skip" or (last_level and shape == "section"):
                continue
            request = self._article_request(source, link, response.url, {}, self.parse_page, "page")
            if request is not None:
                request.meta["tidings_depth"] = depth
                count(self.crawler, source.id, "links_followed")
                yield _via(request, response)

    async def parse_article(self, response: Response) -> AsyncIterator[FetchedArticle | CrawlError]:
        source = self._source(response)
        self._forget(response)
        count(self.crawler, source.id, "pages_fetched")
        if looks_binary(response.body):
            yield CrawlError(source.id, response.url, "binary", "binary data, not a page")
            return
        content_type = _content_type(response)
        if not _is_html(response, content_type):
            yield CrawlError(
                source.id,
                response.url,
                "not-article",
                f"not an HTML page ({content_type or 'binary'})",
            )
            return
        hints = {
            **response.meta["hints"],
            "content_type": content_type,  # the worker decodes the page (one decoder)
            "source": source.record_source(),
            "source_domains": [source.domain, *(d for d in source.allowed_domains if d != "*")],
            "fetched_at": utc_now(),
        }
        if source.language:
            hints["language"] = source.language
        try:
            record = await finish_page(
                self.crawler, extract_article, response.body, response.url, hints,
                on_send=self._with_template(hints, source.id),
            )  # fmt: skip
        except NotAnArticle as exc:
            yield CrawlError(source.id, response.url, "not-article", str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the crawl
            yield CrawlError(source.id, response.url, "parse", f"{type(exc).__name__}: {exc}")
            return
        count(self.crawler, source.id, "articles_extracted")
        record = dict(record)
        if self.site_memory is not None:
            self.site_memory.learn_keys(source.id, record.pop(LINES_KEY, ()))
        fetch = FetchState(
            url=response.meta.get("tidings_key") or canonicalize(response.url),
            status=response.status,
            fetched_at=hints["fetched_at"],
            source_id=source.id,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            seen_modified=hint_date(response.meta["hints"]),
            canonical_url=str(record.get("canonical_url") or record.get("url") or response.url),
        )
        yield FetchedArticle(record, fetch)

    def _with_template(self, hints: dict[str, Any], source_id: str) -> Callable[[], None] | None:
        """What puts the source's newest site template into ``hints`` as the page leaves for
        extraction (:mod:`crawler.run.workers`); None without site memory."""
        memory = self.site_memory
        if memory is None:
            return None
        return lambda: hints.update({TEMPLATE_HINT: memory.template(source_id)})

    def on_error(self, failure: Failure) -> Iterator[CrawlError]:
        request: Request = failure.request  # type: ignore[attr-defined]
        self._forget(request)
        if failure.check(NotModified):
            return
        kind, message = classify_failure(failure)
        if kind in TRANSIENT_KINDS:
            self._dirty.update(request.meta.get("tidings_via", ()))
        yield CrawlError(request.meta.get("source_id", "?"), request.url, kind, message)


def _content_type(response: Response) -> str:
    """The response's ``Content-Type`` header, lowercased ("" when there is none)."""
    return response.headers.get("Content-Type", b"").decode("latin-1").lower()


def _is_html(response: Response, content_type: str) -> bool:
    """Text Scrapy decoded, with an HTML type or none declared (pages worth parsing)."""
    return isinstance(response, TextResponse) and (
        not content_type or content_type.startswith(HTML_TYPES)
    )


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _via(request: Request, response: Response) -> Request:
    """Note the chain of feeds/sitemaps that led to ``request`` (see ``_dirty``)."""
    parent = response.meta.get("tidings_key") or response.url
    request.meta["tidings_via"] = (*response.meta.get("tidings_via", ()), parent)
    return request
