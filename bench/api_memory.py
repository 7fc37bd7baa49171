"""An API worker's memory under gunicorn, told apart, after thousands of distinct searches.

RSS alone overstates what a worker costs: it counts the pages of the tantivy index's segment
files the worker has read through its memory maps. Those are page cache, shared by every worker
and every process reading the index, which the kernel drops under memory pressure and reads
back on demand. So for each worker this prints, from ``/proc/PID/status`` and
``/proc/PID/smaps_rollup``: RSS; its anonymous part (the Python heap, tantivy's own buffers and
caches: what only this worker holds, and what grows if something leaks); its file-backed part
(the maps: index files, libraries); PSS (shared pages split between the processes that map
them) and PSS of anonymous memory. It reads them after start, after a warm-up and after each
checkpoint of distinct searches (terms, phrases, topic filters, date sort, facets: every one a
new cache key), sent by keep-alive clients through gunicorn with the production config::

    PYTHONPATH=. .venv/bin/python bench/api_memory.py --home var --searches 1000,2000,4000

``--max-requests 500`` makes gunicorn recycle each worker after about that many requests
(``TIDINGS_MAX_REQUESTS``): the pids change and the memory starts again from a new worker's.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.api_load import TOPICS, _workers, counts, free_port, start_gunicorn

FOUR_FACETS = "topic,source,entity,language"


def distinct_searches(n: int, seed: int = 1) -> list[str]:
    """``n`` different search paths over the synthetic vocabulary (w1 ... w5000)."""
    rng = random.Random(seed)
    seen: dict[str, None] = {}
    while len(seen) < n:
        a, b = rng.randint(1, 5000), rng.randint(1, 5000)
        path = rng.choice(
            [
                f"/api/v1/search?q=w{a}",
                f"/api/v1/search?q=w{a}+w{b}",
                f"/api/v1/search?q=%22w{a}+w{b}%22",
                f"/api/v1/search?q=w{a}&topic={rng.choice(TOPICS)}",
                f"/api/v1/search?q=w{a}&sort=date",
                f"/api/v1/search?q=w{a}&facet={FOUR_FACETS}",
            ]
        )
        seen[path] = None
    return list(seen)


def send_all(port: int, paths: list[str], clients: int) -> dict[str, int]:
    """Send every path once over ``clients`` keep-alive connections; count the answers by status."""
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def client(share: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for path in share:
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                status = str(resp.status)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = "error"
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(paths[i::clients],)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def worker_memory(master: int) -> list[dict[str, Any]]:
    """Per worker: pid, RSS, its anonymous and file-backed parts, PSS, anonymous PSS (MB)."""
    out = []
    for worker in _workers(master):
        pid = worker["Pid"]
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:  # recycled meanwhile
            continue
        kb = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:] if line.strip()}
        out.append(
            {
                "pid": int(pid),
                "rss": _kb(worker["VmRSS"]),
                "anon": _kb(worker["RssAnon"]),
                "file": _kb(worker["RssFile"]),
                "pss": kb["Pss"] / 1024,
                "pss_anon": kb["Pss_Anon"] / 1024,
            }
        )
    return sorted(out, key=lambda w: w["pid"])


def _kb(field: str) -> float:
    """``"12345 kB"`` -> MB."""
    return int(field.split()[0]) / 1024


def report(label: str, master: int) -> list[dict[str, Any]]:
    """Print one line per worker after ``label``; return the readings."""
    readings = worker_memory(master)
    for w in readings:
        print(f"{label:>22} {w['pid']:>8} {w['rss']:7.0f} {w['anon']:7.0f} {w['file']:7.0f} "
              f"{w['pss']:7.0f} {w['pss_anon']:8.0f}   {os.getloadavg()[0]:.1f}",
              flush=True)  # fmt: skip
    return readings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="the home to serve")
    parser.add_argument(
        "--searches", type=counts, default=[1000, 2000, 4000],
        help="checkpoints: distinct searches sent so far (default 1000,2000,4000)",
    )  # fmt: skip
    parser.add_argument("--clients", type=int, default=8, help="keep-alive connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--max-requests", type=int, help="TIDINGS_MAX_REQUESTS (recycling)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.max_requests:
        os.environ.update(TIDINGS_MAX_REQUESTS=str(args.max_requests))
    paths = distinct_searches(max(args.searches) + 200, seed=args.seed)
    warm, paths = paths[:200], paths[200:]
    with tempfile.TemporaryDirectory(prefix="tidings-memory-") as tmp:
        port = free_port()
        server = start_gunicorn(args.home, port, args.workers, Path(tmp))
        try:
            print(f"{'after':>22} {'pid':>8} {'RSS':>7} {'anon':>7} {'file':>7} {'PSS':>7} "
                  f"{'PSS anon':>8}   load (MB)")  # fmt: skip
            results = {"start": report("start", server.pid)}
            send_all(port, warm, args.clients)
            results["warm-up (200)"] = report("warm-up (200)", server.pid)
            sent = 0
            for checkpoint in sorted(args.searches):
                t0 = time.monotonic()
                statuses = send_all(port, paths[sent:checkpoint], args.clients)
                took = time.monotonic() - t0
                sent = checkpoint
                label = f"{checkpoint} searches"
                results[label] = report(label, server.pid)
                print(f"{'':>22} answers {statuses} in {took:.0f} s", flush=True)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
