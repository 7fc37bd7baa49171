"""The pipeline's SQLite upserts and index commits run off Scrapy's reactor thread.

Another process keeps the store locked for writing (a long transaction, as a busy writer or a
slow disk would): storing waits for it, but fetching and extracting go on meanwhile, until
the responses waiting for the writer fill Scrapy's scraper: then fetching waits too, so a
store slower than the crawl never makes the crawl queue pages in memory without bound.
"""

from __future__ import annotations

import sqlite3
import subprocess
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from crawl_run import REPO, crawl_command, tidings_env
from crawl_site import page
from support import LoopbackSite, pending_ids

from tidings.core.config import Settings
from tidings.core.store import Store

PAGES = 40


class StorySite(LoopbackSite):
    """A sitemap of ``pages`` article pages, each padded with ``padding`` bytes of comment;
    remembers which pages were fetched."""

    def __init__(self, pages: int = PAGES, padding: int = 0) -> None:
        self.fetched: set[str] = set()
        self.pages = pages
        self.padding = f"<!-- {'x' * padding} -->" if padding else ""
        super().__init__()

    def get(self, request: BaseHTTPRequestHandler, path: str) -> None:
        if path == "/sitemap.xml":
            locs = (f"{self.base_url}/a/{i}.html" for i in range(self.pages))
            urls = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            self.reply(request, 200, "application/xml", body.encode())
        elif path.startswith("/a/"):
            self.fetched.add(path)
            n = path.removeprefix("/a/").removesuffix(".html")
            html = page(f"Story {n} of the bridge", extra=f"Report number {n} from the river. ")
            html = html.replace("</body>", self.padding + "</body>")
            self.reply(request, 200, "text/html; charset=utf-8", html.encode())
        else:
            self.reply(request, 404, "text/plain", b"not found")


def _crawl_with_store_locked(site: StorySite, home: Path, batch: int = 2) -> tuple[int, int, str]:
    """Crawl ``site`` while another connection holds the store's write lock; once fetching
    has stopped (or every page is fetched), release the lock and let the crawl finish.

    Returns how many pages were fetched while the store was locked, how many are stored, and
    the crawl's summary (its standard output).
    """
    db_path = Settings(home=home).db_path
    Store(db_path).close()  # the schema exists: the crawl only needs the lock to store
    locker = sqlite3.connect(db_path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process writing, for longer than a batch takes
    argv = crawl_command(
        home, "--sitemap", f"{site.base_url}/sitemap.xml", "--batch-size", str(batch)
    )
    crawl = subprocess.Popen(
        argv, cwd=REPO, env=tidings_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        _wait_until_settled(site, crawl, seconds=60)
        fetched_while_locked = len(site.fetched)
    finally:
        locker.execute("COMMIT")
        locker.close()
    try:
        out, err = crawl.communicate(timeout=180)
    finally:
        site.stop()
    assert crawl.returncode == 0, err
    with Store(db_path) as store:
        assert pending_ids(store) == []
        return fetched_while_locked, store.count(), out


def _wait_until_settled(site: StorySite, crawl: subprocess.Popen[str], seconds: float) -> None:
    """Wait until every page is fetched, or no page has been fetched for 3 s (after the
    first), or the crawl has ended."""
    deadline = time.monotonic() + seconds
    seen, since = -1, time.monotonic()
    while time.monotonic() < deadline and crawl.poll() is None:
        fetched = len(site.fetched)
        if fetched == site.pages:
            return
        if fetched != seen:
            seen, since = fetched, time.monotonic()
        elif fetched and time.monotonic() - since > 3:
            return
        time.sleep(0.1)


def test_a_locked_store_delays_storing_but_not_fetching(tmp_path: Path) -> None:
    site = StorySite()
    fetched_while_locked, stored, _ = _crawl_with_store_locked(site, tmp_path / "home")
    assert fetched_while_locked == PAGES, (
        f"only {fetched_while_locked} of {PAGES} pages were fetched while the store was locked: "
        "the reactor waited for SQLite"
    )
    assert stored == PAGES


def test_a_store_slower_than_the_crawl_holds_fetching_back(tmp_path: Path) -> None:
    """400 pages of 200 KB, in batches of 16, while the store is locked: two batches go to the
    writer, the items after them wait, and once the responses in Scrapy's scraper pass its
    limit (5 MB) the engine stops fetching: 114 pages in the run that set this bound, however
    many the site has. Without the writer's bound only the one item that fills a batch waited
    for its write, so every page here was fetched and held in memory for the writer (the
    100,000-page crawl's growth). None is lost either way."""
    site = StorySite(pages=400, padding=200_000)
    fetched_while_locked, stored, summary = _crawl_with_store_locked(
        site, tmp_path / "home", batch=16
    )
    assert 0 < fetched_while_locked <= 160, (
        f"{fetched_while_locked} of {site.pages} pages were fetched while nothing could be "
        "stored: the crawl queued them for the writer without bound"
    )
    assert stored == site.pages
    assert "waited for the store" in summary  # the report says the store set the pace
