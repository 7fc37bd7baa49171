"""Serve the demo news site over real HTTP on loopback.

The crawler's end-to-end tests and ``tidings demo`` need a news site that behaves like one on
the internet (content types, charsets, conditional GET, a broken page) without touching the
network. This serves the static files in ``site/`` from a ``ThreadingHTTPServer`` in a daemon
thread, swapping the ``__BASE_URL__`` placeholder in text responses for the real
``http://host:port`` (the port is random, so absolute URLs cannot be written in the files).

    with serve_demo_site() as site:
        urllib.request.urlopen(site.base_url + "/feed.rss")

or ``python -m tidings.demo.server --port 8001`` for manual use.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

from tidings.demo.articles import broken_paths

SITE_DIR = Path(__file__).with_name("site")
PLACEHOLDER = b"__BASE_URL__"
#: Content types by file suffix; text types get a charset and placeholder substitution.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".css": "text/css",
    ".js": "text/javascript",
    ".json": "application/json",
    ".png": "image/png",
}
TEXT_SUFFIXES = frozenset({".html", ".rss", ".atom", ".xml", ".txt", ".css", ".js", ".json"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    """One request the site answered, kept so tests can check crawler behaviour."""

    method: str
    path: str
    status: int
    user_agent: str
    conditional: bool  # sent If-None-Match or If-Modified-Since


def _charset(data: bytes) -> str:
    """The charset an HTML page declares in its <meta> (utf-8 when it declares none)."""
    match = _META_CHARSET.search(data[:2048])
    return match.group(1).decode("ascii").lower() if match else "utf-8"


class _Handler(BaseHTTPRequestHandler):
    """Static files with substitution, charsets, ETag/Last-Modified and scripted failures."""

    server: _Server
    server_version = "CircuitDaily/1.0"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 15  # idle keep-alive connections close, so none outlives stop() for long

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.site.log_requests:
            super().log_message(format, *args)

    # -- helpers ---------------------------------------------------------------------------

    def _serve(self, *, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path) or "/"
        if path in self.server.site.broken:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, path, send_body)
            return
        target = self._resolve(path)
        if target is None:
            self._error(HTTPStatus.NOT_FOUND, path, send_body)
            return
        if target.is_dir():
            self._redirect(path + "/", path, send_body)
            return
        self._file(target, path, send_body)

    def _resolve(self, path: str) -> Path | None:
        root = self.server.site.root
        rel = path.lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        if any(part.startswith((".", "_")) for part in rel.split("/")):
            return None
        target = (root / rel).resolve()
        if not target.is_relative_to(root) or not target.exists():
            return None
        if target.is_dir() and not (target / "index.html").is_file():
            return None
        return target

    def _file(self, target: Path, path: str, send_body: bool) -> None:
        data = target.read_bytes()
        suffix = target.suffix.lower()
        ctype = CONTENT_TYPES.get(suffix, "application/octet-stream")
        if suffix in TEXT_SUFFIXES:
            data = data.replace(PLACEHOLDER, self.server.site.base_url.encode("ascii"))
            charset = _charset(data) if suffix == ".html" else "utf-8"
            ctype = f"{ctype}; charset={charset}"
        mtime = int(target.stat().st_mtime)
        etag = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
        if self._not_modified(etag, mtime):
            self._record(path, HTTPStatus.NOT_MODIFIED)
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
            self.send_header("Cache-Control", "max-age=60")
            self.end_headers()
            return
        self._record(path, HTTPStatus.OK)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        self.send_header("Cache-Control", "max-age=60")
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:  # ETag wins over the date when both are sent (RFC 9110)
            return etag in {t.strip() for t in inm.split(",")} or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return mtime <= int(parsedate_to_datetime(ims).timestamp())
            except (TypeError, ValueError):
                return False
        return False

    def _redirect(self, location: str, path: str, send_body: bool) -> None:
        self._record(path, HTTPStatus.MOVED_PERMANENTLY)
        body = f'<a href="{location}">moved</a>\n'.encode()
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _error(self, status: HTTPStatus, path: str, send_body: bool) -> None:
        self._record(path, status)
        body = (
            f"<!DOCTYPE html><html><head><title>{status.value} {status.phrase}</title></head>"
            f"<body><h1>{status.value} {status.phrase}</h1></body></html>\n"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _record(self, path: str, status: int) -> None:
        conditional = bool(
            self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")
        )
        hit = Hit(self.command, path, int(status), self.headers.get("User-Agent", ""), conditional)
        self.server.site.record(hit)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: DemoSite


class DemoSite:
    """The demo news site served on loopback; a context manager that starts and stops it.

    ``base_url`` (no trailing slash) and ``port`` are known once started; ``hits`` lists the
    requests answered so far, for tests that check what a crawler fetched.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        root: Path = SITE_DIR,
        log_requests: bool = False,
    ) -> None:
        self.host = host
        self.requested_port = port
        self.root = root.resolve()
        self.log_requests = log_requests
        self.broken = broken_paths()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._hits: list[Hit] = []
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        """The bound port (the real one when 0 was asked for)."""
        if self._server is None:
            raise RuntimeError("the demo site is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://host:port`` with no trailing slash, as substituted for ``__BASE_URL__``."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL of a site path ("/feed.rss" or "feed.rss")."""
        return self.base_url + "/" + path.lstrip("/")

    @property
    def hits(self) -> list[Hit]:
        """A copy of the requests answered so far."""
        with self._lock:
            return list(self._hits)

    def record(self, hit: Hit) -> None:
        """Remember one answered request (called by the handler threads)."""
        with self._lock:
            self._hits.append(hit)

    def start(self) -> DemoSite:
        """Bind and serve in a daemon thread; returns self. Raises OSError if the port is taken."""
        if self._server is not None:
            return self
        if not (self.root / "index.html").is_file():
            raise FileNotFoundError(f"no demo site at {self.root}; run tidings.demo.build_site")
        server = _Server((self.host, self.requested_port), _Handler)
        server.site = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"demo-site-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (safe to call twice)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_demo_site(
    host: str = "127.0.0.1", port: int = 0, *, log_requests: bool = False
) -> DemoSite:
    """Start the demo site (port 0 picks a free one) and return it, already serving."""
    return DemoSite(host, port, log_requests=log_requests).start()


def main(argv: list[str] | None = None) -> int:
    """``python -m tidings.demo.server``: serve until Ctrl-C, logging requests."""
    parser = argparse.ArgumentParser(description="Serve the Tidings demo news site.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=8001, help="port (0 = any free port)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)
    site = serve_demo_site(args.host, args.port, log_requests=not args.quiet)
    # SIGTERM (and SIGINT, which background jobs may ignore) end the loop through `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"demo news site at {site.base_url}/ (feeds: /feed.rss /feed.atom, "
          "sitemap: /sitemap.xml); Ctrl-C to stop", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
