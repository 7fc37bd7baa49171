"""Several writers on one PostgreSQL store: throughput, CPU and time spent waiting for the lock.

Every writer stores a batch in one transaction that holds the store's articles lock
(:data:`tidings.core.store.postgres_db.ARTICLES_LOCK`); with stories on, that transaction also
places the batch (:func:`tidings.core.stories.ingest.store_with_stories`, as the crawl does:
catch up on the other writers' journal rows, place, upsert, write members, records and a
journal row), so the lock is held longer and writers queue for it. This runs 1, 2 and 4
writer processes on a fresh database of a private cluster started with the project's own
script (:class:`tidings.dev.postgres.PostgresCluster`, as ``tests/pg`` do), each storing
``--articles`` synthetic articles in batches of 64 (the crawl's batch), with stories on and,
alternated in the same run, off (a plain ``upsert``: the baseline). A writer stores a batch
once its crawl would have produced it: ``--pace-ms`` per article after the start (default 40
ms, a crawler host's rate on real pages in docs/benchmarks.md, 25 articles/s; the hosts'
fetching and tagging run on their own cores, so here it is a sleep); a batch not stored by
then waits, and "behind at the end" says how far the slowest writer fell behind its crawl.
``--pace-ms 0`` stores back to back: writers then do nothing outside the lock, so with k
writers each waits (k-1)/k of its time whatever the lock is held for.

``--netns`` puts the server on another (simulated) host: the bench runs itself again in a
network namespace of its own against ``tidings dev postgres`` in another one
(:mod:`bench.netns_postgres`; root only), so each statement, all of them inside the lock,
crosses a veth pair; ``--delay-ms`` adds a netem delay to each round trip (1 ms: a LAN).
``--server-url`` runs against a server started elsewhere (its admin URL) instead of a private
cluster on loopback. Every run stores into a fresh database, which has no planner statistics until
autovacuum's first round (a minute by default) analyses it, and until then each batch costs more
the more is stored; ``--autovacuum-naptime 1`` makes the server analyse as the tables grow, as a
store in use would have them (docs/benchmarks.md: 76 against 509 articles/s for one writer).

Articles are drawn from one pool of events shared by all writers (each writer its own outlet
and URLs), with heavy-tailed event sizes, so the writers' articles join each other's stories.
Reported per run: articles per wall second (all writers together), the writers' CPU and their
PostgreSQL backends' CPU per article, the lock-wait share: seconds the lock call blocked
(``PostgresDatabase.lock_wait``), summed over writers, over their summed wall time, and per
batch the ms waiting for the lock and holding it (the store call's wall time less the wait),
the placing latency (the store call's wall, wait included: median and 95th percentile), and
a ``SELECT 1`` round trip from a writer. With stories on, every run then checks the contract
(docs/architecture.md: writers continue one stream, and ``tidings restory`` reproduces it): the
stored articles stored again by one writer into a fresh database, in the order they were first
stored (the order the writers' turns at the lock made), get the same stories ("= one writer":
yes, or how many articles are grouped otherwise).
The load average is printed with every row: the machine is shared, so wall-time figures move
with it; the lock-wait share and CPU per article move less.

    nice -n 15 .venv/bin/python bench/stories_writers.py [--writers 1 2 4 8] [--articles 512]
        [--pace-ms 40] [--netns [--delay-ms 1]] [--server-url postgresql://...]
        [--autovacuum-naptime 1]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402

from tidings.core.article import normalise  # noqa: E402
from tidings.dev.postgres import PostgresCluster  # noqa: E402

BATCH = 64  # the crawl's batch (crawler/pipelines.py: TIDINGS_BATCH_SIZE)
EVENTS = 400
VOCABULARY = 5_000


def articles(writer: int, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` records of writer ``writer``'s outlet about events of the shared pool: each event
    has its own key words and names, mixed into common words; event popularity is Zipf-like,
    so some events get many articles (from every writer) and most get few."""
    pool = random.Random(seed)  # the same events for every writer
    events = [
        ([f"key{e}x{pool.randrange(VOCABULARY)}" for _ in range(10)],
         [f"Name{e} Place{pool.randrange(VOCABULARY)}" for _ in range(2)])
        for e in range(EVENTS)
    ]  # fmt: skip
    rng = random.Random(seed * 1000 + writer)
    weights = [1 / (e + 1) for e in range(EVENTS)]
    outlet = f"outlet{writer}"
    out = []
    for i in range(n):
        e = rng.choices(range(EVENTS), weights=weights)[0]
        keys, names = events[e]
        common = [f"w{rng.randrange(VOCABULARY)}" for _ in range(90)]
        body = " ".join(rng.choice(keys) if rng.random() < 0.3 else w for w in common)
        out.append(normalise({
            "url": f"https://{outlet}.example/{seed}/{i}",
            "title": " ".join(rng.sample(keys, 4) + common[:3]),
            "body": f"{names[0]} said on Monday that {names[1]} would respond. {body}",
            "published_at": f"2024-03-{1 + i * 28 // n:02d}T12:00:00Z",
            "source": {"id": outlet, "name": outlet.title(), "domain": f"{outlet}.example"},
            "entities": [{"key": n.lower(), "label": "ORG", "text": n} for n in names],
        }))  # fmt: skip
    return out


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) of one PostgreSQL backend process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def writer(
    url: str, index: int, n: int, seed: int, stories: bool, pace: float, start: Any, out: Any
) -> None:
    """One writer process: store ``n`` articles in batches, each once its crawl would have
    produced it (``pace`` seconds an article after the start), then report what it measured."""
    from tidings.core.store.postgres import PostgresStore
    from tidings.core.stories.ingest import store_with_stories

    records = articles(index, n, seed)
    store = PostgresStore(url)
    db = store._db  # noqa: SLF001 - the bench reads the database's lock-wait counter
    with db.pool.connection() as conn:  # single thread: the pool hands back this connection
        backend = int(conn.execute("SELECT pg_backend_pid() AS pid").fetchone()["pid"])
        round_trip = statistics.median(_round_trip(conn) for _ in range(50))
    start.wait()
    wall, cpu, server = time.perf_counter(), time.process_time(), backend_cpu(backend)
    unplaced, calls, ready = 0, [], wall
    for i in range(0, n, BATCH):
        batch = records[i : i + BATCH]
        ready += pace * len(batch)  # the crawl has produced this batch by then
        time.sleep(max(0.0, ready - time.perf_counter()))
        called = time.perf_counter()
        if stories:
            result = store_with_stories(store, batch, track_index=True).result
            unplaced += sum(1 for a in result.articles if not a.get("story_id"))
        else:
            store.upsert(batch, track_index=True)
        calls.append(time.perf_counter() - called)
    out.put({
        "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
        "server": backend_cpu(backend) - server, "lock_wait": db.lock_wait, "calls": calls,
        "lag": time.perf_counter() - ready, "batches": -(-n // BATCH), "unplaced": unplaced,
        "round_trip": round_trip,
    })  # fmt: skip
    store.close()


def _round_trip(conn: Any) -> float:
    """Seconds for one ``SELECT 1``: what every statement inside the lock pays at least."""
    started = time.perf_counter()
    conn.execute("SELECT 1")
    return time.perf_counter() - started


def same_as_one_writer(cluster: PostgresCluster, url: str, name: str) -> str:
    """Whether one writer storing the stored articles again, into a fresh database ``name``, in
    the order they were first stored (the writers' turns at the lock; ``tidings restory``'s
    order), groups them as the writers did: "yes", or how many articles it groups otherwise."""
    from tidings.core.store.postgres import PostgresStore
    from tidings.core.stories.book import StoryBook

    stored: dict[str, str] = {}
    again: dict[str, str] = {}
    book = StoryBook()
    with PostgresStore(url) as store, PostgresStore(cluster.fresh_database(name)) as alone:
        for batch in store.iter_articles(BATCH):
            stored.update((a["id"], a["story_id"]) for a in batch)
            for record in batch:
                record.pop("story_id", None)
            result = book.store(alone, batch).result
            again.update((a["id"], a.get("story_id", "")) for a in result.articles)
    differ = sum(1 for aid, sid in stored.items() if again.get(aid) != sid)
    return "yes" if differ == 0 else f"no: {differ} articles"


def database_name(writers: int, stories: bool, seed: int) -> str:
    """The database of one run, in the bench's cluster (left there to look at until it stops)."""
    return f"writers_{writers}_{'on' if stories else 'off'}_{seed}"


def run(
    cluster: PostgresCluster, writers: int, n: int, seed: int, stories: bool, pace: float
) -> dict:
    """One measurement: ``writers`` processes on a fresh database, released together."""
    url = cluster.fresh_database(database_name(writers, stories, seed))
    from tidings.core.store.postgres import PostgresStore

    PostgresStore(url).close()  # migrate once, before the clock
    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(writers), ctx.Queue()
    procs = [
        ctx.Process(target=writer, args=(url, k, n, seed, stories, pace, start, out))
        for k in range(writers)
    ]
    for p in procs:
        p.start()
    got = [out.get(timeout=1800) for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"a writer failed (exit {p.exitcode})")
    total, batches = writers * n, sum(g["batches"] for g in got)
    with PostgresStore(url) as store:
        stored, story_count = store.count(), store.story_count()
    assert stored == total, f"{stored} stored of {total}"
    calls = sorted(c for g in got for c in g["calls"])
    return {
        "stories": "on" if stories else "off",
        "writers": writers,
        "articles": total,
        "stories made": story_count if stories else "-",
        "unplaced": sum(g["unplaced"] for g in got),
        "wall s": max(g["wall"] for g in got),
        "articles/s": total / max(g["wall"] for g in got),
        "writer CPU ms/article": 1000 * sum(g["cpu"] for g in got) / total,
        "server CPU ms/article": 1000 * sum(g["server"] for g in got) / total,
        "lock-wait share": sum(g["lock_wait"] for g in got) / sum(g["wall"] for g in got),
        "lock wait ms/batch": 1000 * sum(g["lock_wait"] for g in got) / batches,
        "lock held ms/batch": 1000 * (sum(calls) - sum(g["lock_wait"] for g in got)) / batches,
        "placing ms/batch p50": 1000 * statistics.median(calls),
        "placing ms/batch p95": 1000 * calls[int(0.95 * (len(calls) - 1))],
        "behind at the end s": max(g["lag"] for g in got),
        "round trip ms": 1000 * statistics.median(g["round_trip"] for g in got),
        "load (1 min)": os.getloadavg()[0],
        "= one writer": (
            same_as_one_writer(cluster, url, f"{database_name(writers, stories, seed)}_one")
            if stories
            else "-"
        ),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4, 8])
    ap.add_argument("--articles", type=int, default=512, help="per writer")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--pace-ms", type=float, default=40.0,
        help="ms a writer's crawl takes to produce an article (0: back to back, the worst case)",
    )  # fmt: skip
    ap.add_argument("--netns", action="store_true", help="the server on another (netns) host")
    ap.add_argument("--delay-ms", type=float, default=0.0, help="netem delay a round trip")
    ap.add_argument("--server-url", help="admin URL of a running server (else a private one)")
    ap.add_argument(
        "--autovacuum-naptime", type=float, default=0.0,
        help="seconds between autovacuum's rounds (0: the server's default, a minute)",
    )  # fmt: skip
    args = ap.parse_args()
    if args.netns:
        sys.exit(on_another_host(args))
    if args.server_url:
        rows = measure(server_handle(args.server_url), args)
    else:
        with PostgresCluster() as cluster:  # started on entry, stopped and deleted on exit
            rows = measure(cluster, args)
    report(rows)


def on_another_host(args: argparse.Namespace) -> int:
    """Run this bench again in a namespace of its own, against a server in another one."""
    from bench.netns_postgres import can_make_hosts, server_on_another_host

    if reason := can_make_hosts():
        raise SystemExit(f"--netns: {reason}")
    argv = [a for a in sys.argv[1:] if a != "--netns"]
    with server_on_another_host(sys.executable, args.delay_ms) as (network, url):
        hosts = f"server on host {network.ip['db']}, writers on host {network.ip['client']}"
        print(f"{hosts} (network namespaces), {args.delay_ms:g} ms added a round trip", flush=True)
        bench = network.spawn(
            "client", [sys.executable, str(Path(__file__).resolve()), *argv, "--server-url", url],
            cwd=REPO,
        )  # fmt: skip
        return bench.wait()


def server_handle(admin_url: str) -> PostgresCluster:
    """A handle on a server started elsewhere (never started or stopped here): the bench only
    asks it for fresh databases."""
    info = psycopg.conninfo.conninfo_to_dict(admin_url)
    return PostgresCluster(host=str(info["host"]), port=int(info["port"]))


def measure(cluster: PostgresCluster, args: argparse.Namespace) -> list[dict]:
    """Every writer count, the baseline (stories off) and stories on alternated."""
    if args.autovacuum_naptime:
        set_autovacuum_naptime(cluster, args.autovacuum_naptime)
    rows = []
    for writers in args.writers:
        for stories in (False, True):
            rows.append(
                run(cluster, writers, args.articles, args.seed, stories, args.pace_ms / 1000)
            )
            print(" | ".join(f"{k} {_format(k, v)}" for k, v in rows[-1].items()), flush=True)
    return rows


def set_autovacuum_naptime(cluster: PostgresCluster, seconds: float) -> None:
    """Let autovacuum analyze a growing table every ``seconds`` instead of every minute: a fresh
    database's planner has no statistics until then, and each batch's upsert then costs more
    the more is stored (a run of 4,096 articles ends within the default minute)."""
    with psycopg.connect(cluster.admin_url, autocommit=True) as conn:
        conn.execute(f"ALTER SYSTEM SET autovacuum_naptime = '{seconds}s'")
        conn.execute("SELECT pg_reload_conf()")


def report(rows: list[dict]) -> None:
    """The table, the on/off ratios per writer count and the median load."""
    print()
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows:
        print("| " + " | ".join(_format(k, v) for k, v in row.items()) + " |")
    off = {r["writers"]: r for r in rows if r["stories"] == "off"}
    for r in rows:
        if r["stories"] == "on":
            base = off[r["writers"]]
            ratios = (
                f"{_ratio(r, base, key)}x {what}"
                for key, what in (("articles/s", "articles/s"), ("writer CPU ms/article",
                                  "writer CPU"), ("server CPU ms/article", "server CPU"))
            )  # fmt: skip
            print(f"{r['writers']} writer(s): stories on/off = {', '.join(ratios)}")
    print(f"median load {statistics.median(r['load (1 min)'] for r in rows):.2f}")


def _ratio(row: dict, base: dict, key: str) -> str:
    """``row[key] / base[key]``, or "n/a" when the baseline read zero (CPU ticks of a tiny run)."""
    return f"{row[key] / base[key]:.2f}" if base[key] else "n/a"


def _format(key: str, value: object) -> str:
    if key == "lock-wait share" and isinstance(value, float):
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:.2f}" if value < 100 else f"{value:.0f}"
    return str(value)


if __name__ == "__main__":
    main()
