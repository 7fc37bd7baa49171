"""Run a translated NewsAPI request on Tidings' one search path and page it NewsAPI's way.

NewsAPI pages by number; Tidings by opaque cursor. Page N follows the cursors from the first
page, at most 100 hits a search, so it is the same slice of the same ranking that Tidings'
own paging gives (page 10 of 100 costs 10 searches; pages end at 10,000 results).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from search_api.newsapi.popularity import by_popularity
from search_api.newsapi.translate import Plan
from search_api.searching import run_search
from tidings.core.index.base import Hit

#: Hits per search when walking towards a later page.
STEP = 100
#: ``sortBy=popularity`` re-ranks this many of the most relevant matches (see popularity.py).
POPULARITY_POOL = 100


def run(plan: Plan, store: Any) -> tuple[int, list[Hit]]:
    """(total matches, the hits of the requested page)."""
    if plan.request is None:
        return 0, []
    if plan.by_popularity:
        total, ranked = _hits(plan, 0, max(plan.stop, POPULARITY_POOL))
        pool = by_popularity(ranked[:POPULARITY_POOL], store)
        return total, (pool + ranked[POPULARITY_POOL:])[plan.start : plan.stop]
    total, hits = _hits(plan, plan.start, plan.stop)
    return total, hits


def _hits(plan: Plan, start: int, stop: int) -> tuple[int, list[Hit]]:
    """Hits ``start``..``stop`` of the ranking of ``plan.request``, and the total."""
    request = plan.request
    assert request is not None
    cursor: str | None = None
    skip = start
    out: list[Hit] = []
    total: int | None = None
    while True:
        remaining = stop - start - len(out)
        limit = min(STEP, skip + remaining)
        page = run_search(dataclasses.replace(request, limit=limit, cursor=cursor))
        total = page.total if total is None else total
        dropped = min(skip, len(page.hits))
        skip -= dropped
        out.extend(page.hits[dropped : dropped + remaining])
        cursor = page.next_cursor
        if len(out) >= stop - start or not cursor or not page.hits:
            return total, out
