"""The crawl log written once for every engine: its statements (fetch-state upserts included:
``ON CONFLICT … excluded`` is the same on both) are the same SQL on SQLite and PostgreSQL, so
they live here, against :class:`SqlDatabase`, which each engine's database module provides.
Per-source health stays in the engines (PostgreSQL answers it in one statement)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from tidings.core.article import utc_now
from tidings.core.store.base import CrawlLog, FetchState
from tidings.core.store.sql_db import SqlDatabase

_STATE_COLUMNS = "url, source_id, etag, last_modified, status, fetched_at, seen_modified"
_UPSERT_STATE = (
    " ON CONFLICT (url) DO UPDATE SET source_id = excluded.source_id, "
    "etag = excluded.etag, last_modified = excluded.last_modified, "
    "status = excluded.status, fetched_at = excluded.fetched_at, "
    "seen_modified = excluded.seen_modified, content_hash = excluded.content_hash, "
    "article_id = excluded.article_id"
)
_PAGE_STATE = (
    f"INSERT INTO fetch_state ({_STATE_COLUMNS}, content_hash, article_id) "
    "SELECT ?, ?, ?, ?, ?, ?, ?, content_hash, id FROM articles "
    "WHERE canonical_url = ?" + _UPSERT_STATE
)
_OTHER_STATE = (
    f"INSERT INTO fetch_state ({_STATE_COLUMNS}, content_hash, article_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)" + _UPSERT_STATE
)


def put_fetch_states(
    db: Any, states: Sequence[FetchState], placeholders: Callable[[str], str]
) -> None:
    """Insert or replace fetch states inside the transaction ``db``: a page's state takes the
    id and content hash of the article stored under its canonical URL (and is not written when
    no such article is stored); feeds and sitemaps have neither. In URL order, so two
    PostgreSQL hosts writing overlapping batches cannot deadlock."""
    page, other = placeholders(_PAGE_STATE), placeholders(_OTHER_STATE)
    for state in sorted(states, key=lambda s: s.url):
        values = (
            state.url, state.source_id, state.etag, state.last_modified, state.status,
            state.fetched_at, state.seen_modified,
        )  # fmt: skip
        if state.canonical_url is None:
            db.execute(other, values)
        else:
            db.execute(page, (*values, state.canonical_url))


class SqlCrawlLog(CrawlLog):
    """Crawl bookkeeping in ``fetch_state``, ``crawl_errors`` and ``source_runs``; an engine
    sets ``_db`` and adds ``source_health``."""

    _db: SqlDatabase

    def put_fetch_states(self, states: list[FetchState]) -> None:
        if not states:
            return
        with self._db.transaction() as db:
            put_fetch_states(db, states, self._db.placeholders)

    def note_not_modified(self, url: str, fetched_at: str, seen_modified: str | None) -> None:
        self._db.execute(
            "UPDATE fetch_state SET status = 304, fetched_at = ?, "
            "seen_modified = COALESCE(?, seen_modified) WHERE url = ?",
            (fetched_at, seen_modified, url),
        )

    def fetch_state(self, url: str) -> dict[str, Any] | None:
        rows = self._db.select(
            "SELECT f.*, a.id IS NOT NULL AS stored FROM fetch_state f "
            "LEFT JOIN articles a ON a.id = f.article_id WHERE f.url = ?",
            (url,),
        )
        if not rows:
            return None
        state = dict(rows[0])
        state["stored"] = bool(state["stored"])  # SQLite answers 0/1
        return state

    def record_error(self, source_id: str | None, url: str | None, kind: str, message: str) -> None:
        self._db.execute(
            "INSERT INTO crawl_errors (source_id, url, kind, message, at) VALUES (?, ?, ?, ?, ?)",
            (source_id, url, kind, message, utc_now()),
        )

    def errors(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self._db.select(
            "SELECT id, source_id, url, kind, message, at FROM crawl_errors "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [dict(row) for row in rows]

    def record_source_run(
        self,
        source_id: str,
        started_at: str,
        finished_at: str,
        finish_reason: str | None,
        counts: dict[str, Any],
        ok: bool,
    ) -> None:
        self._db.execute(
            "INSERT INTO source_runs (source_id, started_at, finished_at, finish_reason, "
            "ok, counts) VALUES (?, ?, ?, ?, ?, ?)",
            (source_id, started_at, finished_at, finish_reason, int(ok),
             json.dumps(counts, sort_keys=True)),
        )  # fmt: skip

    def last_finished_runs(self) -> dict[str, str]:
        rows = self._db.select(
            "SELECT source_id, MAX(finished_at) AS at FROM source_runs "
            "WHERE finish_reason = 'finished' GROUP BY source_id"
        )
        return {row["source_id"]: row["at"] for row in rows}
