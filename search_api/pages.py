"""The analyst page at ``/``: search box, facets, results and paging, all state in the URL.

Server-rendered so it works without JavaScript and every view can be bookmarked or shared. It
uses the same parameter checks and search as the JSON API; errors are shown on the page.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, render_template, request, url_for

from search_api.markup import safe_highlights, safe_url, trusted
from search_api.params import SearchParams, parse_search
from search_api.problems import Problem
from search_api.records import topic_ids
from search_api.searching import run_search
from tidings.core.index.base import SearchResult

bp = Blueprint("pages", __name__)

SNIPPET_CHARS = 300


@bp.get("/")
def home() -> tuple[str, int]:
    params = SearchParams()
    result: SearchResult | None = None
    error: Problem | None = None
    try:
        params = parse_search(request.args)
        if not params.q and "sort" not in request.args:  # nothing to rank by: newest first
            params = dataclasses.replace(params, sort="date")
        result = run_search(params)
    except Problem as problem:
        error = problem
    return render_template(
        "index.html",
        params=params,
        result=result,
        error=error,
        link=lambda **kw: state_url(params, **kw),
        title_html=title_html,
        snippet_html=snippet_html,
        topic_ids=topic_ids,
        safe_url=safe_url,
        source_names=_source_names(result),
    ), (error.status if error else 200)


def state_url(
    params: SearchParams,
    *,
    toggle_topic: str | None = None,
    toggle_source: str | None = None,
    cursor: str | None = None,
    **changes: Any,
) -> str:
    """The page URL for ``params`` with one change; filters toggle, paging keeps the rest."""
    topics = _toggle(params.topics, toggle_topic)
    sources = _toggle(params.sources, toggle_source)
    args: dict[str, Any] = {
        "q": params.q or None,
        "topic": list(topics) or None,
        "source": list(sources) or None,
        "from": request.args.get("from") or None,
        "to": request.args.get("to") or None,
        "sort": params.sort if request.args.get("sort") else None,  # else the page default
        "limit": params.limit if params.limit != 20 else None,
        "cursor": cursor,
    }
    args.update(changes)
    return url_for("pages.home", **{k: v for k, v in args.items() if v is not None})


def title_html(hit: Any) -> Any:
    """The whole title with matched words marked, else the plain title (auto-escaped)."""
    title = hit.article.get("title") or "(untitled)"
    fragments = safe_highlights(hit.highlights, title=title)["title"]
    if fragments:
        # Safe to mark as HTML only because markup.trusted() rebuilds the fragment: escaped
        # text plus <b> tags (the index escapes it too; we do not rely on that alone).
        return trusted(fragments[0])
    return title


def snippet_html(hit: Any) -> Any:
    """The best body highlight, else the start of the summary (auto-escaped)."""
    highlights = hit.highlights or {}
    fragments = highlights.get("body") or highlights.get("summary") or []
    if fragments:
        return trusted(fragments[0])  # sanitised in markup.trusted(), see title_html
    summary = hit.article.get("summary") or ""
    return summary if len(summary) <= SNIPPET_CHARS else summary[:SNIPPET_CHARS].rstrip() + "…"


def _source_names(result: SearchResult | None) -> dict[str, str]:
    """Display names of the sources on this page, so facets can show names, not ids."""
    names: dict[str, str] = {}
    for hit in result.hits if result else []:
        source = hit.article.get("source")
        if isinstance(source, dict) and source.get("id") and source.get("name"):
            names[str(source["id"])] = str(source["name"])
    return names


def _toggle(values: tuple[str, ...], value: str | None) -> tuple[str, ...]:
    if value is None:
        return values
    return tuple(v for v in values if v != value) if value in values else (*values, value)
