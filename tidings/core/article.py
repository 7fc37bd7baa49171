"""The article record: the one shape every part of Tidings passes around.

Records are plain JSON-ready dicts (so they go through Scrapy items, SQLite, JSON Lines and
HTTP unchanged). This module names their fields, derives the stable id, checks records that
come from outside (``tidings import``), and is the one place that reads and writes the fields
other parts need from a record: its source id, topic ids, entity keys and dates. Dates are
written as UTC ISO 8601 (:func:`iso_utc`) and read by one parser (:func:`parse_iso`).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
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
DATE_FIELDS = ("published_at", "updated_at", "fetched_at")
#: Longer text is no date (and is not handed to the parser at all).
_MAX_DATE_TEXT = 64
DATE_SOURCES = ("jsonld", "meta", "time-tag", "byline", "feed", "sitemap", "url", "text", "none")


class InvalidArticle(ValueError):
    """A record from outside does not follow the article contract."""


def article_id(canonical_url: str) -> str:
    """Stable id of an article: a hash of its canonical URL (same URL, same id, everywhere)."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:20]


# -- dates ----------------------------------------------------------------------------------


def parse_iso(value: object, *, end_of_day: bool = False) -> datetime | None:
    """The one date parser: an ISO 8601 date or date-time as an aware UTC datetime.

    Accepts what records, feed hints, settings and users write: ``2024-05-01T12:00:00Z``,
    ``…+02:00``, lowercase ``t``/``z``, a space for ``T``, fractions of a second, the basic form
    ``20240501T120000Z``, a bare date (midnight UTC; with ``end_of_day``, as the upper bound
    of a range, its last microsecond) and a :class:`~datetime.datetime` or
    :class:`~datetime.date`; no offset means UTC. None or ``""`` is None (no date). Anything
    else raises ``ValueError`` naming the value: a malformed or out-of-range date, or a value
    that is neither a string nor a date.
    """
    if value is None or value == "":
        return None
    bare_day = False
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt, bare_day = datetime(value.year, value.month, value.day), True
    elif isinstance(value, str) and len(value) <= _MAX_DATE_TEXT:
        text = value.strip().upper()
        bare_day = not any(c in text for c in "T :")
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO 8601 date: {value!r}") from None
    else:
        raise ValueError(f"not an ISO 8601 date: {value!r}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        dt = dt.astimezone(UTC)
        return dt + timedelta(days=1, microseconds=-1) if bare_day and end_of_day else dt
    except OverflowError:
        raise ValueError(f"date out of range: {value!r}") from None


def iso_utc(value: datetime) -> str:
    """The form dates take in records: UTC, whole seconds, ``2024-05-01T12:00:00+00:00``
    (equal instants, equal strings, so stored dates compare as text)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def utc_now() -> str:
    """The current time as the ISO 8601 UTC string used in records."""
    return iso_utc(datetime.now(UTC))


def date_or_none(value: object) -> datetime | None:
    """:func:`parse_iso` for dates from data already accepted (stored records, feed hints,
    settings): an unreadable date there is no date, not an error."""
    try:
        return parse_iso(value)
    except ValueError:
        return None


def read_date(record: dict[str, Any], *keys: str) -> datetime | None:
    """The first of the record's date fields ``keys`` that holds a readable date (aware UTC)."""
    for key in keys:
        if (when := date_or_none(record.get(key))) is not None:
            return when
    return None


def article_date(record: dict[str, Any]) -> datetime | None:
    """The date an article is sorted, filtered and listed by: published, else fetched."""
    return read_date(record, "published_at", "fetched_at")


# -- the fields other parts read -------------------------------------------------------------


def source_id(record: dict[str, Any]) -> str | None:
    """The id of the record's source (``source`` is an object; a bare id is read too)."""
    source = record.get("source")
    value = source.get("id") if isinstance(source, dict) else source
    return str(value) if value else None


def topic_ids(record: dict[str, Any]) -> list[str]:
    """The record's topic ids, in order (topics are ``{"id", ...}`` objects; bare ids too)."""
    out = []
    for topic in record.get("topics") or []:
        value = topic.get("id") if isinstance(topic, dict) else topic
        if isinstance(value, str) and value:
            out.append(value)
    return out


def entity_keys(record: dict[str, Any]) -> list[str]:
    """The normalised keys of the record's entities, in order."""
    return [
        str(e["key"]) for e in record.get("entities") or [] if isinstance(e, dict) and e.get("key")
    ]


def group_keys(record: dict[str, Any]) -> dict[str, str]:
    """The keys a search collapses the record by: its copies cluster and its story.

    An article not yet clustered is its own cluster, and one not yet placed in a story is its
    cluster's story (copies always report the same event), so every record has both.
    """
    cluster = str(record.get("cluster_id") or record["id"])
    return {"cluster_id": cluster, "story_id": str(record.get("story_id") or cluster)}


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
    for key in DATE_FIELDS:
        try:
            when = parse_iso(out.get(key))
        except ValueError:
            raise InvalidArticle(f"'{key}' is not an ISO 8601 date: {out.get(key)!r}") from None
        out[key] = iso_utc(when) if when else None
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
    for key in ("summary", "body"):  # text every reader slices and splits: null is none
        out[key] = _text(out, key, "a string") or ""
    for key in ("language", "image_url", "model_version"):
        out[key] = _text(out, key, "a string or null")
    if not isinstance(out.get("explanations") or {}, dict):
        raise InvalidArticle("'explanations' must be an object of topic id -> terms")
    out["explanations"] = out.get("explanations") or {}
    out.setdefault("fingerprint", None)
    out.setdefault("cluster_id", None)
    out["word_count"] = _whole(out.get("word_count")) or len(out["body"].split())
    return out  # type: ignore[return-value]


def _text(record: dict[str, Any], key: str, expected: str) -> str | None:
    """A text field as given (null: None); another type is refused here, by name, not stored
    to fail later in a page, a feed or the index."""
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidArticle(f"'{key}' must be {expected}, not {type(value).__name__}")
    return value


def _whole(value: object) -> int:
    """``word_count`` as given (0 when absent: then it is counted from the body)."""
    if value is None:
        return 0
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise InvalidArticle(f"'word_count' must be a whole number, not {value!r}") from None
