"""Feed and sitemap parsing: every format gives links with hints; junk gives a clear error."""

from __future__ import annotations

import gzip
import json

import pytest

from crawler.health.failures import classify
from crawler.spiders.feeds import FeedError, parse_feed
from crawler.spiders.sitemaps import SitemapError, parse_sitemap

RSS2 = b"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>T</title><item><title>A &amp; B</title><link>/2026/11/25/a?utm_source=rss</link>
<pubDate>Tue, 25 Nov 2026 08:00:00 +0100</pubDate><dc:creator>Ann Lee</dc:creator>
<category>Tech</category><description>&lt;p&gt;Hi&lt;/p&gt;</description></item></channel></rss>"""
RSS1 = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://x/"><title>x</title></channel><item rdf:about="http://x/r">
<title>R</title><link>http://x/r</link><dc:date>2026-11-25T10:00:00Z</dc:date></item></rdf:RDF>"""
ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><title>E</title>
<link rel="alternate" href="http://x/e"/><published>2026-11-25T10:00:00Z</published>
<updated>2026-11-26T10:00:00Z</updated><author><name>Bo</name></author></entry></feed>"""
JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "x",
        "items": [
            {
                "id": "1",
                "url": "http://x/j",
                "title": "J",
                "tags": ["a"],
                "date_published": "2026-11-25T10:00:00+02:00",
                "authors": [{"name": "Cy"}],
            }
        ],
    }
).encode()


def test_rss2() -> None:
    (entry,) = parse_feed(RSS2, "http://127.0.0.1:8000/feed.rss")
    assert entry.link == "http://127.0.0.1:8000/2026/11/25/a?utm_source=rss"
    assert entry.hints == {
        "feed_published": "2026-11-25T07:00:00+00:00",
        "feed_title": "A & B",
        "feed_authors": ["Ann Lee"],
        "feed_summary": "<p>Hi</p>",
        "feed_tags": ["Tech"],
    }


def test_rss1_atom_and_json_feed() -> None:
    (rdf,) = parse_feed(RSS1, "http://x/feed")
    assert rdf.link == "http://x/r" and rdf.hints["feed_published"] == "2026-11-25T10:00:00+00:00"
    (atom,) = parse_feed(ATOM, "http://x/feed")
    assert atom.hints["feed_published"] == "2026-11-25T10:00:00+00:00"
    assert atom.hints["feed_updated"] == "2026-11-26T10:00:00+00:00"
    assert atom.hints["feed_authors"] == ["Bo"]
    (item,) = parse_feed(JSON_FEED, "http://x/feed.json", "application/feed+json")
    assert item.link == "http://x/j" and item.hints["feed_published"] == "2026-11-25T08:00:00+00:00"
    assert item.hints["feed_authors"] == ["Cy"] and item.hints["feed_tags"] == ["a"]


@pytest.mark.parametrize(
    "body", [b"", b"/etc/passwd", b"<html><body>hi</body></html>", b"{not json", b'{"items": 3}']
)
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(body, "http://x/feed")


INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://x/news.xml</loc><lastmod>2026-11-25</lastmod></sitemap></sitemapindex>"""
NEWS = b"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://x/a&e;</loc><lastmod>2026-11-26T00:00:00Z</lastmod><news:news>
<news:publication><news:name>X</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2026-11-25T09:30:00+01:00</news:publication_date>
<news:title>Big news</news:title></news:news></url><url><loc> http://x/b </loc></url></urlset>"""


def test_sitemap_index_and_news_sitemap_gzipped() -> None:
    index = parse_sitemap(INDEX)
    assert index.kind == "index" and [e.loc for e in index.entries] == ["http://x/news.xml"]
    news = parse_sitemap(gzip.compress(NEWS))
    assert news.kind == "urlset"
    first, second = news.entries
    assert first.loc == "http://x/a"  # the external entity is not resolved
    assert first.hints == {
        "sitemap_lastmod": "2026-11-26T00:00:00+00:00",
        "sitemap_published": "2026-11-25T08:30:00+00:00",
        "sitemap_title": "Big news",
    }
    assert second.loc == "http://x/b" and second.hints == {}


def test_plain_text_sitemap_and_junk() -> None:
    assert [e.loc for e in parse_sitemap(b"http://x/1\nhttp://x/2\n").entries] == [
        "http://x/1",
        "http://x/2",
    ]
    for junk in (b"", b"hello", b"<html><body/></html>", b"\x1f\x8bnot gzip"):
        with pytest.raises(SitemapError):
            parse_sitemap(junk)


def test_failure_kinds() -> None:
    from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError, IgnoreRequest

    assert classify(DownloadTimeoutError("took 30 s"))[0] == "timeout"
    assert classify(CannotResolveHostError("no.such.host"))[0] == "dns"
    assert classify(IgnoreRequest("Forbidden by robots.txt"))[0] == "robots"
    assert classify(RuntimeError("x")) == ("download", "RuntimeError: x")
