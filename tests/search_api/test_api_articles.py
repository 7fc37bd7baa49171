"""/api/v1/recent, /api/v1/articles/<id> and /healthz."""

from __future__ import annotations

from typing import Any

from api_corpus import by_title
from flask.testing import FlaskClient


def test_recent_is_newest_first_and_per_topic(client: FlaskClient) -> None:
    resp = client.get("/api/v1/recent?limit=3")
    assert resp.status_code == 200
    titles = [a["title"] for a in resp.get_json()["articles"]]
    assert titles[0] == "Floods force thousands from homes"
    assert len(titles) == 3
    assert resp.headers["ETag"] and "max-age" in resp.headers["Cache-Control"]
    again = client.get("/api/v1/recent?limit=3", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304
    sport = client.get("/api/v1/recent?topic=sport").get_json()["articles"]
    assert [a["title"] for a in sport] == [
        "Record broken at city marathon",
        "Underdogs win the cup final",
    ]
    assert all("body" not in a for a in sport)
    assert client.get("/api/v1/recent?topic=nothing").get_json() == {"articles": []}


def test_article_by_id_with_body_and_cluster(
    client: FlaskClient, articles: list[dict[str, Any]]
) -> None:
    original = by_title(articles, "Central bank raises interest rates")
    copy = by_title(articles, "Central bank raises rates again")
    resp = client.get(f"/api/v1/articles/{original['id']}")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["id"] == original["id"]
    assert body["body"].startswith("The central bank raised interest rates")
    assert [t["id"] for t in body["topics"]] == ["business", "economy"]
    assert body["cluster_id"] == copy["cluster_id"]
    assert [m["id"] for m in body["cluster"]] == [copy["id"]]
    lone = by_title(articles, "Underdogs win the cup final")
    assert client.get(f"/api/v1/articles/{lone['id']}").get_json()["cluster"] == []


def test_missing_article_is_a_404_problem(client: FlaskClient) -> None:
    resp = client.get("/api/v1/articles/does-not-exist")
    assert resp.status_code == 404
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == 404 and body["instance"] == "/api/v1/articles/does-not-exist"
    assert client.get("/api/v1/articles/" + "x" * 500).status_code == 404


def test_healthz(client: FlaskClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ok"
    assert body["index"]["status"] == "ok" and body["index"]["backend"] == "embedded"
    assert body["articles"] == 11
