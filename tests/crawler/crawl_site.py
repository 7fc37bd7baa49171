"""A tiny news site for loopback crawl tests: a real HTTP server on 127.0.0.1, random port.

Pages cover each date source the crawl must get right through the network path (JSON-LD, meta,
<time>, feed, news sitemap, URL), a Latin-1 page, a 500, a non-article and a robots-blocked URL.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler
from typing import Any

from support import LoopbackSite

FILLER = (
    "The council met on Tuesday evening to discuss the plan, which has divided residents for "
    "more than a year. Supporters say the new bridge will cut journeys across the river by "
    "twenty minutes, while opponents worry about the cost and the noise. A final vote is "
    "expected next month after a public consultation closes, officials said."
)


def page(
    title: str, head: str = "", byline: str = "", charset: str = "utf-8", extra: str = ""
) -> str:
    """An article page with enough body text to count as an article."""
    return f"""<!doctype html><html lang="en"><head><meta charset="{charset}">
<title>{title} | Test Gazette</title>{head}</head>
<body><nav><a href="/">Home</a> <a href="/news/">News</a></nav>
<article><h1>{title}</h1>{byline}
<p>{extra}{FILLER}</p><p>{FILLER.replace("Tuesday", "Wednesday")}</p></article>
<footer>Test Gazette, all rights reserved.</footer></body></html>"""


def numbered_articles(
    base: str, count: int, slug: str, headline: str
) -> dict[str, tuple[int, str, bytes]]:
    """A feed of ``count`` distinct article pages ``/news/{slug}-{i}.html``, one a minute from
    midnight; ``headline`` is formatted with ``i`` (e.g. ``"Story number {i} of the day"``)."""
    name = slug.capitalize()
    items = "".join(
        f"<item><title>{name} {i}</title><link>{base}/news/{slug}-{i}.html</link>"
        f"<pubDate>Mon, 02 Nov 2026 {i // 60:02d}:{i % 60:02d}:00 GMT</pubDate></item>"
        for i in range(count)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}s</title>{items}'
    pages = {
        f"/news/{slug}-{i}.html": (
            200,
            "text/html",
            page(headline.format(i=i), extra=f"{name} {i} begins here. ").encode(),
        )
        for i in range(count)
    }
    pages["/feed.rss"] = (200, "application/rss+xml", (feed + "</channel></rss>").encode())
    pages["/robots.txt"] = (200, "text/plain", b"User-agent: *\nAllow: /\n")
    return pages


def site(base: str) -> dict[str, tuple[int, str, bytes]]:
    """path -> (status, content type, body) for a site served at ``base``."""
    jsonld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebSite", "name": "Test Gazette"},'
        '{"@type": "NewsArticle", "headline": "Bridge plan approved",'
        ' "datePublished": "2026-11-20T08:00:00+01:00", "dateModified": "2026-11-21T09:00:00Z",'
        ' "author": [{"@type": "Person", "name": "Ada Byron"}],'
        ' "image": {"@type": "ImageObject", "url": "/img/bridge.jpg"}}]}</script>'
        '<meta property="article:published_time" content="2026-11-19T00:00:00Z">'
    )
    pages: dict[str, tuple[int, str, bytes]] = {
        "/2026/11/20/bridge-plan.html": (
            200,
            "text/html",
            page("Bridge plan approved", jsonld).encode(),
        ),
        "/news/meta-story.html": (
            200,
            "text/html; charset=iso-8859-1",
            page(
                "Café owners protest",
                '<meta property="article:published_time" content="2026-11-21T12:30:00+00:00">'
                '<meta name="author" content="Zoë Martin">',
                charset="iso-8859-1",
                extra="Owners of the café said the rules were naïve. ",
            ).encode("latin-1"),
        ),
        "/news/feed-date-story.html": (200, "text/html", page("Library opens late").encode()),
        "/news/time-story.html": (
            200,
            "text/html",
            page(
                "Market hall reopens",
                byline='<p class="byline">By Sam Reed, <time datetime="2026-11-23T07:15:00Z">'
                "23 Nov</time></p>",
            ).encode(),
        ),
        "/2026/11/24/url-date-story.html": (200, "text/html", page("Tram line extended").encode()),
        "/broken.html": (500, "text/html", b"<h1>Internal Server Error</h1>"),
        "/about.html": (200, "text/html", b"<html><title>About us</title><p>We are a paper.</p>"),
        "/private/secret.html": (200, "text/html", page("Secret").encode()),
        "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private/\n"),
    }
    rss = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Test Gazette</title>
<link>{base}/</link><description>News</description>
<item><title>Bridge plan approved</title><link>{base}/2026/11/20/bridge-plan.html</link>
<pubDate>Fri, 20 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>Café owners protest</title><link>{base}/news/meta-story.html</link>
<pubDate>Sat, 21 Nov 2026 18:00:00 GMT</pubDate></item>
<item><title>Library opens late</title>
<link>{base}/news/feed-date-story.html?utm_source=rss&amp;utm_medium=feed</link>
<pubDate>Sun, 22 Nov 2026 06:45:00 +0100</pubDate><dc:creator>Lee Park</dc:creator></item>
<item><title>Broken</title><link>{base}/broken.html</link></item>
</channel></rss>"""
    index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemap-news.xml</loc></sitemap>
<sitemap><loc>{base}/sitemap-articles.xml</loc></sitemap>
</sitemapindex>"""
    news = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{base}/news/feed-date-story.html</loc><news:news>
  <news:publication><news:name>Test Gazette</news:name><news:language>en</news:language>
  </news:publication><news:publication_date>2026-11-01T00:00:00Z</news:publication_date>
  <news:title>Library opens late</news:title></news:news></url>
<url><loc>{base}/news/time-story.html</loc><news:news>
  <news:publication><news:name>Test Gazette</news:name><news:language>en</news:language>
  </news:publication><news:publication_date>2026-11-02T00:00:00Z</news:publication_date>
  <news:title>Market hall reopens</news:title></news:news></url>
</urlset>"""
    articles = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/2026/11/20/bridge-plan.html</loc><lastmod>2026-11-25</lastmod></url>
<url><loc>{base}/2026/11/24/url-date-story.html</loc><lastmod>2026-11-25T10:00:00Z</lastmod></url>
<url><loc>{base}/about.html</loc></url>
<url><loc>{base}/private/secret.html</loc></url>
</urlset>"""
    pages["/feed.rss"] = (200, "application/rss+xml", rss.encode())
    pages["/sitemap.xml"] = (200, "application/xml", index.encode())
    pages["/sitemap-news.xml"] = (200, "application/xml", news.encode())
    pages["/sitemap-articles.xml"] = (200, "application/xml", articles.encode())
    return pages


class SiteServer(LoopbackSite):
    """Serve :func:`site` on 127.0.0.1 in a thread; ``hits`` counts requests per path.

    With ``etags`` every response carries an ETag (a hash of its body) and a matching
    ``If-None-Match`` gets a 304; ``conditional`` counts such requests per path. ``delay``
    slows every response; ``pages`` replaces the site (a function of the base URL).
    """

    def __init__(self, etags: bool = False, delay: float = 0.0, pages: Any = None) -> None:
        self.hits: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self.etags = etags
        self.delay = delay
        super().__init__()
        self.pages = (pages or site)(self.base_url)

    def get(self, request: BaseHTTPRequestHandler, path: str) -> None:
        self.hits[path] += 1
        if self.delay:
            time.sleep(self.delay)
        status, ctype, body = self.pages.get(path, (404, "text/plain", b"not found"))
        etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
        if request.headers.get("If-None-Match"):
            self.conditional[path] += 1
        if self.etags and status == 200 and request.headers.get("If-None-Match") == etag:
            request.send_response(304)
            request.send_header("ETag", etag)
            request.end_headers()
            return
        self.reply(request, status, ctype, body, {"ETag": etag} if self.etags else None)
