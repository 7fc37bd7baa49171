"""Conditional GET: send the validators we stored for a URL; a 304 costs no re-extraction.

The spider puts the stored ``ETag`` / ``Last-Modified`` in ``meta["tidings_validators"]``
when it builds a request (it looks the URL's fetch state up anyway). A 304 is counted as
``not_modified``, noted in the fetch state, and ends the request quietly (:class:`NotModified`
reaches the errback, which records no error for it).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.fetch.incremental import hint_date
from crawler.health.counters import count
from crawler.run.state import shared_store
from tidings.core.article import utc_now


class NotModified(IgnoreRequest):
    """The server says our stored copy is current."""


class ConditionalGetMiddleware:
    """Downloader middleware adding ``If-None-Match`` / ``If-Modified-Since`` and handling 304."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        validators = request.meta.get("tidings_validators") or {}
        if validators.get("etag"):
            request.headers.setdefault("If-None-Match", validators["etag"])
        if validators.get("last_modified"):
            request.headers.setdefault("If-Modified-Since", validators["last_modified"])

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status != 304 or not request.meta.get("tidings_validators"):
            return response
        count(self.crawler, request.meta.get("source_id", "?"), "not_modified")
        key = request.meta.get("tidings_key")
        if key:
            seen = hint_date(request.meta.get("hints") or {})
            shared_store(self.crawler).note_not_modified(key, utc_now(), seen)
        raise NotModified(f"not modified: {request.url}")
