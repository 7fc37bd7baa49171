"""PostgreSQL's part of the crawl log (the rest is :mod:`tidings.core.store.crawl_log`).

On PostgreSQL the shared crawl log's writes take no articles lock (its ``transaction()``):
fetch states are ``ON CONFLICT`` upserts written in URL order, errors and runs are appends.
"""

from __future__ import annotations

import json
from typing import Any

from tidings.core.store.crawl_log import SqlCrawlLog
from tidings.core.store.postgres_db import PostgresDatabase

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
    """The crawl log's PostgreSQL part: per-source health in one statement."""

    _pg: PostgresDatabase

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
