"""Real pages served from loopback hosts, for ``bench/crawl.py --real``.

The pages of the extraction sets in ``../shared/data`` (``html/<id>.html.gz`` beside a
``ground-truth.json``) are unpacked into a folder and served unchanged, spread round-robin over
several hosts (127.0.0.1, 127.0.0.2, ...: the whole 127.0.0.0/8 range is loopback), each with a
``robots.txt`` and a plain sitemap, so that a crawl meets them as it meets real sites: one
source per host, Scrapy's per-host concurrency, each page's own markup, scripts and size.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class RealPage:
    """One page of a set: where it is served and the file it is served from."""

    set_name: str
    page_id: str
    host: int  # 0-based host number: served from 127.0.0.<host + 1>

    @property
    def path(self) -> str:
        return f"/{self.set_name}/{self.page_id}.html"


def load_pages(data_dir: Path, sets: Iterable[str], hosts: int) -> list[RealPage]:
    """Every page of ``sets`` (folders of ``data_dir``), in id order, dealt over ``hosts``."""
    pages: list[RealPage] = []
    for set_name in sets:
        folder = data_dir / set_name
        truth = folder / "ground-truth.json"
        if not truth.is_file():
            raise SystemExit(f"--real {set_name}: no {truth}")
        ids = sorted(json.loads(truth.read_text(encoding="utf-8")))
        pages += [
            RealPage(set_name, i, 0) for i in ids if (folder / "html" / f"{i}.html.gz").exists()
        ]
    return [RealPage(p.set_name, p.page_id, k % hosts) for k, p in enumerate(pages)]


def unpack(data_dir: Path, pages: list[RealPage], into: Path) -> int:
    """Write every page's HTML, unzipped, under ``into`` (served from there); total bytes."""
    total = 0
    for page in pages:
        html = page_html(data_dir, page)
        target = into / page.set_name / f"{page.page_id}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(html)
        total += len(html)
    return total


def page_html(data_dir: Path, page: RealPage) -> bytes:
    """The page's HTML as the set stores it (gzip), unzipped."""
    return gzip.decompress(
        (data_dir / page.set_name / "html" / f"{page.page_id}.html.gz").read_bytes()
    )


def sitemap(base: str, pages: Iterable[RealPage]) -> bytes:
    """A plain sitemap (no dates: the crawl must find them on the pages) of ``pages``."""
    urls = "".join(f"<url><loc>{escape(base + p.path)}</loc></url>" for p in pages)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def serve_hosts(pages: list[RealPage], root: str, hosts: int, ready: Any) -> None:
    """Serve ``pages`` (unpacked under ``root``) from ``hosts`` loopback addresses, each on a
    free port, in this process; puts the list of base URLs on ``ready``, then serves forever."""
    servers: list[ThreadingHTTPServer] = []
    bases: list[str] = []
    for host in range(hosts):
        mine = {p.path: p for p in pages if p.host == host}
        httpd = ThreadingHTTPServer((f"127.0.0.{host + 1}", 0), _handler(mine, root))
        httpd.daemon_threads = True
        base = f"http://127.0.0.{host + 1}:{httpd.server_address[1]}"
        httpd.sitemap = sitemap(base, mine.values())  # type: ignore[attr-defined]
        servers.append(httpd)
        bases.append(base)
    for httpd in servers[1:]:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    ready.put(bases)
    servers[0].serve_forever()


class QuietHandler(BaseHTTPRequestHandler):
    """A keep-alive loopback handler that answers with one call and logs nothing (the bench's
    sites: the real pages here, the generated site in bench/crawl.py)."""

    protocol_version = "HTTP/1.1"

    def reply(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _handler(pages: dict[str, RealPage], root: str) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0]
            status, ctype = 200, "text/html; charset=utf-8"
            if path == "/robots.txt":
                ctype, body = "text/plain", b"User-agent: *\nDisallow: /private/\n"
            elif path == "/sitemap.xml":
                ctype, body = "application/xml", self.server.sitemap  # type: ignore[attr-defined]
            elif path in pages:
                body = Path(root, path.lstrip("/")).read_bytes()
            else:
                status, ctype, body = 404, "text/plain", b"not found"
            self.reply(status, ctype, body)

    return Handler
