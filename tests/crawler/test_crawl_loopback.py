"""A real crawl over loopback: ``tidings crawl`` in a subprocess against a local HTTP server,
then the SQLite store is checked (each article once, dates right, failures recorded)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_site import SiteServer

from tidings.core.article import article_id
from tidings.core.config import Settings
from tidings.core.index import open_index
from tidings.core.store import Store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server() -> Iterator[SiteServer]:
    srv = SiteServer()
    yield srv
    srv.stop()


def crawl(server: SiteServer, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    args = args or (
        "--feed",
        f"{server.base_url}/feed.rss",
        "--sitemap",
        f"{server.base_url}/sitemap.xml",
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "TIDINGS_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "tidings", "crawl", *args, "--home", str(home), "--no-classify",
         "--log-level", "WARNING", "--batch-size", "2"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.fixture(scope="module")
def crawled(server: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    home = tmp_path_factory.mktemp("crawl-home")
    result = crawl(server, home)
    assert result.returncode == 0, result.stderr
    return home, result.stdout


def stored(home: Path, base: str, path: str) -> dict:
    with Store(home / "tidings.db") as store:
        record = store.get(article_id(f"{base}{path}"))
    assert record is not None, f"{path} not stored"
    return record


def test_each_article_stored_once_and_fetched_once(server: SiteServer, crawled: tuple) -> None:
    home, stdout = crawled
    with Store(home / "tidings.db") as store:
        assert store.count() == 5
    # found through the feed (with utm_* parameters) and the news sitemap: one request
    assert server.hits["/news/feed-date-story.html"] == 1
    assert server.hits["/2026/11/20/bridge-plan.html"] == 1
    assert server.hits["/private/secret.html"] == 0  # robots.txt
    assert "5 article(s)" in stdout and "5 new" in stdout


def test_dates_and_date_sources(server: SiteServer, crawled: tuple) -> None:
    home, _ = crawled
    base = server.base_url
    expected = {
        "/2026/11/20/bridge-plan.html": ("2026-11-20T07:00:00+00:00", "jsonld"),
        "/news/meta-story.html": ("2026-11-21T12:30:00+00:00", "meta"),
        "/news/time-story.html": ("2026-11-23T07:15:00+00:00", "time-tag"),
        "/news/feed-date-story.html": ("2026-11-22T05:45:00+00:00", "feed"),
        "/2026/11/24/url-date-story.html": ("2026-11-24T00:00:00+00:00", "url"),
    }
    for path, (published, source) in expected.items():
        record = stored(home, base, path)
        assert (record["published_at"], record["date_source"]) == (published, source), path
    assert stored(home, base, "/2026/11/20/bridge-plan.html")["updated_at"] == (
        "2026-11-21T09:00:00+00:00"
    )
    assert stored(home, base, "/2026/11/24/url-date-story.html")["updated_at"] == (
        "2026-11-25T10:00:00+00:00"
    )


def test_records_follow_the_contract(server: SiteServer, crawled: tuple) -> None:
    home, _ = crawled
    base = server.base_url
    bridge = stored(home, base, "/2026/11/20/bridge-plan.html")
    assert bridge["authors"] == ["Ada Byron"]
    assert bridge["image_url"] == f"{base}/img/bridge.jpg"
    port = base.rsplit(":", 1)[1]
    assert bridge["source"] == {
        "id": f"127.0.0.1-{port}",
        "name": f"127.0.0.1-{port}",
        "domain": "127.0.0.1",
    }
    cafe = stored(home, base, "/news/meta-story.html")  # served as ISO-8859-1
    assert cafe["title"] == "Café owners protest"
    assert "naïve" in cafe["body"] and cafe["authors"] == ["Zoë Martin"]
    library = stored(home, base, "/news/feed-date-story.html")
    assert library["authors"] == ["Lee Park"]  # from the feed: the page names nobody
    assert library["canonical_url"] == f"{base}/news/feed-date-story.html"
    for record in (bridge, cafe, library):
        assert record["word_count"] >= 40 and record["fingerprint"]
        assert record["topics"] == [] and record["language"] == "en"


def test_failures_recorded_and_not_stored(server: SiteServer, crawled: tuple) -> None:
    home, stdout = crawled
    with Store(home / "tidings.db") as store:
        errors = {(e["url"].removeprefix(server.base_url), e["kind"]) for e in store.errors()}
        assert store.get(article_id(f"{server.base_url}/broken.html")) is None
    assert ("/broken.html", "http") in errors
    assert ("/about.html", "not-article") in errors
    assert ("/private/secret.html", "robots") in errors
    assert "http 1" in stdout


def test_index_holds_the_stored_articles(crawled: tuple) -> None:
    home, _ = crawled
    index = open_index(Settings(home=home), writable=False)
    try:
        assert index.count() == 5
    finally:
        index.close()


def test_recrawl_changes_nothing(server: SiteServer, crawled: tuple) -> None:
    home, _ = crawled
    before = server.hits.copy()
    result = crawl(server, home)
    assert result.returncode == 0, result.stderr
    # incremental: stored articles whose feed/sitemap dates are not newer are not fetched
    assert "0 new, 0 updated, 0 unchanged" in result.stdout
    assert "5 seen and skipped" in result.stdout
    assert server.hits["/2026/11/20/bridge-plan.html"] == before["/2026/11/20/bridge-plan.html"]
    with Store(home / "tidings.db") as store:
        assert store.count() == 5


def test_sources_file_crawl(server: SiteServer, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f"""[[sources]]
id = "gazette"
name = "Test Gazette"
feeds = ["{server.base_url}/feed.rss"]
language = "en"
topics = ["local"]
""",
        encoding="utf-8",
    )
    result = crawl(server, tmp_path / "home", "--sources", str(sources))
    assert result.returncode == 0, result.stderr
    record = stored(tmp_path / "home", server.base_url, "/news/feed-date-story.html")
    assert record["source"] == {"id": "gazette", "name": "Test Gazette", "domain": "127.0.0.1"}
    assert record["topics"] == [{"id": "local", "score": 1.0, "origin": "rule"}]
    with Store(tmp_path / "home" / "tidings.db") as store:
        assert store.count() == 3  # the feed's three articles; its fourth link is the 500
        assert {e["source_id"] for e in store.errors()} == {"gazette"}
