"""``bench/stories.py --catch-up``: what a second writer pays to catch up with the first.

Writers take turns placing (one lock across processes); a writer whose turn comes after others
placed brings its in-memory clusterer up to the store's position before it places: it replays
the journal rows written since its own position, or, when a snapshot was taken past it (or it
has no state yet), reloads that snapshot and replays the rows after it
(:meth:`tidings.core.stories.book.StoryBook.state`, the path a placement takes).

At each size the synthetic stream of ``bench/stories_scale.py`` runs through writer A's
clusterer up to that many stored articles; A saves a snapshot into a real SQLite store (WAL,
in a temporary directory) and writer B, a fresh :class:`StoryBook`, opens it: **reload** (read
the row, unpickle the clusterer), three times with a new book each. A then places the next
``WINDOW`` articles in batches of ``BATCH``, writing a journal row per batch, and B catches up
on them: **replay** (read the rows, unpickle, :meth:`StoryClusterer.replay` each placement),
checked to give A's state. All times are CPU seconds of this process (the machine is shared).
The last column is the most a writer can be behind in journal before the next snapshot (the
journal is folded into a snapshot once it outweighs the last one, or 1 MB), replayed at the
measured rate.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial

from bench.stories_scale import BATCH, WINDOW, rss_and_load, synthetic_run
from tidings.core.store import SqliteStore
from tidings.core.stories import StoryClusterer
from tidings.core.stories.book import MIN_SNAPSHOT_BYTES, StoryBook, dump, journal_entry

RELOADS = 3


def _cpu_of(work: Callable[[], object]) -> float:
    """CPU seconds of this process that ``work()`` takes."""
    started = time.process_time()
    work()
    return time.process_time() - started


def _journal_window(
    clusterer: StoryClusterer, articles: Iterator, store: SqliteStore, seq: int
) -> tuple[int, list[int]]:
    """Writer A places ``WINDOW`` articles, a journal row per batch; the new position and the
    rows' sizes."""
    sizes = []
    for _ in range(WINDOW // BATCH):
        entries = []
        for _ in range(BATCH):
            article, feats = next(articles)
            placed = clusterer.add(article, feats)
            entries.append(journal_entry(feats, placed.joined, placed.article_id,
                                         placed.neighbours))  # fmt: skip
        seq += BATCH
        row = dump(entries)
        with store.placing() as tx:
            tx.append_journal(seq, row)
        sizes.append(len(row))
    return seq, sizes


def _same_state(a: StoryClusterer, b: StoryClusterer) -> bool:
    """The same live stories, in the same order, of the same sizes, and the same sketch."""
    sizes = [(sid, s.size) for sid, s in a.stories.items()]
    return sizes == [(sid, s.size) for sid, s in b.stories.items()] and (
        a.sketch.entries() == b.sketch.entries()
    )


def catch_up(sizes: Sequence[int], seed: int) -> None:
    """Print, per size, the cost of catching up by reloading a snapshot and by replaying."""
    columns = [
        "stored articles", "live stories", "snapshot MB", "snapshot write CPU s",
        "reload CPU s (median of 3)", "journal row KB", "replay CPU ms per row (batch of 64)",
        "replay CPU µs per article", "place CPU µs per article (same window)",
        "rows until the next snapshot", "replay of those CPU s", "RSS MB", "load",
    ]  # fmt: skip
    with synthetic_run(seed, "stories-catchup-", columns) as run:
        clusterer, store = run.clusterer, run.store
        for target in sorted(sizes):
            run.grow(target)
            stored = at = run.stored  # a size below the last window's end is measured there
            started = time.process_time()
            snapshot = dump(clusterer)
            with store.placing() as tx:
                tx.save_state(stored, snapshot)
            write_cpu = time.process_time() - started
            books = [StoryBook() for _ in range(RELOADS)]
            reload_cpu = statistics.median(_cpu_of(partial(b.state, store)) for b in books)
            behind = books[0]
            del books[1:]
            place_started = time.process_time()
            stored, row_sizes = _journal_window(clusterer, run.articles, store, stored)
            run.stored = stored
            place_cpu = time.process_time() - place_started
            replay_cpu = _cpu_of(partial(behind.state, store))
            if not _same_state(behind.state(store), clusterer):
                raise SystemExit(f"at {at:,}: the writer that caught up differs from A")
            rows = len(row_sizes)
            row_bytes = statistics.median(row_sizes)
            until_snapshot = max(len(snapshot), MIN_SNAPSHOT_BYTES) / row_bytes
            print(f"| {at:,} | {len(clusterer.stories):,} | {len(snapshot) / 1e6:.1f} | "
                  f"{write_cpu:.2f} | {reload_cpu:.2f} | {row_bytes / 1e3:.0f} | "
                  f"{replay_cpu / rows * 1e3:.1f} | {replay_cpu / (rows * BATCH) * 1e6:.0f} | "
                  f"{place_cpu / (rows * BATCH) * 1e6:.0f} | {until_snapshot:.0f} | "
                  f"{until_snapshot * replay_cpu / rows:.2f} | {rss_and_load()} |",
                  flush=True)  # fmt: skip
            with store.placing() as tx:
                tx.save_state(stored, b"")  # drops the rows: the next size starts clean
