"""The JSON API's article endpoints under ``/api/v1``: search, recent, one article, related.

Views are thin: parameters are parsed by the schemas of :mod:`search_api.params` (which also
document them), shapes come from :mod:`search_api.records` and :mod:`search_api.schemas`,
errors are problems from :mod:`search_api.problems`.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from search_api import records
from search_api.caching import cacheable, newest
from search_api.openapi import ApiBlueprint
from search_api.params import MAX_ID, RecentArgs, RecentParams, RelatedArgs, SearchArgs, echo
from search_api.problems import Problem
from search_api.resources import resources
from search_api.schemas import ArticleDetail, RecentResponse, RelatedResponse, SearchResponse
from search_api.searching import current_index, index_call, run_search
from tidings.core.index.base import SearchRequest

bp = ApiBlueprint("api", __name__, url_prefix="/api/v1", description="Search and read articles.")


@bp.get("/search")
@bp.arguments(SearchArgs, location="query", as_kwargs=False)
@bp.response(200, SearchResponse)
@bp.problems(429, 503)
def search(params: SearchRequest) -> Response:
    """Search articles.

    Full-text search with filters (topic, source, entity, language, dates), counts for the
    facets asked for (`facet`: topic and source unless given), highlights, relevance or date
    order, story collapsing, a per-day histogram and cursor paging.
    """
    result = run_search(params)
    body: dict[str, Any] = {
        "query": echo(params),
        "total": result.total,
        "hits": [records.hit(h) for h in result.hits],
        "facets": {
            name: [{"value": value, "count": count} for value, count in values]
            for name, values in result.facets.items()
            if name in params.facets  # exactly those asked for (``facet``)
        },
        "histogram": [{"date": d, "count": n} for d, n in result.histogram]
        if params.histogram
        else None,
        "next_cursor": result.next_cursor,
    }
    return jsonify(body)


@bp.get("/recent")
@bp.arguments(RecentArgs, location="query", as_kwargs=False)
@bp.response(200, RecentResponse)
@bp.problems(304, 429, 503)
def recent(params: RecentParams) -> Response:
    """The newest articles, optionally in one topic (cacheable: ETag, Last-Modified)."""
    articles = current_index().recent(topic=params.topic, limit=params.limit)
    resp = jsonify({"articles": [records.listed(a) for a in articles]})
    return cacheable(resp, last_modified=newest(articles))


@bp.get("/articles/<article_id>")
@bp.response(200, ArticleDetail)
@bp.problems(304, 404, 429, 503)
def article(article_id: str) -> Response:
    """One article with its body, topics (and the terms explaining them), entities and the
    other sources that carried the same story."""
    found = _stored(article_id)
    cluster_id = found.get("cluster_id")
    cluster = list(resources().store.cluster_members(cluster_id)) if cluster_id else []
    return cacheable(jsonify(records.detail(dict(found), cluster)))


@bp.get("/articles/<article_id>/related")
@bp.arguments(RelatedArgs, location="query", as_kwargs=False)
@bp.response(200, RelatedResponse)
@bp.problems(304, 404, 429, 503)
def related(args: dict[str, Any], article_id: str) -> Response:
    """Articles about the same things as this one (shared distinctive terms), itself excluded."""
    _stored(article_id)
    limit = args["limit"]
    found = index_call(lambda ix: ix.more_like_this(article_id, limit))
    body = {"id": article_id, "articles": [records.listed(a) for a in found]}
    return cacheable(jsonify(body))


def _stored(article_id: str) -> dict[str, Any]:
    found = resources().store.get(article_id) if len(article_id) <= MAX_ID else None
    if found is None:
        raise Problem(404, detail=f"no article with id {article_id[:MAX_ID]!r}")
    return found
