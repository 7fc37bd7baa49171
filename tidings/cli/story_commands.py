"""``tidings restory``: group the stored articles into stories again, as the ingest path would.

The articles are replayed in the order they were first stored (the ingest order), so the result
is the one the online path gave. Each article is read as stored now (its latest version), and
only its ``story_id`` is written back, onto the version stored at that moment
(:meth:`StoryStore.assign_stories`), so an article a crawler changed meanwhile keeps its new
content. Changed articles (those a story split moved out of an earlier batch too) and every story
document are indexed again. Either store engine.
"""

from __future__ import annotations

import argparse
import sys
import time

from tidings.cli.common import check_index, settings_from
from tidings.cli.errors import UsageError
from tidings.core.index import open_index
from tidings.core.store import open_store
from tidings.core.stories.ingest import book_for
from tidings.core.sync import index_pending

BATCH = 500


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "restory", help="group stored articles into stories again (same order as ingest)"
    )
    p.set_defaults(func=cmd_restory)


def cmd_restory(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not settings.store_exists:
        raise UsageError(f"no store at {settings.db_path} (crawl or import first)")
    check_index(settings)
    started = time.perf_counter()
    total = changed = 0
    with open_store(settings) as store:
        index = open_index(settings, writable=True)
        try:
            index_pending(store, index)
            book = book_for(store)
            book.reset(store)
            for batch in store.iter_articles(BATCH):
                for record in batch:
                    record.pop("story_id", None)
                book.place(store, batch)
                result = store.assign_stories(  # an article placing failed on stays unplaced
                    {r["id"]: r["story_id"] for r in batch if "story_id" in r}, track_index=True
                )
                if result.articles and result.version is not None:
                    index.upsert(result.articles)
                    store.mark_indexed({a["id"]: result.version for a in result.articles})
                total += len(batch)
                changed += len(result.updated)
            index_pending(store, index)  # articles a split moved out of earlier batches too
        finally:
            index.close()
        stories = store.story_count()
    print(
        f"restoried {total} articles into {stories} stories ({changed} changed story) "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0
