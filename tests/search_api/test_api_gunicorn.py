"""The production setup: gunicorn with search_api/gunicorn_conf.py, two workers, shared metrics."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tidings.core.config import Settings

REPO = Path(__file__).resolve().parents[2]
REQUESTS = 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = _free_port()
    metrics_dir = tmp_path / "prom"
    env = {
        **os.environ,
        "TIDINGS_HOME": str(settings.home),
        "TIDINGS_BIND": f"127.0.0.1:{port}",
        "TIDINGS_WORKERS": "2",
        "TIDINGS_RATELIMIT_ENABLED": "0",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "TIDINGS_ACCESS_LOG": str(tmp_path / "access.log"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:search_api.gunicorn_conf",
         "search_api:create_app()"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(f"{base}/readyz")
                break
            except OSError:
                assert proc.poll() is None, proc.stderr and proc.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        assert status == 200 and json.loads(body)["checks"]["index"]["articles"] == 11
        for _ in range(REQUESTS):
            assert _get(f"{base}/api/v1/search?q=climate")[0] == 200
        status, text = _get(f"{base}/metrics")
        sample = 'tidings_http_requests_total{endpoint="/api/v1/search",method="GET",status="200"}'
        match = re.search(rf"^{re.escape(sample)} ([0-9.]+)$", text.decode(), re.MULTILINE)
        assert match and float(match.group(1)) == REQUESTS  # all workers' counts together
        assert any(metrics_dir.glob("counter_*.db"))
        assert "/api/v1/search?q=climate" in (tmp_path / "access.log").read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
