"""Compile the query language's syntax tree into Elasticsearch query DSL.

The counterpart of :mod:`tidings.core.index.tantivy_query`: the same tree, the same meaning.
Words go to ``multi_match`` (``most_fields``: per-field scores add up, as in tantivy's boolean
of field terms), so no ``query_string`` syntax is ever sent and a user query cannot fail to
parse on the server. ``zero_terms_query: all`` keeps a word the English analyzer drops as a
stop word ("the") from making an all-words query match nothing.
"""

from __future__ import annotations

import re
from typing import Any

from tidings.core.index.base import KEYWORD_FIELDS
from tidings.core.index.query_language import And, DateRange, Node, Not, Or, Term, Text
from tidings.core.index.tantivy_query import date_bounds

#: Full-text fields with boosts (title counts double, as in the embedded backend).
QUERY_FIELDS = ["title^2", "body", "summary"]
TITLE_BOOST = 2.0
_WORD = re.compile(r"\w+", re.UNICODE)

MATCH_ALL: dict[str, Any] = {"match_all": {}}
MATCH_NONE: dict[str, Any] = {"match_none": {}}


def compile_query(node: Node | None) -> dict[str, Any]:
    """Every document for an empty query; nothing for a query with nothing searchable."""
    if node is None:
        return dict(MATCH_ALL)
    return _node(node) or dict(MATCH_NONE)


def _is_filter(node: Node) -> bool:
    return isinstance(node, Term | DateRange)


def _filter(node: Term | DateRange) -> dict[str, Any]:
    if isinstance(node, Term):
        return {"term": {KEYWORD_FIELDS[node.field]: node.value}}
    start, end = date_bounds(node)
    bounds: dict[str, Any] = {}
    if start:
        bounds["gte"] = start.isoformat()
    if end:
        bounds["lt"] = end.isoformat()
    if not bounds:
        return {"exists": {"field": "published"}}
    return {"range": {"published": {**bounds, "format": "strict_date_optional_time"}}}


def _node(node: Node) -> dict[str, Any] | None:
    if isinstance(node, Text):
        return _text(node)
    if _is_filter(node):  # scored 0 where it stands beside words in an OR
        return {"constant_score": {"filter": _filter(node), "boost": 0.0}}  # type: ignore[arg-type]
    if isinstance(node, Not):
        inner = _node(node.node)
        return {"bool": {"must_not": [inner]}} if inner else None
    if isinstance(node, Or):
        parts = [q for q in (_node(n) for n in node.nodes) if q]
        if not parts:
            return None
        return {"bool": {"should": parts, "minimum_should_match": 1}}
    return _and(node)  # type: ignore[arg-type]


def _and(node: And) -> dict[str, Any] | None:
    """Words scored (``must``), field scopes unscored (``filter``), exclusions ``must_not``."""
    must, filters, must_not = [], [], []
    for child in node.nodes:
        if isinstance(child, Not):
            inner = _node(child.node)
            if inner:
                must_not.append(inner)
        elif _is_filter(child):
            filters.append(_filter(child))  # type: ignore[arg-type]
        else:
            query = _node(child)
            if query:
                must.append(query)
    if not (must or filters or must_not):
        return None
    if len(must) == 1 and not filters and not must_not:
        return must[0]
    out: dict[str, Any] = {}
    for key, clauses in (("must", must), ("filter", filters), ("must_not", must_not)):
        if clauses:
            out[key] = clauses
    return {"bool": out}


def _text(node: Text) -> dict[str, Any]:
    phrase = node.phrase or len(_WORD.findall(node.text)) > 1  # "e-mail" is one phrase
    if node.field == "title":
        kind = "match_phrase" if phrase else "match"
        spec: dict[str, Any] = {"query": node.text, "boost": TITLE_BOOST}
        if not phrase:
            spec["operator"] = "and"
        spec["zero_terms_query"] = "all"
        return {kind: {"title": spec}}
    return {
        "multi_match": {
            "query": node.text,
            "fields": list(QUERY_FIELDS),
            "type": "phrase" if phrase else "most_fields",
            **({} if phrase else {"operator": "and"}),
            "zero_terms_query": "all",
        }
    }
