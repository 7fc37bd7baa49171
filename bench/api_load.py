"""Load-test the HTTP API under gunicorn on loopback: requests/s and p50/p99 latency.

Starts gunicorn (``search_api/gunicorn_conf.py``, 2 workers) over a home with synthetic articles
(imported with ``tidings import --no-classify``) or over ``--home``, then for each endpoint runs
32 keep-alive clients for a fixed time and reports throughput and latency percentiles, plus the
resident memory (RSS) of each API worker afterwards, and the server's CPU time per request (the
workers' user + system time over the run, divided by the requests answered: unlike req/s it
does not count the clients' share of the cores). ``healthz`` runs first as the floor: the
least any request costs through the same gunicorn, Flask and metrics stack on these cores.
Targets (../shared/DESIGN.md): search p99 <= 50 ms at 32 clients; recent and feeds >= 1,000
req/s; an API worker <= 300 MB.

Clients are Python threads with ``http.client`` spread over several processes (so the GIL of
one client process does not cap the rate); they share the machine's cores with the server,
so figures are a lower bound of what the server does on its own.

    .venv/bin/python bench/api_load.py [--articles 5000] [--seconds 10] [--clients 32]
    .venv/bin/python bench/api_load.py --home var            # an existing home instead
    .venv/bin/python bench/api_load.py --in-process --endpoint search   # app CPU only, no HTTP

``--in-process`` sends each endpoint's requests through the WSGI app in this one process (Flask's
test client, same settings as under gunicorn) and reports the CPU time per request: the app's
own work (parsing, index, rendering, JSON), without the HTTP server, the clients or queueing, so
two versions of the code compare well even on a busy machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TOPICS = ["politics", "business", "technology", "sport", "science", "health", "world", "arts"]
SOURCES = [f"source{i}" for i in range(12)]
LANGS = ["en"] * 8 + ["de", "fr"]
ENTITIES = [("ORG", "Acme Corp"), ("PERSON", "Ada Lovelace"), ("GPE", "Berlin"),
            ("ORG", "Globex"), ("PERSON", "Grace Hopper"), ("GPE", "Lagos")]  # fmt: skip
#: Words searched for: frequent, middling and rare terms of the synthetic vocabulary.
QUERY_WORDS = ["w1", "w3", "w7", "w15", "w40", "w120", "w300", "w800"]


# -- corpus --------------------------------------------------------------------------------


def synthetic_articles(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """``n`` article records with a Zipfian vocabulary, topics, sources, entities and dates."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(1, 5001)]
    weights = [1 / i for i in range(1, 5001)]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        words = rng.choices(vocab, weights, k=rng.randint(150, 400))
        src = rng.choice(SOURCES)
        ents = rng.sample(ENTITIES, rng.randint(0, 2))
        out.append(
            {
                "url": f"https://{src}.example.com/news/{i}",
                "source": {"id": src, "name": src.title(), "domain": f"{src}.example.com"},
                "title": " ".join(rng.choices(vocab[:2000], weights[:2000], k=8)).capitalize(),
                "summary": " ".join(words[:30]),
                "body": " ".join(words),
                "published_at": (start + timedelta(minutes=rng.randint(0, 525_600))).isoformat(),
                "language": rng.choice(LANGS),
                "topics": [
                    {"id": t, "score": 0.9, "origin": "model"}
                    for t in rng.sample(TOPICS, rng.randint(1, 2))
                ],
                "entities": [
                    {"text": text, "label": label, "key": text.lower().replace(" ", "-")}
                    for label, text in ents
                ],
            }
        )
    return out


def build_home(home: Path, n: int) -> None:
    """Import ``n`` synthetic articles into ``home`` through the CLI (store, then index)."""
    home.mkdir(parents=True, exist_ok=True)
    data = home / "synthetic.jsonl"
    with data.open("w", encoding="utf-8") as out:
        for record in synthetic_articles(n):
            out.write(json.dumps(record) + "\n")
    cmd = [sys.executable, "-m", "tidings", "--home", str(home), "import", "--no-classify",
           str(data)]  # fmt: skip
    subprocess.run(cmd, check=True, cwd=REPO, stdout=subprocess.DEVNULL)


# -- server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(home: Path, port: int, workers: int, log_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        **server_env(home, log_dir),
        "TIDINGS_BIND": f"127.0.0.1:{port}",
        "TIDINGS_WORKERS": str(workers),
    }
    with open(log_dir / "error.log", "wb") as errors:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:search_api.gunicorn_conf",
             "search_api:create_app()"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=errors,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn did not become ready; see {log_dir / 'error.log'}")


def _workers(master: int) -> list[dict[str, str]]:
    """``/proc/<pid>/status`` fields of each gunicorn worker (children of ``master``)."""
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master):
            out.append({k: v.strip() for k, v in fields.items()})
    return out


def worker_rss_mb(master: int) -> list[float]:
    """Resident memory of each gunicorn worker, in MB."""
    return sorted(int(w["VmRSS"].split()[0]) / 1024 for w in _workers(master))


def workers_cpu_s(master: int) -> dict[str, float]:
    """User + system CPU seconds each gunicorn worker (by pid) has used so far."""
    used = {}
    for worker in _workers(master):
        stat = Path(f"/proc/{worker['Pid']}/stat").read_text()
        utime, stime = stat.rsplit(")", 1)[1].split()[11:13]  # fields 14 and 15 of stat(5)
        used[worker["Pid"]] = (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")
    return used


def cpu_between(before: dict[str, float], after: dict[str, float]) -> float | None:
    """The workers' CPU seconds between two readings; None when a worker was replaced in
    between (gunicorn recycles one after ``TIDINGS_MAX_REQUESTS``: its CPU is lost with it)."""
    return sum(after.values()) - sum(before.values()) if before.keys() == after.keys() else None


def server_env(home: Path, log_dir: Path) -> dict[str, str]:
    """Settings the API runs with in this benchmark (gunicorn's or the in-process app's)."""
    return {
        "TIDINGS_HOME": str(home),
        # a limit no client reaches: the limiter's cost is measured, not its refusals
        "TIDINGS_RATELIMIT": "100000000 per minute",
        "TIDINGS_ACCESS_LOG": str(log_dir / "access.log"),
        "PROMETHEUS_MULTIPROC_DIR": str(log_dir / "prometheus"),
    }


def in_process(home: Path, log_dir: Path, paths: list[str], seconds: float) -> dict[str, Any]:
    """CPU time per request of the app itself: ``paths`` in turn through Flask's test client."""
    (log_dir / "prometheus").mkdir(exist_ok=True)
    os.environ.update(server_env(home, log_dir))
    from search_api import create_app

    client = create_app().test_client()
    for path in paths:  # warm up: open the index and store, fill lazy caches
        client.get(path)
    done, cpu0, wall0 = 0, time.process_time(), time.perf_counter()
    while time.perf_counter() - wall0 < seconds or done % len(paths):
        resp = client.get(paths[done % len(paths)])
        if resp.status_code != 200:
            raise SystemExit(f"{paths[done % len(paths)]} answered {resp.status_code}")
        done += 1
    cpu = time.process_time() - cpu0
    return {"requests": done, "cpu_ms": cpu * 1000 / done}


# -- clients -------------------------------------------------------------------------------


def _client(port: int, paths: list[str], stop_at: float, seed: int, out: Any) -> None:
    """One keep-alive connection sending GETs until ``stop_at``; latencies (s) to ``out``."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    lat: list[float] = []
    errors = 0
    while time.monotonic() < stop_at:
        path = rng.choice(paths)
        t0 = time.perf_counter()
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        lat.append(time.perf_counter() - t0)
    conn.close()
    out.put((lat, errors))


def _client_process(
    port: int, paths: list[str], stop_at: float, threads: int, seed: int, out: Any
) -> None:
    import threading

    workers = [
        threading.Thread(target=_client, args=(port, paths, stop_at, seed * 100 + i, out))
        for i in range(threads)
    ]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


def load(port: int, paths: list[str], clients: int, seconds: float, procs: int) -> dict:
    """Run ``clients`` connections over ``procs`` processes for ``seconds``."""
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    per = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    stop_at = time.monotonic() + seconds
    started = time.monotonic()
    ps = [
        ctx.Process(target=_client_process, args=(port, paths, stop_at, n, i, out))
        for i, n in enumerate(per)
        if n
    ]
    for p in ps:
        p.start()
    lat: list[float] = []
    errors = 0
    for _ in range(clients):
        got, bad = out.get()
        lat += got
        errors += bad
    for p in ps:
        p.join()
    elapsed = time.monotonic() - started
    lat.sort()
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [0.0] * 99
    return {
        "requests": len(lat),
        "errors": errors,
        "rps": len(lat) / elapsed,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "max_ms": (lat[-1] if lat else 0) * 1000,
    }


def endpoints(facets: str | None = None) -> dict[str, list[str]]:
    """Paths per endpoint; ``facets`` (e.g. "topic,source,entity,language") goes on searches."""
    searches = [f"/api/v1/search?q={w}" for w in QUERY_WORDS]
    searches += [f"/api/v1/search?q={w}&topic={t}" for w in QUERY_WORDS[:4] for t in TOPICS[:3]]
    if facets is not None:
        searches = [f"{path}&facet={facets}" for path in searches]
    return {
        # the floor: the cheapest answer through the same gunicorn, Flask and metrics stack
        "healthz": ["/healthz"],
        "search": searches,
        # the same words through the NewsAPI-compatible endpoint (20 per page, like search)
        "newsapi": [f"/v2/everything?q={w}&sortBy=relevancy&pageSize=20" for w in QUERY_WORDS],
        "recent": ["/api/v1/recent", "/api/v1/recent?limit=50"],
        "feeds/recent.rss": ["/feeds/recent.rss"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="serve this home (default: a generated one)")
    parser.add_argument("--articles", type=int, default=5000, help="synthetic articles")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration per endpoint")
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections")
    parser.add_argument("--client-procs", type=int, default=4, help="processes for the clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--endpoint", action="append", choices=list(endpoints()), help="only these (repeatable)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--facets", help="facets every search asks for (default: the API's, topic and source)"
    )
    parser.add_argument(
        "--in-process", action="store_true", help="CPU per request of the app alone, no HTTP"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tidings-load-") as tmp:
        tmpdir = Path(tmp)
        home = args.home
        if home is None:
            home = tmpdir / "home"
            t0 = time.monotonic()
            build_home(home, args.articles)
            print(f"imported {args.articles} synthetic articles in {time.monotonic() - t0:.1f} s")
        if args.in_process:
            for name, paths in endpoints(args.facets).items():
                if not args.endpoint or name in args.endpoint:
                    r = in_process(home, tmpdir, paths, args.seconds)
                    print(f"{name:18} in process: {r['cpu_ms']:6.2f} ms CPU/request "
                          f"({r['requests']} requests)", flush=True)  # fmt: skip
            return 0
        port = free_port()
        server = start_gunicorn(home, port, args.workers, tmpdir)
        results: dict[str, Any] = {}
        try:
            for name, paths in endpoints(args.facets).items():
                if args.endpoint and name not in args.endpoint:
                    continue
                load(port, paths, args.clients, 1.0, args.client_procs)  # warm up
                cpu = workers_cpu_s(server.pid)
                results[name] = load(port, paths, args.clients, args.seconds, args.client_procs)
                r = results[name]
                used = cpu_between(cpu, workers_cpu_s(server.pid))
                r["server_cpu_ms"] = None if used is None else used * 1000 / max(r["requests"], 1)
                per_request = "n/a (a worker was recycled)" if used is None else (
                    f"{r['server_cpu_ms']:5.2f} ms/request"
                )
                print(
                    f"{name:18} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:6.1f} ms  "
                    f"p99 {r['p99_ms']:6.1f} ms  max {r['max_ms']:6.1f} ms  "
                    f"server CPU {per_request}  "
                    f"({r['requests']} requests, {r['errors']} errors)",
                    flush=True,
                )
            rss = worker_rss_mb(server.pid)
            results["worker_rss_mb"] = rss
            print("worker RSS: " + ", ".join(f"{m:.0f} MB" for m in rss))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    results["config"] = {
        "clients": args.clients,
        "seconds": args.seconds,
        "workers": args.workers,
        "articles": None if args.home else args.articles,
        "date": datetime.now(UTC).date().isoformat(),
        "cpus": os.cpu_count(),
    }
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
