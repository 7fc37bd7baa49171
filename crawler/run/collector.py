"""The crawl process's garbage collector, set for what that process holds.

The crawl's own process makes many short-lived objects a page (Scrapy's requests, responses,
deferreds and asyncio tasks, the records back from the workers) beside a large state that
lasts (the stories, the store's and index's caches). With CPython's default young-generation
threshold (700 allocations) a collection runs every few pages and finds the page in hand still
alive, so its objects are promoted, pile up in the oldest generation and make it due for a full
collection every ~150 pages, which walks the whole story state (~40 ms each on the generated
site). Collecting the young generation every :data:`YOUNG_THRESHOLD` allocations instead lets
most of a page's objects die before any collection sees them: the full collections become
rare. Only when objects are collected changes, never which ones: reference counting still
frees every acyclic object at once, and cycles are still found, a little later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations (less deallocations) between two collections of the youngest generation.
YOUNG_THRESHOLD = 10_000


@contextmanager
def collect_for_crawl(young: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Collect the youngest generation every ``young`` allocations while the block runs
    (the older generations' thresholds are kept); the previous thresholds are restored."""
    previous = gc.get_threshold()
    gc.set_threshold(young, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
