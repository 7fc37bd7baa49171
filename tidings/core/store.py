"""The store of record: every article once, in SQLite, with its near-duplicate cluster.

The search index is derived from this store and can be rebuilt from it, so this is where an
article's identity (id, canonical URL), its content hash and its cluster are decided. WAL mode
lets API processes read while one crawler writes; ``busy_timeout`` makes writers queue instead
of failing when two briefly overlap.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from tidings.core.article import article_id, utc_now
from tidings.core.fingerprint import SAME_STORY, bands, fingerprint, similarity

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 30_000
#: Bodies shorter than this are not fingerprinted or matched on exact content: short texts
#: ("Live updates", a one-line brief) are too alike across stories to call them copies.
MIN_WORDS = 30
#: At most this many articles sharing an LSH band are compared (boilerplate-heavy bands).
MAX_CANDIDATES = 500
#: Fields that may change without the article counting as changed (a re-crawl sets them anew).
VOLATILE_FIELDS = ("fetched_at", "cluster_id")

_SPACE = re.compile(r"\s+")

#: One row per (article, topic id), kept by triggers on ``articles`` (so every write path keeps
#: it true), for exact per-topic counts without reading every record. Created, and filled from
#: the stored records, when a database lacks it (see ``_ensure_topic_rows``); triggers hold
#: ``;``, so these are separate statements.
_TOPIC_ROWS = (
    "SELECT NEW.id, json_extract(t.value, '$.id') FROM json_each(NEW.record, '$.topics') AS t "
    "WHERE t.type = 'object' AND json_extract(t.value, '$.id') IS NOT NULL"
)
_TOPICS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS article_topics (article_id TEXT NOT NULL, topic_id TEXT NOT "
    "NULL, PRIMARY KEY (article_id, topic_id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS article_topics_topic ON article_topics (topic_id)",
    "CREATE TRIGGER IF NOT EXISTS article_topics_insert AFTER INSERT ON articles BEGIN "
    f"INSERT OR IGNORE INTO article_topics {_TOPIC_ROWS}; END",
    "CREATE TRIGGER IF NOT EXISTS article_topics_update AFTER UPDATE OF record ON articles BEGIN "
    "DELETE FROM article_topics WHERE article_id = OLD.id; "
    f"INSERT OR IGNORE INTO article_topics {_TOPIC_ROWS}; END",
    "CREATE TRIGGER IF NOT EXISTS article_topics_delete AFTER DELETE ON articles BEGIN "
    "DELETE FROM article_topics WHERE article_id = OLD.id; END",
    "INSERT OR IGNORE INTO article_topics "
    + _TOPIC_ROWS.replace("NEW.", "a.").replace("FROM json_each", "FROM articles AS a, json_each"),
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    canonical_url TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    source_id TEXT,
    published_at TEXT,
    fetched_at TEXT,
    cluster_id TEXT NOT NULL,
    fingerprint TEXT,
    updated_at TEXT,
    stored_updated_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_content_hash ON articles (content_hash);
CREATE INDEX IF NOT EXISTS articles_cluster ON articles (cluster_id);
CREATE INDEX IF NOT EXISTS articles_source ON articles (source_id, published_at);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published_at);
CREATE TABLE IF NOT EXISTS fingerprint_bands (
    band TEXT NOT NULL,
    article_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fingerprint_bands_band ON fingerprint_bands (band);
CREATE INDEX IF NOT EXISTS fingerprint_bands_article ON fingerprint_bands (article_id);
CREATE TABLE IF NOT EXISTS crawl_errors (
    id INTEGER PRIMARY KEY,
    source_id TEXT,
    url TEXT,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS crawl_errors_at ON crawl_errors (at);
CREATE INDEX IF NOT EXISTS crawl_errors_source ON crawl_errors (source_id, kind);
CREATE TABLE IF NOT EXISTS fetch_state (
    url TEXT PRIMARY KEY,
    source_id TEXT,
    etag TEXT,
    last_modified TEXT,
    status INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    seen_modified TEXT,
    content_hash TEXT,
    article_id TEXT
);
CREATE INDEX IF NOT EXISTS fetch_state_article ON fetch_state (article_id);
CREATE TABLE IF NOT EXISTS index_pending (
    article_id TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS source_runs (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    finish_reason TEXT,
    ok INTEGER NOT NULL,
    counts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS source_runs_source ON source_runs (source_id, id);
"""
#: Schema 2 adds fetch_state, index_pending and source_runs: created by the statements above
#: (all IF NOT EXISTS), so a version-1 database migrates by running them again.


@dataclass(frozen=True)
class FetchState:
    """What we know about one fetched URL, for conditional GET and incremental crawls.

    ``seen_modified`` is the newest date the feed or sitemap gave for the URL when it was
    fetched, so a later crawl can tell whether they say it changed since.
    ``canonical_url`` links an article page to its stored record (None for feeds and sitemaps).
    """

    url: str
    status: int
    fetched_at: str
    source_id: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    seen_modified: str | None = None
    canonical_url: str | None = None


class StoreError(RuntimeError):
    """The database cannot be used by this version of Tidings."""


@dataclass
class UpsertResult:
    """What one :meth:`Store.upsert` did; ``articles`` are the records to index next."""

    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)


def content_hash(record: dict[str, Any]) -> str:
    """sha256 of title and body with whitespace normalised: equal text, equal hash."""
    title = _SPACE.sub(" ", str(record.get("title") or "")).strip()
    body = _SPACE.sub(" ", str(record.get("body") or "")).strip()
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def _long_enough(record: dict[str, Any]) -> bool:
    return len(str(record.get("body") or "").split()) >= MIN_WORDS


def record_fingerprint(record: dict[str, Any]) -> str | None:
    """The fingerprint the store computes when a record comes without one (title + body)."""
    if not _long_enough(record):
        return None
    return fingerprint(f"{record.get('title') or ''}\n{record.get('body') or ''}")


def _source_id(record: dict[str, Any]) -> str | None:
    source = record.get("source")
    value = source.get("id") if isinstance(source, dict) else source
    return str(value) if value else None


def _same_record(stored: dict[str, Any], incoming: dict[str, Any]) -> bool:
    def strip(r: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in r.items() if k not in VOLATILE_FIELDS}

    return strip(stored) == strip(incoming)


class Store:
    """SQLite store of record; one connection per object, safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
        self._db.row_factory = sqlite3.Row
        self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise StoreError(f"cannot switch {self.path} to WAL mode")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._migrate()
        self._ensure_topic_rows()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this Tidings "
                f"({SCHEMA_VERSION}); upgrade Tidings"
            )
        with self._write():
            if self._db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _ensure_topic_rows(self) -> None:
        """Add the per-topic rows and their triggers to a database made without them."""
        found = "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?"
        if self._db.execute(found, ("article_topics_delete",)).fetchone():
            return
        with self._write():
            for statement in _TOPICS_SCHEMA:
                self._db.execute(statement)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    class _Tx:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on an exception."""

        def __init__(self, store: Store) -> None:
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            self.store._lock.acquire()
            try:
                self.store._db.execute("BEGIN IMMEDIATE")
            except BaseException:
                self.store._lock.release()
                raise
            return self.store._db

        def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
            try:
                self.store._db.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self.store._lock.release()

    def _write(self) -> Store._Tx:
        return Store._Tx(self)

    # -- writes ----------------------------------------------------------------------------

    def upsert(
        self,
        articles: list[dict[str, Any]],
        *,
        fetch_states: list[FetchState] | None = None,
        track_index: bool = False,
    ) -> UpsertResult:
        """Insert new articles, update changed ones and assign clusters, in one transaction.

        A record whose id occurs twice in the batch counts once, with its last version.
        ``fetch_states`` of the pages these records came from are written in the same
        transaction, so a URL counts as fetched only once its article is stored. With
        ``track_index`` the changed articles are marked pending in the index until
        :meth:`mark_indexed`, so an index write lost to a crash can be redone.
        """
        batch: dict[str, dict[str, Any]] = {}
        for record in articles:
            record = dict(record)
            if not record.get("id"):
                url = record.get("canonical_url") or record.get("url")
                if not url:
                    raise ValueError("an article needs an 'id' or a 'canonical_url'")
                record["id"] = article_id(str(url))
            record.setdefault("canonical_url", record.get("url") or record["id"])
            batch.pop(record["id"], None)
            batch[record["id"]] = record
        result = UpsertResult()
        now = utc_now()
        with self._write():
            for record in batch.values():
                self._upsert_one(record, now, result)
            if track_index:
                self._db.executemany(
                    "INSERT OR IGNORE INTO index_pending (article_id) VALUES (?)",
                    [(r["id"],) for r in result.articles],
                )
            for state in fetch_states or ():
                self._put_fetch_state(state)
        return result

    def _upsert_one(self, record: dict[str, Any], now: str, result: UpsertResult) -> None:
        db = self._db
        row = db.execute(
            "SELECT id, content_hash, cluster_id, fingerprint, record FROM articles "
            "WHERE id = ? OR canonical_url = ? ORDER BY id = ? DESC LIMIT 1",
            (record["id"], record["canonical_url"], record["id"]),
        ).fetchone()
        if row is not None and row["id"] != record["id"]:
            record["id"] = row["id"]  # same canonical URL under another id: one article per URL
        aid = record["id"]
        if not record.get("fingerprint"):
            record["fingerprint"] = record_fingerprint(record)
        chash = content_hash(record)
        if row is not None:
            stored = json.loads(row["record"])
            if row["content_hash"] == chash and _same_record(stored, record):
                result.unchanged.append(aid)
                return
        if row is not None and row["fingerprint"] == record["fingerprint"]:
            cluster = row["cluster_id"]  # same text: metadata changed, the cluster did not
        else:
            cluster = self._match_cluster(aid, record["fingerprint"], chash, _long_enough(record))
            if cluster is None:
                cluster = aid
        record["cluster_id"] = cluster
        values = (
            record["canonical_url"], chash, _source_id(record), record.get("published_at"),
            record.get("fetched_at"), cluster, record["fingerprint"], record.get("updated_at"),
            now, json.dumps(record, ensure_ascii=False), aid,
        )  # fmt: skip
        if row is None:
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

    def _match_cluster(self, aid: str, fp: str | None, chash: str, long_enough: bool) -> str | None:
        """The cluster of the closest stored copy of this text, or None if it has none."""
        if long_enough:
            exact = self._db.execute(
                "SELECT cluster_id FROM articles WHERE content_hash = ? AND id != ? "
                "ORDER BY rowid LIMIT 1",
                (chash, aid),
            ).fetchone()
            if exact is not None:
                return str(exact[0])
        if not fp:
            return None
        keys = bands(fp)
        rows = self._db.execute(
            "SELECT a.id, a.fingerprint, a.cluster_id FROM articles a WHERE a.id IN ("
            "SELECT DISTINCT article_id FROM fingerprint_bands "
            f"WHERE band IN ({','.join('?' * len(keys))}) AND article_id != ? LIMIT ?"
            ") ORDER BY a.rowid",
            (*keys, aid, MAX_CANDIDATES),
        ).fetchall()
        best, best_score = None, SAME_STORY
        for row in rows:
            score = similarity(fp, row["fingerprint"]) if row["fingerprint"] else 0.0
            if score >= best_score and (best is None or score > best_score):
                best, best_score = str(row["cluster_id"]), score
        return best

    def delete(self, ids: list[str]) -> int:
        """Delete articles by id; returns how many existed."""
        if not ids:
            return 0
        with self._write() as db:
            removed = 0
            for aid in ids:
                removed += db.execute("DELETE FROM articles WHERE id = ?", (aid,)).rowcount
                db.execute("DELETE FROM fingerprint_bands WHERE article_id = ?", (aid,))
        return removed

    def record_error(self, source_id: str | None, url: str | None, kind: str, message: str) -> None:
        """Log a crawl problem for a source (kept so operators can see what failed and why)."""
        with self._write() as db:
            db.execute(
                "INSERT INTO crawl_errors (source_id, url, kind, message, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (source_id, url, kind, message, utc_now()),
            )

    def _put_fetch_state(self, state: FetchState) -> None:
        """Insert or replace one URL's fetch state (inside a write transaction)."""
        values = (
            state.url, state.source_id, state.etag, state.last_modified, state.status,
            state.fetched_at, state.seen_modified,
        )  # fmt: skip
        upsert = (
            " ON CONFLICT(url) DO UPDATE SET source_id = excluded.source_id, "
            "etag = excluded.etag, last_modified = excluded.last_modified, "
            "status = excluded.status, fetched_at = excluded.fetched_at, "
            "seen_modified = excluded.seen_modified, content_hash = excluded.content_hash, "
            "article_id = excluded.article_id"
        )
        if state.canonical_url is None:
            self._db.execute(
                "INSERT INTO fetch_state (url, source_id, etag, last_modified, status, "
                "fetched_at, seen_modified, content_hash, article_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)" + upsert,
                values,
            )
            return
        self._db.execute(
            "INSERT INTO fetch_state (url, source_id, etag, last_modified, status, fetched_at, "
            "seen_modified, content_hash, article_id) "
            "SELECT ?, ?, ?, ?, ?, ?, ?, content_hash, id FROM articles WHERE canonical_url = ?"
            + upsert,
            (*values, state.canonical_url),
        )

    def put_fetch_states(self, states: list[FetchState]) -> None:
        """Record fetch states of pages that produce no article (feeds, sitemaps)."""
        if not states:
            return
        with self._write():
            for state in states:
                self._put_fetch_state(state)

    def note_not_modified(self, url: str, fetched_at: str, seen_modified: str | None) -> None:
        """A conditional GET answered 304: the stored copy is current as of ``fetched_at``."""
        with self._write() as db:
            db.execute(
                "UPDATE fetch_state SET status = 304, fetched_at = ?, "
                "seen_modified = COALESCE(?, seen_modified) WHERE url = ?",
                (fetched_at, seen_modified, url),
            )

    def mark_indexed(self, ids: list[str]) -> None:
        """The index holds the current version of these articles."""
        if not ids:
            return
        with self._write() as db:
            db.executemany("DELETE FROM index_pending WHERE article_id = ?", [(i,) for i in ids])

    def record_source_run(
        self,
        source_id: str,
        started_at: str,
        finished_at: str,
        finish_reason: str | None,
        counts: dict[str, Any],
        ok: bool,
    ) -> None:
        """Keep what one crawl did for one source (``ok``: something was fetched)."""
        with self._write() as db:
            db.execute(
                "INSERT INTO source_runs (source_id, started_at, finished_at, finish_reason, "
                "ok, counts) VALUES (?, ?, ?, ?, ?, ?)",
                (source_id, started_at, finished_at, finish_reason, int(ok),
                 json.dumps(counts, sort_keys=True)),
            )  # fmt: skip

    # -- reads -----------------------------------------------------------------------------

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def get(self, aid: str) -> dict[str, Any] | None:
        """The stored record with this id, or None."""
        rows = self._query("SELECT record FROM articles WHERE id = ?", (aid,))
        return json.loads(rows[0][0]) if rows else None

    def get_many(self, ids: list[str]) -> list[dict[str, Any]]:
        """Stored records for these ids, in the order asked (unknown ids are left out)."""
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = self._query(
                f"SELECT id, record FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
                tuple(chunk),
            )
            found.update((row[0], json.loads(row[1])) for row in rows)
        return [found[aid] for aid in ids if aid in found]

    def iter_articles(self, batch_size: int = 500) -> Iterator[list[dict[str, Any]]]:
        """Every stored record in insertion order, in batches (keyset paging on rowid)."""
        last = 0
        while True:
            rows = self._query(
                "SELECT rowid, record FROM articles WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (last, batch_size),
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [json.loads(row[1]) for row in rows]

    def ids_older_than(self, cutoff: str, limit: int = 1000) -> list[str]:
        """Ids of up to ``limit`` articles published (else fetched) before ``cutoff`` (ISO UTC)."""
        rows = self._query(
            "SELECT id FROM articles WHERE COALESCE(published_at, fetched_at) < ? LIMIT ?",
            (cutoff, limit),
        )
        return [row[0] for row in rows]

    def count(self) -> int:
        """Number of stored articles."""
        return int(self._query("SELECT COUNT(*) FROM articles")[0][0])

    def source_counts(self) -> list[dict[str, Any]]:
        """Every source with its number of stored articles and the name and domain its
        articles carry (most articles first): the catalog's exact counts, uncapped."""
        rows = self._query(
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

    def topic_counts(self) -> list[tuple[str, int]]:
        """Every topic id with its number of stored articles, most first (uncapped)."""
        rows = self._query(
            "SELECT topic_id, COUNT(*) AS n FROM article_topics GROUP BY topic_id "
            "ORDER BY n DESC, topic_id"
        )
        return [(str(tid), int(n)) for tid, n in rows]

    def cluster_members(self, cluster_id: str) -> list[dict[str, Any]]:
        """Articles of one cluster (id, title, url, source), oldest stored first."""
        rows = self._query(
            "SELECT id, json_extract(record, '$.title'), json_extract(record, '$.url'), "
            "json_extract(record, '$.source') FROM articles WHERE cluster_id = ? ORDER BY rowid",
            (cluster_id,),
        )
        return [
            {"id": r[0], "title": r[1], "url": r[2], "source": json.loads(r[3]) if r[3] else None}
            for r in rows
        ]

    def errors(self, limit: int = 100) -> list[dict[str, Any]]:
        """The most recent crawl errors, newest first."""
        rows = self._query(
            "SELECT id, source_id, url, kind, message, at FROM crawl_errors "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [dict(row) for row in rows]

    def fetch_state(self, url: str) -> dict[str, Any] | None:
        """Fetch state of ``url`` plus ``stored``: whether its article is in the store."""
        rows = self._query(
            "SELECT f.*, a.id IS NOT NULL AS stored FROM fetch_state f "
            "LEFT JOIN articles a ON a.id = f.article_id WHERE f.url = ?",
            (url,),
        )
        if not rows:
            return None
        state = dict(rows[0])
        state["stored"] = bool(state["stored"])
        return state

    def pending_index(self, limit: int = 500) -> list[str]:
        """Ids of articles stored (or deleted) but not yet written to the index."""
        rows = self._query("SELECT article_id FROM index_pending LIMIT ?", (limit,))
        return [row[0] for row in rows]

    def last_finished_runs(self) -> dict[str, str]:
        """Source id -> when its last completed crawl finished (for per-source intervals)."""
        rows = self._query(
            "SELECT source_id, MAX(finished_at) FROM source_runs "
            "WHERE finish_reason = 'finished' GROUP BY source_id"
        )
        return {row[0]: row[1] for row in rows}

    def source_health(self) -> list[dict[str, Any]]:
        """Per source: last run, last success, last error and error counts by kind."""
        ids = [
            row[0]
            for row in self._query(
                "SELECT source_id FROM source_runs UNION "
                "SELECT source_id FROM crawl_errors WHERE source_id IS NOT NULL ORDER BY 1"
            )
        ]
        return [self._health_of(sid) for sid in ids]

    def _health_of(self, source_id: str) -> dict[str, Any]:
        run = self._query(
            "SELECT started_at, finished_at, finish_reason, counts FROM source_runs "
            "WHERE source_id = ? ORDER BY id DESC LIMIT 1",
            (source_id,),
        )
        success = self._query(
            "SELECT MAX(finished_at) FROM source_runs WHERE source_id = ? AND ok = 1",
            (source_id,),
        )[0][0]
        error = self._query(
            "SELECT at, kind, message, url FROM crawl_errors WHERE source_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (source_id,),
        )
        counts = self._query(
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
