"""Small parts of polite, incremental crawling: Retry-After, change hints, intervals, binary
bodies, charsets, ``--set`` and ``tidings sources check``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.extract.document import decode_html
from crawler.fetch.content import looks_binary
from crawler.fetch.incremental import changed_since_fetch, hint_date
from crawler.fetch.retry_after import retry_after_seconds
from crawler.run.schedule import due_sources
from tidings.cli.crawl_commands import parse_overrides
from tidings.cli.errors import UsageError
from tidings.cli.main import main
from tidings.core.sources import Source


def test_retry_after_values() -> None:
    assert retry_after_seconds("120") == 120.0
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC).timestamp()
    assert retry_after_seconds("Thu, 26 Nov 2026 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Thu, 26 Nov 2026 11:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_changed_since_fetch() -> None:
    state = {"fetched_at": "2026-11-20T00:00:00+00:00", "seen_modified": None}
    assert hint_date({"feed_published": "2026-11-01", "sitemap_lastmod": "2026-11-21"}) == (
        "2026-11-21T00:00:00+00:00"
    )
    assert not changed_since_fetch({}, state)
    assert not changed_since_fetch({"feed_published": "2026-11-19T23:00:00+00:00"}, state)
    assert changed_since_fetch({"sitemap_lastmod": "2026-11-21T00:00:00+00:00"}, state)
    ahead = {**state, "seen_modified": "2026-12-01T00:00:00+00:00"}  # publisher's clock ahead
    assert not changed_since_fetch({"sitemap_lastmod": "2026-12-01T00:00:00+00:00"}, ahead)
    assert changed_since_fetch({"feed_updated": "2026-12-02T00:00:00Z"}, ahead)


def test_due_sources() -> None:
    hourly, daily = Source("h", "h", interval=3600), Source("d", "d", interval=86400)
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    last = {"h": "2026-11-26T10:30:00+00:00", "d": "2026-11-26T10:30:00+00:00"}
    assert due_sources([hourly, daily], last, now) == ([hourly], [daily])
    assert due_sources([hourly, daily], last, now, force=True) == ([hourly, daily], [])
    assert due_sources([daily], {}, now) == ([daily], [])


def test_binary_and_charsets() -> None:
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00") and not looks_binary(b"<html>caf\xe9")
    assert not looks_binary("<p>ça va</p>".encode("utf-16"))
    assert decode_html(b"<p>caf\xe9</p>", "text/html") == "<p>café</p>"  # undeclared: cp1252
    assert decode_html("<p>café</p>".encode(), "text/html") == "<p>café</p>"  # valid UTF-8
    declared = b'<meta charset="koi8-r"><p>\xc3</p>'
    assert decode_html(declared, "text/html") == declared.decode("koi8-r")  # a declaration wins
    assert decode_html(b"<p>caf\xe9</p>", "text/html; charset=utf-8") == "<p>caf\ufffd</p>"


def test_parse_overrides() -> None:
    assert parse_overrides(["DOWNLOAD_TIMEOUT=5", "USER_AGENT=Bot/1", "X=[1, 2]"]) == {
        "DOWNLOAD_TIMEOUT": 5, "USER_AGENT": "Bot/1", "X": [1, 2],
    }  # fmt: skip
    with pytest.raises(UsageError):
        parse_overrides(["timeout=5"])


def test_sources_check_reports_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[sources]]\nid = "x"\nfeeds = ["nope"]\n', encoding="utf-8")
    assert main(["sources", "check", "--sources", str(bad)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "feeds[0]" in err
    assert main(["sources", "list", "--sources", str(tmp_path / "missing.toml")]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["sources", "health", "--home", str(tmp_path / "empty")]) == 0
    assert "no crawl recorded yet" in capsys.readouterr().out
