"""Bad query parameters are 400 problem documents naming the parameter, never 500s."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "²"}, "limit"),
        ({"sort": "x"}, "sort"),
        ({"from": "notadate"}, "from"),
        ({"to": "2024-13-01"}, "to"),
        ({"from": "2024-05-09", "to": "2024-05-01"}, "from"),
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "not a cursor"}, "cursor"),
        ({"q": "x" * 501}, "q"),
        ({"q": "a\x00b"}, "q"),
        ([("sort", "date"), ("sort", "relevance")], "sort"),
        ({"topic": "t" * 201}, "topic"),
        ({"to": "9999-12-31"}, "to"),
        ({"facet": "bogus"}, "facet"),
        ({"facet": "topic,nope"}, "facet"),
        ([("facet", "topic"), ("facet", "none")], "facet"),
        # The documented maxItems counts every value sent, blank ones too (schemathesis found
        # 51 blank `lang` values accepted).
        ([("lang", " ")] * 51, "lang"),
    ],
)
def test_bad_search_params_are_problems(client: FlaskClient, query: object, name: str) -> None:
    resp = client.get("/api/v1/search", query_string=query)
    assert resp.status_code == 400
    assert resp.mimetype == PROBLEM
    body = resp.get_json()
    assert body["status"] == 400
    assert body["instance"] == "/api/v1/search"
    assert body["type"] and body["title"] and body["detail"]
    assert name in [p["name"] for p in body["invalid_params"]]
    assert all(p["reason"] for p in body["invalid_params"])


def test_all_bad_params_reported_at_once(client: FlaskClient) -> None:
    resp = client.get("/api/v1/search?limit=0&sort=x&from=nope")
    names = {p["name"] for p in resp.get_json()["invalid_params"]}
    assert names == {"limit", "sort", "from"}


def test_cursor_of_another_sort_is_a_problem(client: FlaskClient) -> None:
    cursor = client.get("/api/v1/search?sort=date&limit=2").get_json()["next_cursor"]
    resp = client.get("/api/v1/search", query_string={"q": "the", "cursor": cursor})
    assert resp.status_code == 400 and resp.mimetype == PROBLEM
    assert resp.get_json()["invalid_params"][0]["name"] == "cursor"


def test_bad_recent_limit_is_a_problem(client: FlaskClient) -> None:
    resp = client.get("/api/v1/recent?limit=1000")
    assert resp.status_code == 400 and resp.mimetype == PROBLEM
    assert resp.get_json()["invalid_params"][0]["name"] == "limit"


def test_unknown_api_path_and_wrong_method_are_problems(client: FlaskClient) -> None:
    resp = client.get("/api/v1/nope", headers={"Accept": "text/html"})
    assert resp.status_code == 404 and resp.mimetype == PROBLEM
    resp = client.post("/api/v1/search")
    assert resp.status_code == 405 and resp.mimetype == PROBLEM
    assert "GET" in resp.headers["Allow"]
    assert resp.get_json()["title"] == "Method Not Allowed"


def test_a_query_schema_is_made_once_not_per_request(client: FlaskClient) -> None:
    # webargs makes a schema from its class on every request (deep copies of its fields); the
    # parser keeps one per class, and answers stay those of a fresh schema
    from search_api.params import SearchArgs

    made = []
    original = SearchArgs.__init__

    def counting(self: SearchArgs, *args: object, **kwargs: object) -> None:
        made.append(self)
        original(self, *args, **kwargs)

    SearchArgs.__init__ = counting  # type: ignore[method-assign]
    try:
        # distinct URLs: the response cache would answer a repeat without parsing it
        answers = [client.get(f"/api/v1/search?q=the&limit={n}").get_json() for n in (3, 4, 5)]
        bad = client.get("/api/v1/search?q=the&limit=0")
    finally:
        SearchArgs.__init__ = original  # type: ignore[method-assign]
    assert len(made) <= 1  # 0 if an earlier test made it first; without the cache, 4
    assert [a["query"]["limit"] for a in answers] == [3, 4, 5]
    assert answers[0]["total"] >= 5 and [len(a["hits"]) for a in answers] == [3, 4, 5]
    assert bad.status_code == 400 and bad.get_json()["invalid_params"][0]["name"] == "limit"
