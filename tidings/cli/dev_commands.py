"""``tidings dev elasticsearch|postgres``: throwaway servers for trying the ES backend and the
PostgreSQL store.

The same servers the test suite starts (:mod:`tidings.dev.elasticsearch`,
:mod:`tidings.dev.postgres`), for developers: each prints the URL to export
(``TIDINGS_ES_URL``, ``TIDINGS_STORE_URL``) and runs until Ctrl-C or SIGTERM, then stops the
server and deletes its data.
"""

from __future__ import annotations

import argparse
import ipaddress
import re
import signal
import sys
import threading
from typing import Any

from tidings.cli.common import port
from tidings.cli.errors import UsageError


def register(subparsers: Any) -> None:
    from tidings.dev.elasticsearch import DEFAULT_HEAP, DEFAULT_VERSION

    dev = subparsers.add_parser(
        "dev", help="developer tools (a local Elasticsearch node or PostgreSQL cluster)"
    )
    tools = dev.add_subparsers(dest="tool", metavar="TOOL", required=True)
    p = tools.add_parser(
        "elasticsearch",
        help="run a single-node Elasticsearch on 127.0.0.1 until Ctrl-C",
        description="Fetch Elastic's integ-test build with mvn (cached outside the repo), start "
        "one node on 127.0.0.1 (as an unprivileged user when run as root), print its URL, and "
        "stop it on Ctrl-C or SIGTERM, deleting its data.",
    )
    p.add_argument("--es-version", default=DEFAULT_VERSION, help=f"default {DEFAULT_VERSION}")
    p.add_argument(
        "--heap", type=_heap, default=DEFAULT_HEAP, help=f"JVM heap (default {DEFAULT_HEAP})"
    )
    p.add_argument("--port", type=port, default=0, help="HTTP port (default 0: a free one)")
    p.add_argument("--host", type=_address, default="127.0.0.1", help=HOST_HELP)
    p.set_defaults(func=run_elasticsearch)
    p = tools.add_parser(
        "postgres",
        help="run a private PostgreSQL cluster on 127.0.0.1 until Ctrl-C",
        description="initdb a cluster in a temporary folder with Debian's postgresql binaries, "
        "start it on 127.0.0.1 (as the postgres user when run as root), create a database, "
        "print its URL, and stop it on Ctrl-C or SIGTERM, deleting its data.",
    )
    p.add_argument("--database", type=_database, default="tidings", help="default tidings")
    p.add_argument("--port", type=port, default=0, help="TCP port (default 0: a free one)")
    p.add_argument("--host", type=_address, default="127.0.0.1", help=HOST_HELP)
    p.set_defaults(func=run_postgres)


HOST_HELP = (
    "IPv4 address to listen on (default 127.0.0.1; no passwords: only ever a private test "
    "network)"
)


def _address(value: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"host must be an IPv4 address, not {value!r}") from None


def _heap(value: str) -> str:
    if not re.fullmatch(r"[1-9][0-9]*[mg]", value):
        raise argparse.ArgumentTypeError(f"heap must look like 512m or 2g, not {value!r}")
    return value


def _database(value: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
        raise argparse.ArgumentTypeError(f"database must be a lower-case identifier, not {value!r}")
    return value


def run_elasticsearch(args: argparse.Namespace) -> int:
    from tidings.dev.elasticsearch import ElasticsearchNode, NodeError

    node = ElasticsearchNode(
        args.es_version, heap=args.heap, port=args.port or None, host=args.host
    )
    print(f"starting Elasticsearch {args.es_version} (heap {args.heap})...", file=sys.stderr)
    return _serve_until_stopped(node, "TIDINGS_ES_URL", NodeError)


def run_postgres(args: argparse.Namespace) -> int:
    from tidings.dev.postgres import ClusterError, PostgresCluster

    cluster = PostgresCluster(port=args.port or None, database=args.database, host=args.host)
    print("starting PostgreSQL...", file=sys.stderr)
    return _serve_until_stopped(cluster, "TIDINGS_STORE_URL", ClusterError)


def _serve_until_stopped(server: Any, variable: str, error: type[Exception]) -> int:
    """Start ``server``, print its URL, and stop it (deleting its data) on Ctrl-C or SIGTERM;
    a failure to start is a one-line usage error."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with server:
            print(server.url, flush=True)
            print(f"export {variable}={server.url}  # Ctrl-C stops it", file=sys.stderr)
            while not stop.wait(0.5):
                pass
    except error as exc:
        raise UsageError(str(exc).splitlines()[0]) from None
    except KeyboardInterrupt:
        pass
    return 0
