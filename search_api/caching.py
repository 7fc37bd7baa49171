"""HTTP caching for read-mostly responses (recent lists, feeds): ETag, Last-Modified, max-age.

Recent lists and feeds change only when the crawler commits, so short-lived caching plus
conditional GETs (``If-None-Match`` / ``If-Modified-Since`` → 304) let proxies and feed readers
absorb most of the load. Feeds and the API share :func:`cacheable`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from flask import Flask, Response, g, request

from tidings.core.article import parse_iso

DEFAULT_MAX_AGE = 60


def cacheable(
    resp: Response, max_age: int = DEFAULT_MAX_AGE, last_modified: datetime | None = None
) -> Response:
    """Add a strong ETag, Cache-Control and (if given) Last-Modified; 304 if the copy is current.

    The ETag is a hash of the body, so it changes exactly when the content does.
    """
    resp.headers["Cache-Control"] = f"public, max-age={max_age}"
    if last_modified is not None:
        resp.last_modified = last_modified
    resp.add_etag()
    return resp.make_conditional(request)


def newest(articles: Iterable[dict[str, Any]]) -> datetime | None:
    """The latest ``updated_at``/``published_at``/``fetched_at`` of ``articles`` (for
    Last-Modified), or None."""
    best: datetime | None = None
    for article in articles:
        for key in ("updated_at", "published_at", "fetched_at"):
            try:
                when = parse_iso(article.get(key))
            except (TypeError, ValueError):
                continue
            if when is not None and (best is None or when > best):
                best = when
    return best


class ResponseCache:
    """A small per-process cache of whole responses of cacheable GET endpoints.

    Recent lists and feeds are the same for everyone until the next index commit, and clients
    may keep them for ``max-age`` anyway; keeping each for ``ttl`` seconds (default 2) in the
    worker turns most requests into a dictionary lookup. Conditional requests are still
    answered (304) from the cached ETag and Last-Modified. Rate limits still apply: the
    limiter runs before the cache.
    """

    def __init__(self, ttl: float, size: int = 256) -> None:
        self.ttl = ttl
        self.size = size
        self._items: OrderedDict[str, tuple[float, bytes, int, list[tuple[str, str]]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, key: str) -> Response | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if time.monotonic() - item[0] > self.ttl:
                del self._items[key]
                return None
            self._items.move_to_end(key)
        _, body, status, headers = item
        return Response(body, status=status, headers=headers)

    def put(self, key: str, resp: Response) -> None:
        headers = [(k, v) for k, v in resp.headers.items() if k.lower() not in _PER_RESPONSE]
        item = (time.monotonic(), resp.get_data(), resp.status_code, headers)
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


#: Headers that belong to one exchange, not to the cached content.
_PER_RESPONSE = {"content-length", "date", "set-cookie", "retry-after"}


def init_response_cache(app: Flask, endpoints: Callable[[str], bool]) -> None:
    """Cache the 200 responses of GET ``endpoints`` (a predicate on endpoint names)."""
    ttl = float(app.config.get("TIDINGS_RESPONSE_CACHE_SECONDS", 2))
    if ttl <= 0:
        return
    cache = ResponseCache(ttl)

    def key() -> str | None:
        if request.method != "GET" or not request.endpoint or not endpoints(request.endpoint):
            return None
        return request.full_path

    @app.before_request
    def from_cache() -> Response | None:
        k = key()
        resp = cache.get(k) if k else None
        if resp is None:
            return None
        g.response_cache_hit = True
        return resp.make_conditional(request)

    @app.after_request
    def to_cache(resp: Response) -> Response:
        k = key()
        if k and resp.status_code == 200 and not g.get("response_cache_hit"):
            cache.put(k, resp)
        return resp
