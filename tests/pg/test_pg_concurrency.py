"""Several writer processes on one PostgreSQL store, as crawler hosts would be: every article
stored once, the same near-duplicate clusters as one process storing the same pages, exact fetch
state, and pending index marks that leave the index holding every article's last version."""

from __future__ import annotations

import multiprocessing
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from tidings.core.article import normalise
from tidings.core.store import FetchState, SqliteStore, StoreEngine
from tidings.core.store.postgres import PostgresStore

WRITERS = 4
STORIES = 30  # each in COPIES syndicated, lightly edited copies on different sites
COPIES = 3
SINGLES = 40  # stories one site has alone; LIVE of them are edited while the writers run
LIVE = 12
BATCH = 8
WORDS = [f"w{i}" for i in range(2000)]  # random texts from this share almost no shingles


def _text(seed: int, n: int = 120) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(WORDS) for _ in range(n)]


def _article(site: int, slug: str, title: str, words: list[str]) -> dict[str, Any]:
    return normalise({
        "url": f"https://site{site}.example/{slug}",
        "title": title,
        "body": " ".join(words),
        "source": {"id": f"site{site}", "name": f"Site {site}", "domain": f"site{site}.example"},
    })  # fmt: skip


def corpus() -> list[dict[str, Any]]:
    """Syndicated copies (same story, a word changed per site) and stories of one site."""
    records = []
    for story in range(STORIES):
        words = _text(story)
        for copy in range(COPIES):
            edited = list(words)
            edited[copy * 7] = f"edit{copy}"
            records.append(_article(copy, f"story-{story}", f"Story {story}", edited))
    for single in range(SINGLES):
        words = _text(10_000 + single)
        records.append(_article(9, f"single-{single}", f"Single {single}", words))
    return records


def _live(record: dict[str, Any]) -> bool:
    """Whether this page changes between fetches (one of the first LIVE single stories)."""
    slug = record["url"].rsplit("/", 1)[-1]
    return slug.startswith("single-") and int(slug.split("-")[1]) < LIVE


def _version_of(record: dict[str, Any], writer: int) -> dict[str, Any]:
    """What writer ``writer`` fetched for this page: the live ones differ between fetches."""
    version = dict(record, fetched_at=f"2026-01-01T00:00:0{writer}+00:00")
    if _live(record):
        version["body"] = f"{record['body']} update{writer}"
    return version


def _states(batch: list[dict[str, Any]], writer: int) -> list[FetchState]:
    at = f"2026-01-01T00:00:0{writer}+00:00"
    pages = [
        FetchState(r["url"], 200, at, r["source"]["id"], canonical_url=r["url"]) for r in batch
    ]
    feeds = {r["source"]["id"] for r in batch}
    return pages + [FetchState(f"https://{s}.example/feed.xml", 200, at, s) for s in sorted(feeds)]


def _writer(url: str, writer: int, start: Any, failures: Any) -> None:
    """Store every page of the corpus in an order of this writer's own, tracking the index."""
    try:
        records = [_version_of(r, writer) for r in corpus()]
        random.Random(writer).shuffle(records)
        with PostgresStore(url, pool_max=1) as store:
            start.wait()
            for i in range(0, len(records), BATCH):
                batch = records[i : i + BATCH]
                store.upsert(batch, fetch_states=_states(batch, writer), track_index=True)
    except BaseException as exc:  # reported to the test: a writer must never fail
        failures.put(f"writer {writer}: {exc!r}")
        raise


def _indexer(url: str, start: Any, done: Any, out: Any, failures: Any) -> None:
    """Drain pending marks into an 'index' (id -> record) while the writers run, as
    tidings.core.sync.index_pending does, then report what the index holds."""
    try:
        index: dict[str, dict[str, Any] | None] = {}
        with PostgresStore(url, pool_max=1) as store:
            start.wait()
            while True:
                finished = done.is_set()
                pending = store.pending_writes(50)
                for write in pending:
                    index[write.article_id] = write.record
                store.mark_indexed({w.article_id: w.version for w in pending})
                if finished and not pending:
                    break
        out.put(index)
    except BaseException as exc:
        failures.put(f"indexer: {exc!r}")
        raise


def _clusters(store: StoreEngine) -> set[frozenset[str]]:
    """The partition of article urls into clusters (cluster ids themselves may differ)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for batch in store.iter_articles():
        for record in batch:
            groups[record["cluster_id"]].add(record["url"])
    return {frozenset(group) for group in groups.values()}


def test_concurrent_writers_store_each_article_once_with_one_process_clusters(
    pg_url: str, tmp_path: Path
) -> None:
    PostgresStore(pg_url).close()  # schema in place before the race starts
    ctx = multiprocessing.get_context("fork")
    start, done = ctx.Barrier(WRITERS + 1), ctx.Event()
    failures, out = ctx.Queue(), ctx.Queue()
    writers = [
        ctx.Process(target=_writer, args=(pg_url, w, start, failures)) for w in range(WRITERS)
    ]
    indexer = ctx.Process(target=_indexer, args=(pg_url, start, done, out, failures))
    for process in [*writers, indexer]:
        process.start()
    for process in writers:
        process.join(300)
    done.set()
    index = out.get(timeout=300)
    indexer.join(60)
    errors = []
    while not failures.empty():
        errors.append(failures.get())
    assert errors == [] and all(p.exitcode == 0 for p in [*writers, indexer])

    pages = corpus()
    with PostgresStore(pg_url) as store:
        stored = [r for batch in store.iter_articles() for r in batch]
        # every article once
        assert sorted(r["url"] for r in stored) == sorted(r["url"] for r in pages)
        assert store.count() == len(pages)
        # clusters as one process storing the same pages would make them
        with SqliteStore(tmp_path / "one.db") as one:
            one.upsert(sorted(stored, key=lambda r: r["url"]))
            assert _clusters(store) == _clusters(one)
        assert len(_clusters(store)) == STORIES + SINGLES
        # fetch state: each page linked to its one stored article, each feed recorded
        by_url = {r["url"]: r for r in stored}
        for url, record in by_url.items():
            state = store.fetch_state(url)
            assert state is not None and state["stored"] and state["article_id"] == record["id"]
        for site in (0, 1, 2, 9):
            assert store.fetch_state(f"https://site{site}.example/feed.xml")["status"] == 200
        # the marks left the index holding exactly every article's last version
        assert store.pending_writes() == []
        assert index == {r["id"]: r for r in stored}
    live = [r for r in stored if _live(r)]
    assert len(live) == LIVE and all(r["body"].split()[-1].startswith("update") for r in live)
