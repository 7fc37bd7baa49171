"""Crawl a hostile loopback site: the crawl finishes, good articles are stored, each failure
is recorded against its source with the right kind, nothing corrupt is stored."""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_run import run_crawl
from hostile_site import HostileServer

from tidings.cli.main import main

RETRY_AFTER_MAX = 1.5
GOOD = {"/good/1.html", "/good/2.html", "/good/3.html", "/retry/503.html", "/retry/429.html",
        "/charset/none.html", "/charset/wrong.html"}  # fmt: skip


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HostileServer, Path, str]]:
    server = HostileServer()
    base = server.base_url
    home = tmp_path_factory.mktemp("hostile")
    feeds = {
        "good": "/good.rss", "latin1": "/latin1.rss", "wrongcharset": "/wrongcharset.rss",
        "huge": "/huge.rss", "loop": "/loop.rss", "flaky": "/flaky.rss", "slow": "/slow.rss",
        "binary": "/binary.rss",
    }  # fmt: skip
    toml = "".join(
        f'[[sources]]\nid = "{sid}"\nfeeds = ["{base}{path}"]\n\n' for sid, path in feeds.items()
    )
    toml += (
        f'[[sources]]\nid = "broken-xml"\nfeeds = ["{base}/broken.rss"]\n'
        f'sitemaps = ["{base}/bad-sitemap.xml"]\n\n'
        f'[[sources]]\nid = "refused"\nfeeds = ["http://127.0.0.1:{closed_port()}/feed.rss"]\n'
    )
    sources = home / "sources.toml"
    sources.write_text(toml, encoding="utf-8")
    result = run_crawl(
        home, "--sources", str(sources), "--batch-size", "3",
        "--set", "DOWNLOAD_TIMEOUT=1", "--set", "RETRY_TIMES=1",
        "--set", "DOWNLOAD_MAXSIZE=65536", "--set", "DOWNLOAD_WARNSIZE=0",
        "--set", f"TIDINGS_RETRY_AFTER_MAX={RETRY_AFTER_MAX}",
    )  # fmt: skip
    yield server, home, result.stdout
    server.stop()


def health(home: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:
    assert main(["sources", "health", "--json", "--home", str(home)]) == 0
    return {h["source_id"]: h for h in json.loads(capsys.readouterr().out)}


def test_good_articles_stored_and_nothing_corrupt(crawled: tuple) -> None:
    server, home, _ = crawled
    with sqlite3.connect(home / "tidings.db") as conn:
        rows = conn.execute("SELECT canonical_url, CAST(record AS BLOB) FROM articles").fetchall()
    assert {url.removeprefix(server.base_url) for url, _ in rows} == GOOD
    for url, raw in rows:
        record = json.loads(raw.decode("utf-8"))  # strict: valid UTF-8 or it raises
        assert record["title"].strip() and len(record["body"].split()) > 40, url
        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in record["body"]), url
    cafe = next(json.loads(raw) for url, raw in rows if url.endswith("/charset/none.html"))
    assert "Café" in cafe["title"]


def test_each_failure_recorded_against_its_source(
    crawled: tuple, capsys: pytest.CaptureFixture[str]
) -> None:
    _, home, stdout = crawled
    by_source = health(home, capsys)
    expected = {
        "broken-xml": {"parse": 2},  # the feed and the sitemap
        "huge": {"too-large": 1},
        "loop": {"redirect": 2},  # a loop and a chain past REDIRECT_MAX_TIMES
        "flaky": {"http": 1},
        "slow": {"timeout": 1},
        "binary": {"binary": 1},
        "refused": {"connection": 1},
        "good": {"robots": 1},
        "latin1": {},
        "wrongcharset": {},
    }
    assert {sid: h["error_counts"] for sid, h in by_source.items()} == expected
    assert by_source["slow"]["last_error"]["kind"] == "timeout"
    good = by_source["good"]["last_run"]
    assert good["inserted"] == 5 and good["pages_fetched"] == 5
    assert good["finish_reason"] == "finished" and by_source["good"]["last_success"]
    assert by_source["refused"]["last_success"] is None
    assert "7 new" in stdout


def test_retry_after_is_honoured_and_capped(crawled: tuple) -> None:
    server, _, _ = crawled
    for path, wait in (("/retry/503.html", 1.0), ("/retry/429.html", RETRY_AFTER_MAX)):
        first, second = server.times[path]
        assert wait - 0.1 <= second - first < wait + 2.0, path


def test_health_table_and_sources_commands(
    crawled: tuple, capsys: pytest.CaptureFixture[str]
) -> None:
    _, home, _ = crawled
    assert main(["sources", "health", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:2] == ["SOURCE", "LAST"]
    assert "timeout 1" in out and "refused" in out
    sources = str(home / "sources.toml")
    assert main(["sources", "list", "--sources", sources]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["ID", "NAME", "FEEDS", "SITEMAPS", "INTERVAL", "LANG", "DOMAINS"]
    assert len(listing) == 11 and listing[1].split()[:5] == ["good", "good", "1", "0", "1h"]
    assert main(["sources", "check", "--sources", sources]) == 0
    assert "ok: 10 source(s)" in capsys.readouterr().out
