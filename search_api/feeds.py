"""``/feeds/recent.rss``: the newest articles as RSS 2.0, optionally for one topic.

The XML is built with ElementTree so crawled text is always escaped by the serializer, never
pasted into markup; characters XML cannot carry at all are dropped first.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, request, url_for

from search_api.caching import cacheable
from search_api.params import parse_recent
from search_api.records import topic_ids
from search_api.searching import current_index
from tidings.core.article import parse_iso

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

ATOM_NS = "http://www.w3.org/2005/Atom"
RSS_MIMETYPE = "application/rss+xml"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ET.register_namespace("atom", ATOM_NS)


@bp.get("/recent.rss")
def recent_rss() -> Response:
    topic, limit = parse_recent(request.args)
    articles = current_index().recent(topic=topic, limit=limit)
    home = url_for("pages.home", topic=topic, _external=True)
    xml = build_rss(articles, topic=topic, self_url=request.url, home_url=home)
    return cacheable(Response(xml, content_type=f"{RSS_MIMETYPE}; charset=utf-8"))


def build_rss(
    articles: list[dict[str, Any]], *, topic: str | None, self_url: str, home_url: str
) -> bytes:
    """An RSS 2.0 document (with an atom:link to itself) for ``articles``, newest first."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    title = f"Tidings: {topic}" if topic else "Tidings: recent news"
    _text(channel, "title", title)
    _text(channel, "link", home_url)
    _text(
        channel,
        "description",
        f"The newest articles in topic {topic}" if topic else "The newest articles",
    )
    dates = [d for d in (_when(a) for a in articles) if d is not None]
    _text(channel, "lastBuildDate", _rfc822(max(dates) if dates else datetime.now(UTC)))
    _text(channel, "generator", "Tidings")
    ET.SubElement(
        channel, f"{{{ATOM_NS}}}link", {"href": self_url, "rel": "self", "type": RSS_MIMETYPE}
    )
    for article in articles:
        channel.append(_item(article))
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


def _item(article: dict[str, Any]) -> ET.Element:
    item = ET.Element("item")
    _text(item, "title", article.get("title") or "(untitled)")
    link = article.get("url") or article.get("canonical_url")
    if link:
        _text(item, "link", link)
    guid = ET.SubElement(item, "guid", {"isPermaLink": "false"})
    guid.text = _clean(str(article.get("id") or article.get("canonical_url") or link or ""))
    when = _when(article)
    if when is not None:
        _text(item, "pubDate", _rfc822(when))
    if article.get("summary"):
        _text(item, "description", article["summary"])
    source = article.get("source") or {}
    if isinstance(source, dict) and source.get("name"):
        attrs = {"url": f"https://{source['domain']}/"} if source.get("domain") else {}
        _text(item, "source", source["name"], {k: _clean(v) for k, v in attrs.items()})
    for tid in topic_ids(article):
        _text(item, "category", tid)
    return item


def _text(parent: ET.Element, tag: str, text: str, attrs: dict[str, str] | None = None) -> None:
    ET.SubElement(parent, tag, attrs or {}).text = _clean(text)


def _clean(text: str) -> str:
    return _NOT_XML.sub("", str(text))


def _when(article: dict[str, Any]) -> datetime | None:
    for key in ("published_at", "fetched_at"):
        try:
            value = parse_iso(article.get(key))
        except (TypeError, ValueError):
            value = None
        if value is not None:
            return value
    return None


def _rfc822(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)
