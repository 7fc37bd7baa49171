"""Pure parts of link following and date windows: URL shapes, page kinds, window bounds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crawl_site import FILLER
from link_site import listing, story

from crawler.extract.document import parse_html
from crawler.follow.links import page_links, url_shape
from crawler.follow.pagekind import classify_page
from crawler.run.window import DateWindow, parse_bound
from tidings.core.sources import SourcesError, parse_sources


@pytest.mark.parametrize(
    ("url", "shape"),
    [
        ("https://n.example/2026/11/20/bridge.html", "article"),
        ("https://n.example/news/council-approves-new-bridge-plan", "article"),
        ("https://n.example/p/8812345", "article"),
        ("https://n.example/news/meta-story.html", "article"),
        ("https://n.example/", "section"),
        ("https://n.example/technology", "section"),
        ("https://n.example/tag/artificial-intelligence-and-robots", "section"),
        ("https://n.example/news/page/2", "section"),
        ("https://n.example/login", "skip"),
        ("https://n.example/img/logo.png", "skip"),
        ("https://n.example/feed/", "skip"),
        ("https://n.example/news/story?share=twitter", "skip"),
        ("https://n.example/news/brexit", "unsure"),
        ("https://n.example/world/europe/some-slug", "unsure"),
    ],
)
def test_url_shape(url: str, shape: str) -> None:
    assert url_shape(url) == shape


def test_page_links_resolve_and_filter() -> None:
    tree = parse_html(
        '<html><head><base href="https://cdn.example/x/"></head><body>'
        '<a href="a.html#top">a</a><a href="a.html">again</a><a href="#x">frag</a>'
        '<a href="mailto:x@y.z">m</a><a href="javascript:void(0)">j</a>'
        '<a href="http://h.example:8080/p">port</a><a rel="nofollow" href="/ad">ad</a>'
        "</body></html>"
    )
    assert page_links(tree, "https://n.example/") == [
        "https://cdn.example/x/a.html",
        "http://h.example:8080/p",
    ]


def kind(html: bytes | str, url: str = "https://n.example/some/page") -> str:
    text = html.decode() if isinstance(html, bytes) else html
    return classify_page(parse_html(text), url).kind


def test_articles_without_og_type_are_never_listings() -> None:
    # no og:type, no JSON-LD, no <article>, no date: left to extraction, not dropped
    assert kind(story("Plain page")) == "unsure"
    assert kind(story("Website", '<meta property="og:type" content="website">')) == "unsure"
    assert kind(story("Wrapped", wrapper="article")) == "article"
    dated = story("Dated", '<meta name="date" content="2026-11-20">', date_line=f"<p>{FILLER}</p>")
    assert kind(dated) == "article"
    # a story followed by "related" cards is still an article: its <article> dominates
    related = "".join(f"<article><p>{FILLER[:80]}</p></article>" for _ in range(4))
    page = story("Main", wrapper="article").decode().replace("</body>", f"{related}</body>")
    assert kind(page) == "article"


def test_listings() -> None:
    cards = listing("Tech", [(f"/s/story-number-{i}-here", f"S{i}") for i in range(5)])
    assert kind(cards) == "listing"
    links = "".join(f'<li><a href="/n/{i}">Headline number {i}</a></li>' for i in range(20))
    assert kind(f"<html><title>Index</title><body><ul>{links}</ul></body></html>") == "listing"
    jsonld = '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    assert kind(cards.decode().replace("</head>", f"{jsonld}</head>")) == "article"


def test_window_bounds() -> None:
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert parse_bound("2026-11-20") == datetime(2026, 11, 20, tzinfo=UTC)
    assert parse_bound("2026-11-20", end=True).isoformat() == "2026-11-20T23:59:59.999999+00:00"
    assert parse_bound("7d", now) == datetime(2026, 11, 19, 12, tzinfo=UTC)
    assert parse_bound("12h", now) == datetime(2026, 11, 26, tzinfo=UTC)
    assert parse_bound("2026-11-20T10:00:00+01:00") == datetime(2026, 11, 20, 9, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_bound("last week")


def test_window_entries() -> None:
    window = DateWindow(parse_bound("2026-11-15"), parse_bound("2026-11-22", end=True))
    assert window.skips_entry({"feed_published": "2026-11-10T00:00:00+00:00"})
    assert window.skips_entry({"sitemap_published": "2026-11-23T00:00:00Z"})
    assert not window.skips_entry({"feed_published": "2026-11-22T23:00:00+00:00"})
    # a lastmod only says "changed then": older than since → published before since
    assert window.skips_entry({"sitemap_lastmod": "2026-11-01T00:00:00+00:00"})
    assert not window.skips_entry({"sitemap_lastmod": "2026-11-30T00:00:00+00:00"})
    assert not window.skips_entry({})
    assert window.contains(None) and not window.contains("2026-11-23T00:00:00+00:00")
    assert DateWindow.from_settings(window.to_settings()) == window
    assert DateWindow().is_open and DateWindow.from_settings({}).is_open


def test_sources_follow_links_and_any_domain() -> None:
    (source,) = parse_sources(
        '[[sources]]\nid = "s"\nhome = "https://www.s.example/"\n'
        'sections = ["https://www.s.example/tech/"]\nfollow_links = 2\n'
    )
    assert source.start_pages == ("https://www.s.example/", "https://www.s.example/tech/")
    assert source.allowed_domains == ("s.example",) and source.allows("https://m.s.example/a")
    (hn,) = parse_sources('[[sources]]\nid = "hn"\nfeeds = ["https://h.example/rss"]\n'
                          'allowed_domains = ["*"]\n')  # fmt: skip
    assert hn.any_domain and hn.allows("http://127.0.0.1:9/x") and hn.domain == "h.example"
    with pytest.raises(SourcesError, match="needs a 'home' or 'sections'"):
        parse_sources('[[sources]]\nid = "x"\nfeeds = ["https://x.example/f"]\nfollow_links = 1')
    with pytest.raises(SourcesError, match="hostnames"):
        parse_sources('[[sources]]\nid = "x"\nfeeds = ["https://x.example/f"]\n'
                      'allowed_domains = ["*.x.example"]')  # fmt: skip
