"""A large home for search benchmarks in minutes, not hours: the index only.

``tidings import`` of 1,000,000 synthetic articles takes ~2 h here (~115-150 articles/s: the
store's per-record work, story placement and MinHash clusters, on one core). The search API
reads only the index, so for search latency this builds the index from the same prepared
records an import makes (``normalise`` + fingerprint, in the import's worker process) through
``EmbeddedIndex.rebuild``, as ``tidings reindex`` does (the same segments a reindex leaves);
the store is created empty. Articles carry no ``story_id`` (the open-loop mix never asks for
one). 1,000,000 articles: ~23 min, 1.9 GB peak RSS, 2.3 GB of index.

    .venv/bin/python bench/index_only_home.py /tmp/home1m --articles 1000000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import api_load  # noqa: E402  (bench/ is not a package on the path)

from tidings.cli.data_commands import IMPORT_BATCH, _prepared_batches  # noqa: E402
from tidings.core.config import Settings  # noqa: E402
from tidings.core.index import open_index  # noqa: E402
from tidings.core.store import open_store  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, help="records to index (default: generated)")
    args = parser.parse_args(argv)
    args.home.mkdir(parents=True, exist_ok=True)
    data = args.data or args.home / "synthetic.jsonl"
    if not data.exists():
        with data.open("w", encoding="utf-8") as out:
            for record in api_load.synthetic_articles(args.articles):
                out.write(json.dumps(record) + "\n")
    settings = Settings.from_env(home=str(args.home))
    with open_store(settings):
        pass  # the schema only: the API opens it, the search path never reads it
    index = open_index(settings, writable=True)
    started = time.monotonic()
    try:
        total = index.rebuild(_prepared_batches(data, IMPORT_BATCH))
    finally:
        index.close()
    print(f"indexed {total} articles in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":  # the import's worker process is spawned: it re-imports this file
    sys.exit(main())
