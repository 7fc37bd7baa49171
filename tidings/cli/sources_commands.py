"""``tidings sources list|check|health``: what is configured, whether it is valid, how it fares.

``list`` and ``check`` read only the sources file; ``health`` reads what crawls recorded in
the store (per source: last run, last success, last error, error counts by kind).
"""

from __future__ import annotations

import argparse
import json
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
    q = sub.add_parser("health", help="per-source crawl health from the store")
    q.add_argument("--json", action="store_true", help="print JSON instead of a table")
    q.add_argument("--sources", metavar="FILE", help="also list these sources if never crawled")
    q.set_defaults(func=cmd_health)
    for action in sub.choices.values():  # `tidings sources health --home X` works too
        action.add_argument("--home", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _load(path: str) -> list[Any]:
    from crawler.sources import SourcesError, load_sources

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
    from tidings.core.store import Store

    settings = settings_from(args)
    found: list[dict[str, Any]] = []
    if settings.db_path.exists():
        with Store(settings.db_path) as store:
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
