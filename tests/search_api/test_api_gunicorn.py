"""The production setup: gunicorn with search_api/gunicorn_conf.py, two workers, shared metrics."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

from gunicorn_server import gunicorn

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
