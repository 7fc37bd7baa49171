"""A loopback site that misbehaves in every way the crawler must survive, next to good pages.

Each misbehaviour has its own feed, so a test can give each its own source and check that
the failure is recorded against the right one. ``times`` keeps when each path was hit (to
check ``Retry-After`` waits).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import defaultdict
from functools import partial
from http.server import BaseHTTPRequestHandler

from crawl_site import page
from support import LoopbackSite

SLOW_SECONDS = 3.0
HUGE_BYTES = 200_000


def rss(base: str, links: list[str], title: str = "Feed", encoding: str = "utf-8") -> bytes:
    """An RSS 2.0 feed of ``links`` (paths), encoded as ``encoding`` and declaring no charset."""
    items = "".join(
        f"<item><title>{title} {i}</title><link>{base}{link}</link>"
        f"<pubDate>Tue, 03 Nov 2026 0{i % 10}:00:00 GMT</pubDate></item>"
        for i, link in enumerate(links)
    )
    text = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}'
    return (text + "</channel></rss>").encode(encoding)


def feeds(base: str) -> dict[str, bytes]:
    """Feed path -> body, one feed per misbehaviour."""
    return {
        "/good.rss": rss(base, ["/good/1.html", "/good/2.html", "/good/3.html",
                                "/retry/503.html", "/retry/429.html", "/private/x.html"]),
        "/broken.rss": b"<rss version='2.0'><channel><item><title>Oops</tit",
        "/latin1.rss": rss(base, ["/charset/none.html"], title="Caf\xe9", encoding="latin-1"),
        "/wrongcharset.rss": rss(base, ["/charset/wrong.html"], title="Na\xefve", encoding="cp1252")
        .replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="utf-8"?>'),
        "/huge.rss": rss(base, ["/huge.html"]),
        "/loop.rss": rss(base, ["/loop/a.html", "/chain/0.html"]),
        "/flaky.rss": rss(base, ["/flaky/500.html"]),
        "/slow.rss": rss(base, ["/slow.html"]),
        "/binary.rss": rss(base, ["/binary.html"]),
    }  # fmt: skip


class HostileServer(LoopbackSite):
    """Serve the hostile site on 127.0.0.1 (random port) in a thread."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        super().__init__()
        self.feeds = feeds(self.base_url)

    def get(self, request: BaseHTTPRequestHandler, path: str) -> None:
        self.times[path].append(time.monotonic())
        # the crawler may hang up (size cap, timeout): that is the point
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.route(request, path, len(self.times[path]))

    def route(self, request: BaseHTTPRequestHandler, path: str, hit: int) -> None:
        reply = partial(self.reply, request)
        html = "text/html"
        if path == "/robots.txt":
            reply(200, "text/plain", b"User-agent: *\nDisallow: /private/\n")
        elif path in self.feeds:
            reply(200, "application/rss+xml", self.feeds[path])
        elif path == "/bad-sitemap.xml":
            reply(200, "application/xml", b"\x89PNG not a sitemap <urlset")
        elif path.startswith("/good/"):
            reply(200, html, page(f"Good story {path[6:-5]}").encode())
        elif path == "/retry/503.html" and hit == 1:
            reply(503, html, b"busy", {"Retry-After": "1"})
        elif path == "/retry/429.html" and hit == 1:
            reply(429, html, b"slow down", {"Retry-After": "3600"})
        elif path.startswith("/retry/"):
            reply(200, html, page(f"Retried story {path[7:10]}").encode())
        elif path == "/charset/none.html":  # Latin-1, no charset anywhere
            body = page("Caf\xe9 opens", extra="Caf\xe9 na\xefve. ").replace(
                '<meta charset="utf-8">', ""
            )
            reply(200, html, body.encode("latin-1"))
        elif path == "/charset/wrong.html":  # says UTF-8, is cp1252
            body = page("Wrong charset story", extra="Caf\xe9 \u2013 na\xefve. ")
            reply(200, "text/html; charset=utf-8", body.encode("cp1252"))
        elif path == "/huge.html":
            filler = "<p>" + "word " * (HUGE_BYTES // 5) + "</p>"
            reply(200, html, page("Huge story", extra=filler).encode())
        elif path == "/loop/a.html":
            reply(302, html, b"", {"Location": "/loop/b.html"})
        elif path == "/loop/b.html":
            reply(302, html, b"", {"Location": "/loop/a.html"})
        elif path.startswith("/chain/"):
            n = int(path[7:-5])
            reply(302, html, b"", {"Location": f"/chain/{n + 1}.html"})
        elif path == "/flaky/500.html":
            reply(500, html, b"<h1>Internal Server Error</h1>")
        elif path == "/slow.html":
            time.sleep(SLOW_SECONDS)
            reply(200, html, page("Too slow").encode())
        elif path == "/binary.html":
            reply(200, html, os.urandom(20_000))
        else:
            reply(404, "text/plain", b"not found")
