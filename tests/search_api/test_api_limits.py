"""Rate limits per API key or client address: 429 problems with Retry-After."""

from __future__ import annotations

from typing import Any

from api_corpus import KEY

from search_api import create_app
from tidings.core.config import Settings


def _app(settings: Settings, **config: Any) -> Any:
    base = {"TIDINGS_RATELIMIT": "3 per minute", "TIDINGS_API_KEYS": (KEY,)}
    return create_app(settings, config={**base, **config})


def test_fourth_request_in_a_minute_is_429(corpus: tuple[Settings, Any]) -> None:
    client = _app(corpus[0]).test_client()
    for _ in range(3):
        assert client.get("/api/v1/search?q=climate").status_code == 200
    resp = client.get("/api/v1/recent")
    assert resp.status_code == 429 and resp.mimetype == "application/problem+json"
    assert 1 <= int(resp.headers["Retry-After"]) <= 61
    assert resp.headers["X-RateLimit-Limit"] == "3"
    body = resp.get_json()
    assert body["status"] == 429 and body["type"].endswith("rate-limited")
    # a valid API key has a bucket of its own; health checks are never limited
    keyed = {"X-API-Key": KEY}
    assert client.get("/api/v1/search?q=climate", headers=keyed).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code == 200


def test_clients_are_counted_apart(corpus: tuple[Settings, Any]) -> None:
    client = _app(corpus[0]).test_client()
    for _ in range(3):
        client.get("/api/v1/topics", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert client.get("/api/v1/topics", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    assert client.get("/api/v1/topics", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


def test_admin_endpoints_have_their_own_stricter_limit(corpus: tuple[Settings, Any]) -> None:
    client = _app(
        corpus[0], TIDINGS_RATELIMIT="100 per minute", TIDINGS_RATELIMIT_ADMIN="2 per minute"
    ).test_client()
    auth = {"Authorization": f"Bearer {KEY}"}
    codes = [client.get("/api/v1/crawl/none", headers=auth).status_code for _ in range(3)]
    assert codes == [404, 404, 429]
    assert client.get("/api/v1/topics", headers=auth).status_code == 200


def test_limits_can_be_switched_off(corpus: tuple[Settings, Any]) -> None:
    client = _app(corpus[0], RATELIMIT_ENABLED=False).test_client()
    assert all(client.get("/api/v1/topics").status_code == 200 for _ in range(5))
