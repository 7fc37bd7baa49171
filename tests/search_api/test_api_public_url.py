"""No request header can put another host's links into a response other clients get."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import feedparser
import pytest
from flask.testing import FlaskClient

from search_api import create_app
from search_api.config import from_env
from tidings.core.config import Settings

EVIL = {"Host": "evil.example"}


def _client(settings: Settings, **config: Any) -> FlaskClient:
    return create_app(settings, config={"RATELIMIT_ENABLED": False, **config}).test_client()


def _links(body: bytes) -> set[str]:
    feed = feedparser.parse(body)
    return {feed.feed.link} | {link.href for link in feed.feed.links}


@pytest.mark.parametrize("url", ["/feeds/recent.rss", "/feeds/topic/sport.atom",
                                 "/feeds/search.json?q=rates"])  # fmt: skip
def test_cached_feed_never_serves_another_hosts_links(
    corpus: tuple[Settings, Any], url: str
) -> None:
    client = _client(corpus[0])  # the response cache is on (its default)
    poisoned = client.get(url, headers=EVIL)
    assert b"evil.example" in poisoned.data  # that client asked for its own Host: fine
    clean = client.get(url)
    assert clean.status_code == 200
    assert b"evil.example" not in clean.data
    assert b"http://localhost/" in clean.data


def test_forwarded_host_behind_a_proxy_does_not_poison_the_cache(
    corpus: tuple[Settings, Any],
) -> None:
    client = _client(corpus[0], TIDINGS_TRUSTED_PROXIES=1)
    client.get("/feeds/recent.rss", headers={"X-Forwarded-Host": "evil.example"})
    clean = client.get("/feeds/recent.rss")
    assert all(link.startswith("http://localhost/") for link in _links(clean.data))


def test_public_url_builds_absolute_links_whatever_the_host(
    corpus: tuple[Settings, Any],
) -> None:
    client = _client(corpus[0], TIDINGS_PUBLIC_URL="https://news.example.org/tidings")
    for headers in (EVIL, {"X-Forwarded-Host": "evil.example"}, {}):
        resp = client.get("/feeds/recent.atom?limit=5", headers=headers)
        assert resp.status_code == 200 and b"evil.example" not in resp.data
        links = _links(resp.data)
        assert "https://news.example.org/tidings/feeds/recent.atom?limit=5" in links
        assert all(link.startswith("https://news.example.org/tidings/") for link in links)
    widget = client.get("/widget", headers=EVIL)
    assert b'href="https://news.example.org/tidings/"' in widget.data


def test_public_url_setting_is_checked() -> None:
    assert from_env({"TIDINGS_PUBLIC_URL": "https://a.example/x/"})["TIDINGS_PUBLIC_URL"] == (
        "https://a.example/x"
    )
    assert from_env({})["TIDINGS_PUBLIC_URL"] is None
    for bad in ("a.example", "ftp://a.example/", "https://a.example/?q=1", "https://:80/"):
        with pytest.raises(ValueError, match="TIDINGS_PUBLIC_URL"):
            from_env({"TIDINGS_PUBLIC_URL": bad})


def test_serve_with_a_bad_public_url_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tidings", "--home", str(tmp_path), "serve", "--port", "0"],
        env={**os.environ, "TIDINGS_PUBLIC_URL": "news.example.org"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "tidings serve: error: TIDINGS_PUBLIC_URL must be an http(s) URL, not 'news.example.org'"
    ]
