"""The embeddable widget: the /widget.js script and the /widget iframe page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api_corpus import XSS_TITLE
from flask.testing import FlaskClient

from search_api import create_app, widget
from tidings.core.config import Settings


@pytest.fixture(scope="module")
def wclient(corpus: tuple[Settings, list[dict[str, Any]]]) -> Iterator[FlaskClient]:
    """A client of an app (create_app registers the widget routes)."""
    app = create_app(corpus[0])
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["tidings"].close()


def test_script_is_small_local_and_cacheable(wclient: FlaskClient) -> None:
    resp = wclient.get("/widget.js")
    assert resp.status_code == 200
    assert resp.mimetype == "text/javascript"
    assert len(resp.data) < 50 * 1024
    assert resp.headers["Cache-Control"].startswith("public, max-age=")
    assert resp.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        wclient.get("/widget.js", headers={"If-None-Match": resp.headers["ETag"]}).status_code
        == 304
    )


def test_script_renders_safely() -> None:
    from pathlib import Path

    source = (Path(widget.__file__).parent / "static" / "widget.js").read_text()
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)  # comments may show the embed tag
    assert "attachShadow" in code and "document.currentScript" in code
    assert "/api/v1/recent" in code and "textContent" in code
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in code, sink
    assert not re.search(r"https?://", code), "no third-party origin in the script"


def test_iframe_lists_recent_headlines(wclient: FlaskClient) -> None:
    resp = wclient.get("/widget?limit=3")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert html.count('class="tw-item"') == 3
    assert "Floods force thousands from homes" in html
    assert 'href="https://herald.example.org/environment/floods"' in html
    assert 'rel="noopener noreferrer"' in html and "The Herald" in html
    assert re.search(r'<time datetime="2024-05-09T06:00:00Z"[^>]*>[^<]*ago</time>', html)
    assert 'data-theme="light"' in html


def test_iframe_is_strict_and_embeddable(wclient: FlaskClient) -> None:
    resp = wclient.get("/widget?topic=security&theme=dark")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors *" in csp and "script-src" not in csp
    assert "X-Frame-Options" not in resp.headers
    html = resp.get_data(as_text=True)
    assert "<script" not in html and " style=" not in html
    assert 'data-theme="dark"' in html and "Latest: security" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert XSS_TITLE not in html
    assert resp.headers["ETag"]


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=21", "limit=x", "theme=blue", "topic=" + "a" * 300]
)
def test_iframe_bad_params(wclient: FlaskClient, query: str) -> None:
    resp = wclient.get(f"/widget?{query}")
    assert resp.status_code == 400


def test_relative_time() -> None:
    now = datetime(2024, 5, 10, 12, tzinfo=UTC)
    assert widget.relative_time(now - timedelta(seconds=20), now) == "just now"
    assert widget.relative_time(now - timedelta(minutes=5), now) == "5 minutes ago"
    assert widget.relative_time(now - timedelta(hours=1), now) == "1 hour ago"
    assert widget.relative_time(now - timedelta(days=1), now) == "yesterday"
    assert widget.relative_time(now - timedelta(days=3), now) == "3 days ago"
    assert widget.relative_time(None, now) == ""
