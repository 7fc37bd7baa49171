"""HTTP caching for read-mostly responses (recent lists, feeds): ETag, Last-Modified, max-age.

Recent lists and feeds change only when the crawler commits, so short-lived caching plus
conditional GETs (``If-None-Match`` / ``If-Modified-Since`` → 304) let proxies and feed readers
absorb most of the load. Feeds, the widget and the API share :func:`cacheable` (the one
conditional-GET helper) and :func:`init_response_cache` (the one per-worker response cache).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, Response, g, request

from search_api.public_url import base_url
from search_api.resources import IndexUnavailable, resources
from tidings.core.article import read_date
from tidings.core.index.embedded_reader import commit_generation

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
            when = read_date(article, key)
            if when is not None and (best is None or when > best):
                best = when
    return best


@dataclass(frozen=True)
class CachePolicy:
    """How long an endpoint's 200 responses are reused, and whether only while the index's
    commit generation is known (searches: an answer never outlives a commit)."""

    ttl: float
    per_commit_only: bool = False


class ResponseCache:
    """A small per-process cache of whole responses of cacheable GET endpoints.

    Recent lists, feeds, catalog lists and searches are the same for everyone until the next
    index commit, and clients may keep the cacheable ones for ``max-age`` anyway; keeping each
    for a couple of seconds in the worker turns most requests into a dictionary lookup.
    Conditional requests are still answered (304) from the cached ETag and Last-Modified.
    Rate limits still apply: the limiter runs before the cache.
    """

    def __init__(self, size: int = 768) -> None:
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
            if time.monotonic() > item[0]:
                del self._items[key]
                return None
            self._items.move_to_end(key)
        _, body, status, headers = item
        return Response(body, status=status, headers=headers)

    def put(self, key: str, resp: Response, ttl: float) -> None:
        headers = [(k, v) for k, v in resp.headers.items() if k.lower() not in _PER_RESPONSE]
        item = (time.monotonic() + ttl, resp.get_data(), resp.status_code, headers)
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


#: Headers that belong to one exchange, not to the cached content.
_PER_RESPONSE = {"content-length", "date", "set-cookie", "retry-after"}


def index_generation() -> str | None:
    """The embedded index's commit generation (its ``meta.json``, which every commit
    replaces); None for indexes without a local directory, or when it cannot be opened."""
    try:
        path = getattr(resources().index, "path", None)
    except IndexUnavailable:
        return None
    if path is None:
        return None
    generation = commit_generation(path)
    return None if generation is None else ":".join(map(str, generation))


def init_response_cache(app: Flask, policy: Callable[[str], CachePolicy | None]) -> None:
    """Cache the 200 responses of GET endpoints for which ``policy`` (on endpoint names) says
    how. One cache, one key: everything a response depends on — the index generation (so no
    answer outlives a commit of a local index), the public root its absolute links are built
    from (the client's Host unless ``TIDINGS_PUBLIC_URL`` is set), and the path with its query.
    """
    cache = ResponseCache()

    def key() -> tuple[str, CachePolicy] | None:
        if request.method != "GET" or not request.endpoint:
            return None
        rule = policy(request.endpoint)
        if rule is None or rule.ttl <= 0:
            return None
        generation = index_generation()
        if generation is None and rule.per_commit_only:
            return None
        return f"{generation or '-'} {base_url()}{request.full_path}", rule

    @app.before_request
    def from_cache() -> Response | None:
        found = key()
        resp = cache.get(found[0]) if found else None
        if resp is None:
            return None
        g.response_cache_hit = True
        return resp.make_conditional(request)

    @app.after_request
    def to_cache(resp: Response) -> Response:
        if resp.status_code != 200 or g.get("response_cache_hit"):
            return resp
        found = key()
        if found:
            cache.put(found[0], resp, found[1].ttl)
        return resp
