"""What indexing an article costs in the embedded index: CPU and size on disk, for the code run.

Reads ``--articles`` records of a home's store into memory, then, ``--rounds`` times, indexes
them into a fresh temporary index as ``tidings reindex`` does (``EmbeddedIndex.rebuild`` with
the product's writer memory, so tantivy cuts and merges segments as it would): process CPU an
article (Python's document building and tantivy's indexing and merging threads, until the
writer is closed), and the index's files on disk. Also the document building alone (the
Python side: analysing texts, building the tantivy document).

Run it with the code to measure first on the path (a ``git archive`` copy of main, or a worktree)::

    PYTHONPATH=. nice -n 10 .venv/bin/python bench/index_cost.py --home /tmp/load1/home100k

Times depend on the machine's load: compare two versions alternated, as ratios.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from itertools import chain, islice
from pathlib import Path
from typing import Any

from tidings.core.config import Settings
from tidings.core.index import embedded
from tidings.core.store import open_store

BATCH = 1000


def load_articles(home: Path, n: int) -> list[dict[str, Any]]:
    with open_store(Settings(home=home)) as store:
        return list(islice(chain.from_iterable(store.iter_articles(BATCH)), n))


def build_ms(articles: list[dict[str, Any]]) -> float:
    """CPU ms an article to build its tantivy document (no indexing)."""
    start = time.process_time()
    for article in articles:
        embedded._document(article, 1)
    return (time.process_time() - start) * 1000 / len(articles)


def index_once(articles: list[dict[str, Any]]) -> tuple[float, int, int]:
    """(CPU ms an article, bytes on disk, segments) for one rebuild into a new index."""
    batches = [articles[i : i + BATCH] for i in range(0, len(articles), BATCH)]
    with tempfile.TemporaryDirectory(prefix="tidings-index-cost-") as tmp:
        path = Path(tmp) / "index"
        start = time.process_time()
        with embedded.EmbeddedIndex(path, writable=True) as index:
            index.rebuild(batches)
        cpu = time.process_time() - start
        size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
        with embedded.EmbeddedIndex(path) as index:
            segments = index._searcher().num_segments
    return cpu * 1000 / len(articles), size, segments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a home whose store to read")
    parser.add_argument("--articles", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    articles = load_articles(args.home, args.articles)
    print(f"{len(articles)} articles; load {Path('/proc/loadavg').read_text().split()[0]}")
    print("| round | document build, CPU ms an article | indexing, CPU ms an article "
          "| index on disk, bytes an article | segments |")  # fmt: skip
    print("|---|---|---|---|---|")
    builds, costs = [], []
    for n in range(1, args.rounds + 1):
        builds.append(build_ms(articles))
        cost, size, segments = index_once(articles)
        costs.append(cost)
        print(f"| {n} | {builds[-1]:.3f} | {cost:.3f} | {size / len(articles):,.0f} | {segments} |")
    print(f"| median | {statistics.median(builds):.3f} | {statistics.median(costs):.3f} | | |")
    print(f"load {Path('/proc/loadavg').read_text().split()[0]} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
