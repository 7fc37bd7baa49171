"""A crawled page cannot take over another site's article by declaring its URL as canonical.

Two real loopback sites: the victim at 127.0.0.1, the copier at ``localhost`` (another host,
so another site). The copier's page republishes the victim's story with a changed headline and
declares the victim's URL as its canonical.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path

from crawl_run import run_crawl
from crawl_site import page
from support import LoopbackSite

from tidings.core.article import article_id
from tidings.core.config import Settings
from tidings.core.store import Store


class OnePageSite(LoopbackSite):
    """A sitemap naming one article page, served as ``host``."""

    def __init__(self, host: str, path: str, html: str) -> None:
        self.host, self.path, self.html = host, path, html
        super().__init__()
        self.url = f"http://{host}:{self.httpd.server_address[1]}"

    def get(self, request: BaseHTTPRequestHandler, path: str) -> None:
        if path == "/sitemap.xml":
            body = (
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{self.url}{self.path}</loc></url></urlset>"
            )
            self.reply(request, 200, "application/xml", body.encode())
        elif path == self.path:
            self.reply(request, 200, "text/html; charset=utf-8", self.html.encode())
        else:
            self.reply(request, 404, "text/plain", b"not found")


def test_a_page_declaring_another_sites_url_does_not_overwrite_its_article(
    tmp_path: Path,
) -> None:
    victim = OnePageSite("127.0.0.1", "/news/bridge.html", page("Bridge plan approved"))
    victim_url = f"{victim.url}/news/bridge.html"
    claim = f'<link rel="canonical" href="{victim_url}">'
    copier = OnePageSite("localhost", "/copied.html", page("Bridge approved, rivals say", claim))
    home = tmp_path / "home"
    try:
        run_crawl(home, "--sitemap", f"{victim.url}/sitemap.xml", timeout=240)
        run_crawl(home, "--sitemap", f"{copier.url}/sitemap.xml", timeout=240)
    finally:
        victim.stop()
        copier.stop()
    with Store(Settings(home=home).db_path) as store:
        original = store.get(article_id(victim_url))
        assert original is not None and original["title"] == "Bridge plan approved"
        assert original["source"]["domain"] == "127.0.0.1"
        copy = store.get(article_id(f"{copier.url}/copied.html"))
        assert copy is not None and copy["title"] == "Bridge approved, rivals say"
        assert copy["source"]["domain"] == "localhost"
        assert copy["cluster_id"] == original["cluster_id"]  # a copy: clustered, not merged
