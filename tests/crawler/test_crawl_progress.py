"""The live progress line: on a terminal by default, forced with ``--progress``, else off."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_run import REPO, crawl_command, run_crawl, tidings_env
from crawl_site import SiteServer

from crawler.run.progress import progress_line

LINE = re.compile(r"\d+\.\ds  pages (\d+)  articles (\d+)  errors (\d+)  [\d.]+ articles/s")


@pytest.fixture(scope="module")
def server() -> Iterator[SiteServer]:
    srv = SiteServer(delay=0.15)  # slow enough for a few ticks
    yield srv
    srv.stop()


def feed_args(server: SiteServer) -> tuple[str, ...]:
    return ("--feed", f"{server.base_url}/feed.rss", "--set", "TIDINGS_PROGRESS_INTERVAL=0.2")


def test_progress_line_format() -> None:
    stats = {
        "downloader/response_count": 12,
        "tidings/articles_extracted": 8,
        "tidings/errors/http": 1,
        "tidings/errors/parse": 2,
    }
    line = progress_line(stats, 4.0, 3.0)
    assert line == "   4.0s  pages 12  articles 8  errors 3  2.0 articles/s (now 3.0/s)"


def test_forced_progress_writes_lines(server: SiteServer, tmp_path: Path) -> None:
    result = run_crawl(tmp_path, *feed_args(server), "--progress")
    lines = [m for m in map(LINE.search, result.stderr.splitlines()) if m]
    assert len(lines) >= 2, result.stderr  # ticks, then the last line
    assert result.stderr.rstrip().endswith("done")
    pages, articles, errors = map(int, lines[-1].groups())
    assert (articles, errors) == (3, 1) and pages >= 5  # robots, feed, 4 pages
    assert "\r" not in result.stderr  # not a terminal: plain lines


def test_no_progress_when_stderr_is_not_a_terminal(server: SiteServer, tmp_path: Path) -> None:
    result = run_crawl(tmp_path, *feed_args(server))
    assert not LINE.search(result.stderr)


def test_progress_on_a_terminal_redraws_one_line(server: SiteServer, tmp_path: Path) -> None:
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        proc = subprocess.run(
            crawl_command(tmp_path, *feed_args(server)), cwd=REPO, env=tidings_env(tmp_path),
            stdout=subprocess.PIPE, stderr=slave, text=True, timeout=60,
        )  # fmt: skip
    finally:
        os.close(slave)
    reader.join(timeout=5)
    os.close(master)
    assert proc.returncode == 0
    output = b"".join(chunks).decode("utf-8", "replace")
    assert "\r" in output and "\x1b[K" in output and LINE.search(output), output
    assert "done" in output
