"""``tidings dev elasticsearch``: a throwaway Elasticsearch node for trying the ES backend.

The same node the test suite starts (:mod:`tidings.dev.elasticsearch`), for developers: it
prints the URL to export as ``TIDINGS_ES_URL`` and runs until Ctrl-C or SIGTERM, then stops the
node and deletes its data.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
from typing import Any

from tidings.cli.errors import UsageError


def register(subparsers: Any) -> None:
    from tidings.dev.elasticsearch import DEFAULT_HEAP, DEFAULT_VERSION

    dev = subparsers.add_parser("dev", help="developer tools (a local Elasticsearch node)")
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
    p.add_argument("--port", type=_port, default=0, help="HTTP port (default 0: a free one)")
    p.set_defaults(func=run_elasticsearch)


def _heap(value: str) -> str:
    if not re.fullmatch(r"[1-9][0-9]*[mg]", value):
        raise argparse.ArgumentTypeError(f"heap must look like 512m or 2g, not {value!r}")
    return value


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"port must be 0..65535, not {value!r}")
    return int(value)


def run_elasticsearch(args: argparse.Namespace) -> int:
    from tidings.dev.elasticsearch import ElasticsearchNode, NodeError

    node = ElasticsearchNode(args.es_version, heap=args.heap, port=args.port or None)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"starting Elasticsearch {args.es_version} (heap {args.heap})...", file=sys.stderr)
    try:
        with node:
            print(node.url, flush=True)
            print(f"export TIDINGS_ES_URL={node.url}  # Ctrl-C stops the node", file=sys.stderr)
            while not stop.wait(0.5):
                pass
    except NodeError as exc:
        raise UsageError(str(exc).splitlines()[0]) from None
    except KeyboardInterrupt:
        pass
    return 0
