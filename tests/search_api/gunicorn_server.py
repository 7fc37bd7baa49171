"""The production server for tests: gunicorn with search_api/gunicorn_conf.py on a loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support import free_port, wait_for_http

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def gunicorn(home: Path, run_dir: Path, **env: str) -> Iterator[str]:
    """Run gunicorn over ``home`` with the production config, two workers and otherwise its
    defaults (``env`` may override settings); yields its base URL once ``/readyz`` answers."""
    port = free_port()
    settings = {
        "TIDINGS_HOME": str(home),
        "TIDINGS_BIND": f"127.0.0.1:{port}",
        "TIDINGS_WORKERS": "2",
        "TIDINGS_RATELIMIT_ENABLED": "0",
        "PROMETHEUS_MULTIPROC_DIR": str(run_dir / "prom"),
        "TIDINGS_ACCESS_LOG": str(run_dir / "access.log"),
        **env,
    }
    with open(run_dir / "gunicorn.log", "wb") as log:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:search_api.gunicorn_conf",
             "search_api:create_app()"],
            cwd=REPO, env={**os.environ, **settings}, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/readyz", 30, alive=lambda: proc.poll() is None)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
