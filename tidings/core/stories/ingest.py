"""The one call every writer makes: store a batch with its stories placed in the same write.

One :class:`StoryBook` per store database per process, so the clusterer's state stays in
memory between batches (it replays the journal rows of other processes' placements meanwhile).
Every store engine keeps stories (:class:`tidings.core.store.base.StoryStore`).
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from tidings.core.store.base import FetchState, StoreEngine, UpsertResult
from tidings.core.stories.book import Stored, StoryBook, per_source

#: The crawl's counter (per source and crawl-wide) of articles stored without a story.
UNPLACED_STAT = "stories/unplaced"

_books: dict[str, StoryBook] = {}
_lock = threading.Lock()


def book_for(store: StoreEngine) -> StoryBook:
    """The (shared) story book of ``store``'s database."""
    with _lock:
        book = _books.get(store.location)
        if book is None:
            book = _books[store.location] = StoryBook()
        return book


def store_with_stories(
    store: StoreEngine,
    records: list[dict[str, Any]],
    *,
    fetch_states: list[FetchState] | None = None,
    track_index: bool = False,
) -> Stored:
    """Upsert a batch, each record it keeps placed in its story in the same transaction (a
    record the store refuses joins none); ``.result.articles`` carry their ``story_id``."""
    return book_for(store).store(
        store, records, fetch_states=fetch_states, track_index=track_index
    )


def unplaced(result: UpsertResult) -> Counter[str]:
    """Per source, how many articles a batch wrote (``result``) without a story: their
    placement failed (logged), and they get one when stored again or by ``tidings restory``.
    Writers report it, so a failing placement does not go unseen."""
    return per_source(a for a in result.articles if not a.get("story_id"))


def close_books() -> None:
    """Drop every book's in-memory state (tests; the next placement reloads it)."""
    with _lock:
        _books.clear()
