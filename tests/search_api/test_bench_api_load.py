"""The open-loop load generator of ``bench/api_load.py`` against a loopback server of known speed.

The server answers one request at a time after a fixed delay (and can stall once for a second),
so the right figures are known: the rate sent is the rate asked for, no latency is below the
delay, and a stall shows in the tail for every request scheduled during it, even when the
client's own threads are all stuck in it (latency counts from the scheduled send time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.api_load import arrival_offsets, open_loop

DELAY_S = 0.005
STALL_S = 1.0
MIX = {"a": ["/a1", "/a2"], "b": ["/b"]}


class SlowServer(ThreadingHTTPServer):
    """Answers 200 after ``DELAY_S``, one request at a time; stalls once at request number
    ``stall_at`` (counting from 1) if set."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.stall_at: int | None = None
        self.paths: list[str] = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn
    wbufsize = 1 << 16  # head and body in one write: else Nagle and delayed ACKs add ~40 ms

    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, SlowServer)
        with server.lock:
            if self.path != "/healthz":  # each client connection's warm-up
                server.paths.append(self.path)
            time.sleep(DELAY_S)
            if len(server.paths) == server.stall_at:
                time.sleep(STALL_S)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[SlowServer]:
    srv = SlowServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_arrivals_are_seeded_and_at_the_rate() -> None:
    poisson = arrival_offsets(200, 50, seed=3)
    assert poisson == arrival_offsets(200, 50, seed=3)
    assert poisson != arrival_offsets(200, 50, seed=4)
    assert 9_500 < len(poisson) < 10_500  # 10,000 expected, sd 100
    gaps = [b - a for a, b in zip(poisson, poisson[1:], strict=False)]
    assert sum(g < 0.005 for g in gaps) / len(gaps) == pytest.approx(0.632, abs=0.03)  # 1 - 1/e
    assert arrival_offsets(4, 2, seed=3, poisson=False) == [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75]


def test_sends_at_the_rate_asked_and_times_every_answer(server: SlowServer) -> None:
    r = open_loop(server.server_address[1], MIX, 80, 2.0, procs=2, threads=8, seed=1)
    assert r["answered"] == r["scheduled"] == len(server.paths)
    assert 120 < r["scheduled"] < 200  # 160 expected
    assert r["achieved_rps"] == pytest.approx(80, rel=0.25)
    assert r["errors"] == r["dropped"] == 0
    assert set(server.paths) == {"/a1", "/a2", "/b"}
    assert r["p50_ms"] >= DELAY_S * 1000
    assert r["kinds"]["a"]["p50_ms"] >= DELAY_S * 1000
    assert r["client_cpu_s"] > 0


def test_a_stall_shows_in_the_tail_even_when_the_client_is_stuck(server: SlowServer) -> None:
    """Two threads only: both are stuck in the stall, the arrivals meanwhile go out late, and
    their waiting counts. Timed from the actual send, only ~2 of 200 answers would be slow."""
    server.stall_at = 50
    r = open_loop(server.server_address[1], MIX, 50, 4.0, procs=1, threads=2, poisson=False)
    assert r["answered"] == r["scheduled"] == 200
    assert r["late"] >= 40
    assert r["max_ms"] >= STALL_S * 1000
    assert r["p99_ms"] >= 0.9 * STALL_S * 1000
    assert r["p99_sent_ms"] < 0.5 * STALL_S * 1000  # what timing from the send would report
    assert r["p50_ms"] < 0.5 * STALL_S * 1000
