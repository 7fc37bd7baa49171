"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 for recent, per-topic and saved-search feeds.

RSS and Atom are read back with feedparser as a feed reader would; JSON Feed (which feedparser
6.0 does not read) is checked against a JSON Schema of the 1.1 spec's required members.
"""

from __future__ import annotations

import calendar
import json
import re
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import jsonschema_rs
import pytest
from api_corpus import XSS_TITLE, by_title
from flask.testing import FlaskClient

RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$"
)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
MIMETYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
FEEDS = {
    "recent": "/feeds/recent.{fmt}?limit=50",
    "topic": "/feeds/topic/security.{fmt}",
    "search": "/feeds/search.{fmt}?q=security",
}
#: The members JSON Feed 1.1 requires (https://www.jsonfeed.org/version/1.1/), as a schema.
JSONFEED_SCHEMA = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": {"type": "string", "format": "uri"},
        "feed_url": {"type": "string", "format": "uri"},
        "description": {"type": "string"},
        "authors": {"type": "array", "items": {"type": "object", "required": ["name"]}},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": {"type": "string"},
                    "title": {"type": "string"},
                    "content_text": {"type": "string"},
                    "summary": {"type": "string"},
                    "date_published": {"type": "string", "pattern": RFC3339.pattern},
                    "date_modified": {"type": "string", "pattern": RFC3339.pattern},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "authors": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
    },
}


def _get(client: FlaskClient, url: str) -> Any:
    resp = client.get(url)
    assert resp.status_code == 200, resp.data[:300]
    fmt = url.split("?")[0].rsplit(".", 1)[1]
    assert resp.mimetype == MIMETYPES[fmt]
    assert resp.headers["ETag"] and resp.headers["Cache-Control"].startswith("public")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    return resp


def _parse(client: FlaskClient, url: str) -> Any:
    resp = _get(client, url)
    if url.split("?")[0].endswith(".json"):
        doc = json.loads(resp.data)
        jsonschema_rs.validate(JSONFEED_SCHEMA, doc)
        return doc
    parsed = feedparser.parse(resp.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("kind", FEEDS)
def test_rss_required_elements(client: FlaskClient, kind: str) -> None:
    url = FEEDS[kind].format(fmt="rss")
    feed = _parse(client, url)
    assert feed.version == "rss20"
    assert feed.feed.title.startswith("Tidings: ") and feed.feed.link.startswith(
        "http://localhost/"
    )
    assert feed.feed.description
    assert any(lk.rel == "self" and lk.href == "http://localhost" + url for lk in feed.feed.links)
    assert feed.entries
    raw = _get(client, url).get_data(as_text=True)
    for pub in re.findall(r"<pubDate>(.*?)</pubDate>", raw):
        assert RFC822.match(pub), pub
    assert RFC822.match(re.search(r"<lastBuildDate>(.*?)</lastBuildDate>", raw).group(1))
    for entry in feed.entries:
        assert entry.id and entry.guidislink is False
        assert entry.published_parsed and entry.link.startswith("https://")


@pytest.mark.parametrize("kind", FEEDS)
def test_atom_required_elements(client: FlaskClient, kind: str) -> None:
    url = FEEDS[kind].format(fmt="atom")
    feed = _parse(client, url)
    assert feed.version == "atom10"
    assert feed.feed.id.startswith("urn:tidings:feed:")
    assert feed.feed.title.startswith("Tidings: ") and feed.feed.updated_parsed
    rels = {(lk.rel, lk.type): lk.href for lk in feed.feed.links}
    assert rels[("self", "application/atom+xml")] == "http://localhost" + url
    assert rels[("alternate", "text/html")].startswith("http://localhost/")
    assert ("alternate", "application/rss+xml") in rels
    assert ("alternate", "application/feed+json") in rels
    raw = _get(client, url).get_data(as_text=True)
    for stamp in re.findall(r"<(?:updated|published)>(.*?)</", raw):
        assert RFC3339.match(stamp), stamp
    assert feed.entries
    for entry in feed.entries:
        assert entry.id.startswith("urn:tidings:article:")
        assert entry.title and entry.updated_parsed and entry.published_parsed
        assert entry.link.startswith("https://") and entry.author
    newest = max(calendar.timegm(e.updated_parsed) for e in feed.entries)
    assert calendar.timegm(feed.feed.updated_parsed) == newest


@pytest.mark.parametrize("kind", FEEDS)
def test_json_feed_required_members(client: FlaskClient, kind: str) -> None:
    url = FEEDS[kind].format(fmt="json")
    doc = _parse(client, url)
    assert doc["title"].startswith("Tidings: ")
    assert doc["feed_url"] == "http://localhost" + url
    assert doc["home_page_url"].startswith("http://localhost/")
    assert doc["items"]
    for item in doc["items"]:
        assert item["id"] and item["url"].startswith("https://")
        assert "content_html" not in item and item["content_text"]
        assert RFC3339.match(item["date_published"])


def test_same_ids_in_every_format_and_request(
    client: FlaskClient, articles: list[dict[str, Any]]
) -> None:
    rss = _parse(client, "/feeds/recent.rss?limit=50")
    atom = _parse(client, "/feeds/recent.atom?limit=50")
    doc = _parse(client, "/feeds/recent.json?limit=50")
    ids = [e.id for e in rss.entries]
    assert ids == [e.id.removeprefix("urn:tidings:article:") for e in atom.entries]
    assert ids == [i["id"] for i in doc["items"]]
    assert sorted(ids) == sorted(a["id"] for a in articles)
    assert ids == [e.id for e in _parse(client, "/feeds/recent.rss?limit=50").entries]
    # an item's id is the same whichever feed it appears in
    topic = _parse(client, "/feeds/topic/security.atom")
    xss = by_title(articles, XSS_TITLE)
    assert f"urn:tidings:article:{xss['id']}" in {e.id for e in topic.entries}


def test_dates_are_the_articles_dates(client: FlaskClient, articles: list[dict[str, Any]]) -> None:
    floods = by_title(articles, "Floods force thousands from homes")
    resp = _get(client, "/feeds/recent.atom?limit=3")
    atom = feedparser.parse(resp.data)
    assert atom.entries[0].id.endswith(floods["id"])
    assert atom.entries[0].published == "2024-05-09T06:00:00Z"
    doc = _parse(client, "/feeds/recent.json?limit=3")
    assert doc["items"][0]["date_published"] == "2024-05-09T06:00:00Z"
    modified = parsedate_to_datetime(resp.headers["Last-Modified"])
    assert modified.isoformat() == "2024-05-09T06:00:00+00:00"


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_xss_title_is_text_in_xml_feeds(client: FlaskClient, fmt: str) -> None:
    for url in (f"/feeds/topic/security.{fmt}", f"/feeds/search.{fmt}?q=onerror"):
        raw = _get(client, url).get_data(as_text=True)
        assert "<img" not in raw and "<script" not in raw, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in raw, url
        feed = feedparser.parse(raw.encode())
        assert XSS_TITLE in {e.title for e in feed.entries}, url


def test_xss_title_is_plain_text_in_json_feed(client: FlaskClient) -> None:
    doc = _parse(client, "/feeds/topic/security.json")
    xss = next(i for i in doc["items"] if i["title"] == XSS_TITLE)
    assert "content_html" not in xss
    assert xss["content_text"].startswith("<script>alert('summary')</script>")


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_conditional_requests(client: FlaskClient, fmt: str) -> None:
    url = f"/feeds/topic/sport.{fmt}"
    first = _get(client, url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    assert again.headers["ETag"] == etag
    since = client.get(url, headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    stale = client.get(url, headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200 and stale.data == first.data
    older = client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})
    assert older.status_code == 200


def test_topic_feed_contents(client: FlaskClient) -> None:
    feed = _parse(client, "/feeds/topic/sport.rss")
    assert feed.feed.title == "Tidings: sport"
    assert feed.feed.link == "http://localhost/?topic=sport"
    assert [e.title for e in feed.entries] == [
        "Record broken at city marathon",
        "Underdogs win the cup final",
    ]
    empty = _parse(client, "/feeds/topic/no-such-topic.json")
    assert empty["items"] == []
    limited = _parse(client, "/feeds/topic/sport.atom?limit=1")
    assert len(limited.entries) == 1


def test_search_feed_contents(client: FlaskClient) -> None:
    feed = _parse(client, "/feeds/search.atom?q=rates&topic=business")
    titles = [e.title for e in feed.entries]
    assert titles == ["Central bank raises rates again", "Central bank raises interest rates"]
    assert "rates" in feed.feed.title and "business" in feed.feed.title
    home = next(lk.href for lk in feed.feed.links if lk.type == "text/html")
    assert home == "http://localhost/?q=rates&topic=business"
    same = _parse(client, "/feeds/search.atom?topic=business&q=rates")
    assert same.feed.id == feed.feed.id  # one saved search, one feed id
    other = _parse(client, "/feeds/search.atom?q=rates")
    assert other.feed.id != feed.feed.id
    dated = _parse(client, "/feeds/search.json?from=2024-05-05&to=2024-05-06")
    assert {i["title"] for i in dated["items"]} == {
        "Underdogs win the cup final",
        "Record broken at city marathon",
    }


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/recent.json?limit=0",
        "/feeds/topic/sport.atom?limit=abc",
        "/feeds/search.rss?limit=1000",
        "/feeds/search.json?from=yesterday",
    ],
)
def test_bad_feed_params_are_problems(client: FlaskClient, url: str) -> None:
    resp = client.get(url)
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"


def test_unknown_format_is_404(client: FlaskClient) -> None:
    assert client.get("/feeds/recent.xml").status_code == 404


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("/", "/feeds/recent.{fmt}"),
        ("/?topic=security", "/feeds/topic/security.{fmt}"),
        ("/?q=rates&topic=business", "/feeds/search.{fmt}?q=rates&amp;topic=business"),
    ],
)
def test_autodiscovery_links(client: FlaskClient, page: str, feed: str) -> None:
    html = client.get(page).get_data(as_text=True)
    for fmt, mimetype in MIMETYPES.items():
        href = feed.format(fmt=fmt)
        pattern = (
            rf'<link rel="alternate" type="{re.escape(mimetype)}" title="[^"]+" '
            rf'href="{re.escape(href)}">'
        )
        assert re.search(pattern, html), (page, fmt)
