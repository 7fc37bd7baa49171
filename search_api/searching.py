"""Run a validated search against the index, turning index refusals into 400/503 problems.

Shared by the JSON API and the analyst page so both answer the same query the same way.
"""

from __future__ import annotations

from search_api.params import SearchParams
from search_api.problems import INDEX_UNAVAILABLE, INVALID_QUERY, Problem
from search_api.resources import IndexUnavailable, resources
from tidings.core.index.base import IndexBackend, QueryError, SearchResult


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


def run_search(params: SearchParams, *, highlight: bool = True) -> SearchResult:
    """Search; a query the index rejects is the client's error (400), never a 500."""
    index = current_index()
    try:
        return index.search(params.to_request(highlight=highlight))
    except QueryError as exc:
        name = "cursor" if params.cursor and "cursor" in str(exc).lower() else "q"
        raise Problem(
            400,
            detail=str(exc) or "the query cannot be run",
            type=INVALID_QUERY,
            title="Invalid query",
            invalid_params=[{"name": name, "reason": str(exc) or "cannot be run"}],
        ) from exc
