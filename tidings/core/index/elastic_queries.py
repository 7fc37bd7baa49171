"""Request bodies for the Elasticsearch backend, built by pure functions.

Kept apart from the I/O in :mod:`tidings.core.index.elastic` so that the exact mappings,
queries and bulk actions can be asserted without a server (none runs on the build machines).
Every choice here mirrors the embedded backend's observable behaviour: all words required,
user query syntax with a plain-words fallback, escaped highlights, facets over all matches and
a date cursor that is exact on ties.
"""

from __future__ import annotations

import copy
import html
import re
from datetime import UTC, datetime
from typing import Any

from tidings.core.article import parse_iso
from tidings.core.index.base import QueryError, SearchRequest
from tidings.core.index.cursor import MAX_OFFSET, DateCursor, OffsetCursor, encode_cursor

#: Fields of the record returned for display (the body is searched and highlighted, not returned).
DISPLAY_FIELDS = (
    "id", "url", "canonical_url", "title", "summary", "source", "authors", "published_at",
    "updated_at", "date_source", "language", "image_url", "topics", "entities", "cluster_id",
    "model_version", "word_count",
)  # fmt: skip
#: Full-text fields and boosts (title counts double, as in the embedded backend).
QUERY_FIELDS = ["title^2", "body", "summary"]
#: Facet name in the API -> keyword field in the index.
FACET_FIELDS = {"topic": "topics", "source": "source"}
#: Fields a user may name in query syntax (``title:storm``, ``topics:tech``); others are words.
USER_FIELDS = frozenset({"title", "body", "summary", "topics", "source", "entities", "language"})
FACET_SIZE = 20
MAX_LIMIT = 100
HIGHLIGHT_CHARS = 200
#: Characters analysed per field for highlighting; past it, text is just not highlighted.
HIGHLIGHT_MAX_OFFSET = 1_000_000
#: ``from + size`` must fit in ``index.max_result_window`` for the deepest relevance page.
MAX_RESULT_WINDOW = MAX_OFFSET + MAX_LIMIT + 1
#: Shift that maps a signed 64-bit sort value (epoch ms, or Long.MIN_VALUE for "no date") onto
#: the non-negative ``DateCursor.key`` of the shared cursor format.
SORT_SHIFT = 2**63

DATE_SORT: list[dict[str, Any]] = [
    {"published": {"order": "desc", "missing": "_last"}},
    {"id": {"order": "desc"}},
]
RELEVANCE_SORT: list[dict[str, Any]] = [{"_score": {"order": "desc"}}, *DATE_SORT]

_WORD = re.compile(r"\w+", re.UNICODE)
_UNESCAPED_COLON = re.compile(r"(?<!\\):")
_FIELD_TOKEN = re.compile(r"[^\s()\"+\-!]*$")
_UNESCAPED_SLASH = re.compile(r"(?<!\\)/")
_MARK = re.compile(r"(</?b>)")


def concrete_index(alias: str) -> str:
    """Name of the first concrete index behind ``alias`` (a reindex would create ``-v2``)."""
    return f"{alias}-v1"


def index_body(alias: str) -> dict[str, Any]:
    """Settings, mappings and alias for :func:`concrete_index` (``indices.create`` kwargs).

    One shard keeps BM25 statistics and facet counts exact (per-shard statistics would make
    scores, and so relevance pages, depend on routing) and is ample for a million articles.
    ``dynamic: strict`` makes a record the code did not expect fail loudly instead of growing
    the mapping. ``doc`` carries the display fields and is stored but not indexed; no feature
    sorts or aggregates on a text field, so no ``keyword`` sub-fields are needed.
    """
    english = {"type": "text", "analyzer": "english"}
    keyword = {"type": "keyword"}
    return {
        "settings": {
            "index": {
                "number_of_shards": 1,
                "auto_expand_replicas": "0-1",
                "max_result_window": MAX_RESULT_WINDOW,
            }
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "id": keyword,
                # Offsets in the postings let the unified highlighter skip re-analysis.
                "title": {**english, "index_options": "offsets"},
                "body": {**english, "index_options": "offsets"},
                "summary": english,
                "topics": keyword,
                "source": keyword,
                "entities": keyword,
                "language": keyword,
                "cluster_id": keyword,
                "published": {"type": "date", "format": "strict_date_optional_time||epoch_millis"},
                "doc": {"type": "object", "enabled": False},
            },
        },
        "aliases": {alias: {"is_write_index": True}},
    }


# -- documents and bulk actions ---------------------------------------------------------------


def published(article: dict[str, Any]) -> datetime | None:
    """The date an article sorts and filters by: ``published_at``, else ``fetched_at``."""
    for key in ("published_at", "fetched_at"):
        try:
            value = parse_iso(article.get(key))
        except (TypeError, ValueError, AttributeError):
            value = None
        if value is not None:
            return value
    return None


def _topic_ids(article: dict[str, Any]) -> list[str]:
    out = []
    for topic in article.get("topics") or []:
        value = topic if isinstance(topic, str) else (topic or {}).get("id")
        if isinstance(value, str) and value:
            out.append(value)
    return out


def document(article: dict[str, Any]) -> dict[str, Any]:
    """The indexed form of an article: searchable fields plus the display record in ``doc``."""
    aid = str(article["id"])
    source = article.get("source")
    source_id = source.get("id") if isinstance(source, dict) else source
    entities = [
        str(e["key"]) for e in article.get("entities") or [] if isinstance(e, dict) and e.get("key")
    ]
    out: dict[str, Any] = {
        "id": aid,
        "title": str(article.get("title") or ""),
        "body": str(article.get("body") or ""),
        "summary": str(article.get("summary") or ""),
        "topics": _topic_ids(article),
        "entities": entities,
        "cluster_id": str(article.get("cluster_id") or aid),
        "doc": {name: article.get(name) for name in DISPLAY_FIELDS},
    }
    if source_id:
        out["source"] = str(source_id)
    if article.get("language"):
        out["language"] = str(article["language"])
    when = published(article)
    if when is not None:
        out["published"] = when.isoformat()
    return out


def upsert_actions(alias: str, articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``helpers.bulk`` index actions; of duplicate ids in one batch only the last is sent.

    Deduplicating here (rather than relying on bulk order) keeps "last one wins" true even when
    some items are retried after a 429, which reorders them.
    """
    last: dict[str, dict[str, Any]] = {}
    for article in articles:
        last.pop(str(article["id"]), None)
        last[str(article["id"])] = article
    return [
        {"_op_type": "index", "_index": alias, "_id": aid, "_source": document(article)}
        for aid, article in last.items()
    ]


def delete_actions(alias: str, ids: list[str]) -> list[dict[str, Any]]:
    """``helpers.bulk`` delete actions (a missing id answers 404, which the caller ignores)."""
    return [{"_op_type": "delete", "_index": alias, "_id": str(aid)} for aid in dict.fromkeys(ids)]


# -- queries ----------------------------------------------------------------------------------


def syntax_allowed(q: str) -> bool:
    """Whether every field the query names is one users may search.

    Anything else (``id:``, ``doc.title:``, ``_exists_:``, ``ti*:``) makes the whole query plain
    words, as the embedded backend treats its internal field names.
    """
    for match in _UNESCAPED_COLON.finditer(q):
        token = _FIELD_TOKEN.search(q[: match.start()].rstrip())
        if token is None or token.group() not in USER_FIELDS:
            return False
    return True


def parsed_query(q: str) -> dict[str, Any]:
    """The user's query syntax (AND/OR/NOT, ``"phrases"``, ``field:word``), all words required.

    ``query_string`` rather than ``simple_query_string``: only it understands ``OR`` and field
    prefixes, which the embedded backend accepts. ``/`` is escaped so no regular expression
    query (costly, and unknown to the embedded backend) can be written.
    """
    return {
        "query_string": {
            "query": _UNESCAPED_SLASH.sub(r"\\/", q),
            "fields": list(QUERY_FIELDS),
            "default_operator": "AND",
            "lenient": True,
            "allow_leading_wildcard": False,
        }
    }


def literal_query(q: str) -> dict[str, Any]:
    """The query's words only, all required: the fallback when its syntax is malformed."""
    words = [w.lower() for w in _WORD.findall(q)]  # lower case: no AND/OR/NOT operators
    if not words:
        return {"match_none": {}}
    return {
        "simple_query_string": {
            "query": " ".join(words),
            "fields": list(QUERY_FIELDS),
            "default_operator": "AND",
        }
    }


def text_query(q: str) -> dict[str, Any]:
    """First query to try for ``q``: all documents, the user's syntax, or plain words."""
    if not q.strip():
        return {"match_all": {}}
    return parsed_query(q) if syntax_allowed(q) else literal_query(q)


def _utc_iso(value: datetime) -> str:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat()


def filters(request: SearchRequest) -> list[dict[str, Any]]:
    """Non-scoring filter clauses: any of the topics, any of the sources, inclusive dates."""
    out: list[dict[str, Any]] = []
    if request.topics:
        out.append({"terms": {"topics": list(request.topics)}})
    if request.sources:
        out.append({"terms": {"source": list(request.sources)}})
    if request.date_from or request.date_to:
        bounds: dict[str, Any] = {}
        if request.date_from:
            bounds["gte"] = _utc_iso(request.date_from)
        if request.date_to:
            bounds["lte"] = _utc_iso(request.date_to)
        bounds["format"] = "strict_date_optional_time"
        out.append({"range": {"published": bounds}})
    return out


def bool_query(text: dict[str, Any], clauses: list[dict[str, Any]]) -> dict[str, Any]:
    """The text query scored, the filters not."""
    return {"bool": {"must": [text], "filter": clauses}}


def highlight_body() -> dict[str, Any]:
    """Highlight title and body: article text HTML-escaped by the server, matches in ``<b>``."""
    return {
        "pre_tags": ["<b>"],
        "post_tags": ["</b>"],
        "encoder": "html",
        "max_analyzed_offset": HIGHLIGHT_MAX_OFFSET,
        "fields": {
            "title": {"number_of_fragments": 0},
            "body": {"fragment_size": HIGHLIGHT_CHARS, "number_of_fragments": 1},
        },
    }


def validate(request: SearchRequest) -> None:
    """Reject what cannot be run before any request is sent (QueryError → HTTP 400)."""
    if not 1 <= request.limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
    unknown = set(request.facets) - set(FACET_FIELDS)
    if unknown:
        raise QueryError(f"unknown facet(s): {', '.join(sorted(unknown))}")
    if request.sort not in ("relevance", "date"):
        raise QueryError("sort must be 'relevance' or 'date'")


def by_date(request: SearchRequest) -> bool:
    """Date order for ``sort=date`` and for an empty query (nothing to rank by)."""
    return request.sort == "date" or not request.q.strip()


def search_after(cursor: DateCursor) -> list[Any]:
    """The ``search_after`` values a date cursor stands for."""
    value = cursor.key - SORT_SHIFT
    if not -(2**63) <= value < 2**63:
        raise QueryError("invalid cursor")
    return [value, cursor.id]


def date_cursor(sort_values: list[Any]) -> str:
    """The opaque cursor (shared format) after a hit with these date-sort values."""
    return encode_cursor(DateCursor(int(sort_values[0]) + SORT_SHIFT, str(sort_values[1])))


def search_body(
    request: SearchRequest,
    text: dict[str, Any],
    cursor: DateCursor | OffsetCursor | None,
) -> dict[str, Any]:
    """The ``_search`` body for a request, with ``text`` as its (already chosen) text query.

    One more hit than the page is asked for, to know whether a next page exists.
    """
    body: dict[str, Any] = {
        "query": bool_query(text, filters(request)),
        "size": request.limit + 1,
        "track_total_hits": True,
        "_source": ["doc"],
    }
    if by_date(request):
        body["sort"] = copy.deepcopy(DATE_SORT)
        if isinstance(cursor, DateCursor):
            body["search_after"] = search_after(cursor)
    else:
        body["sort"] = copy.deepcopy(RELEVANCE_SORT)
        body["track_scores"] = True
        if isinstance(cursor, OffsetCursor) and cursor.offset:
            body["from"] = cursor.offset
    if request.facets:
        body["aggs"] = {
            name: {"terms": {"field": FACET_FIELDS[name], "size": FACET_SIZE}}
            for name in request.facets
        }
    if request.highlight and request.q.strip():
        body["highlight"] = highlight_body()
    return body


def recent_body(topic: str | None, limit: int) -> dict[str, Any]:
    """The ``_search`` body for the newest articles, optionally in one topic."""
    query: dict[str, Any] = (
        {"bool": {"filter": [{"term": {"topics": topic}}]}} if topic else {"match_all": {}}
    )
    return {
        "query": query,
        "size": limit,
        "sort": copy.deepcopy(DATE_SORT),
        "track_total_hits": False,
        "_source": ["doc"],
    }


# -- responses --------------------------------------------------------------------------------


def clean_fragment(fragment: str) -> str:
    """A server highlight re-escaped exactly as the embedded backend escapes (``html.escape``).

    The server's HTML encoder also escapes ``/`` and ``'`` as numeric entities; the text between
    our ``<b>`` marks is unescaped and escaped again so both backends return identical HTML.
    Any ``<b>`` left in the fragment is ours: the encoder escaped every ``<`` of the article.
    """
    out = []
    for part in _MARK.split(fragment):
        out.append(part if part in ("<b>", "</b>") else html.escape(html.unescape(part)))
    return "".join(out)


def facets(response: dict[str, Any], names: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
    """Facet counts by count desc, then value (the embedded backend's order)."""
    aggs = response.get("aggregations") or {}
    out: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        buckets = (aggs.get(name) or {}).get("buckets") or []
        pairs = [(str(b["key"]), int(b["doc_count"])) for b in buckets]
        out[name] = sorted(pairs, key=lambda p: (-p[1], p[0]))
    return out
