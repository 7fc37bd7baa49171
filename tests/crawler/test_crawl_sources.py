"""The sources file: valid files load, mistakes are reported with file and source id."""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings.core.sources import SourcesError, adhoc_sources, load_sources

GOOD = """
[[sources]]
id = "courier"
name = "The Courier"
home = "https://courier.example/"
feeds = ["https://courier.example/feed.rss"]
sitemaps = ["https://static.courier.example/sitemap.xml"]
follow_links = true
depth = 2
interval = "30m"
language = "en"
topics = ["local"]

[[sources]]
id = "wire"
feeds = ["http://127.0.0.1:8123/feed.atom"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_good_file(tmp_path: Path) -> None:
    courier, wire = load_sources(write(tmp_path, GOOD))
    assert courier.name == "The Courier" and courier.interval == 1800
    assert courier.follow_depth == 2 and courier.topics == ("local",)
    assert courier.allowed_domains == ("courier.example", "static.courier.example")
    assert courier.allows("https://www.courier.example/x") and not courier.allows(
        "http://evil.example/"
    )
    assert courier.record_source() == {
        "id": "courier",
        "name": "The Courier",
        "domain": "courier.example",
    }
    assert wire.name == "wire" and wire.allowed_domains == ("127.0.0.1",)
    assert wire.allows("http://127.0.0.1:9999/other-port") and wire.interval == 3600


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[sources]]\nid = "Bad Id"\nfeeds = ["http://a.b/f"]', "'id' must match"),
        ('[[sources]]\nid = "a"\nfeeds = ["ftp://a.b/f"]', "id 'a'.*feeds\\[0\\] is not an http"),
        ('[[sources]]\nid = "a"\nfeed = ["http://a.b/f"]', "id 'a'.*unknown key.*feed"),
        ('[[sources]]\nid = "a"', "at least one of"),
        ('[[sources]]\nid = "a"\nfeeds = ["http://a.b/f"]\ninterval = "soon"', "'interval'"),
        (
            '[[sources]]\nid = "a"\nfeeds = ["http://a.b/f"]\nallowed_domains = ["http://a.b"]',
            "hostnames",
        ),
        (
            '[[sources]]\nid = "a"\nfeeds = ["http://a.b/f"]\n[[sources]]\nid = "a"\n'
            'feeds = ["http://a.b/g"]',
            "duplicate source id 'a'",
        ),
        ("title = 'no sources'", "no \\[\\[sources\\]\\]"),
        ("[[sources]\nid=", "not valid TOML"),
    ],
)
def test_errors_name_file_and_source(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SourcesError, match=message) as info:
        load_sources(path)
    assert str(path) in str(info.value)


def test_adhoc_sources_one_per_host_and_port() -> None:
    sources = adhoc_sources(
        ["http://127.0.0.1:8123/feed.rss", "https://www.news.example/rss"],
        ["http://127.0.0.1:8123/sitemap.xml", "http://127.0.0.1:9000/sitemap.xml"],
    )
    by_id = {s.id: s for s in sources}
    assert set(by_id) == {"127.0.0.1-8123", "news.example", "127.0.0.1-9000"}
    local = by_id["127.0.0.1-8123"]
    assert local.feeds == ("http://127.0.0.1:8123/feed.rss",)
    assert local.sitemaps == ("http://127.0.0.1:8123/sitemap.xml",)
    assert local.domain == "127.0.0.1"
    with pytest.raises(SourcesError, match="--feed"):
        adhoc_sources(["not a url"], [])
