"""Run ``tidings`` in a subprocess (the Twisted reactor starts once per process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def tidings_env(home: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "TIDINGS_HOME": str(home)}


def crawl_command(home: Path, *args: str) -> list[str]:
    """argv of an untagged, quiet ``tidings crawl`` into ``home``."""
    return [sys.executable, "-m", "tidings", "crawl", *args, "--home", str(home),
            "--no-classify", "--log-level", "WARNING"]  # fmt: skip


def run_crawl(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``tidings crawl ARGS`` to the end; fails the test if it does not exit 0."""
    result = subprocess.run(
        crawl_command(home, *args), cwd=REPO, env=tidings_env(home),
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result
