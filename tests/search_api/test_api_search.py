"""GET /api/v1/search against the real embedded index."""

from __future__ import annotations

from typing import Any

from api_corpus import XSS_TITLE
from flask.testing import FlaskClient


def _search(client: FlaskClient, query: str | dict[str, Any]) -> dict[str, Any]:
    resp = client.get("/api/v1/search", query_string=query)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    return resp.get_json()


def test_search_returns_hits_with_highlights_facets_and_total(client: FlaskClient) -> None:
    body = _search(client, {"q": "climate"})
    assert body["total"] == 3
    titles = {h["title"] for h in body["hits"]}
    assert "Parliament passes climate bill after long debate" in titles
    first = body["hits"][0]
    assert set(first) >= {
        "id",
        "title",
        "url",
        "summary",
        "source",
        "published_at",
        "topics",
        "entities",
        "cluster_id",
        "highlights",
        "score",
    }
    assert first["title"] == "Parliament passes climate bill after long debate"  # title boost
    assert first["score"] > 0
    assert any("<b>climate</b>" in f for f in first["highlights"]["title"])
    assert first["source"]["name"] == "Daily Wire Service"
    assert first["entities"][0]["key"] == "parliament"
    topics = {f["value"]: f["count"] for f in body["facets"]["topic"]}
    assert topics["politics"] == 2 and topics["environment"] == 2
    sources = {f["value"]: f["count"] for f in body["facets"]["source"]}
    assert sources == {"herald": 2, "wire": 1}
    assert set(body["facets"]) == {"topic", "source"}  # the default: not entity nor language
    assert body["query"]["q"] == "climate" and body["query"]["limit"] == 20
    assert body["query"]["facet"] == ["topic", "source"]
    assert body["next_cursor"] is None


def test_filters_by_topic_source_and_dates(client: FlaskClient) -> None:
    body = _search(client, {"topic": "sport"})
    assert {h["title"] for h in body["hits"]} == {
        "Underdogs win the cup final",
        "Record broken at city marathon",
    }
    body = _search(client, [("topic", "sport"), ("topic", "security")])
    assert body["total"] == 4
    body = _search(client, {"source": "techpost", "q": "security"})
    assert body["total"] == 2
    assert all(h["source"]["id"] == "techpost" for h in body["hits"])
    body = _search(client, {"from": "2024-05-05", "to": "2024-05-07"})
    assert body["total"] == 4  # 5th, 6th and both articles of the 7th (end of day included)
    assert body["query"]["from"] == "2024-05-05T00:00:00+00:00"
    body = _search(client, {"from": "2024-05-09T00:00:00Z"})
    assert [h["title"] for h in body["hits"]] == ["Floods force thousands from homes"]


def test_sort_by_date_is_newest_first(client: FlaskClient) -> None:
    body = _search(client, {"sort": "date"})
    dates = [h["published_at"] for h in body["hits"]]
    assert len(dates) == 11
    assert dates == sorted(dates, reverse=True)


def test_cursor_paging_covers_all_results_once(client: FlaskClient) -> None:
    for query in ({"sort": "date", "limit": 3}, {"q": "the", "limit": 2}):
        seen: list[str] = []
        cursor = None
        total = None
        for _ in range(20):
            page = _search(client, {**query, **({"cursor": cursor} if cursor else {})})
            total = page["total"]
            seen += [h["id"] for h in page["hits"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == total, query
        assert total and total > 3


def test_xss_title_is_escaped_in_highlights(client: FlaskClient) -> None:
    body = _search(client, {"q": "onerror"})
    hit = body["hits"][0]
    assert hit["title"] == XSS_TITLE  # JSON carries the raw text; pages escape it
    fragments = hit["highlights"]["title"] + hit["highlights"]["body"]
    assert fragments
    assert all("<img" not in f and "<script" not in f for f in fragments)
    assert any("&lt;img" in f for f in hit["highlights"]["title"])


def test_odd_queries_never_fail(client: FlaskClient) -> None:
    for q in ['"unbalanced', "title:(", "AND OR NOT", "*", "üñíçødé ☃", "a" * 500, "-", "\\"]:
        resp = client.get("/api/v1/search", query_string={"q": q})
        assert resp.status_code in (200, 400), (q, resp.status_code)


def test_facet_parameter_selects_the_facets_counted(client: FlaskClient) -> None:
    body = _search(client, {"q": "climate", "facet": ["entity", "language"]})
    assert set(body["facets"]) == {"entity", "language"}
    assert {"value": "parliament", "count": 1} in body["facets"]["entity"]
    assert body["query"]["facet"] == ["entity", "language"]
    assert body["total"] == 3 and body["hits"]  # facets change nothing else
    one = _search(client, {"q": "climate", "facet": "source"})
    assert one["facets"] == {
        "source": [{"value": "herald", "count": 2}, {"value": "wire", "count": 1}]
    }
    # comma-separated, repeated and duplicated values: each counted once, in the order given
    mixed = _search(client, [("facet", "language, topic"), ("facet", "topic"), ("facet", "source")])
    assert list(mixed["facets"]) == ["language", "topic", "source"]
    assert mixed["query"]["facet"] == ["language", "topic", "source"]
    assert set(_search(client, [("facet", "topic"), ("facet", "entity")])["facets"]) == {
        "topic",
        "entity",
    }
    assert _search(client, {"facet": ""})["facets"] == {}  # given but empty: none


def test_unknown_facet_is_a_problem_naming_facet(client: FlaskClient) -> None:
    resp = client.get("/api/v1/search", query_string=[("facet", "topic"), ("facet", "author")])
    assert resp.status_code == 400
    assert resp.mimetype == "application/problem+json"
    names = [p["name"] for p in resp.get_json()["invalid_params"]]
    assert names == ["facet"]
