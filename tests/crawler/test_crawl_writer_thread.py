"""The pipeline's SQLite upserts and index commits run off Scrapy's reactor thread.

Another process keeps the store locked for writing (a long transaction, as a busy writer or a
slow disk would): storing waits for it, but fetching and extracting go on meanwhile.
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
    """A sitemap of :data:`PAGES` article pages; remembers which pages were fetched."""

    def __init__(self) -> None:
        self.fetched: set[str] = set()
        super().__init__()

    def get(self, request: BaseHTTPRequestHandler, path: str) -> None:
        if path == "/sitemap.xml":
            locs = (f"{self.base_url}/a/{i}.html" for i in range(PAGES))
            urls = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            self.reply(request, 200, "application/xml", body.encode())
        elif path.startswith("/a/"):
            self.fetched.add(path)
            n = path.removeprefix("/a/").removesuffix(".html")
            html = page(f"Story {n} of the bridge", extra=f"Report number {n} from the river. ")
            self.reply(request, 200, "text/html; charset=utf-8", html.encode())
        else:
            self.reply(request, 404, "text/plain", b"not found")


def _wait(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_a_locked_store_delays_storing_but_not_fetching(tmp_path: Path) -> None:
    site = StorySite()
    home = tmp_path / "home"
    db_path = Settings(home=home).db_path
    Store(db_path).close()  # the schema exists: the crawl only needs the lock to store
    locker = sqlite3.connect(db_path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process writing, for longer than a batch takes
    argv = crawl_command(home, "--sitemap", f"{site.base_url}/sitemap.xml", "--batch-size", "2")
    crawl = subprocess.Popen(
        argv, cwd=REPO, env=tidings_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        all_fetched = _wait(lambda: len(site.fetched) == PAGES or crawl.poll() is not None, 30)
        fetched_while_locked = len(site.fetched)
    finally:
        locker.execute("COMMIT")
        locker.close()
    try:
        _, err = crawl.communicate(timeout=120)
    finally:
        site.stop()
    assert crawl.returncode == 0, err
    assert all_fetched and fetched_while_locked == PAGES, (
        f"only {fetched_while_locked} of {PAGES} pages were fetched while the store was locked: "
        "the reactor waited for SQLite"
    )
    with Store(db_path) as store:
        assert store.count() == PAGES and pending_ids(store) == []
