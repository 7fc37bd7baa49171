"""The one call every writer makes: give a batch its stories just before storing it.

One :class:`StoryBook` per store database per process, so the clusterer's state stays in
memory between batches (it replays the journal rows of other processes' placements meanwhile).
Every store engine keeps stories (:class:`tidings.core.store.base.StoryStore`).
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from tidings.core.store.base import StoreEngine, UpsertResult
from tidings.core.stories.book import StoryBook, per_source

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


def place_stories(store: StoreEngine, records: list[dict[str, Any]]) -> None:
    """Set ``story_id`` on every record of a batch about to be stored (placing new ones)."""
    book_for(store).place(store, records)


def unplaced(records: list[dict[str, Any]], result: UpsertResult) -> Counter[str]:
    """Per source, how many records of a batch placed and then stored (``result``) are stored
    without a story: their placement failed (logged), and they get one when stored again or
    by ``tidings restory``. Writers report it, so a failing placement does not go unseen."""
    refused = set(result.refused)  # not stored at all
    return per_source(r for r in records if not r.get("story_id") and r["id"] not in refused)


def close_books() -> None:
    """Drop every book's in-memory state (tests; the next placement reloads it)."""
    with _lock:
        _books.clear()
