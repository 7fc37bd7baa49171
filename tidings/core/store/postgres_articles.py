"""PostgreSQL half of the store that keeps articles, their clusters and the index's pending marks.

The decisions are :mod:`tidings.core.store.upserts`' (the same as SQLite's); this module reads
the stored rows and writes the outcome, inside one transaction that holds the articles lock of
:mod:`tidings.core.store.postgres_db`, so concurrent writers on many hosts decide in turn.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import Any

import psycopg

from tidings.core.fingerprint import bands
from tidings.core.store.base import (
    DeleteResult,
    UpsertResult,
)
from tidings.core.store.postgres_db import PostgresDatabase
from tidings.core.store.postgres_lookups import BatchLookups, batch_lookups
from tidings.core.store.sql_articles import SqlArticles
from tidings.core.store.upserts import Write


def _topic_ids(record: dict[str, Any]) -> list[str]:
    """The distinct topic ids of a record (what ``article_topics`` keeps per article)."""
    topics = record.get("topics") or []
    ids = (t.get("id") for t in topics if isinstance(t, dict) and t.get("id") is not None)
    return list(dict.fromkeys(str(tid) for tid in ids))


class PostgresArticles(SqlArticles):
    """Articles in ``articles`` (the record as JSON text beside the columns queries need,
    ``seq`` keeping first-stored order), LSH band keys in ``fingerprint_bands``, topic ids in
    ``article_topics``, pending marks in ``index_pending``."""

    _pg: PostgresDatabase
    _row_order = "seq"

    # -- writes ----------------------------------------------------------------------------

    def _lookups(
        self, db: psycopg.Connection[Any], batch: list[dict[str, Any]]
    ) -> AbstractContextManager[BatchLookups]:
        """The batch's rows read ahead in one round trip, its writes pipelined behind."""
        return batch_lookups(db, self, batch)

    @staticmethod
    def _write(db: psycopg.Connection[Any], write: Write, now: str, result: UpsertResult) -> None:
        record, aid = write.record, write.id
        values = {
            "id": aid, "canonical_url": record["canonical_url"],
            "content_hash": write.content_hash, "source_id": write.source_id,
            "published_at": write.date("published_at"), "fetched_at": write.date("fetched_at"),
            "cluster_id": record["cluster_id"], "fingerprint": record["fingerprint"],
            "updated_at": write.date("updated_at"), "stored_updated_at": now,
            "record": json.dumps(record, ensure_ascii=False),
        }  # fmt: skip
        columns = ", ".join(values)
        if write.stored is None:
            placeholders = ", ".join(f"%({name})s" for name in values)
            db.execute(f"INSERT INTO articles ({columns}) VALUES ({placeholders})", values)
            result.inserted.append(aid)
        else:
            assignments = ", ".join(f"{name} = %({name})s" for name in values if name != "id")
            db.execute(f"UPDATE articles SET {assignments} WHERE id = %(id)s", values)
            db.execute("DELETE FROM fingerprint_bands WHERE article_id = %s", (aid,))
            db.execute("DELETE FROM article_topics WHERE article_id = %s", (aid,))
            result.updated.append(aid)
        with db.cursor() as cur:
            if record["fingerprint"]:
                cur.executemany(
                    "INSERT INTO fingerprint_bands (band, article_id) VALUES (%s, %s)",
                    [(band, aid) for band in bands(record["fingerprint"])],
                )
            if topics := _topic_ids(record):
                cur.executemany(
                    "INSERT INTO article_topics (article_id, topic_id) VALUES (%s, %s)",
                    [(aid, tid) for tid in topics],
                )
        result.articles.append(record)

    def delete(self, ids: list[str], *, track_index: bool = False) -> DeleteResult:
        if not ids:
            return DeleteResult(0)
        unique = list(dict.fromkeys(ids))
        with self._pg.write() as db:
            removed = db.execute("DELETE FROM articles WHERE id = ANY(%s)", (unique,)).rowcount
            db.execute("DELETE FROM story_articles WHERE article_id = ANY(%s)", (unique,))
            version = self._mark_pending(db, unique) if track_index else None
        return DeleteResult(removed, version)

    # -- reads -----------------------------------------------------------------------------

    def get_many(self, ids: list[str]) -> list[dict[str, Any]]:
        unique = list(dict.fromkeys(ids))
        rows = self._pg.query("SELECT id, record FROM articles WHERE id = ANY(%s)", (unique,))
        found = {row["id"]: json.loads(row["record"]) for row in rows}
        return [found[aid] for aid in ids if aid in found]

    def source_counts(self) -> list[dict[str, Any]]:
        rows = self._pg.query(
            "SELECT a.source_id, COUNT(*) AS n, (SELECT b.record::json -> 'source' "
            "FROM articles AS b WHERE b.source_id = a.source_id LIMIT 1) AS ref "
            "FROM articles AS a WHERE a.source_id IS NOT NULL GROUP BY a.source_id "
            "ORDER BY n DESC, a.source_id"
        )
        out = []
        for row in rows:
            source = row["ref"] if isinstance(row["ref"], dict) else {}
            out.append({"id": row["source_id"], "name": source.get("name"),
                        "domain": source.get("domain"), "articles": int(row["n"])})  # fmt: skip
        return out

    def cluster_members(self, cluster_id: str) -> list[dict[str, Any]]:
        rows = self._pg.query(
            "SELECT id, record::json ->> 'title' AS title, record::json ->> 'url' AS url, "
            "record::json -> 'source' AS source FROM articles WHERE cluster_id = %s "
            "ORDER BY seq",
            (cluster_id,),
        )
        return [
            {"id": r["id"], "title": r["title"], "url": r["url"], "source": r["source"]}
            for r in rows
        ]
