"""`make demo` passes options to `tidings demo` (README, "Set-up": another port when 8000 is
taken), checked with `make -n`, which prints the recipe without running it."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_make_demo_passes_demo_args_to_tidings_demo() -> None:
    args = 'DEMO_ARGS=--port 8080 --site-port 8081'
    out = subprocess.run(
        ["make", "-n", "-C", str(REPO), "demo", args], capture_output=True, text=True, check=True
    ).stdout
    assert ".venv/bin/tidings demo --port 8080 --site-port 8081" in out.splitlines()
    assert 'make demo DEMO_ARGS="--port 8080 --site-port 8081"' in (REPO / "README.md").read_text()
