"""The SQLite store of record: upsert outcomes, clusters, readers, errors, iteration."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tidings.core.article import article_id, normalise
from tidings.core.store import SCHEMA_VERSION, Store, StoreError, content_hash

WORDS = [f"w{i}" for i in range(500)]  # a vocabulary where random texts share few shingles


def prose(seed: int, n: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


def record(n: int, title: str = "Title", body: str = "", **extra: Any) -> dict[str, Any]:
    url = f"https://news{n}.example/story"
    return normalise({"url": url, "title": title, "body": body or prose(1000 + int(n)), **extra})


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "tidings.db") as s:
        yield s


def test_schema_is_created_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    Store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "fingerprint_bands", "crawl_errors"} <= tables
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_insert_update_unchanged(store: Store) -> None:
    a, b = record(1, body=prose(1)), record(2, body=prose(2))
    first = store.upsert([a, b])
    assert first.inserted == [a["id"], b["id"]]
    assert first.updated == first.unchanged == []
    assert [r["id"] for r in first.articles] == [a["id"], b["id"]]

    again = store.upsert([dict(a, fetched_at="2030-01-01T00:00:00+00:00")])
    assert again.unchanged == [a["id"]] and again.articles == []

    edited = dict(
        a, body=a["body"] + " A correction was appended.", updated_at="2024-05-01T00:00:00+00:00"
    )
    third = store.upsert([edited])
    assert third.updated == [a["id"]]
    stored = store.get(a["id"])
    assert stored is not None
    assert stored["body"].endswith("A correction was appended.")
    assert stored["updated_at"] == "2024-05-01T00:00:00+00:00"  # the record's own, kept
    assert stored["cluster_id"] == a["id"]
    assert store.count() == 2


def test_metadata_change_counts_as_update(store: Store) -> None:
    a = record(1, body=prose(1))
    store.upsert([a])
    retagged = dict(a, topics=[{"id": "tech", "score": 0.8, "origin": "model"}])
    result = store.upsert([retagged])
    assert result.updated == [a["id"]]
    assert store.get(a["id"])["topics"][0]["id"] == "tech"  # type: ignore[index]


def test_content_hash_ignores_whitespace() -> None:
    assert content_hash({"title": "A  b", "body": "c\n\nd"}) == content_hash(
        {"title": "A b", "body": " c d "}
    )
    assert content_hash({"title": "A", "body": "c"}) != content_hash({"title": "A", "body": "d"})


def test_near_duplicates_share_a_cluster(store: Store) -> None:
    text = prose(7)
    original = record(1, "Storm hits coast", text)
    syndicated = record(2, "Storm hits coast", text + " The agency contributed to this report.")
    other = record(3, "Festival opens", prose(8))
    result = store.upsert([original])
    assert result.articles[0]["cluster_id"] == original["id"]
    result = store.upsert([syndicated, other])
    clusters = {r["id"]: r["cluster_id"] for r in result.articles}
    assert clusters[syndicated["id"]] == original["id"]
    assert clusters[other["id"]] == other["id"]
    members = store.cluster_members(original["id"])
    assert [m["id"] for m in members] == [original["id"], syndicated["id"]]
    assert members[0] == {
        "id": original["id"],
        "title": "Storm hits coast",
        "url": original["url"],
        "source": original["source"],
    }


def test_near_duplicates_within_one_batch_cluster_together(store: Store) -> None:
    text = prose(9)
    a = record(1, "A", text)
    b = record(2, "B", "Updated: " + text)
    result = store.upsert([a, b])
    assert [r["cluster_id"] for r in result.articles] == [a["id"], a["id"]]


def test_exact_copy_without_fingerprint_joins_cluster(store: Store) -> None:
    text = prose(11)
    a = record(1, "Same", text, fingerprint=None)
    b = record(2, "Same", "  " + text.replace(" ", "\n", 5), fingerprint=None)
    result = store.upsert([a, b])
    assert result.articles[1]["cluster_id"] == a["id"]


def test_shared_boilerplate_does_not_cluster(store: Store) -> None:
    boilerplate = prose(99, 60)
    a = record(1, "Court rules on rent", prose(21, 240) + " " + boilerplate)
    b = record(2, "Team wins the cup", prose(22, 240) + " " + boilerplate)
    result = store.upsert([a, b])
    assert [r["cluster_id"] for r in result.articles] == [a["id"], b["id"]]


def test_short_texts_are_not_clustered_by_equal_titles(store: Store) -> None:
    a = record(1, "Live updates", "Short.")
    b = record(2, "Live updates", "Short.")
    result = store.upsert([a, b])
    assert [r["cluster_id"] for r in result.articles] == [a["id"], b["id"]]


def test_same_id_twice_in_a_batch_last_wins(store: Store) -> None:
    a = record(1, "First", prose(1))
    later = dict(a, title="Second")
    result = store.upsert([a, later])
    assert result.inserted == [a["id"]]
    assert len(result.articles) == 1
    assert store.get(a["id"])["title"] == "Second"  # type: ignore[index]


def test_same_canonical_url_under_another_id_updates_that_article(store: Store) -> None:
    a = record(1, "First", prose(1))
    store.upsert([a])
    stray = dict(a, id="someotherid", title="Changed")
    result = store.upsert([stray])
    assert result.updated == [a["id"]]
    assert store.count() == 1


def test_get_many_keeps_order_and_skips_unknown(store: Store) -> None:
    recs = [record(n, body=prose(n)) for n in range(5)]
    store.upsert(recs)
    wanted = [recs[3]["id"], "missing", recs[0]["id"], recs[4]["id"]]
    assert [r["id"] for r in store.get_many(wanted)] == [
        recs[3]["id"],
        recs[0]["id"],
        recs[4]["id"],
    ]
    assert store.get("missing") is None


def test_iteration_is_in_insertion_order_and_stable_across_updates(store: Store) -> None:
    recs = [record(n, body=prose(n)) for n in range(7)]
    store.upsert(recs[:4])
    store.upsert(recs[4:])
    store.upsert([dict(recs[0], title="Edited")])  # an update keeps its place
    batches = list(store.iter_articles(batch_size=3))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [r["id"] for b in batches for r in b] == [r["id"] for r in recs]


def test_delete(store: Store) -> None:
    recs = [record(n, body=prose(n)) for n in range(3)]
    store.upsert(recs)
    assert store.delete([recs[0]["id"], "missing"]) == 1
    assert store.count() == 2
    assert store.delete([]) == 0
    # The deleted text no longer attracts copies into its cluster.
    copy = record(9, "Copy", recs[0]["body"])
    assert store.upsert([copy]).articles[0]["cluster_id"] == copy["id"]


def test_errors_are_recorded_newest_first(store: Store) -> None:
    store.record_error("herald", "https://herald.example/a", "http", "503 Service Unavailable")
    store.record_error("times", None, "parse", "malformed feed")
    errors = store.errors()
    assert [e["kind"] for e in errors] == ["parse", "http"]
    assert errors[1]["source_id"] == "herald"
    assert errors[1]["url"] == "https://herald.example/a"
    assert errors[1]["at"]
    assert len(store.errors(limit=1)) == 1


def test_minimal_record_through_normalise(store: Store) -> None:
    rec = normalise({"url": "https://example.org/a", "title": "Hello"})
    result = store.upsert([rec])
    assert result.inserted == [article_id("https://example.org/a")]
    stored = store.get(rec["id"])
    assert stored is not None
    assert stored["source"]["id"] == "example.org"
    assert stored["cluster_id"] == rec["id"]
    assert stored["fingerprint"] is None  # too short to fingerprint


def test_concurrent_reader_sees_committed_writes(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    with Store(path) as writer, Store(path) as reader:
        assert reader.count() == 0
        writer.upsert([record(1, body=prose(1))])
        assert reader.count() == 1
        batches = reader.iter_articles(batch_size=1)
        first = next(batches)  # a reader mid-iteration does not block the writer
        writer.upsert([record(2, body=prose(2))])
        assert len(first) == 1
        assert reader.count() == 2


def test_reader_in_another_process(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    with Store(path) as writer:
        writer.upsert([record(n, body=prose(n)) for n in range(3)])
        code = (
            "import sys; from pathlib import Path; from tidings.core.store import Store\n"
            "with Store(Path(sys.argv[1])) as s: print(s.count())"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "3"


# -- schema 2: fetch state, index pending, source runs ----------------------------------------

from tidings.core.store import FetchState  # noqa: E402


def test_version_1_database_migrates_keeping_articles(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.upsert([record(1, body=prose(1))])
    db = sqlite3.connect(path)  # make it a version-1 file: no schema-2 tables
    for table in ("fetch_state", "index_pending", "source_runs"):
        db.execute(f"DROP TABLE {table}")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Store(path) as s:
        assert s.count() == 1 and s.fetch_state("https://x.example/") is None
        assert s.pending_index() == [] and s.source_health() == []
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    db.close()


def _topics(*ids: str) -> list[dict[str, Any]]:
    return [{"id": t, "score": 0.9, "origin": "model"} for t in ids]


def test_topic_and_source_counts_follow_every_write(store: Store) -> None:
    """Counts for the catalog: exact after inserts, re-tagging updates and deletes."""
    one = {"id": "s1", "name": "One", "domain": "one.example"}
    a = record(1, topics=_topics("ai", "chips"), source=one)
    b = record(2, topics=_topics("ai"), source=one)
    c = record(3, topics=["plain-string-topic"], source={"id": "s2", "name": "Two"})
    store.upsert([a, b, c])
    assert store.topic_counts() == [("ai", 2), ("chips", 1)]
    assert store.source_counts() == [
        {"id": "s1", "name": "One", "domain": "one.example", "articles": 2},
        {"id": "s2", "name": "Two", "domain": None, "articles": 1},
    ]
    store.upsert([{**a, "topics": _topics("security")}])  # re-tagged
    assert store.topic_counts() == [("ai", 1), ("security", 1)]
    store.delete([b["id"]])
    assert store.topic_counts() == [("security", 1)]
    assert [(r["id"], r["articles"]) for r in store.source_counts()] == [("s1", 1), ("s2", 1)]


def test_database_without_topic_rows_gets_them_filled(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.upsert([record(1, topics=_topics("ai")), record(2, topics=_topics("ai", "law"))])
    db = sqlite3.connect(path)  # as made before the topic rows existed: no table, no triggers
    for trigger in ("insert", "update", "delete"):
        db.execute(f"DROP TRIGGER article_topics_{trigger}")
    db.execute("DROP TABLE article_topics")
    db.commit()
    db.close()
    with Store(path) as s:
        assert s.topic_counts() == [("ai", 2), ("law", 1)]
        s.upsert([record(3, topics=_topics("law"))])
        assert s.topic_counts() == [("ai", 2), ("law", 2)]


def test_fetch_state_written_with_its_article(store: Store) -> None:
    a = record(1, body=prose(1))
    state = FetchState(
        url="https://news1.example/story?x", status=200, fetched_at="2026-01-01T00:00:00+00:00",
        source_id="s", etag='"v1"', seen_modified="2025-12-31T00:00:00+00:00",
        canonical_url=a["canonical_url"],
    )  # fmt: skip
    result = store.upsert([a], fetch_states=[state], track_index=True)
    got = store.fetch_state(state.url)
    assert got is not None and got["stored"] and got["article_id"] == a["id"]
    assert got["etag"] == '"v1"' and got["content_hash"] == content_hash(a)
    assert store.pending_index() == [r["id"] for r in result.articles]
    store.mark_indexed([a["id"]])
    assert store.pending_index() == []
    store.note_not_modified(state.url, "2026-02-01T00:00:00+00:00", None)
    got = store.fetch_state(state.url)
    assert got is not None and got["status"] == 304 and got["etag"] == '"v1"'
    assert got["seen_modified"] == "2025-12-31T00:00:00+00:00"
    store.delete([a["id"]])
    assert store.fetch_state(state.url)["stored"] is False  # type: ignore[index]


def test_upsert_failure_writes_no_fetch_state(store: Store) -> None:
    state = FetchState(url="https://a.example/", status=200, fetched_at="2026-01-01T00:00:00Z")
    with pytest.raises(ValueError):
        store.upsert([{"title": "no url"}], fetch_states=[state])
    assert store.fetch_state(state.url) is None


def test_source_health_from_runs_and_errors(store: Store) -> None:
    store.record_source_run("a", "t0", "t1", "finished", {"pages_fetched": 2}, ok=True)
    store.record_source_run("a", "t2", "t3", "shutdown", {"pages_fetched": 0}, ok=False)
    store.record_error("a", "https://a.example/x", "timeout", "took too long")
    store.record_error("a", "https://a.example/y", "http", "HTTP 500")
    store.record_error("b", "https://b.example/", "dns", "no such host")
    health = {h["source_id"]: h for h in store.source_health()}
    assert set(health) == {"a", "b"}
    assert health["a"]["last_success"] == "t1"
    assert health["a"]["last_run"]["finish_reason"] == "shutdown"
    assert health["a"]["error_counts"] == {"http": 1, "timeout": 1}
    assert health["a"]["last_error"]["kind"] == "http"
    assert health["b"]["last_run"] is None and health["b"]["last_success"] is None
    assert store.last_finished_runs() == {"a": "t1"}
