"""The article methods whose SQL is the same on SQLite and PostgreSQL, written once against
:class:`tidings.core.store.sql_db.SqlDatabase` (``?`` placeholders). What differs stays in
the engine modules: id lists (``IN`` vs ``ANY``) where a list's length varies, JSON functions,
upserts, locks; the row order column (``rowid`` vs ``seq``) is the engine's ``_row_order``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from tidings.core.store.base import ArticleStore, FetchState, PendingWrite, UpsertResult
from tidings.core.store.crawl_log import put_fetch_states
from tidings.core.store.sql_db import SqlDatabase
from tidings.core.store.sql_pages import clear_marks, keyset_pages, pending_rows
from tidings.core.store.upserts import (
    Lookups,
    RowLookups,
    StoredArticle,
    column_date,
    run_upsert,
)


def stored_article(row: Mapping[str, Any]) -> StoredArticle:
    """An ``articles`` row (id, content_hash, cluster_id, fingerprint, source_id, record) as
    the upsert's :class:`StoredArticle`, on either engine."""
    return StoredArticle(
        row["id"], row["content_hash"], row["cluster_id"], row["fingerprint"],
        row["source_id"], json.loads(row["record"]),
    )  # fmt: skip


class SqlCopies:
    """The cluster lookups of :func:`tidings.core.fingerprint.cluster_for`, on one upsert's
    transaction ``conn`` of either engine (rows addressable by column name on both)."""

    def __init__(self, conn: Any, placeholders: Callable[[str], str], row_order: str) -> None:
        self._conn, self._sql, self._order = conn, placeholders, row_order

    def exact_copy_cluster(self, chash: str, aid: str) -> str | None:
        row = self._conn.execute(
            self._sql(
                "SELECT cluster_id FROM articles WHERE content_hash = ? AND id != ? "
                f"ORDER BY {self._order} LIMIT 1"
            ),
            (chash, aid),
        ).fetchone()
        return None if row is None else str(row["cluster_id"])

    def band_candidates(
        self, keys: Sequence[str], aid: str, limit: int
    ) -> list[tuple[str, str | None]]:
        # the number of band keys is fixed (fingerprint.bands), so one statement text per engine
        rows = self._conn.execute(
            self._sql(
                "SELECT a.cluster_id, a.fingerprint FROM articles a WHERE a.id IN ("
                "SELECT DISTINCT article_id FROM fingerprint_bands "
                f"WHERE band IN ({','.join('?' * len(keys))}) AND article_id != ? LIMIT ?"
                f") ORDER BY a.{self._order}"
            ),
            (*keys, aid, limit),
        ).fetchall()
        return [(str(row["cluster_id"]), row["fingerprint"]) for row in rows]


class SqlArticles(ArticleStore):
    """Shared article methods; an engine sets ``_db`` and adds the steps of an upsert
    (:class:`tidings.core.store.upserts.UpsertSteps`) that its SQL makes its own."""

    _db: SqlDatabase
    #: The column that keeps first-stored order, in ``articles`` and ``index_pending`` alike.
    _row_order: str

    def iter_articles(self, batch_size: int = 500) -> Iterator[list[dict[str, Any]]]:
        # keyset paging on the stored order: an update keeps its row, and its place
        return keyset_pages(self._db, "articles", self._row_order, 0, batch_size)

    def _mark_pending(self, db: Any, ids: list[str]) -> int:
        """Mark ``ids`` pending in the index under a new write version (``db``: a write
        transaction of this engine, which holds the articles lock).

        The version comes from a counter that only grows, so a mark set after an index write
        read its batch never carries that batch's version, even for a deleted and re-added id.
        """
        row = db.execute(
            "INSERT INTO index_clock (id, version) VALUES (1, 1) ON CONFLICT (id) "
            "DO UPDATE SET version = index_clock.version + 1 RETURNING version"
        ).fetchone()
        version = int(row["version"])
        db.cursor().executemany(
            self._db.placeholders(
                "INSERT INTO index_pending (article_id, version) VALUES (?, ?) "
                "ON CONFLICT (article_id) DO UPDATE SET version = excluded.version"
            ),
            [(aid, version) for aid in ids],
        )
        return version

    def mark_indexed(self, indexed: Mapping[str, int]) -> None:
        if not indexed:
            return
        with self._db.write() as db:
            clear_marks(db, self._db, "index_pending", "article_id", indexed)

    def pending_writes(self, limit: int = 500) -> list[PendingWrite]:
        order = f"p.{self._row_order}"
        rows = pending_rows(self._db, "index_pending", "article_id", "articles", order, limit)
        return [PendingWrite(*row) for row in rows]

    def upsert(
        self,
        articles: list[dict[str, Any]],
        *,
        fetch_states: list[FetchState] | None = None,
        track_index: bool = False,
    ) -> UpsertResult:
        return run_upsert(self._db.write(), self, articles, fetch_states, track_index)

    def _copies(self, db: Any) -> SqlCopies:
        """The cluster lookups on the upsert's transaction ``db``."""
        return SqlCopies(db, self._db.placeholders, self._row_order)

    def _lookups(self, db: Any, batch: list[dict[str, Any]]) -> AbstractContextManager[Lookups]:
        """The batch's reads one statement at a time (an engine may read ahead instead)."""
        return nullcontext(RowLookups(self, db))

    def _stored(self, db: Any, record: dict[str, Any]) -> StoredArticle | None:
        """The stored row with the record's id, else with its canonical URL (``db``: the
        upsert's transaction, a connection of this engine)."""
        row = db.execute(
            self._db.placeholders(
                "SELECT id, content_hash, cluster_id, fingerprint, source_id, record "
                "FROM articles WHERE id = ? OR canonical_url = ? ORDER BY id = ? DESC LIMIT 1"
            ),
            (record["id"], record["canonical_url"], record["id"]),
        ).fetchone()
        return None if row is None else stored_article(row)

    def _put_fetch_states(self, db: Any, states: Sequence[FetchState]) -> None:
        """Record the upsert's fetch states in its transaction ``db``."""
        put_fetch_states(db, states, self._db.placeholders)

    def get(self, aid: str) -> dict[str, Any] | None:
        rows = self._db.select("SELECT record FROM articles WHERE id = ?", (aid,))
        return json.loads(rows[0]["record"]) if rows else None

    def ids_older_than(self, cutoff: str, limit: int = 1000) -> list[str]:
        rows = self._db.select(
            "SELECT id FROM articles WHERE COALESCE(published_at, fetched_at) < ? LIMIT ?",
            (column_date(cutoff), limit),
        )
        return [row["id"] for row in rows]

    def count(self) -> int:
        return int(self._db.select("SELECT COUNT(*) AS n FROM articles")[0]["n"])

    def topic_counts(self) -> list[tuple[str, int]]:
        rows = self._db.select(
            "SELECT topic_id, COUNT(*) AS n FROM article_topics GROUP BY topic_id "
            "ORDER BY n DESC, topic_id"
        )
        return [(str(row["topic_id"]), int(row["n"])) for row in rows]
