"""The contract every search index backend implements (embedded tantivy, Elasticsearch).

The API and the CLI talk to this interface only; one contract test suite runs against every
backend. The index is derived data: it can always be rebuilt from the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from tidings.core.article import parse_iso

FACET_FIELDS = ("topic", "source")
#: Fields of the article record an index returns for display (the body is searched, not returned).
DISPLAY_FIELDS = (
    "id", "url", "canonical_url", "title", "summary", "source", "authors", "published_at",
    "updated_at", "date_source", "language", "image_url", "topics", "entities", "cluster_id",
    "story_id", "model_version", "word_count",
)  # fmt: skip
#: Facet / query-language field -> keyword field of the index (the same name in every backend).
KEYWORD_FIELDS = {
    "topic": "topics",
    "source": "source",
    "entity": "entities",
    "language": "language",
}
#: Every field a search can count (``SearchRequest.facets``) or chart (``IndexBackend.trends``).
ALL_FACETS = ("topic", "source", "entity", "language")


def sort_date(article: dict[str, Any]) -> datetime | None:
    """The date an index sorts and filters an article by: ``published_at``, else ``fetched_at``."""
    for key in ("published_at", "fetched_at"):
        try:
            value = parse_iso(article.get(key))
        except (TypeError, ValueError, AttributeError):
            value = None
        if value is not None:
            return value
    return None


def topic_ids(article: dict[str, Any]) -> list[str]:
    """The topic ids an index stores for an article (records hold ``{"id", ...}`` objects)."""
    out = []
    for topic in article.get("topics") or []:
        value = topic if isinstance(topic, str) else (topic or {}).get("id")
        if isinstance(value, str) and value:
            out.append(value)
    return out


class QueryError(ValueError):
    """The user's query cannot be run (answered as a 400 problem, never a 500)."""


class IndexUnavailable(RuntimeError):
    """The index cannot answer now: not built yet, broken, or its server is unreachable.

    Answered as a 503 problem with ``Retry-After``; it is the operator's problem, not the user's.
    """


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: datetime | None = None
    date_to: datetime | None = None
    sort: Literal["relevance", "date"] = "relevance"
    limit: int = 20
    cursor: str | None = None  # opaque, from a previous SearchResult.next_cursor
    facets: tuple[str, ...] = FACET_FIELDS
    highlight: bool = True
    entities: tuple[str, ...] = ()  # normalised entity keys, any of
    languages: tuple[str, ...] = ()  # language codes, any of
    recency_boost: bool = False  # relevance sort only: newer articles rank higher
    collapse: bool = False  # one hit per cluster_id (story), with Hit.cluster_size
    histogram: bool = False  # fill SearchResult.histogram


@dataclass
class Hit:
    id: str
    score: float
    article: dict[str, Any]  # the display fields of the article record (no body)
    highlights: dict[str, list[str]] = field(default_factory=dict)  # field -> HTML fragments
    cluster_size: int = 1  # with collapse: matching articles in this hit's story


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]  # facet field -> [(value, count)] by count desc
    next_cursor: str | None = None
    histogram: list[tuple[str, int]] = field(default_factory=list)  # [("YYYY-MM-DD", n)] by day


class IndexBackend(Protocol):
    """A full-text index of article records."""

    def upsert(self, articles: list[dict[str, Any]]) -> None:
        """Add or replace articles (by ``id``) and make them visible to searches."""

    def delete(self, ids: list[str]) -> None:
        """Remove articles by id."""

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a query with filters, facets, highlights, sorting and cursor paging."""

    def recent(self, topic: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The newest articles (by ``published_at``, else ``fetched_at``), optionally per topic."""

    def more_like_this(self, article_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """Articles related to one article (shared distinctive terms), the article excluded."""

    def trends(
        self, request: SearchRequest, field: str, size: int = 5
    ) -> dict[str, list[tuple[str, int]]]:
        """Per-day counts of the ``size`` most frequent values of ``field`` among the matches."""

    def count(self) -> int:
        """Number of indexed articles."""

    def health(self) -> dict[str, Any]:
        """Backend status for /healthz: at least ``{"status": "ok"|"error", "backend": name}``."""

    def clear(self) -> None:
        """Remove every article."""

    def rebuild(self, batches: Iterable[list[dict[str, Any]]]) -> int:
        """Replace every article by ``batches`` with no moment of empty or half-built search
        (``tidings reindex``); returns how many were indexed."""

    def close(self) -> None:
        """Release files, locks and connections."""
