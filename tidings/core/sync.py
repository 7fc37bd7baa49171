"""Keep the index in step with the store, across crashes, index failures and other writers.

Writers store with ``track_index=True`` (the store marks the changed articles pending, stamped
with the version of that write), write the index, then :meth:`StoreEngine.mark_indexed` with that
version. Deletions take the same path: :meth:`StoreEngine.delete` with ``track_index`` leaves a
tombstone mark that only an index delete clears. A process killed in between, or an index that
fails, leaves the marks behind; :func:`index_pending` redoes exactly that work on the next start
(crawl, import, reclassify, prune). A mark is cleared only for the version that was indexed, so
a newer write by another process in the meantime stays pending instead of being lost.
"""

from __future__ import annotations

from typing import Any, Protocol

from tidings.core.index.stories import StoryIndex
from tidings.core.store import StoreEngine, UpsertResult
from tidings.core.stories.ingest import store_with_stories

BATCH = 500


class _Index(Protocol):
    stories: StoryIndex

    def upsert(self, articles: list[dict[str, Any]]) -> None: ...
    def delete(self, ids: list[str]) -> None: ...


def index_stories(store: StoreEngine, index: _Index, batch: int = BATCH) -> int:
    """Bring the index's story documents up to the store's story records (placed, grown or
    reset since); a mark is cleared only for the version indexed, as for articles."""
    done = 0
    while pending := store.pending_stories(batch):
        records = [p.record for p in pending if p.record is not None]
        if records:
            index.stories.upsert(records)
        gone = [p.story_id for p in pending if p.record is None]
        if gone:
            index.stories.delete(gone)
        store.mark_stories_indexed({p.story_id: p.version for p in pending})
        done += len(pending)
    return done


def index_pending(store: StoreEngine, index: _Index, batch: int = BATCH) -> int:
    """Index (or delete from the index) what was stored (or deleted) but not indexed, then the
    story documents that are behind; returns the number of articles."""
    healed = 0
    while pending := store.pending_writes(batch):
        articles = [p.record for p in pending if p.record is not None]
        if articles:
            index.upsert(articles)
        gone = sorted(p.article_id for p in pending if p.record is None)
        if gone:
            index.delete(gone)
        store.mark_indexed({p.article_id: p.version for p in pending})
        healed += len(pending)
    index_stories(store, index, batch)
    return healed


def store_and_index(
    store: StoreEngine, index: _Index, articles: list[dict[str, Any]]
) -> UpsertResult:
    """Store a batch, then index what changed; a crash in between is healed by index_pending.
    Each article the store keeps is placed in its story in the same transaction, so the
    stored record carries its ``story_id`` (a refused one joins no story); the stories it grew
    are indexed after the articles."""
    result = store_with_stories(store, articles, track_index=True).result
    if result.articles:
        index.upsert(result.articles)
        if result.version is not None:
            store.mark_indexed({a["id"]: result.version for a in result.articles})
    index_stories(store, index)
    return result


def delete_and_unindex(store: StoreEngine, index: _Index, ids: list[str]) -> int:
    """Delete articles from the store (tombstones marked in the same transaction), then from
    the index; returns how many were stored. If the index write fails, the tombstones stay and
    the next :func:`index_pending` deletes them from the index."""
    deleted = store.delete(ids, track_index=True)
    if deleted.version is not None:
        index.delete(ids)
        store.mark_indexed(dict.fromkeys(ids, deleted.version))
    return deleted.removed
