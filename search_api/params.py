"""Query parameters of the read endpoints, and the one codec of a search request.

The schemas here are what the views parse with *and* what the OpenAPI document is generated
from. Every field's error is collected, so a client sees all that is wrong with a request at
once, as a 400 problem listing each parameter (``invalid_params``).

:class:`SearchArgs` is also the codec of :class:`~tidings.core.index.base.SearchRequest` (the
one request type of the API, the analyst page, feeds and the index): :func:`parse_search`
reads URL arguments into a request, :func:`to_args` writes a request back as URL arguments
that parse to the same request, and :func:`echo` is the request as a response echoes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, post_load, validates_schema
from werkzeug.datastructures import MultiDict

from search_api.fields import (
    MAX_DATE,
    MIN_DATE,
    Aliased,
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
from tidings.core.index.base import (
    ALL_FACETS,
    COLLAPSES,
    DEFAULT_LIMIT,
    FACET_FIELDS,
    FACETS,
    MAX_LIMIT,
    Facet,
    SearchRequest,
)

__all__ = [
    "FILTER_PARAMS", "MAX_DATE", "MAX_ID", "MIN_DATE", "PARAMS", "echo", "load_args",
    "parse_recent", "parse_search", "to_args",
]  # fmt: skip

MAX_Q = 500
MAX_VALUE = 200  # one topic or source id
MAX_REPEAT = 50  # topic/source values per request
MAX_CURSOR = 2048
#: Longest article id a lookup accepts (longer ones are answered 404 without a lookup).
MAX_ID = 200
SORTS = ("relevance", "date")
#: Older (boolean) spellings of ``collapse``, still accepted: ``true`` collapsed copies.
COLLAPSE_ALIASES = {
    **dict.fromkeys(("true", "1", "yes", "on"), "cluster"),
    **dict.fromkeys(("false", "0", "no", "off", ""), "none"),
}
TREND_FIELDS = ALL_FACETS
#: Facets a search counts unless ``facet`` says otherwise (entity and language cost more).
DEFAULT_FACETS = FACET_FIELDS
CURSOR_PATTERN = r"^[\x21-\x7e]*$"  # printable ASCII, no spaces: opaque but sane (or empty)


def _values(facet: Facet) -> _Values:
    return _Values(
        MAX_VALUE,
        MAX_REPEAT,
        data_key=facet.param,
        metadata={"description": f"Only articles with any of these {facet.values} (repeatable)."},
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
    """What every query-based endpoint filters on: text, the FACETS table's filters, dates.

    Field names are :class:`SearchRequest` attributes, so loaded filters build a request.
    """

    q = Text(
        MAX_Q,
        strip=True,
        load_default="",
        metadata={
            "description": 'Query: words, "phrases", -exclusion, OR, field scopes '
            "(title:, topic:, source:, entity:, lang:)."
        },
    )
    # One repeatable filter per row of the FACETS table (topic, source, entity, lang).
    locals().update({facet.attr: _values(facet) for facet in FACETS})
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


class SearchArgs(FilterArgs):
    """``GET /api/v1/search``."""

    sort = Choice(
        SORTS,
        load_default="relevance",
        metadata={"description": "`relevance` (BM25) or `date` (newest first)."},
    )
    limit = _limit()
    cursor = Cursor()
    collapse = Aliased(
        COLLAPSES,
        COLLAPSE_ALIASES,
        load_default="none",
        metadata={
            "description": "One hit per group, its best-ranked member, with the group's size "
            "(`cluster_size`): `cluster` groups copies (near-duplicate text), `story` the "
            "articles reporting one event (`story_id`); `none` (default) shows every article. "
            "`true`/`false` are the older spellings of `cluster`/`none`. With a collapse, "
            "`total` counts groups, not articles."
        },
    )
    recency_boost = Flag(
        data_key="recency",
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
    def _make(self, data: dict[str, Any], **kwargs: Any) -> SearchRequest:
        return SearchRequest(**data)


@dataclasses.dataclass(frozen=True)
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


class StoryFeedArgs(RecentArgs):
    """``/feeds/stories.{rss,atom,json}``."""

    topic = Text(MAX_VALUE, metadata={"description": "Only stories with an article in this topic."})
    limit = _limit(what="stories (feed entries)")


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
    languages = _Values(
        MAX_VALUE,
        MAX_REPEAT,
        data_key="lang",
        metadata={"description": "Accepted and ignored: a story gathers articles in any language."},
    )


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
#: URL parameter -> SearchRequest attribute, in URL order (``highlight`` is not a parameter).
PARAMS: dict[str, str] = {f.data_key or name: name for name, f in _SEARCH.fields.items()}
#: The parameters that narrow the matches (words, the FACETS table's filters, dates).
FILTER_PARAMS = tuple(f.data_key or name for name, f in FilterArgs().fields.items())


def parse_search(args: MultiDict[str, str], *, default_sort: str | None = None) -> SearchRequest:
    """The search ``args`` ask for; raise a 400 Problem naming each bad one.

    With ``default_sort``, a query without words and without an explicit ``sort`` uses it.
    """
    request: SearchRequest = load_args(_SEARCH, args)
    if default_sort and "sort" not in args and not request.q:
        request = dataclasses.replace(request, sort=default_sort)  # type: ignore[arg-type]
    return request


def to_args(
    request: SearchRequest,
    params: Iterable[str] | None = None,
    *,
    default: SearchRequest | None = None,
) -> dict[str, str | list[str]]:
    """URL arguments that :func:`parse_search` reads back as ``request``, in URL order.

    Only ``params`` (default: all of :data:`PARAMS`), and only those that differ from
    ``default`` (default: ``SearchRequest()``), so one state has one short URL. A whole-day
    date bound is written as the bare day the user typed.
    """
    wanted = PARAMS if params is None else set(params)
    mine = _SEARCH.dump(request)
    base = _SEARCH.dump(default or SearchRequest())
    return {
        name: _text(mine[name])
        for name in PARAMS
        if name in wanted and mine[name] is not None and mine[name] != base[name]
    }


def _text(value: Any) -> str | list[str]:
    """A dumped value as URL text (numbers and flags dump as JSON values, for the docs)."""
    if isinstance(value, list):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def echo(request: SearchRequest) -> dict[str, Any]:
    """The request as understood (normalised dates, defaults filled), for a response."""
    out: dict[str, Any] = {}
    for name, attr in PARAMS.items():
        value = getattr(request, attr)
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        out[name] = value
    return out


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
