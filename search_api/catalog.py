"""What the index holds, counted: topics, sources (with crawl health), entities and trends.

All counts come from the index's facets, so they match what a search over everything shows.
Backends count the most frequent values of a facet only (the embedded index: 20), so these
lists are "top N", not exhaustive.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlsplit

from flask import Response, jsonify

from search_api import sources_file
from search_api.caching import cacheable
from search_api.openapi import ApiBlueprint
from search_api.params import EntitiesArgs, TrendsArgs
from search_api.resources import resources
from search_api.schemas import EntitiesResponse, SourcesResponse, TopicsResponse, TrendsResponse
from search_api.searching import index_call, search_request
from tidings.core.index.base import SearchRequest
from tidings.core.taxonomy import topic_labels

bp = ApiBlueprint(
    "catalog", __name__, url_prefix="/api/v1", description="Topics, sources, entities, trends."
)

#: Hits read to name entities (their text and label) counted by the entity facet.
ENTITY_SAMPLE = 100


def filtered(args: dict[str, Any], **extra: Any) -> SearchRequest:
    """A facet-only request for the filters of ``args`` (see :class:`params.FilterArgs`)."""
    keys = ("q", "topics", "sources", "entities", "languages", "date_from", "date_to")
    base: dict[str, Any] = {"limit": 1, "highlight": False, "facets": ()}
    return SearchRequest(**{**base, **{k: args[k] for k in keys if k in args}, **extra})


def _facet(name: str, request: SearchRequest | None = None) -> list[tuple[str, int]]:
    request = request or SearchRequest(limit=1, highlight=False)
    result = search_request(dataclasses.replace(request, facets=(name,)))
    return list(result.facets.get(name, []))


@bp.get("/topics")
@bp.response(200, TopicsResponse)
@bp.problems(304, 429, 503)
def topics() -> Response:
    """Topics with the number of articles in each, labelled by the configured taxonomy."""
    labels = topic_labels(resources().settings.taxonomy)
    body = [{"id": tid, "label": labels.get(tid), "count": count} for tid, count in _facet("topic")]
    return cacheable(jsonify({"topics": body}))


@bp.get("/sources")
@bp.response(200, SourcesResponse)
@bp.problems(304, 429, 503)
def sources() -> Response:
    """Sources with their article counts and crawl health (last run, last success, errors)."""
    res = resources()
    configured = {
        s["id"]: s
        for s in sources_file.read_sources(sources_file.path_in(res.settings.home))
        if isinstance(s.get("id"), str)
    }
    health = _health_by_source()
    counts = dict(_facet("source"))
    ids = list(dict.fromkeys([*counts, *configured, *health]))
    out = []
    for sid in ids:
        ref = _source_ref(sid, configured.get(sid), counts.get(sid, 0))
        out.append(
            {
                **ref,
                "articles": counts.get(sid, 0),
                "configured": sid in configured,
                "health": health.get(sid),
            }
        )
    return cacheable(jsonify({"sources": out}), max_age=30)


@bp.get("/entities")
@bp.arguments(EntitiesArgs, location="query", as_kwargs=False)
@bp.response(200, EntitiesResponse)
@bp.problems(429, 503)
def entities(args: dict[str, Any]) -> Response:
    """The most mentioned entities among the matching articles, optionally of one label."""
    request = filtered(args, limit=ENTITY_SAMPLE, facets=("entity",))
    result = search_request(request)
    names: dict[str, tuple[Any, Any]] = {}
    for hit in result.hits:
        for ent in hit.article.get("entities") or []:
            if isinstance(ent, dict) and ent.get("key") and ent["key"] not in names:
                names[ent["key"]] = (ent.get("text"), ent.get("label"))
    label = (args.get("label") or "").upper()
    out = []
    for key, count in result.facets.get("entity", []):
        text, ent_label = names.get(key, (None, None))
        if label and str(ent_label or "").upper() != label:
            continue
        out.append({"key": key, "text": text, "label": ent_label, "count": count})
    return jsonify({"entities": out[: args["limit"]]})


@bp.get("/trends")
@bp.arguments(TrendsArgs, location="query", as_kwargs=False)
@bp.response(200, TrendsResponse)
@bp.problems(429, 503)
def trends(args: dict[str, Any]) -> Response:
    """Articles per day for the most frequent topics (or entities, sources, languages)."""
    field, size = args["field"], args["size"]
    request = filtered(args)
    per_value = index_call(lambda ix: ix.trends(request, field, size))
    series = [
        {
            "value": value,
            "total": sum(n for _, n in days),
            "days": [{"date": d, "count": n} for d, n in days],
        }
        for value, days in per_value.items()
    ]
    series.sort(key=lambda s: (-s["total"], s["value"]))
    return jsonify({"field": field, "series": series})


def _health_by_source() -> dict[str, dict[str, Any]]:
    source_health = getattr(resources().store, "source_health", None)
    if source_health is None:
        return {}
    out = {}
    for row in source_health():
        row = dict(row)
        sid = row.pop("source_id", None)
        if sid:
            out[str(sid)] = row
    return out


def _source_ref(sid: str, configured: dict[str, Any] | None, count: int) -> dict[str, Any]:
    """id, name and domain: from the sources file, else from one of the source's articles."""
    if configured:
        urls = [configured.get("home"), *(configured.get("feeds") or [])]
        url = next((u for u in urls if isinstance(u, str) and "//" in u), "")
        domain = urlsplit(url).hostname if url else None
        return {"id": sid, "name": configured.get("name") or sid, "domain": domain}
    if count:
        hits = search_request(SearchRequest(sources=(sid,), limit=1, highlight=False, facets=()))
        source = hits.hits[0].article.get("source") if hits.hits else None
        if isinstance(source, dict):
            return {"id": sid, "name": source.get("name"), "domain": source.get("domain")}
    return {"id": sid, "name": None, "domain": None}
