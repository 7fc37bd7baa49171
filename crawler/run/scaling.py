"""Command-line options that scale a crawl: ``--workers N`` (process pool) and ``--redis URL``.

Kept free of heavy imports so ``tidings --help`` stays quick; ``tidings crawl`` adds these
options with :func:`add_scale_arguments` and passes :func:`scale_options` to
:func:`crawler.run.crawl.run_crawl`.
"""

from __future__ import annotations

import argparse
import os
import re
from typing import Any

from tidings.core.environment import read_environment

_CRAWL_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def default_workers() -> int:
    """One worker per core when there are several cores, else none (work in-process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return cores if (cores or 1) > 1 else 0


def add_scale_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--workers``, ``--redis`` and ``--crawl-id`` to the ``crawl`` subcommand."""
    group = parser.add_argument_group("scaling")
    group.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="processes that extract and tag pages beside the crawler (default: one per "
        "core if there are several; 0 = all in the crawler's process)",
    )
    group.add_argument(
        "--redis",
        metavar="URL",
        default=read_environment()["TIDINGS_REDIS_URL"],
        help="share the crawl frontier and dupefilter in Redis (e.g. redis://host:6379/0), "
        "so several `tidings crawl` processes or machines crawl the same sources together "
        "(default: $TIDINGS_REDIS_URL)",
    )
    group.add_argument(
        "--crawl-id",
        metavar="NAME",
        default="tidings",
        help="name of the shared crawl in Redis: workers with the same name share its queue "
        "(default: tidings)",
    )


#: Most ``--workers`` a crawl starts (each is a process holding a tagger).
MAX_WORKERS = 256


def scale_options(args: argparse.Namespace) -> dict[str, Any]:
    """``run_crawl`` keyword arguments from parsed options; ValueError on bad values."""
    workers = default_workers() if args.workers is None else args.workers
    if not 0 <= workers <= MAX_WORKERS:  # beyond it, forking fails (or overflows a C int)
        raise ValueError(f"--workers must be from 0 to {MAX_WORKERS}")
    redis_url = args.redis or None
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"--redis wants a redis://, rediss:// or unix:// URL, got {redis_url!r}")
    if not _CRAWL_ID.match(args.crawl_id):
        raise ValueError("--crawl-id: 1-64 letters, digits, '.', '_' or '-'")
    if redis_url:
        check_redis(redis_url)
    return {"workers": workers, "redis_url": redis_url, "crawl_id": args.crawl_id}


def check_redis(url: str, timeout: float = 5.0) -> None:
    """ValueError naming ``url`` unless a Redis server answers there."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        client.ping()
        client.close()
    except (redis.RedisError, OSError, ValueError) as exc:
        raise ValueError(f"--redis: no Redis server answers at {url} ({exc})") from None
