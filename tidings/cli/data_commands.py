"""``tidings import``, ``export`` and ``reindex``: move article records in and out without crawling.

All three go through the one write path (store of record first, then the index derived from it),
so an imported article is searchable exactly like a crawled one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any

from tidings.cli.common import existing_file, open_tagger, settings_from
from tidings.cli.errors import UsageError
from tidings.core.article import InvalidArticle, normalise
from tidings.core.index import open_index
from tidings.core.store import Store

BATCH = 500


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("import", help="load article records from JSON Lines")
    p.add_argument("file", help="JSON Lines file of article records ('-' for stdin)")
    p.add_argument(
        "--no-classify", action="store_true", help="keep records without topics untagged"
    )
    p.set_defaults(func=cmd_import)

    p = subparsers.add_parser("export", help="write stored articles to standard output")
    p.add_argument("--format", choices=["jsonl"], default="jsonl", help="output format")
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser("reindex", help="rebuild the search index from the store")
    p.set_defaults(func=cmd_reindex)


def read_records(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, normalised record); a bad line is a UsageError naming it."""
    stream = sys.stdin if path == "-" else existing_file(path).open(encoding="utf-8")
    name = "<stdin>" if path == "-" else path
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                yield number, normalise(json.loads(line))
            except json.JSONDecodeError as exc:
                raise UsageError(f"{name}:{number}: not valid JSON ({exc.msg})") from None
            except InvalidArticle as exc:
                raise UsageError(f"{name}:{number}: {exc}") from None


def _batches(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def cmd_import(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    # Validate the whole file before writing anything: a bad line N must not leave half an import.
    records = [record for _, record in read_records(args.file)]
    tagger = None if args.no_classify else open_tagger(settings)
    settings.home.mkdir(parents=True, exist_ok=True)
    inserted = updated = unchanged = 0
    with Store(settings.db_path) as store:
        index = open_index(settings, writable=True)
        try:
            for batch in _batches(iter(records), BATCH):
                untagged = [r for r in batch if not r.get("topics")]
                if tagger is not None and untagged:
                    tagger.tag(untagged)
                result = store.upsert(batch)
                index.upsert(result.articles)
                inserted += len(result.inserted)
                updated += len(result.updated)
                unchanged += len(result.unchanged)
        finally:
            index.close()
    print(
        f"imported {len(records)} records from {args.file}: {inserted} new, {updated} updated, "
        f"{unchanged} unchanged",
        file=sys.stderr,
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not settings.db_path.exists():
        raise UsageError(f"no store at {settings.db_path} (crawl or import first)")
    out = sys.stdout
    with Store(settings.db_path) as store:
        for batch in store.iter_articles(BATCH):
            for record in batch:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not settings.db_path.exists():
        raise UsageError(f"no store at {settings.db_path} (crawl or import first)")
    total = 0
    with Store(settings.db_path) as store:
        index = open_index(settings, writable=True)
        try:
            index.clear()
            for batch in store.iter_articles(BATCH):
                index.upsert(batch)
                total += len(batch)
        finally:
            index.close()
    print(f"reindexed {total} articles into the {settings.index_backend} index", file=sys.stderr)
    return 0

