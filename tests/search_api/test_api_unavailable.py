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
