"""Feed entries → article links with hints (date, title, authors, summary, tags).

RSS 2.0, RSS 1.0 and Atom go through feedparser; JSON Feed (which feedparser 6.0 does not
read) is parsed here. Dates become UTC ISO strings so hints are JSON-ready.
"""

from __future__ import annotations

import calendar
import io
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from crawler.extract.dates import parse_date


class FeedError(ValueError):
    """The body is not a readable feed."""


@dataclass(frozen=True)
class FeedEntry:
    """One link from a feed and what the feed said about it."""

    link: str
    hints: dict[str, Any]


def _struct_to_iso(value: time.struct_time | None) -> str | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat()
    except (OverflowError, ValueError):
        return None


def _date(entry: Any, name: str) -> str | None:
    # dict.get: FeedParserDict.get("updated") falls back to "published" (with a warning).
    return _struct_to_iso(dict.get(entry, f"{name}_parsed")) or parse_date(dict.get(entry, name))


def _hints(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", [])}


def _feedparser_entries(body: bytes, url: str, content_type: str | None) -> list[FeedEntry]:
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never bytes: feedparser would open() a body that reads like a local path.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False)
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            raise FeedError(f"not a feed: {parsed.get('bozo_exception')}")
        if _malformed(parsed):
            raise FeedError(f"malformed feed: {parsed.get('bozo_exception')}")
        return []
    entries = []
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (lk.get("href") for lk in entry.get("links", []) if lk.get("href")), None
        )
        if not link:
            continue
        authors = [a.get("name") for a in entry.get("authors", []) if a.get("name")]
        if not authors and entry.get("author"):
            authors = [entry["author"]]
        published = _date(entry, "published")
        updated = _date(entry, "updated")
        # RSS 1.0 has only dc:date (feedparser: "updated"); a lone date is the publication date.
        hints = _hints(
            feed_published=published or updated,
            feed_updated=updated if updated != (published or updated) else None,
            feed_title=entry.get("title"),
            feed_authors=authors,
            feed_summary=entry.get("summary"),
            feed_tags=[t.get("term") for t in entry.get("tags", []) if t.get("term")],
        )
        entries.append(FeedEntry(urljoin(url, link.strip()), hints))
    if not entries and _malformed(parsed):  # broken off before the first link
        raise FeedError(f"malformed feed: {parsed.get('bozo_exception')}")
    return entries


def _malformed(parsed: Any) -> bool:
    """Bozo for a reason other than a charset mix-up (those feeds still read fine)."""
    benign = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    return bool(parsed.get("bozo")) and not isinstance(parsed.get("bozo_exception"), benign)


def _name(value: Any) -> str | None:
    return value.get("name") if isinstance(value, dict) else None


def _json_feed_entries(body: bytes, url: str) -> list[FeedEntry]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"invalid JSON feed: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedError("JSON document without an 'items' list is not a JSON Feed")
    entries = []
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url")
        if not isinstance(link, str) or not link.strip():
            continue
        authors = [_name(a) for a in item.get("authors") or [] if _name(a)]
        if not authors and _name(item.get("author")):
            authors = [_name(item["author"])]
        tags = item.get("tags") if isinstance(item.get("tags"), list) else []
        hints = _hints(
            feed_published=parse_date(item.get("date_published")),
            feed_updated=parse_date(item.get("date_modified")),
            feed_title=item.get("title"),
            feed_authors=authors,
            feed_summary=item.get("summary"),
            feed_tags=[t for t in tags if isinstance(t, str)],
        )
        entries.append(FeedEntry(urljoin(url, link.strip()), hints))
    return entries


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> list[FeedEntry]:
    """Entries of a feed document; raises :class:`FeedError` if the body is not a feed."""
    if not body.strip():
        raise FeedError("empty feed")
    if "json" in (content_type or "").lower() or body.lstrip()[:1] == b"{":
        return _json_feed_entries(body, url)
    return _feedparser_entries(body, url, content_type)
