"""/feeds/recent.rss, read back with feedparser as a feed reader would (RSS 2.0 details)."""

from __future__ import annotations

import calendar
from typing import Any

import feedparser
from api_corpus import XSS_TITLE, by_title
from flask.testing import FlaskClient


def _feed(client: FlaskClient, url: str) -> Any:
    resp = client.get(url)
    assert resp.status_code == 200
    assert resp.mimetype == "application/rss+xml"
    assert resp.headers["ETag"]
    parsed = feedparser.parse(resp.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_recent_feed(client: FlaskClient, articles: list[dict[str, Any]]) -> None:
    feed = _feed(client, "/feeds/recent.rss?limit=50")
    assert feed.version == "rss20"
    assert feed.feed.title == "Tidings: recent news"
    assert feed.feed.link == "http://localhost/"
    assert any(
        link.rel == "self" and link.href == "http://localhost/feeds/recent.rss?limit=50"
        for link in feed.feed.links
    )
    assert len(feed.entries) == 11
    newest = feed.entries[0]
    floods = by_title(articles, "Floods force thousands from homes")
    assert newest.title == floods["title"]
    assert newest.link == floods["url"]
    assert newest.id == floods["id"] and newest.guidislink is False
    assert calendar.timegm(newest.published_parsed) == calendar.timegm(
        (2024, 5, 9, 6, 0, 0, 0, 0, 0)
    )
    assert newest.published.endswith("GMT")
    assert newest.source.title == "The Herald"
    assert [t.term for t in newest.tags] == ["environment"]
    assert feed.feed.updated_parsed == newest.published_parsed
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == len(ids)


def test_topic_feed_and_escaping(client: FlaskClient) -> None:
    feed = _feed(client, "/feeds/recent.rss?topic=security")
    assert feed.feed.title == "Tidings: security"
    assert {e.title for e in feed.entries} == {XSS_TITLE, "Security patch fixes browser flaw"}
    xss = next(e for e in feed.entries if e.title == XSS_TITLE)
    assert xss.summary.endswith("A page that tries to inject markup.")
    raw = client.get("/feeds/recent.rss?topic=security").get_data(as_text=True)
    assert "<img src=x" not in raw and "&lt;img src=x" in raw
    assert "<script>" not in raw and "&lt;script&gt;alert('summary')" in raw


def test_feed_bad_params(client: FlaskClient) -> None:
    resp = client.get("/feeds/recent.rss?limit=x")
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
