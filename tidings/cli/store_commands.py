"""``tidings store copy --to URL``: move this home's SQLite store into a PostgreSQL store.

The step from one host to many: the SQLite file (``--home``) is copied row for row into an
empty PostgreSQL database (:mod:`tidings.core.store.copy`), after which every host points
``TIDINGS_STORE_URL`` at it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tidings.cli.common import settings_from
from tidings.cli.errors import UsageError
from tidings.core.environment import postgres_url


def register(subparsers: Any) -> None:
    store = subparsers.add_parser("store", help="manage the store of record (copy to PostgreSQL)")
    tools = store.add_subparsers(dest="tool", metavar="ACTION", required=True)
    p = tools.add_parser(
        "copy",
        help="copy this home's SQLite store into an empty PostgreSQL store",
        description="Copy every article, cluster, pending index mark, fetch state, crawl error "
        "and source run of the SQLite store in --home into the empty PostgreSQL database at "
        "URL, in one transaction; then set TIDINGS_STORE_URL=URL on every host.",
    )
    p.add_argument("--to", required=True, type=_url, metavar="URL", help="postgresql://...")
    p.set_defaults(func=cmd_copy)


def _url(value: str) -> str:
    try:
        url = postgres_url(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc}, not {value!r}") from None
    if url is None:
        raise argparse.ArgumentTypeError("a postgresql:// URL is needed")
    return url


def cmd_copy(args: argparse.Namespace) -> int:
    from tidings.core.store.copy import copy_to_postgres

    settings = settings_from(args)
    if not settings.db_path.exists():
        raise UsageError(f"no SQLite store at {settings.db_path} to copy")
    copied = copy_to_postgres(settings.db_path, args.to)
    print(
        f"copied {copied['articles']} articles, {copied['fetch_state']} fetch states, "
        f"{copied['crawl_errors']} crawl errors, {copied['source_runs']} source runs and "
        f"{copied['index_pending']} pending index marks from {settings.db_path}",
        file=sys.stderr,
    )
    return 0
