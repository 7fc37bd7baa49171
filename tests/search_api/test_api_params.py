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
