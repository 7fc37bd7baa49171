"""Hostile input found by the product audit: each was a 500 (or a wrong answer) before its fix.

Every case is a client's mistake, so the answer is a 4xx problem document naming the
parameter, never a 500. Digits that ``str.isdigit`` accepts but ``int`` does not (``'²'``)
were the commonest trap.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from api_corpus import KEY
from flask.testing import FlaskClient

from search_api import create_app
from tidings.core.config import Settings

AUTH = {"Authorization": f"Bearer {KEY}"}


def _names(resp) -> list[str]:  # type: ignore[no-untyped-def]
    assert resp.mimetype == "application/problem+json", resp.get_data(as_text=True)[:200]
    body = resp.get_json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == resp.status_code
    return [p["name"] for p in body.get("invalid_params", [])]


@pytest.mark.parametrize("limit", ["²", "٣", "１"])
def test_widget_limit_in_other_digits_is_a_400(client: FlaskClient, limit: str) -> None:
    resp = client.get("/widget", query_string={"limit": limit})
    assert resp.status_code == 400
    assert _names(resp) == ["limit"]


@pytest.mark.parametrize("interval", ["²", "٣٠"])
def test_source_interval_in_other_digits_is_a_400(admin_client: FlaskClient, interval: str) -> None:
    body = {"id": "odd-digits", "feeds": ["http://127.0.0.1:9/feed.xml"], "interval": interval}
    resp = admin_client.post("/api/v1/sources", json=body, headers=AUTH)
    assert resp.status_code == 400
    assert _names(resp) == ["interval"]


@pytest.mark.parametrize("path", ["/v2/everything?q=chips", "/v2/sources", "/v2/top-headlines?q=a"])
def test_newsapi_routes_answer_503_when_the_store_is_not_a_database(
    tmp_path: Path, path: str
) -> None:
    (tmp_path / "tidings.db").write_bytes(b"not SQLite at all\n" * 400)
    app = create_app(Settings(home=tmp_path), config={"RATELIMIT_ENABLED": False})
    resp = app.test_client().get(path)
    assert resp.status_code == 503, resp.get_data(as_text=True)[:300]  # was a 500
    assert resp.get_json()["status"] == "error" and resp.headers["Retry-After"] == "30"


@pytest.mark.parametrize("collapse", ["cluster", "story"])
def test_saved_search_feed_is_what_its_self_link_gives(client: FlaskClient, collapse: str) -> None:
    plain = client.get("/feeds/search.json").get_json()
    asked = client.get("/feeds/search.json", query_string={"collapse": collapse}).get_json()
    assert asked["feed_url"] == plain["feed_url"]  # the self link carries no collapse...
    assert [i["id"] for i in asked["items"]] == [i["id"] for i in plain["items"]]  # ...nor does it


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/feed\x00.xml", "http://127.0.0.1:9/a\nb"])
def test_source_url_with_a_control_character_is_a_400(admin_client: FlaskClient, url: str) -> None:
    resp = admin_client.post("/api/v1/sources", json={"id": "ctl", "feeds": [url]}, headers=AUTH)
    assert resp.status_code == 400  # was 201, and the URL was written to sources.toml
    assert _names(resp) == ["feeds"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_newsapi_route_with_another_method_is_a_newsapi_405(
    client: FlaskClient, method: str
) -> None:
    resp = client.open("/v2/everything?q=chips", method=method)
    assert resp.status_code == 405 and "GET" in resp.headers["Allow"]
    body = resp.get_json()  # NewsAPI's shape, as its clients parse every /v2 error (was RFC 9457)
    assert body["status"] == "error" and body["code"] == "parameterInvalid"


@pytest.mark.parametrize("name", ["topic", "limit", "theme", "show"])
def test_widget_parameter_given_twice_is_a_400(client: FlaskClient, name: str) -> None:
    values = {"topic": "a", "limit": "3", "theme": "dark", "show": "stories"}[name]
    resp = client.get("/widget", query_string=[(name, values), (name, values)])
    assert resp.status_code == 400  # was: the first value, silently
    assert _names(resp) == [name]


@pytest.mark.parametrize("host", ["a b", "<script>", "exa_mple.com", "x:99999"])
def test_a_host_header_that_is_not_a_host_is_a_400(client: FlaskClient, host: str) -> None:
    resp = client.get("/feeds/recent.json", headers={"Host": host})
    assert resp.status_code == 400  # was 200, with links such as 'http:/feeds/recent.json'
    assert "Host" in resp.get_json()["detail"]
    good = client.get("/feeds/recent.json", headers={"Host": "news.example.org:8080"}).get_json()
    assert good["feed_url"] == "http://news.example.org:8080/feeds/recent.json"


@pytest.mark.parametrize("body", [b"{", b'{"id": "x",}', b"\xff\xfe{}"])
def test_a_body_that_is_not_json_is_a_400_naming_the_body(
    admin_client: FlaskClient, body: bytes
) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    resp = admin_client.post("/api/v1/sources", data=body, headers=headers)
    assert resp.status_code == 400 and _names(resp) == ["body"]  # was Werkzeug's generic 400
    assert resp.get_json()["invalid_params"][0]["reason"].startswith("not valid JSON")


@pytest.mark.parametrize("sort", ["date", "relevance"])
def test_a_cursor_handed_back_with_another_query_is_a_400(client: FlaskClient, sort: str) -> None:
    first = client.get("/api/v1/search", query_string={"q": "the", "sort": sort, "limit": 1})
    cursor = first.get_json()["next_cursor"]
    assert cursor
    other = {"q": "the", "sort": sort, "limit": 1, "source": "herald", "cursor": cursor}
    resp = client.get("/api/v1/search", query_string=other)
    assert resp.status_code == 400  # was 200: page 2 of another query
    assert _names(resp) == ["cursor"]
    same = {"q": "the", "sort": sort, "limit": 5, "cursor": cursor}  # a new page size is fine
    assert client.get("/api/v1/search", query_string=same).status_code == 200
