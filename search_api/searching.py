"""Run searches against the index, turning index refusals into 400/503 problems.

:func:`run_search` is the one way the JSON API, the analyst page, its exports and the feeds
search, so all of them answer the same request the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import TypeVar

from search_api.problems import INDEX_UNAVAILABLE, INVALID_QUERY, Problem
from search_api.resources import IndexUnavailable, resources
from tidings.core.index.base import (
    MAX_LIMIT,
    Hit,
    IndexBackend,
    QueryError,
    SearchRequest,
    SearchResult,
)

T = TypeVar("T")


def current_index() -> IndexBackend:
    """The app's index, or a 503 problem if it cannot be opened."""
    try:
        return resources().index
    except IndexUnavailable as exc:
        raise Problem(
            503,
            detail=f"the search index is not available: {exc}",
            type=INDEX_UNAVAILABLE,
            headers={"Retry-After": "30"},
        ) from exc


def run_search(request: SearchRequest) -> SearchResult:
    """Run ``request``; a request the index refuses is the client's error (400), never a 500."""
    index = current_index()
    try:
        return index.search(request)
    except QueryError as exc:
        cursor = request.cursor and "cursor" in str(exc).lower()
        raise invalid_query(exc, "cursor" if cursor else "q") from exc


def iter_hits(request: SearchRequest, limit: int) -> Iterator[Hit]:
    """Up to ``limit`` hits of ``request``, following cursors page by page (for exports)."""
    cursor, seen = request.cursor, 0
    while seen < limit:
        page = run_search(
            dataclasses.replace(
                request, limit=min(MAX_LIMIT, limit - seen), cursor=cursor, facets=(),
                histogram=False,
            )
        )  # fmt: skip
        yield from page.hits
        seen += len(page.hits)
        cursor = page.next_cursor
        if not cursor or not page.hits:
            return


def invalid_query(exc: QueryError, name: str = "q") -> Problem:
    """The 400 problem for a request the index refuses, naming the parameter at fault."""
    return Problem(
        400,
        detail=str(exc) or "the query cannot be run",
        type=INVALID_QUERY,
        title="Invalid query",
        invalid_params=[{"name": name, "reason": str(exc) or "cannot be run"}],
    )


def index_call(call: Callable[[IndexBackend], T]) -> T:
    """``call(index)``; a request the index refuses is the client's error (400), never a 500."""
    index = current_index()
    try:
        return call(index)
    except QueryError as exc:
        raise invalid_query(exc) from exc
