"""CPU per request of the cached endpoints in one process, with the response cache on and off.

Why CPU time in-process: on a machine shared with other work, requests/s through gunicorn
swing by ±40% from run to run (see docs/benchmarks.md); the CPU one worker spends per request
does not depend on what else runs. Imports ``--articles`` synthetic articles
(``bench/api_load.py``'s corpus, through ``tidings import``), then for each endpoint answers
``--requests`` GETs through Flask's test client with ``TIDINGS_*_CACHE_SECONDS`` at 3600
(every repeat a cache hit) and at 0 (the baseline: every request computed), and prints µs of
CPU per request and their ratio.

    .venv/bin/python bench/response_cache.py [--articles 2000] [--requests 3000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_load import build_home  # noqa: E402  (bench/ is not a package)

PATHS = {
    "search": "/api/v1/search?q=w7&topic=politics",
    "recent": "/api/v1/recent",
    "feeds/recent.rss": "/feeds/recent.rss",
    "topics": "/api/v1/topics",
    "sources": "/api/v1/sources",
}


def cpu_per_request(home: Path, ttl: float, path: str, requests: int) -> float:
    """µs of this process's CPU per GET of ``path`` on an app whose caches keep ``ttl`` s."""
    from search_api import create_app
    from tidings.core.config import Settings

    app = create_app(
        Settings(home=home),
        config={"RATELIMIT_ENABLED": False, "TIDINGS_RESPONSE_CACHE_SECONDS": ttl,
                "TIDINGS_SEARCH_CACHE_SECONDS": ttl},
    )  # fmt: skip
    client = app.test_client()
    for _ in range(20):  # warm up: open the index and store, fill the cache
        assert client.get(path).status_code == 200
    start = time.process_time()
    for _ in range(requests):
        client.get(path)
    spent = time.process_time() - start
    app.extensions["tidings"].close()
    return spent / requests * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="synthetic articles")
    parser.add_argument("--requests", type=int, default=3000, help="GETs per endpoint and mode")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tidings-cache-") as tmp:
        home = Path(tmp) / "home"
        build_home(home, args.articles)
        print(f"{'endpoint':<18} {'cache off µs':>13} {'cache hit µs':>13} {'hit / off':>10}")
        for name, path in PATHS.items():
            off = cpu_per_request(home, 0, path, args.requests)
            hit = cpu_per_request(home, 3600, path, args.requests)
            print(f"{name:<18} {off:>13.0f} {hit:>13.0f} {hit / off:>10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
