"""``tidings sources add`` (with ``--discover`` over loopback HTTP), ``sources import-opml``,
``tidings crawl --opml``, and the shipped ``sources/tech.toml``."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_run import REPO, run_crawl
from crawl_site import SiteServer, page
from link_site import link_site

from crawler.sources.discovery import discover, feed_links, http_fetcher, robots_sitemaps
from crawler.sources.opml import read_opml
from tidings.cli.main import main
from tidings.core.sources import (
    SourcesError,
    append_source,
    dump_sources,
    load_sources,
    parse_sources,
)
from tidings.core.store import Store

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="Tech">
  <outline type="rss" text="Ars Technica" title="Ars Technica"
           xmlUrl="https://feeds.arstechnica.com/arstechnica/index" htmlUrl="https://arstechnica.com"/>
  <outline type="rss" text="Ars Technica" XMLURL="https://feeds.arstechnica.com/arstechnica/gadgets"/>
  <outline text="Local file" xmlUrl="file:///etc/passwd"/>
</outline>
<outline text="Über News" xmlUrl="https://news.example/rss.xml" htmlUrl="https://news.example/"/>
</body></opml>"""


@pytest.fixture(scope="module")
def server() -> Iterator[SiteServer]:
    srv = SiteServer(pages=link_site)
    yield srv
    srv.stop()


def test_feed_links_and_robots_sitemaps() -> None:
    html = (
        '<html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml">'
        '<link rel="alternate" type="application/rss+xml" title="Comments" href="/c.rss">'
        '<link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/1">'
        '<link rel="alternate" type="application/feed+json" href="feed.json">'
        '<link rel="stylesheet" type="text/css" href="/s.css"><link rel="alternate" '
        'hreflang="de" href="/de/"></head><body></body></html>'
    )
    assert feed_links(html, "https://x.example/news/") == [
        "https://x.example/atom.xml",
        "https://x.example/news/feed.json",
    ]
    robots = "User-agent: *\nDisallow: /a\nsitemap: https://x.example/s.xml\nSitemap: /n.xml\n"
    assert robots_sitemaps(robots, "https://x.example/") == [
        "https://x.example/s.xml",
        "https://x.example/n.xml",
    ]


def test_discover_over_http(server: SiteServer) -> None:
    found = discover(f"{server.base_url}/", http_fetcher("tidings-test"))
    assert found.feeds == [f"{server.base_url}/feed.rss"]  # not comments, not wp-json
    assert found.sitemaps == [
        f"{server.base_url}/sitemap.xml",
        f"{server.base_url}/news-sitemap.xml",
    ]
    assert (found.name, found.language) == ("Link Times", "en")


def test_discover_probes_usual_paths_within_robots() -> None:
    def pages(base: str) -> dict[str, tuple[int, str, bytes]]:
        rss = link_site(base)["/feed.rss"]
        return {
            "/": (200, "text/html", page("Plain home").encode()),
            "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /rss\n"),
            "/rss": rss,  # would do, but robots.txt says no
            "/feed.xml": (200, "application/rss+xml", b"<html>not a feed</html>"),
            "/atom.xml": rss,
        }

    srv = SiteServer(pages=pages)
    try:
        found = discover(f"{srv.base_url}/", http_fetcher("tidings-test"))
    finally:
        srv.stop()
    assert found.feeds == [f"{srv.base_url}/atom.xml"] and found.sitemaps == []
    assert srv.hits["/rss"] == 0 and srv.hits["/feed.xml"] == 1 and srv.hits["/index.xml"] == 0


def test_sources_add_discover(server: SiteServer, tmp_path: Path, capsys) -> None:
    path = tmp_path / "sources.toml"
    path.write_text('[[sources]]\nid = "old"\nfeeds = ["https://old.example/rss"]\n')
    args = ["sources", "add", "--sources", str(path), "--discover", f"{server.base_url}/"]
    assert main([*args, "--follow-links", "2", "--topic", "technology"]) == 0
    old, added = load_sources(path)
    port = server.base_url.rsplit(":", 1)[1]
    assert added.id == f"127.0.0.1-{port}" and added.name == "Link Times"
    assert added.feeds == (f"{server.base_url}/feed.rss",) and len(added.sitemaps) == 2
    assert added.follow_depth == 2 and added.topics == ("technology",)
    assert added.language == "en" and added.home == f"{server.base_url}/"
    assert "added source" in capsys.readouterr().out
    before = path.read_text()
    assert main(args) == 2  # same id again: refused, file untouched
    assert "duplicate source id" in capsys.readouterr().err
    assert main([*args[:-1], f"{server.base_url}/missing"]) == 2
    assert "HTTP 404" in capsys.readouterr().err
    assert path.read_text() == before


def test_crawl_window_arguments(tmp_path: Path, capsys) -> None:
    feed = ["crawl", "--home", str(tmp_path), "--feed", "http://127.0.0.1:9/feed.rss"]
    assert main([*feed, "--since", "last tuesday"]) == 2
    assert "--since/--until: not a date" in capsys.readouterr().err
    assert main([*feed, "--since", "2026-11-20", "--until", "2026-11-19"]) == 2
    assert "window is empty" in capsys.readouterr().err


def test_sources_add_by_hand_validates(tmp_path: Path, capsys) -> None:
    path = tmp_path / "new" / "sources.toml"
    base = ["sources", "add", "--sources", str(path)]
    assert main([*base, "--feed", "ftp://x.example/rss"]) == 2
    assert "not an http(s) URL" in capsys.readouterr().err and not path.exists()
    assert main([*base, "--feed", "https://www.wire.example/rss", "--interval", "15m"]) == 0
    assert main([*base, "--id", "b", "--home-page", "https://b.example/", "--dry-run"]) == 0
    assert "no feed or sitemap" in capsys.readouterr().err
    (wire,) = load_sources(path)  # the dry run wrote nothing
    assert (wire.id, wire.interval, wire.allowed_domains) == (
        "wire.example",
        900,
        ("wire.example",),
    )


def test_append_keeps_comments_and_rejects_other_tables(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('# mine\n[[sources]]\nid = "a"\nfeeds = ["https://a.example/f"]\n')
    append_source(path, {"id": "b", "name": 'Say "hi"\\', "sitemaps": ["https://b.example/s"]})
    assert path.read_text().startswith("# mine\n")
    assert [s.name for s in load_sources(path)] == ["a", 'Say "hi"\\']
    odd = tmp_path / "odd.toml"
    odd.write_text('[[source]]\nid = "a"\nfeeds = ["https://a.example/f"]\n')
    with pytest.raises(SourcesError):
        append_source(odd, {"id": "b", "feeds": ["https://b.example/f"]})


def test_read_opml() -> None:
    imported = read_opml(OPML.encode())
    assert [s["id"] for s in imported.sources] == ["ars-technica", "ars-technica-2", "uber-news"]
    ars = imported.sources[0]
    assert ars["home"] == "https://arstechnica.com" and ars["name"] == "Ars Technica"
    assert imported.sources[1]["feeds"] == ["https://feeds.arstechnica.com/arstechnica/gadgets"]
    assert imported.skipped and "file:///etc/passwd" in imported.skipped[0]
    sources = parse_sources(dump_sources(imported.sources))
    assert [s.name for s in sources] == ["Ars Technica", "Ars Technica", "Über News"]
    with pytest.raises(SourcesError, match="not an OPML"):
        read_opml(b"<rss><channel/></rss>")


def test_read_opml_skips_feeds_with_credentials_without_showing_them() -> None:
    opml = (
        '<opml version="2.0"><body><outline text="Paywall" '
        'xmlUrl="https://reader:s3cret@paywall.example/rss" htmlUrl="https://r:s3cret@p.example/"/>'
        '<outline text="Open" xmlUrl="https://open.example/rss" '
        'htmlUrl="https://r:s3cret@open.example/"/></body></opml>'
    )
    imported = read_opml(opml.encode())
    assert imported.sources == [{"id": "open", "name": "Open", "feeds": ["https://open.example/rss"]}]
    assert len(imported.skipped) == 1 and imported.skipped[0].startswith("Paywall: feed has a user")
    assert "s3cret" not in repr(imported)


def test_import_opml_cli(tmp_path: Path, capsys) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text(OPML, encoding="utf-8")
    out = tmp_path / "sources.toml"
    assert main(["sources", "import-opml", str(opml), "--out", str(out)]) == 0
    assert len(load_sources(out)) == 3
    assert "skipped Local file" in capsys.readouterr().err
    assert main(["sources", "import-opml", str(opml), "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["sources", "import-opml", str(opml)]) == 0
    assert tomllib.loads(capsys.readouterr().out)["sources"][2]["name"] == "Über News"


def test_import_opml_without_a_usable_feed_says_so_of_the_opml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = tmp_path / "feeds.opml"
    outlines = '<outline text="a" xmlUrl="javascript:alert(1)"/><outline text="b" xmlUrl="x"/>'
    opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>', encoding="utf-8")
    out = tmp_path / "sources.toml"
    assert main(["sources", "import-opml", str(opml), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [  # was "...: no [[sources]] tables", of a file it never wrote
        f"tidings sources: error: nothing to import: {opml} has no feed with an http(s) URL"
        " (2 skipped)"
    ]
    assert not out.exists()


def test_crawl_opml(server: SiteServer, tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        f'<opml version="1.0"><body><outline title="Link Times" xmlUrl="{server.base_url}/'
        f'feed.rss" htmlUrl="{server.base_url}/"/></body></opml>',
        encoding="utf-8",
    )
    run_crawl(tmp_path / "home", "--opml", str(opml))
    with Store(tmp_path / "home" / "tidings.db") as store:
        assert store.count() == 6
        assert {e["source_id"] for e in store.errors()} <= {"link-times"}


def test_shipped_tech_sources_load() -> None:
    sources = load_sources(REPO / "sources" / "tech.toml")  # validated, never fetched
    by_id = {s.id: s for s in sources}
    assert len(sources) >= 10
    for sid in ("ars-technica", "the-verge", "techcrunch", "wired", "the-register",
                "hacker-news", "mit-technology-review", "bbc-technology"):  # fmt: skip
        assert by_id[sid].feeds, sid
    assert sum(1 for s in sources if s.sitemaps) >= 3
    assert all(u.startswith("https://") for s in sources for u in (*s.feeds, *s.sitemaps))
    assert by_id["hacker-news"].allows("https://any.example/story")
    assert not by_id["bbc-technology"].allows("https://any.example/story")
