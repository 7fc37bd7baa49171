"""``tidings sources list|check|add|import-opml|health``: configure and watch news sources.

``list`` and ``check`` read only the sources file; ``add`` appends a validated source to it
(with ``--discover HOME_URL``, feeds and sitemaps are found on the site over HTTP);
``import-opml`` turns a feed reader's OPML export into a sources file; ``health`` reads what
crawls recorded in the store (per source: last run, last success, last error, error counts).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tidings.cli.common import existing_file, settings_from
from tidings.cli.errors import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sources", help="list, check and monitor news sources")
    sub = p.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    q = sub.add_parser("list", help="table of the sources in a sources file")
    q.add_argument("--sources", metavar="FILE", required=True, help="sources file (TOML)")
    q.set_defaults(func=cmd_list)
    q = sub.add_parser("check", help="validate a sources file (exit 2 with the first error)")
    q.add_argument("--sources", metavar="FILE", required=True, help="sources file (TOML)")
    q.set_defaults(func=cmd_check)
    _register_add(sub)
    q = sub.add_parser("import-opml", help="turn an OPML subscription list into a sources file")
    q.add_argument("opml", metavar="FILE.opml", help="OPML file (a feed reader's export)")
    q.add_argument("--out", metavar="FILE", help="write this sources file (default: stdout)")
    q.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    q.set_defaults(func=cmd_import_opml)
    q = sub.add_parser("health", help="per-source crawl health from the store")
    q.add_argument("--json", action="store_true", help="print JSON instead of a table")
    q.add_argument("--sources", metavar="FILE", help="also list these sources if never crawled")
    q.set_defaults(func=cmd_health)
    for action in sub.choices.values():  # `tidings sources health --home X` works too
        action.add_argument("--home", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _register_add(sub: argparse._SubParsersAction) -> None:
    q = sub.add_parser("add", help="append a source to a sources file (validated first)")
    q.add_argument("--sources", metavar="FILE", required=True, help="sources file (created)")
    q.add_argument("--discover", metavar="HOME_URL", help="find feeds and sitemaps on this site")
    q.add_argument("--id", help="source id (default: from the site's host name)")
    q.add_argument("--name", help="display name (default: the site's name, else the id)")
    q.add_argument("--home-page", metavar="URL", help="the site's home page")
    for flag, metavar, what in (("feed", "URL", "a feed"), ("sitemap", "URL", "a sitemap"),
                                ("section", "URL", "a section page to follow links from"),
                                ("allowed-domain", "HOST", "a host articles may be on ('*': any)"),
                                ("topic", "ID", "a default topic id")):  # fmt: skip
        q.add_argument(
            f"--{flag}", metavar=metavar, action="append", default=[], help=f"{what} (repeatable)"
        )
    q.add_argument("--follow-links", type=int, metavar="DEPTH", help="follow links this deep")
    q.add_argument("--interval", help="crawl interval: seconds or 30m / 2h / 1d")
    q.add_argument("--language", help="language code of the articles, e.g. en")
    q.add_argument("--dry-run", action="store_true", help="print the source, write nothing")
    q.set_defaults(func=cmd_add)


def _load(path: str) -> list[Any]:
    from tidings.core.sources import SourcesError, load_sources

    try:
        return load_sources(existing_file(path, "sources file"))
    except SourcesError as exc:
        raise UsageError(str(exc)) from None


def format_interval(seconds: int) -> str:
    """3600 → "1h", 90 → "90s": the largest unit that divides evenly."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table with columns padded to their widest cell."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]
    lines = [headers, *rows]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def cmd_list(args: argparse.Namespace) -> int:
    rows = [
        [s.id, s.name, str(len(s.feeds)), str(len(s.sitemaps)), format_interval(s.interval),
         s.language or "-", ",".join(s.allowed_domains)]
        for s in _load(args.sources)
    ]  # fmt: skip
    print(table(["ID", "NAME", "FEEDS", "SITEMAPS", "INTERVAL", "LANG", "DOMAINS"], rows))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    sources = _load(args.sources)
    print(f"ok: {len(sources)} source(s) in {args.sources}")
    return 0


def _health(args: argparse.Namespace) -> list[dict[str, Any]]:
    from tidings.core.store import open_store

    settings = settings_from(args)
    found: list[dict[str, Any]] = []
    if settings.store_exists:
        with open_store(settings) as store:
            found = store.source_health()
    if args.sources:
        known = {h["source_id"] for h in found}
        found += [
            {"source_id": s.id, "last_success": None, "last_error": None, "error_counts": {},
             "last_run": None}
            for s in _load(args.sources) if s.id not in known
        ]  # fmt: skip
    return sorted(found, key=lambda h: h["source_id"])


def _run_items(run: dict[str, Any] | None) -> str:
    if not run:
        return "-"
    errors = sum((run.get("errors") or {}).values())
    return (
        f"{run.get('pages_fetched', 0)} pages, {run.get('inserted', 0)} new, "
        f"{run.get('updated', 0)} updated, {run.get('unchanged', 0)} unchanged, "
        f"{run.get('skipped_seen', 0)} seen, {run.get('not_modified', 0)} 304, {errors} errors"
    )


def cmd_health(args: argparse.Namespace) -> int:
    health = _health(args)
    if args.json:
        print(json.dumps(health, indent=2, ensure_ascii=False))
        return 0
    if not health:
        print("no crawl recorded yet")
        return 0
    rows = []
    for h in health:
        error = h["last_error"]
        rows.append([
            h["source_id"],
            (h["last_run"] or {}).get("finished_at") or "never",
            h["last_success"] or "never",
            f"{error['at']} {error['kind']}: {error['message']}"[:80] if error else "-",
            ", ".join(f"{k} {v}" for k, v in h["error_counts"].items()) or "-",
            _run_items(h["last_run"]),
        ])  # fmt: skip
    headers = ["SOURCE", "LAST RUN", "LAST SUCCESS", "LAST ERROR", "ERRORS", "LAST RUN ITEMS"]
    print(table(headers, rows))
    return 0


def _discover(url: str, args: argparse.Namespace) -> Any:
    from crawler.sources.discovery import DiscoveryError, discover, http_fetcher
    from tidings.core.sources import SourcesError, check_url

    try:  # before fetching: a home URL with a password is refused, not fetched and echoed
        check_url(url, "--discover")
    except SourcesError as exc:
        raise UsageError(str(exc)) from None
    user_agent = settings_from(args).user_agent
    try:
        return discover(url, http_fetcher(user_agent), user_agent)
    except DiscoveryError as exc:
        raise UsageError(f"--discover: {exc}") from None


def _merged(given: list[str], found: list[str]) -> list[str]:
    return list(dict.fromkeys([*given, *found]))


def source_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The ``[[sources]]`` table that ``sources add`` writes (discovered values fill gaps)."""
    from tidings.core.sources import id_for_url, interval_entry

    found = _discover(args.discover, args) if args.discover else None
    home = args.home_page or (found.home if found else None)
    feeds = _merged(args.feed, found.feeds if found else [])
    sitemaps = _merged(args.sitemap, found.sitemaps if found else [])
    first = home or next(iter(feeds + sitemaps), None)
    if not first:
        raise UsageError("give --discover HOME_URL, or --home-page, --feed or --sitemap")
    sid = args.id or id_for_url(first)
    interval = args.interval
    raw: dict[str, Any] = {
        "id": sid,
        "name": args.name or (found.name if found else None) or sid,
        "home": home,
        "feeds": feeds,
        "sitemaps": sitemaps,
        "sections": args.section,
        "allowed_domains": args.allowed_domain,
        "follow_links": args.follow_links or None,
        "interval": interval_entry(interval) if interval else None,
        "language": args.language or (found.language if found else None),
        "topics": args.topic,
    }
    return {k: v for k, v in raw.items() if v not in (None, [])}


def cmd_add(args: argparse.Namespace) -> int:
    from tidings.core.sources import SourcesError, append_source, source_from_dict, source_table

    raw = source_from_args(args)
    try:
        source = source_from_dict(raw, "new source")
        if not args.dry_run:
            append_source(args.sources, raw)
    except SourcesError as exc:
        raise UsageError(str(exc)) from None
    if not (source.feeds or source.sitemaps or source.follow_depth):
        print(
            f"warning: {source.id} has no feed or sitemap; "
            "add --follow-links DEPTH to crawl from its home page",
            file=sys.stderr,
        )
    print(source_table(raw), end="")
    if not args.dry_run:
        print(f"added source {source.id!r} to {args.sources}")
    return 0


def cmd_import_opml(args: argparse.Namespace) -> int:
    from crawler.sources.opml import read_opml
    from tidings.core.files import write_atomically
    from tidings.core.sources import SourcesError, dump_sources, parse_sources

    path = existing_file(args.opml, "OPML file")
    try:
        imported = read_opml(path.read_bytes(), str(path))
        if not imported.sources:  # say so of the OPML, not of the empty TOML it would make
            skipped = f" ({len(imported.skipped)} skipped)" if imported.skipped else ""
            raise UsageError(f"nothing to import: {path} has no feed with an http(s) URL{skipped}")
        text = dump_sources(imported.sources, f"Sources imported from {path.name} (OPML).")
        parse_sources(text, str(path))
    except SourcesError as exc:
        raise UsageError(str(exc)) from None
    for reason in imported.skipped:
        print(f"skipped {reason}", file=sys.stderr)
    if not args.out:
        print(text, end="")
        return 0
    out = Path(args.out)
    if out.exists() and not args.force:
        raise UsageError(f"{out} exists (--force to overwrite)")
    write_atomically(out, text)
    print(f"wrote {len(imported.sources)} source(s) to {out}")
    return 0
