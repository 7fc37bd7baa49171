"""What Tidings holds, counted: topics, sources (with crawl health), entities and trends.

Topics and sources are complete lists: their counts come from the store of record (exact and
uncapped; an index facet counts only its top 20 values), source names from the sources model
(``<home>/sources.toml``), else from the source's stored articles. Entities and trends are "top
N" by nature and come from the index's facets, so they match what a search shows.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, jsonify

from search_api.caching import cacheable
from search_api.openapi import ApiBlueprint
from search_api.params import FILTER_PARAMS, PARAMS, EntitiesArgs, TrendsArgs
from search_api.resources import resources
from search_api.schemas import EntitiesResponse, SourcesResponse, TopicsResponse, TrendsResponse
from search_api.searching import index_call, run_search
from tidings.core.index.base import SearchRequest
from tidings.core.sources import Source, SourcesError, load_home_sources
from tidings.core.taxonomy import topic_labels

bp = ApiBlueprint(
    "catalog", __name__, url_prefix="/api/v1", description="Topics, sources, entities, trends."
)

log = logging.getLogger(__name__)

#: Hits read to name entities (their text and label) counted by the entity facet.
ENTITY_SAMPLE = 100


def filtered(args: dict[str, Any], **extra: Any) -> SearchRequest:
    """A facet-only request for the filters of ``args`` (see :class:`params.FilterArgs`)."""
    keys = [PARAMS[name] for name in FILTER_PARAMS]
    base: dict[str, Any] = {"limit": 1, "highlight": False, "facets": ()}
    return SearchRequest(**{**base, **{k: args[k] for k in keys if k in args}, **extra})


@bp.get("/topics")
@bp.response(200, TopicsResponse)
@bp.problems(304, 429, 503)
def topics() -> Response:
    """Topics with the number of articles in each, labelled by the configured taxonomy."""
    labels = topic_labels(resources().settings.taxonomy)
    counts = resources().store.topic_counts()
    body = [{"id": tid, "label": labels.get(tid), "count": count} for tid, count in counts]
    return cacheable(jsonify({"topics": body}))


@bp.get("/sources")
@bp.response(200, SourcesResponse)
@bp.problems(304, 429, 503)
def sources() -> Response:
    """Sources with their article counts and crawl health (last run, last success, errors)."""
    configured = {s.id: s for s in _configured_sources()}
    health = _health_by_source()
    stored = {row["id"]: row for row in resources().store.source_counts()}
    out = []
    for sid in dict.fromkeys([*stored, *configured, *health]):
        source, row = configured.get(sid), stored.get(sid, {})
        out.append(
            {
                "id": sid,
                "name": source.name if source else row.get("name"),
                "domain": (source.domain or None) if source else row.get("domain"),
                "articles": row.get("articles", 0),
                "configured": source is not None,
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
    result = run_search(request)
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


def _configured_sources() -> list[Source]:
    """The sources model of the home directory ([] if the file is missing or invalid: the
    catalog still lists what was crawled, and the invalid file is logged)."""
    try:
        return load_home_sources(resources().settings.home)
    except (SourcesError, OSError) as exc:
        log.warning("sources file not listed: %s", exc)
        return []
