"""The JSON API under ``/api/v1``: search, recent articles and single articles.

Views are thin: parameters are validated in :mod:`search_api.params`, shapes come from
:mod:`search_api.records`, errors are problems from :mod:`search_api.problems`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from search_api import records
from search_api.caching import cacheable
from search_api.params import parse_recent, parse_search
from search_api.problems import Problem
from search_api.resources import resources
from search_api.searching import current_index, run_search

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_ID = 200


@bp.get("/search")
def search() -> Response:
    """Full-text search with filters, facets, highlights, sorting and cursor paging."""
    params = parse_search(request.args)
    result = run_search(params)
    body: dict[str, Any] = {
        "query": params.echo(),
        "total": result.total,
        "hits": [records.hit(h) for h in result.hits],
        "facets": {
            name: [{"value": value, "count": count} for value, count in values]
            for name, values in result.facets.items()
        },
        "next_cursor": result.next_cursor,
    }
    return jsonify(body)


@bp.get("/recent")
def recent() -> Response:
    """The newest articles, optionally in one topic."""
    topic, limit = parse_recent(request.args)
    articles = current_index().recent(topic=topic, limit=limit)
    return cacheable(jsonify({"articles": [records.listed(a) for a in articles]}))


@bp.get("/articles/<article_id>")
def article(article_id: str) -> Response:
    """One article from the store of record, with the other members of its cluster."""
    store = resources().store
    found = store.get(article_id) if len(article_id) <= MAX_ID else None
    if found is None:
        raise Problem(404, detail=f"no article with id {article_id[:MAX_ID]!r}")
    cluster_id = found.get("cluster_id")
    cluster = list(store.cluster_members(cluster_id)) if cluster_id else []
    return cacheable(jsonify(records.detail(dict(found), cluster)))
