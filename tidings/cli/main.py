"""The ``tidings`` console script: one parser, one module per group of subcommands.

Each command module exposes ``register(subparsers)``, which adds its subcommands and sets
``func`` on them. Commands raise :class:`UsageError` for bad input; ``main`` turns that, an index
that another process is writing or whose server is down, a store it cannot reach or use, a bad
``TIDINGS_*`` value, a file it cannot read or write (an ``OSError``, a SQLite file that is not
a database) and argparse's own errors into one line on stderr and exit code 2, never a
traceback; a closed output pipe ends quietly (code 141).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
from collections.abc import Sequence

from tidings import __version__
from tidings.cli import (
    crawl_commands,
    data_commands,
    demo_commands,
    dev_commands,
    model_commands,
    serve_commands,
    sources_commands,
    store_commands,
    story_commands,
)
from tidings.cli.errors import EXIT_USAGE, UsageError
from tidings.core.environment import read_environment
from tidings.core.index import IndexLockedError
from tidings.core.index.base import IndexUnavailable
from tidings.core.store import StoreError

#: Modules that register subcommands, in ``--help`` order.
COMMAND_MODULES = (
    demo_commands,
    crawl_commands,
    sources_commands,
    model_commands,
    data_commands,
    store_commands,
    story_commands,
    serve_commands,
    dev_commands,
)
#: Exit code when standard output's reader went away (128 + SIGPIPE, as the shell reports it).
EXIT_BROKEN_PIPE = 141
#: Options every subcommand also accepts after its name (``tidings crawl --home X``).
GLOBAL_OPTIONS = ("--home", "--taxonomy")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is a single line (the standard prints the usage block too)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="tidings",
        description="Crawl news, tag it with topics and entities, index it and serve it.",
    )
    parser.add_argument("--version", action="version", version=f"tidings {__version__}")
    parser.add_argument(
        "--home",
        help="data directory (store and index); default $TIDINGS_HOME or ./var",
    )
    parser.add_argument(
        "--taxonomy",
        metavar="FILE",
        help="taxonomy file (topics, labels, rule topics) that tagging and the API use; "
        "default $TIDINGS_TAXONOMY or the packaged one",
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=OneLineParser, required=True
    )
    for module in COMMAND_MODULES:
        module.register(subparsers)
    for sub in subparsers.choices.values():  # `tidings CMD --home X` works as well as before CMD
        for option in GLOBAL_OPTIONS:
            sub.add_argument(option, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        read_environment()  # every TIDINGS_* value checked before any of them is used
    except ValueError as exc:
        print(f"tidings: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a write error (a full disk) is reported below, not at exit
        return code
    except BrokenPipeError:  # `tidings export | head`: the reader has all it wants
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    except (UsageError, IndexLockedError, IndexUnavailable, StoreError) as exc:
        # bad input, an index another process is writing, or an index or store we cannot
        # reach or use: one line
        message = " ".join(str(exc).split())
        print(f"tidings {args.command}: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.DatabaseError as exc:  # not a database, a directory, a damaged file
        message = f"the SQLite store cannot be used: {exc}"
        print(f"tidings {args.command}: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # a file that cannot be read or written, a full disk
        where = f": {exc.filename}" if exc.filename else ""
        print(f"tidings {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        try:
            sys.stdout.flush()
        except OSError:  # it was standard output that failed
            _drop_stdout()
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("tidings: interrupted", file=sys.stderr)
        return 130



def _drop_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush of what is still
    buffered cannot fail again (as a second, ignored-exception message)."""
    with contextlib.suppress(OSError, ValueError):  # not a real file (a test captures it)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
