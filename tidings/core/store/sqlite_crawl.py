"""SQLite's part of the crawl log (the rest is :mod:`tidings.core.store.crawl_log`): health."""

from __future__ import annotations

import json
from typing import Any

from tidings.core.store.crawl_log import SqlCrawlLog
from tidings.core.store.sqlite_db import SqliteDatabase


class SqliteCrawlLog(SqlCrawlLog):
    """The crawl log's SQLite part: per-source health, one query per part."""

    _sql: SqliteDatabase

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
