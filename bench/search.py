"""Search benchmark: the embedded index against SQLite FTS5 on one synthetic corpus.

Generates a seeded news-like corpus (Zipfian vocabulary, topics, sources, entities, languages,
dates over two years, some syndicated copies), loads it through ``tidings import`` (a
subprocess, as an operator would), builds an FTS5 baseline from the same records, then times
the same queries in the index, in FTS5 and through ``GET /api/v1/search`` (``tidings serve``
in a subprocess, several concurrent clients). Prints a table with ratios; not a test.

    .venv/bin/python bench/search.py --articles 100000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tidings.core.index import EmbeddedIndex, IndexBackend, SearchRequest  # noqa: E402
from tidings.core.index import elastic_queries as eq  # noqa: E402
from tidings.core.index.cursor import decode_cursor  # noqa: E402
from tidings.core.index.elastic import ElasticIndex  # noqa: E402
from tidings.core.index.query_language import parse  # noqa: E402
from tidings.dev.elasticsearch import ElasticsearchNode  # noqa: E402

TOPICS = ["politics", "business", "tech", "science", "health", "sport", "culture", "world",
          "climate", "energy", "security", "education"]  # fmt: skip
LANGS = ["en"] * 17 + ["de", "fr", "es"]
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_S = 2 * 365 * 86_400
FACETS = ("topic", "source", "entity", "language")
VOCAB = 40_000
_SYL = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"] + ["an", "or", "el", "is", "um"]


def words(n: int) -> list[str]:
    """``n`` distinct pronounceable words (2–4 syllables), rank order = frequency order."""
    out, base = [], len(_SYL)
    for i in range(n):
        k, parts = i + base, []
        while k:
            k, r = divmod(k, base)
            parts.append(_SYL[r])
        out.append("".join(parts) + ("" if len(parts) > 2 else "x"))
    return out


@dataclass
class Corpus:
    path: Path
    vocab: list[str]
    phrases: list[str]


def generate(path: Path, n: int, seed: int) -> Corpus:
    """Write ``n`` article records as JSON Lines; returns the vocabulary and some phrases."""
    rng = np.random.default_rng(seed)
    vocab = words(VOCAB)
    zipf = 1.0 / np.arange(1, VOCAB + 1) ** 1.07
    zipf /= zipf.sum()
    sources = [f"src{i:03d}" for i in range(80)]
    src_p = 1.0 / np.arange(1, 81)
    src_p /= src_p.sum()
    entities = [f"{vocab[500 + i].title()} {vocab[900 + i].title()}" for i in range(3000)]
    ent_p = 1.0 / np.arange(1, 3001) ** 0.9
    ent_p /= ent_p.sum()
    phrases: list[str] = []
    chunk = 5_000
    with path.open("w", encoding="utf-8") as out:
        for start in range(0, n, chunk):
            size = min(chunk, n - start)
            lengths = rng.integers(60, 240, size)
            flat = rng.choice(VOCAB, int(lengths.sum()), p=zipf)
            title_ids = rng.choice(VOCAB - 20, (size, 9), p=zipf[20:] / zipf[20:].sum()) + 20
            offs = np.concatenate([[0], np.cumsum(lengths)])
            when = rng.integers(0, SPAN_S, size)
            src = rng.choice(80, size, p=src_p)
            ents = rng.choice(3000, (size, 3), p=ent_p)
            n_ents = rng.integers(0, 4, size)
            tops = rng.integers(0, len(TOPICS), (size, 2))
            two = rng.random(size) < 0.3
            lang = rng.integers(0, len(LANGS), size)
            for j in range(size):
                i = start + j
                body_ids = flat[offs[j] : offs[j + 1]]
                body = " ".join(vocab[k] for k in body_ids)
                if len(phrases) < 200 and j % 50 == 0:
                    mid = [k for k in range(len(body_ids) - 1) if 50 < body_ids[k] < 3000]
                    if mid:
                        k = mid[0]
                        phrases.append(f"{vocab[body_ids[k]]} {vocab[body_ids[k + 1]]}")
                topics = [TOPICS[tops[j, 0]]] + ([TOPICS[tops[j, 1]]] if two[j] else [])
                record = {
                    "id": f"a{i:08d}",
                    "url": f"https://{sources[src[j]]}.example/{i}",
                    "source": {"id": sources[src[j]], "name": sources[src[j]].upper()},
                    "title": " ".join(vocab[k] for k in title_ids[j]).capitalize(),
                    "body": body,
                    "published_at": (START + timedelta(seconds=int(when[j]))).isoformat(),
                    "language": LANGS[lang[j]],
                    "topics": [{"id": t, "score": 0.9, "origin": "model"} for t in set(topics)],
                    "entities": [
                        {"text": entities[e], "label": "ORG", "key": entities[e].lower()}
                        for e in ents[j, : n_ents[j]]
                    ],
                    "cluster_id": f"a{i - i % 3:08d}" if i % 20 == 0 else None,
                }
                out.write(json.dumps(record) + "\n")
    return Corpus(path, vocab, phrases)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- FTS5 baseline ----------------------------------------------------------------------------


def build_fts(corpus: Path, db: Path) -> float:
    """FTS5 (porter, title weighted 2 in bm25) plus metadata tables; returns seconds."""
    started = time.perf_counter()
    con = sqlite3.connect(db)
    con.executescript(
        """
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='porter unicode61');
        CREATE TABLE meta(rowid INTEGER PRIMARY KEY, id TEXT, source TEXT, language TEXT,
                          published INTEGER);
        CREATE TABLE topics(rowid INTEGER, topic TEXT);
        CREATE TABLE entities(rowid INTEGER, entity TEXT);
        """
    )
    with corpus.open(encoding="utf-8") as lines:
        batch: list[dict] = []
        for n, line in enumerate(lines, start=1):
            batch.append(json.loads(line) | {"_rowid": n})
            if len(batch) == 5_000:
                _fts_insert(con, batch)
                batch = []
        _fts_insert(con, batch)
    con.executescript(
        """
        CREATE INDEX meta_pub ON meta(published, id);
        CREATE INDEX topics_rowid ON topics(rowid); CREATE INDEX topics_topic ON topics(topic);
        CREATE INDEX entities_rowid ON entities(rowid);
        INSERT INTO fts(fts) VALUES('optimize');
        """
    )
    con.commit()
    con.close()
    return time.perf_counter() - started


def _fts_insert(con: sqlite3.Connection, batch: list[dict]) -> None:
    con.executemany(
        "INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)",
        [(r["_rowid"], r["title"], r["body"]) for r in batch],
    )
    con.executemany(
        "INSERT INTO meta VALUES (?, ?, ?, ?, ?)",
        [
            (r["_rowid"], r["id"], r["source"]["id"], r["language"],
             int(datetime.fromisoformat(r["published_at"]).timestamp()))
            for r in batch
        ],
    )  # fmt: skip
    con.executemany(
        "INSERT INTO topics VALUES (?, ?)",
        [(r["_rowid"], t["id"]) for r in batch for t in r["topics"]],
    )
    con.executemany(
        "INSERT INTO entities VALUES (?, ?)",
        [(r["_rowid"], e["key"]) for r in batch for e in r["entities"]],
    )


class Fts:
    """The benchmark's queries in SQL: bm25 order, GROUP BY facets, keyset date paging."""

    def __init__(self, db: Path) -> None:
        self.con = sqlite3.connect(db, check_same_thread=False)

    def ranked(self, match: str, topic: str | None = None) -> list:
        join = "JOIN topics t ON t.rowid = fts.rowid AND t.topic = ?" if topic else ""
        args = ([topic] if topic else []) + [match]
        sql = (
            f"SELECT fts.rowid FROM fts {join} WHERE fts MATCH ? "
            "ORDER BY bm25(fts, 2.0, 1.0) LIMIT 20"
        )
        return self.con.execute(sql, args).fetchall()

    def faceted(self, match: str, topic: str) -> None:
        self.ranked(match, topic)
        hits = "SELECT fts.rowid AS r FROM fts JOIN topics t ON t.rowid = fts.rowid " \
               "AND t.topic = ? WHERE fts MATCH ?"  # fmt: skip
        for table, column in (("topics", "topic"), ("entities", "entity")):
            self.con.execute(
                f"SELECT x.{column}, count(*) c FROM ({hits}) h JOIN {table} x ON x.rowid = h.r "
                "GROUP BY 1 ORDER BY c DESC LIMIT 20",
                (topic, match),
            ).fetchall()
        for column in ("source", "language"):
            self.con.execute(
                f"SELECT m.{column}, count(*) c FROM ({hits}) h JOIN meta m ON m.rowid = h.r "
                "GROUP BY 1 ORDER BY c DESC LIMIT 20",
                (topic, match),
            ).fetchall()

    def by_date(self, match: str, after: tuple[int, str] | None = None) -> list:
        where = "AND (m.published, m.id) < (?, ?)" if after else ""
        return self.con.execute(
            "SELECT m.published, m.id FROM fts JOIN meta m ON m.rowid = fts.rowid "
            f"WHERE fts MATCH ? {where} ORDER BY m.published DESC, m.id DESC LIMIT 20",
            (match, *after) if after else (match,),
        ).fetchall()


# -- timing -----------------------------------------------------------------------------------


def pct(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return q[49] * 1e3, q[94] * 1e3, q[98] * 1e3


def timed(calls: list[Callable[[], object]], rounds: int) -> list[float]:
    for call in calls[:10]:
        call()  # warm caches
    out = []
    for i in range(rounds):
        started = time.perf_counter()
        calls[i % len(calls)]()
        out.append(time.perf_counter() - started)
    return out


def http_load(
    base: str, params: list[dict], total: int, clients: int
) -> tuple[list[float], float]:
    """GET /api/v1/search from ``clients`` threads: per-request seconds and the wall time."""
    urls = [f"{base}/api/v1/search?{urllib.parse.urlencode(p, doseq=True)}" for p in params]

    def get(url: str) -> None:
        with urllib.request.urlopen(url, timeout=30) as resp:
            resp.read()
            assert resp.status == 200

    return load([lambda u=u: get(u) for u in urls], total, clients)


def load(
    calls: list[Callable[[], object]], total: int, clients: int
) -> tuple[list[float], float]:
    """``total`` calls spread over ``clients`` threads: per-call seconds and the wall time."""
    for call in calls[:5]:
        call()  # warm caches
    out: list[float] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        mine = []
        for i in range(k, total, clients):
            started = time.perf_counter()
            calls[i % len(calls)]()
            mine.append(time.perf_counter() - started)
        with lock:
            out.extend(mine)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return out, time.perf_counter() - started


@dataclass
class Case:
    name: str
    index: list[Callable[[], object]]
    fts: list[Callable[[], object]]
    http: list[dict]


def cases(
    index: IndexBackend, fts: Fts | None, corpus: Corpus, rng: np.random.Generator
) -> list[Case]:
    """The six queries, as in-process calls, FTS5 calls (none without ``fts``) and API params."""
    v = corpus.vocab
    rare = [v[int(k)] for k in rng.integers(8_000, 20_000, 50)]
    common = [v[int(k)] for k in rng.integers(0, 10, 10)]
    mid = [v[int(k)] for k in rng.integers(100, 400, 30)]
    topics = TOPICS
    req = SearchRequest

    def ix(**kw: object) -> Callable[[], object]:
        # No highlights in-process: FTS5 makes no snippets either (the HTTP rows include them).
        return lambda: index.search(req(highlight=False, **kw))  # type: ignore[arg-type]

    deep = []
    for word in common[:5]:
        cursor = None
        for _ in range(50):  # page 51 of 20: 1,000 hits deep
            cursor = index.search(req(q=word, sort="date", cursor=cursor, facets=())).next_cursor
        deep.append((word, cursor))
    deep_fts = []
    for word in common[:5] if fts else ():
        after = None
        for _ in range(50):
            after = tuple(fts.by_date(word, after)[-1])
        deep_fts.append((word, after))
    return [
        Case("rare term", [ix(q=w, facets=()) for w in rare],
             [lambda w=w: fts.ranked(w) for w in rare], [{"q": w} for w in rare]),
        Case("common term", [ix(q=w, facets=()) for w in common],
             [lambda w=w: fts.ranked(w) for w in common], [{"q": w} for w in common]),
        Case("phrase", [ix(q=f'"{p}"', facets=()) for p in corpus.phrases[:50]],
             [lambda p=p: fts.ranked(f'"{p}"') for p in corpus.phrases[:50]],
             [{"q": f'"{p}"'} for p in corpus.phrases[:50]]),
        Case("common + topic + 4 facets",
             [ix(q=w, topics=(t,), facets=FACETS) for w in common for t in topics[:4]],
             [lambda w=w, t=t: fts.faceted(w, t) for w in common for t in topics[:4]],
             [{"q": w, "topic": t} for w in common for t in topics[:4]]),
        Case("date-sorted", [ix(q=w, sort="date", facets=()) for w in mid],
             [lambda w=w: fts.by_date(w) for w in mid], [{"q": w, "sort": "date"} for w in mid]),
        Case("deep cursor page (1,000)",
             [ix(q=w, sort="date", cursor=c, facets=()) for w, c in deep],
             [lambda w=w, a=a: fts.by_date(w, a) for w, a in deep_fts],
             [{"q": w, "sort": "date", "cursor": c} for w, c in deep]),
    ]  # fmt: skip


def run_cases(
    index: IndexBackend, fts: Fts | None, corpus: Corpus, args: argparse.Namespace
) -> list[Case]:
    """The six cases for this run's seed, with ``--facets`` on every HTTP request (the same
    queries for every backend)."""
    all_cases = cases(index, fts, corpus, np.random.default_rng(args.seed + 1))
    if args.facets:
        for case in all_cases:
            for params in case.http:
                params["facet"] = args.facets.split(",")
    return all_cases


# -- main -------------------------------------------------------------------------------------


def serve(
    home: Path, port: int, server: str, extra_env: dict[str, str] | None = None
) -> subprocess.Popen:
    """The API in a subprocess: gunicorn as in production, or werkzeug (``tidings serve``)."""
    env = {**os.environ, "TIDINGS_HOME": str(home), "TIDINGS_RATELIMIT_ENABLED": "0",
           "TIDINGS_BIND": f"127.0.0.1:{port}", "TIDINGS_WORKERS": "2", "TIDINGS_THREADS": "8",
           "TIDINGS_ACCESS_LOG": "/dev/null", **(extra_env or {})}  # fmt: skip
    if server == "gunicorn":
        argv = [str(ROOT / ".venv/bin/python"), "-m", "gunicorn", "-c",
                "python:search_api.gunicorn_conf", "search_api:create_app()"]  # fmt: skip
    else:
        argv = [str(ROOT / ".venv/bin/tidings"), "serve", "--port", str(port)]
    proc = subprocess.Popen(
        argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("tidings serve did not start")


def row(name: str, ours: list[float], base: list[float] | None) -> str:
    p50, p95, p99 = pct(ours)
    if base is None:
        return f"| {name} | {p50:.2f} | {p95:.2f} | {p99:.2f} |"
    b50, b95, b99 = pct(base)
    return (
        f"| {name} | {p50:.2f} | {p95:.2f} | {p99:.2f} | {b50:.2f} | {b99:.2f} "
        f"| {b50 / p50:.1f}× | {b99 / p99:.1f}× |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=300, help="timed queries per case")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--server", choices=["gunicorn", "serve"], default="gunicorn",
        help="API server: gunicorn (2 workers x 8 threads, as deployed) or `tidings serve`",
    )  # fmt: skip
    parser.add_argument("--work", type=Path, default=None, help="default var/bench-search-N")
    parser.add_argument(
        "--keep", action="store_true",
        help="reuse a corpus and index in --work (with --es-url: also its Elasticsearch import)",
    )  # fmt: skip
    parser.add_argument("--no-fts", action="store_true", help="time the index only, not FTS5")
    parser.add_argument("--no-http", action="store_true", help="skip GET /api/v1/search timing")
    parser.add_argument(
        "--facets", help="facets every HTTP search asks for (default: the API's, topic and source)"
    )
    parser.add_argument(
        "--backend", choices=["embedded", "elasticsearch", "both"], default="embedded",
        help="index to measure: tantivy (embedded), Elasticsearch, or both side by side",
    )  # fmt: skip
    parser.add_argument("--es-url", help="an existing cluster (default: start a local node)")
    parser.add_argument("--es-heap", default="2g", help="heap of the local node (default 2g)")
    parser.add_argument(
        "--parallel-imports", action="store_true",
        help="with --backend both: import into both backends at once (two `tidings import` "
             "processes in the same minutes, so the build rates compare fairly)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.parallel_imports and args.backend != "both":
        parser.error("--parallel-imports needs --backend both")
    if args.backend == "elasticsearch":
        corpus, work = prepare(args)
        return elasticsearch(args, corpus, work, None)
    work = args.work or ROOT / "var" / f"bench-search-{args.articles}"
    home, corpus_path, db = work / "home", work / "corpus.jsonl", work / "fts.db"
    if not args.keep and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"# bench/search.py --articles {args.articles} ({datetime.now(UTC):%Y-%m-%d})")
    corpus = make_corpus(corpus_path, args)
    if args.parallel_imports:
        node, url = start_node(args)
        try:
            shutil.rmtree(home, ignore_errors=True)  # both stores built in the same minutes
            shutil.rmtree(work / "home-es", ignore_errors=True)
            parallel_imports(args.articles, corpus_path, home, work / "home-es", es_env(url))
            return tantivy_phase(args, corpus, home, db, (node, url))
        finally:
            if node is not None:
                node.stop()
    if not (home / "index").exists():
        started = time.perf_counter()
        subprocess.run(import_argv(home, corpus_path), check=True)
        load_s = time.perf_counter() - started
        print(f"tidings import: {load_s:.0f} s = {args.articles / load_s:.0f} articles/s "
              "(store + index, one process)")  # fmt: skip
    return tantivy_phase(args, corpus, home, db, None)


def tantivy_phase(
    args: argparse.Namespace,
    corpus: Corpus,
    home: Path,
    db: Path,
    es: tuple[ElasticsearchNode | None, str] | None,
) -> int:
    """FTS5 build, sizes and timings on the embedded index; then Elasticsearch with ``both``
    (``es``: a node the parallel imports already filled)."""
    corpus_path = corpus.path
    if not db.exists() and not args.no_fts:
        fts_s = build_fts(corpus_path, db)
        print(f"FTS5 build: {fts_s:.0f} s = {args.articles / fts_s:.0f} articles/s (index only)")
    print(f"disk: tantivy index {du(home / 'index') / 1e6:.0f} MB, store "
          f"{du(home) / 1e6 - du(home / 'index') / 1e6:.0f} MB, FTS5 (+meta) "
          f"{db.stat().st_size / 1e6 if db.exists() else 0:.0f} MB")  # fmt: skip
    index = EmbeddedIndex(home / "index")
    print(f"documents in the tantivy index: {index.count():,}")
    fts = None if args.no_fts else Fts(db)
    all_cases = run_cases(index, fts, corpus, args)
    print("\nIn-process latency, ms (one thread)\n")
    print("| query | p50 | p95 | p99 | FTS5 p50 | FTS5 p99 | ratio p50 | ratio p99 |")
    print("|---|---|---|---|---|---|---|---|")
    in_process = {}
    for case in all_cases:
        ours = in_process[case.name] = timed(case.index, args.rounds)
        base = None if args.no_fts else timed(case.fts, max(args.rounds // 3, 30))
        print(row(case.name, ours, base))
    if args.no_http:
        index.close()
        return 0
    api = api_load(args, serve(home, args.port, args.server), all_cases, "tantivy")
    index.close()
    if args.backend == "both":
        return elasticsearch(args, corpus, home.parent, (in_process, api), es)
    return 0


Loads = dict[int, dict[str, tuple[list[float], float]]]  # clients -> case -> (samples, wall)


def api_load(args: argparse.Namespace, proc: subprocess.Popen, all_cases: list[Case],
             label: str) -> Loads:
    """Time GET /api/v1/search per case and client count; prints a table per client count."""
    out: Loads = {}
    try:
        for clients in args.clients:
            print(
                f"\nGET /api/v1/search on {label}, ms ({clients} concurrent clients, "
                f"{args.server}; every response has highlights and facets "
                f"{args.facets or 'topic,source'})\n"
            )
            print("| query | p50 | p95 | p99 | req/s |")
            print("|---|---|---|---|---|")
            out[clients] = {}
            for case in all_cases:
                samples, wall = http_load(
                    f"http://127.0.0.1:{args.port}", case.http, args.rounds, clients
                )
                out[clients][case.name] = (samples, wall)
                print(row(case.name, samples, None)[:-1] + f"| {len(samples) / wall:.0f} |")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return out


def make_corpus(path: Path, args: argparse.Namespace) -> Corpus:
    """Generate the corpus, or with ``--keep`` reuse the one a run with the same size and seed
    left in ``--work`` (a million articles take minutes to write)."""
    about = path.with_suffix(".about.json")
    wanted = {"articles": args.articles, "seed": args.seed}
    if args.keep and path.exists() and about.exists():
        kept = json.loads(about.read_text(encoding="utf-8"))
        if {k: kept.get(k) for k in wanted} == wanted:
            print(f"reusing {args.articles} generated articles in {path}")
            return Corpus(path, words(VOCAB), kept["phrases"])
    started = time.perf_counter()
    corpus = generate(path, args.articles, args.seed)
    about.write_text(json.dumps({**wanted, "phrases": corpus.phrases}), encoding="utf-8")
    print(f"generated {args.articles} articles in {time.perf_counter() - started:.0f} s, "
          f"{path.stat().st_size / 1e6:.0f} MB JSONL")  # fmt: skip
    return corpus


def prepare(args: argparse.Namespace) -> tuple[Corpus, Path]:
    """The work folder and corpus for an Elasticsearch-only run."""
    work = args.work or ROOT / "var" / f"bench-search-{args.articles}"
    if not args.keep and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"# bench/search.py --articles {args.articles} --backend elasticsearch "
          f"({datetime.now(UTC):%Y-%m-%d})")  # fmt: skip
    return make_corpus(work / "corpus.jsonl", args), work


# -- Elasticsearch ----------------------------------------------------------------------------

ES_ALIAS = "bench-search"


def import_argv(home: Path, corpus: Path) -> list[str]:
    """``tidings import`` of the corpus, as an operator would run it (the index from the env)."""
    return [str(ROOT / ".venv/bin/tidings"), "--home", str(home), "import", str(corpus),
            "--no-classify"]  # fmt: skip


def es_env(url: str) -> dict[str, str]:
    return {"TIDINGS_INDEX": "elasticsearch", "TIDINGS_ES_URL": url, "TIDINGS_ES_INDEX": ES_ALIAS}


def start_node(args: argparse.Namespace) -> tuple[ElasticsearchNode | None, str]:
    """``--es-url``'s cluster, or a local node with ``--es-heap`` (the node to stop after)."""
    if args.es_url:
        return None, args.es_url
    started = time.perf_counter()
    node = ElasticsearchNode(heap=args.es_heap).start()
    print(f"Elasticsearch {node.version} node up in {time.perf_counter() - started:.0f} s "
          f"(heap {args.es_heap}, integ-test build, JDK 17)")  # fmt: skip
    return node, node.url


def stored(home: Path) -> int:
    """Articles in a store being imported into (read-only; 0 before its first commit)."""
    try:
        con = sqlite3.connect(f"file:{home / 'tidings.db'}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def parallel_imports(
    n: int, corpus: Path, tantivy_home: Path, es_home: Path, env: dict[str, str]
) -> None:
    """Both ``tidings import`` processes at once, so both build rates come from the same
    minutes on a shared machine; prints progress (articles stored, load) every minute."""
    homes = {"tantivy": tantivy_home, "Elasticsearch": es_home}
    envs = {"tantivy": os.environ, "Elasticsearch": {**os.environ, **env}}
    started = time.perf_counter()
    procs = {name: subprocess.Popen(import_argv(home, corpus), env=envs[name])
             for name, home in homes.items()}  # fmt: skip
    took: dict[str, float] = {}
    print("\n| time (UTC) | tantivy stored | Elasticsearch stored | load (1 min) |")
    print("|---|---|---|---|", flush=True)
    reported = 0
    while len(took) < len(procs):
        time.sleep(0.5)
        elapsed = time.perf_counter() - started
        for name, proc in procs.items():
            if name not in took and proc.poll() is not None:
                took[name] = elapsed
                if proc.returncode:
                    for other in procs.values():
                        other.kill()
                    raise RuntimeError(f"tidings import into {name} failed ({proc.returncode})")
        if elapsed // 60 > reported:
            reported = int(elapsed // 60)
            counts = " | ".join(f"{stored(home):,}" for home in homes.values())
            print(f"| {datetime.now(UTC):%H:%M:%S} | {counts} | {os.getloadavg()[0]:.1f} |",
                  flush=True)  # fmt: skip
    for name, seconds in took.items():
        print(f"tidings import into {name}: {seconds:.0f} s = {n / seconds:.0f} articles/s "
              "(store + index, two imports side by side)")  # fmt: skip
    ratio = took["tantivy"] / took["Elasticsearch"]
    print(f"build-rate ratio Elasticsearch / tantivy: {ratio:.2f}", flush=True)


def raw_search_calls(url: str, case: Case) -> list[Callable[[], object]]:
    """POST the body Tidings would send for each API call of ``case`` straight to ``_search``.

    What a user who skipped Tidings would get: the same query, facets and highlights, no API.
    """
    calls = []
    for params in case.http:
        sort = str(params.get("sort", "relevance"))
        request = SearchRequest(
            q=str(params.get("q", "")), sort=sort,  # type: ignore[arg-type]
            topics=(str(params["topic"]),) if "topic" in params else (),
            facets=tuple(params.get("facet", ("topic", "source"))),
        )  # fmt: skip
        text = params.get("cursor")
        cursor = decode_cursor(str(text), eq.mode(request)) if text else None
        body = json.dumps(eq.search_body(request, parse(request.q), cursor)).encode()

        def call(body: bytes = body, target: str = f"{url}/{ES_ALIAS}/_search") -> None:
            post = urllib.request.Request(
                target, data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(post, timeout=30) as resp:
                resp.read()

        calls.append(call)
    return calls


def es_store_bytes(url: str) -> int:
    with urllib.request.urlopen(f"{url}/{ES_ALIAS}/_stats/store", timeout=30) as resp:
        return int(json.load(resp)["_all"]["primaries"]["store"]["size_in_bytes"])


def elasticsearch(
    args: argparse.Namespace,
    corpus: Corpus,
    work: Path,
    tantivy: tuple[dict[str, list[float]], Loads] | None,
    imported: tuple[ElasticsearchNode | None, str] | None = None,
) -> int:
    """Load, size and time the same queries on Elasticsearch, then the side-by-side table.

    ``imported``: the node (None for ``--es-url``) and URL that :func:`parallel_imports` filled;
    otherwise a node is started here and the corpus imported into it."""
    node, url = imported or start_node(args)
    own_node = imported is None  # a node the caller passed in is the caller's to stop
    home = work / "home-es"
    env = es_env(url)
    # --keep --es-url: the cluster still holds what an earlier (perhaps stopped) run imported
    kept = bool(args.keep and args.es_url and (home / "tidings.db").exists())
    try:
        if kept:
            print(f"reusing the Elasticsearch import in {home} and {url}/{ES_ALIAS}")
        elif imported is None:
            shutil.rmtree(home, ignore_errors=True)  # a fresh node holds none of a kept store
            started = time.perf_counter()
            subprocess.run(import_argv(home, corpus.path), check=True, env={**os.environ, **env})
            load_s = time.perf_counter() - started
            rate = args.articles / load_s
            print(f"tidings import into Elasticsearch: {load_s:.0f} s = {rate:.0f} articles/s "
                  "(store + index, one process)")  # fmt: skip
        print(f"disk: Elasticsearch index {es_store_bytes(url) / 1e6:.0f} MB (primary store)")
        index = ElasticIndex(url, ES_ALIAS, writable=False)
        print(f"documents in the Elasticsearch index: {index.count():,}")
        all_cases = run_cases(index, None, corpus, args)
        print("\nIn-process latency on Elasticsearch, ms (one thread; ratio = ES / tantivy)\n")
        print("| query | p50 | p95 | p99 | tantivy p50 | tantivy p99 | ES/tantivy p50 | p99 |")
        print("|---|---|---|---|---|---|---|---|")
        for case in all_cases:
            ours = timed(case.index, args.rounds)
            line = row(case.name, ours, tantivy[0][case.name] if tantivy else None)
            if tantivy:  # row() prints base/ours: turn it into ours/base here
                b50, b99, o50, o99 = (*pct(tantivy[0][case.name])[::2], *pct(ours)[::2])
                line = line.rsplit("|", 3)[0] + f"| {o50 / b50:.1f}× | {o99 / b99:.1f}× |"
            print(line)
        if args.no_http:
            return 0
        api = api_load(args, serve(home, args.port, args.server, env), all_cases, "Elasticsearch")
        raw: Loads = {}
        for clients in args.clients:
            raw[clients] = {
                case.name: load(raw_search_calls(url, case), args.rounds, clients)
                for case in all_cases
            }
        side_by_side(all_cases, tantivy[1] if tantivy else None, api, raw, args.clients)
        index.close()
    finally:
        if own_node and node is not None:
            node.stop()
    return 0


def side_by_side(
    all_cases: list[Case], tantivy: Loads | None, es_api: Loads, raw: Loads, levels: list[int]
) -> None:
    """Searches per second and p99 per query: the API on tantivy and on ES, and raw _search."""
    for clients in levels:
        print(f"\nSide by side, {clients} concurrent clients: searches/s (p99 ms); "
              "ratio = tantivy API / raw _search\n")  # fmt: skip
        print("| query | API on tantivy | API on Elasticsearch | raw `_search` | ratio |")
        print("|---|---|---|---|---|")
        for case in all_cases:
            cells = []
            for loads in (tantivy, es_api, raw):
                if loads is None:
                    cells.append(("n/a", None))
                    continue
                samples, wall = loads[clients][case.name]
                rate = len(samples) / wall
                cells.append((f"{rate:.0f} ({pct(samples)[2]:.1f})", rate))
            ratio = f"{cells[0][1] / cells[2][1]:.1f}×" if cells[0][1] else "n/a"
            print(f"| {case.name} | {cells[0][0]} | {cells[1][0]} | {cells[2][0]} | {ratio} |")


if __name__ == "__main__":
    raise SystemExit(main())
