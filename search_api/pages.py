"""The analyst page at ``/``, the article view and CSV/JSON exports of the current query.

Server-rendered so every view works without JavaScript and can be bookmarked or shared: the
whole state (query, filters, dates, sort, page) is in the URL. JavaScript (a static file, no
inline scripts) only draws the per-day chart with the vendored uPlot. Crawled text is escaped by
Jinja's autoescaping; highlights are rendered (escaped, matches marked) by :mod:`search_api.markup`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for

from search_api import records
from search_api.feeds import describe, feed_links
from search_api.markup import markup, safe_url
from search_api.params import FILTER_PARAMS, MAX_ID, PARAMS, parse_search, to_args
from search_api.problems import Problem
from search_api.records import topic_ids
from search_api.resources import resources
from search_api.searching import current_index, iter_hits, run_search
from tidings.core.index.base import ALL_FACETS, FACET_BY_NAME, Hit, SearchRequest, SearchResult

log = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)

SNIPPET_CHARS = 300
EXPORT_LIMIT = 1000
#: Facets the page shows, in display order (every row of the FACETS table).
PAGE_FACETS = ALL_FACETS
#: What the page's URLs carry (the facet counts, chart and story folding are always on).
PAGE_PARAMS = (*FILTER_PARAMS, "sort", "limit")
#: Longest run of days the chart fills with zeros (beyond that it plots only days with matches).
MAX_CHART_DAYS = 3660
#: Scripts and styles come from this origin only; nothing inline, nothing from elsewhere.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
CSV_COLUMNS = (
    "id", "published_at", "title", "url", "source_id", "source_name", "topics", "entities",
    "language", "cluster_id", "summary",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PARAGRAPHS = re.compile(r"\n\s*\n|\r\n\s*\r\n")


@bp.after_request
def security_headers(resp: Response) -> Response:
    """The page CSP and friends (the story view's blueprint adds them too)."""
    resp.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return resp


@bp.get("/")
def home() -> tuple[str, int]:
    """Search box, facets, per-day chart and results for the query in the URL."""
    query = SearchRequest()
    result: SearchResult | None = None
    error: Problem | None = None
    try:
        query = parse_search(request.args, default_sort="date")
        shown = dataclasses.replace(query, facets=PAGE_FACETS, histogram=True, collapse="cluster")
        result = run_search(shown)
    except Problem as problem:  # shown on the page; the operator's problems are logged too
        if problem.status >= 500:
            log.warning("analyst page: %s", problem.detail)
        error = problem
    labels = _labels(result)
    return render_template(
        "index.html",
        query=query,
        page_args=page_args(query),
        result=result,
        error=error,
        link=lambda **kw: state_url(query, **kw),
        facets=_facets(query, result, labels),
        filters=_active_filters(query, labels),
        chart=chart_data(result.histogram if result else []),
        feeds=feed_links(query if not error else None),
        label=describe(query),
        title_html=title_html,
        snippet_html=snippet_html,
        topic_ids=topic_ids,
        safe_url=safe_url,
        export_args=page_args(query, (*FILTER_PARAMS, "sort")),
        view_endpoint="pages.home",
        view_args=page_args(query, FILTER_PARAMS),  # the story view keeps the filters
        # the sort menu shows the default for words (relevance) unless one was chosen
        sort_choice=query.sort if "sort" in request.args else "relevance",
    ), (error.status if error else 200)


@bp.get("/articles/<article_id>")
def article(article_id: str) -> str:
    """One article: metadata, topics with scores, entities, body text and its cluster."""
    store = resources().store
    found = store.get(article_id) if len(article_id) <= MAX_ID else None
    if found is None:
        raise Problem(404, detail="no article with this id")
    record = dict(found)
    cluster_id = record.get("cluster_id")
    cluster = [
        m for m in (store.cluster_members(cluster_id) if cluster_id else [])
        if m.get("id") != record.get("id")
    ]  # fmt: skip
    related: list[dict[str, Any]] = []
    try:
        related = current_index().more_like_this(article_id, limit=5)
    except Exception:  # related articles are a nicety: never fail the page for them
        log.warning("related articles for %s not shown", article_id, exc_info=True)
        related = []
    cluster_ids = {m.get("id") for m in cluster}
    return render_template(
        "article.html",
        a=record,
        topics=_topics(record.get("topics") or []),
        entities=_entities_by_label(record.get("entities") or []),
        paragraphs=paragraphs(str(record.get("body") or "")),
        cluster=cluster,
        related=[r for r in related if r.get("id") not in cluster_ids][:5],
        safe_url=safe_url,
        feeds=feed_links(None),
    )


@bp.get("/export.csv")
def export_csv() -> Response:
    """Up to EXPORT_LIMIT matches of the current query as CSV (formula-safe cells)."""
    query = parse_search(request.args, default_sort="date")
    hits = _export_hits(query)
    first = next(hits, None)  # run the search before streaming, so errors are real responses

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(CSV_COLUMNS)
        for hit in [first] if first else []:
            writer.writerow(csv_row(hit))
        yield _drain(buf)
        for hit in hits:
            writer.writerow(csv_row(hit))
            yield _drain(buf)

    resp = Response(stream_with_context(rows()), content_type="text/csv; charset=utf-8")
    resp.headers["Content-Disposition"] = 'attachment; filename="tidings-export.csv"'
    return resp


@bp.get("/export.json")
def export_json() -> Response:
    """Up to EXPORT_LIMIT matches of the current query as JSON."""
    query = parse_search(request.args, default_sort="date")
    total = run_search(dataclasses.replace(query, limit=1, highlight=False, facets=())).total
    articles = [records.listed({"id": h.id, **h.article}) for h in _export_hits(query)]
    body = {
        "query": page_args(query, (*FILTER_PARAMS, "sort")),
        "total": total,
        "exported": len(articles),
        "limit": EXPORT_LIMIT,
        "truncated": total > len(articles),
        "articles": articles,
    }
    resp = Response(json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json")
    resp.headers["Content-Disposition"] = 'attachment; filename="tidings-export.json"'
    return resp


def page_args(query: SearchRequest, params: tuple[str, ...] = PAGE_PARAMS) -> dict[str, Any]:
    """URL arguments of the page showing ``query``, its defaults left out: ``sort`` is by date
    without words and by relevance with them."""
    default = SearchRequest(sort="relevance" if query.q else "date")
    return to_args(query, params, default=default)


def state_url(query: SearchRequest, *, cursor: str | None = None, **changes: Any) -> str:
    """The page URL for ``query`` with one change: ``toggle_<facet>`` adds or removes a filter,
    ``<param>=value`` replaces a parameter (``None`` removes it); paging keeps the rest."""
    for key, value in changes.items():
        if key.startswith("toggle_"):
            facet = FACET_BY_NAME[key.removeprefix("toggle_")]
            current = query.values(facet)
            kept = tuple(v for v in current if v != value)
            toggled = kept if value in current else (*current, value)
            query = dataclasses.replace(query, **{facet.attr: toggled})
        else:
            query = dataclasses.replace(query, **{PARAMS[key]: value})
    args = page_args(query)
    if cursor:
        args["cursor"] = cursor
    return url_for("pages.home", **args)


def title_html(hit: Hit) -> Any:
    """The whole title with matched words marked, else the plain title (auto-escaped)."""
    title = hit.highlights.get("title")
    return markup(title) if title else hit.article.get("title") or "(untitled)"


def snippet_html(hit: Hit) -> Any:
    """The best body passage with matches marked, else the start of the summary (auto-escaped)."""
    body = hit.highlights.get("body")
    if body:
        return markup(body)
    summary = str(hit.article.get("summary") or "")  # an older import stored numbers too
    return summary if len(summary) <= SNIPPET_CHARS else summary[:SNIPPET_CHARS].rstrip() + "…"


def chart_data(histogram: list[tuple[str, int]]) -> dict[str, Any]:
    """Per-day counts for the chart, with days without matches filled in as zeros."""
    counts: dict[date, int] = {}
    for day, n in histogram:
        try:
            d = date.fromisoformat(str(day)[:10])
        except ValueError:
            continue
        counts[d] = counts.get(d, 0) + int(n)
    if not counts:
        return {"days": [], "counts": [], "max": 0}
    first, last = min(counts), max(counts)
    if (last - first).days <= MAX_CHART_DAYS:
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    else:
        days = sorted(counts)
    return {
        "days": [d.isoformat() for d in days],
        "counts": [counts.get(d, 0) for d in days],
        "max": max(counts.values()),
    }


def csv_row(hit: Hit) -> list[str]:
    """One CSV row; a cell a spreadsheet would read as a formula gets a leading quote."""
    a = hit.article
    source = a.get("source") if isinstance(a.get("source"), dict) else {}
    entities = [
        str(e.get("key") or e.get("text")) for e in a.get("entities") or [] if isinstance(e, dict)
    ]
    cells = [
        hit.id, a.get("published_at"), a.get("title"), a.get("url"), source.get("id"),
        source.get("name"), ";".join(topic_ids(a)), ";".join(entities), a.get("language"),
        a.get("cluster_id"), a.get("summary"),
    ]  # fmt: skip
    return [safe_cell(c) for c in cells]


def safe_cell(value: object) -> str:
    """``value`` as text that no spreadsheet evaluates (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def paragraphs(body: str) -> list[str]:
    """The body split into paragraphs (plain text; the template escapes it)."""
    parts = [p.strip() for p in _PARAGRAPHS.split(body)]
    if len(parts) == 1 and "\n" in body:
        parts = [p.strip() for p in body.splitlines()]
    return [p for p in parts if p]


def _export_hits(query: SearchRequest) -> Iterator[Hit]:
    exported = dataclasses.replace(query, highlight=False, facets=(), cursor=None)
    return iter_hits(exported, EXPORT_LIMIT)


def _drain(buf: io.StringIO) -> str:
    out = buf.getvalue()
    buf.seek(0)
    buf.truncate()
    return out


def _labels(result: SearchResult | None) -> dict[str, dict[str, str]]:
    """Display names of facet values seen on this page (source names, entity texts)."""
    labels: dict[str, dict[str, str]] = {"source": {}, "entity": {}}
    for hit in result.hits if result else []:
        source = hit.article.get("source")
        if isinstance(source, dict) and source.get("id") and source.get("name"):
            labels["source"][str(source["id"])] = str(source["name"])
        for entity in hit.article.get("entities") or []:
            if isinstance(entity, dict) and entity.get("key") and entity.get("text"):
                labels["entity"].setdefault(str(entity["key"]), str(entity["text"]))
    return labels


def _facets(
    query: SearchRequest, result: SearchResult | None, labels: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """Facet groups for the template: values with counts, labels, links and active state."""
    out = []
    for name in PAGE_FACETS:
        values = list((result.facets if result else {}).get(name) or [])
        selected = query.values(FACET_BY_NAME[name])
        shown = {v for v, _ in values}
        values += [(v, 0) for v in selected if v not in shown]  # a filter can always be removed
        if not values or (name == "language" and len(values) < 2 and not selected):
            continue
        out.append(
            {
                "name": name,
                "title": FACET_BY_NAME[name].label,
                "values": [
                    {
                        "value": value,
                        "label": labels.get(name, {}).get(value, value),
                        "count": count,
                        "active": value in selected,
                        "href": state_url(query, **{f"toggle_{name}": value}),
                    }
                    for value, count in values
                ],
            }
        )
    return out


def _active_filters(
    query: SearchRequest, labels: dict[str, dict[str, str]]
) -> list[dict[str, str]]:
    """Chips for the filters in force, each with a link that removes it."""
    chips = []
    for name in PAGE_FACETS:
        for value in query.values(FACET_BY_NAME[name]):
            chips.append(
                {
                    "kind": name,
                    "label": labels.get(name, {}).get(value, value),
                    "href": state_url(query, **{f"toggle_{name}": value}),
                }
            )
    args = to_args(query, ("from", "to"))
    if args:
        chips.append(
            {
                "kind": "dates",
                "label": f"{args.get('from', '…')} – {args.get('to', '…')}",
                "href": state_url(query, **{"from": None, "to": None}),
            }
        )
    return chips


def _topics(topics: list[Any]) -> list[dict[str, Any]]:
    """Topic records (plain ids become records without a score), highest score first."""
    out = []
    for t in topics:
        record = dict(t) if isinstance(t, dict) else {"id": str(t)}
        try:
            record["score"] = float(record.get("score") or 0.0)
        except (TypeError, ValueError):
            record["score"] = 0.0
        if record.get("id"):
            out.append(record)
    return sorted(out, key=lambda t: -t["score"])


def _entities_by_label(entities: list[Any]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = {}
    for e in entities:
        if isinstance(e, dict) and e.get("text"):
            grouped.setdefault(str(e.get("label") or "OTHER"), []).append(
                {"text": str(e["text"]), "key": str(e.get("key") or e["text"])}
            )
    return grouped
