"""`tidings demo` stops on `kill PID` (SIGTERM), and on SIGINT when started in the background,
once its crawl is over and it serves: a real process, and both its ports free afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from support import free_port, wait_for_http


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _ignore_sigint() -> None:
    """What a shell does to a command started with ``&`` (no job control): SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(
    ("signum", "background"),
    [(signal.SIGTERM, False), (signal.SIGINT, True)],
    ids=["sigterm", "sigint-in-background"],
)
def test_demo_stops_on_a_signal_and_frees_both_ports(
    tmp_path: Path, signum: signal.Signals, background: bool
) -> None:
    port, site_port = free_port(), free_port()
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "tidings", "demo", "--home", str(tmp_path / "home"),
             "--port", str(port), "--site-port", str(site_port)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            preexec_fn=_ignore_sigint if background else None,
        )  # fmt: skip
    try:
        wait_for_http(
            f"http://127.0.0.1:{port}/healthz", timeout=300, alive=lambda: demo.poll() is None
        )
        demo.send_signal(signum)
        code = demo.wait(timeout=30)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert "Traceback" not in text
    assert _port_is_free(port) and _port_is_free(site_port)
