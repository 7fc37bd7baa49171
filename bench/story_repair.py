"""What schema 7's heal costs when a store opens: finding phantom story members, on both engines.

The heal (:mod:`tidings.core.store.story_repair`) runs once, in the migration to schema 7: it
reads every member row with its article's record text (a ``LIKE`` on the text; a record is
parsed only when the text does not name the member's story), then recounts the few stories
phantoms were in. This builds a store of ``--articles`` synthetic articles (those of
``bench/stories_writers.py``) in stories of five, turns one member in 1,000 into a phantom
(its story no longer the one its article's record names), and times the heal in its own
transaction: CPU seconds of this process (and of the PostgreSQL backend) and wall seconds.

    nice -n 15 .venv/bin/python bench/story_repair.py [--articles 50000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.stories_writers import articles, backend_cpu  # noqa: E402
from tidings.core.store import SqliteStore, StoreEngine  # noqa: E402
from tidings.core.store.postgres import PostgresStore  # noqa: E402
from tidings.core.store.story_repair import heal_phantom_members  # noqa: E402
from tidings.dev.postgres import PostgresCluster  # noqa: E402

PHANTOM_EVERY = 1000


def fill(store: StoreEngine, n: int) -> None:
    """``n`` stored articles in stories of five, one member in PHANTOM_EVERY a phantom."""
    records = articles(0, n, 3)
    for i, record in enumerate(records):
        record["story_id"] = f"s{i // 5:016x}"
    for i in range(0, n, 1000):
        store.upsert(records[i : i + 1000])
    members = [
        (r["id"], r["story_id"] if i % PHANTOM_EVERY else "s-phantom", i)
        for i, r in enumerate(records)
    ]
    with store.placing() as tx:
        tx.add_members(members)


def timed_heal(store: Any, backend: int | None) -> dict[str, float]:
    """The heal in one write transaction of ``store``'s database."""
    db = store._db  # noqa: SLF001 - the bench runs the migration step itself
    cpu, wall = time.process_time(), time.perf_counter()
    server = backend_cpu(backend) if backend else 0.0
    with db.write() as conn:
        touched = heal_phantom_members(conn, db.placeholders)
    return {
        "stories touched": len(touched),
        "CPU s": time.process_time() - cpu,
        "server CPU s": (backend_cpu(backend) - server) if backend else 0.0,
        "wall s": time.perf_counter() - wall,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=50_000)
    n = ap.parse_args().articles
    rows = []
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "tidings.db") as store:
        fill(store, n)
        rows.append({"engine": "SQLite", **timed_heal(store, None)})
    with PostgresCluster() as cluster, PostgresStore(cluster.url) as store:
        fill(store, n)
        with store._db.pool.connection() as conn:  # noqa: SLF001 - one thread: this connection
            backend = int(conn.execute("SELECT pg_backend_pid() AS pid").fetchone()["pid"])
        rows.append({"engine": "PostgreSQL", **timed_heal(store, backend)})
    print(f"| engine | members | {' | '.join(k for k in rows[0] if k != 'engine')} | load |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        cells = [f"{v:.2f}" if isinstance(v, float) else str(v) for k, v in row.items()]
        print(f"| {cells[0]} | {n} | {' | '.join(cells[1:])} | {os.getloadavg()[0]:.1f} |")


if __name__ == "__main__":
    main()
