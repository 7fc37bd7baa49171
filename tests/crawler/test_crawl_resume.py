"""A crawl killed with SIGKILL and restarted loses no article and stores none twice; the
index is healed of writes the killed crawl never made."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_run import REPO, crawl_command, run_crawl, tidings_env
from crawl_site import numbered_articles

from tidings.core.config import Settings
from tidings.core.index import open_index

ARTICLES = 60


def many_articles(base: str) -> dict[str, tuple[int, str, bytes]]:
    """A feed of ARTICLES distinct article pages."""
    return numbered_articles(base, ARTICLES, "story", "Story number {i} of the day")


@pytest.fixture
def slow_site() -> Iterator:
    from crawl_site import SiteServer

    srv = SiteServer(delay=0.05, pages=many_articles)
    yield srv
    srv.stop()


def stored_count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_sigkill_and_restart_store_each_article_once(slow_site, tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = home / "tidings.db"
    args = ("--feed", f"{slow_site.base_url}/feed.rss", "--batch-size", "4",
            "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=2")  # fmt: skip
    proc = subprocess.Popen(
        crawl_command(home, *args), cwd=REPO, env=tidings_env(home),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while stored_count(db) < 8 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    before = stored_count(db)
    assert 0 < before < ARTICLES, f"kill came too late or too early ({before} stored)"
    hits_before = slow_site.hits.copy()
    with sqlite3.connect(db) as conn:
        kept = {u for (u,) in conn.execute("SELECT canonical_url FROM articles")}

    # as if the killed crawl had died between its store commit and its index commit
    with sqlite3.connect(db) as conn:
        victim = conn.execute("SELECT id FROM articles ORDER BY rowid LIMIT 1").fetchone()[0]
        conn.execute("INSERT OR IGNORE INTO index_pending (article_id) VALUES (?)", (victim,))
    index = open_index(Settings(home=home), writable=True)
    index.delete([victim])
    index.close()

    result = run_crawl(home, *args)
    assert f"{ARTICLES - before} new, 0 updated, 0 unchanged" in result.stdout
    assert f"{before} seen and skipped" in result.stdout
    with sqlite3.connect(db) as conn:
        total, urls = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT canonical_url) FROM articles"
        ).fetchone()
        pending = conn.execute("SELECT COUNT(*) FROM index_pending").fetchone()[0]
        stored_paths = {
            url.removeprefix(slow_site.base_url)
            for (url,) in conn.execute("SELECT canonical_url FROM articles")
        }
    assert total == urls == ARTICLES and pending == 0
    assert stored_paths == {f"/news/story-{i}.html" for i in range(ARTICLES)}
    # what was stored before the kill was not fetched again
    for url in kept:
        path = url.removeprefix(slow_site.base_url)
        assert slow_site.hits[path] == hits_before[path] == 1, path
    index = open_index(Settings(home=home), writable=False)
    try:
        assert index.count() == ARTICLES
    finally:
        index.close()
