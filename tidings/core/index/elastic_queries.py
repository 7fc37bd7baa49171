"""Request bodies for the Elasticsearch backend, built by pure functions.

Kept apart from the I/O in :mod:`tidings.core.index.elastic` so that the exact mappings,
queries and bulk actions can be asserted without a server (none runs on the build machines).
Every choice here mirrors the embedded backend's observable behaviour: the same query language
(compiled by :mod:`tidings.core.index.elastic_query_language`), highlights as match spans,
facets and day histograms over all matches, the same recency curve, and a date cursor that is
exact on ties.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

from tidings.core.article import article_date, entity_keys, group_keys, source_id, topic_ids
from tidings.core.index import buckets
from tidings.core.index.base import (
    DISPLAY_FIELDS,
    FACET_SIZE,
    FACETS,
    HIGHLIGHT_CHARS,
    KEYWORD_FIELDS,
    MAX_LIMIT,
    Highlight,
    QueryError,
    SearchRequest,
)
from tidings.core.index.cursor import (
    MAX_OFFSET,
    DateCursor,
    OffsetCursor,
    encode_cursor,
    request_mode,
)
from tidings.core.index.elastic_query_language import compile_query
from tidings.core.index.query_language import Node

#: How long an idle point in time stays open between two pages of a date-sorted listing.
PIT_KEEP_ALIVE = "2m"
#: Recency boost: score × (FLOOR + (1 - FLOOR) · 0.5^(age / HALF_LIFE)), as the embedded backend.
RECENCY_FLOOR = 0.3
RECENCY_HALF_LIFE = "30d"
DAY_HISTOGRAM: dict[str, Any] = {
    "date_histogram": {"field": "published", "fixed_interval": "1d", "min_doc_count": 1}
}
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

_VERSION = re.compile(r"-v(\d+)\Z")
#: Around each match the server writes these private-use characters (its ``default``
#: encoder escapes nothing), which :func:`highlight_of` turns into spans of plain text.
PRE_MARK, POST_MARK = "\ue000", "\ue001"
_MARKED = re.compile(f"{PRE_MARK}([^{PRE_MARK}{POST_MARK}]*){POST_MARK}")


def concrete_index(alias: str, version: int = 1) -> str:
    """Name of a concrete index behind ``alias``: ``-v1`` first, each rebuild the next number."""
    return f"{alias}-v{version}"


def next_concrete_index(alias: str, existing: list[str]) -> str:
    """The concrete index a rebuild fills: one version past every index behind the alias."""
    versions = [
        int(m.group(1))
        for name in existing
        if name.startswith(f"{alias}-v") and (m := _VERSION.search(name))
    ]
    return concrete_index(alias, max(versions, default=0) + 1)


#: The analyzer every text field uses, defined per index by :func:`text_analysis`.
TEXT_ANALYZER = "tidings_text"


#: Hunspell's English dictionary, for clusters whose node has ``config/hunspell/en_US``.
HUNSPELL_EN: dict[str, Any] = {"type": "hunspell", "locale": "en_US", "dedup": True}


def text_analysis(stemmer: str = "english") -> dict[str, Any]:
    """The ``analysis`` settings that define :data:`TEXT_ANALYZER`.

    ``english`` is Elasticsearch's English analyzer (what the embedded index's English stemmer
    matches). Clusters without the ``analysis-common`` module (Elastic's integ-test build) have
    neither it nor any algorithmic stemmer, but the server's own ``hunspell`` filter stems with
    a dictionary (``hunspell``); ``none`` keeps the same chain unstemmed rather than failing.
    """
    if stemmer == "english":
        return {"analyzer": {TEXT_ANALYZER: {"type": "english"}}}
    chain: list[Any] = ["lowercase", "stop"]
    if stemmer == "hunspell":
        chain.append("tidings_hunspell_en")
    analyzer = {"type": "custom", "tokenizer": "standard", "filter": chain}
    analysis: dict[str, Any] = {"analyzer": {TEXT_ANALYZER: analyzer}}
    if stemmer == "hunspell":
        analysis["filter"] = {"tidings_hunspell_en": HUNSPELL_EN}
    return analysis


def index_settings(stemmer: str = "english") -> dict[str, Any]:
    """Index settings for searching (see :func:`index_body` for why one shard)."""
    return {
        "number_of_shards": 1,
        "auto_expand_replicas": "0-1",
        "max_result_window": MAX_RESULT_WINDOW,
        "analysis": text_analysis(stemmer),
    }


def mappings() -> dict[str, Any]:
    """Field mappings: English-analysed text with keyword sub-fields, keywords, dates.

    ``dynamic: strict`` makes a record the code did not expect fail loudly instead of growing
    the mapping. ``doc`` carries the display fields and is stored but not indexed.
    ``title.raw`` (exact title, e.g. for dedup checks or sorting) is the keyword sub-field.
    """
    english = {"type": "text", "analyzer": TEXT_ANALYZER}
    keyword = {"type": "keyword"}
    return {
        "dynamic": "strict",
        "properties": {
            "id": keyword,
            # Offsets in the postings let the unified highlighter skip re-analysis.
            "title": {
                **english,
                "index_options": "offsets",
                "fields": {"raw": {"type": "keyword", "ignore_above": 512}},
            },
            "body": {**english, "index_options": "offsets"},
            "summary": english,
            "topics": keyword,
            "source": keyword,
            "entities": keyword,
            "language": keyword,
            "cluster_id": keyword,
            "story_id": keyword,
            "published": {"type": "date", "format": "strict_date_optional_time||epoch_millis"},
            "indexed_at": {"type": "date", "format": "strict_date_optional_time||epoch_millis"},
            "doc": {"type": "object", "enabled": False},
        },
    }


#: Keyword fields added to the mappings after indexes were first made (mapped onto old ones).
ADDED_KEYWORDS = ("story_id",)


def added_fields() -> dict[str, Any]:
    """``indices.put_mapping`` kwargs adding :data:`ADDED_KEYWORDS` to an existing index."""
    return {"properties": {name: {"type": "keyword"} for name in ADDED_KEYWORDS}}


def index_template(alias: str, stemmer: str = "english") -> dict[str, Any]:
    """``indices.put_index_template`` kwargs: every ``<alias>-v*`` index gets the mappings.

    So an index an operator creates by hand (or a rebuild) is never dynamically mapped.
    """
    return {
        "name": alias,
        "index_patterns": [f"{alias}-v*"],
        "priority": 200,
        "template": {"settings": {"index": index_settings(stemmer)}, "mappings": mappings()},
        "meta": {"managed_by": "tidings"},
    }


def index_body(alias: str, stemmer: str = "english") -> dict[str, Any]:
    """Settings, mappings and alias for :func:`concrete_index` (``indices.create`` kwargs).

    One shard keeps BM25 statistics and facet counts exact (per-shard statistics would make
    scores, and so relevance pages, depend on routing) and is ample for a million articles.
    The body repeats the template so the index is right even if the template was removed.
    """
    return {
        "settings": {"index": index_settings(stemmer)},
        "mappings": mappings(),
        "aliases": {alias: {"is_write_index": True}},
    }


def rebuild_body(stemmer: str = "english") -> dict[str, Any]:
    """``indices.create`` kwargs for a rebuild: no alias yet, no refreshes, no replicas.

    Bulk loading into an index nobody searches is fastest without refreshes and replica copies;
    :func:`serving_settings` turns both back on before the alias moves to it.
    """
    settings = {
        **index_settings(stemmer),
        "auto_expand_replicas": False,
        "number_of_replicas": 0,
        "refresh_interval": "-1",
    }
    return {"settings": {"index": settings}, "mappings": mappings()}


def serving_settings() -> dict[str, Any]:
    """``indices.put_settings`` body that makes a rebuilt index ready to serve."""
    return {"index": {"refresh_interval": None, "auto_expand_replicas": "0-1"}}


def alias_switch(alias: str, old: list[str], new: str) -> dict[str, Any]:
    """``_aliases`` actions that move ``alias`` from ``old`` to ``new`` in one atomic step."""
    actions: list[dict[str, Any]] = [
        {"remove": {"index": name, "alias": alias}} for name in sorted(old)
    ]
    actions.append({"add": {"index": new, "alias": alias, "is_write_index": True}})
    return {"actions": actions}


# -- documents and bulk actions ---------------------------------------------------------------


def document(article: dict[str, Any], indexed_at: datetime | None = None) -> dict[str, Any]:
    """The indexed form of an article: searchable fields plus the display record in ``doc``.

    ``indexed_at`` (default: now) lets relevance pages leave out later arrivals.
    """
    aid = str(article["id"])
    out: dict[str, Any] = {
        "id": aid,
        "title": str(article.get("title") or ""),
        "body": str(article.get("body") or ""),
        "summary": str(article.get("summary") or ""),
        "topics": topic_ids(article),
        "entities": entity_keys(article),
        **group_keys(article),
        "indexed_at": _utc_iso(indexed_at or datetime.now(UTC)),
        "doc": {name: article.get(name) for name in DISPLAY_FIELDS},
    }
    if source := source_id(article):
        out["source"] = source
    if article.get("language"):
        out["language"] = str(article["language"])
    when = article_date(article)
    if when is not None:
        out["published"] = when.isoformat()
    return out


def upsert_actions(
    alias: str, articles: list[dict[str, Any]], indexed_at: datetime | None = None
) -> list[dict[str, Any]]:
    """``helpers.bulk`` index actions; of duplicate ids in one batch only the last is sent.

    Deduplicating here (rather than relying on bulk order) keeps "last one wins" true even when
    some items are retried after a 429, which reorders them.
    """
    last: dict[str, dict[str, Any]] = {}
    for article in articles:
        last.pop(str(article["id"]), None)
        last[str(article["id"])] = article
    when = indexed_at or datetime.now(UTC)
    return [
        {"_op_type": "index", "_index": alias, "_id": aid, "_source": document(article, when)}
        for aid, article in last.items()
    ]


def delete_actions(alias: str, ids: list[str]) -> list[dict[str, Any]]:
    """``helpers.bulk`` delete actions (a missing id answers 404, which the caller ignores)."""
    return [{"_op_type": "delete", "_index": alias, "_id": str(aid)} for aid in dict.fromkeys(ids)]


# -- queries ----------------------------------------------------------------------------------


def _utc_iso(value: datetime) -> str:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat()


def filters(request: SearchRequest) -> list[dict[str, Any]]:
    """Non-scoring filter clauses: any of each list's values, inclusive dates."""
    out: list[dict[str, Any]] = [
        {"terms": {facet.index_field: list(values)}}
        for facet in FACETS
        if (values := request.values(facet))
    ]
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


def recency_boosted(query: dict[str, Any]) -> dict[str, Any]:
    """``query``'s score × (FLOOR + (1 - FLOOR) × 0.5^(age / HALF_LIFE)): newer ranks higher."""
    decay = {"published": {"origin": "now", "scale": RECENCY_HALF_LIFE, "decay": 0.5}}
    return {
        "function_score": {
            "query": query,
            "functions": [
                {"exp": decay, "weight": 1.0 - RECENCY_FLOOR},
                {"weight": RECENCY_FLOOR},
            ],
            "score_mode": "sum",
            "boost_mode": "multiply",
        }
    }


def highlight_body() -> dict[str, Any]:
    """Highlight the whole title and the best body passage, matches between marks."""
    return {
        "pre_tags": [PRE_MARK],
        "post_tags": [POST_MARK],
        "encoder": "default",
        "max_analyzed_offset": HIGHLIGHT_MAX_OFFSET,
        "fields": {
            "title": {"number_of_fragments": 0},
            "body": {"fragment_size": HIGHLIGHT_CHARS, "number_of_fragments": 1},
        },
    }


def by_date(request: SearchRequest) -> bool:
    """Date order for ``sort=date`` and for an empty query (nothing to rank by)."""
    return request.sort == "date" or not request.q.strip()


def mode(request: SearchRequest) -> str:
    """The cursor mode of a request (see :func:`tidings.core.index.cursor.request_mode`)."""
    return request_mode(request, by_date(request))


def search_after(cursor: DateCursor) -> list[Any]:
    """The ``search_after`` values a date cursor stands for."""
    value = cursor.key - SORT_SHIFT
    if not -(2**63) <= value < 2**63:
        raise QueryError("invalid cursor")
    return [value, cursor.id]


def date_cursor(sort_values: list[Any], pit: str | None, mode: str) -> str:
    """The opaque cursor (shared format, for the request's ``mode``) after a hit with these
    date-sort values."""
    key = int(sort_values[0]) + SORT_SHIFT
    return encode_cursor(DateCursor(key, str(sort_values[1]), pit), mode)


def search_body(
    request: SearchRequest,
    tree: Node | None,
    cursor: DateCursor | OffsetCursor | None,
    pit: str | None = None,
) -> dict[str, Any]:
    """The ``_search`` body for a request whose query parsed to ``tree``.

    One more hit than the page is asked for, to know whether a next page exists. Date pages
    continue with ``search_after`` inside a point in time (``pit``: then the request names no
    index, and ``_shard_doc`` completes the sort as Elasticsearch requires); relevance and
    collapsed pages continue by offset among the articles indexed up to the first page's
    newest (``asof``), which the first page asks for with a ``max`` aggregation.
    """
    clauses = filters(request)
    offset_paged = not by_date(request) or request.collapse_field is not None
    if isinstance(cursor, OffsetCursor) and cursor.asof is not None:
        clauses.append({"range": {"indexed_at": {"lte": cursor.asof, "format": "epoch_millis"}}})
    query = bool_query(compile_query(tree), clauses)
    if request.recency_boost and not by_date(request):
        query = recency_boosted(query)
    body: dict[str, Any] = {
        "query": query,
        "size": request.limit + 1,
        "track_total_hits": True,
        "_source": ["doc"],
    }
    aggs: dict[str, Any] = {
        name: {"terms": {"field": KEYWORD_FIELDS[name], "size": FACET_SIZE}}
        for name in request.facets
    }
    if by_date(request):
        body["sort"] = copy.deepcopy(DATE_SORT)
    else:
        body["sort"] = copy.deepcopy(RELEVANCE_SORT)
        body["track_scores"] = True
    if offset_paged:
        if isinstance(cursor, OffsetCursor) and cursor.offset:
            body["from"] = cursor.offset
        if cursor is None:
            aggs["asof"] = {"max": {"field": "indexed_at"}}
    elif isinstance(cursor, DateCursor):
        body["search_after"] = search_after(cursor)
        if pit:
            body["search_after"].append(0)  # (published, id) is unique: any tiebreak value
    if pit:
        body["pit"] = {"id": pit, "keep_alive": PIT_KEEP_ALIVE}
        body["sort"].append({"_shard_doc": "desc"})
    if request.collapse_field:
        group = request.collapse_field
        body["collapse"] = {"field": group, "inner_hits": {"name": "group", "size": 0}}
        aggs["groups"] = {"cardinality": {"field": group}}
    if request.histogram:
        aggs["histogram"] = copy.deepcopy(DAY_HISTOGRAM)
    if aggs:
        body["aggs"] = aggs
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


def more_like_this_body(alias: str, article_id: str, limit: int) -> dict[str, Any]:
    """Related articles: the stored article's most distinctive title/body terms.

    ``min_doc_freq: 2``: a term must occur in another article to relate them (as embedded).
    """
    return {
        "query": {
            "bool": {
                "must": [
                    {
                        "more_like_this": {
                            "fields": ["title", "body"],
                            "like": [{"_index": alias, "_id": article_id}],
                            "min_term_freq": 1,
                            "min_doc_freq": 2,
                            "max_query_terms": 25,
                        }
                    }
                ],
                "must_not": [{"ids": {"values": [article_id]}}],
            }
        },
        "size": limit,
        "track_total_hits": False,
        "_source": ["doc"],
    }


def trends_body(request: SearchRequest, tree: Node | None, field: str, size: int) -> dict[str, Any]:
    """Top ``size`` values of ``field`` among the matches, each with per-day counts."""
    return {
        "query": bool_query(compile_query(tree), filters(request)),
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "top": {
                "terms": {"field": KEYWORD_FIELDS[field], "size": size},
                "aggs": {"days": copy.deepcopy(DAY_HISTOGRAM)},
            }
        },
    }


# -- responses --------------------------------------------------------------------------------


def highlight_of(fragment: str) -> Highlight:
    """A server highlight as plain text and the character spans of its matches.

    Unpaired mark characters that were already in the article (it is crawled text) are dropped
    and cannot shift a span. A crawled text holding a whole pair around a word gets that word
    marked too: harmless, since rendering escapes all text. The text is never escaped here
    (see :class:`Highlight`).
    """
    parts = _MARKED.split(fragment)
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for i, part in enumerate(parts):
        part = part.replace(PRE_MARK, "").replace(POST_MARK, "")
        if i % 2 and part:
            spans.append((pos, pos + len(part)))
        text.append(part)
        pos += len(part)
    return Highlight("".join(text), tuple(spans))


def facets(response: dict[str, Any], names: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
    """Facet counts by count desc, then value (the embedded backend's order)."""
    aggs = response.get("aggregations") or {}
    out: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        buckets = (aggs.get(name) or {}).get("buckets") or []
        pairs = [(str(b["key"]), int(b["doc_count"])) for b in buckets]
        out[name] = sorted(pairs, key=lambda p: (-p[1], p[0]))
    return out


def newest_stamp(response: dict[str, Any]) -> int | None:
    """The first page's ``asof``: epoch ms of the newest ``indexed_at`` among the matches."""
    value = ((response.get("aggregations") or {}).get("asof") or {}).get("value")
    return int(value) if value is not None else None


def groups(response: dict[str, Any]) -> int | None:
    """Distinct groups (copies or stories) among the matches (a collapse's ``cardinality``)."""
    value = ((response.get("aggregations") or {}).get("groups") or {}).get("value")
    return int(value) if value is not None else None


def group_size(hit: dict[str, Any]) -> int:
    """Matching articles in a collapsed hit's group (its ``inner_hits`` total)."""
    inner = ((hit.get("inner_hits") or {}).get("group") or {}).get("hits") or {}
    total = inner.get("total") or {}
    value = total.get("value") if isinstance(total, dict) else total
    return max(int(value or 1), 1)


def histogram_counts(response: dict[str, Any]) -> dict[str, int]:
    """Non-zero ``{day: count}`` from the ``histogram`` aggregation."""
    found = ((response.get("aggregations") or {}).get("histogram") or {}).get("buckets") or []
    return buckets.day_counts(found)


def trend_counts(response: dict[str, Any]) -> dict[str, dict[str, int]]:
    """``{value: {day: count}}`` from a :func:`trends_body` response."""
    top = ((response.get("aggregations") or {}).get("top") or {}).get("buckets") or []
    return {
        str(b["key"]): buckets.day_counts((b.get("days") or {}).get("buckets") or []) for b in top
    }
