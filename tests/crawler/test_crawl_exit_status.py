"""``tidings crawl``'s exit status: 1 with one line when every source failed (cron and systemd
timers alert on it), 0 when at least one source answered."""

from __future__ import annotations

import subprocess
from pathlib import Path

from crawl_run import REPO, crawl_command, tidings_env
from crawl_site import SiteServer
from support import free_port


def crawl(home: Path, *feeds: str) -> subprocess.CompletedProcess[str]:
    args = [arg for url in feeds for arg in ("--feed", url)]
    return subprocess.run(
        crawl_command(home, *args, "--set", "RETRY_TIMES=0"), cwd=REPO,
        env=tidings_env(home), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_every_source_refused_exits_1_with_one_line(tmp_path: Path) -> None:
    refused = [f"http://127.0.0.1:{free_port()}/feed.rss" for _ in range(2)]
    done = crawl(tmp_path, *refused)
    assert done.returncode == 1, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("tidings crawl:")]
    assert lines == ["tidings crawl: all 2 source(s) failed (see the log above)"]
    assert "Traceback" not in done.stderr
    assert "connection" in done.stderr  # the per-source failures are still logged
    assert "crawled 2 source(s)" in done.stdout  # and the summary still printed


def test_one_good_source_is_enough_for_exit_0(tmp_path: Path) -> None:
    server = SiteServer()
    try:
        done = crawl(tmp_path, f"{server.base_url}/feed.rss", f"http://127.0.0.1:{free_port()}/x")
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    assert "failed (see the log above)" not in done.stderr
    assert "connection" in done.stderr  # the refused one is logged all the same
