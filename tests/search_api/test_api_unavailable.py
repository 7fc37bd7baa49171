"""An index that cannot be opened: /healthz and search answer 503, never 500."""

from __future__ import annotations

from pathlib import Path

from search_api import create_app
from tidings.core.config import Settings


def test_unavailable_index_is_503(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path, index_backend="no-such-backend"))
    client = app.test_client()
    resp = client.get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "error" and body["index"]["status"] == "error"
    assert "no-such-backend" in body["index"]["error"]
    for url in ("/api/v1/search?q=x", "/api/v1/recent", "/feeds/recent.rss"):
        resp = client.get(url)
        assert resp.status_code == 503, url
        assert resp.mimetype == "application/problem+json"
        assert resp.headers["Retry-After"]
    assert client.get("/").status_code == 503


def test_every_status_an_operation_answers_with_an_unusable_store_is_documented(
    tmp_path: Path,
) -> None:
    """Each operation of the OpenAPI document, called while the store is not a database: the
    status it answers is one its document lists (clients generated from it expect no other)."""
    (tmp_path / "tidings.db").write_bytes(b"not SQLite at all\n" * 400)
    key = "k" * 32
    config = {"RATELIMIT_ENABLED": False, "TIDINGS_API_KEYS": (key,)}
    client = create_app(Settings(home=tmp_path), config=config).test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    answered = {}
    for path, operations in spec["paths"].items():
        url = path.replace("{fmt}", "rss")
        for name in ("article_id", "story_id", "job_id"):
            url = url.replace(f"{{{name}}}", "abc")
        for method, operation in operations.items():
            if method not in ("get", "post", "delete"):
                continue
            resp = client.open(url, method=method.upper(), headers={"X-API-Key": key},
                               json={} if method == "post" else None)  # fmt: skip
            answered[f"{method.upper()} {path}"] = resp.status_code
            assert str(resp.status_code) in operation["responses"], (method, path, resp.status_code)
    assert answered["GET /api/v1/articles/{article_id}"] == 503  # was answered, not documented
    assert answered["DELETE /api/v1/articles/{article_id}"] == 503
