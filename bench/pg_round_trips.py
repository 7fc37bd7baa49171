"""Round trips a PostgreSQL store makes to store one batch, counted from libpq's own trace.

A round trip is a wait for the server: the client sends, then must read before it can go
on. libpq's protocol trace (``PGconn.trace``) logs every message the client sends; each
``Sync`` (or simple ``Query``, or in pipeline mode ``Flush``) ends what it sends before it
waits for the answers, so those are the round trips; statements pipelined behind one count
once. The commit, when the pool takes the connection back, is counted too.
Inside the articles lock each round trip costs the network's latency (docs/benchmarks.md,
"Store engines": 1 ms a round trip on a LAN), so this is what bounds what the lock passes.

This stores ``--batches`` batches of each size in ``--sizes`` (the writers bench's synthetic
articles) with stories on and off, in a fresh database of a private cluster, and prints the
round trips of the last batch of each size: per batch and per article, inside the lock
(from taking it to the commit) and in all.

    nice -n 10 .venv/bin/python bench/pg_round_trips.py [--sizes 16 64 256] [--batches 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.stories_writers import articles  # noqa: E402
from tidings.dev.postgres import PostgresCluster  # noqa: E402

LOCK_SQL = "pg_advisory_xact_lock("
#: What the client sends before it waits for answers (a ``Flush`` right after a ``Sync`` is
#: the same wait).
WAITS = ("Sync", "Query", "Flush")


@dataclass
class RoundTrips:
    """The round trips of the connections a store used while counting (:func:`counted`)."""

    total: int = 0
    #: Those from the statement that takes the articles lock to the end of its transaction.
    in_lock: int = 0
    traces: list[str] = field(default_factory=list)


def round_trips(trace: str) -> tuple[int, int]:
    """(all, inside the articles lock) round trips in one connection's libpq trace: the
    client's ``Sync`` and ``Query`` messages, each the end of what it sends before it waits for
    the answers (pipelined statements share one ``Sync``), counting the lock's own as inside."""
    total = in_lock = 0
    locked, last = False, ""
    for line in trace.splitlines():
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        direction, message = parts[0], parts[2]
        if direction == "F" and message == "Parse" and LOCK_SQL in line:
            locked = True
        if direction == "F" and message in WAITS and not (message == "Flush" and last == "Sync"):
            total += 1
            in_lock += locked
        if direction == "F":
            last = message
        if direction == "B" and message == "ReadyForQuery" and parts[-1].strip() == "I":
            locked = False  # idle: the transaction that held the lock is over
    return total, in_lock


@contextmanager
def counted(store: Any) -> Iterator[RoundTrips]:
    """Count the round trips of every connection ``store`` (a ``PostgresStore``) takes from
    its pool until the block ends, by tracing each while it is lent out."""
    from psycopg import pq

    pool = store._db.pool  # noqa: SLF001 - the bench traces the store's own connections
    lend = pool.connection
    counts = RoundTrips()

    @contextmanager
    def traced(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with tempfile.TemporaryFile("w+") as log:
            try:
                with lend(*args, **kwargs) as conn:  # its exit commits: traced too
                    conn.pgconn.trace(log.fileno())
                    conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
                    # statements unprepared, so each names its SQL (the lock's included):
                    # psycopg prepares in the same flight, so the waits are the same
                    prepare, conn.prepare_threshold = conn.prepare_threshold, None
                    yield conn
            finally:
                conn.prepare_threshold = prepare
                conn.pgconn.untrace()
                log.seek(0)
                counts.traces.append(log.read())

    pool.connection = traced
    try:
        yield counts
    finally:
        pool.connection = lend
        for trace in counts.traces:
            total, in_lock = round_trips(trace)
            counts.total += total
            counts.in_lock += in_lock


def measure(url: str, sizes: list[int], batches: int) -> list[dict[str, Any]]:
    """Store ``batches`` batches of each size, stories on and off; count the last of each."""
    from tidings.core.store.postgres import PostgresStore
    from tidings.core.stories.book import StoryBook

    rows = []
    for stories in (False, True):
        store, book = PostgresStore(url), StoryBook()
        records = articles(0 if stories else 1, sum(sizes) * batches, seed=7)
        for size in sizes:
            for _ in range(batches):
                batch, records = records[:size], records[size:]
                with counted(store) as counts:
                    if stories:
                        book.store(store, batch, track_index=True)
                    else:
                        store.upsert(batch, track_index=True)
            rows.append({"stories": "on" if stories else "off", "batch": size,
                         "in lock": counts.in_lock, "in lock / article": counts.in_lock / size,
                         "all": counts.total})  # fmt: skip
        store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 64, 256])
    parser.add_argument("--batches", type=int, default=3)
    args = parser.parse_args()
    with PostgresCluster() as cluster:
        url = cluster.fresh_database("round_trips")
        rows = measure(url, args.sizes, args.batches)
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        cells = (f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values())
        print("| " + " | ".join(cells) + " |")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
