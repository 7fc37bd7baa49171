"""``tidings extract`` and ``tidings crawl`` argument handling (in process: no reactor runs)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from tidings.cli.main import main

PAGE = (
    "<html lang='en'><head><title>Ferry strike ends</title>"
    "<meta property='article:published_time' content='2026-11-20T06:00:00Z'></head><body>"
    "<article><h1>Ferry strike ends</h1><p>"
    + "Ferry crews returned to work on Friday after a week-long strike over pay and rotas. " * 6
    + "</p></article></body></html>"
)


def test_extract_prints_the_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    assert main(["extract", str(path), "--url", "https://port.example/ferry"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["title"] == "Ferry strike ends" and record["date_source"] == "meta"
    assert record["canonical_url"] == "https://port.example/ferry"


def test_extract_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PAGE.encode())))
    assert main(["extract", "-", "--url", "https://port.example/ferry"]) == 0
    assert json.loads(capsys.readouterr().out)["word_count"] > 40


def test_extract_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(tmp_path / "missing.html")]) == 2
    assert "not found" in capsys.readouterr().err
    path = tmp_path / "stub.html"
    path.write_text("<html><title>Menu</title><p>Home</p></html>")
    assert main(["extract", str(path)]) == 2
    assert "not an article: body has" in capsys.readouterr().err


def test_crawl_needs_a_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawl", "--home", str(tmp_path)]) == 2
    assert "--sources FILE" in capsys.readouterr().err
    assert main(["crawl", "--sources", str(tmp_path / "nope.toml")]) == 2
    assert "sources file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text('[[sources]]\nid = "x"\nfeeds = ["nope"]\n')
    assert main(["crawl", "--sources", str(bad), "--no-classify"]) == 2
    assert "feeds[0]" in capsys.readouterr().err
