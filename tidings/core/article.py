"""The article record: the one shape every part of Tidings passes around.

Records are plain JSON-ready dicts (so they go through Scrapy items, SQLite, JSON Lines and
HTTP unchanged). This module names their fields, derives the stable id and checks records
that come from outside (``tidings import``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, TypedDict


class Source(TypedDict):
    id: str
    name: str
    domain: str


class Topic(TypedDict):
    id: str
    score: float
    origin: str  # "model" | "rule"


class Entity(TypedDict):
    text: str
    label: str
    key: str


class Article(TypedDict, total=False):
    id: str
    url: str
    canonical_url: str
    source: Source
    title: str
    summary: str
    body: str
    authors: list[str]
    published_at: str | None
    updated_at: str | None
    date_source: str  # jsonld | meta | time-tag | byline | feed | sitemap | url | text | none
    fetched_at: str
    language: str | None
    image_url: str | None
    tags: list[str]
    topics: list[Topic]
    entities: list[Entity]
    explanations: dict[str, list[dict[str, Any]]]  # topic id -> [{"term", "weight"}], top first
    model_version: str | None
    word_count: int
    fingerprint: str | None  # MinHash signature (64 × 32-bit values as 512 hex digits)
    cluster_id: str | None


FIELDS: tuple[str, ...] = tuple(Article.__annotations__)
DATE_SOURCES = ("jsonld", "meta", "time-tag", "byline", "feed", "sitemap", "url", "text", "none")


class InvalidArticle(ValueError):
    """A record from outside does not follow the article contract."""


def article_id(canonical_url: str) -> str:
    """Stable id of an article: a hash of its canonical URL (same URL, same id, everywhere)."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:20]


def utc_now() -> str:
    """The current time as the ISO 8601 UTC string used in records."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def parse_iso(value: str | None) -> datetime | None:
    """Parse an ISO 8601 timestamp from a record into an aware UTC datetime."""
    if not value:
        return None
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def source_id(record: dict[str, Any]) -> str | None:
    """The id of the record's source (``source`` is an object; a bare id is read too)."""
    source = record.get("source")
    value = source.get("id") if isinstance(source, dict) else source
    return str(value) if value else None


def normalise(record: dict[str, Any]) -> Article:
    """Fill defaults and check types of a record, e.g. one read by ``tidings import``.

    Raises :class:`InvalidArticle` with a message naming the offending field.
    """
    if not isinstance(record, dict):
        raise InvalidArticle("an article record must be a JSON object")
    unknown = set(record) - set(FIELDS)
    if unknown:
        raise InvalidArticle(f"unknown field(s): {', '.join(sorted(unknown))}")
    url = record.get("canonical_url") or record.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise InvalidArticle("'url' (or 'canonical_url') must be an http(s) URL")
    title = record.get("title")
    if not isinstance(title, str) or not title.strip():
        raise InvalidArticle("'title' must be a non-empty string")
    out: dict[str, Any] = dict(record)
    out.setdefault("url", url)
    out.setdefault("canonical_url", url)
    out["id"] = article_id(out["canonical_url"])
    for key in ("published_at", "updated_at", "fetched_at"):
        value = out.get(key)
        if value in (None, ""):
            out[key] = None
            continue
        try:
            out[key] = parse_iso(value).isoformat()  # type: ignore[union-attr]
        except (TypeError, ValueError, AttributeError):
            raise InvalidArticle(f"'{key}' is not an ISO 8601 date: {value!r}") from None
    out["fetched_at"] = out["fetched_at"] or utc_now()
    if out.get("date_source") not in DATE_SOURCES:
        out["date_source"] = "none" if out["published_at"] is None else "feed"
    for key in ("authors", "tags", "topics", "entities"):
        value = out.get(key) or []
        if not isinstance(value, list):
            raise InvalidArticle(f"'{key}' must be a list")
        out[key] = value
    source = out.get("source")
    if not isinstance(source, dict):
        from urllib.parse import urlsplit

        domain = urlsplit(out["canonical_url"]).hostname or ""
        source = {"id": domain, "name": domain, "domain": domain}
    out["source"] = source
    out.setdefault("summary", "")
    out.setdefault("body", "")
    out.setdefault("language", None)
    out.setdefault("image_url", None)
    out.setdefault("model_version", None)
    if not isinstance(out.get("explanations") or {}, dict):
        raise InvalidArticle("'explanations' must be an object of topic id -> terms")
    out["explanations"] = out.get("explanations") or {}
    out.setdefault("fingerprint", None)
    out.setdefault("cluster_id", None)
    out["word_count"] = int(out.get("word_count") or len(out["body"].split()))
    return out  # type: ignore[return-value]
