"""Re-crawls: conditional GET (ETag → 304), stored articles skipped unless their feed or
sitemap dates a newer version, per-source intervals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_run import run_crawl
from crawl_site import SiteServer, page

from tidings.core.article import article_id
from tidings.core.store import Store

URL_DATE = "/2026/11/24/url-date-story.html"
BRIDGE = "/2026/11/20/bridge-plan.html"


@pytest.fixture
def server() -> Iterator[SiteServer]:
    srv = SiteServer(etags=True)
    yield srv
    srv.stop()


def sources_args(server: SiteServer) -> tuple[str, ...]:
    return ("--feed", f"{server.base_url}/feed.rss", "--sitemap", f"{server.base_url}/sitemap.xml")


def bump_lastmod(server: SiteServer, path: str, lastmod: str) -> None:
    """Give ``path`` a new ``lastmod`` in the sitemap (and the index a new lastmod, as real
    sites do, so its ETag changes too)."""
    for name in ("/sitemap-articles.xml", "/sitemap.xml"):
        status, ctype, body = server.pages[name]
        text = body.decode()
        if name == "/sitemap.xml":
            text = text.replace("</sitemapindex>", f"<!-- {lastmod} --></sitemapindex>")
        else:
            start = text.index(f"{path}</loc>")
            old = text[text.index("<lastmod>", start) : text.index("</lastmod>", start) + 10]
            text = text.replace(f"{path}</loc>{old}", f"{path}</loc><lastmod>{lastmod}</lastmod>")
        server.pages[name] = (status, ctype, text.encode())


def test_recrawl_is_conditional_and_incremental(server: SiteServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = run_crawl(home, *sources_args(server))
    assert "5 new" in first.stdout

    second = run_crawl(home, *sources_args(server))
    # the sitemap index answers 304: no child sitemap and none of its articles is requested;
    # the feed led to a 500 last time, so it kept no validators and is read in full again
    # (its stored articles are skipped, the failed one is retried)
    assert "1 feed(s), 0 sitemap(s), 0 page(s)" in second.stdout
    assert "1 not modified, 3 seen and skipped; errors: http 1" in second.stdout
    assert server.hits[BRIDGE] == 1 and server.hits["/sitemap-articles.xml"] == 1
    assert server.conditional["/feed.rss"] == 0 and server.conditional["/sitemap.xml"] == 1
    assert server.hits["/broken.html"] == 2 * 3  # first try + 2 retries, in each crawl

    # the sitemap now dates a newer version of two stored articles: one really changed,
    # the other did not (the server answers its conditional GET with 304)
    status, ctype, _ = server.pages[URL_DATE]
    server.pages[URL_DATE] = (status, ctype, page("Tram line extended to the airport").encode())
    bump_lastmod(server, URL_DATE, "2026-12-30T10:00:00Z")
    bump_lastmod(server, BRIDGE, "2026-12-30T11:00:00Z")
    third = run_crawl(home, *sources_args(server))
    assert "0 new, 1 updated, 0 unchanged" in third.stdout
    # 304s: the unchanged news sitemap and the bridge article
    assert "2 not modified, 3 seen and skipped" in third.stdout
    assert server.hits[URL_DATE] == 2 and server.hits[BRIDGE] == 2
    assert server.conditional[URL_DATE] == 1 and server.conditional[BRIDGE] == 1
    with Store(home / "tidings.db") as store:
        record = store.get(article_id(f"{server.base_url}{URL_DATE}"))
        assert record is not None and record["title"] == "Tram line extended to the airport"
        assert store.count() == 5
        bridge = store.fetch_state(f"{server.base_url}{BRIDGE}")
        assert bridge is not None and bridge["status"] == 304 and bridge["stored"]
        assert bridge["seen_modified"] == "2026-12-30T11:00:00+00:00"

    fourth = run_crawl(home, *sources_args(server))  # nothing newer: all quiet again
    assert "0 page(s)" in fourth.stdout and "1 not modified" in fourth.stdout


def test_interval_skips_recent_sources_unless_forced(server: SiteServer, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[sources]]\nid = "gazette"\nfeeds = ["{server.base_url}/feed.rss"]\ninterval = "1h"\n',
        encoding="utf-8",
    )
    home = tmp_path / "home"
    assert "3 new" in run_crawl(home, "--sources", str(sources)).stdout
    hits = sum(server.hits.values())
    again = run_crawl(home, "--sources", str(sources))
    assert "nothing to crawl" in again.stdout and "gazette" in again.stderr
    assert sum(server.hits.values()) == hits
    forced = run_crawl(home, "--sources", str(sources), "--force")
    assert "3 seen and skipped" in forced.stdout
