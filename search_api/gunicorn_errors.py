"""gunicorn's own refusals as RFC 9457 problem documents, not its HTML page.

gunicorn answers some requests before the app sees them: a request line longer than
``limit_request_line`` (414, e.g. a long query), too many or too large header fields (431), a
malformed request line or header (400). Its answer is a small HTML page, which clients of a
JSON API cannot read; it has no setting for the body, so :func:`install` replaces the one
function that writes it (``gunicorn.util.write_error``, called by every worker class).
"""

from __future__ import annotations

import json
import socket

from gunicorn import util


def write_problem(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Write gunicorn's error ``status_int`` as a problem document and close the exchange."""
    problem = {"type": "about:blank", "title": reason, "status": status_int, "detail": mesg}
    body = json.dumps(problem).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install() -> None:
    """Make every gunicorn worker of this process (and those it forks) answer with problems."""
    util.write_error = write_problem
