"""Shared test helpers (importable as `support`): free loopback ports, waiting for servers,
requests sent as written."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float, alive=lambda: True) -> None:
    """Poll ``url`` until it answers 200, ``alive()`` turns false, or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"server process exited before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")



def refused_with_problems(port: int, cases: list[tuple[str, dict[str, str], int]]) -> None:
    """GET each ``(target, headers, status)`` on 127.0.0.1:``port`` exactly as written
    (http.client checks no lengths) and assert the answer is that status as a problem document."""
    for target, headers, status in cases:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.putrequest("GET", target, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders()
            resp = conn.getresponse()
            kind, body = resp.getheader("Content-Type"), resp.read()
        finally:
            conn.close()
        assert (resp.status, kind) == (status, "application/problem+json"), body[:200]
        problem = json.loads(body)
        assert problem["status"] == status and problem["title"] and problem["detail"]

def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


class LoopbackSite:
    """A test web server on 127.0.0.1 (a free port) in a daemon thread, quiet.

    Subclasses answer GET requests in :meth:`get`; :meth:`reply` writes a whole response.
    """

    def __init__(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                site.get(self, self.path.split("?", 1)[0])

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def get(self, request: BaseHTTPRequestHandler, path: str) -> None:
        raise NotImplementedError

    @staticmethod
    def reply(
        request: BaseHTTPRequestHandler,
        status: int,
        ctype: str,
        body: bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        request.send_response(status)
        request.send_header("Content-Type", ctype)
        request.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def pending_ids(store: Any) -> list[str]:
    """Ids of articles stored (or deleted) but not yet written to the index, oldest first."""
    return [p.article_id for p in store.pending_writes()]
