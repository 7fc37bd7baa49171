"""Round trips to PostgreSQL while a writer holds the articles lock: a constant per batch, not
a few per article (what a LAN's latency multiplies), with the same stored outcome as asking
row by row (:class:`tidings.core.store.upserts.RowLookups`)."""

from __future__ import annotations

import random
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from bench.pg_round_trips import counted
from tidings.core.article import normalise
from tidings.core.store.postgres import PostgresStore
from tidings.core.store.upserts import Lookups, RowLookups
from tidings.core.stories.book import StoryBook

#: Round trips a batch may take inside the lock, whatever its size (main took 5 an article).
MOST_PER_BATCH = 12


def _articles(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` long articles of words of their own (no two share a band key or a story)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = [f"w{seed}x{i}x{rng.randrange(10**9)}" for _ in range(80)]
        out.append(normalise({
            "url": f"https://outlet.example/{seed}/{i}", "title": " ".join(words[:6]),
            "body": " ".join(words), "published_at": "2024-03-01T12:00:00Z",
            "source": {"id": "outlet", "name": "Outlet", "domain": "outlet.example"},
        }))  # fmt: skip
    return out


def _in_lock(store: PostgresStore, book: StoryBook | None, batch: list[dict[str, Any]]) -> int:
    with counted(store) as counts:
        if book is None:
            store.upsert(batch, track_index=True)
        else:
            book.store(store, batch, track_index=True)
    return counts.in_lock


def test_round_trips_inside_the_lock_do_not_grow_with_the_batch(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    try:
        for book in (None, StoryBook()):
            seed = 1 if book is None else 2
            _in_lock(store, book, _articles(4, seed * 10))  # the book loads its state once
            small = _in_lock(store, book, _articles(8, seed * 10 + 1))
            large = _in_lock(store, book, _articles(64, seed * 10 + 2))
            assert large == small, (book, small, large)
            assert 0 < large <= MOST_PER_BATCH
    finally:
        store.close()


class _RowByRowStore(PostgresStore):
    """The same engine asking each record's rows one statement at a time (main's way)."""

    def _lookups(self, db: Any, batch: list[dict[str, Any]]) -> AbstractContextManager[Lookups]:
        return nullcontext(RowLookups(self, db))


def _stored(store: PostgresStore) -> list[tuple[Any, ...]]:
    rows = store._pg.query(  # noqa: SLF001 - the columns the decisions fill
        "SELECT id, canonical_url, content_hash, cluster_id, fingerprint, source_id "
        "FROM articles ORDER BY seq"
    )
    return [tuple(row.values()) for row in rows]


def test_read_ahead_decides_as_row_by_row_when_the_batch_changes_its_own_rows(
    pg_url: str, pg_cluster: Any
) -> None:
    """A batch whose records depend on its own earlier writes: a stored article's URL moved
    away and the old URL stored anew, exact and near copies of each other and of the stored,
    an article of another source, the same id twice. Fails if the read-ahead answered any of
    them from the rows as they were before the batch."""
    stored, more = _articles(3, 5), _articles(2, 6)
    old_url = stored[0]["canonical_url"]
    moved = {**stored[0], "canonical_url": "https://outlet.example/moved"}
    reused = {**more[0], "id": "reused", "canonical_url": old_url}
    exact = {**more[1], "id": "exact", "canonical_url": "https://outlet.example/exact"}
    near = {**stored[1], "body": stored[1]["body"] + " and one more sentence"}
    foreign = {**stored[2], "source": {"id": "other", "name": "Other"}}
    batch = [moved, reused, more[1], exact, near, foreign, {**more[1], "title": "Last"}]
    url_b = pg_cluster.fresh_database("t_round_trips_row_by_row")
    outcomes = []
    for store in (PostgresStore(pg_url), _RowByRowStore(url_b)):
        try:
            store.upsert(stored)
            result = store.upsert(batch)
            outcomes.append((
                _stored(store), sorted(result.inserted), sorted(result.updated),
                sorted(result.unchanged), sorted(result.refused),
            ))  # fmt: skip
        finally:
            store.close()
    assert outcomes[0] == outcomes[1]
    rows = {row[0]: row for row in outcomes[0][0]}
    assert rows["reused"][1] == old_url  # the URL the batch moved away, stored anew
    assert rows[stored[0]["id"]][1] == "https://outlet.example/moved"
    assert rows["exact"][3] == rows[more[1]["id"]][3]  # copied within the batch
    assert outcomes[0][4] == [stored[2]["id"]]
