"""Query parameters of the read endpoints: one schema per endpoint, validating and documenting.

The schemas here are what the views parse with *and* what the OpenAPI document is generated
from. Every field's error is collected, so a client sees all that is wrong with a request at
once, as a 400 problem listing each parameter (``invalid_params``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from marshmallow import Schema, ValidationError, post_load, validates_schema
from werkzeug.datastructures import MultiDict

from search_api.fields import (
    MAX_DATE,
    MIN_DATE,
    Choice,
    Choices,
    Count,
    DateBound,
    Flag,
    QuerySchema,
    Text,
)
from search_api.fields import Values as _Values
from search_api.problems import validation_problem
from tidings.core.index.base import ALL_FACETS, FACET_FIELDS, SearchRequest

__all__ = [
    "MAX_DATE", "MIN_DATE", "SearchParams", "parse_recent", "parse_search", "load_args",
]  # fmt: skip

MAX_Q = 500
MAX_VALUE = 200  # one topic or source id
MAX_REPEAT = 50  # topic/source values per request
MAX_CURSOR = 2048
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
SORTS = ("relevance", "date")
TREND_FIELDS = ALL_FACETS
#: Facets a search counts unless ``facet`` says otherwise (entity and language cost more).
DEFAULT_FACETS = FACET_FIELDS
CURSOR_PATTERN = r"^[\x21-\x7e]*$"  # printable ASCII, no spaces: opaque but sane (or empty)


def _values(name: str, what: str) -> _Values:
    return _Values(
        MAX_VALUE,
        MAX_REPEAT,
        data_key=name,
        metadata={"description": f"Only articles with any of these {what} (repeatable)."},
    )


def _limit(default: int = DEFAULT_LIMIT, high: int = MAX_LIMIT, what: str = "results") -> Count:
    return Count(
        1, high, load_default=default, metadata={"description": f"Number of {what} (1-{high})."}
    )


class Cursor(Text):
    """An opaque paging cursor from a previous response's ``next_cursor``."""

    def __init__(self) -> None:
        super().__init__(
            MAX_CURSOR,
            metadata={
                "description": "`next_cursor` of the previous page.",
                "pattern": CURSOR_PATTERN,
            },
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            return None
        if any(not 0x21 <= ord(c) <= 0x7E for c in text):
            raise ValidationError("not a cursor from a previous response")
        return text


class FilterArgs(QuerySchema):
    """What every query-based endpoint filters on: text, topics, sources, entities, dates."""

    q = Text(
        MAX_Q,
        strip=True,
        load_default="",
        metadata={
            "description": 'Query: words, "phrases", -exclusion, OR, field scopes '
            "(title:, topic:, source:, entity:, lang:)."
        },
    )
    topics = _values("topic", "topic ids")
    sources = _values("source", "source ids")
    entities = _values("entity", "entity keys")
    languages = _values("lang", "language codes")
    date_from = DateBound(
        end_of_day=False, data_key="from", metadata={"description": "Published at or after."}
    )
    date_to = DateBound(
        end_of_day=True,
        data_key="to",
        metadata={"description": "Published at or before (a bare date: that whole day)."},
    )

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError("'from' is after 'to'", field_name="from")


@dataclass(frozen=True)
class SearchParams:
    """A validated search: what the index runs and what the response echoes."""

    q: str = ""
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: datetime | None = None
    date_to: datetime | None = None
    sort: Literal["relevance", "date"] = "relevance"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    entities: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    collapse: bool = False
    recency: bool = False
    histogram: bool = False
    facets: tuple[str, ...] = DEFAULT_FACETS

    def to_request(
        self, *, highlight: bool = True, facets: tuple[str, ...] | None = None
    ) -> SearchRequest:
        """The index request; ``facets`` (default: the requested ones) are counted."""
        return SearchRequest(
            q=self.q,
            topics=self.topics,
            sources=self.sources,
            date_from=self.date_from,
            date_to=self.date_to,
            sort=self.sort,
            limit=self.limit,
            cursor=self.cursor,
            facets=self.facets if facets is None else facets,
            highlight=highlight,
            entities=self.entities,
            languages=self.languages,
            recency_boost=self.recency,
            collapse=self.collapse,
            histogram=self.histogram,
        )

    def echo(self) -> dict[str, Any]:
        """The query as understood (normalised dates, defaults filled), for the response."""
        return {
            "q": self.q,
            "topic": list(self.topics),
            "source": list(self.sources),
            "entity": list(self.entities),
            "lang": list(self.languages),
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "sort": self.sort,
            "limit": self.limit,
            "cursor": self.cursor,
            "collapse": self.collapse,
            "recency": self.recency,
            "histogram": self.histogram,
            "facet": list(self.facets),
        }


class SearchArgs(FilterArgs):
    """``GET /api/v1/search``."""

    sort = Choice(
        SORTS,
        load_default="relevance",
        metadata={"description": "`relevance` (BM25) or `date` (newest first)."},
    )
    limit = _limit()
    cursor = Cursor()
    collapse = Flag(
        load_default=False,
        metadata={"description": "One hit per story (near-duplicate cluster), with its size."},
    )
    recency = Flag(
        load_default=False,
        metadata={"description": "Relevance sort only: rank newer articles higher."},
    )
    histogram = Flag(
        load_default=False, metadata={"description": "Add per-day counts of the matches."}
    )
    facets = Choices(
        ALL_FACETS,
        data_key="facet",
        load_default=DEFAULT_FACETS,
        metadata={
            "description": "Facets to count (repeatable, or comma-separated); default `topic` "
            "and `source`. `entity` and `language` cost more on large indexes. Given but "
            "empty (`facet=`): none.",
            "default": list(DEFAULT_FACETS),
        },
    )

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> SearchParams:
        return SearchParams(**data)


@dataclass(frozen=True)
class RecentParams:
    topic: str | None
    limit: int


class RecentArgs(QuerySchema):
    """``GET /api/v1/recent`` (and the feeds)."""

    topic = Text(MAX_VALUE, metadata={"description": "Only articles in this topic."})
    limit = _limit(what="articles")

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> RecentParams:
        return RecentParams(data.get("topic") or None, data["limit"])


class TrendsArgs(FilterArgs):
    """``GET /api/v1/trends``."""

    field = Choice(
        TREND_FIELDS,
        load_default="topic",
        metadata={"description": "What to count per day."},
    )
    size = _limit(5, 20, "values (the most frequent) to chart")


class EntitiesArgs(FilterArgs):
    """``GET /api/v1/entities``."""

    label = Text(
        40,
        strip=True,
        metadata={"description": "Only entities of this NER label (ORG, PERSON, GPE, ...)."},
    )
    limit = _limit(what="entities")


class StoriesArgs(FilterArgs):
    """``GET /api/v1/stories`` (``lang`` is accepted and ignored: stories mix languages).

    ``limit`` has no load default, so an empty ``limit=`` is a 400 (not an integer) as the
    schema says; the view applies the default when it is absent."""

    limit = Count(
        1, MAX_LIMIT,
        metadata={"description": f"Number of stories (1-{MAX_LIMIT}; default {DEFAULT_LIMIT})."},
    )  # fmt: skip


class RelatedArgs(QuerySchema):
    """``GET /api/v1/articles/{id}/related``."""

    limit = _limit(5, 20, "related articles")


def load_args(schema: Schema, args: MultiDict[str, str]) -> Any:
    """``args`` loaded through ``schema``; a 400 problem naming every bad parameter if invalid."""
    try:
        return schema.load(args)
    except ValidationError as exc:
        raise validation_problem(exc.messages) from exc


_SEARCH = SearchArgs()
_RECENT = RecentArgs()


def parse_search(args: MultiDict[str, str]) -> SearchParams:
    """Validate the search parameters; raise a 400 Problem naming each bad one."""
    return load_args(_SEARCH, args)


def parse_recent(args: MultiDict[str, str]) -> tuple[str | None, int]:
    """Validate ``topic`` (optional, single) and ``limit`` for recent lists and feeds."""
    params: RecentParams = load_args(_RECENT, args)
    return params.topic, params.limit


def parse_limit(args: MultiDict[str, str], errors: list[tuple[str, str]]) -> int:
    """``limit`` (default 20), appending to ``errors`` when it is invalid."""
    try:
        return _RECENT.load(MultiDict([("limit", v) for v in args.getlist("limit")])).limit
    except ValidationError as exc:
        errors.extend(("limit", str(m)) for m in exc.messages.get("limit", []))  # type: ignore[union-attr]
        return DEFAULT_LIMIT
