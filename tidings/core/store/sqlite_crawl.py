"""SQLite half of the store that keeps crawl bookkeeping: fetch state, errors, runs, health."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tidings.core.store.base import FetchState
from tidings.core.store.crawl_log import SqlCrawlLog
from tidings.core.store.sqlite_db import SqliteDatabase

_UPSERT_STATE = (
    " ON CONFLICT(url) DO UPDATE SET source_id = excluded.source_id, "
    "etag = excluded.etag, last_modified = excluded.last_modified, "
    "status = excluded.status, fetched_at = excluded.fetched_at, "
    "seen_modified = excluded.seen_modified, content_hash = excluded.content_hash, "
    "article_id = excluded.article_id"
)


def put_fetch_state(db: sqlite3.Connection, state: FetchState) -> None:
    """Insert or replace one URL's fetch state, inside a write transaction; a page's state
    takes the id and content hash of the article stored under its canonical URL (and is not
    written when no such article is stored)."""
    values = (
        state.url, state.source_id, state.etag, state.last_modified, state.status,
        state.fetched_at, state.seen_modified,
    )  # fmt: skip
    if state.canonical_url is None:
        db.execute(
            "INSERT INTO fetch_state (url, source_id, etag, last_modified, status, "
            "fetched_at, seen_modified, content_hash, article_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)" + _UPSERT_STATE,
            values,
        )
        return
    db.execute(
        "INSERT INTO fetch_state (url, source_id, etag, last_modified, status, fetched_at, "
        "seen_modified, content_hash, article_id) "
        "SELECT ?, ?, ?, ?, ?, ?, ?, content_hash, id FROM articles WHERE canonical_url = ?"
        + _UPSERT_STATE,
        (*values, state.canonical_url),
    )


class SqliteCrawlLog(SqlCrawlLog):
    """The crawl log's SQLite parts: fetch states and per-source health (one query per part)."""

    _sql: SqliteDatabase

    def put_fetch_states(self, states: list[FetchState]) -> None:
        if not states:
            return
        with self._sql.write() as db:
            for state in states:
                put_fetch_state(db, state)

    def source_health(self) -> list[dict[str, Any]]:
        ids = [
            row[0]
            for row in self._sql.query(
                "SELECT source_id FROM source_runs UNION "
                "SELECT source_id FROM crawl_errors WHERE source_id IS NOT NULL ORDER BY 1"
            )
        ]
        return [self._health_of(sid) for sid in ids]

    def _health_of(self, source_id: str) -> dict[str, Any]:
        query = self._sql.query
        run = query(
            "SELECT started_at, finished_at, finish_reason, counts FROM source_runs "
            "WHERE source_id = ? ORDER BY id DESC LIMIT 1",
            (source_id,),
        )
        success = query(
            "SELECT MAX(finished_at) FROM source_runs WHERE source_id = ? AND ok = 1",
            (source_id,),
        )[0][0]
        error = query(
            "SELECT at, kind, message, url FROM crawl_errors WHERE source_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (source_id,),
        )
        counts = query(
            "SELECT kind, COUNT(*) FROM crawl_errors WHERE source_id = ? GROUP BY kind "
            "ORDER BY kind",
            (source_id,),
        )
        last_run = None
        if run:
            last_run = {k: run[0][k] for k in ("started_at", "finished_at", "finish_reason")}
            last_run.update(json.loads(run[0]["counts"]))
        return {
            "source_id": source_id,
            "last_success": success,
            "last_error": dict(error[0]) if error else None,
            "error_counts": {row[0]: row[1] for row in counts},
            "last_run": last_run,
        }
