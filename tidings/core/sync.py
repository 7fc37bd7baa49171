"""Keep the index in step with the store, across crashes.

Writers store with ``track_index=True`` (the store marks the changed articles pending), write the
index, then :meth:`Store.mark_indexed`. A process killed in between leaves the marks behind;
:func:`index_pending` redoes exactly that work on the next start (crawl, import, reclassify).
"""

from __future__ import annotations

from typing import Any, Protocol

from tidings.core.store import Store, UpsertResult

BATCH = 500


class _Index(Protocol):
    def upsert(self, articles: list[dict[str, Any]]) -> None: ...
    def delete(self, ids: list[str]) -> None: ...


def index_pending(store: Store, index: _Index, batch: int = BATCH) -> int:
    """Index (or delete from the index) what was stored (or deleted) but not indexed."""
    healed = 0
    while ids := store.pending_index(batch):
        articles = store.get_many(ids)
        if articles:
            index.upsert(articles)
        gone = sorted(set(ids) - {a["id"] for a in articles})
        if gone:
            index.delete(gone)
        store.mark_indexed(ids)
        healed += len(ids)
    return healed


def store_and_index(store: Store, index: _Index, articles: list[dict[str, Any]]) -> UpsertResult:
    """Store a batch, then index what changed; a crash in between is healed by index_pending."""
    result = store.upsert(articles, track_index=True)
    if result.articles:
        index.upsert(result.articles)
        store.mark_indexed([a["id"] for a in result.articles])
    return result
