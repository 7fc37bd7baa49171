"""``tidings crawl`` and ``tidings extract``: fetch articles from sources, or read one page.

The CLI is where the crawler meets the classifier: it loads the tagger and hands it to the
crawl as a plain object, so ``crawler`` never imports ``classifier``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tidings.cli.common import check_index, existing_file, open_tagger, settings_from
from tidings.cli.errors import UsageError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
#: Exit code of a crawl in which every source failed (2 stays for bad input and usage).
EXIT_ALL_FAILED = 1
_SETTING = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("crawl", help="crawl news sources into the store and index")
    p.add_argument("--sources", metavar="FILE", help="sources file (TOML)")
    p.add_argument(
        "--feed",
        metavar="URL",
        action="append",
        default=[],
        help="crawl this RSS/Atom/JSON feed (repeatable)",
    )
    p.add_argument(
        "--sitemap",
        metavar="URL",
        action="append",
        default=[],
        help="crawl this sitemap or sitemap index (repeatable)",
    )
    p.add_argument("--opml", metavar="FILE", help="crawl the feeds of an OPML subscription list")
    p.add_argument(
        "--since",
        metavar="WHEN",
        help="only articles published at or after WHEN: 2026-11-20, an ISO date-time, "
        "or an age like 7d / 12h / 2w",
    )
    p.add_argument(
        "--until",
        metavar="WHEN",
        help="only articles published at or before WHEN (a bare date means its end)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="live progress line on stderr (default: on when stderr is a terminal)",
    )
    p.add_argument("--no-classify", action="store_true", help="store articles untagged")
    p.add_argument(
        "--force",
        action="store_true",
        help="crawl every source now, even one crawled less than its interval ago",
    )
    p.add_argument(
        "--set",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        dest="overrides",
        help="override a crawler (Scrapy) setting, e.g. DOWNLOAD_TIMEOUT=10 (repeatable; "
        "VALUE is read as JSON when it parses)",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=64,
        metavar="N",
        help="articles per tag/store/index batch (default 64)",
    )
    p.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default="INFO",
        help="crawler log level (default INFO)",
    )
    from crawler.run.scaling import add_scale_arguments  # --workers, --redis, --crawl-id

    add_scale_arguments(p)
    p.set_defaults(func=cmd_crawl)

    p = subparsers.add_parser("extract", help="extract the article record of one HTML page")
    p.add_argument("file", nargs="?", default="-", help="HTML file ('-' or nothing for stdin)")
    p.add_argument("--url", help="the page's URL (default: the file's file:// URL)")
    p.add_argument(
        "--captions",
        action="store_true",
        help="keep the story's figure captions in the body (off by default)",
    )
    p.set_defaults(func=cmd_extract)


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.run.crawl import CrawlFailed, run_crawl
    from crawler.sources.opml import load_opml
    from tidings.core.sources import SourcesError, adhoc_sources, load_sources

    if not (args.sources or args.opml or args.feed or args.sitemap):
        raise UsageError(
            "give --sources FILE or --opml FILE, or at least one --feed URL or --sitemap URL"
        )
    if args.batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    window_settings = _window_settings(args.since, args.until)
    try:
        sources = load_sources(existing_file(args.sources, "sources file")) if args.sources else []
        if args.opml:
            sources += load_opml(existing_file(args.opml, "OPML file"))
        adhoc = adhoc_sources(args.feed, args.sitemap)
        sources += adhoc
    except SourcesError as exc:
        raise UsageError(str(exc)) from None
    if not sources:  # an OPML list whose outlines all lack a usable feed URL
        raise UsageError(f"nothing to crawl: {args.opml} has no feed with an http(s) URL")
    ids = [s.id for s in sources]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise UsageError(f"source id {duplicate!r} is given twice (--sources, --opml, --feed)")
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    overrides = {
        **window_settings,
        "TIDINGS_PROGRESS": progress,
        **parse_overrides(args.overrides),
    }
    settings = settings_from(args)
    scheduled = {s.id for s in sources} - {s.id for s in adhoc}
    sources = _due(settings, sources, scheduled, args.force)
    if not sources:
        print("nothing to crawl: every source was crawled less than its interval ago")
        return 0
    check_index(settings)  # a wrong Elasticsearch URL or password: one line, before crawling
    tagger = None if args.no_classify else open_tagger(settings)
    try:
        report = run_crawl(
            settings,
            sources,
            tagger=tagger,
            log_level=args.log_level,
            batch_size=args.batch_size,
            overrides=overrides,
            **_scale_options(args),
        )
    except CrawlFailed as exc:  # Scrapy logged the details; the exit code must say it too
        raise UsageError(str(exc)) from None
    print(report.summary())
    if report.all_failed:  # cron and systemd timers alert on the exit status, not on the log
        n = report.sources
        print(f"tidings crawl: all {n} source(s) failed (see the log above)", file=sys.stderr)
        return EXIT_ALL_FAILED
    return 0


def _scale_options(args: argparse.Namespace) -> dict[str, Any]:
    """``--workers``, ``--redis`` and ``--crawl-id`` as ``run_crawl`` arguments."""
    from crawler.run.scaling import scale_options

    try:
        return scale_options(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _window_settings(since: str | None, until: str | None) -> dict[str, Any]:
    """``--since``/``--until`` as the Scrapy settings the spider reads (see crawler.run.window)."""
    from crawler.run.window import DateWindow, parse_bound

    try:
        window = DateWindow(
            parse_bound(since) if since else None,
            parse_bound(until, end=True) if until else None,
        )
    except ValueError as exc:
        raise UsageError(f"--since/--until: {exc}") from None
    if window.since and window.until and window.since > window.until:
        raise UsageError("--since is later than --until: the window is empty")
    return window.to_settings() if not window.is_open else {}


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``["DOWNLOAD_TIMEOUT=5", ...]`` → ``{"DOWNLOAD_TIMEOUT": 5}`` (JSON values, else text)."""
    overrides: dict[str, Any] = {}
    for item in items:
        match = _SETTING.match(item.strip())
        if not match:
            raise UsageError(f"--set wants NAME=VALUE with an upper-case NAME, got {item!r}")
        try:
            overrides[match[1]] = json.loads(match[2])
        except ValueError:
            overrides[match[1]] = match[2]
        _check_type(match[1], overrides[match[1]])
    return overrides


def _check_type(name: str, value: Any) -> None:
    """A UsageError if Scrapy's default of ``name`` is a number or a flag and ``value`` is not
    one (Scrapy would fail only once the crawl starts: ``DOWNLOAD_TIMEOUT=abc``)."""
    from scrapy.settings import default_settings

    default = getattr(default_settings, name, None)
    if isinstance(default, bool):
        ok, kind = value in (True, False, 0, 1), "true or false"
    elif isinstance(default, int | float):
        ok, kind = isinstance(value, int | float) and not isinstance(value, bool), "a number"
    else:
        return
    if not ok:
        raise UsageError(f"--set {name}: Scrapy wants {kind}, not {value!r}")


def _due(settings: Any, sources: list[Any], scheduled: set[str], force: bool) -> list[Any]:
    """Drop sources-file sources whose interval has not passed (ad-hoc URLs always run)."""
    from crawler.run.schedule import due_sources
    from tidings.core.store import open_store

    if force or not scheduled or not settings.store_exists:
        return sources
    with open_store(settings) as store:
        last = store.last_finished_runs()
    _, waiting = due_sources(
        [s for s in sources if s.id in scheduled], last, datetime.now(UTC), force
    )
    if waiting:
        names = ", ".join(s.id for s in waiting)
        print(
            f"skipping {len(waiting)} source(s) crawled less than their interval ago "
            f"(--force to crawl anyway): {names}",
            file=sys.stderr,
        )
    skip = {s.id for s in waiting}
    return [s for s in sources if s.id not in skip]


def cmd_extract(args: argparse.Namespace) -> int:
    from crawler.extract import NotAnArticle, extract_article

    if args.file == "-":
        html = sys.stdin.buffer.read()
        url = args.url or "file:///dev/stdin"
    else:
        path = existing_file(args.file, "HTML file")
        html = path.read_bytes()
        url = args.url or Path(path).resolve().as_uri()
    try:
        record = extract_article(html, url, captions=args.captions)
    except NotAnArticle as exc:
        raise UsageError(f"not an article: {exc}") from None
    print(json.dumps(record, indent=2, ensure_ascii=False))
    return 0
