"""A loopback site that misbehaves in every way the crawler must survive, next to good pages.

Each misbehaviour has its own feed, so a test can give each its own source and check that
the failure is recorded against the right one. ``times`` keeps when each path was hit (to
check ``Retry-After`` waits).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from crawl_site import page

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


class HostileServer:
    """Serve the hostile site on 127.0.0.1 (random port) in a thread."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.feeds = feeds(self.base_url)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def reply(self, status: int, ctype: str, body: bytes, **headers: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                path = self.path.split("?", 1)[0]
                server.times[path].append(time.monotonic())
                # the crawler may hang up (size cap, timeout): that is the point
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.route(path, len(server.times[path]))

            def route(self, path: str, hit: int) -> None:
                html = "text/html"
                if path == "/robots.txt":
                    self.reply(200, "text/plain", b"User-agent: *\nDisallow: /private/\n")
                elif path in server.feeds:
                    self.reply(200, "application/rss+xml", server.feeds[path])
                elif path == "/bad-sitemap.xml":
                    self.reply(200, "application/xml", b"\x89PNG not a sitemap <urlset")
                elif path.startswith("/good/"):
                    self.reply(200, html, page(f"Good story {path[6:-5]}").encode())
                elif path == "/retry/503.html" and hit == 1:
                    self.reply(503, html, b"busy", Retry_After="1")
                elif path == "/retry/429.html" and hit == 1:
                    self.reply(429, html, b"slow down", Retry_After="3600")
                elif path.startswith("/retry/"):
                    self.reply(200, html, page(f"Retried story {path[7:10]}").encode())
                elif path == "/charset/none.html":  # Latin-1, no charset anywhere
                    body = page("Caf\xe9 opens", extra="Caf\xe9 na\xefve. ").replace(
                        '<meta charset="utf-8">', ""
                    )
                    self.reply(200, html, body.encode("latin-1"))
                elif path == "/charset/wrong.html":  # says UTF-8, is cp1252
                    body = page("Wrong charset story", extra="Caf\xe9 \u2013 na\xefve. ")
                    self.reply(200, "text/html; charset=utf-8", body.encode("cp1252"))
                elif path == "/huge.html":
                    filler = "<p>" + "word " * (HUGE_BYTES // 5) + "</p>"
                    self.reply(200, html, page("Huge story", extra=filler).encode())
                elif path == "/loop/a.html":
                    self.reply(302, html, b"", Location="/loop/b.html")
                elif path == "/loop/b.html":
                    self.reply(302, html, b"", Location="/loop/a.html")
                elif path.startswith("/chain/"):
                    n = int(path[7:-5])
                    self.reply(302, html, b"", Location=f"/chain/{n + 1}.html")
                elif path == "/flaky/500.html":
                    self.reply(500, html, b"<h1>Internal Server Error</h1>")
                elif path == "/slow.html":
                    time.sleep(SLOW_SECONDS)
                    self.reply(200, html, page("Too slow").encode())
                elif path == "/binary.html":
                    self.reply(200, html, os.urandom(20_000))
                else:
                    self.reply(404, "text/plain", b"not found")

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
