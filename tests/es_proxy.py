"""Loopback HTTP servers in front of (or instead of) the session's real Elasticsearch node.

The integ-test build of Elasticsearch has no security and never fails on demand, so tests put
:class:`AuthProxy` in front of it: it asks for HTTP basic auth the way a secured cluster does
(401, ``security_exception``), forwards everything else to the real node, and answers the
requests a test names with a cluster fault instead (a 500 from a failing node, a 429 from a
full queue, a gateway's 502 page), the answers a real cluster gives when it is in trouble.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

USER, PASSWORD, WRONG = "tidings", "harbour-7", "not-the-password"

Answer = tuple[int, list[tuple[str, str]], bytes]


class LoopbackServer:
    """A ThreadingHTTPServer on 127.0.0.1 answering every method with ``handle``."""

    def __init__(self, handle: Any) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                status, headers, body = handle(self, self.rfile.read(length) if length else None)
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = answer  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def es_error(status: int, kind: str, reason: str) -> Answer:
    """An error answer as Elasticsearch writes it (JSON body, product header)."""
    error = {"type": kind, "reason": reason}
    payload = {"error": {"root_cause": [error], **error}, "status": status}
    headers = [("Content-Type", "application/json"), ("X-Elastic-Product", "Elasticsearch")]
    return status, headers, json.dumps(payload).encode()


#: What each status looks like from a real deployment: the cluster's faults, and a 400 (the
#: request's fault) to test the boundary with.
FAULTS: dict[int, Answer] = {
    400: es_error(400, "query_shard_exception", "failed to create query: too many clauses"),
    500: es_error(500, "node_not_connected_exception", "[node-1] node not connected"),
    429: es_error(429, "es_rejected_execution_exception", "rejected execution: queue full"),
    503: es_error(503, "no_shard_available_action_exception", "no shard available"),
    502: (502, [("Content-Type", "text/html")], b"<html><body>502 Bad Gateway</body></html>"),
}


class AuthProxy(LoopbackServer):
    """Basic auth in front of a real node: wrong credentials get Elasticsearch's 401; the
    requests :meth:`failing` names get a cluster fault; the rest reach the node."""

    SKIP = {"authorization", "host", "connection", "content-length"}

    def __init__(self, upstream: str) -> None:
        target = urlsplit(upstream)
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        self.refused = self.forwarded = self.faulted = 0
        self._faults: dict[str, int] = {}  # path fragment -> status

        def handle(request: BaseHTTPRequestHandler, body: bytes | None) -> Answer:
            if request.headers.get("Authorization") != expected:
                self.refused += 1
                reason = f"unable to authenticate user [{USER}] for REST request [{request.path}]"
                status, headers, payload = es_error(401, "security_exception", reason)
                return status, [("WWW-Authenticate", 'Basic realm="security"'), *headers], payload
            for fragment, status in list(self._faults.items()):
                if fragment in request.path:
                    self.faulted += 1
                    return FAULTS[status]
            self.forwarded += 1
            upstream_conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            headers = {k: v for k, v in request.headers.items() if k.lower() not in self.SKIP}
            try:
                upstream_conn.request(request.command, request.path, body=body, headers=headers)
                response = upstream_conn.getresponse()
                data = response.read()
                kept = [(k, v) for k, v in response.getheaders()
                        if k.lower() not in self.SKIP | {"transfer-encoding"}]  # fmt: skip
                return response.status, kept, data
            finally:
                upstream_conn.close()

        super().__init__(handle)

    def with_password(self, password: str = PASSWORD) -> str:
        """The proxy's URL with credentials in it, as ``TIDINGS_ES_URL`` carries them."""
        return self.url.replace("http://", f"http://{USER}:{password}@")

    @contextlib.contextmanager
    def failing(self, fragment: str, status: int) -> Iterator[None]:
        """Answer every request whose path contains ``fragment`` with ``status`` meanwhile."""
        self._faults[fragment] = status
        try:
            yield
        finally:
            del self._faults[fragment]


def not_elasticsearch(status: int) -> LoopbackServer:
    """A web server that answers every request with ``status`` and an HTML page."""
    page = b"<html><body>Welcome to nginx!</body></html>"
    return LoopbackServer(lambda request, body: (status, [("Content-Type", "text/html")], page))
