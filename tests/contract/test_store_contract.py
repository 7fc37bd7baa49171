"""One contract for every store engine (SQLite today; PostgreSQL next).

Each test talks to ``StoreEngine`` (``tidings/core/store/base.py``) only, through the ``store`` and
``store_engines`` fixtures of ``tests/contract/conftest.py``, which run it once per engine. What is
particular to one engine (SQLite's file, schema versions, migrations) is tested beside that
engine, in ``tests/core/test_store_sqlite.py``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from tidings.core.article import article_id, normalise
from tidings.core.fingerprint import content_hash
from tidings.core.store import FetchState, StoreEngine

WORDS = [f"w{i}" for i in range(500)]  # a vocabulary where random texts share few shingles


def prose(seed: int, n: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


def record(n: int, title: str = "Title", body: str = "", **extra: Any) -> dict[str, Any]:
    url = f"https://news{n}.example/story"
    return normalise({"url": url, "title": title, "body": body or prose(1000 + int(n)), **extra})


def topics(*ids: str) -> list[dict[str, Any]]:
    return [{"id": t, "score": 0.9, "origin": "model"} for t in ids]


def pending_ids(store: StoreEngine) -> list[str]:
    return [p.article_id for p in store.pending_writes()]


# -- articles --------------------------------------------------------------------------------


def test_insert_update_unchanged(store: StoreEngine) -> None:
    a, b = record(1, body=prose(1)), record(2, body=prose(2))
    first = store.upsert([a, b])
    assert first.inserted == [a["id"], b["id"]]
    assert first.updated == first.unchanged == first.refused == []
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


def test_the_stored_record_is_the_one_returned(store: StoreEngine) -> None:
    a = record(1, body=prose(1), authors=["Ana Ruiz"], tags=["città"])
    [written] = store.upsert([a]).articles
    assert store.get(a["id"]) == written
    assert written["fingerprint"] and written["cluster_id"] == a["id"]
    assert {k: v for k, v in written.items() if k not in ("fingerprint", "cluster_id")} == {
        k: v for k, v in a.items() if k not in ("fingerprint", "cluster_id")
    }


def test_metadata_change_counts_as_update(store: StoreEngine) -> None:
    a = record(1, body=prose(1))
    store.upsert([a])
    result = store.upsert([dict(a, topics=topics("tech"))])
    assert result.updated == [a["id"]]
    assert store.get(a["id"])["topics"][0]["id"] == "tech"  # type: ignore[index]


def test_a_record_without_id_gets_the_hash_of_its_canonical_url(store: StoreEngine) -> None:
    result = store.upsert([{"url": "https://example.org/a", "title": "Hello"}])
    assert result.inserted == [article_id("https://example.org/a")]
    with pytest.raises(ValueError):
        store.upsert([record(2), {"title": "no url"}])
    assert store.count() == 1  # nothing of a failed batch is kept


def test_minimal_record_through_normalise(store: StoreEngine) -> None:
    rec = normalise({"url": "https://example.org/a", "title": "Hello"})
    assert store.upsert([rec]).inserted == [article_id("https://example.org/a")]
    stored = store.get(rec["id"])
    assert stored is not None
    assert stored["source"]["id"] == "example.org"
    assert stored["cluster_id"] == rec["id"]
    assert stored["fingerprint"] is None  # too short to fingerprint


def test_same_id_twice_in_a_batch_last_wins(store: StoreEngine) -> None:
    a = record(1, "First", prose(1))
    result = store.upsert([a, dict(a, title="Second")])
    assert result.inserted == [a["id"]]
    assert len(result.articles) == 1
    assert store.get(a["id"])["title"] == "Second"  # type: ignore[index]


def test_same_canonical_url_under_another_id_updates_that_article(store: StoreEngine) -> None:
    a = record(1, "First", prose(1))
    store.upsert([a])
    result = store.upsert([dict(a, id="someotherid", title="Changed")])
    assert result.updated == [a["id"]]
    assert store.count() == 1 and store.get("someotherid") is None
    assert store.get(a["id"])["title"] == "Changed"  # type: ignore[index]


def test_a_stored_article_never_changes_its_source(store: StoreEngine) -> None:
    """The same URL arriving from another source (overlapping source domains, an import) is
    refused and reported, never silently moved to that source."""
    first = record(1, source={"id": "a", "name": "A", "domain": "news1.example"})
    store.upsert([first])
    other = {**first, "title": "Rewritten by B", "source": {"id": "b", "name": "B"}}
    result = store.upsert([other], track_index=True)
    assert result.refused == [first["id"]] and result.articles == [] and not result.updated
    kept = store.get(first["id"])
    assert kept is not None and kept["source"]["id"] == "a" and kept["title"] == "Title"
    assert store.upsert([{**first, "title": "Updated by A"}]).updated == [first["id"]]


def test_get_many_keeps_order_and_skips_unknown(store: StoreEngine) -> None:
    recs = [record(n, body=prose(n)) for n in range(5)]
    store.upsert(recs)
    wanted = [recs[3]["id"], "missing", recs[0]["id"], recs[4]["id"]]
    assert [r["id"] for r in store.get_many(wanted)] == [recs[i]["id"] for i in (3, 0, 4)]
    assert store.get("missing") is None


def test_iteration_is_in_insertion_order_and_stable_across_updates(store: StoreEngine) -> None:
    recs = [record(n, body=prose(n)) for n in range(7)]
    store.upsert(recs[:4])
    store.upsert(recs[4:])
    store.upsert([dict(recs[0], title="Edited")])  # an update keeps its place
    batches = list(store.iter_articles(batch_size=3))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [r["id"] for b in batches for r in b] == [r["id"] for r in recs]
    assert batches[0][0]["title"] == "Edited"


def test_ids_older_than_use_published_else_fetched(store: StoreEngine) -> None:
    old = record(1, published_at="2020-01-01T00:00:00+00:00")
    unpublished = record(2, published_at=None, fetched_at="2020-06-01T00:00:00+00:00")
    new = record(3, published_at="2024-01-01T00:00:00+00:00")
    store.upsert([old, unpublished, new])
    assert sorted(store.ids_older_than("2021-01-01T00:00:00+00:00")) == sorted(
        [old["id"], unpublished["id"]]
    )
    assert len(store.ids_older_than("2030-01-01T00:00:00+00:00", limit=2)) == 2


def test_ids_older_than_compare_instants_not_text(store: StoreEngine) -> None:
    """A record written with an offset (not through ``normalise``) is dated by its instant."""
    new_year_in_paris = {**record(1), "published_at": "2020-01-01T00:30:00+01:00"}  # 23:30 UTC
    unreadable = {**record(2), "published_at": "soon", "fetched_at": "2019-06-01T00:00:00Z"}
    store.upsert([new_year_in_paris, unreadable])
    assert sorted(store.ids_older_than("2019-12-31T23:45:00Z")) == sorted(
        [new_year_in_paris["id"], unreadable["id"]]
    )
    assert store.ids_older_than("2019-12-31T23:59:00+00:30") == [unreadable["id"]]  # 23:29Z
    assert store.get(new_year_in_paris["id"])["published_at"] == "2020-01-01T00:30:00+01:00"  # type: ignore[index]


def test_delete(store: StoreEngine) -> None:
    recs = [record(n, body=prose(n)) for n in range(3)]
    store.upsert(recs)
    assert store.delete([recs[0]["id"], "missing"]).removed == 1
    assert store.count() == 2 and store.get(recs[0]["id"]) is None
    assert store.delete([]).removed == 0
    # The deleted text no longer attracts copies into its cluster.
    copy = record(9, "Copy", recs[0]["body"])
    assert store.upsert([copy]).articles[0]["cluster_id"] == copy["id"]


def test_topic_and_source_counts_follow_every_write(store: StoreEngine) -> None:
    """Counts for the catalog: exact after inserts, re-tagging updates and deletes."""
    one = {"id": "s1", "name": "One", "domain": "one.example"}
    a = record(1, topics=topics("ai", "chips"), source=one)
    b = record(2, topics=topics("ai"), source=one)
    c = record(3, topics=["plain-string-topic"], source={"id": "s2", "name": "Two"})
    store.upsert([a, b, c])
    assert store.topic_counts() == [("ai", 2), ("chips", 1)]
    assert store.source_counts() == [
        {"id": "s1", "name": "One", "domain": "one.example", "articles": 2},
        {"id": "s2", "name": "Two", "domain": None, "articles": 1},
    ]
    store.upsert([{**a, "topics": topics("security")}])  # re-tagged
    assert store.topic_counts() == [("ai", 1), ("security", 1)]
    store.delete([b["id"]])
    assert store.topic_counts() == [("security", 1)]
    assert [(r["id"], r["articles"]) for r in store.source_counts()] == [("s1", 1), ("s2", 1)]


def test_another_store_object_sees_committed_writes(
    store_engines: Callable[[], StoreEngine],
) -> None:
    writer, reader = store_engines(), store_engines()
    assert reader.count() == 0
    writer.upsert([record(1, body=prose(1))])
    assert reader.count() == 1
    batches = reader.iter_articles(batch_size=1)
    first = next(batches)  # a reader mid-iteration does not block the writer
    writer.upsert([record(2, body=prose(2))])
    assert len(first) == 1
    assert reader.count() == 2


# -- near-duplicate clusters -----------------------------------------------------------------


def test_near_duplicates_share_a_cluster(store: StoreEngine) -> None:
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
    assert store.cluster_members("no-such-cluster") == []


def test_near_duplicates_within_one_batch_cluster_together(store: StoreEngine) -> None:
    text = prose(9)
    a, b = record(1, "A", text), record(2, "B", "Updated: " + text)
    result = store.upsert([a, b])
    assert [r["cluster_id"] for r in result.articles] == [a["id"], a["id"]]


def test_exact_copy_without_fingerprint_joins_cluster(store: StoreEngine) -> None:
    text = prose(11)
    a = record(1, "Same", text, fingerprint=None)
    b = record(2, "Same", "  " + text.replace(" ", "\n", 5), fingerprint=None)
    result = store.upsert([a, b])
    assert result.articles[1]["cluster_id"] == a["id"]


def test_shared_boilerplate_does_not_cluster(store: StoreEngine) -> None:
    boilerplate = prose(99, 60)
    a = record(1, "Court rules on rent", prose(21, 240) + " " + boilerplate)
    b = record(2, "Team wins the cup", prose(22, 240) + " " + boilerplate)
    result = store.upsert([a, b])
    assert [r["cluster_id"] for r in result.articles] == [a["id"], b["id"]]


def test_short_texts_are_not_clustered_by_equal_titles(store: StoreEngine) -> None:
    a, b = record(1, "Live updates", "Short."), record(2, "Live updates", "Short.")
    result = store.upsert([a, b])
    assert [r["cluster_id"] for r in result.articles] == [a["id"], b["id"]]


def test_a_metadata_edit_keeps_the_cluster(store: StoreEngine) -> None:
    text = prose(12)
    a, copy = record(1, "Storm", text), record(2, "Storm", text + " Agency report.")
    store.upsert([a, copy])
    retagged = store.upsert([{**copy, "topics": topics("weather")}])
    assert retagged.articles[0]["cluster_id"] == a["id"]


# -- the index's pending marks ---------------------------------------------------------------


def test_tracked_writes_stay_pending_until_their_version_is_indexed(store: StoreEngine) -> None:
    a, b = record(1, body=prose(1)), record(2, body=prose(2))
    first = store.upsert([a, b], track_index=True)
    assert first.version is not None
    assert store.upsert([record(3)]).version is None  # untracked writes mark nothing
    newer = store.upsert([{**a, "title": "Newer"}], track_index=True)
    assert newer.version is not None and newer.version > first.version
    pending = {p.article_id: p for p in store.pending_writes()}
    assert set(pending) == {a["id"], b["id"]}
    assert pending[a["id"]].version == newer.version
    assert pending[a["id"]].record["title"] == "Newer"  # type: ignore[index]

    store.mark_indexed({a["id"]: first.version, b["id"]: first.version})
    assert pending_ids(store) == [a["id"]]  # the newer write of a is still to index
    store.mark_indexed({a["id"]: newer.version})
    assert pending_ids(store) == [] and store.pending_index() == []
    assert len(store.pending_writes(limit=1)) == 0


def test_a_tracked_delete_leaves_a_tombstone(store: StoreEngine) -> None:
    a = record(1, body=prose(1))
    store.upsert([a])
    deleted = store.delete([a["id"], "never-stored"], track_index=True)
    assert deleted.removed == 1 and deleted.version is not None
    tombstones = {p.article_id: p for p in store.pending_writes()}
    assert set(tombstones) == {a["id"], "never-stored"}
    assert tombstones[a["id"]].record is None and tombstones[a["id"]].version == deleted.version
    store.mark_indexed(dict.fromkeys(tombstones, deleted.version))
    assert store.pending_writes() == []
    assert store.delete([a["id"]]).version is None


def test_pending_writes_are_oldest_first_and_limited(store: StoreEngine) -> None:
    recs = [record(n) for n in range(4)]
    for rec in recs:
        store.upsert([rec], track_index=True)
    assert pending_ids(store) == [r["id"] for r in recs]
    assert [p.article_id for p in store.pending_writes(limit=2)] == [r["id"] for r in recs[:2]]


# -- crawl bookkeeping -----------------------------------------------------------------------


def test_fetch_state_written_with_its_article(store: StoreEngine) -> None:
    a = record(1, body=prose(1))
    state = FetchState(
        url="https://news1.example/story?x", status=200, fetched_at="2026-01-01T00:00:00+00:00",
        source_id="s", etag='"v1"', seen_modified="2025-12-31T00:00:00+00:00",
        canonical_url=a["canonical_url"],
    )  # fmt: skip
    store.upsert([a], fetch_states=[state], track_index=True)
    got = store.fetch_state(state.url)
    assert got is not None and got["stored"] and got["article_id"] == a["id"]
    assert got["etag"] == '"v1"' and got["content_hash"] == content_hash(a)
    assert got["source_id"] == "s" and got["status"] == 200
    store.note_not_modified(state.url, "2026-02-01T00:00:00+00:00", None)
    got = store.fetch_state(state.url)
    assert got is not None and got["status"] == 304 and got["etag"] == '"v1"'
    assert got["fetched_at"] == "2026-02-01T00:00:00+00:00"
    assert got["seen_modified"] == "2025-12-31T00:00:00+00:00"
    store.note_not_modified(state.url, "2026-03-01T00:00:00+00:00", "2026-02-15T00:00:00+00:00")
    assert store.fetch_state(state.url)["seen_modified"] == "2026-02-15T00:00:00+00:00"  # type: ignore[index]
    store.delete([a["id"]])
    assert store.fetch_state(state.url)["stored"] is False  # type: ignore[index]


def test_upsert_failure_writes_no_fetch_state(store: StoreEngine) -> None:
    state = FetchState(url="https://a.example/", status=200, fetched_at="2026-01-01T00:00:00Z")
    with pytest.raises(ValueError):
        store.upsert([{"title": "no url"}], fetch_states=[state])
    assert store.fetch_state(state.url) is None


def test_fetch_states_of_feeds_are_replaced(store: StoreEngine) -> None:
    feed = "https://herald.example/feed.xml"
    store.put_fetch_states([FetchState(feed, 200, "2026-01-01T00:00:00+00:00", etag='"1"')])
    store.put_fetch_states([FetchState(feed, 200, "2026-01-02T00:00:00+00:00", etag='"2"')])
    store.put_fetch_states([])
    got = store.fetch_state(feed)
    assert got is not None and got["etag"] == '"2"' and got["stored"] is False
    assert got["article_id"] is None and got["fetched_at"] == "2026-01-02T00:00:00+00:00"
    assert store.fetch_state("https://herald.example/other") is None


def test_errors_are_recorded_newest_first(store: StoreEngine) -> None:
    store.record_error("herald", "https://herald.example/a", "http", "503 Service Unavailable")
    store.record_error("times", None, "parse", "malformed feed")
    errors = store.errors()
    assert [e["kind"] for e in errors] == ["parse", "http"]
    assert errors[1]["source_id"] == "herald"
    assert errors[1]["url"] == "https://herald.example/a"
    assert errors[1]["message"] == "503 Service Unavailable"
    assert errors[1]["at"]
    assert len(store.errors(limit=1)) == 1


def test_source_health_from_runs_and_errors(store: StoreEngine) -> None:
    store.record_source_run("a", "t0", "t1", "finished", {"pages_fetched": 2}, ok=True)
    store.record_source_run("a", "t2", "t3", "shutdown", {"pages_fetched": 0}, ok=False)
    store.record_error("a", "https://a.example/x", "timeout", "took too long")
    store.record_error("a", "https://a.example/y", "http", "HTTP 500")
    store.record_error("b", "https://b.example/", "dns", "no such host")
    health = {h["source_id"]: h for h in store.source_health()}
    assert [h["source_id"] for h in store.source_health()] == ["a", "b"]
    assert health["a"]["last_success"] == "t1"
    assert health["a"]["last_run"] == {
        "started_at": "t2", "finished_at": "t3", "finish_reason": "shutdown", "pages_fetched": 0,
    }  # fmt: skip
    assert health["a"]["error_counts"] == {"http": 1, "timeout": 1}
    assert health["a"]["last_error"]["kind"] == "http"
    assert health["b"]["last_run"] is None and health["b"]["last_success"] is None
    assert store.last_finished_runs() == {"a": "t1"}
