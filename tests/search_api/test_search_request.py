"""One search request, one codec: URL arguments -> SearchRequest -> URL arguments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from search_api.params import FILTER_PARAMS, PARAMS, echo, parse_search, to_args
from search_api.problems import Problem
from tidings.core.index.base import FACETS, SearchRequest

REQUESTS = [
    SearchRequest(),
    SearchRequest(q="rates OR inflation", topics=("economy", "business"), sources=("wire",)),
    SearchRequest(entities=("acme", "bank of england"), languages=("en", "de"), facets=()),
    SearchRequest(
        date_from=datetime(2024, 5, 1, tzinfo=UTC),
        date_to=datetime(2024, 5, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    ),
    SearchRequest(
        date_from=datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        date_to=datetime(2024, 5, 2, 0, 0, tzinfo=UTC),
    ),
    SearchRequest(
        q="x",
        sort="date",
        limit=100,
        cursor="abc_-.~",
        collapse="story",
        recency_boost=True,
        histogram=True,
        facets=("language", "entity"),
    ),  # fmt: skip
]


def _multi(args: dict[str, Any]) -> MultiDict[str, str]:
    return MultiDict([(k, x) for k, v in args.items() for x in (v if isinstance(v, list) else [v])])


@pytest.mark.parametrize("request_", REQUESTS)
def test_request_survives_the_round_trip_through_url_arguments(request_: SearchRequest) -> None:
    args = to_args(request_)
    assert all(isinstance(v, str | list) for v in args.values())
    assert parse_search(_multi(args)) == request_


def test_arguments_leave_out_defaults_and_keep_url_order() -> None:
    assert to_args(SearchRequest()) == {}
    request = SearchRequest(q="x", limit=5, languages=("en",), topics=("a",), sort="date")
    assert list(to_args(request)) == ["q", "topic", "lang", "sort", "limit"]
    # "no facets" differs from the default facets, so it must be written (as an empty value)
    assert to_args(SearchRequest(facets=())) == {"facet": ""}
    # a page whose default sort is by date leaves sort=date out
    assert to_args(request, default=SearchRequest(sort="date")) == {
        "q": "x", "topic": ["a"], "lang": ["en"], "limit": "5",
    }  # fmt: skip


def test_filter_params_come_from_the_facets_table() -> None:
    assert ("q", *(f.param for f in FACETS), "from", "to") == FILTER_PARAMS
    for facet in FACETS:
        assert PARAMS[facet.param] == facet.attr
        parsed = parse_search(MultiDict([(facet.param, "v1"), (facet.param, "v2")]))
        assert parsed.values(facet) == ("v1", "v2")
        assert to_args(parsed, FILTER_PARAMS) == {facet.param: ["v1", "v2"]}


def test_echo_names_every_parameter_with_json_values() -> None:
    request = parse_search(MultiDict([("q", "x"), ("to", "2024-05-01"), ("recency", "yes")]))
    assert echo(request) == {
        "q": "x", "topic": [], "source": [], "entity": [], "lang": [], "from": None,
        "to": "2024-05-01T23:59:59.999999+00:00", "sort": "relevance", "limit": 20,
        "cursor": None, "collapse": "none", "recency": True, "histogram": False,
        "facet": ["topic", "source"],
    }  # fmt: skip


def test_bad_arguments_are_a_problem_naming_each() -> None:
    with pytest.raises(Problem) as caught:
        parse_search(MultiDict([("limit", "0"), ("sort", "new"), ("facet", "nope")]))
    names = {p["name"] for p in caught.value.invalid_params or []}
    assert names == {"limit", "sort", "facet"}


def test_default_sort_applies_only_without_words_and_without_sort() -> None:
    assert parse_search(MultiDict(), default_sort="date").sort == "date"
    assert parse_search(MultiDict([("q", "x")]), default_sort="date").sort == "relevance"
    explicit = MultiDict([("sort", "relevance")])
    assert parse_search(explicit, default_sort="date").sort == "relevance"


def test_a_query_label_introduces_each_filter_by_its_phrase_in_the_table() -> None:
    from search_api.feeds import describe

    request = SearchRequest(
        q="rates", topics=("economy", "business"), sources=("wire",), entities=("acme",),
        languages=("de",), date_from=datetime(2024, 5, 1, tzinfo=UTC),
    )  # fmt: skip
    assert describe(request) == (
        "“rates” in economy, business from wire about acme in language de 2024-05-01..…"
    )
    assert describe(SearchRequest()) == "all articles"
