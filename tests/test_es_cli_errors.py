"""A cluster the CLI cannot use is one line on stderr and exit 2, for every command that
touches the index: a wrong password, a closed port, a web server that is not Elasticsearch.

The integ-test build of Elasticsearch has no security, so a small reverse proxy on loopback
asks for HTTP basic auth the way a secured cluster does (401, ``security_exception``) and
forwards everything else to the session's real node: the 401s are genuine answers to wrong
credentials, and the right ones reach the real cluster through the same proxy.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
import sys
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from support import free_port

REPO = Path(__file__).resolve().parents[1]
USER, PASSWORD, WRONG = "tidings", "harbour-7", "not-the-password"
RECORD = {
    "id": "x1", "url": "https://a.example/x1", "title": "Harbour reopens",
    "body": "The harbour reopened today after repairs to the northern pier.",
    "source": {"id": "a", "name": "A", "domain": "a.example"},
}  # fmt: skip


class _Server:
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


class AuthProxy(_Server):
    """Basic auth in front of a real node: wrong credentials get Elasticsearch's 401."""

    SKIP = {"authorization", "host", "connection", "content-length"}

    def __init__(self, upstream: str) -> None:
        target = urlsplit(upstream)
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        self.refused = self.forwarded = 0

        def handle(request: BaseHTTPRequestHandler, body: bytes | None):
            if request.headers.get("Authorization") != expected:
                self.refused += 1
                reason = f"unable to authenticate user [{USER}] for REST request [{request.path}]"
                error = {"type": "security_exception", "reason": reason}
                payload = {"error": {"root_cause": [error], **error}, "status": 401}
                return 401, [
                    ("WWW-Authenticate", 'Basic realm="security", charset="UTF-8"'),
                    ("Content-Type", "application/json"),
                    ("X-Elastic-Product", "Elasticsearch"),
                ], json.dumps(payload).encode()
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


def not_elasticsearch(status: int) -> _Server:
    """A web server that answers every request with ``status`` and an HTML page."""
    page = b"<html><body>Welcome to nginx!</body></html>"
    return _Server(lambda request, body: (status, [("Content-Type", "text/html")], page))


@pytest.fixture(scope="module")
def proxy(es_url: str) -> Iterator[AuthProxy]:
    server = AuthProxy(es_url)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose store holds one article (imported with the embedded index), so reindex
    and prune have something to do."""
    path = tmp_path_factory.mktemp("cli-es-errors")
    (path / "one.jsonl").write_text(json.dumps(RECORD) + "\n")
    result = tidings(path, {"TIDINGS_INDEX": "embedded"}, "import", str(path / "one.jsonl"),
                     "--no-classify")  # fmt: skip
    assert result.returncode == 0, result.stderr
    return path


def tidings(home: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tidings", "--home", str(home), *argv], cwd=REPO,
        env={**os.environ, **env}, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


COMMANDS = {
    "import": lambda home: ["import", str(home / "one.jsonl"), "--no-classify"],
    "reindex": lambda home: ["reindex"],
    "prune": lambda home: ["prune", "--days", "30"],
    "reclassify": lambda home: ["reclassify"],
    "serve": lambda home: ["serve", "--port", str(free_port())],
    "crawl": lambda home: ["crawl", "--feed", "http://127.0.0.1:9/feed.rss", "--no-classify"],
}


def assert_one_line_error(
    result: subprocess.CompletedProcess[str], command: str, says: str
) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    assert lines[0].startswith(f"tidings {command}: error: "), lines[0]
    assert says in lines[0], lines[0]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_wrong_password_is_one_line_and_exit_2(
    command: str, home: Path, proxy: AuthProxy
) -> None:
    refused = proxy.refused
    url = proxy.url.replace("http://", f"http://{USER}:{WRONG}@")
    env = {"TIDINGS_INDEX": "elasticsearch", "TIDINGS_ES_URL": url,
           "TIDINGS_ES_INDEX": f"cli-errors-{uuid.uuid4().hex[:8]}"}  # fmt: skip
    result = tidings(home, env, *COMMANDS[command](home))
    assert_one_line_error(result, command, "refused the credentials (401)")
    assert "security_exception" in result.stderr or "unable to authenticate" in result.stderr
    assert WRONG not in result.stderr  # the URL's password is never printed
    assert proxy.refused > refused  # the proxy, not something else, said no


def test_right_password_through_the_proxy_reaches_the_real_node(
    home: Path, proxy: AuthProxy, es_url: str
) -> None:
    alias = f"cli-errors-{uuid.uuid4().hex[:8]}"
    url = proxy.url.replace("http://", f"http://{USER}:{PASSWORD}@")
    env = {"TIDINGS_INDEX": "elasticsearch", "TIDINGS_ES_URL": url, "TIDINGS_ES_INDEX": alias}
    forwarded = proxy.forwarded
    result = tidings(home, env, "reindex")
    assert result.returncode == 0, result.stderr
    assert proxy.forwarded > forwarded
    with urllib.request.urlopen(f"{es_url}/{alias}/_count", timeout=30) as response:
        assert json.load(response)["count"] == 1  # the stored article, on the real node


@pytest.mark.parametrize("command", ["import", "serve", "crawl"])
@pytest.mark.parametrize(
    ("kind", "says"),
    [("closed port", "is unreachable"), ("web page (200)", "is not Elasticsearch"),
     ("web page (404)", "is not Elasticsearch")],
)  # fmt: skip
def test_wrong_url_is_one_line_and_exit_2(home: Path, command: str, kind: str, says: str) -> None:
    server = None
    if kind == "closed port":
        url = f"http://127.0.0.1:{free_port()}"
    else:
        server = not_elasticsearch(200 if "200" in kind else 404)
        url = server.url
    try:
        env = {"TIDINGS_INDEX": "elasticsearch", "TIDINGS_ES_URL": url}
        result = tidings(home, env, *COMMANDS[command](home))
    finally:
        if server is not None:
            server.stop()
    assert_one_line_error(result, command, says)
    assert url in result.stderr


def test_api_answers_503_problem_for_a_wrong_password(home: Path, proxy: AuthProxy) -> None:
    # gunicorn runs create_app() without the CLI's check: the API itself must say 503, not 500
    from search_api import create_app
    from tidings.core.config import Settings

    url = proxy.url.replace("http://", f"http://{USER}:{WRONG}@")
    settings = Settings(home=home, index_backend="elasticsearch", es_url=url, es_index="cli-api")
    client = create_app(settings, config={"RATELIMIT_ENABLED": False}).test_client()
    for path in ("/api/v1/search?q=harbour", "/api/v1/recent"):
        response = client.get(path)
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.content_type.startswith("application/problem+json")
        problem = response.get_json()
        assert problem["status"] == 503 and "refused the credentials" in problem["detail"]
        assert WRONG not in response.get_data(as_text=True)
