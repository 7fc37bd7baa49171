"""The production setup: gunicorn with search_api/gunicorn_conf.py, two workers, shared metrics."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from gunicorn_server import REPO, gunicorn
from support import refused_with_problems

from tidings.core.config import Settings

REQUESTS = 40


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_gunicorn_serves_and_aggregates_metrics(
    corpus: tuple[Settings, Any], tmp_path: Path
) -> None:
    settings, _ = corpus
    with gunicorn(settings.home, tmp_path) as base:
        status, body = _get(f"{base}/readyz")
        assert status == 200 and json.loads(body)["checks"]["index"]["articles"] == 11
        for _ in range(REQUESTS):
            assert _get(f"{base}/api/v1/search?q=climate")[0] == 200
        status, text = _get(f"{base}/metrics")
        sample = 'tidings_http_requests_total{endpoint="/api/v1/search",method="GET",status="200"}'
        match = re.search(rf"^{re.escape(sample)} ([0-9.]+)$", text.decode(), re.MULTILINE)
        assert match and float(match.group(1)) == REQUESTS  # all workers' counts together
        assert any((tmp_path / "prom").glob("counter_*.db"))
        assert "/api/v1/search?q=climate" in (tmp_path / "access.log").read_text()


def test_requests_gunicorn_refuses_itself_get_problem_documents(
    corpus: tuple[Settings, Any], tmp_path: Path
) -> None:
    """A query longer than gunicorn's request line limit, or too many headers: gunicorn answers
    before the app, with a problem document like the app's (it was gunicorn's HTML page)."""
    settings, _ = corpus
    long_query = "/api/v1/search?q=" + "storm%20" * 1200  # 9,617 bytes > limit_request_line
    many = {f"X-Header-{n}": "1" for n in range(120)}  # > limit_request_fields
    with gunicorn(settings.home, tmp_path) as base:
        refused_with_problems(int(base.rsplit(":", 1)[1]), [
            (long_query, {}, 414), ("/v2/everything?q=" + "a" * 9000, {}, 414),
            ("/api/v1/search?q=storm", many, 431),
        ])  # fmt: skip
        assert _get(f"{base}/api/v1/search?q=storm")[0] == 200  # the workers serve on


def _gunicorn_refuses_home(home: Path | str) -> str:
    """Start gunicorn with ``TIDINGS_HOME=home``; assert it stops without a traceback and
    return its stderr."""
    env = {**os.environ, "TIDINGS_HOME": str(home), "TIDINGS_BIND": "127.0.0.1:0"}
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "python:search_api.gunicorn_conf",
         "search_api:create_app()"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    return done.stderr


def test_a_home_that_is_a_file_stops_gunicorn_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("not a directory\n")
    stderr = _gunicorn_refuses_home(home)
    assert f"the home {home} (--home or TIDINGS_HOME) is not a directory" in stderr
    assert home.read_text() == "not a directory\n"


def test_a_home_that_cannot_be_created_stops_gunicorn_in_one_line() -> None:
    home = "/proc/1/tidings-home"  # nobody, root included, may make a directory there
    stderr = _gunicorn_refuses_home(home)
    assert f"the home {home} (--home or TIDINGS_HOME) cannot be created" in stderr
