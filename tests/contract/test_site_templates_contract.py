"""Site templates in the store, on every engine (``tidings/core/store/site_templates.py``):
per-source line counts that the next crawl starts from, added to by every crawler process."""

from __future__ import annotations

import threading

from contract.conftest import StoreOpener

from tidings.core.store import StoreEngine

BIG = 2**63 - 1  # line keys are signed 64-bit hashes: both ends must survive


def test_unknown_source_has_nothing(store: StoreEngine) -> None:
    assert store.site_lines("courier") == (0, {})


def test_counts_are_added_per_source_and_read_back(store: StoreEngine) -> None:
    store.add_site_lines("courier", 3, {1: 3, -BIG - 1: 2, BIG: 1}, keep=100)
    store.add_site_lines("courier", 2, {1: 2, 7: 1}, keep=100)
    store.add_site_lines("gazette", 1, {1: 1}, keep=100)
    assert store.site_lines("courier") == (5, {1: 5, -BIG - 1: 2, BIG: 1, 7: 1})
    assert store.site_lines("gazette") == (1, {1: 1})


def test_past_keep_lines_seen_once_are_forgotten(store: StoreEngine) -> None:
    store.add_site_lines("courier", 4, {k: 1 for k in range(10)} | {100: 4}, keep=20)
    assert len(store.site_lines("courier")[1]) == 11  # within keep: all kept
    store.add_site_lines("courier", 4, {k: 1 for k in range(10, 30)} | {100: 4, 5: 1}, keep=20)
    pages, lines = store.site_lines("courier")
    assert pages == 8 and lines == {100: 8, 5: 2}
    store.add_site_lines("gazette", 1, {k: 1 for k in range(30)}, keep=20)
    assert store.site_lines("courier")[1] == {100: 8, 5: 2}  # one source's pruning only


def test_two_writers_adding_at_once_lose_nothing(store_engines: StoreOpener) -> None:
    """Two crawler processes learning one source: every increment counts."""
    stores = [store_engines(), store_engines()]
    keys = {k: 1 for k in range(0, 400, 3)}

    def add(store: StoreEngine) -> None:
        for _ in range(10):
            store.add_site_lines("courier", 1, keys, keep=10_000)

    threads = [threading.Thread(target=add, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pages, lines = store_engines().site_lines("courier")
    assert pages == 20 and lines == {k: 20 for k in keys}
