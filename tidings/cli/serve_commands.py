"""``tidings serve``: run the search API, feeds and analyst page on a local port.

Uses werkzeug's threaded server: enough for one analyst or a demo; production runs the same
``create_app`` under gunicorn. ``serve_app`` is shared with ``tidings demo``.
"""

from __future__ import annotations

import argparse
import errno
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from tidings.cli.common import check_index, open_taxonomy, port, settings_from
from tidings.cli.errors import UsageError

if TYPE_CHECKING:
    from flask import Flask

    from tidings.core.config import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "serve",
        help="serve the search API, feeds and analyst page",
        description="Serve the JSON API (/api/v1), feeds (/feeds) and the analyst page (/) "
        "from the index and store under --home, until Ctrl-C.",
    )
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    p.add_argument(
        "--port",
        type=port,
        default=DEFAULT_PORT,
        help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    p.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        settings.make_home()  # one line here, not 503s and tracebacks once serving
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    open_taxonomy(settings)  # a bad taxonomy file stops here, not at the first /topics
    check_index(settings)  # so does a wrong Elasticsearch URL or password
    no_index = settings.index_backend == "embedded" and not settings.index_dir.exists()

    def ready(url: str) -> None:
        if no_index:
            print(
                f"tidings serve: note: no index at {settings.index_dir} yet; search is empty "
                "until `tidings crawl` or `tidings import` fills it",
                file=sys.stderr,
            )
        _print_url(url)

    serve_app(web_app(settings), args.host, args.port, on_ready=ready)
    return 0


def web_app(settings: Settings, internal_hosts: Iterable[str] = ()) -> Flask:
    """The web app over ``settings`` (sources added through its API may also name
    ``internal_hosts``); a bad setting of the web app (``TIDINGS_PUBLIC_URL``, a rate limit,
    the keys file) is a :class:`UsageError`, before anything is served."""
    from search_api import create_app
    from search_api.config import from_env

    try:
        config: dict[str, Any] = {}
        if internal_hosts:
            allowed = from_env()["TIDINGS_ALLOW_INTERNAL_HOSTS"] | frozenset(internal_hosts)
            config["TIDINGS_ALLOW_INTERNAL_HOSTS"] = allowed
        return create_app(settings, config=config)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def serve_app(
    app: Any,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    on_ready: Callable[[str], None] | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve ``app`` (threaded) until Ctrl-C, SIGINT or SIGTERM; ``on_ready`` runs once the
    port is bound.

    ``on_ready(url)`` gets the URL being served (useful with port 0); the default prints it.
    A port that cannot be bound (in use, no permission, bad address) is a :class:`UsageError`;
    ``sock``, from :func:`listen`, is one bound earlier (the demo binds before it crawls).
    """
    from werkzeug.serving import make_server

    from search_api.server_errors import problem_handler

    _stop_on_signals()
    sock = sock or listen(host, port)
    try:  # werkzeug dups the descriptor; ours is closed right after
        server = make_server(
            host, port, app, threaded=True, fd=sock.fileno(), request_handler=problem_handler()
        )
    finally:
        sock.close()
    url = f"http://{_url_host(host)}:{server.port}/"
    try:
        (on_ready or _print_url)(url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _stop_on_signals() -> None:
    """SIGINT and SIGTERM stop serving, whatever handlers were there before.

    ``tidings demo`` serves after a Scrapy crawl, whose handlers stay installed and do nothing
    once the crawl is over; a process started in the background inherits SIGINT ignored. Both
    would leave ``kill PID`` without effect. The handler raises KeyboardInterrupt, so the
    server and the demo site close their ports on the way out. (Only the main thread may set
    handlers: a server run in another thread keeps the process's.)
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket, bound here so that failures are one-line UsageErrors.

    (werkzeug's own bind prints several lines and calls ``sys.exit(1)`` instead.)
    """
    from werkzeug.serving import get_sockaddr, select_address_family

    family = select_address_family(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(get_sockaddr(host, port, family))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise UsageError(_bind_error(host, port, exc)) from None
    return sock


def _print_url(url: str) -> None:
    print(f"Tidings is serving at {url} (Ctrl-C to stop)", flush=True)


def _bind_error(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use; choose another with --port"
    if exc.errno == errno.EACCES:
        return f"no permission to listen on {host}:{port}; use a port above 1023"
    if isinstance(exc, socket.gaierror):
        return f"cannot listen on {host}:{port}: unknown host"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host
