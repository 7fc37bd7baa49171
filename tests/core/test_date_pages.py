"""Date-sorted pages through cursors, deep ones read over a key range just below the cursor.

Every page of a listing must be the slice of the whole newest-first (sort key, id) order that
the records give, whether the first range tried held the page (a word most articles hold), had
to be widened (a word only old articles hold, far from where an even spread would put it) or
was everything below the cursor; totals and facets are the same on every page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tidings.core.index import EmbeddedIndex, SearchRequest
from tidings.core.index.cursor import decode_cursor, request_mode
from tidings.core.index.embedded import sort_key

START = datetime(2024, 1, 1, tzinfo=UTC)


def records(n: int = 300) -> list[dict[str, Any]]:
    """``common`` in every article, ``old`` in the 25 oldest only, ``even`` in every third,
    ``gap`` in the newest 200 and the 5 oldest (deep pages far sparser than an even spread);
    several articles share a publication second (their keys then differ by the id's hash)."""
    rows = []
    for i in range(n):
        published = START + timedelta(hours=12 * (i // 3))  # three articles a second, 150 days
        words = ["common"] + (["old"] if i < 25 else []) + (["even"] if i % 3 == 0 else [])
        words += ["gap"] if i < 5 or i >= 100 else []
        rows.append({
            "id": f"a{i:03d}",
            "url": f"https://e.example/{i}",
            "title": f"Title {i}",
            "body": " ".join(words + ["filler"] * 5),
            "source": {"id": f"s{i % 4}", "name": "S", "domain": "e.example"},
            "published_at": published.isoformat(),
            "topics": [{"id": f"t{i % 5}", "score": 1.0, "origin": "rule"}],
        })  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path: Path = tmp_path_factory.mktemp("dates") / "index"
    with EmbeddedIndex(path, writable=True) as writer:
        writer.upsert(records())
    reader = EmbeddedIndex(path)
    yield reader
    reader.close()


def expected(q: str, topic: str | None = None) -> list[str]:
    rows = [r for r in records() if not q or q in r["body"].split()]
    rows = [r for r in rows if topic is None or r["topics"][0]["id"] == topic]
    keyed = [(sort_key(r["id"], datetime.fromisoformat(r["published_at"])), r["id"]) for r in rows]
    return [aid for _, aid in sorted(keyed, key=lambda t: (-t[0], t[1]))]


@pytest.mark.parametrize("q", ["common", "old", "even", "gap", ""])
@pytest.mark.parametrize("limit", [4, 9])
def test_every_date_page_is_the_slice_of_the_whole_order(index: Any, q: str, limit: int) -> None:
    topic = "t2" if q == "even" else None
    request = SearchRequest(q=q, sort="date", limit=limit, topics=(topic,) if topic else ())
    first = index.search(request)
    seen, result = [], first
    while True:
        seen += [h.id for h in result.hits]
        assert (result.total, result.facets) == (first.total, first.facets)
        if result.next_cursor is None:
            break
        result = index.search(SearchRequest(**{**request.__dict__, "cursor": result.next_cursor}))
    assert seen == expected(q, topic)
    assert first.total == len(seen)


def test_a_deep_page_reads_a_narrow_key_range_first(index: Any) -> None:
    """Fails without the ranges: the page's search would read every key below the cursor."""
    request = SearchRequest(q="common", sort="date", limit=5)
    cursor = None
    for _ in range(20):
        cursor = index.search(SearchRequest(**{**request.__dict__, "cursor": cursor})).next_cursor
    after = decode_cursor(cursor, request_mode(request, True))
    searcher = index._searcher()
    _, query, _ = index._matching(request)
    tried = [repr(q) for q in index._ranges_back(searcher, query, after, 6, 300)]
    assert len(tried) >= 2
    assert "type=U64, 0))" not in tried[0]  # a range [key - width, key) first
    assert "lower_bound: Included(Term(field=12, type=U64, 0))" in tried[-1]  # all below, last


def test_a_first_page_of_most_articles_reads_the_newest_keys_first(index: Any) -> None:
    """A word most articles hold: an open-above range of the newest keys first; a word a third
    hold: the query alone (the ranges would cost more). Fails without the ranges."""
    searcher = index._searcher()
    for q, matches, ranged in (("common", 300, True), ("even", 100, False)):
        _, query, _ = index._matching(SearchRequest(q=q, sort="date"))
        tried = [repr(x) for x in index._ranges_back(searcher, query, None, 10, matches)]
        assert ("upper_bound: Unbounded" in tried[0]) is ranged
        assert "RangeQuery" not in tried[-1]


def test_a_first_page_sees_a_newer_article_the_estimates_predate(tmp_path: Path) -> None:
    """The newest-key estimate is kept while the number of articles stays the same: an article
    replaced by a newer one (same count) must still head the listing."""
    rows = records(120)
    with EmbeddedIndex(tmp_path / "index", writable=True) as writer:
        writer.upsert(rows)
        first = writer.search(SearchRequest(q="common", sort="date", limit=5))
        assert writer._span is not None  # estimated
        newer = dict(rows[0], published_at=(START + timedelta(days=400)).isoformat())
        writer.upsert([newer])
        again = writer.search(SearchRequest(q="common", sort="date", limit=5))
        assert [h.id for h in again.hits] == ["a000"] + [h.id for h in first.hits][:4]
        assert [a["id"] for a in writer.recent(limit=3)] == ["a000"] + [h.id for h in first.hits][
            :2
        ]
