"""Canonical URLs: the same article spelt differently gets one URL (and so one id)."""

from __future__ import annotations

import pytest
from lxml import html

from crawler.urls.canonical import canonical_url, canonicalize

CASES = [
    ("HTTP://Example.COM/a", "http://example.com/a"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://127.0.0.1:8123/a/", "http://127.0.0.1:8123/a"),  # non-default port kept
    ("https://example.com:8443/", "https://example.com:8443/"),
    ("http://example.com/a#section-2", "http://example.com/a"),
    ("http://example.com/", "http://example.com/"),  # root keeps its slash
    ("http://example.com", "http://example.com/"),
    ("http://example.com/news/story/", "http://example.com/news/story"),
    ("http://example.com/a?utm_source=rss&utm_medium=feed", "http://example.com/a"),
    ("http://example.com/a?fbclid=x&gclid=y&mc_cid=1&mc_eid=2&ref=home", "http://example.com/a"),
    ("http://example.com/a?b=2&a=1&utm_campaign=z", "http://example.com/a?a=1&b=2"),
    ("http://example.com/a?id=5&UTM_Source=x", "http://example.com/a?id=5"),
    ("http://example.com/a%7Eb/c%20d", "http://example.com/a~b/c%20d"),
    ("http://Example.com./a", "http://example.com/a"),
    ("mailto:someone@example.com", "mailto:someone@example.com"),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


def test_keep_trailing_slash_for_request_dedup() -> None:
    assert (
        canonicalize("http://a.com/x/?utm_source=1", keep_trailing_slash=True) == "http://a.com/x/"
    )


def page(head: str) -> html.HtmlElement:
    return html.document_fromstring(f"<html><head>{head}</head><body><p>x</p></body></html>")


def test_rel_canonical_wins_and_resolves_against_page_url() -> None:
    tree = page(
        '<meta property="og:url" content="http://other.com/og">'
        '<link rel="canonical" href="/news/story/?utm_source=x">'
    )
    assert canonical_url(tree, "http://site.com:8080/n/1?x=1") == "http://site.com:8080/news/story"


def test_og_url_when_no_canonical_link() -> None:
    tree = page('<meta property="og:url" content="https://site.com/og-story">')
    assert canonical_url(tree, "http://site.com/fetched") == "https://site.com/og-story"


def test_fetched_url_when_page_declares_nothing_usable() -> None:
    tree = page('<link rel="canonical" href="javascript:void(0)">')
    assert canonical_url(tree, "http://site.com/Fetched/?fbclid=1") == "http://site.com/Fetched"


# -- a declared canonical is trusted only on the page's own site ------------------------------


OWN = ("courier.example", "cdn-courier.example")
SITE_CASES = [
    # another site: ignored, the fetched URL stands
    ("https://attacker.example/x", "https://victim.example/news/1", (), "fetched"),
    # one registrable domain under a multi-label public suffix: accepted
    ("https://amp.courier.co.uk/n/1", "https://www.courier.co.uk/n/1", (), "declared"),
    # two sites under one public suffix (also the list's private section): ignored
    ("https://evil.github.io/story", "https://victim.github.io/story", (), "fetched"),
    ("https://evil.co.uk/story", "https://victim.co.uk/story", (), "fetched"),
    # a domain the source names as its own: accepted
    ("https://cdn-courier.example/1", "https://courier.example/1", OWN, "declared"),
    # loopback: a host without a public suffix is a site of its own
    ("http://127.0.0.1:8001/a", "http://localhost:8001/a", (), "fetched"),
    ("http://127.0.0.1:8001/a", "http://127.0.0.1:8001/b", (), "declared"),
]


@pytest.mark.parametrize(("fetched", "declared", "own", "expected"), SITE_CASES)
def test_declared_canonical_is_trusted_only_on_the_pages_own_site(
    fetched: str, declared: str, own: tuple[str, ...], expected: str
) -> None:
    tree = page(f'<link rel="canonical" href="{declared}">')
    wanted = declared if expected == "declared" else fetched
    assert canonical_url(tree, fetched, own_domains=own) == wanted


def test_og_url_on_another_site_is_ignored_too() -> None:
    tree = page('<meta property="og:url" content="https://victim.example/news/1">')
    assert canonical_url(tree, "https://attacker.example/x") == "https://attacker.example/x"
