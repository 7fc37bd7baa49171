"""The servers' own refusals as RFC 9457 problem documents, not their HTML pages.

gunicorn (production) and Werkzeug's server (``tidings serve``, ``tidings demo``) answer some
requests before the app sees them: a request line past their limit (414, e.g. a long query),
too many or too large header fields (431), a malformed request (400). Their answer is a small
HTML page, which clients of a JSON API cannot read. gunicorn has no setting for the body, so
:func:`install_in_gunicorn` replaces the one function that writes it
(``gunicorn.util.write_error``, called by every worker class); Werkzeug's server takes a request
handler class, :func:`problem_handler`.
"""

from __future__ import annotations

import json
import socket
from typing import Any


def problem_body(status: int, title: str, detail: str) -> bytes:
    """The problem document of a server's own refusal."""
    problem = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return json.dumps(problem).encode()


def write_problem(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's ``write_error``: its error ``status_int`` as a problem; the exchange ends."""
    from gunicorn import util

    body = problem_body(status_int, reason, mesg)
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install_in_gunicorn() -> None:
    """Make every gunicorn worker of this process (and those it forks) answer with problems."""
    from gunicorn import util

    util.write_error = write_problem


def problem_handler() -> type[Any]:
    """Werkzeug's request handler, answering its own refusals with problem documents."""
    from werkzeug.serving import WSGIRequestHandler

    class ProblemRequestHandler(WSGIRequestHandler):
        def send_error(self, code: int, message: str | None = None, explain: str | None = None):
            title, long = self.responses.get(code, ("Error", ""))
            self.log_error("code %d, message %s", code, message or title)
            body = problem_body(code, title, message or long)
            self.send_response(code, title)
            self.send_header("Connection", "close")
            self.send_header("Content-Type", "application/problem+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return ProblemRequestHandler
