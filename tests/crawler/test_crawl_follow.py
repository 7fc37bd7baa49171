"""Link following from home and section pages (depth limit, article decision) and date windows
(``--since``/``--until``), crawled for real over loopback on a random port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_run import run_crawl
from crawl_site import SiteServer
from link_site import link_site

from tidings.core.article import article_id
from tidings.core.store import Store

HOME_ARTICLES = (
    "/2026/11/20/no-og-type-story.html",  # no og:type, no JSON-LD, no <article>
    "/news/og-website-story-about-batteries",  # og:type=website
    "/news/jsonld-chip-plant-story",
    "/p/8812345",
)
#: Loopback answers at once: no throttling needed to be polite to it.
FAST = ("--set", "AUTOTHROTTLE_ENABLED=false")
DEEP = ("/technology/deep-story-from-the-section-page", "/ai/another-deep-story-about-models")


@pytest.fixture
def server() -> Iterator[SiteServer]:
    srv = SiteServer(pages=link_site)
    yield srv
    srv.stop()


def follow_sources(tmp_path: Path, server: SiteServer, depth: int) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[[sources]]\nid = "links"\nhome = "{server.base_url}/"\nfollow_links = {depth}\n',
        encoding="utf-8",
    )
    return path


def stored_paths(home: Path, base: str, paths: tuple[str, ...]) -> set[str]:
    with Store(home / "tidings.db") as store:
        return {p for p in paths if store.get(article_id(f"{base}{p}")) is not None}


def errors(home: Path) -> dict[str, str]:
    with Store(home / "tidings.db") as store:
        return {e["url"]: e["kind"] for e in store.errors()}


def test_depth_one_keeps_articles_without_og_type(server: SiteServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_crawl(home, "--sources", str(follow_sources(tmp_path, server, 1)), *FAST)
    base = server.base_url
    assert stored_paths(home, base, HOME_ARTICLES) == set(HOME_ARTICLES)
    with Store(home / "tidings.db") as store:
        assert store.count() == 4  # the home page itself is not an article
    assert server.hits["/"] == 1
    # last level: section-shaped and junk links are not fetched, nor other hosts or depth 2
    for path in ("/technology", "/tag/ai", "/login", "/logo.png", "/about", *DEEP):
        assert server.hits[path] == 0, path
    assert server.hits["/p/8812345"] == 1  # the #fragment did not make a second URL
    # links written with the site's random port are on-site like relative ones; other hosts
    # are not even tried
    assert server.hits["/news/og-website-story-about-batteries"] == 1
    assert not [url for url in errors(home) if "other.invalid" in url]


def test_depth_two_follows_sections_not_articles(server: SiteServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_crawl(home, "--sources", str(follow_sources(tmp_path, server, 2)), *FAST)
    base = server.base_url
    assert stored_paths(home, base, HOME_ARTICLES + DEEP) == set(HOME_ARTICLES + DEEP)
    assert server.hits["/technology"] == 1 and server.hits["/tag/ai"] == 1
    found = errors(home)
    assert f"{base}/technology" not in found  # a listing is followed, not an error
    assert found.get(f"{base}/about") == "not-article"  # fetched, judged by extraction
    # articles' own links (nav, "More on AI") are not followed; each page is fetched once
    assert all(n == 1 for n in server.hits.values()), server.hits
    assert server.hits["/login"] == 0


def test_recrawl_skips_stored_articles(server: SiteServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    sources = str(follow_sources(tmp_path, server, 1))
    run_crawl(home, "--sources", sources, *FAST)
    result = run_crawl(home, "--sources", sources, "--force", *FAST)
    assert server.hits["/"] == 2  # start pages are read every crawl
    assert all(server.hits[p] == 1 for p in HOME_ARTICLES)
    assert "4 seen and skipped" in result.stdout


WINDOW = ("--since", "2026-11-15", "--until", "2026-11-22")


def test_date_window(server: SiteServer, tmp_path: Path) -> None:
    home, base = tmp_path / "home", server.base_url
    run_crawl(
        home, "--feed", f"{base}/feed.rss", "--sitemap", f"{base}/sitemap.xml", *WINDOW, *FAST
    )
    kept = ("/w/feed-inside", "/w/undated-hint-inside-page", "/w/undated-everywhere")
    kept += ("/w/sitemap-fresh",)
    dropped = ("/w/feed-early", "/w/feed-late", "/w/undated-hint-early-page", "/w/sitemap-stale")
    assert stored_paths(home, base, kept + dropped) == set(kept)
    # entries dated outside the window by their feed or sitemap are never requested
    for path in ("/w/feed-early", "/w/feed-late", "/w/sitemap-stale", "/sitemap-old.xml"):
        assert server.hits[path] == 0, path
    # an entry without a date is fetched, then dropped on its extracted date
    assert server.hits["/w/undated-hint-early-page"] == 1
    with Store(home / "tidings.db") as store:
        (health,) = store.source_health()
    assert health["last_run"]["outside_window"] == 5


def test_window_with_age_and_bad_values(server: SiteServer, tmp_path: Path) -> None:
    home, base = tmp_path / "home", server.base_url
    run_crawl(home, "--feed", f"{base}/feed.rss", "--since", "3d", *FAST)
    # "3d" is three days before now: the 2026-11-20 article is out, the undated one stays
    assert stored_paths(home, base, ("/w/undated-everywhere", "/w/feed-inside")) == {
        "/w/undated-everywhere"
    }
