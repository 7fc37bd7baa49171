"""Feeds of the newest articles in RSS 2.0, Atom 1.0 and JSON Feed 1.1.

* ``/feeds/recent.{rss,atom,json}`` — everything (``?topic=`` and ``?limit=`` accepted);
* ``/feeds/topic/<id>.{rss,atom,json}`` — one topic;
* ``/feeds/search.{rss,atom,json}?q=...&topic=...`` — a saved query (the analyst page's
  parameters), newest first.

Documents come from :mod:`search_api.feed_formats`. Responses are cacheable: a strong ETag over
the body, Last-Modified from the newest article, ``Cache-Control: public`` and 304 answers to
conditional requests, so feed readers polling every few minutes cost almost nothing.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request, url_for
from werkzeug.datastructures import MultiDict

from search_api import feed_formats as ff
from search_api.caching import cacheable
from search_api.params import FILTER_PARAMS, MAX_VALUE, parse_limit, parse_recent, parse_search
from search_api.params import to_args as request_args
from search_api.problems import invalid_params
from search_api.public_url import external_url
from search_api.searching import current_index, run_search
from tidings.core.index.base import FACETS, SearchRequest

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

FORMATS = ("rss", "atom", "json")
_FMT = "<any(rss, atom, json):fmt>"
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
#: Feeds are data, never pages: nothing in them may load or run anything.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Access-Control-Allow-Origin": "*",  # public data: let browser-based readers fetch it
}


@bp.get(f"/recent.{_FMT}")
def recent(fmt: str) -> Response:
    """The newest articles, optionally in one topic (``?topic=``)."""
    topic, limit = parse_recent(request.args)
    articles = current_index().recent(topic=topic, limit=limit)
    title = f"Tidings: {topic}" if topic else "Tidings: recent news"
    desc = f"The newest articles in topic {topic}" if topic else "The newest articles"
    key = f"topic:{topic}" if topic else "recent"
    home = external_url("pages.home", topic=topic)
    args = _only(request.args, "topic", "limit")
    return feed_response(fmt, articles, key, title, desc, home, "feeds.recent", args)


@bp.get(f"/topic/<topic_id>.{_FMT}")
def topic(topic_id: str, fmt: str) -> Response:
    """The newest articles in one topic."""
    errors: list[tuple[str, str]] = []
    if len(topic_id) > MAX_VALUE or _CONTROL_RE.search(topic_id):
        errors.append(("topic", f"must be at most {MAX_VALUE} printable characters"))
    limit = parse_limit(request.args, errors)
    if errors:
        raise invalid_params(errors)
    articles = current_index().recent(topic=topic_id, limit=limit)
    home = external_url("pages.home", topic=topic_id)
    return feed_response(
        fmt, articles, f"topic:{topic_id}", f"Tidings: {topic_id}",
        f"The newest articles in topic {topic_id}", home, "feeds.topic",
        _only(request.args, "limit"),
        topic_id=topic_id,
    )  # fmt: skip


@bp.get(f"/search.{_FMT}")
def saved_search(fmt: str) -> Response:
    """The newest articles matching a query, as the analyst page would show it: its filters
    and ``limit`` apply; the search's other parameters are accepted but not applied (a
    ``collapse`` would make a feed that its own self link, built from those, does not give)."""
    query = dataclasses.replace(
        parse_search(request.args), sort="date", cursor=None, collapse="none"
    )
    result = run_search(dataclasses.replace(query, highlight=False, facets=()))
    articles = [{"id": h.id, **h.article} for h in result.hits]
    label = describe(query)
    filters = request_args(query, FILTER_PARAMS)
    home = external_url("pages.home", **filters)
    args = MultiDict(request_args(query, (*FILTER_PARAMS, "limit")))
    return feed_response(
        fmt, articles, "search:" + _canonical_args(query), f"Tidings: {label}",
        f"The newest articles matching {label}", home, "feeds.saved_search", args,
    )  # fmt: skip


def describe(query: SearchRequest) -> str:
    """A short human label for a query: ``"rates" in economy, from wire``."""
    parts = [f"“{query.q}”" if query.q else "all articles"]
    for facet in FACETS:
        if values := query.values(facet):
            parts.append(f"{facet.phrase} " + ", ".join(values))
    args = request_args(query, ("from", "to"))
    if args:
        parts.append(f"{args.get('from', '…')}..{args.get('to', '…')}")
    return " ".join(parts)


def feed_links(query: SearchRequest | None = None) -> list[dict[str, str]]:
    """Autodiscovery links (``rel=alternate``) for the feeds matching a page's query."""
    titles = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
    if query is None or not (filters := request_args(query, FILTER_PARAMS)):
        target, kwargs, label = "feeds.recent", {}, "recent news"
    elif set(filters) == {"topic"} and len(query.topics) == 1:
        label = query.topics[0]
        target, kwargs = "feeds.topic", {"topic_id": label}
    else:
        target, kwargs, label = "feeds.saved_search", filters, describe(query)
    return [
        {
            "type": ff.MIMETYPES[fmt],
            "title": f"Tidings: {label} ({titles[fmt]})",
            "href": url_for(target, fmt=fmt, **kwargs),
            "format": titles[fmt],
        }
        for fmt in FORMATS
    ]


def feed_response(
    fmt: str,
    articles: list[dict[str, Any]],
    key: str,
    title: str,
    description: str,
    home: str,
    endpoint: str,
    args: MultiDict[str, str],
    **view_args: str,
) -> Response:
    query = [(k, v) for k, v in args.items(multi=True)]
    alternates = {f: external_url(endpoint, fmt=f, **view_args) + _qs(query) for f in FORMATS}
    meta = ff.FeedMeta(
        key=key,
        title=title,
        description=description,
        self_url=alternates[fmt],
        home_url=home,
        alternates=alternates,
    )
    body = ff.build(fmt, articles, meta)
    resp = Response(body, content_type=f"{ff.MIMETYPES[fmt]}; charset=utf-8")
    resp.headers.update(SECURITY_HEADERS)
    return cacheable(resp, last_modified=ff.last_modified(articles))


def _only(args: MultiDict[str, str], *names: str) -> MultiDict[str, str]:
    """The named arguments of ``args`` (the ones that shape the feed), in request order."""
    return MultiDict([(k, v) for k, v in args.items(multi=True) if k in names])


def _qs(pairs: list[tuple[str, str]]) -> str:
    return "?" + urlencode(pairs) if pairs else ""


def _canonical_args(query: SearchRequest) -> str:
    """The query's filters in a fixed order, so one saved search has one feed id."""
    args = request_args(query, FILTER_PARAMS)
    pairs = []
    for name in sorted(args):
        values = args[name] if isinstance(args[name], list) else [args[name]]
        pairs += [(name, v) for v in sorted(values)]
    return urlencode(pairs)
