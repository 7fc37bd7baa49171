"""``tidings serve`` as a real process over real HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from support import refused_with_problems

from tidings.core.config import Settings

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tidings(*args: str) -> list[str]:
    return [sys.executable, "-m", "tidings", *args]


def test_serve_answers_healthz_over_http(corpus: tuple[Settings, list[dict[str, Any]]]) -> None:
    settings, _ = corpus
    port = _free_port()
    proc = subprocess.Popen(
        _tidings("--home", str(settings.home), "serve", "--port", str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line, (line, proc.stderr and proc.stderr.read())
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    assert r.status == 200
                    body = json.loads(r.read())
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert body["status"] == "ok" and body["articles"] == 11
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_busy_port_is_a_one_line_usage_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            _tidings("--home", str(tmp_path), "serve", "--port", str(port)),
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"tidings serve: error: port {port} on 127.0.0.1 is already in use; "
        "choose another with --port"
    ]
    assert done.stdout == ""


def test_a_home_that_cannot_be_created_stops_serve_in_one_line() -> None:
    home = "/proc/1/tidings-home"  # nobody, root included, may make a directory there
    try:
        done = subprocess.run(
            _tidings("--home", home, "serve", "--port", "0"),
            capture_output=True, text=True, cwd=REPO, timeout=60,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:  # it served (503s and tracebacks) instead
        raise AssertionError(f"tidings serve started with home {home}") from exc
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.splitlines() == [
        f"tidings serve: error: the home {home} (--home or TIDINGS_HOME) cannot be created: "
        "No such file or directory"
    ]
    assert done.stdout == ""


def test_serve_app_calls_on_ready_with_the_url() -> None:
    from flask import Flask

    from tidings.cli.serve_commands import serve_app

    seen: list[str] = []

    def ready(url: str) -> None:
        seen.append(url)
        raise KeyboardInterrupt  # stands for Ctrl-C: serve_app returns cleanly

    serve_app(Flask(__name__), "127.0.0.1", 0, on_ready=ready)
    assert seen and seen[0].startswith("http://127.0.0.1:")


def test_requests_the_server_refuses_itself_get_problem_documents(
    corpus: tuple[Settings, list[dict[str, Any]]],
) -> None:
    """`tidings serve` (Werkzeug's server): a request line past its 65,536 bytes or more than
    100 headers are refused before the app, with a problem document (was an HTML page)."""
    settings, _ = corpus
    port = _free_port()
    proc = subprocess.Popen(
        _tidings("--home", str(settings.home), "serve", "--port", str(port)),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and f":{port}/" in proc.stdout.readline()
        many = {f"X-Header-{n}": "1" for n in range(120)}
        refused_with_problems(port, [
            ("/api/v1/search?q=" + "storm%20" * 9000, {}, 414),
            ("/api/v1/search?q=storm", many, 431),
        ])  # fmt: skip
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/search?q=storm") as resp:
            assert resp.status == 200  # it serves on
    finally:
        proc.terminate()
        proc.wait(timeout=10)
