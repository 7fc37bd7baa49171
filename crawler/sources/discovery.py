"""Feed and sitemap auto-discovery from a site's home page, for ``tidings sources add --discover``.

Feeds come from the home page's ``<link rel="alternate">`` tags (RSS, Atom, JSON Feed; comment
feeds left out); sitemaps from ``Sitemap:`` lines of ``/robots.txt``. Only when the page names no
feed are a few usual feed paths tried, each kept only if it parses as a feed with entries and
robots.txt allows it. The name and language come from the page's metadata.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from crawler.extract.document import decode_html, parse_html
from crawler.extract.errors import NotAnArticle
from crawler.extract.metadata import read_metadata
from crawler.spiders.feeds import FeedError, parse_feed
from tidings.core.sources import is_http_url

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json",
     "application/xml", "text/xml"}
)  # fmt: skip
#: Tried, in order, only when the home page names no feed.
USUAL_FEED_PATHS = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml")
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Fetched:
    """What an HTTP GET returned (``url`` is the final URL, after redirects)."""

    url: str
    status: int
    content_type: str
    body: bytes


Fetch = Callable[[str], Fetched]


class DiscoveryError(RuntimeError):
    """The home page could not be read."""


@dataclass
class Discovery:
    """What a home page says about its site."""

    home: str
    name: str | None = None
    language: str | None = None
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def http_fetcher(user_agent: str, timeout: float = TIMEOUT_S) -> Fetch:
    """A :data:`Fetch` over HTTP(S) with ``user_agent``; HTTP errors come back as statuses."""

    def fetch(url: str) -> Fetched:
        request = urllib.request.Request(url, headers={"User-Agent": user_agent})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                body = response.read(MAX_BYTES + 1)[:MAX_BYTES]
                ctype = response.headers.get("Content-Type", "")
                return Fetched(response.geturl(), response.status, ctype, body)
        except urllib.error.HTTPError as exc:
            return Fetched(url, exc.code, exc.headers.get("Content-Type", ""), b"")

    return fetch


def feed_links(html: str, base_url: str) -> list[str]:
    """Feed URLs named by ``<link rel="alternate" type="...">`` tags, in page order."""
    try:
        tree = parse_html(html)
    except NotAnArticle:
        return []
    found: dict[str, None] = {}
    for link in tree.iterfind(".//link[@href]"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        title = (link.get("title") or "").lower()
        is_feed = kind in FEED_TYPES or (kind == "application/json" and "feed" in href.lower())
        if "alternate" not in rels or not is_feed or not href:
            continue
        if "comment" in title or "/comments/" in href.lower():
            continue
        url = urljoin(base_url, href)
        if is_http_url(url):
            found.setdefault(url, None)
    return list(found)


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """URLs of the ``Sitemap:`` lines of a robots.txt."""
    found: dict[str, None] = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "sitemap" and value.strip():
            url = urljoin(base_url, value.strip())
            if is_http_url(url):
                found.setdefault(url, None)
    return list(found)


def _robots(fetch: Fetch, home: str) -> tuple[str, urllib.robotparser.RobotFileParser]:
    parser = urllib.robotparser.RobotFileParser()
    text = ""
    try:
        got = fetch(urljoin(home, "/robots.txt"))
        if got.status == 200:
            text = got.body.decode("utf-8", "replace")
    except (OSError, ValueError):
        pass
    parser.parse(text.splitlines())
    return text, parser


def _probe(fetch: Fetch, url: str) -> bool:
    try:
        got = fetch(url)
        return got.status == 200 and bool(parse_feed(got.body, got.url, got.content_type))
    except (OSError, ValueError, FeedError):
        return False


def discover(home_url: str, fetch: Fetch, user_agent: str = "*") -> Discovery:
    """Read ``home_url`` (and its robots.txt) and say what feeds and sitemaps the site has."""
    if not is_http_url(home_url):
        raise DiscoveryError(f"not an http(s) URL: {home_url!r}")
    try:
        page = fetch(home_url)
    except (OSError, ValueError) as exc:
        raise DiscoveryError(f"cannot fetch {home_url}: {exc}") from None
    if page.status != 200:
        raise DiscoveryError(f"{home_url} answered HTTP {page.status}")
    html = decode_html(page.body, page.content_type)
    found = Discovery(home=page.url)
    try:
        meta = read_metadata(parse_html(html), page.url)
        found.name, found.language = meta.site_name or meta.title, meta.language
    except NotAnArticle:
        pass
    found.feeds = feed_links(html, page.url)
    robots_text, robots = _robots(fetch, page.url)
    found.sitemaps = robots_sitemaps(robots_text, page.url)
    if not found.feeds:
        origin = f"{urlsplit(page.url).scheme}://{urlsplit(page.url).netloc}"
        for path in USUAL_FEED_PATHS:
            url = origin + path
            if robots.can_fetch(user_agent, url) and _probe(fetch, url):
                found.feeds.append(url)
                break
    return found
