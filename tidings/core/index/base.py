"""The contract every search index backend implements (embedded tantivy, Elasticsearch).

The API and the CLI talk to this interface only; one contract test suite runs against every
backend. The index is derived data: it can always be rebuilt from the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from tidings.core.index.stories import StoryIndex

#: Fields of the article record an index returns for display (the body is searched, not returned).
DISPLAY_FIELDS = (
    "id", "url", "canonical_url", "title", "summary", "source", "authors", "published_at",
    "updated_at", "date_source", "language", "image_url", "topics", "entities", "cluster_id",
    "story_id", "model_version", "word_count",
)  # fmt: skip
#: Results per page unless asked otherwise, and the most one page may hold.
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
#: Values a facet counts (the most frequent first); also the most a trend may chart.
FACET_SIZE = 20
#: Longest body passage a hit's highlight shows (titles are returned whole).
HIGHLIGHT_CHARS = 200


@dataclass(frozen=True)
class Facet:
    """One filter/facet, named once for every layer that handles it."""

    name: str  #: facet and query-language field (``facet=topic``, ``topic:x``)
    param: str  #: URL parameter of its filter (``?topic=x``)
    attr: str  #: :class:`SearchRequest` attribute holding the filter's values
    index_field: str  #: keyword field of the index (the same name in every backend)
    label: str  #: heading on the analyst page
    values: str  #: what its values are, for the API documentation
    phrase: str  #: how a query's label introduces its values ("economy" -> "in economy")


#: The table of filters and facets, in display and URL order.
FACETS = (
    Facet("topic", "topic", "topics", "topics", "Topics", "topic ids", "in"),
    Facet("source", "source", "sources", "source", "Sources", "source ids", "from"),
    Facet("entity", "entity", "entities", "entities", "Entities", "entity keys", "about"),
    Facet(
        "language", "lang", "languages", "language", "Languages", "language codes", "in language"
    ),
)
FACET_BY_NAME = {f.name: f for f in FACETS}
#: Facet / query-language field -> keyword field of the index.
KEYWORD_FIELDS = {f.name: f.index_field for f in FACETS}
#: Every field a search can count (``SearchRequest.facets``) or chart (``IndexBackend.trends``).
ALL_FACETS = tuple(FACET_BY_NAME)
#: Facets a search counts unless it says otherwise (entity and language cost more).
FACET_FIELDS = ("topic", "source")
#: What a search may collapse its hits by -> the keyword field of the index that groups them:
#: ``cluster`` groups copies (near-duplicate text), ``story`` the articles of one event.
COLLAPSE_FIELDS = {"cluster": "cluster_id", "story": "story_id"}
#: Every value of ``SearchRequest.collapse`` (``none``: every matching article is a hit).
COLLAPSES = ("none", *COLLAPSE_FIELDS)


class QueryError(ValueError):
    """The user's query cannot be run (answered as a 400 problem, never a 500)."""


def check_request(request: SearchRequest) -> None:
    """Reject what no backend can run, before any work (QueryError → HTTP 400)."""
    if not 1 <= request.limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
    unknown = set(request.facets) - set(FACET_BY_NAME)
    if unknown:
        raise QueryError(f"unknown facet(s): {', '.join(sorted(unknown))}")
    if request.sort not in ("relevance", "date"):
        raise QueryError("sort must be 'relevance' or 'date'")
    if request.collapse not in COLLAPSES:
        raise QueryError(f"collapse must be one of {', '.join(COLLAPSES)}")


class IndexUnavailable(RuntimeError):
    """The index cannot answer now: not built yet, broken, or its server is unreachable.

    Answered as a 503 problem with ``Retry-After``; it is the operator's problem, not the user's.
    """


@dataclass(frozen=True)
class SearchRequest:
    """One search, as every layer sees it: the API, the analyst page, feeds, the index.

    Build it from code with keywords (every field has a default: ``SearchRequest(q="rates",
    topics=("economy",), sort="date")``), or from URL arguments with
    :func:`search_api.params.parse_search`; :func:`search_api.params.to_args` writes it back
    as URL arguments and :func:`search_api.params.echo` as the response's ``query``. The
    filters of :data:`FACETS` are "any of" their values; every filter given must hold.
    """

    q: str = ""  #: the query language (:mod:`tidings.core.index.query_language`)
    topics: tuple[str, ...] = ()  #: topic ids, any of
    sources: tuple[str, ...] = ()  #: source ids, any of
    date_from: datetime | None = None  #: published at or after (aware, UTC)
    date_to: datetime | None = None  #: published at or before (aware, UTC)
    sort: Literal["relevance", "date"] = "relevance"  #: an empty ``q`` is always by date
    limit: int = DEFAULT_LIMIT  #: hits per page, 1..MAX_LIMIT
    cursor: str | None = None  #: opaque, from a previous SearchResult.next_cursor
    facets: tuple[str, ...] = FACET_FIELDS  #: names in FACETS to count
    highlight: bool = True  #: fill Hit.highlights with what matched
    entities: tuple[str, ...] = ()  #: normalised entity keys, any of
    languages: tuple[str, ...] = ()  #: language codes, any of
    recency_boost: bool = False  #: relevance sort only: newer articles rank higher
    #: one hit per group of COLLAPSE_FIELDS (its best-ranked member), with Hit.cluster_size
    collapse: Literal["none", "cluster", "story"] = "none"
    histogram: bool = False  #: fill SearchResult.histogram

    @property
    def collapse_field(self) -> str | None:
        """The index field hits are collapsed by (``cluster_id``, ``story_id``), or None."""
        return COLLAPSE_FIELDS.get(self.collapse)

    def values(self, facet: Facet) -> tuple[str, ...]:
        """The values this request filters ``facet`` on (empty: no filter)."""
        return getattr(self, facet.attr)


@dataclass(frozen=True)
class Highlight:
    """What matched in one field: a passage of its plain text and where the matches are.

    ``spans`` are ``(start, end)`` character offsets into ``text``, ascending and not
    overlapping. The text is the article's own, never escaped: turning it into markup is the
    reader's job, done once (:mod:`search_api.markup`), so no layer unescapes another's HTML.
    """

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def matches(self) -> list[str]:
        """The matched pieces of text, in order (for tests and plain-text readers)."""
        return [self.text[start:end] for start, end in self.spans]


@dataclass
class Hit:
    id: str
    score: float
    article: dict[str, Any]  # the display fields of the article record (no body)
    #: "title" (the whole title) and "body" (its best passage), each only if it matched
    highlights: dict[str, Highlight] = field(default_factory=dict)
    cluster_size: int = 1  # with collapse: matching articles in this hit's group (copies/story)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]  # facet field -> [(value, count)] by count desc
    next_cursor: str | None = None
    histogram: list[tuple[str, int]] = field(default_factory=list)  # [("YYYY-MM-DD", n)] by day


class IndexBackend(Protocol):
    """A full-text index of article records, and of story records in ``stories``
    (:mod:`tidings.core.index.stories`)."""

    stories: StoryIndex

    def upsert(self, articles: list[dict[str, Any]]) -> None:
        """Add or replace articles (by ``id``) and make them visible to searches."""

    def delete(self, ids: list[str]) -> None:
        """Remove articles by id."""

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a query with filters, facets, highlights, sorting and cursor paging."""

    def recent(self, topic: str | None = None, limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
        """The newest articles (by ``published_at``, else ``fetched_at``), optionally per topic."""

    def more_like_this(self, article_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """Articles related to one article (shared distinctive terms), the article excluded."""

    def trends(
        self, request: SearchRequest, field: str, size: int = 5
    ) -> dict[str, list[tuple[str, int]]]:
        """Per-day counts of the ``size`` most frequent values of ``field`` among the matches."""

    def count(self) -> int:
        """Number of indexed articles."""

    def check(self) -> None:
        """Raise :class:`IndexUnavailable` (one line) unless the index can be used now; cheap,
        and it creates nothing. Commands ask it before they crawl or serve for minutes."""

    def health(self) -> dict[str, Any]:
        """Backend status for /healthz: at least ``{"status": "ok"|"error", "backend": name}``."""

    def clear(self) -> None:
        """Remove every article."""

    def rebuild(self, batches: Iterable[list[dict[str, Any]]]) -> int:
        """Replace every article by ``batches`` with no moment of empty or half-built search
        (``tidings reindex``); returns how many were indexed."""

    def close(self) -> None:
        """Release files, locks and connections."""
