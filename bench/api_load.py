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

``--open-loop`` measures search latency at fixed arrival rates (DESIGN.md: p99 <= 50 ms at half
of the saturating load). Closed-loop clients cannot: when the server slows they send less, so
the slow moments are under-sampled (coordinated omission). First the closed-loop mode finds the
saturating rate S of a mix of distinct searches (``search_mix``); then, for each fraction of S,
requests are scheduled at that rate (Poisson arrivals, seeded; or uniform) and sent by many
threads, each with its own keep-alive connection, so a slow answer never holds back the next
send; each latency is counted from the request's *scheduled* time, so waiting in the client
counts as it would for a user. The mode turns the API's caches off: every search is computed::

    .venv/bin/python bench/api_load.py --articles 100000 --open-loop --seconds 30

``--idle 0,8,16`` times one ``GET /healthz`` and one search, each on a new connection, while
that many other connections are open and idle; ``--slow 0,8,16`` the same while they send their
request head a byte a second (slowloris). gunicorn's gthread worker lends each new connection a
pool thread until its first request has been read, so such clients can hold every thread.
"""

from __future__ import annotations

import argparse
import contextlib
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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
TOPICS = ["politics", "business", "technology", "sport", "science", "health", "world", "arts"]
SOURCES = [f"source{i}" for i in range(12)]
LANGS = ["en"] * 8 + ["de", "fr"]
ENTITIES = [("ORG", "Acme Corp"), ("PERSON", "Ada Lovelace"), ("GPE", "Berlin"),
            ("ORG", "Globex"), ("PERSON", "Grace Hopper"), ("GPE", "Lagos")]  # fmt: skip
#: Words searched for: frequent, middling and rare terms of the synthetic vocabulary.
QUERY_WORDS = ["w1", "w3", "w7", "w15", "w40", "w120", "w300", "w800"]
#: Words of story searches: headlines are article titles, drawn from the first 2,000 words.
STORY_WORDS = ["w1999", "w1500", "w900", "w300"]


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
    return wait_ready(proc, port, 60, f"gunicorn did not become ready; see {log_dir / 'error.log'}")


def wait_ready(proc: subprocess.Popen, port: int, seconds: float, failed: str) -> subprocess.Popen:
    """``proc`` once ``GET /readyz`` on ``port`` answers 200; killed, and ``failed`` said, if
    that takes over ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(failed)


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
    summary = latency_summary(lat)
    return {
        "requests": len(lat),
        "errors": errors,
        "rps": len(lat) / elapsed,
        **{key: summary[key] for key in ("p50_ms", "p99_ms", "max_ms")},
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
        # story searches: a headline word each, so a few stories match (7 to 57 of 15,618 at
        # 20,000 articles); the unfiltered list reads 2,000 stories from the store (~100 ms)
        "stories": [f"/api/v1/stories?q={w}" for w in STORY_WORDS],
    }


# -- open loop -----------------------------------------------------------------------------

#: A send that starts this much after its scheduled time counts as late (the client could not
#: keep up); its latency still counts from the scheduled time.
LATE_S = 0.010
#: Facets of the "common + topic + 4 facets" searches (as in bench/search.py).
FOUR_FACETS = "topic,source,entity,language"


def search_mix(
    fetch: Callable[[str], dict[str, Any]], per_case: int = 20, seed: int = 1
) -> dict[str, list[str]]:
    """Distinct ``GET /api/v1/search`` paths per kind of query, ``per_case`` of each.

    The kinds of bench/search.py on this script's vocabulary (w1 most frequent) and this script's
    own term ± topic searches. The deep cursor pages are found by paging through the API with
    ``fetch`` (path -> JSON answer: :func:`http_json` for a server, or an app's test client).
    """
    rng = random.Random(seed)
    rare = rng.sample(range(1000, 5001), per_case)
    pairs = rng.sample([(a, b) for a in range(1, 60) for b in range(1, 60) if a != b], per_case)
    mid = rng.sample(range(100, 401), per_case)
    common = [(w, t) for w in range(1, 11) for t in TOPICS[:4]][:per_case]
    mix = {
        "rare term": [f"/api/v1/search?q=w{w}" for w in rare],
        "common term": [f"/api/v1/search?q=w{1 + i % 10}" for i in range(per_case)],
        "phrase": [f"/api/v1/search?q=%22w{a}+w{b}%22" for a, b in pairs],
        "common + topic + 4 facets": [
            f"/api/v1/search?q=w{w}&topic={t}&facet={FOUR_FACETS}" for w, t in common
        ],
        "date-sorted": [f"/api/v1/search?q=w{w}&sort=date" for w in mid],
        "deep cursor page (1,000)": deep_pages(fetch, per_case),
        "term ± topic (this script's)": endpoints()["search"][:per_case],
    }
    return {name: (paths * per_case)[:per_case] for name, paths in mix.items()}


def http_json(port: int) -> Callable[[str], dict[str, Any]]:
    """``fetch(path)``: the JSON answer of the server on ``port`` (one keep-alive connection)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def fetch(path: str) -> dict[str, Any]:
        conn.request("GET", path)
        return json.loads(conn.getresponse().read())

    return fetch


def deep_pages(fetch: Callable[[str], dict[str, Any]], n: int) -> list[str]:
    """``n`` date-sorted pages 51 or 52 (1,000 hits deep) of common terms, by their cursors."""
    out = []
    for i in range(n):
        base = f"/api/v1/search?q=w{1 + i // 2}&sort=date&facet=topic"
        cursor = None
        for _ in range(50 + i % 2):
            cursor = fetch(base + (f"&cursor={quote(cursor)}" if cursor else ""))["next_cursor"]
            if cursor is None:  # fewer than 1,000 hits: the deepest page there is
                break
        out.append(base + (f"&cursor={quote(cursor)}" if cursor else ""))
    return out


def arrival_offsets(rate: float, seconds: float, seed: int, poisson: bool = True) -> list[float]:
    """Send times (s from the start) of a run at ``rate`` a second: Poisson or evenly spaced."""
    if not poisson:
        return [i / rate for i in range(int(rate * seconds))]
    rng, t, out = random.Random(seed), 0.0, []
    while (t := t + rng.expovariate(rate)) < seconds:
        out.append(t)
    return out


def request_bytes(path: str) -> bytes:
    """The whole GET, built once: the clients only send it."""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode("ascii")


def _send(
    sock: socket.socket | None, port: int, request: bytes
) -> tuple[socket.socket | None, int]:
    """Send ``request`` on the keep-alive ``sock`` (a new one if None or the server closed it);
    returns the socket to reuse (None if it closed) and the status (0 on a failure)."""
    for attempt in range(2):  # an idle keep-alive connection the server dropped: once more
        fresh = sock is None
        if fresh:
            sock = socket.create_connection(("127.0.0.1", port), timeout=30)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.sendall(request)
            resp = http.client.HTTPResponse(sock, method="GET")
            resp.begin()
            resp.read()
        except (OSError, http.client.HTTPException):
            sock.close()
            sock = None
            if fresh or attempt:
                return None, 0
            continue
        if resp.will_close:
            sock.close()
            sock = None
        return sock, resp.status
    return None, 0


def _open_thread(
    port: int, jobs: Any, clock: Any, requests: list[bytes], ready: Any, out: list
) -> None:
    """Connect, wait for the common start, then take the next scheduled job, wait for its time,
    send it; to ``out``: (kind, latency, lag, status, scheduled offset), latency None when
    dropped, status 0 when it failed."""
    # One request before the clock starts: gunicorn's gthread worker holds one of its threads
    # for up to 5 s on a new connection until its first request arrives, so connections opened
    # idle ahead of their first search would stall the server (a latency of seconds at 0.25 S
    # with 256 of them); a connection in keep-alive waits in its poller instead.
    sock, _ = _send(None, port, request_bytes("/healthz"))
    ready.wait()
    clock.go.wait()
    start, give_up = clock.start.value, clock.give_up.value
    for when, kind, which in jobs:  # one iterator shared by the threads: each job once, in order
        due = start + when
        if (wait := due - time.monotonic()) > 0:
            time.sleep(wait)
        sent = time.monotonic()
        if sent > give_up:
            out.append((kind, None, sent - due, 0, when))  # dropped: never sent
            continue
        sock, status = _send(sock, port, requests[which])
        out.append((kind, time.monotonic() - due, sent - due, status, when))
    if sock is not None:
        sock.close()


def _open_process(
    port: int, jobs: list, clock: Any, requests: list[bytes], threads: int, out: Any
) -> None:
    """``threads`` senders sharing ``jobs``; says when all are connected, then reports back
    their results and its CPU seconds from the start."""
    import threading

    shared, done = iter(jobs), []
    ready = threading.Barrier(threads + 1)
    pool = [
        threading.Thread(target=_open_thread, args=(port, shared, clock, requests, ready, done))
        for _ in range(threads)
    ]
    for t in pool:
        t.start()
    ready.wait()
    out.put(None)  # connected
    clock.go.wait()
    cpu0 = time.process_time()
    for t in pool:
        t.join()
    out.put((done, time.process_time() - cpu0))


def open_loop(
    port: int, mix: dict[str, list[str]], rate: float, seconds: float, *, procs: int = 2,
    threads: int = 64, seed: int = 1, poisson: bool = True, drain: float = 30.0,
) -> dict[str, Any]:  # fmt: skip
    """Send the searches of ``mix`` at ``rate`` a second for ``seconds``, open loop.

    Each request's kind is chosen at random (kinds equally often), then one of its paths. Jobs
    are dealt round-robin to ``procs`` processes of ``threads`` threads, which all connect
    before the clock starts. Latency runs from the scheduled time to the end of the answer; a
    job not sent within ``drain`` s after the last scheduled time is dropped (counted, not
    timed).
    """
    rng = random.Random(seed)
    kinds = list(mix)
    paths = [path for kind in kinds for path in mix[kind]]
    requests = [request_bytes(path) for path in paths]
    first = {kind: sum(len(mix[k]) for k in kinds[:i]) for i, kind in enumerate(kinds)}
    jobs = []
    for when in arrival_offsets(rate, seconds, seed, poisson):
        kind = rng.randrange(len(kinds))
        jobs.append((when, kind, first[kinds[kind]] + rng.randrange(len(mix[kinds[kind]]))))
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    clock = argparse.Namespace(go=ctx.Event(), start=ctx.Value("d"), give_up=ctx.Value("d"))
    ps = [
        ctx.Process(target=_open_process, args=(port, jobs[i::procs], clock, requests, threads,
                                                queue))
        for i in range(procs)
    ]  # fmt: skip
    for p in ps:
        p.start()
    for _ in ps:
        queue.get()  # every thread connected
    clock.start.value = time.monotonic() + 0.05
    clock.give_up.value = clock.start.value + seconds + drain
    clock.go.set()
    results, client_cpu = [], 0.0
    for _ in ps:
        done, cpu = queue.get()
        results += done
        client_cpu += cpu
    for p in ps:
        p.join()
    return summarise(results, kinds, len(jobs), client_cpu)


def latency_summary(latencies: list[float]) -> dict[str, float]:
    """p50, p90, p99, p99.9 and max of ``latencies`` (s), in ms."""
    if not latencies:
        return {key: float("nan") for key in ("p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms")}
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=1000, method="inclusive") if len(lat) > 1 else lat * 999
    return {"p50_ms": q[499] * 1000, "p90_ms": q[899] * 1000, "p99_ms": q[989] * 1000,
            "p999_ms": q[998] * 1000, "max_ms": lat[-1] * 1000}  # fmt: skip


def summarise(
    results: list[tuple], kinds: list[str], scheduled: int, client_cpu: float
) -> dict[str, Any]:
    """Rates, latency percentiles, errors, late and dropped sends, overall and per kind."""
    answered = [r for r in results if r[1] is not None and r[3] == 200]
    span = max((r[4] + r[1] for r in answered), default=0.0)  # the start to the last answer
    late = [r for r in results if r[1] is not None and r[2] > LATE_S]
    return {
        "scheduled": scheduled,
        "answered": len(answered),
        "achieved_rps": len(answered) / span if span else 0.0,
        "errors": sum(1 for r in results if r[1] is not None and r[3] != 200),
        "late": len(late),
        # the server's part: timed from the actual send (what a closed-loop client would see)
        "p99_sent_ms": latency_summary([r[1] - r[2] for r in answered])["p99_ms"],
        "max_lag_ms": max((r[2] for r in results), default=0.0) * 1000,
        "dropped": sum(1 for r in results if r[1] is None),
        "client_cpu_s": client_cpu,
        **latency_summary([r[1] for r in answered]),
        "kinds": {
            kind: latency_summary([r[1] for r in answered if r[0] == i])
            for i, kind in enumerate(kinds)
        },
    }


def fixed_rates(port: int, server: subprocess.Popen, args: argparse.Namespace) -> dict[str, Any]:
    """The saturating rate S (closed loop), then an open-loop run at each fraction of S."""
    mix = search_mix(http_json(port), seed=args.seed)
    paths = [path for kind_paths in mix.values() for path in kind_paths]
    load(port, paths, args.clients, 1.0, args.client_procs)  # warm up
    s = args.saturating_rate
    if s is None:
        sat = load(port, paths, args.clients, args.seconds, args.client_procs)
        s = sat["rps"]
        print(f"saturating rate S: {s:.1f} searches/s ({args.clients} closed-loop clients, "
              f"p50 {sat['p50_ms']:.1f} ms, p99 {sat['p99_ms']:.1f} ms, {sat['errors']} errors; "
              f"load {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
    print(
        f"\nopen loop, {args.arrivals} arrivals, {args.seconds:.0f} s a rate, "
        f"{args.client_procs} processes x {args.threads} threads; late: sent over "
        f"{LATE_S * 1000:.0f} ms after its scheduled time; p99 sent: timed from the actual "
        "send instead"
    )
    print(f"{'x S':>5} {'target/s':>8} {'achieved':>8} {'p50':>7} {'p90':>7} {'p99':>7} "
          f"{'p99.9':>7} {'max':>7} {'errors':>6} {'late':>5} {'max lag':>7} {'dropped':>7} "
          f"{'p99 sent':>8} "
          f"{'client CPU':>10} {'server CPU':>10} {'load':>5}   (ms; CPU in cores)")  # fmt: skip
    runs = []
    for frac in args.rates:
        cpu = workers_cpu_s(server.pid)
        r = open_loop(
            port, mix, frac * s, args.seconds, procs=args.client_procs, threads=args.threads,
            seed=args.seed, poisson=args.arrivals == "poisson",
        )  # fmt: skip
        used = cpu_between(cpu, workers_cpu_s(server.pid))
        r.update(fraction=frac, target_rps=frac * s, load=os.getloadavg()[0],
                 server_cpu_s=used)  # fmt: skip
        runs.append(r)
        server_cores = "n/a" if used is None else f"{used / args.seconds:.2f}"
        print(f"{frac:5.2f} {frac * s:8.1f} {r['achieved_rps']:8.1f} {r['p50_ms']:7.1f} "
              f"{r['p90_ms']:7.1f} {r['p99_ms']:7.1f} {r['p999_ms']:7.1f} {r['max_ms']:7.1f} "
              f"{r['errors']:6d} {r['late']:5d} {r['max_lag_ms']:7.1f} {r['dropped']:7d} "
              f"{r['p99_sent_ms']:8.1f} "
              f"{r['client_cpu_s'] / args.seconds:10.2f} {server_cores:>10} {r['load']:5.1f}",
              flush=True)  # fmt: skip
    print("\np99 per kind of search, ms:")
    print(f"{'kind':30}" + "".join(f"{f'{f:.2f} S':>9}" for f in args.rates))
    for kind in mix:
        print(f"{kind:30}" + "".join(f"{r['kinds'][kind]['p99_ms']:9.1f}" for r in runs))
    return {"saturating_rps": s, "runs": runs}


#: The probes' search on a new connection (a term of middling frequency).
PROBE_SEARCH = "/api/v1/search?q=w40"
#: A probe still unanswered after this long counts as stalled (reported as the bound).
PROBE_TIMEOUT_S = 15.0
#: The start of a request a slow client never finishes: one more header byte a second.
SLOW_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def hold_connections(port: int, n: int, slow: bool) -> tuple[list[socket.socket], Any]:
    """``n`` open connections that never complete a request: idle (nothing sent) or slow (a
    request head trickled a byte a second, as slowloris does); the trickler stops when the
    returned event is set."""
    import threading

    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    stop = threading.Event()

    def trickle() -> None:
        for sock in socks:
            sock.sendall(SLOW_HEAD)
        while not stop.wait(1.0):
            for sock in socks:
                with contextlib.suppress(OSError):  # closed by the server: it gave up
                    sock.sendall(b"a")

    if slow and socks:
        threading.Thread(target=trickle, daemon=True).start()
    return socks, stop


def probe_ms(port: int, path: str, landed: Any = None) -> float:
    """ms for one GET on a new connection, ``PROBE_TIMEOUT_S`` if it was not answered by then;
    ``landed(local port)``, if given, is called 20 ms after the connect (counted in the time), so
    that it can see which worker accepted the connection."""
    t0 = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT_S) as sock:
            if landed is not None:
                time.sleep(0.02)
                landed(sock.getsockname()[1])
            sock.sendall(request_bytes(path))
            resp = http.client.HTTPResponse(sock, method="GET")
            resp.begin()
            resp.read()
    except (OSError, http.client.HTTPException):
        return PROBE_TIMEOUT_S * 1000
    return (time.monotonic() - t0) * 1000


def clients_per_worker(master: int, port: int) -> dict[str, set[int]]:
    """The client ports of the established connections to ``port``, by gunicorn worker pid."""
    listening = f":{port:04X}"
    client_port = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1].endswith(listening) and fields[3] == "01":  # local port, ESTABLISHED
                client_port[f"socket:[{fields[9]}]"] = int(fields[2].rsplit(":", 1)[1], 16)
    held = {}
    for worker in _workers(master):
        fds = Path(f"/proc/{worker['Pid']}/fd")
        links = (_readlink(fd) for fd in fds.iterdir())
        held[worker["Pid"]] = {client_port[link] for link in links if link in client_port}
    return held


def connections_per_worker(master: int, port: int) -> list[int]:
    """Established connections to ``port`` each worker holds (sorted): how accepts were shared."""
    return sorted(len(ports) for ports in clients_per_worker(master, port).values())


def _note_beside(out: list[int | None], master: int, port: int, client: int) -> None:
    out.append(held_beside(master, port, client))


def held_beside(master: int, port: int, client: int) -> int | None:
    """How many other connections to ``port`` the worker that holds ``client``'s holds."""
    for ports in clients_per_worker(master, port).values():
        if client in ports:
            return len(ports) - 1
    return None


def _readlink(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return ""


def stall(
    port: int, master: int, counts: list[int], slow: bool, trials: int = 3, server_port: int = 0
) -> dict[int, list[dict[str, Any]]]:
    """Per count n: ms for a ``GET /healthz`` and for a search, each on a new connection to
    ``port``, while n other connections are open, idle or slow; and the connections to
    ``server_port`` (default ``port``; gunicorn's behind a proxy) each gunicorn worker held."""
    kind = "slow-header" if slow else "idle"
    out: dict[int, list[dict[str, Any]]] = {}
    for n in counts:
        for _ in range(trials):
            socks, stop = hold_connections(port, n, slow)
            time.sleep(0.3)  # accepted and handed to the pool
            spread = connections_per_worker(master, server_port or port)
            trial: dict[str, Any] = {"spread": spread}
            direct = not server_port or server_port == port
            for name, path in (("healthz", "/healthz"), ("search", PROBE_SEARCH)):
                beside: list[int | None] = []
                landed = partial(_note_beside, beside, master, port) if direct else None
                trial[f"{name}_ms"] = probe_ms(port, path, landed)
                trial[f"{name}_beside"] = beside[0] if beside else None
            trial["load"] = os.getloadavg()[0]
            out.setdefault(n, []).append(trial)
            stop.set()
            for sock in socks:
                sock.close()
            time.sleep(2)  # closed: their threads see the end of stream and let go
        print(f"{n:4d} {kind} connections: healthz "
              + ", ".join(f"{t['healthz_ms']:.0f}" for t in out[n]) + " ms; search "
              + ", ".join(f"{t['search_ms']:.0f}" for t in out[n]) + " ms; held per worker "
              + ", ".join("/".join(map(str, t["spread"])) for t in out[n])
              + "; the probes' worker held " + ", ".join(
                  f"{t.get('healthz_beside')}+{t.get('search_beside')}" for t in out[n])
              + f" (load {out[n][-1]['load']:.1f})", flush=True)  # fmt: skip
    return out


def fractions(text: str) -> list[float]:
    """``0.25,0.5`` -> [0.25, 0.5] (argparse reports a bad one in one line)."""
    values = [float(part) for part in text.split(",")]
    if not values or min(values) <= 0:
        raise ValueError(text)
    return values


def counts(text: str) -> list[int]:
    """``0,8`` -> [0, 8] (argparse reports a bad one in one line)."""
    values = [int(part) for part in text.split(",")]
    if min(values) < 0:
        raise ValueError(text)
    return values


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
    parser.add_argument(
        "--open-loop", action="store_true",
        help="search latency at fixed arrival rates (fractions of the saturating rate)",
    )  # fmt: skip
    parser.add_argument(
        "--rates", type=fractions, default=[0.25, 0.5, 0.75],
        help="open loop: fractions of the saturating rate, comma-separated (default 0.25,0.5,0.75)",
    )  # fmt: skip
    parser.add_argument(
        "--saturating-rate", type=float, help="open loop: S in searches/s (skips measuring it)"
    )
    parser.add_argument("--threads", type=int, default=64, help="open loop: threads per process")
    parser.add_argument("--arrivals", choices=["poisson", "uniform"], default="poisson")
    parser.add_argument("--seed", type=int, default=1, help="open loop: arrivals and query mix")
    parser.add_argument(
        "--idle", type=counts,
        help="instead: GET /healthz and a search while N connections are open and idle (0,8,16)",
    )  # fmt: skip
    parser.add_argument(
        "--slow", type=counts,
        help="instead: the same while N connections send their request head a byte a second",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.open_loop:  # distinct searches: every one computed, none served from a cache
        os.environ.update(TIDINGS_SEARCH_CACHE_SECONDS="0", TIDINGS_RESPONSE_CACHE_SECONDS="0")

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
            if args.open_loop:
                results["open_loop"] = fixed_rates(port, server, args)
            if args.idle:
                results["idle"] = stall(port, server.pid, args.idle, slow=False)
            if args.slow:
                results["slow"] = stall(port, server.pid, args.slow, slow=True)
            others = args.open_loop or args.idle or args.slow
            for name, paths in ({} if others else endpoints(args.facets)).items():
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
        "open_loop": args.open_loop
        and {"threads": args.threads, "arrivals": args.arrivals, "seed": args.seed},
        "date": datetime.now(UTC).date().isoformat(),
        "cpus": os.cpu_count(),
    }
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
