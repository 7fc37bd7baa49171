"""The query behind the analyst page, its exports and saved-search feeds.

The JSON API's parameters (:func:`search_api.params.parse_search`, including the ``entity`` and
``lang`` filters), the URL that reproduces a query (all state lives in the URL), and paging
through the matches for exports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from search_api.params import SearchParams, parse_search
from search_api.searching import search_request
from tidings.core.index.base import SearchRequest, SearchResult

#: Facets the page shows, in display order.
PAGE_FACETS = ("topic", "source", "entity", "language")
_PAGE = 100


@dataclass(frozen=True)
class PageQuery:
    """A validated analyst query: the API's search parameters, filters spelled out."""

    params: SearchParams = dataclasses.field(default_factory=SearchParams)
    entities: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """No words and no filters: the page shows the newest articles."""
        p = self.params
        return not (
            p.q or p.topics or p.sources or p.date_from or p.date_to
            or self.entities or self.languages
        )  # fmt: skip

    def request(self, **changes: Any) -> SearchRequest:
        """The index request; ``changes`` override fields (limit, facets, histogram...).

        Facets default to what the page shows (:data:`PAGE_FACETS`), never to the API's
        ``facet`` parameter or its default.
        """
        base = self.params.to_request(
            highlight=changes.pop("highlight", True), facets=changes.pop("facets", PAGE_FACETS)
        )
        return dataclasses.replace(
            base, entities=self.entities, languages=self.languages, **changes
        )

    def args(self) -> dict[str, Any]:
        """URL arguments reproducing this query (no cursor, defaults left out)."""
        p = self.params
        out: dict[str, Any] = {
            "q": p.q or None,
            "topic": list(p.topics) or None,
            "source": list(p.sources) or None,
            "entity": list(self.entities) or None,
            "lang": list(self.languages) or None,
            "from": _day_or_iso(p.date_from, end=False),
            "to": _day_or_iso(p.date_to, end=True),
        }
        return {k: v for k, v in out.items() if v is not None}


def parse_page_query(args: MultiDict[str, str], *, default_sort: str | None = None) -> PageQuery:
    """Validate the page's URL arguments (the search API's); a 400 problem names each bad one.

    With ``default_sort``, a query without words and without an explicit ``sort`` uses it.
    """
    params = parse_search(args)
    if default_sort and "sort" not in args and not params.q:
        params = dataclasses.replace(params, sort=default_sort)  # type: ignore[arg-type]
    return PageQuery(params, tuple(params.entities), tuple(params.languages))


def search(request: SearchRequest) -> SearchResult:
    """Run ``request``; a query the index rejects is the client's error (400), never a 500."""
    return search_request(request)


def iter_hits(request: SearchRequest, limit: int) -> Iterator[Any]:
    """Up to ``limit`` hits of ``request``, following cursors page by page."""
    cursor, seen = request.cursor, 0
    while seen < limit:
        page = search(
            dataclasses.replace(
                request, limit=min(_PAGE, limit - seen), cursor=cursor, facets=(),
                histogram=False,
            )
        )  # fmt: skip
        yield from page.hits
        seen += len(page.hits)
        cursor = page.next_cursor
        if not cursor or not page.hits:
            return


def _day_or_iso(value: Any, *, end: bool) -> str | None:
    """A bound as the user would type it: a bare day when it is a whole-day bound."""
    if value is None:
        return None
    whole = (value.hour, value.minute, value.second) == ((23, 59, 59) if end else (0, 0, 0))
    if whole and (not end or value.microsecond == 999_999) and (end or value.microsecond == 0):
        return value.date().isoformat()
    return value.isoformat().replace("+00:00", "Z")
