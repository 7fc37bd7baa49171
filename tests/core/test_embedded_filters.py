"""Keyword filters of the embedded index (one value a term query, several a term set; the
matches are the records holding any of the values, either way), and a reader's reloads."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.core.test_date_pages import records
from tidings.core.index import EmbeddedIndex, SearchRequest, embedded_reader
from tidings.core.index.embedded import filter_queries


@pytest.mark.parametrize(
    ("topics", "sources"),
    [(("t2",), ()), (("t2", "t4"), ()), ((), ("s1",)), (("t1",), ("s1", "s3")), (("t9",), ())],
)
def test_a_filter_matches_the_records_holding_any_of_its_values(
    tmp_path: Path, topics: tuple[str, ...], sources: tuple[str, ...]
) -> None:
    rows = records(120)
    wanted = {
        r["id"]
        for r in rows
        if (not topics or r["topics"][0]["id"] in topics)
        and (not sources or r["source"]["id"] in sources)
        and "even" in r["body"].split()
    }
    with EmbeddedIndex(tmp_path / "index", writable=True) as index:
        index.upsert(rows)
        for sort in ("relevance", "date"):
            request = SearchRequest(q="even", topics=topics, sources=sources, sort=sort, limit=100)
            result = index.search(request)
            assert {h.id for h in result.hits} == wanted and result.total == len(wanted)
            if topics:  # the facet of a filtered listing counts only the filtered matches
                assert {value for value, _ in result.facets["topic"]} <= set(topics)


def test_one_value_is_a_term_query_several_a_term_set(tmp_path: Path) -> None:
    """Fails without the term query: tantivy's term set costs more for one value."""
    with EmbeddedIndex(tmp_path / "index", writable=True) as index:
        one, several = (
            filter_queries(index._schema, SearchRequest(topics=topics))
            for topics in (("t2", "t2"), ("t2", "t4"))
        )
    assert "TermQuery" in repr(one[0]) and "TermSet" not in repr(one[0])
    assert "TermSet" in repr(several[0])


def test_a_reader_sees_every_commit_at_once_and_reloads_only_after_one(tmp_path: Path) -> None:
    """The reader reloads when ``meta.json`` changed: each of quick successive commits (and a
    delete) is visible to the next search; between commits its searcher stays the same."""
    rows = records(30)
    with EmbeddedIndex(tmp_path / "index", writable=True) as writer:
        reader = EmbeddedIndex(tmp_path / "index")
        try:
            for n in range(1, 11):
                writer.upsert([rows[n]])
                assert reader.search(SearchRequest(q="common")).total == n
            writer.delete([rows[1]["id"]])
            assert reader.search(SearchRequest(q="common")).total == 9
            seen = reader._reader.meta_seen
            reader.search(SearchRequest(q="common"))
            assert reader._reader.meta_seen == seen is not None
        finally:
            reader.close()


def test_a_commit_the_stat_misses_is_seen_within_the_reload_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit whose ``meta.json`` stat looks unchanged (an inode reused within one tick of
    the file clock, same size) is still seen once the reload bound has passed."""
    monkeypatch.setattr(embedded_reader, "RELOAD_AT_LEAST_EVERY", 0.3)
    rows = records(3)
    with EmbeddedIndex(tmp_path / "index", writable=True) as writer:
        reader = EmbeddedIndex(tmp_path / "index")
        try:
            writer.upsert([rows[0]])
            assert reader.search(SearchRequest(q="common")).total == 1
            writer.upsert([rows[1]])
            meta = (tmp_path / "index" / "meta.json").stat()
            collision = (meta.st_ino, meta.st_mtime_ns, meta.st_size)
            reader._reader.meta_seen = collision
            time.sleep(0.4)
            assert reader.search(SearchRequest(q="common")).total == 2
        finally:
            reader.close()
