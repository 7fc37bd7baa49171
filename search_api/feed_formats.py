"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents for a list of articles.

Pure functions of (articles, :class:`FeedMeta`) so every format is built from the same facts.
XML is built with ElementTree, so crawled text is escaped by the serializer and never pasted
into markup; characters XML cannot carry at all are dropped first. JSON Feed text fields are
plain text (``content_text``, never ``content_html``), so readers do not render crawled markup.

Identifiers are stable across requests and hosts: an item's id is the article id (a hash of
its canonical URL); Atom wraps it as ``urn:tidings:article:<id>``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

from tidings.core.article import article_date, read_date, topic_ids

ATOM_NS = "http://www.w3.org/2005/Atom"
RSS_MIMETYPE = "application/rss+xml"
ATOM_MIMETYPE = "application/atom+xml"
JSONFEED_MIMETYPE = "application/feed+json"
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"
MIMETYPES = {"rss": RSS_MIMETYPE, "atom": ATOM_MIMETYPE, "json": JSONFEED_MIMETYPE}
GENERATOR = "Tidings"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ET.register_namespace("atom", ATOM_NS)


@dataclass(frozen=True)
class FeedMeta:
    """What a feed says about itself; ``key`` names the feed stably (e.g. ``topic:ai``)."""

    key: str
    title: str
    description: str
    self_url: str  # this document (with its query string)
    home_url: str  # the HTML page showing the same articles
    alternates: dict[str, str]  # format -> URL of the same feed in that format

    @property
    def feed_id(self) -> str:
        return "urn:tidings:feed:" + quote(self.key, safe=":")


def article_id_urn(article: dict[str, Any]) -> str:
    return "urn:tidings:article:" + quote(item_id(article), safe="")


def item_id(article: dict[str, Any]) -> str:
    """The stable id of an article in every format: its id, else its canonical URL."""
    return _clean(str(article.get("id") or article.get("canonical_url") or article.get("url")))


def published(article: dict[str, Any]) -> datetime | None:
    """When the article was published, else when it was fetched (UTC)."""
    return article_date(article)


def updated(article: dict[str, Any]) -> datetime | None:
    """When the article last changed: ``updated_at``, else its publication date."""
    return read_date(article, "updated_at", "published_at", "fetched_at")


def last_modified(articles: list[dict[str, Any]]) -> datetime | None:
    """The newest change among ``articles`` (the feed's ``updated`` / Last-Modified)."""
    dates = [d for d in (updated(a) for a in articles) if d is not None]
    return max(dates) if dates else None


def build(fmt: str, articles: list[dict[str, Any]], meta: FeedMeta) -> bytes:
    """The feed in ``fmt`` (``rss``, ``atom`` or ``json``)."""
    builders = {"rss": build_rss, "atom": build_atom, "json": build_json}
    return builders[fmt](articles, meta)


# --- RSS 2.0 -------------------------------------------------------------------------------


def build_rss(articles: list[dict[str, Any]], meta: FeedMeta) -> bytes:
    """An RSS 2.0 document (with an atom:link to itself) for ``articles``, newest first."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", meta.title)
    _text(channel, "link", meta.home_url)
    _text(channel, "description", meta.description)
    _text(channel, "lastBuildDate", rfc822(last_modified(articles) or _epoch()))
    _text(channel, "generator", GENERATOR)
    _text(channel, "docs", "https://www.rssboard.org/rss-specification")
    ET.SubElement(
        channel, f"{{{ATOM_NS}}}link", {"href": meta.self_url, "rel": "self", "type": RSS_MIMETYPE}
    )
    for article in articles:
        channel.append(_rss_item(article))
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


def _rss_item(article: dict[str, Any]) -> ET.Element:
    item = ET.Element("item")
    _text(item, "title", article.get("title") or "(untitled)")
    link = _link(article)
    if link:
        _text(item, "link", link)
    _text(item, "guid", item_id(article), {"isPermaLink": "false"})
    when = published(article)
    if when is not None:
        _text(item, "pubDate", rfc822(when))
    if article.get("summary"):
        _text(item, "description", article["summary"])
    source = _source(article)
    if source.get("name"):
        attrs = {"url": f"https://{source['domain']}/"} if source.get("domain") else {}
        _text(item, "source", source["name"], attrs)
    for tid in topic_ids(article):
        _text(item, "category", tid)
    return item


# --- Atom 1.0 ------------------------------------------------------------------------------


def build_atom(articles: list[dict[str, Any]], meta: FeedMeta) -> bytes:
    """An Atom 1.0 feed (RFC 4287) for ``articles``, newest first."""
    feed = ET.Element("feed", {"xmlns": ATOM_NS})  # Atom as the default namespace
    _atom(feed, "id", meta.feed_id)
    _atom(feed, "title", meta.title, {"type": "text"})
    _atom(feed, "subtitle", meta.description, {"type": "text"})
    _atom(feed, "updated", rfc3339(last_modified(articles) or _epoch()))
    author = ET.SubElement(feed, "author")
    _atom(author, "name", GENERATOR)
    _atom(feed, "generator", GENERATOR)
    _atom_link(feed, "self", meta.self_url, ATOM_MIMETYPE)
    _atom_link(feed, "alternate", meta.home_url, "text/html")
    for fmt, url in meta.alternates.items():
        if fmt != "atom":
            _atom_link(feed, "alternate", url, MIMETYPES[fmt])
    for article in articles:
        feed.append(_atom_entry(article))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _atom_entry(article: dict[str, Any]) -> ET.Element:
    entry = ET.Element("entry")
    _atom(entry, "id", article_id_urn(article))
    _atom(entry, "title", article.get("title") or "(untitled)", {"type": "text"})
    changed = updated(article) or _epoch()
    _atom(entry, "updated", rfc3339(changed))
    when = published(article)
    if when is not None:
        _atom(entry, "published", rfc3339(when))
    link = _link(article)
    if link:
        _atom_link(entry, "alternate", link, "text/html")
    names = [str(a) for a in article.get("authors") or [] if a] or [
        _source(article).get("name") or GENERATOR
    ]
    for name in names:
        author = ET.SubElement(entry, "author")
        _atom(author, "name", name)
    for tid in topic_ids(article):
        _atom(entry, "category", None, {"term": tid})
    if article.get("summary"):
        _atom(entry, "summary", article["summary"], {"type": "text"})
    return entry


def _atom(
    parent: ET.Element, tag: str, text: str | None, attrs: dict[str, str] | None = None
) -> ET.Element:
    cleaned = {k: _clean(v) for k, v in (attrs or {}).items()}
    el = ET.SubElement(parent, tag, cleaned)
    if text is not None:
        el.text = _clean(text)
    return el


def _atom_link(parent: ET.Element, rel: str, href: str, mimetype: str) -> None:
    _atom(parent, "link", None, {"rel": rel, "href": href, "type": mimetype})


# --- JSON Feed 1.1 -------------------------------------------------------------------------


def build_json(articles: list[dict[str, Any]], meta: FeedMeta) -> bytes:
    """A JSON Feed 1.1 document; every text field is plain text."""
    doc: dict[str, Any] = {
        "version": JSONFEED_VERSION,
        "title": meta.title,
        "home_page_url": meta.home_url,
        "feed_url": meta.self_url,
        "description": meta.description,
        "authors": [{"name": GENERATOR}],
        "items": [_json_item(a) for a in articles],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _json_item(article: dict[str, Any]) -> dict[str, Any]:
    title = str(article.get("title") or "(untitled)")
    summary = str(article.get("summary") or "")
    item: dict[str, Any] = {"id": item_id(article)}
    link = _link(article)
    if link:
        item["url"] = link
    item["title"] = title
    item["content_text"] = summary or title
    if summary:
        item["summary"] = summary
    when, changed = published(article), updated(article)
    if when is not None:
        item["date_published"] = rfc3339(when)
    if changed is not None and changed != when:
        item["date_modified"] = rfc3339(changed)
    source = _source(article)
    names = [str(a) for a in article.get("authors") or [] if a] or (
        [str(source["name"])] if source.get("name") else []
    )
    if names:
        item["authors"] = [{"name": n} for n in names]
    tags = topic_ids(article)
    if tags:
        item["tags"] = tags
    if article.get("language"):
        item["language"] = str(article["language"])
    return item


# --- shared --------------------------------------------------------------------------------


def rfc822(dt: datetime) -> str:
    """``Tue, 07 May 2024 12:00:00 GMT`` (RSS dates)."""
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def rfc3339(dt: datetime) -> str:
    """``2024-05-07T12:00:00Z`` (Atom and JSON Feed dates)."""
    return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _epoch() -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC)


def _link(article: dict[str, Any]) -> str | None:
    """The article's http(s) URL; anything else (``javascript:``...) is left out."""
    for key in ("url", "canonical_url"):
        value = article.get(key)
        if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")):
            return _clean(value.strip())
    return None


def _source(article: dict[str, Any]) -> dict[str, Any]:
    source = article.get("source")
    return source if isinstance(source, dict) else {}


def _text(parent: ET.Element, tag: str, text: str, attrs: dict[str, str] | None = None) -> None:
    el = ET.SubElement(parent, tag, {k: _clean(v) for k, v in (attrs or {}).items()})
    el.text = _clean(text)


def _clean(text: object) -> str:
    return _NOT_XML.sub("", str(text))
