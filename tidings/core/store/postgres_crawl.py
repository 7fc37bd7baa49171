"""PostgreSQL half of the store that keeps crawl bookkeeping: fetch state, errors, runs, health.

Nothing here takes the articles lock: fetch states are ``ON CONFLICT`` upserts (written in
URL order, so two hosts writing overlapping batches cannot deadlock), errors and runs are
appends.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import psycopg

from tidings.core.store.base import FetchState
from tidings.core.store.crawl_log import SqlCrawlLog
from tidings.core.store.postgres_db import PostgresDatabase

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
    "SELECT %s, %s, %s, %s, %s, %s, %s, content_hash, id FROM articles "
    "WHERE canonical_url = %s" + _UPSERT_STATE
)
_OTHER_STATE = (
    f"INSERT INTO fetch_state ({_STATE_COLUMNS}, content_hash, article_id) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, NULL, NULL)" + _UPSERT_STATE
)


def put_fetch_states(db: psycopg.Connection[Any], states: Sequence[FetchState]) -> None:
    """Insert or replace fetch states inside a transaction: a page's state takes the id and
    content hash of the article stored under its canonical URL (and is not written when no
    such article is stored); feeds and sitemaps have neither."""
    with db.cursor() as cur:
        for state in sorted(states, key=lambda s: s.url):
            values = (
                state.url, state.source_id, state.etag, state.last_modified, state.status,
                state.fetched_at, state.seen_modified,
            )  # fmt: skip
            if state.canonical_url is None:
                cur.execute(_OTHER_STATE, values)
            else:
                cur.execute(_PAGE_STATE, (*values, state.canonical_url))


#: Per source with runs or errors: its newest run, newest ok run's end, newest error and error
#: counts by kind, in one statement.
_HEALTH = """
WITH ids AS (
    SELECT source_id FROM source_runs
    UNION SELECT source_id FROM crawl_errors WHERE source_id IS NOT NULL
)
SELECT ids.source_id,
    (SELECT max(finished_at) FROM source_runs r WHERE r.source_id = ids.source_id AND ok = 1)
        AS last_success,
    (SELECT json_build_object('started_at', started_at, 'finished_at', finished_at,
            'finish_reason', finish_reason, 'counts', counts)
        FROM source_runs r WHERE r.source_id = ids.source_id ORDER BY id DESC LIMIT 1)
        AS last_run,
    (SELECT json_build_object('at', at, 'kind', kind, 'message', message, 'url', url)
        FROM crawl_errors e WHERE e.source_id = ids.source_id ORDER BY id DESC LIMIT 1)
        AS last_error,
    (SELECT json_object_agg(kind, n ORDER BY kind) FROM (SELECT kind, count(*) AS n
        FROM crawl_errors e WHERE e.source_id = ids.source_id GROUP BY kind) k)
        AS error_counts
FROM ids ORDER BY ids.source_id
"""


class PostgresCrawlLog(SqlCrawlLog):
    """The crawl log's PostgreSQL parts: fetch states in URL order, health in one statement."""

    _pg: PostgresDatabase

    def put_fetch_states(self, states: list[FetchState]) -> None:
        if not states:
            return
        with self._pg.transaction() as db:
            put_fetch_states(db, states)

    def source_health(self) -> list[dict[str, Any]]:
        out = []
        for row in self._pg.query(_HEALTH):
            last_run = row["last_run"]
            if last_run is not None:
                last_run.update(json.loads(last_run.pop("counts")))
            out.append({
                "source_id": row["source_id"],
                "last_success": row["last_success"],
                "last_error": row["last_error"],
                "error_counts": row["error_counts"] or {},
                "last_run": last_run,
            })  # fmt: skip
        return out
