"""What one move costs the store, by the size of the story it touches (issue 15 item 5).

A join can move placed articles (a split, a one-member story folded in, a member re-homed);
the batch then writes the move (:meth:`tidings.core.store.sql_stories.SqlPlacement.move_members`):
member rows, the moved records' ``story_id`` and both stories' records. This builds, per
``--sizes`` entry, a SQLite store holding one story of that many synthetic articles
(``bench/api_load.py``'s ``synthetic_articles``: the lead's 1,000,000 import) and a story of
two, then times ``move_members`` for one member placed late (at 90% of the story, its dates
inside both spans) leaving the big story for the small one ("out") and coming back ("in"),
each in its own write transaction, ``--repeats`` times: CPU ms (thread time) and wall ms per
move, medians. Each code tree in ``--code`` (``.`` is this one; main's from
``git archive main``) runs in a process of its own on a fresh copy of the same file, the trees'
order swapped every round (``--rounds``), so both see the same store and the same drift.

    flock /tmp/bench.lock nice -n 10 .venv/bin/python bench/story_moves.py \\
        --code /tmp/main-src . [--sizes 10 100 1000 5000] [--repeats 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FETCHED = datetime(2025, 1, 1, tzinfo=UTC)


def build(path: Path, size: int) -> str:
    """A store at ``path`` with story "big" of ``size`` articles and "small" of two; the id of
    the big story's member that moves."""
    sys.path.insert(0, str(HERE))
    from api_load import synthetic_articles

    from tidings.core.article import normalise
    from tidings.core.store import SqliteStore
    from tidings.core.store.story_recount import recounted

    # one fetched a second, as an import's are: fetch times tie only in a real crawl's bursts
    articles = [
        normalise({**a, "fetched_at": (FETCHED + timedelta(seconds=n)).isoformat()})
        for n, a in enumerate(synthetic_articles(size + 2, seed=size))
    ]
    store = SqliteStore(path)
    store.upsert(articles)
    big, small = articles[:size], articles[size:]
    late = big[int(size * 0.9) :]
    moving = sorted(late, key=lambda a: a["published_at"])[len(late) // 2]
    with store.placing() as tx:
        tx.add_members([(a["id"], "big", seq) for seq, a in enumerate(big, 1)])
        tx.add_members([(a["id"], "small", seq) for seq, a in enumerate(small, size + 1)])
        for sid, members in (("big", big), ("small", small)):
            old = {"headline_article_id": members[0]["id"], "headline_fit": 0.0}
            tx.put_records([recounted(sid, old, members).dump()], 1)
    store.close()
    return str(moving["id"])


def worker(path: Path, article_id: str, repeats: int) -> dict[str, Any]:
    """Time ``repeats`` moves out of the big story and back in (this process's ``tidings``)."""
    from tidings.core.store import SqliteStore

    store = SqliteStore(path)
    times: dict[str, list[tuple[float, float]]] = {"out": [], "in": []}
    version = 2
    for _ in range(repeats):
        for side, target in (("out", "small"), ("in", "big")):
            with store.placing() as tx:
                cpu, wall = time.thread_time(), time.perf_counter()
                tx.move_members({article_id: target}, ["big", "small"], version, {})
                times[side].append((time.thread_time() - cpu, time.perf_counter() - wall))
            version += 1
    final = store.stories(["big"])[0]
    store.close()
    return {
        side: {"cpu_ms": statistics.median(c for c, _ in v) * 1e3,
               "wall_ms": statistics.median(w for _, w in v) * 1e3}
        for side, v in times.items()
    } | {"big_articles": final["articles"]}  # fmt: skip


def run_tree(tree: str, path: Path, article_id: str, repeats: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(Path(tree).resolve())}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", str(path), article_id, str(repeats)],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", nargs="+", default=["."], help="code trees to compare")
    parser.add_argument("--sizes", nargs="+", type=int, default=[10, 100, 1000, 5000])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(Path(args.worker[0]), args.worker[1], int(args.worker[2]))))
        return
    print(f"load average at start: {os.getloadavg()}", flush=True)
    print("| story size | code | out: CPU ms | out: wall ms | in: CPU ms | in: wall ms |")
    print("|---:|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            built = Path(tmp) / f"built-{size}.db"
            moving = build(built, size)
            results: dict[str, list[dict[str, Any]]] = {tree: [] for tree in args.code}
            for round_no in range(args.rounds):
                order = args.code if round_no % 2 == 0 else list(reversed(args.code))
                for tree in order:
                    copy = Path(tmp) / "run.db"
                    for suffix in ("", "-wal", "-shm"):
                        Path(str(copy) + suffix).unlink(missing_ok=True)
                    shutil.copy(built, copy)
                    results[tree].append(run_tree(tree, copy, moving, args.repeats))
            for tree, runs in results.items():
                assert all(r["big_articles"] == size for r in runs)
                cells = [statistics.median(r[side][k] for r in runs)
                         for side in ("out", "in") for k in ("cpu_ms", "wall_ms")]  # fmt: skip
                print(f"| {size:,} | {tree} | " + " | ".join(f"{c:.2f}" for c in cells) + " |",
                      flush=True)  # fmt: skip
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
