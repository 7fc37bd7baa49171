"""The one call every writer makes: give a batch its stories just before storing it.

One :class:`StoryBook` per store file per process, kept open, so the clusterer's state stays in
memory between batches (it is reloaded only when another process placed articles meanwhile).
Stores without a file of their own (no ``path``) have no stories yet.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from tidings.core.stories.book import StoryBook

_books: dict[Path, StoryBook] = {}
_lock = threading.Lock()


def book_for(store: Any) -> StoryBook | None:
    """The (shared, open) story book beside ``store``'s database, or None if it has no file."""
    path = getattr(store, "path", None)
    if path is None:
        return None
    path = Path(path).resolve()
    with _lock:
        book = _books.get(path)
        if book is None:
            book = _books[path] = StoryBook(path)
        return book


def place_stories(store: Any, records: list[dict[str, Any]]) -> None:
    """Set ``story_id`` on every record of a batch about to be stored (placing new ones)."""
    book = book_for(store)
    if book is not None:
        book.place(records)


def forget_articles(store: Any, ids: list[str]) -> None:
    """Deleted articles leave their stories."""
    book = book_for(store)
    if book is not None:
        book.forget(ids)


def close_books() -> None:
    """Close every open story book (tests, process exit)."""
    with _lock:
        for book in _books.values():
            book.close()
        _books.clear()
