"""``tidings import``, ``export``, ``prune`` and ``reindex``: move article records in and out
without crawling, drop those past the retention period, rebuild the index from the store.

Each goes through the one write path (store of record first, then the index derived from it),
so an imported article is searchable exactly like a crawled one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import shutil
import sys
import tempfile
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from tidings.cli.common import check_index, existing_file, open_tagger, settings_from
from tidings.cli.errors import UsageError
from tidings.core.article import InvalidArticle, normalise
from tidings.core.config import Settings
from tidings.core.fingerprint import record_fingerprint
from tidings.core.index import IndexSchemaError, open_index
from tidings.core.store import open_store
from tidings.core.stories.ingest import unplaced
from tidings.core.sync import delete_and_unindex, index_pending, store_and_index

BATCH = 500
#: Records per store transaction and index write in ``tidings import``: each index write costs
#: a commit (tantivy) or a bulk round trip (Elasticsearch) however small, so fewer, larger ones.
IMPORT_BATCH = 2000

T = TypeVar("T")


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

    p = subparsers.add_parser(
        "prune", help="remove articles older than the retention period from store and index"
    )
    p.add_argument(
        "--days", type=int, help="keep this many days (default $TIDINGS_RETENTION_DAYS)"
    )
    p.set_defaults(func=cmd_prune)

    p = subparsers.add_parser("reindex", help="rebuild the search index from the store")
    p.set_defaults(func=cmd_reindex)


def read_records(path: str | Path, name: str = "") -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, normalised record); a bad line is a UsageError naming it (as
    ``name:N``; default the path: standard input, spooled to a temporary file, is ``-``)."""
    name = name or str(path)
    with Path(path).open("rb") as stream:  # bytes: a line that is not UTF-8 is named too
        for number, raw in enumerate(stream, start=1):
            try:
                line = raw.decode("utf-8")
                record = normalise(json.loads(line)) if line.strip() else None
            except UnicodeDecodeError:
                raise UsageError(f"{name}:{number}: not UTF-8 text") from None
            except json.JSONDecodeError as exc:
                raise UsageError(f"{name}:{number}: not valid JSON ({exc.msg})") from None
            except InvalidArticle as exc:
                raise UsageError(f"{name}:{number}: {exc}") from None
            if record is not None:
                yield number, record


@contextmanager
def _readable_twice(path: str) -> Iterator[Path]:
    """The input as a file we can read twice: standard input is spooled to a temporary file."""
    if path != "-":
        yield existing_file(path)
        return
    with tempfile.TemporaryDirectory(prefix="tidings-import-") as tmp:
        spooled = Path(tmp) / "stdin.jsonl"
        with spooled.open("wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out)
        yield spooled


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prepare(lines: list[str]) -> list[dict[str, Any]]:
    """Worker process: parse, normalise and fingerprint a chunk of lines pass 1 validated.

    The fingerprint (MinHash of the text) is the costliest step of storing a record; computed
    here, on the other core, the store takes it as given instead of computing it on the
    writer's core (it computes one only for a record without).
    """
    records = [normalise(json.loads(line)) for line in lines if line.strip()]
    for record in records:
        if not record.get("fingerprint"):
            record["fingerprint"] = record_fingerprint(record)
    return records


def _prepared_batches(path: Path, size: int) -> Iterator[list[dict[str, Any]]]:
    """Batches of ``path``'s records, prepared in a worker process while the caller stores and
    indexes the previous batch (at most three batches in flight, so memory stays flat)."""
    # spawn, not fork: the parent may already hold threads (the index writer's, the client's)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool, path.open(encoding="utf-8") as lines:
        ahead: deque[Future[list[dict[str, Any]]]] = deque()
        for chunk in _batches(lines, size):
            ahead.append(pool.submit(_prepare, chunk))
            if len(ahead) >= 3:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()


def cmd_import(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    inserted = updated = unchanged = refused = total = 0
    unstoried: Counter[str] = Counter()
    with _readable_twice(args.file) as path:
        # Pass 1 validates every line, keeping nothing in memory: a bad line N must not leave
        # half an import behind. Pass 2 streams the records into the store and index in batches.
        count = sum(1 for _ in read_records(path, args.file))
        check_index(settings)  # also when every record turns out unchanged
        tagger = None if args.no_classify else open_tagger(settings)
        settings.home.mkdir(parents=True, exist_ok=True)
        with open_store(settings) as store:
            index = open_index(settings, writable=True)
            try:
                index_pending(store, index)  # what a killed earlier writer left unindexed
                if count > IMPORT_BATCH:  # worth a worker process (a second or two to start)
                    batches = _prepared_batches(path, IMPORT_BATCH)
                else:
                    batches = _batches((r for _, r in read_records(path)), IMPORT_BATCH)
                loading = getattr(index, "bulk_loading", contextlib.nullcontext)
                with loading():
                    for batch in batches:
                        untagged = [r for r in batch if not r.get("topics")]
                        if tagger is not None and untagged:
                            tagger.tag(untagged)
                        result = store_and_index(store, index, batch)
                        total += len(batch)
                        inserted += len(result.inserted)
                        updated += len(result.updated)
                        unchanged += len(result.unchanged)
                        refused += len(result.refused)
                        unstoried.update(unplaced(result))
            finally:
                index.close()
    conflicts = f", {refused} refused (stored under another source)" if refused else ""
    repeated = total - inserted - updated - unchanged - refused  # a batch keeps a URL's last
    replaced = f", {repeated} replaced by a later line with the same URL" if repeated else ""
    print(
        f"imported {total} records from {args.file}: {inserted} new, {updated} updated, "
        f"{unchanged} unchanged{conflicts}{replaced}{_without_story(unstoried)}",
        file=sys.stderr,
    )
    return 0


def _without_story(per_source: Counter[str]) -> str:
    """The summary's note of records stored without a story, per source (or nothing)."""
    if not per_source:
        return ""
    sources = ", ".join(f"{source} {n}" for source, n in sorted(per_source.items()))
    return (
        f", {per_source.total()} without a story ({sources}; "
        "placement failed, `tidings restory` retries)"
    )


def cmd_export(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not settings.store_exists:
        raise UsageError(f"no store at {settings.db_path} (crawl or import first)")
    out = sys.stdout
    with open_store(settings) as store:
        for batch in store.iter_articles(BATCH):
            for record in batch:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def rebuild_index(settings: Settings) -> tuple[int, int]:
    """Index every stored article, then every story, replacing what the index held; returns
    the two counts. An embedded index built with an older schema is derived data: it is
    deleted and built again (``tidings reindex``, and ``tidings demo`` on an old demo home)."""
    with open_store(settings) as store:
        try:
            index = open_index(settings, writable=True)
        except IndexSchemaError:
            print(
                f"the index at {settings.index_dir} has an old schema; rebuilding it",
                file=sys.stderr,
            )
            shutil.rmtree(settings.index_dir)
            index = open_index(settings, writable=True)
        try:
            return (
                index.rebuild(store.iter_articles(BATCH)),
                index.stories.rebuild(store.iter_stories(BATCH)),
            )
        finally:
            index.close()


def cmd_reindex(args: argparse.Namespace) -> int:
    """Rebuild the index (articles, then story documents) from the store without a moment of
    empty or half-built search.

    Elasticsearch: a new concrete index is filled, then the alias switches to it atomically and
    the old index is deleted. Embedded: everything is replaced in one tantivy commit. An
    embedded index built with an older schema is derived data: it is deleted and rebuilt.
    """
    settings = settings_from(args)
    if not settings.store_exists:
        raise UsageError(f"no store at {settings.db_path} (crawl or import first)")
    check_index(settings, old_schema_ok=True)  # an old schema is rebuilt below
    total, stories = rebuild_index(settings)
    print(
        f"reindexed {total} articles and {stories} stories into the {settings.index_backend} "
        "index",
        file=sys.stderr,
    )
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    """Delete old articles from the store (with tombstone marks), then from the index: a crash
    or an index failure in between leaves marks that the next crawl, import or prune turns
    into index deletes (:func:`tidings.core.sync.index_pending`), never searchable ghosts."""
    settings = settings_from(args)
    days = args.days if args.days is not None else settings.retention_days
    if days is None:
        raise UsageError("say how many days to keep: --days N or TIDINGS_RETENTION_DAYS")
    if days <= 0:
        raise UsageError(f"--days must be positive, not {days}")
    if not settings.store_exists:
        raise UsageError(f"no store at {settings.db_path} (crawl or import first)")
    check_index(settings)  # also when nothing is old enough to prune
    try:
        oldest = datetime.now(UTC) - timedelta(days=days)
    except OverflowError:  # more days than the calendar holds: nothing is that old
        oldest = datetime.min.replace(tzinfo=UTC)
    cutoff = oldest.replace(microsecond=0).isoformat()
    removed = 0
    with open_store(settings) as store:
        index = open_index(settings, writable=True)
        try:
            index_pending(store, index)  # what a killed or failed earlier writer left
            while ids := store.ids_older_than(cutoff, BATCH):
                removed += delete_and_unindex(store, index, ids)
        finally:
            index.close()
    print(f"pruned {removed} articles published before {cutoff}", file=sys.stderr)
    return 0
