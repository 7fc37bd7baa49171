"""One contract for every search index backend (embedded tantivy, Elasticsearch).

Each test talks to the ``IndexBackend`` interface only. The ``backends`` fixture yields a factory
per backend: the embedded one and Elasticsearch (a real node, started once per session by the
``es_url`` fixture in ``tests/conftest.py``; in CI it never skips).
"""

from __future__ import annotations

import contextlib
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tidings.core.config import Settings
from tidings.core.index import (
    FACETS,
    Facet,
    IndexBackend,
    IndexLockedError,
    QueryError,
    SearchRequest,
    open_index,
)

BASE = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
FILLER = "The council met on Tuesday to discuss the annual finances and local transport plans."


@dataclass
class Backends:
    """Opens indexes of one backend on shared storage; closes them all at the end."""

    name: str
    opener: Callable[[bool], IndexBackend]
    opened: list[IndexBackend] = field(default_factory=list)

    def open(self, writable: bool = True) -> IndexBackend:
        backend = self.opener(writable)
        self.opened.append(backend)
        return backend


@pytest.fixture(params=["embedded", "elasticsearch"])
def backends(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backends]:
    if request.param == "embedded":
        settings = Settings(home=tmp_path, index_backend="embedded")
    else:
        settings = Settings(
            home=tmp_path,
            index_backend="elasticsearch",
            es_url=request.getfixturevalue("es_url"),
            es_index=f"tidings-contract-{uuid.uuid4().hex[:12]}",
        )
    group = Backends(request.param, lambda writable: open_index(settings, writable=writable))
    yield group
    for backend in reversed(group.opened):
        if request.param != "embedded":
            # Delete the per-test index; cleanup must not hide the test's own outcome.
            with contextlib.suppress(Exception):
                getattr(backend, "drop", backend.clear)()
        backend.close()


@pytest.fixture
def index(backends: Backends) -> IndexBackend:
    return backends.open(writable=True)


def article(
    n: int | str,
    title: str = "A quiet day",
    body: str = FILLER,
    *,
    topics: tuple[str, ...] = ("politics",),
    source: str = "daily",
    published: datetime | None = BASE,
    fetched: datetime | None = None,
    entities: tuple[str, ...] = ("Acme",),
    language: str = "en",
    cluster: str | None = None,
    story: str | None = None,
) -> dict[str, Any]:
    aid = f"art{n}"
    return {
        "id": aid,
        "url": f"https://{source}.example/{aid}",
        "canonical_url": f"https://{source}.example/{aid}",
        "source": {"id": source, "name": source.title(), "domain": f"{source}.example"},
        "title": title,
        "summary": "",
        "body": body,
        "authors": ["A. Writer"],
        "published_at": published.isoformat() if published else None,
        "updated_at": None,
        "date_source": "meta" if published else "none",
        "fetched_at": (fetched or BASE).isoformat(),
        "language": language,
        "image_url": None,
        "tags": [],
        "topics": [{"id": t, "score": 0.9, "origin": "model"} for t in topics],
        "entities": [{"text": e, "label": "ORG", "key": e.lower()} for e in entities],
        "model_version": "test-1",
        "word_count": len(body.split()),
        "fingerprint": None,
        "cluster_id": cluster or aid,
        "story_id": story,
    }


def ids(result_hits: list[Any]) -> list[str]:
    return [h.id for h in result_hits]


def search(index: IndexBackend, **kwargs: Any) -> list[str]:
    return ids(index.search(SearchRequest(**kwargs)).hits)


# -- writing --------------------------------------------------------------------------------


def test_upsert_then_count_and_replace_by_id(index: IndexBackend) -> None:
    index.upsert([article(1, "Harbour reopens"), article(2, "Bridge closes")])
    assert index.count() == 2
    index.upsert([article(1, "Airport expands")])
    assert index.count() == 2
    assert search(index, q="harbour") == []
    assert search(index, q="airport") == ["art1"]


def test_duplicate_ids_in_one_batch_keep_the_last(index: IndexBackend) -> None:
    index.upsert([article(1, "First draft"), article(1, "Final version")])
    assert index.count() == 1
    assert search(index, q="final") == ["art1"]
    assert search(index, q="draft") == []


def test_delete_removes_by_id(index: IndexBackend) -> None:
    index.upsert([article(1), article(2), article(3)])
    index.delete(["art2", "no-such-id"])
    assert index.count() == 2
    assert sorted(search(index, limit=10)) == ["art1", "art3"]


def test_clear_removes_everything(index: IndexBackend) -> None:
    index.upsert([article(n) for n in range(5)])
    index.clear()
    assert index.count() == 0
    assert index.search(SearchRequest()).total == 0


def test_rebuild_replaces_everything_and_readers_see_only_the_result(
    backends: Backends,
) -> None:
    writer = backends.open(writable=True)
    reader = backends.open(writable=False)
    writer.upsert([article(1, "Old harbour story"), article(2, "Old bridge story")])

    def batches() -> Iterator[list[dict[str, Any]]]:
        yield [article(2, "New bridge story"), article(3, "New airport story")]
        # mid-rebuild, searches still answer from what was there before
        assert sorted(search(reader, q="old")) == ["art1", "art2"]
        yield [article(4, "New market story")]

    assert writer.rebuild(batches()) == 3
    assert reader.count() == writer.count() == 3
    assert sorted(search(reader, q="new", limit=10)) == ["art2", "art3", "art4"]
    assert search(reader, q="old") == []
    writer.upsert([article(5, "After the rebuild")])  # writes go to the rebuilt index
    assert search(reader, q="rebuild") == ["art5"]


def test_failed_rebuild_leaves_the_index_as_it_was(index: IndexBackend) -> None:
    index.upsert([article(1, "Harbour reopens")])

    def broken() -> Iterator[list[dict[str, Any]]]:
        yield [article(2, "Bridge closes")]
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        index.rebuild(broken())
    assert index.count() == 1
    assert search(index, q="harbour") == ["art1"]
    assert search(index, q="bridge") == []


def test_health_reports_ok_and_backend(index: IndexBackend, backends: Backends) -> None:
    index.upsert([article(1)])
    health = index.health()
    assert health["status"] == "ok"
    assert health["backend"] == backends.name


# -- searching ------------------------------------------------------------------------------


def test_search_by_word_is_stemmed_and_returns_display_fields(index: IndexBackend) -> None:
    index.upsert([article(1, "Volcano erupts", "Lava flows reached the village."), article(2)])
    result = index.search(SearchRequest(q="flowing"))
    assert result.total == 1
    hit = result.hits[0]
    assert hit.id == "art1"
    assert hit.article["title"] == "Volcano erupts"
    assert hit.article["source"]["id"] == "daily"
    assert hit.article["topics"][0]["id"] == "politics"
    assert "body" not in hit.article


def test_all_words_of_a_query_must_match(index: IndexBackend) -> None:
    index.upsert(
        [
            article(1, "Apple earnings beat forecasts"),
            article(2, "Apple orchards bloom early"),
            article(3, "Earnings season starts"),
        ]
    )
    assert search(index, q="apple earnings") == ["art1"]
    assert sorted(search(index, q="apple OR earnings")) == ["art1", "art2", "art3"]


def test_phrase_query_needs_adjacent_words(index: IndexBackend) -> None:
    index.upsert(
        [
            article(1, "Report", "The central bank raised rates again."),
            article(2, "Report", "The bank in the central square closed."),
        ]
    )
    assert search(index, q='"central bank"') == ["art1"]
    assert sorted(search(index, q="central bank")) == ["art1", "art2"]


def test_title_match_outranks_body_only_match(index: IndexBackend) -> None:
    body_only = article(1, "Markets today", "Traders said the zebra pattern persisted. " + FILLER)
    in_title = article(2, "Zebra crossing approved", FILLER)
    index.upsert([body_only, in_title])
    hits = index.search(SearchRequest(q="zebra")).hits
    assert ids(hits) == ["art2", "art1"]
    assert hits[0].score > hits[1].score


def test_topic_filter_matches_any_of(index: IndexBackend) -> None:
    index.upsert(
        [
            article(1, topics=("sport",)),
            article(2, topics=("business", "tech")),
            article(3, topics=("politics",)),
        ]
    )
    assert sorted(search(index, topics=("tech",))) == ["art2"]
    assert sorted(search(index, topics=("sport", "business"))) == ["art1", "art2"]
    assert search(index, topics=("nothing",)) == []


def test_source_filter_matches_any_of(index: IndexBackend) -> None:
    index.upsert([article(1, source="herald"), article(2, source="times"), article(3)])
    assert search(index, sources=("times",)) == ["art2"]
    assert sorted(search(index, sources=("herald", "daily"))) == ["art1", "art3"]


def test_filters_combine_with_the_query(index: IndexBackend) -> None:
    index.upsert(
        [
            article(1, "Storm warning", topics=("weather",), source="herald"),
            article(2, "Storm warning", topics=("weather",), source="times"),
            article(3, "Storm of protest", topics=("politics",), source="times"),
        ]
    )
    assert search(index, q="storm", topics=("weather",), sources=("times",)) == ["art2"]


def test_date_range_is_inclusive(index: IndexBackend) -> None:
    index.upsert([article(n, published=BASE + timedelta(days=n)) for n in range(5)])
    found = search(index, date_from=BASE + timedelta(days=1), date_to=BASE + timedelta(days=3))
    assert sorted(found) == ["art1", "art2", "art3"]
    assert sorted(search(index, date_from=BASE + timedelta(days=4))) == ["art4"]
    assert sorted(search(index, date_to=BASE)) == ["art0"]


def test_date_falls_back_to_fetched_at(index: IndexBackend) -> None:
    index.upsert(
        [
            article(1, published=None, fetched=BASE + timedelta(days=10)),
            article(2, published=BASE),
        ]
    )
    assert search(index, date_from=BASE + timedelta(days=5)) == ["art1"]
    assert [a["id"] for a in index.recent()] == ["art1", "art2"]


def test_date_sort_is_newest_first(index: IndexBackend) -> None:
    index.upsert([article(n, "Storm", published=BASE + timedelta(hours=n)) for n in (3, 1, 4, 2)])
    assert search(index, q="storm", sort="date") == ["art4", "art3", "art2", "art1"]


def test_empty_query_matches_everything(index: IndexBackend) -> None:
    index.upsert([article(n) for n in range(7)])
    result = index.search(SearchRequest(q="", limit=3))
    assert result.total == 7
    assert len(result.hits) == 3


# -- paging ---------------------------------------------------------------------------------


def _page_through(index: IndexBackend, request: SearchRequest) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(100):
        result = index.search(SearchRequest(**{**request.__dict__, "cursor": cursor}))
        seen += ids(result.hits)
        cursor = result.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("paging did not end")


def test_date_cursor_pages_without_duplicates_or_gaps(index: IndexBackend) -> None:
    # Several articles share a timestamp, so the cursor must break ties itself.
    docs = [article(n, "Budget vote", published=BASE + timedelta(hours=n // 3)) for n in range(23)]
    index.upsert(docs)
    seen = _page_through(index, SearchRequest(q="budget", sort="date", limit=4))
    assert len(seen) == len(set(seen)) == 23
    order = {d["id"]: d["published_at"] for d in docs}
    stamps = [order[i] for i in seen]
    assert stamps == sorted(stamps, reverse=True)


def test_date_cursor_is_stable_while_new_articles_arrive(index: IndexBackend) -> None:
    index.upsert([article(n, "Budget vote", published=BASE + timedelta(hours=n)) for n in range(9)])
    first = index.search(SearchRequest(q="budget", sort="date", limit=4))
    newer = [
        article(100 + n, "Budget vote", published=BASE + timedelta(days=5, hours=n))
        for n in range(3)
    ]  # noqa: E501
    index.upsert(newer)
    seen = ids(first.hits)
    cursor = first.next_cursor
    while cursor:
        result = index.search(SearchRequest(q="budget", sort="date", limit=4, cursor=cursor))
        seen += ids(result.hits)
        cursor = result.next_cursor
    assert seen == [f"art{n}" for n in range(8, -1, -1)]


def test_relevance_cursor_pages_through_all_results(index: IndexBackend) -> None:
    docs = [article(n, "Election " + "night " * (n % 4), FILLER) for n in range(17)]
    index.upsert(docs)
    seen = _page_through(index, SearchRequest(q="election", limit=5))
    assert len(seen) == len(set(seen)) == 17


def test_last_page_has_no_cursor(index: IndexBackend) -> None:
    index.upsert([article(n) for n in range(3)])
    assert index.search(SearchRequest(limit=3)).next_cursor is None
    assert index.search(SearchRequest(limit=2)).next_cursor is not None


@pytest.mark.parametrize("cursor", ["garbage", "!!!", "eyJzIjoiZGF0ZSJ9", "e30", ""])
def test_bad_cursor_is_a_query_error(index: IndexBackend, cursor: str) -> None:
    index.upsert([article(1)])
    request = SearchRequest(q="quiet", sort="date", cursor=cursor or "=")
    with pytest.raises(QueryError):
        index.search(request)


def test_cursor_of_another_sort_is_a_query_error(index: IndexBackend) -> None:
    index.upsert([article(n, "Election") for n in range(4)])
    cursor = index.search(SearchRequest(q="election", sort="date", limit=2)).next_cursor
    assert cursor
    with pytest.raises(QueryError):
        index.search(SearchRequest(q="election", sort="relevance", limit=2, cursor=cursor))


@pytest.mark.parametrize("limit", [0, -1, 101])
def test_limit_out_of_range_is_a_query_error(index: IndexBackend, limit: int) -> None:
    with pytest.raises(QueryError):
        index.search(SearchRequest(limit=limit))


# -- facets and highlights ------------------------------------------------------------------


def test_facets_count_all_matches_not_just_the_page(index: IndexBackend) -> None:
    docs = [article(n, "Flood", topics=("weather",), source="herald") for n in range(6)]
    docs += [
        article(10 + n, "Flood", topics=("weather", "politics"), source="times") for n in range(3)
    ]  # noqa: E501
    docs += [article(20, "Parade", topics=("culture",), source="times")]
    index.upsert(docs)
    result = index.search(SearchRequest(q="flood", limit=1))
    assert result.total == 9
    assert len(result.hits) == 1
    assert result.facets["topic"] == [("weather", 9), ("politics", 3)]
    assert result.facets["source"] == [("herald", 6), ("times", 3)]


def test_facets_follow_the_filters(index: IndexBackend) -> None:
    index.upsert(
        [
            article(1, topics=("weather",), source="herald"),
            article(2, topics=("weather",), source="times"),
        ]
    )
    result = index.search(SearchRequest(sources=("times",)))
    assert result.facets["source"] == [("times", 1)]
    assert result.facets["topic"] == [("weather", 1)]


def test_highlights_say_what_matched_in_the_whole_title_and_a_body_passage(
    index: IndexBackend,
) -> None:
    """The index returns the article's own text (never escaped) and the spans of the matches;
    rendering them as HTML is the API's job (tests/search_api/test_api_markup.py)."""
    title = "<img src=x onerror=alert(1)> Zebra spotted, “zebras” too."
    hostile = article(
        1,
        title,
        "<script>alert('x')</script> A zebra & a <b>lion</b> were seen near the zebra crossing.",
    )
    index.upsert([hostile])
    hit = index.search(SearchRequest(q="zebra")).hits[0]
    assert set(hit.highlights) == {"title", "body"}
    marked_title = hit.highlights["title"]
    assert marked_title.text == title  # whole, raw: escaping happens once, when rendered
    assert [m.lower() for m in marked_title.matches()] == ["zebra", "zebras"]
    start = title.index("Zebra")
    assert marked_title.spans[0] == (start, start + 5)  # character offsets, after “ and <
    body = hit.highlights["body"]
    assert "<b>lion</b>" in body.text and "&" in body.text  # the article's text as it is
    assert [m.lower() for m in body.matches()] == ["zebra", "zebra"]
    assert all(0 <= a < b <= len(body.text) for a, b in body.spans)


def test_highlight_spans_survive_private_use_characters_in_crawled_text(
    index: IndexBackend,
) -> None:
    """Elasticsearch marks matches with private-use characters; crawled text may hold them."""
    index.upsert([article(1, "\ue001Odd\ue000 \ue000 zebra \ue001title", "A zebra\ue001 body.")])
    hit = index.search(SearchRequest(q="zebra")).hits[0]
    assert hit.highlights["title"].matches() == ["zebra"]
    assert hit.highlights["body"].matches() == ["zebra"]


def test_unmatched_fields_have_no_highlight(index: IndexBackend) -> None:
    index.upsert([article(1, "A quiet day", "The zebra crossing was repainted.")])
    hit = index.search(SearchRequest(q="zebra")).hits[0]
    assert set(hit.highlights) == {"body"}


def test_no_highlights_when_not_asked(index: IndexBackend) -> None:
    index.upsert([article(1, "Zebra")])
    hit = index.search(SearchRequest(q="zebra", highlight=False)).hits[0]
    assert hit.highlights == {}


# -- recent ---------------------------------------------------------------------------------


def test_recent_is_newest_first_and_per_topic(index: IndexBackend) -> None:
    index.upsert(
        [
            article(
                n, topics=("sport",) if n % 2 else ("tech",), published=BASE + timedelta(hours=n)
            )
            for n in range(8)
        ]
    )
    assert [a["id"] for a in index.recent(limit=3)] == ["art7", "art6", "art5"]
    assert [a["id"] for a in index.recent(topic="tech", limit=3)] == ["art6", "art4", "art2"]
    assert index.recent(topic="nothing") == []
    assert "body" not in index.recent(limit=1)[0]


# -- malformed queries ----------------------------------------------------------------------


MALFORMED = ['"unbalanced', "title:(", "AND", "***", "(", "a OR", "-", "nosuchfield:x", "\\", "^2"]


@pytest.mark.parametrize("q", MALFORMED)
def test_malformed_query_raises_only_query_error(index: IndexBackend, q: str) -> None:
    index.upsert([article(1, "An unbalanced budget", "Critics said AND meant nothing.")])
    with contextlib.suppress(QueryError):
        index.search(SearchRequest(q=q))


def test_fuzzed_queries_raise_only_query_error(index: IndexBackend) -> None:
    index.upsert([article(1, "Zebra crossing é 日本", "Body text."), article(2)])
    pieces = list('"():*?~^[]{}<>!+-\\/&|') + ["AND", "OR", "NOT", "title:", "id:", "doc:"]
    pieces += ["published:", "sortkey:", "topics:", "zebra", "é", "日本", " ", "\x00", "TO", "*"]
    rng = random.Random(20240301)
    for _ in range(300):
        q = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10)))
        sort = rng.choice(["relevance", "date"])
        with contextlib.suppress(QueryError):
            index.search(SearchRequest(q=q, sort=sort))


def test_malformed_query_falls_back_to_literal_words(index: IndexBackend) -> None:
    index.upsert([article(1, "An unbalanced budget"), article(2)])
    assert search(index, q='"unbalanced') == ["art1"]
    assert search(index, q="budget AND") == ["art1"]
    assert search(index, q="sortkey:budget") == []  # internal field names are plain words
    assert search(index, q="doc:unbalanced budget") == []
    assert search(index, q="title:unbalanced") == ["art1"]


# -- readers and writers --------------------------------------------------------------------


def test_reader_opened_before_a_write_sees_it(backends: Backends) -> None:
    writer = backends.open(writable=True)
    reader = backends.open(writable=False)
    assert reader.count() == 0
    writer.upsert([article(1, "Late news")])
    assert reader.count() == 1
    assert search(reader, q="late") == ["art1"]
    writer.delete(["art1"])
    assert reader.count() == 0


def test_second_writer_fails_clearly_where_writers_are_exclusive(backends: Backends) -> None:
    """The embedded index has one writer (a lock); a cluster takes writes from several."""
    first = backends.open(writable=True)
    if backends.name == "embedded":
        with pytest.raises(IndexLockedError, match="already open for writing"):
            backends.open(writable=True)
        return
    second = backends.open(writable=True)
    first.upsert([article(1, "Harbour reopens")])
    second.upsert([article(2, "Bridge closes")])
    assert first.count() == second.count() == 2


def test_extreme_date_bounds_are_answered(index: IndexBackend) -> None:
    """Years far outside any index's date range filter like open bounds, never crash."""
    index.upsert([article(1, "Harbour reopens"), article(2, "Bridge closes")])
    wide = SearchRequest(
        q="",
        limit=100,
        date_from=datetime(1, 1, 1, tzinfo=UTC),
        date_to=datetime(9999, 12, 31, tzinfo=UTC),
    )
    assert index.search(wide).total == 2


# -- query language -------------------------------------------------------------------------


@pytest.fixture
def news(index: IndexBackend) -> IndexBackend:
    """A small corpus exercising every query-language construct."""
    index.upsert(
        [
            article(1, "Storm warning for the coast", topics=("weather",), source="herald",
                    published=datetime(2024, 7, 2, 9, tzinfo=UTC), entities=("Met Office",)),
            article(2, "Storm damage in the city", topics=("weather",), source="times",
                    published=datetime(2024, 7, 20, 9, tzinfo=UTC), language="de"),
            article(3, "Parliament debates storm relief", "The central bank raised rates.",
                    topics=("politics",), source="times",
                    published=datetime(2024, 8, 5, 9, tzinfo=UTC), entities=("Parliament",)),
            article(4, "Harbour reopens", "A storm closed the harbour last week.",
                    topics=("business",), source="herald",
                    published=datetime(2024, 6, 30, 9, tzinfo=UTC)),
        ]
    )  # fmt: skip
    return index


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("storm", ["art1", "art2", "art3", "art4"]),
        ("storm warning", ["art1"]),
        ("storm -warning", ["art2", "art3", "art4"]),
        ("-storm", []),
        ("warning OR damage", ["art1", "art2"]),
        ("storm (warning OR damage) -coast", ["art2"]),
        ('"central bank"', ["art3"]),
        ('"bank central"', []),
        ("-(warning OR damage) storm", ["art3", "art4"]),
        ("title:storm", ["art1", "art2", "art3"]),
        ('title:"storm warning"', ["art1"]),
        ("title:harbour", ["art4"]),
        ("storm source:herald", ["art1", "art4"]),
        ("topic:weather", ["art1", "art2"]),
        ("topic:weather OR topic:politics", ["art1", "art2", "art3"]),
        ('entity:"Met Office"', ["art1"]),
        ("entity:parliament storm", ["art3"]),
        ("lang:de", ["art2"]),
        ("lang:EN storm -topic:weather", ["art3", "art4"]),
        ("published:2024-07-01..2024-07-31", ["art1", "art2"]),
        ("published:2024-07-02..2024-07-02", ["art1"]),
        ("published:2024-07", ["art1", "art2"]),
        ("published:..2024-07-01", ["art4"]),
        ("published:2024-07-21..", ["art3"]),
        ("storm published:2024 -source:times", ["art1", "art4"]),
        ("Storm AND Warning", ["art1"]),
        ("storm NOT damage NOT warning", ["art3", "art4"]),
    ],
)
def test_query_language(news: IndexBackend, q: str, expected: list[str]) -> None:
    assert sorted(search(news, q=q, limit=10)) == expected


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("published:yesterday", "published: takes dates like 2024-07-01..2024-07-31"),
        ("published:2024-02-30", "published: takes dates"),
        ("published:2024-08-01..2024-07-01", "ends before it starts"),
        ("published:..", "published: takes dates"),
        ("(" * 30 + "storm", "nests parentheses"),
        (" ".join(["storm"] * 101), "more than 100 terms"),
    ],
)
def test_query_errors_explain_themselves(news: IndexBackend, q: str, message: str) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(".", r"\.")):
        news.search(SearchRequest(q=q))


def test_junk_only_query_matches_nothing_and_empty_matches_all(news: IndexBackend) -> None:
    assert search(news, q="*** !!") == []
    assert len(search(news, q="  ", limit=10)) == 4


# -- filters and facets on entities and languages ---------------------------------------------


def test_entity_and_language_filters(news: IndexBackend) -> None:
    assert search(news, entities=("met office",)) == ["art1"]
    assert sorted(search(news, entities=("met office", "parliament"))) == ["art1", "art3"]
    assert search(news, languages=("de",)) == ["art2"]
    assert sorted(search(news, q="storm", languages=("en",), limit=10)) == [
        "art1", "art3", "art4",
    ]  # fmt: skip


def test_entity_and_language_facets_count_all_matches(news: IndexBackend) -> None:
    result = news.search(SearchRequest(q="storm", limit=1, facets=("entity", "language")))
    assert result.facets["entity"] == [("acme", 2), ("met office", 1), ("parliament", 1)]
    assert result.facets["language"] == [("en", 3), ("de", 1)]
    assert set(result.facets) == {"entity", "language"}


@pytest.mark.parametrize("facet", FACETS, ids=lambda f: f.name)
def test_the_facets_table_drives_each_filter_facet_and_query_field(
    index: IndexBackend, facet: Facet
) -> None:
    """Each row of FACETS: its request attribute filters, its name counts and scopes a query."""
    shapes = {  # the article() keyword that sets this facet's value, per facet
        "topic": lambda v: {"topics": (v,)},
        "source": lambda v: {"source": v},
        "entity": lambda v: {"entities": (v,)},
        "language": lambda v: {"language": v},
    }
    value = {"entity": "Zeta Corp"}.get(facet.name, "zeta")
    index.upsert(
        [article(n, **shapes[facet.name](value)) for n in range(3)]
        + [article(n, **shapes[facet.name]("other")) for n in range(3, 5)]
    )
    key = value.lower()  # entities are filtered and counted by their normalised key
    request = SearchRequest(**{facet.attr: (key,)}, facets=(facet.name,), limit=10)
    assert request.values(facet) == (key,)
    result = index.search(request)
    assert sorted(ids(result.hits)) == ["art0", "art1", "art2"]
    assert result.facets == {facet.name: [(key, 3)]}
    everything = index.search(SearchRequest(facets=(facet.name,), limit=1)).facets[facet.name]
    assert everything == [(key, 3), ("other", 2)]
    scoped = f'{facet.name}:"{key}"' if " " in key else f"{facet.name}:{key}"
    assert sorted(search(index, q=scoped, limit=10)) == ["art0", "art1", "art2"]


def test_unknown_facet_is_a_query_error(index: IndexBackend) -> None:
    with pytest.raises(QueryError, match="unknown facet"):
        index.search(SearchRequest(facets=("colour",)))


# -- histogram and trends ---------------------------------------------------------------------


def test_histogram_counts_every_match_per_day_with_empty_days(index: IndexBackend) -> None:
    day = datetime(2024, 3, 1, 23, 30, tzinfo=UTC)
    docs = [article(n, "Flood", published=day) for n in range(3)]
    docs += [article(10, "Flood", published=day + timedelta(days=1, hours=1))]
    docs += [article(11, "Parade", published=day + timedelta(days=1))]
    index.upsert(docs)
    result = index.search(SearchRequest(q="flood", limit=1, histogram=True))
    assert result.histogram == [("2024-03-01", 3), ("2024-03-02", 0), ("2024-03-03", 1)]
    assert index.search(SearchRequest(q="flood")).histogram == []


def test_trends_are_per_day_counts_of_the_top_values(index: IndexBackend) -> None:
    day = datetime(2024, 3, 1, 12, tzinfo=UTC)
    docs = [article(n, "Flood", topics=("weather",), published=day) for n in range(3)]
    docs += [article(5, "Flood", topics=("weather", "politics"), published=day + timedelta(2))]
    docs += [article(6, "Flood", topics=("sport",), published=day + timedelta(1))]
    docs += [article(7, "Parade", topics=("culture",), published=day)]
    index.upsert(docs)
    trends = index.trends(SearchRequest(q="flood"), "topic", size=2)
    assert trends == {
        "weather": [("2024-03-01", 3), ("2024-03-02", 0), ("2024-03-03", 1)],
        "politics": [("2024-03-01", 0), ("2024-03-02", 0), ("2024-03-03", 1)],
    }
    by_source = index.trends(SearchRequest(q="parade"), "source")
    assert by_source == {"daily": [("2024-03-01", 1)]}
    with pytest.raises(QueryError):
        index.trends(SearchRequest(), "colour")


# -- ranking ----------------------------------------------------------------------------------


def test_recency_boost_lifts_newer_articles(index: IndexBackend) -> None:
    now = datetime.now(UTC)
    old = article(1, "Election result election", published=now - timedelta(days=400))
    new = article(2, "Election result", published=now - timedelta(hours=3))
    index.upsert([old, new])
    assert search(index, q="election") == ["art1", "art2"]
    assert search(index, q="election", recency_boost=True) == ["art2", "art1"]
    # The boost never reorders a date sort.
    assert search(index, q="election", sort="date", recency_boost=True) == ["art2", "art1"]


def test_relevance_cursor_is_stable_while_new_articles_arrive(index: IndexBackend) -> None:
    index.upsert([article(n, "Election " + "night " * (n % 5), FILLER) for n in range(12)])
    first = index.search(SearchRequest(q="election", limit=5))
    # Strong matches arrive: they would take the top ranks and push page 2 down.
    index.upsert([article(100 + n, "Election election election") for n in range(4)])
    seen = ids(first.hits)
    cursor = first.next_cursor
    while cursor:
        result = index.search(SearchRequest(q="election", limit=5, cursor=cursor))
        seen += ids(result.hits)
        cursor = result.next_cursor
    assert sorted(seen) == sorted(f"art{n}" for n in range(12))
    # A new search sees the arrivals first.
    assert sorted(search(index, q="election", limit=4)) == [f"art{100 + n}" for n in range(4)]


def test_more_like_this_finds_related_articles(index: IndexBackend) -> None:
    index.upsert(
        [
            article(1, "Volcano erupts near village", "Lava flows forced villagers to flee."),
            article(2, "Village evacuated as volcano rumbles", "Lava and ash near the village."),
            article(3, "Central bank raises rates", "Inflation pressures persisted."),
            article(4, "Volcano observatory warns", "Ash clouds may ground flights."),
        ]
    )
    related = [a["id"] for a in index.more_like_this("art1", limit=3)]
    assert related[0] == "art2"
    assert "art1" not in related
    assert "art3" not in related
    assert "body" not in index.more_like_this("art1", limit=1)[0]
    assert index.more_like_this("no-such-id") == []


def test_collapse_shows_one_hit_per_story_with_its_size(index: IndexBackend) -> None:
    docs = [
        article(1, "Flood hits the city", cluster="storyA", published=BASE),
        article(2, "Flood hits the city", source="times", cluster="storyA",
                published=BASE + timedelta(hours=1)),
        article(3, "Flood hits the city", source="herald", cluster="storyA",
                published=BASE + timedelta(hours=2)),
        article(4, "Flood defences hold", cluster="storyB", published=BASE + timedelta(hours=3)),
        article(5, "Flood insurance costs", published=BASE + timedelta(hours=4)),
        article(6, "Parade in the city", cluster="storyA", published=BASE),
    ]  # fmt: skip
    index.upsert(docs)
    by_date = index.search(SearchRequest(q="flood", sort="date", collapse="cluster"))
    assert ids(by_date.hits) == ["art5", "art4", "art3"]
    assert [h.cluster_size for h in by_date.hits] == [1, 1, 3]
    assert by_date.total == 3
    ranked = index.search(SearchRequest(q="flood city", collapse="cluster", facets=("source",)))
    assert len(ranked.hits) == 1 and ranked.hits[0].cluster_size == 3
    assert ranked.facets["source"] == [("daily", 1), ("herald", 1), ("times", 1)]  # articles
    plain = index.search(SearchRequest(q="flood"))
    assert plain.total == 5 and all(h.cluster_size == 1 for h in plain.hits)


def test_collapsed_pages_cover_every_story_once(index: IndexBackend) -> None:
    docs = [
        article(n, "Budget vote", cluster=f"story{n % 7}", published=BASE + timedelta(hours=n))
        for n in range(30)
    ]
    index.upsert(docs)
    for sort in ("date", "relevance"):
        seen = _page_through(
            index, SearchRequest(q="budget", sort=sort, limit=3, collapse="cluster")
        )
        assert len(seen) == 7
        clusters = {next(d["cluster_id"] for d in docs if d["id"] == i) for i in seen}
        assert len(clusters) == 7
    cursor = index.search(SearchRequest(q="budget", limit=3, collapse="cluster")).next_cursor
    with pytest.raises(QueryError):
        index.search(SearchRequest(q="budget", limit=3, cursor=cursor))


def test_collapse_by_story_shows_one_hit_per_story_its_best_ranked_member(
    index: IndexBackend,
) -> None:
    hour = timedelta(hours=1)
    docs = [
        article(1, "Earthquake shakes Padang", cluster="c1", story="quake", published=BASE),
        article(2, "Earthquake shakes Padang", source="times", cluster="c1", story="quake",
                published=BASE + hour),
        article(3, "Quake death toll rises in Padang", source="herald", story="quake",
                published=BASE + 2 * hour),
        article(4, "Parliament holds budget vote", story="vote", published=BASE + 3 * hour),
        article(5, "Budget vote passes parliament", source="times", story="vote",
                published=BASE + 4 * hour),
        article(6, "What the budget vote means", source="herald", story="vote",
                published=BASE + 5 * hour),
        article(7, "Padang council budget", published=BASE - hour),  # in no story yet
    ]  # fmt: skip
    index.upsert(docs)
    q = "padang OR budget"
    stories = index.search(SearchRequest(q=q, sort="date", collapse="story"))
    assert ids(stories.hits) == ["art6", "art3", "art7"]  # the newest member of each story
    assert [h.cluster_size for h in stories.hits] == [3, 3, 1]
    assert stories.total == 3  # with a collapse, total counts stories
    assert [h.article["story_id"] for h in stories.hits] == ["vote", "quake", None]
    copies = index.search(SearchRequest(q=q, sort="date", collapse="cluster"))
    assert ids(copies.hits) == ["art6", "art5", "art4", "art3", "art2", "art7"]
    assert copies.total == 6 and copies.hits[4].cluster_size == 2
    # by relevance the story's hit is its best-ranked member among the matches
    plain = ids(index.search(SearchRequest(q="padang")).hits)
    assert sorted(plain) == ["art1", "art2", "art3", "art7"]
    ranked = index.search(SearchRequest(q="padang", collapse="story"))
    quake = [i for i in plain if i != "art7"]
    assert ids(ranked.hits) == [i for i in plain if i in {quake[0], "art7"}]
    assert ranked.total == 2 and sorted(h.cluster_size for h in ranked.hits) == [1, 3]


def test_story_collapsed_pages_cover_every_story_once(index: IndexBackend) -> None:
    docs = [
        article(n, "Budget vote", cluster=f"copies{n % 10}", story=f"story{n % 4}",
                published=BASE + timedelta(hours=n))
        for n in range(30)
    ]  # fmt: skip
    index.upsert(docs)
    story_of = {d["id"]: d["story_id"] for d in docs}
    for sort in ("date", "relevance"):
        request = SearchRequest(q="budget", sort=sort, limit=3, collapse="story")
        seen = _page_through(index, request)
        assert sorted(story_of[i] for i in seen) == [f"story{k}" for k in range(4)]
        assert index.search(request).total == 4
    cursor = index.search(SearchRequest(q="budget", limit=3, collapse="story")).next_cursor
    assert cursor is not None
    for other in ("cluster", "none"):  # a story cursor belongs to story pages only
        with pytest.raises(QueryError):
            index.search(SearchRequest(q="budget", limit=3, collapse=other, cursor=cursor))


def test_fuzzed_query_language_yields_results_or_query_error(index: IndexBackend) -> None:
    index.upsert([article(1, "Zebra crossing é 日本", "Body text."), article(2)])
    pieces = ['"', "(", ")", "-", "NOT ", " OR ", " AND ", "..", ":", " ", "*", "\\"]
    pieces += ["title:", "source:", "topic:", "entity:", "lang:", "published:", "foo:"]
    pieces += ["2024", "-07", "-01", "zebra", "daily", "politics", "日本", "\x00", "9999-12-31"]
    rng = random.Random(5)
    for _ in range(400):
        q = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        request = SearchRequest(
            q=q,
            sort=rng.choice(["relevance", "date"]),
            collapse=rng.choice(["none", "none", "cluster", "story"]),
            recency_boost=rng.random() < 0.3,
            histogram=rng.random() < 0.3,
        )
        with contextlib.suppress(QueryError):
            index.search(request)


@pytest.mark.parametrize("sort", ["date", "relevance"])
@pytest.mark.parametrize(
    "other",
    [{"q": "budget"}, {"sources": ("elsewhere",)}, {"date_from": datetime(2024, 1, 1, tzinfo=UTC)}],
)
def test_cursor_of_another_query_is_a_query_error(
    index: IndexBackend, sort: str, other: dict[str, object]
) -> None:
    # Before, the cursor was checked against the sort only: handed back with other words or
    # filters, it paged through that other query from the same position, skipping its start.
    index.upsert([article(n, "Election") for n in range(4)])
    cursor = index.search(SearchRequest(q="election", sort=sort, limit=2)).next_cursor
    assert cursor
    other_query = {"q": "election", "sort": sort, "limit": 2, **other}
    index.search(SearchRequest(**other_query))  # a query of its own, that runs
    with pytest.raises(QueryError, match="another query"):
        index.search(SearchRequest(**other_query, cursor=cursor))
    again = index.search(SearchRequest(q="election", sort=sort, limit=2, cursor=cursor))
    assert len(again.hits) == 2  # the same query still pages on
