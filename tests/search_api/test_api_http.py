"""CORS, conditional GETs (ETag and Last-Modified) and /readyz."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from search_api import create_app
from tidings.core.config import Settings


def test_public_gets_allow_any_origin(client: FlaskClient) -> None:
    resp = client.get("/api/v1/search?q=climate", headers={"Origin": "https://blog.example"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in resp.headers["Access-Control-Expose-Headers"]
    problem = client.get("/api/v1/search?limit=0", headers={"Origin": "https://x.example"})
    assert problem.headers["Access-Control-Allow-Origin"] == "*"  # errors readable too
    pre = client.options(
        "/api/v1/recent",
        headers={"Origin": "https://x.example", "Access-Control-Request-Method": "GET"},
    )
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in pre.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/").headers  # pages: same origin


def test_recent_revalidates_by_etag_and_by_date(client: FlaskClient) -> None:
    resp = client.get("/api/v1/recent?limit=5")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "public, max-age=60"
    assert resp.headers["Last-Modified"] == "Thu, 09 May 2024 06:00:00 GMT"  # newest article
    etag = resp.headers["ETag"]
    assert client.get("/api/v1/recent?limit=5", headers={"If-None-Match": etag}).status_code == 304
    since = {"If-Modified-Since": resp.headers["Last-Modified"]}
    assert client.get("/api/v1/recent?limit=5", headers=since).status_code == 304
    older = {"If-Modified-Since": "Wed, 01 May 2024 00:00:00 GMT"}
    assert client.get("/api/v1/recent?limit=5", headers=older).status_code == 200
    assert client.get("/api/v1/recent?limit=4", headers={"If-None-Match": etag}).status_code == 200


def test_readyz_checks_index_and_store(client: FlaskClient, tmp_path: Path) -> None:
    resp = client.get("/readyz")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    body = resp.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["index"]["articles"] == 11 and body["checks"]["store"]["articles"] == 11
    broken = create_app(Settings(home=tmp_path, index_backend="no-such-backend")).test_client()
    resp = broken.get("/readyz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "not ready" and body["checks"]["index"]["status"] == "error"
    assert body["checks"]["store"]["status"] == "ok"


def test_recent_lists_are_reused_until_the_next_commit(fresh: tuple[Settings, Any]) -> None:
    """The one response cache: repeats come from memory (304s too); a commit ends them."""
    settings, _ = fresh
    keys = {"TIDINGS_API_KEYS": ("k",), "RATELIMIT_ENABLED": False}
    apps = [create_app(settings, config=keys),
            create_app(settings, config={**keys, "TIDINGS_RESPONSE_CACHE_SECONDS": 0})]  # fmt: skip
    calls: list[int] = []
    for n, app in enumerate(apps):
        index = app.extensions["tidings"].index
        original = index.recent

        def counting(*args: Any, _n: int = n, _original: Any = original, **kwargs: Any) -> Any:
            calls.append(_n)
            return _original(*args, **kwargs)

        index.recent = counting  # count real reads; the real index still answers
    cached, uncached = (app.test_client() for app in apps)
    first = cached.get("/api/v1/recent")
    again = cached.get("/api/v1/recent")
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    etag = {"If-None-Match": first.headers["ETag"]}
    assert cached.get("/api/v1/recent", headers=etag).status_code == 304
    assert calls == [0], "the repeats were not answered from the cache"
    newest = first.get_json()["articles"][0]["id"]
    assert (
        cached.delete(f"/api/v1/articles/{newest}", headers={"X-API-Key": "k"}).status_code == 204
    )
    after = cached.get("/api/v1/recent").get_json()["articles"]
    assert newest not in [a["id"] for a in after] and calls == [0, 0]  # the commit ended it
    uncached.get("/api/v1/recent")
    uncached.get("/api/v1/recent")
    assert calls == [0, 0, 1, 1]
