"""``tidings restory``: group the stored articles into stories again, as the ingest path would.

The articles are replayed in the order they were first stored (the ingest order), so the result
is the one the online path gave; articles whose story changed are stored and indexed again
through the usual write path (:func:`tidings.core.sync.store_and_index`).
"""

from __future__ import annotations

import argparse
import sys
import time

from tidings.cli.common import settings_from
from tidings.cli.errors import UsageError
from tidings.core.index import open_index
from tidings.core.store import Store
from tidings.core.stories.ingest import book_for
from tidings.core.sync import index_pending, store_and_index

BATCH = 500


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "restory", help="group stored articles into stories again (same order as ingest)"
    )
    p.set_defaults(func=cmd_restory)


def cmd_restory(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not settings.db_path.exists():
        raise UsageError(f"no store at {settings.db_path} (crawl or import first)")
    started = time.perf_counter()
    total = changed = 0
    with Store(settings.db_path) as store:
        book = book_for(store)
        if book is None:
            raise UsageError("this store keeps no stories")
        index = open_index(settings, writable=True)
        try:
            index_pending(store, index)
            book.reset()
            for batch in store.iter_articles(BATCH):
                for record in batch:
                    record.pop("story_id", None)
                result = store_and_index(store, index, batch)
                total += len(batch)
                changed += len(result.updated)
        finally:
            index.close()
        stories = book.count()
    print(
        f"restoried {total} articles into {stories} stories ({changed} changed story) "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0
