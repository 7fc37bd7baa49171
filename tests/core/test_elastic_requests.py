"""The Elasticsearch backend's requests, checked without an Elasticsearch server.

No Elasticsearch server runs on the build machines, so nothing here shows that a cluster
accepts these requests or answers them as assumed; the contract suite does that when
``TIDINGS_ES_URL`` names a live cluster. What is checked here:

* the exact bodies the pure builders in ``elastic_queries`` produce (mappings, queries, sorts,
  cursors, facets, highlights, bulk actions), and how responses are read back;
* with a **recording stub** (``http.server`` on loopback that records each request and answers
  with canned, Elasticsearch-shaped JSON plus the ``X-Elastic-Product`` header the 8.x client
  checks): that the real ``elasticsearch`` client, driven by ``ElasticIndex``, sends those
  bodies to the expected endpoints over real HTTP, retries 429s and falls back on a 400. The
  stub is not a cluster: its answers are what we believe a cluster would say.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from elasticsearch.helpers import BulkIndexError

from tidings.core.config import Settings
from tidings.core.index import IndexReadOnlyError, QueryError, SearchRequest, open_index
from tidings.core.index import elastic_queries as eq
from tidings.core.index.cursor import DateCursor, OffsetCursor, decode_cursor, encode_cursor
from tidings.core.index.elastic import ElasticIndex
from tidings.core.index.elastic_query_language import compile_query
from tidings.core.index.query_language import parse

ALIAS = "tidings-test"
WHEN = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
MS = 1_709_294_400_000  # WHEN in epoch milliseconds

ART: dict[str, Any] = {
    "id": "a1",
    "url": "https://e.example/a1",
    "canonical_url": "https://e.example/a1",
    "source": {"id": "herald", "name": "Herald", "domain": "e.example"},
    "title": "Storm <i>warning</i>",
    "summary": "Gales.",
    "body": "Wind and rain.",
    "authors": ["A. Writer"],
    "published_at": "2024-03-01T12:00:00+00:00",
    "updated_at": None,
    "date_source": "meta",
    "fetched_at": "2024-03-02T00:00:00+00:00",
    "language": "en",
    "image_url": None,
    "tags": ["weather"],
    "topics": [{"id": "weather", "score": 0.9, "origin": "model"}],
    "entities": [{"text": "Met Office", "label": "ORG", "key": "met-office"}],
    "model_version": "m-1",
    "word_count": 3,
    "fingerprint": "ff",
    "cluster_id": None,
}
DISPLAY = {name: ART.get(name) for name in eq.DISPLAY_FIELDS}
QUERY_FIELDS = ["title^2", "body", "summary"]
DATE_SORT = [{"published": {"order": "desc", "missing": "_last"}}, {"id": {"order": "desc"}}]
AGGS = {
    "topic": {"terms": {"field": "topics", "size": 20}},
    "source": {"terms": {"field": "source", "size": 20}},
}
HIGHLIGHT = {
    "pre_tags": ["<b>"],
    "post_tags": ["</b>"],
    "encoder": "html",
    "max_analyzed_offset": 1_000_000,
    "fields": {
        "title": {"number_of_fragments": 0},
        "body": {"fragment_size": 200, "number_of_fragments": 1},
    },
}


ASOF_AGG = {"asof": {"max": {"field": "indexed_at"}}}


def mm(word: str) -> dict[str, Any]:
    """A required word in title (boosted), body and summary."""
    return {
        "multi_match": {
            "query": word,
            "fields": QUERY_FIELDS,
            "type": "most_fields",
            "operator": "and",
            "zero_terms_query": "all",
        }
    }


def phrase(text: str) -> dict[str, Any]:
    return {
        "multi_match": {
            "query": text,
            "fields": QUERY_FIELDS,
            "type": "phrase",
            "zero_terms_query": "all",
        }
    }


def body_of(q: str) -> dict[str, Any]:
    return compile_query(parse(q))


def without_stamp(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "indexed_at"}


# -- index, documents and bulk actions ---------------------------------------------------------


def test_index_is_created_behind_an_alias_with_explicit_mappings() -> None:
    assert eq.concrete_index(ALIAS) == "tidings-test-v1"
    english = {"type": "text", "analyzer": "english"}
    assert eq.index_body(ALIAS) == {
        "settings": {
            "index": {
                "number_of_shards": 1,
                "auto_expand_replicas": "0-1",
                "max_result_window": 10_101,
            }
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "id": {"type": "keyword"},
                "title": {
                    **english,
                    "index_options": "offsets",
                    "fields": {"raw": {"type": "keyword", "ignore_above": 512}},
                },
                "body": {**english, "index_options": "offsets"},
                "summary": english,
                "topics": {"type": "keyword"},
                "source": {"type": "keyword"},
                "entities": {"type": "keyword"},
                "language": {"type": "keyword"},
                "cluster_id": {"type": "keyword"},
                "published": {"type": "date", "format": "strict_date_optional_time||epoch_millis"},
                "indexed_at": {
                    "type": "date",
                    "format": "strict_date_optional_time||epoch_millis",
                },
                "doc": {"type": "object", "enabled": False},
            },
        },
        "aliases": {ALIAS: {"is_write_index": True}},
    }


def test_template_covers_every_versioned_index_with_the_same_mappings() -> None:
    body = eq.index_body(ALIAS)
    assert eq.index_template(ALIAS) == {
        "name": ALIAS,
        "index_patterns": [f"{ALIAS}-v*"],
        "priority": 200,
        "template": {"settings": body["settings"], "mappings": body["mappings"]},
        "meta": {"managed_by": "tidings"},
    }


def test_document_has_search_fields_and_display_record_without_body() -> None:
    assert eq.document(ART, WHEN) == {
        "id": "a1",
        "title": "Storm <i>warning</i>",
        "body": "Wind and rain.",
        "summary": "Gales.",
        "topics": ["weather"],
        "entities": ["met-office"],
        "cluster_id": "a1",
        "source": "herald",
        "language": "en",
        "published": "2024-03-01T12:00:00+00:00",
        "indexed_at": "2024-03-01T12:00:00+00:00",
        "doc": DISPLAY,
    }
    assert "body" not in DISPLAY
    assert eq.document(ART)["indexed_at"] > WHEN.isoformat()  # default: now


def test_document_date_falls_back_to_fetched_at_then_to_none() -> None:
    fetched_only = {**ART, "published_at": None}
    assert eq.document(fetched_only)["published"] == "2024-03-02T00:00:00+00:00"
    undated = {"id": "x", "title": "T", "published_at": "not a date"}
    doc = eq.document(undated)
    assert "published" not in doc and "source" not in doc and "language" not in doc


def test_upsert_actions_keep_the_last_of_duplicate_ids() -> None:
    first, second, other = {**ART, "title": "First"}, {**ART, "title": "Final"}, {**ART, "id": "b"}
    actions = eq.upsert_actions(ALIAS, [first, other, second], WHEN)
    assert actions == [
        {"_op_type": "index", "_index": ALIAS, "_id": "b", "_source": eq.document(other, WHEN)},
        {"_op_type": "index", "_index": ALIAS, "_id": "a1", "_source": eq.document(second, WHEN)},
    ]


def test_delete_actions() -> None:
    assert eq.delete_actions(ALIAS, ["a1", "b", "a1"]) == [
        {"_op_type": "delete", "_index": ALIAS, "_id": "a1"},
        {"_op_type": "delete", "_index": ALIAS, "_id": "b"},
    ]


# -- query bodies ----------------------------------------------------------------------------


def test_words_query_ranked_by_relevance_with_facets_and_highlights() -> None:
    request = SearchRequest(q="storm warning")
    body = eq.search_body(request, parse(request.q), None)
    assert body == {
        "query": {
            "bool": {"must": [{"bool": {"must": [mm("storm"), mm("warning")]}}], "filter": []}
        },
        "size": 21,
        "track_total_hits": True,
        "_source": ["doc"],
        "sort": [{"_score": {"order": "desc"}}, *DATE_SORT],
        "track_scores": True,
        "aggs": {**AGGS, **ASOF_AGG},  # the first page learns the newest ingest stamp
        "highlight": HIGHLIGHT,
    }


def test_filters_topics_sources_and_inclusive_utc_date_range() -> None:
    cet = timezone(timedelta(hours=1))
    request = SearchRequest(
        q="storm",
        topics=("weather", "climate"),
        sources=("herald",),
        date_from=datetime(2024, 3, 1, 13, 0, tzinfo=cet),
        date_to=datetime(2024, 3, 31),  # naive: taken as UTC
        facets=(),
        highlight=False,
    )
    body = eq.search_body(request, parse(request.q), None)
    assert body["query"] == {
        "bool": {
            "must": [mm("storm")],
            "filter": [
                {"terms": {"topics": ["weather", "climate"]}},
                {"terms": {"source": ["herald"]}},
                {
                    "range": {
                        "published": {
                            "gte": "2024-03-01T12:00:00+00:00",
                            "lte": "2024-03-31T00:00:00+00:00",
                            "format": "strict_date_optional_time",
                        }
                    }
                },
            ],
        }
    }
    assert body["aggs"] == ASOF_AGG and "highlight" not in body
    only_to = eq.filters(SearchRequest(date_to=WHEN))
    assert only_to == [
        {"range": {"published": {"lte": WHEN.isoformat(), "format": "strict_date_optional_time"}}}
    ]


def test_date_sort_with_cursor_uses_search_after() -> None:
    cursor = DateCursor(MS + eq.SORT_SHIFT, "a1")
    request = SearchRequest(q="storm", sort="date", limit=4, facets=("topic",))
    body = eq.search_body(request, parse(request.q), cursor)
    assert body == {
        "query": {"bool": {"must": [mm("storm")], "filter": []}},
        "size": 5,
        "track_total_hits": True,
        "_source": ["doc"],
        "sort": DATE_SORT,
        "search_after": [MS, "a1"],
        "aggs": {"topic": AGGS["topic"]},
        "highlight": HIGHLIGHT,
    }


def test_empty_query_is_everything_newest_first_without_highlights() -> None:
    body = eq.search_body(SearchRequest(q="  "), parse("  "), None)
    assert body["query"] == {"bool": {"must": [{"match_all": {}}], "filter": []}}
    assert body["sort"] == DATE_SORT
    assert "highlight" not in body and "track_scores" not in body


def test_relevance_offset_cursor_becomes_from() -> None:
    request = SearchRequest(q="storm", limit=5)
    body = eq.search_body(request, parse(request.q), OffsetCursor(10, MS))
    assert body["from"] == 10 and body["size"] == 6
    assert "search_after" not in body
    # Later pages leave out what was indexed after the first page: arrivals shift nothing.
    assert body["query"]["bool"]["filter"] == [
        {"range": {"indexed_at": {"lte": MS, "format": "epoch_millis"}}}
    ]
    assert "asof" not in body["aggs"]
    assert "from" not in eq.search_body(request, parse("storm"), OffsetCursor(0))


def test_date_cursor_round_trips_sort_values_in_the_shared_format() -> None:
    text = eq.date_cursor([MS, "a1"])
    assert decode_cursor(text, "date") == DateCursor(MS + 2**63, "a1")
    assert eq.search_after(decode_cursor(text, "date")) == [MS, "a1"]
    # An article without a date sorts last: the server reports Long.MIN_VALUE for it.
    undated = eq.date_cursor([-(2**63), "z"])
    assert eq.search_after(decode_cursor(undated, "date")) == [-(2**63), "z"]
    with pytest.raises(QueryError):
        eq.search_after(DateCursor(2**64, "a1"))


def test_recent_body() -> None:
    assert eq.recent_body("tech", 3) == {
        "query": {"bool": {"filter": [{"term": {"topics": "tech"}}]}},
        "size": 3,
        "sort": DATE_SORT,
        "track_total_hits": False,
        "_source": ["doc"],
    }
    assert eq.recent_body(None, 20)["query"] == {"match_all": {}}


TITLE = {"query": "zebra", "boost": 2.0, "operator": "and", "zero_terms_query": "all"}
JULY = {
    "range": {
        "published": {
            "gte": "2024-07-01T00:00:00+00:00",
            "lt": "2024-08-01T00:00:00+00:00",
            "format": "strict_date_optional_time",
        }
    }
}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("", {"match_all": {}}),
        ("*** (", {"match_none": {}}),
        ("storm", mm("storm")),
        ("storm warning", {"bool": {"must": [mm("storm"), mm("warning")]}}),
        ('"central bank"', phrase("central bank")),
        ("e-mail", phrase("e-mail")),  # one word the analyzer splits: its parts adjacent
        ("storm -rates", {"bool": {"must": [mm("storm")], "must_not": [mm("rates")]}}),
        ("-rates", {"bool": {"must_not": [mm("rates")]}}),
        (
            "apple OR earnings",
            {"bool": {"should": [mm("apple"), mm("earnings")], "minimum_should_match": 1}},
        ),
        ("title:zebra", {"match": {"title": TITLE}}),
        (
            'title:"zebra crossing"',
            {
                "match_phrase": {
                    "title": {"query": "zebra crossing", "boost": 2.0, "zero_terms_query": "all"}
                }
            },
        ),
        (
            "storm source:times topic:weather entity:Acme lang:EN",
            {
                "bool": {
                    "must": [mm("storm")],
                    "filter": [
                        {"term": {"source": "times"}},
                        {"term": {"topics": "weather"}},
                        {"term": {"entities": "acme"}},
                        {"term": {"language": "en"}},
                    ],
                }
            },
        ),
        ("published:2024-07", {"bool": {"filter": [JULY]}}),
        ("published:2024-07-01..2024-07-31", {"bool": {"filter": [JULY]}}),
        (
            "published:..2024-07-31",
            {
                "bool": {
                    "filter": [
                        {
                            "range": {
                                "published": {
                                    "lt": "2024-08-01T00:00:00+00:00",
                                    "format": "strict_date_optional_time",
                                }
                            }
                        }
                    ]
                }
            },
        ),
        (
            "topic:tech OR storm",
            {
                "bool": {
                    "should": [
                        {"constant_score": {"filter": {"term": {"topics": "tech"}}, "boost": 0.0}},
                        mm("storm"),
                    ],
                    "minimum_should_match": 1,
                }
            },
        ),
        ("sortkey:budget", phrase("sortkey:budget")),  # not a field: plain words, adjacent
        ("a/b", phrase("a/b")),  # no regular expressions, no query_string syntax at all
    ],
)
def test_query_language_compiles_to_dsl(q: str, expected: dict[str, Any]) -> None:
    assert body_of(q) == expected


def test_no_query_reaches_the_server_as_query_string_syntax() -> None:
    for q in ['"unbalanced', "title:(", "a OR", "\\", "^2", "x:[a TO b]", "ti*:x", "_exists_:t"]:
        assert "query_string" not in json.dumps(body_of(q))


def test_recency_boost_wraps_relevance_in_a_decay_function() -> None:
    request = SearchRequest(q="storm", recency_boost=True, facets=(), highlight=False)
    body = eq.search_body(request, parse("storm"), None)
    assert body["query"] == {
        "function_score": {
            "query": {"bool": {"must": [mm("storm")], "filter": []}},
            "functions": [
                {
                    "exp": {"published": {"origin": "now", "scale": "30d", "decay": 0.5}},
                    "weight": 0.7,
                },
                {"weight": 0.3},
            ],
            "score_mode": "sum",
            "boost_mode": "multiply",
        }
    }
    dated = eq.search_body(replace(request, sort="date"), parse("storm"), None)
    assert "function_score" not in dated["query"]


def test_collapse_histogram_and_new_facets() -> None:
    request = SearchRequest(
        q="storm",
        collapse=True,
        histogram=True,
        facets=("entity", "language"),
        entities=("acme",),
        languages=("en", "de"),
        highlight=False,
    )
    body = eq.search_body(request, parse("storm"), None)
    assert body["collapse"] == {
        "field": "cluster_id",
        "inner_hits": {"name": "story", "size": 0},
    }
    assert body["aggs"] == {
        "entity": {"terms": {"field": "entities", "size": 20}},
        "language": {"terms": {"field": "language", "size": 20}},
        **ASOF_AGG,
        "stories": {"cardinality": {"field": "cluster_id"}},
        "histogram": {
            "date_histogram": {"field": "published", "fixed_interval": "1d", "min_doc_count": 1}
        },
    }
    assert body["query"]["bool"]["filter"] == [
        {"terms": {"entities": ["acme"]}},
        {"terms": {"language": ["en", "de"]}},
    ]
    # Collapsed date listings page by offset too (search_after needs the collapse field sort).
    dated = eq.search_body(replace(request, sort="date"), parse("storm"), OffsetCursor(20, MS))
    assert dated["from"] == 20 and "search_after" not in dated and "pit" not in dated


def test_date_pages_after_the_first_read_a_point_in_time() -> None:
    request = SearchRequest(q="storm", sort="date", limit=4, facets=(), highlight=False)
    body = eq.search_body(request, parse("storm"), DateCursor(MS + eq.SORT_SHIFT, "a1"), "PIT1")
    assert body == {
        "query": {"bool": {"must": [mm("storm")], "filter": []}},
        "size": 5,
        "track_total_hits": True,
        "_source": ["doc"],
        "sort": [*DATE_SORT, {"_shard_doc": "desc"}],
        "search_after": [MS, "a1", 0],
        "pit": {"id": "PIT1", "keep_alive": "2m"},
    }


def test_more_like_this_and_trends_bodies() -> None:
    assert eq.more_like_this_body(ALIAS, "a1", 5) == {
        "query": {
            "bool": {
                "must": [
                    {
                        "more_like_this": {
                            "fields": ["title", "body"],
                            "like": [{"_index": ALIAS, "_id": "a1"}],
                            "min_term_freq": 1,
                            "min_doc_freq": 2,
                            "max_query_terms": 25,
                        }
                    }
                ],
                "must_not": [{"ids": {"values": ["a1"]}}],
            }
        },
        "size": 5,
        "track_total_hits": False,
        "_source": ["doc"],
    }
    request = SearchRequest(q="storm", topics=("weather",))
    assert eq.trends_body(request, parse("storm"), "entity", 3) == {
        "query": {"bool": {"must": [mm("storm")], "filter": [{"terms": {"topics": ["weather"]}}]}},
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "top": {
                "terms": {"field": "entities", "size": 3},
                "aggs": {
                    "days": {
                        "date_histogram": {
                            "field": "published",
                            "fixed_interval": "1d",
                            "min_doc_count": 1,
                        }
                    }
                },
            }
        },
    }


def test_rebuild_bodies_load_fast_then_switch_the_alias_atomically() -> None:
    assert eq.next_concrete_index(ALIAS, []) == f"{ALIAS}-v1"
    assert eq.next_concrete_index(ALIAS, [f"{ALIAS}-v1", f"{ALIAS}-v9", "other-v40"]) == (
        f"{ALIAS}-v10"
    )
    body = eq.rebuild_body()
    assert "aliases" not in body
    assert body["settings"]["index"] == {
        "number_of_shards": 1,
        "auto_expand_replicas": False,
        "max_result_window": 10_101,
        "number_of_replicas": 0,
        "refresh_interval": "-1",
    }
    assert eq.serving_settings() == {
        "index": {"refresh_interval": None, "auto_expand_replicas": "0-1"}
    }
    assert eq.alias_switch(ALIAS, [f"{ALIAS}-v2", f"{ALIAS}-v1"], f"{ALIAS}-v3") == {
        "actions": [
            {"remove": {"index": f"{ALIAS}-v1", "alias": ALIAS}},
            {"remove": {"index": f"{ALIAS}-v2", "alias": ALIAS}},
            {"add": {"index": f"{ALIAS}-v3", "alias": ALIAS, "is_write_index": True}},
        ]
    }


# -- reading responses -----------------------------------------------------------------------


def test_highlight_fragments_are_escaped_like_the_embedded_backend() -> None:
    # What the server's html encoder makes of "<script>alert('x')</script> a <b>zebra</b> & co".
    server = (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2F;script&gt; a &lt;b&gt;<b>zebra</b>"
        "&lt;&#x2F;b&gt; &amp; co &quot;q&quot;"
    )
    assert eq.clean_fragment(server) == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; a &lt;b&gt;<b>zebra</b>"
        "&lt;/b&gt; &amp; co &quot;q&quot;"
    )
    assert eq.clean_fragment("&amp;lt;b&amp;gt;") == "&amp;lt;b&amp;gt;"  # literal "&lt;b&gt;"


def test_facets_sorted_by_count_then_value() -> None:
    response = {
        "aggregations": {
            "topic": {"buckets": [{"key": "b", "doc_count": 2}, {"key": "a", "doc_count": 2}]},
            "source": {"buckets": []},
        }
    }
    assert eq.facets(response, ("topic", "source")) == {"topic": [("a", 2), ("b", 2)], "source": []}


# -- the real client against a recording stub (not a cluster) ------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    raw: bytes

    def json(self) -> Any:
        return json.loads(self.raw)

    def ndjson(self) -> list[Any]:
        return [json.loads(line) for line in self.raw.decode().splitlines() if line.strip()]


Answer = tuple[int, Any]


@dataclass
class RecordingStub:
    """An HTTP server on loopback that records requests and answers canned JSON.

    ``answer`` maps a request to (status, JSON body); the default says what a fresh cluster
    would say to the calls ``ElasticIndex`` makes. It is a stand-in, not Elasticsearch.
    """

    answer: Callable[[Recorded], Answer]
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.requests]


def default_answer(req: Recorded) -> Answer:
    if req.method == "HEAD":
        return 404, None
    if req.method == "PUT" and req.path.startswith(f"/{ALIAS}-v") and req.path.count("/") == 1:
        name = req.path[1:]
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}
    if req.path == f"/_index_template/{ALIAS}" or req.path == "/_aliases":
        return 200, {"acknowledged": True}
    if req.path.endswith("/_settings"):
        return 200, {"acknowledged": True}
    if req.path.endswith("/_refresh"):
        return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
    if req.path == f"/{ALIAS}/_pit":
        return 200, {"id": "PIT1"}
    if req.path == "/_pit" and req.method == "DELETE":
        return 200, {"succeeded": True, "num_freed": 1}
    if req.path == "/_bulk":
        items, lines = [], req.ndjson()
        while lines:
            (op, meta), *_ = lines.pop(0).items()
            if op != "delete":
                lines.pop(0)  # the document line
            status = 404 if op == "delete" and meta["_id"] == "missing" else 200
            items.append({op: {"_index": f"{ALIAS}-v1", "_id": meta["_id"], "status": status}})
        errors = any(item[op]["status"] >= 300 for item in items for op in item)
        return 200, {"took": 1, "errors": errors, "items": items}
    if req.path == f"/{ALIAS}/_count":
        return 200, {"count": 7, "_shards": {"total": 1, "successful": 1, "failed": 0}}
    if req.path == "/_cluster/health":
        return 200, {"cluster_name": "stub", "status": "yellow", "number_of_nodes": 1}
    if req.path == f"/{ALIAS}/_delete_by_query":
        return 200, {"took": 1, "deleted": 7, "failures": []}
    if req.path == f"/_alias/{ALIAS}":
        return 200, {f"{ALIAS}-v1": {"aliases": {ALIAS: {"is_write_index": True}}}}
    if req.method == "DELETE":
        return 200, {"acknowledged": True}
    return 500, {"error": {"type": "stub", "reason": f"no canned answer for {req.path}"}}


@pytest.fixture
def stub() -> Iterator[RecordingStub]:
    rec = RecordingStub(answer=default_answer)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            req = Recorded(
                self.command,
                parts.path,
                dict(parse_qsl(parts.query)),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )
            rec.requests.append(req)
            status, body = rec.answer(req)
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def es(stub: RecordingStub) -> Iterator[ElasticIndex]:
    index = ElasticIndex(stub.url, ALIAS, initial_backoff=0.01, max_backoff=0.05)
    yield index
    index.close()


def hit(aid: str, sort: list[Any], score: float | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "_index": f"{ALIAS}-v1",
        "_id": aid,
        "_score": score,
        "_source": {"doc": {**DISPLAY, "id": aid}},
        "sort": sort,
        **extra,
    }


def search_answer(hits: list[dict[str, Any]], total: int, **extra: Any) -> dict[str, Any]:
    return {
        "took": 1,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": total, "relation": "eq"}, "max_score": None, "hits": hits},
        **extra,
    }


def test_first_upsert_creates_index_then_bulk_indexes_and_waits(
    stub: RecordingStub, es: ElasticIndex
) -> None:
    es.upsert([ART])
    es.upsert([{**ART, "id": "b"}])
    assert stub.calls() == [
        ("HEAD", f"/{ALIAS}"),
        ("PUT", f"/_index_template/{ALIAS}"),
        ("PUT", f"/{ALIAS}-v1"),
        ("PUT", "/_bulk"),
        ("PUT", "/_bulk"),
    ]
    template = eq.index_template(ALIAS)
    del template["name"]
    template["_meta"] = template.pop("meta")  # the client's keyword for the body's "_meta"
    assert stub.requests[1].json() == template
    assert stub.requests[2].json() == eq.index_body(ALIAS)
    bulk = stub.requests[3]
    assert bulk.params == {"refresh": "wait_for"}
    assert "ndjson" in bulk.headers["content-type"]
    meta, source = bulk.ndjson()
    assert meta == {"index": {"_index": ALIAS, "_id": "a1"}}
    assert without_stamp(source) == without_stamp(eq.document(ART))


def test_existing_alias_is_not_recreated(stub: RecordingStub, es: ElasticIndex) -> None:
    stub.answer = lambda r: (200, None) if r.method == "HEAD" else default_answer(r)
    assert es.count() == 7
    assert stub.calls() == [("HEAD", f"/{ALIAS}"), ("POST", f"/{ALIAS}/_count")]


def test_index_created_meanwhile_gets_its_alias(stub: RecordingStub, es: ElasticIndex) -> None:
    exists = {"type": "resource_already_exists_exception", "reason": "exists"}

    def answer(req: Recorded) -> Answer:
        if req.method == "PUT" and req.path == f"/{ALIAS}-v1":
            return 400, {"error": {**exists, "root_cause": [exists]}, "status": 400}
        if req.path == f"/{ALIAS}-v1/_alias/{ALIAS}":
            return 200, {"acknowledged": True}
        return default_answer(req)

    stub.answer = answer
    assert es.count() == 7
    assert ("PUT", f"/{ALIAS}-v1/_alias/{ALIAS}") in stub.calls()


def test_bulk_items_rejected_with_429_are_retried(stub: RecordingStub, es: ElasticIndex) -> None:
    rejected: list[str] = []

    def answer(req: Recorded) -> Answer:
        if req.path != "/_bulk":
            return default_answer(req)
        lines = req.ndjson()
        ids = [line["index"]["_id"] for line in lines[::2]]
        items = []
        for aid in ids:
            status = 429 if aid == "b" and not rejected else 201
            if status == 429:
                rejected.append(aid)
            error = {"type": "es_rejected_execution_exception", "reason": "queue full"}
            item: dict[str, Any] = {"_index": f"{ALIAS}-v1", "_id": aid, "status": status}
            if status == 429:
                item["error"] = error
            items.append({"index": item})
        return 200, {"took": 1, "errors": bool(rejected), "items": items}

    stub.answer = answer
    es.upsert([ART, {**ART, "id": "b"}])
    bulks = [r for r in stub.requests if r.path == "/_bulk"]
    assert len(bulks) == 2
    assert [line["index"]["_id"] for line in bulks[0].ndjson()[::2]] == ["a1", "b"]
    assert [line["index"]["_id"] for line in bulks[1].ndjson()[::2]] == ["b"]
    assert all(b.params == {"refresh": "wait_for"} for b in bulks)


def test_bulk_item_failures_raise_after_the_batch(stub: RecordingStub, es: ElasticIndex) -> None:
    mapping = {"type": "document_parsing_exception", "reason": "strict mapping"}

    def answer(req: Recorded) -> Answer:
        if req.path != "/_bulk":
            return default_answer(req)
        item = {"_index": f"{ALIAS}-v1", "_id": "a1", "status": 400, "error": mapping}
        return 200, {"took": 1, "errors": True, "items": [{"index": item}]}

    stub.answer = answer
    with pytest.raises(BulkIndexError) as caught:
        es.upsert([ART])
    assert caught.value.errors[0]["index"]["error"] == mapping
    assert [r.path for r in stub.requests].count("/_bulk") == 1  # a 400 is not retried


def test_delete_ignores_unknown_ids(stub: RecordingStub, es: ElasticIndex) -> None:
    es.delete(["a1", "missing"])
    bulk = stub.requests[-1]
    assert bulk.ndjson() == [
        {"delete": {"_index": ALIAS, "_id": "a1"}},
        {"delete": {"_index": ALIAS, "_id": "missing"}},
    ]


def test_clear_deletes_by_query_and_refreshes(stub: RecordingStub, es: ElasticIndex) -> None:
    es.clear()
    req = stub.requests[-1]
    assert (req.method, req.path) == ("POST", f"/{ALIAS}/_delete_by_query")
    assert req.params == {"conflicts": "proceed", "refresh": "true", "wait_for_completion": "true"}
    assert req.json() == {"query": {"match_all": {}}}


def test_drop_deletes_the_concrete_index(stub: RecordingStub, es: ElasticIndex) -> None:
    es.drop()
    req = stub.requests[-1]
    assert (req.method, req.path) == ("DELETE", f"/{ALIAS}-v1")
    assert req.params == {"ignore_unavailable": "true"}


def test_search_sends_the_built_body_and_reads_the_answer(
    stub: RecordingStub, es: ElasticIndex
) -> None:
    answer_body = search_answer(
        [
            hit("a1", [3.5, MS, "a1"], 3.5, highlight={"title": ["<b>Storm</b> &lt;i&gt;"]}),
            hit("a2", [1.5, MS, "a2"], 1.5),
        ],
        total=9,
        aggregations={
            "topic": {"buckets": [{"key": "weather", "doc_count": 9}]},
            "source": {"buckets": [{"key": "times", "doc_count": 3}]},
        },
    )
    stub.answer = lambda r: (200, answer_body) if r.path.endswith("/_search") else default_answer(r)
    answer_body["aggregations"]["asof"] = {"value": float(MS)}
    request = SearchRequest(q="storm", limit=1)
    result = es.search(request)
    req = stub.requests[-1]
    assert req.path == f"/{ALIAS}/_search"
    assert req.json() == eq.search_body(request, parse("storm"), None)
    assert result.total == 9
    assert [(h.id, h.score) for h in result.hits] == [("a1", 3.5)]
    assert result.hits[0].highlights == {"title": ["<b>Storm</b> &lt;i&gt;"]}
    assert "body" not in result.hits[0].article
    assert result.facets == {"topic": [("weather", 9)], "source": [("times", 3)]}
    assert result.next_cursor == encode_cursor(OffsetCursor(1, MS))
    es.search(replace(request, cursor=result.next_cursor))
    expected = eq.search_body(request, parse("storm"), OffsetCursor(1, MS))
    assert stub.requests[-1].json() == expected
    assert stub.requests[-1].json()["from"] == 1


def test_date_search_pages_with_search_after_in_a_point_in_time(
    stub: RecordingStub, es: ElasticIndex
) -> None:
    pages = {
        None: search_answer([hit("a3", [MS, "a3"]), hit("a2", [MS, "a2"])], total=5),
        "PIT1": search_answer(
            [hit("a2", [MS, "a2", 7]), hit("a1", [MS, "a1", 6])], total=5, pit_id="PIT2"
        ),
        "PIT2": search_answer([hit("a1", [MS, "a1", 6])], total=5, pit_id="PIT2"),
    }

    def answer(req: Recorded) -> Answer:
        if req.path.endswith("/_search"):
            return 200, pages[req.json().get("pit", {}).get("id")]
        return default_answer(req)

    stub.answer = answer
    request = SearchRequest(sort="date", limit=1, facets=())
    first = es.search(request)
    assert first.next_cursor == eq.date_cursor([MS, "a3"])
    assert first.hits[0].score == 0.0
    assert ("POST", f"/{ALIAS}/_pit") not in stub.calls()  # one page: no point in time needed

    second = es.search(replace(request, cursor=first.next_cursor))
    assert stub.calls()[-2:] == [("POST", f"/{ALIAS}/_pit"), ("POST", "/_search")]
    assert stub.requests[-2].params == {"keep_alive": "2m"}
    sent = stub.requests[-1].json()
    assert sent["pit"] == {"id": "PIT1", "keep_alive": "2m"}
    assert sent["search_after"] == [MS, "a3", 0]
    # The cursor carries the point in time the server handed back.
    assert decode_cursor(second.next_cursor or "", "date") == DateCursor(
        MS + eq.SORT_SHIFT, "a2", "PIT2"
    )

    last = es.search(replace(request, cursor=second.next_cursor))
    assert last.next_cursor is None and [h.id for h in last.hits] == ["a1"]
    assert stub.calls()[-1] == ("DELETE", "/_pit")  # closed after the last page
    assert stub.requests[-1].json() == {"id": "PIT2"}


def test_expired_point_in_time_is_reopened(stub: RecordingStub, es: ElasticIndex) -> None:
    missing = {"type": "search_context_missing_exception", "reason": "No search context"}

    def answer(req: Recorded) -> Answer:
        if req.path == "/_search" and req.json()["pit"]["id"] == "OLD":
            return 404, {"error": {"root_cause": [missing], **missing}, "status": 404}
        if req.path == "/_search":
            return 200, search_answer([hit("a1", [MS, "a1", 3])], total=1, pit_id="PIT1")
        return default_answer(req)

    stub.answer = answer
    cursor = encode_cursor(DateCursor(MS + eq.SORT_SHIFT, "a2", "OLD"))
    result = es.search(SearchRequest(sort="date", limit=5, facets=(), cursor=cursor))
    assert [h.id for h in result.hits] == ["a1"]
    searches = [r.json() for r in stub.requests if r.path == "/_search"]
    assert [b["pit"]["id"] for b in searches] == ["OLD", "PIT1"]
    assert searches[1]["search_after"] == [MS, "a2", 0]


def test_query_errors_from_the_server_are_query_errors(
    stub: RecordingStub, es: ElasticIndex
) -> None:
    failure = {"type": "query_shard_exception", "reason": "too many clauses"}
    bad = {"error": {"root_cause": [failure], "type": "search_phase_execution_exception"}}
    stub.answer = lambda r: (400, {**bad, "status": 400}) if "_search" in r.path else (200, None)
    with pytest.raises(QueryError, match="too many clauses"):
        es.search(SearchRequest(q="budget"))


def test_collapsed_results_read_story_sizes_and_story_count(
    stub: RecordingStub, es: ElasticIndex
) -> None:
    inner = {"story": {"hits": {"total": {"value": 3, "relation": "eq"}, "hits": []}}}
    answer_body = search_answer(
        [hit("a1", [2.0, MS, "a1"], 2.0, inner_hits=inner), hit("a2", [1.0, MS, "a2"], 1.0)],
        total=9,
        aggregations={
            "stories": {"value": 4},
            "asof": {"value": float(MS)},
            "histogram": {
                "buckets": [
                    {"key_as_string": "2024-03-01T00:00:00.000Z", "key": MS, "doc_count": 2},
                    {"key_as_string": "2024-03-03T00:00:00.000Z", "key": MS, "doc_count": 1},
                ]
            },
        },
    )
    stub.answer = lambda r: (200, answer_body) if r.path.endswith("/_search") else default_answer(r)
    request = SearchRequest(q="storm", limit=1, collapse=True, histogram=True, facets=())
    result = es.search(request)
    assert result.total == 4  # stories, not articles
    assert [(h.id, h.cluster_size) for h in result.hits] == [("a1", 3)]
    assert result.histogram == [("2024-03-01", 2), ("2024-03-02", 0), ("2024-03-03", 1)]
    assert result.next_cursor == encode_cursor(OffsetCursor(1, MS), "relevance+collapse")


def test_more_like_this_and_trends_go_to_the_alias(stub: RecordingStub, es: ElasticIndex) -> None:
    day = {"key_as_string": "2024-03-01T00:00:00.000Z", "key": MS, "doc_count": 2}
    trends = {"top": {"buckets": [{"key": "acme", "doc_count": 2, "days": {"buckets": [day]}}]}}

    def answer(req: Recorded) -> Answer:
        if not req.path.endswith("/_search"):
            return default_answer(req)
        if "more_like_this" in json.dumps(req.json()):
            return 200, search_answer([hit("a2", [1.0])], total=1)
        return 200, search_answer([], total=0, aggregations=trends)

    stub.answer = answer
    assert [a["id"] for a in es.more_like_this("a1", limit=3)] == ["a2"]
    assert stub.requests[-1].json() == eq.more_like_this_body(ALIAS, "a1", 3)
    assert es.trends(SearchRequest(q="storm"), "entity", 2) == {"acme": [("2024-03-01", 2)]}
    assert stub.requests[-1].json() == eq.trends_body(SearchRequest(), parse("storm"), "entity", 2)
    with pytest.raises(QueryError):
        es.trends(SearchRequest(), "colour")


def test_rebuild_loads_a_new_index_and_switches_the_alias(
    stub: RecordingStub, es: ElasticIndex
) -> None:
    batches = [[ART, {**ART, "id": "b"}], [{**ART, "id": "c"}]]
    assert es.rebuild(iter(batches)) == 3
    assert stub.calls() == [
        ("PUT", f"/_index_template/{ALIAS}"),
        ("GET", f"/_alias/{ALIAS}"),
        ("PUT", f"/{ALIAS}-v2"),
        ("PUT", "/_bulk"),
        ("PUT", "/_bulk"),
        ("PUT", f"/{ALIAS}-v2/_settings"),
        ("POST", f"/{ALIAS}-v2/_refresh"),
        ("POST", "/_aliases"),
        ("DELETE", f"/{ALIAS}-v1"),
    ]
    assert stub.requests[2].json() == eq.rebuild_body()
    bulks = [r for r in stub.requests if r.path == "/_bulk"]
    assert all(b.params == {"refresh": "false"} for b in bulks)  # refreshes are off: no wait_for
    assert bulks[0].ndjson()[0] == {"index": {"_index": f"{ALIAS}-v2", "_id": "a1"}}
    assert stub.requests[5].json() == eq.serving_settings()
    assert stub.requests[7].json() == eq.alias_switch(ALIAS, [f"{ALIAS}-v1"], f"{ALIAS}-v2")


def test_failed_rebuild_deletes_its_index_and_keeps_the_alias(
    stub: RecordingStub, es: ElasticIndex
) -> None:
    def broken() -> Iterator[list[dict[str, Any]]]:
        yield [ART]
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError):
        es.rebuild(broken())
    assert ("POST", "/_aliases") not in stub.calls()
    assert stub.calls()[-1] == ("DELETE", f"/{ALIAS}-v2")


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(limit=0),
        SearchRequest(limit=101),
        SearchRequest(facets=("author",)),
        SearchRequest(q="x", sort="date", cursor="garbage"),
        SearchRequest(q="x", cursor=encode_cursor(DateCursor(1, "a"))),  # a date cursor
        SearchRequest(sort="date", cursor=encode_cursor(DateCursor(2**64, "a"))),
        SearchRequest(q="published:someday"),
        SearchRequest(q="x", collapse=True, cursor=encode_cursor(OffsetCursor(5))),
    ],
)
def test_invalid_requests_fail_before_any_io(
    stub: RecordingStub, es: ElasticIndex, request_: SearchRequest
) -> None:
    with pytest.raises(QueryError):
        es.search(request_)
    assert stub.requests == []


def test_recent_returns_display_records(stub: RecordingStub, es: ElasticIndex) -> None:
    answer_body = search_answer([hit("a2", [MS, "a2"])], total=1)
    stub.answer = lambda r: (200, answer_body) if r.path.endswith("/_search") else default_answer(r)
    assert [a["id"] for a in es.recent(topic="tech", limit=500)] == ["a2"]
    assert stub.requests[-1].json() == eq.recent_body("tech", 100)


def test_health_reports_cluster_and_count(stub: RecordingStub, es: ElasticIndex) -> None:
    assert es.health() == {
        "backend": "elasticsearch",
        "index": ALIAS,
        "status": "ok",
        "cluster": "stub",
        "cluster_status": "yellow",
        "documents": 7,
    }
    stub.answer = lambda r: (
        (200, {"cluster_name": "stub", "status": "red"})
        if r.path == "/_cluster/health"
        else default_answer(r)
    )
    health = es.health()
    assert health["status"] == "error" and health["cluster_status"] == "red"


def test_health_never_raises_when_nothing_listens() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before use: connections are refused
    index = ElasticIndex(f"http://127.0.0.1:{port}", ALIAS)
    health = index.health()
    index.close()
    assert health["status"] == "error" and health["backend"] == "elasticsearch"
    assert health["error"]


def test_read_only_index_refuses_writes(stub: RecordingStub) -> None:
    reader = ElasticIndex(stub.url, ALIAS, writable=False)
    for write in (lambda: reader.upsert([ART]), lambda: reader.delete(["a1"]), reader.clear):
        with pytest.raises(IndexReadOnlyError):
            write()
    reader.close()
    assert stub.requests == []


# -- open_index ------------------------------------------------------------------------------


def test_open_index_needs_the_server_url(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, index_backend="elasticsearch")
    with pytest.raises(ValueError, match="TIDINGS_ES_URL"):
        open_index(settings)
    index = open_index(replace(settings, es_url="http://127.0.0.1:9", es_index="news"))
    try:
        assert isinstance(index, ElasticIndex)
        assert (index.url, index.alias, index.writable) == ("http://127.0.0.1:9", "news", False)
    finally:
        index.close()


def test_unreachable_cluster_is_index_unavailable_not_a_crash() -> None:
    """A closed loopback port stands for a cluster that went away: 503 material, not a 500."""
    import socket

    from tidings.core.index.base import IndexUnavailable, SearchRequest
    from tidings.core.index.elastic import ElasticIndex

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    index = ElasticIndex(f"http://127.0.0.1:{port}", max_retries=0, request_timeout=2)
    try:
        with pytest.raises(IndexUnavailable, match="unreachable"):
            index.search(SearchRequest(q="chips"))
    finally:
        index.close()


def test_credentials_in_the_url_never_reach_messages() -> None:
    from tidings.core.index.elastic import redacted

    assert redacted("http://elastic:s3cret@es:9200/") == "http://elastic:***@es:9200/"
    assert redacted("http://localhost:9200") == "http://localhost:9200"
    index = ElasticIndex("http://elastic:s3cret@127.0.0.1:9", ALIAS)
    try:
        assert "s3cret" not in index.url and "s3cret" not in json.dumps(index.health())
    finally:
        index.close()
