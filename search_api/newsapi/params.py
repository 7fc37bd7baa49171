"""NewsAPI's request parameters: the schemas that parse (and document) them, case-insensitively.

NewsAPI clients are not consistent about case (one popular client sends ``qintitle``), so the
parser maps every query-string name onto the documented spelling before the schema sees it.
Any invalid value is NewsAPI's ``parameterInvalid``, naming the parameter as NewsAPI does.
What the values mean for a search is :mod:`search_api.newsapi.translate`'s business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from marshmallow import Schema, ValidationError, post_load
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import MultiDict

from search_api.fields import Choice, Choices, Count, DateBound, QuerySchema, Text, Values
from search_api.newsapi.errors import NewsApiError, invalid
from search_api.openapi import ApiBlueprint
from tidings.core.taxonomy import CATEGORIES

MAX_Q = 500  # NewsAPI's limit on q
MAX_LIST = 2000  # comma-separated sources / domains
MAX_PAGE_SIZE = 100
SORTS = ("relevancy", "popularity", "publishedAt")
SEARCH_IN = ("title", "description", "content")
_LANGUAGE = re.compile(r"([A-Za-z]{2})(?:-[A-Za-z]{2})?\Z")


class Language(Text):
    """A two-letter language code, any case, a region allowed (``en-US``: ``en``); listed by
    NewsAPI or not (Tidings holds other languages too)."""

    def __init__(self, **kwargs: Any) -> None:
        pattern = "^([A-Za-z]{2}(-[A-Za-z]{2})?)?$"
        kwargs["metadata"] = {"pattern": pattern, **kwargs.get("metadata", {})}
        super().__init__(5, strip=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            return None
        match = _LANGUAGE.match(text)
        if not match:
            raise ValidationError("must be a two-letter language code such as en")
        return match.group(1).lower()


def _list(what: str) -> Text:
    return Text(MAX_LIST, strip=True, metadata={"description": f"Comma-separated {what}."})


def _page_size(default: int) -> Count:
    return Count(
        1,
        MAX_PAGE_SIZE,
        data_key="pageSize",
        load_default=default,
        metadata={"description": f"Results per page (default {default}, at most 100)."},
    )


def _page() -> Count:
    return Count(1, 10_000, load_default=1, metadata={"description": "Page number (from 1)."})


def _queries() -> Values:
    return Values(
        MAX_Q,
        10,
        data_key="q",
        metadata={
            "description": 'Keywords or phrases: "exact phrase", +must, -mustnot, AND / OR / '
            "NOT and parentheses (up to 500 characters; repeated q are all required)."
        },
    )


def _date(name: str, what: str, *, end: bool) -> DateBound:
    return DateBound(end_of_day=end, data_key=name, metadata={"description": what})


def _in_title() -> Text:
    return Text(
        MAX_Q, strip=True, data_key="qInTitle", metadata={"description": "Like q, in titles only."}
    )


@dataclass(frozen=True)
class NewsRequest:
    """A NewsAPI request as parsed: NewsAPI's own vocabulary, validated, defaults filled."""

    endpoint: str  # "everything" | "top-headlines"
    q: tuple[str, ...] = ()
    q_in_title: str | None = None
    search_in: tuple[str, ...] = ()
    sources: str | None = None
    domains: str | None = None
    exclude_domains: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    language: str | None = None
    sort_by: str = "publishedAt"
    country: str | None = None
    category: str | None = None
    page_size: int = 100
    page: int = 1


class EverythingArgs(QuerySchema):
    """``GET /v2/everything``."""

    q = _queries()
    q_in_title = _in_title()
    search_in = Choices(
        SEARCH_IN,
        data_key="searchIn",
        metadata={"description": "Fields q searches: title, description, content (comma-sep.)."},
    )
    sources = _list("source ids (at most 20; see /v2/top-headlines/sources)")
    domains = _list("domains to restrict to (e.g. bbc.co.uk,techcrunch.com)")
    exclude_domains = Text(
        MAX_LIST,
        strip=True,
        data_key="excludeDomains",
        metadata={"description": "Comma-separated domains to leave out."},
    )
    date_from = _date("from", "Oldest article allowed.", end=False)
    date_to = _date("to", "Newest article allowed (a bare date: that whole day).", end=True)
    language = Language(metadata={"description": "Two-letter language code."})
    sort_by = Choice(
        SORTS,
        data_key="sortBy",
        load_default="publishedAt",
        metadata={
            "description": "publishedAt (newest first, default), relevancy, or popularity "
            "(how many sources carried the story)."
        },
    )
    page_size = _page_size(100)
    page = _page()

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> NewsRequest:
        return NewsRequest("everything", **data)


class TopHeadlinesArgs(QuerySchema):
    """``GET /v2/top-headlines``."""

    q = _queries()
    q_in_title = _in_title()
    country = Text(
        10,
        strip=True,
        metadata={"description": "Two-letter country code of the sources (from their domain)."},
    )
    category = Choice(
        CATEGORIES, metadata={"description": "Category (mapped onto topics by the taxonomy)."}
    )
    sources = _list("source ids (not with country or category)")
    language = Text(
        20, strip=True, metadata={"description": "Language code (any value is accepted)."}
    )
    page_size = _page_size(20)
    page = _page()

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> NewsRequest:
        return NewsRequest("top-headlines", **data)


@dataclass(frozen=True)
class SourcesRequest:
    category: str | None = None
    language: str | None = None
    country: str | None = None


class SourcesArgs(QuerySchema):
    """``GET /v2/top-headlines/sources`` and ``GET /v2/sources``: filters, any value accepted."""

    category = Text(40, strip=True, metadata={"description": "Only sources of this category."})
    language = Text(20, strip=True, metadata={"description": "Only sources in this language."})
    country = Text(20, strip=True, metadata={"description": "Only sources of this country."})

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> SourcesRequest:
        return SourcesRequest(**{k: (v.lower() or None) for k, v in data.items()})


class NewsApiParser(FlaskParser):
    """webargs parser: parameter names in any case; errors are NewsAPI's ``parameterInvalid``."""

    DEFAULT_VALIDATION_STATUS = 400

    def load_querystring(self, req: Any, schema: Schema) -> Any:
        spelled = {
            (f.data_key or name).lower(): (f.data_key or name) for name, f in schema.fields.items()
        }
        args = MultiDict(
            (spelled.get(key.lower(), key), value) for key, value in req.args.items(multi=True)
        )
        return self._makeproxy(args, schema)

    def handle_error(  # type: ignore[override]
        self, error: Any, req: Any, schema: Any, *, error_status_code: Any, error_headers: Any
    ) -> NoReturn:
        raise parameter_error(error.messages)


def parameter_error(messages: Any) -> NewsApiError:
    """``parameterInvalid`` naming the first bad parameter and why, as NewsAPI words it."""
    if isinstance(messages, dict) and len(messages) == 1 and "query" in messages:
        messages = messages["query"]
    if isinstance(messages, dict) and messages:
        name, reasons = next(iter(messages.items()))
        reason = reasons[0] if isinstance(reasons, list) and reasons else reasons
        return invalid(f"The {name} parameter is invalid: {reason}.")
    return invalid("A parameter is invalid.")


class NewsApiBlueprint(ApiBlueprint):
    """An API blueprint whose query parameters are parsed by :class:`NewsApiParser`."""

    ARGUMENTS_PARSER = NewsApiParser()
