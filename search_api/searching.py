"""Run validated requests against the index, turning index refusals into 400/503 problems.

Shared by the JSON API and the analyst page so both answer the same query the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from search_api.params import SearchParams
from search_api.problems import INDEX_UNAVAILABLE, INVALID_QUERY, Problem
from search_api.resources import IndexUnavailable, resources
from tidings.core.index.base import IndexBackend, QueryError, SearchRequest, SearchResult

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


def run_search(
    params: SearchParams, *, highlight: bool = True, facets: tuple[str, ...] | None = None
) -> SearchResult:
    """Search, counting ``facets`` (default: those ``params`` asks for); a query the index
    rejects is the client's error (400), never a 500."""
    return search_request(params.to_request(highlight=highlight, facets=facets), params.cursor)


def search_request(request: SearchRequest, cursor: str | None = None) -> SearchResult:
    """Run ``request``; a request the index refuses is the client's error (400), never a 500."""
    index = current_index()
    try:
        return index.search(request)
    except QueryError as exc:
        name = "cursor" if cursor and "cursor" in str(exc).lower() else "q"
        raise invalid_query(exc, name) from exc


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
