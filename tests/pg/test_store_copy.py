"""``tidings store copy --to URL``: a SQLite store moves into PostgreSQL losing no article,
cluster, pending index mark or crawl state, and the PostgreSQL store carries on from there."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg

from tidings.core.article import normalise
from tidings.core.store import FetchState, SqliteStore, StoreEngine
from tidings.core.store.postgres import PostgresStore

WORDS = [f"w{i}" for i in range(2000)]


def _story(seed: int, site: int, slug: str, edit: int = 0) -> dict[str, Any]:
    words = random.Random(seed).choices(WORDS, k=150)
    words[edit] = f"edit{edit}"
    return normalise({
        "url": f"https://site{site}.example/{slug}", "title": f"Story {seed}",
        "body": " ".join(words),
        "source": {"id": f"site{site}", "name": f"Site {site}", "domain": f"site{site}.example"},
        "topics": [{"id": f"topic{seed % 3}", "score": 0.9, "origin": "model"}],
    })  # fmt: skip


def _fill(store: SqliteStore) -> None:
    """A store that has lived: copies in clusters, updates, deletes, marks, crawl history."""
    copies = [_story(seed, site, f"s{seed}", edit=site) for seed in range(5) for site in range(3)]
    singles = [_story(100 + n, 3, f"single{n}") for n in range(6)]
    states = [
        FetchState(r["url"], 200, "2026-01-01T00:00:00+00:00", r["source"]["id"],
                   etag=f'"{i}"', canonical_url=r["url"])
        for i, r in enumerate(copies)
    ]  # fmt: skip
    result = store.upsert(copies, fetch_states=states, track_index=True)
    store.mark_indexed(dict.fromkeys(result.inserted[:7], result.version))
    store.upsert(singles, track_index=True)
    store.upsert([dict(singles[0], title="Corrected")], track_index=True)
    store.delete([singles[1]["id"]], track_index=True)
    store.put_fetch_states([FetchState("https://site3.example/feed.xml", 200,
                                       "2026-01-01T00:00:00+00:00", "site3",
                                       last_modified="Thu, 01 Jan 2026 00:00:00 GMT")])  # fmt: skip
    store.note_not_modified(copies[0]["url"], "2026-01-02T00:00:00+00:00", None)
    store.record_error("site2", "https://site2.example/x", "http_500", "server error")
    store.record_error("site3", None, "feed_parse", "not a feed")
    store.record_source_run("site0", "2026-01-01T00:00:00+00:00", "2026-01-01T00:01:00+00:00",
                            "finished", {"pages": 5}, True)  # fmt: skip
    store.record_source_run("site2", "2026-01-01T00:00:00+00:00", "2026-01-01T00:02:00+00:00",
                            "shutdown", {"pages": 1}, False)  # fmt: skip


def _everything(store: StoreEngine, urls: list[str]) -> dict[str, Any]:
    """All a store tells through the contract: records in order, clusters, marks, crawl state."""
    records = [r for batch in store.iter_articles() for r in batch]
    return {
        "records": records,
        "clusters": {r["cluster_id"]: store.cluster_members(r["cluster_id"]) for r in records},
        "pending": store.pending_writes(),
        "fetch_state": {url: store.fetch_state(url) for url in urls},
        "errors": store.errors(),
        "health": store.source_health(),
        "finished": store.last_finished_runs(),
        "topics": store.topic_counts(),
        "sources": store.source_counts(),
    }


def _copy(home: Path, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tidings", "--home", str(home), "store", "copy", "--to", url],
        capture_output=True, text=True, timeout=300, env=dict(os.environ),
    )  # fmt: skip


def test_copy_keeps_every_article_cluster_mark_and_crawl_state(tmp_path: Path, pg_url: str) -> None:
    with SqliteStore(tmp_path / "tidings.db") as store:
        _fill(store)
        urls = [f"https://site{s}.example/s{n}" for n in range(5) for s in range(3)]
        urls += ["https://site3.example/feed.xml", "https://nowhere.example/"]
        before = _everything(store, urls)
    assert len({r["cluster_id"] for r in before["records"]}) == 5 + 5  # 5 stories, 5 singles
    assert before["pending"] and before["errors"] and before["health"]

    done = _copy(tmp_path, pg_url)
    assert done.returncode == 0, done.stderr
    assert "copied 20 articles" in done.stderr

    with PostgresStore(pg_url) as store:
        assert _everything(store, urls) == before
        # and it carries on: a new copy joins its story's cluster, new ids follow the old
        near = _story(2, 7, "s2", edit=9)
        [written] = store.upsert([near]).articles
        assert written["cluster_id"] == store.get(_story(2, 0, "s2")["id"])["cluster_id"]
        store.record_error("site7", None, "timeout", "slow")
        newest, older = store.errors(2)
        assert newest["id"] > older["id"] and newest["kind"] == "timeout"


def test_copy_into_a_store_that_holds_anything_is_refused(tmp_path: Path, pg_url: str) -> None:
    with SqliteStore(tmp_path / "tidings.db") as store:
        _fill(store)
    assert _copy(tmp_path, pg_url).returncode == 0
    again = _copy(tmp_path, pg_url)
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "not empty" in again.stderr
    with psycopg.connect(pg_url) as conn:  # nothing was written twice
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (20,)


def test_copy_without_a_store_or_with_a_bad_url_is_one_line(tmp_path: Path, pg_url: str) -> None:
    missing = _copy(tmp_path, pg_url)
    assert missing.returncode == 2 and "no SQLite store" in missing.stderr
    SqliteStore(tmp_path / "tidings.db").close()
    bad = _copy(tmp_path, "mysql://somewhere/db")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "postgresql://" in bad.stderr


def test_copy_carries_stories_and_the_stream_continues(tmp_path: Path, pg_url: str) -> None:
    """Story membership, records, marks and the clusterer's state move too: a follow-up
    stored on PostgreSQL joins the story it would have joined on SQLite."""
    from story_corpus import as_records, background, corpus

    from tidings.core.stories.book import StoryBook

    rs = [normalise(r) for r in as_records(background() + corpus())]
    follow_up = normalise({
        **as_records(corpus())[0], "url": "https://courier.example/q4",
        "title": "Padang quake: rescuers search for survivors",
    })  # fmt: skip
    with SqliteStore(tmp_path / "tidings.db") as store:
        StoryBook().place(store, rs)
        store.upsert(rs)
        ids = [r["id"] for r in rs]
        before = {
            "of": store.stories_of(ids),
            "stories": [store.story(s) for s in sorted({r["story_id"] for r in rs})],
            "recent": store.recent_stories(),
            "pending": store.pending_stories(),
        }
    assert _copy(tmp_path, pg_url).returncode == 0
    with PostgresStore(pg_url) as store:
        after = {
            "of": store.stories_of(ids),
            "stories": [store.story(s) for s in sorted({r["story_id"] for r in rs})],
            "recent": store.recent_stories(),
            "pending": store.pending_stories(),
        }
        assert after == before
        StoryBook().place(store, [follow_up])
    quake = rs[len(background())]["story_id"]
    assert follow_up["story_id"] == quake
