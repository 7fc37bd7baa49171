"""SQLite half of the store that keeps articles, their clusters and the index's pending marks."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tidings.core.fingerprint import bands
from tidings.core.store.base import (
    DeleteResult,
    UpsertResult,
)
from tidings.core.store.sql_articles import SqlArticles
from tidings.core.store.sqlite_db import SqliteDatabase
from tidings.core.store.upserts import Write


class SqliteArticles(SqlArticles):
    """Articles in ``articles`` (the record as JSON beside the columns queries need), LSH
    band keys in ``fingerprint_bands``, pending marks in ``index_pending``."""

    _sql: SqliteDatabase
    _row_order = "rowid"

    # -- writes ----------------------------------------------------------------------------

    @staticmethod
    def _write(db: sqlite3.Connection, write: Write, now: str, result: UpsertResult) -> None:
        record, aid = write.record, write.id
        values = (
            record["canonical_url"], write.content_hash, write.source_id,
            write.date("published_at"), write.date("fetched_at"), record["cluster_id"],
            record["fingerprint"], write.date("updated_at"), now,
            json.dumps(record, ensure_ascii=False), aid,
        )  # fmt: skip
        if write.stored is None:
            db.execute(
                "INSERT INTO articles (canonical_url, content_hash, source_id, published_at, "
                "fetched_at, cluster_id, fingerprint, updated_at, stored_updated_at, record, id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            result.inserted.append(aid)
        else:
            db.execute(
                "UPDATE articles SET canonical_url = ?, content_hash = ?, source_id = ?, "
                "published_at = ?, fetched_at = ?, cluster_id = ?, fingerprint = ?, "
                "updated_at = ?, stored_updated_at = ?, record = ? WHERE id = ?",
                values,
            )
            db.execute("DELETE FROM fingerprint_bands WHERE article_id = ?", (aid,))
            result.updated.append(aid)
        if record["fingerprint"]:
            db.executemany(
                "INSERT INTO fingerprint_bands (band, article_id) VALUES (?, ?)",
                [(band, aid) for band in bands(record["fingerprint"])],
            )
        result.articles.append(record)

    def delete(self, ids: list[str], *, track_index: bool = False) -> DeleteResult:
        if not ids:
            return DeleteResult(0)
        with self._sql.write() as db:
            removed = 0
            for aid in ids:
                removed += db.execute("DELETE FROM articles WHERE id = ?", (aid,)).rowcount
                db.execute("DELETE FROM fingerprint_bands WHERE article_id = ?", (aid,))
                db.execute("DELETE FROM story_articles WHERE article_id = ?", (aid,))
            version = self._mark_pending(db, list(dict.fromkeys(ids))) if track_index else None
        return DeleteResult(removed, version)

    # -- reads -----------------------------------------------------------------------------

    def get_many(self, ids: list[str]) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = self._sql.query(
                f"SELECT id, record FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
                tuple(chunk),
            )
            found.update((row[0], json.loads(row[1])) for row in rows)
        return [found[aid] for aid in ids if aid in found]

    def source_counts(self) -> list[dict[str, Any]]:
        rows = self._sql.query(
            "SELECT a.source_id, COUNT(*) AS n, (SELECT json_extract(b.record, '$.source') "
            "FROM articles AS b WHERE b.source_id = a.source_id LIMIT 1) FROM articles AS a "
            "WHERE a.source_id IS NOT NULL GROUP BY a.source_id ORDER BY n DESC, a.source_id"
        )
        out = []
        for sid, count, ref in rows:
            source = json.loads(ref) if ref else None
            source = source if isinstance(source, dict) else {}
            out.append({"id": sid, "name": source.get("name"), "domain": source.get("domain"),
                        "articles": int(count)})  # fmt: skip
        return out

    def cluster_members(self, cluster_id: str) -> list[dict[str, Any]]:
        rows = self._sql.query(
            "SELECT id, json_extract(record, '$.title'), json_extract(record, '$.url'), "
            "json_extract(record, '$.source') FROM articles WHERE cluster_id = ? ORDER BY rowid",
            (cluster_id,),
        )
        return [
            {"id": r[0], "title": r[1], "url": r[2], "source": json.loads(r[3]) if r[3] else None}
            for r in rows
        ]
