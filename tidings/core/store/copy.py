"""Move a SQLite store into PostgreSQL with every row as it is: ``tidings store copy --to URL``.

Why rows and not records: upserting the records again would decide clusters and
stories anew (in another order they can differ) and would leave fetch state, crawl history,
the story clusterer's state and pending index marks behind. The engines keep the same tables
and columns (schema :data:`SCHEMA_VERSION` on both), so each table is streamed across with
PostgreSQL's ``COPY``, articles and pending marks in their first-stored order, all in one
transaction that holds the articles lock: the copy is whole or absent. The target must hold
no articles, marks, stories or crawl state yet.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tidings.core.store.base import StoreError
from tidings.core.store.postgres import PostgresStore
from tidings.core.store.sqlite import SqliteStore

#: table -> (columns, SQLite order): every table of the store, parents before children.
TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "articles": (
        (
            "id",
            "canonical_url",
            "content_hash",
            "source_id",
            "published_at",
            "fetched_at",
            "cluster_id",
            "fingerprint",
            "updated_at",
            "stored_updated_at",
            "record",
        ),
        "rowid",
    ),  # fmt: skip
    "fingerprint_bands": (("band", "article_id"), "rowid"),
    "article_topics": (("article_id", "topic_id"), "article_id, topic_id"),
    "index_pending": (("article_id", "version"), "rowid"),
    "index_clock": (("id", "version"), "id"),
    "crawl_errors": (("id", "source_id", "url", "kind", "message", "at"), "id"),
    "fetch_state": (
        (
            "url",
            "source_id",
            "etag",
            "last_modified",
            "status",
            "fetched_at",
            "seen_modified",
            "content_hash",
            "article_id",
        ),
        "url",
    ),  # fmt: skip
    "source_runs": (
        ("id", "source_id", "started_at", "finished_at", "finish_reason", "ok", "counts"),
        "id",
    ),
    "story_articles": (("article_id", "story_id", "seq"), "seq"),
    "stories": (("id", "last_seen", "articles", "record"), "id"),
    "story_state": (("id", "seq", "state"), "id"),
    "story_journal": (("seq", "entries"), "seq"),
    "story_pending": (("story_id", "version"), "version, story_id"),
    "site_pages": (("source_id", "pages"), "source_id"),
    "site_lines": (("source_id", "line_key", "pages"), "source_id, line_key"),
}
#: Tables whose ids are copied as they are: their id sequences continue after the largest.
_IDENTITIES = ("crawl_errors", "source_runs")


def copy_to_postgres(db_path: Path, url: str) -> dict[str, int]:
    """Copy the SQLite store at ``db_path`` into the empty PostgreSQL store at ``url``;
    rows copied per table. Raises :class:`StoreError` when the target is not empty."""
    SqliteStore(db_path).close()  # brings an older SQLite file to the current schema first
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    target = PostgresStore(url, pool_max=1)
    copied: dict[str, int] = {}
    try:
        with target._pg.write() as db:  # the articles lock: no writer runs meanwhile
            filled = [t for t in TABLES if db.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()]
            if filled:
                raise StoreError(
                    f"the PostgreSQL store is not empty ({', '.join(filled)} hold rows); "
                    "copy into a new database"
                )
            for table, (columns, order) in TABLES.items():
                names = ", ".join(columns)
                rows = source.execute(f"SELECT {names} FROM {table} ORDER BY {order}")
                with db.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    copied[table] = 0
                    for row in rows:
                        copy.write_row(row)
                        copied[table] += 1
            for table in _IDENTITIES:
                db.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
    finally:
        source.close()
        target.close()
    return copied
