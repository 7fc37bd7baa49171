"""One SQLite database file for the store: connection, transactions, schema and migrations.

WAL mode lets API processes read while one crawler writes; ``busy_timeout`` makes writers queue
instead of failing when two briefly overlap. The tables of both halves of the store live here
because one file holds them and one version number migrates them.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from tidings.core.store.base import StoreError
from tidings.core.store.site_templates import SITE_TEMPLATE_TABLES
from tidings.core.store.story_repair import heal_phantom_members

BUSY_TIMEOUT_MS = 30_000

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

#: Articles and clusters, and the index's pending marks (``index_clock`` counts writes).
_ARTICLE_TABLES = """
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
CREATE TABLE IF NOT EXISTS index_pending (
    article_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS index_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
"""
#: Crawl bookkeeping.
_CRAWL_TABLES = """
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
#: Stories (schema 4): article -> story in placing order, one record per story, the story
#: clusterer's state, and the index's pending marks for story documents. A file that a
#: version-3 Tidings gave story tables of its own (same shape) keeps them; its stories are
#: marked pending so the index gets their documents.
_STORY_TABLES = """
CREATE TABLE IF NOT EXISTS story_articles (
    article_id TEXT PRIMARY KEY,
    story_id TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS story_articles_story ON story_articles (story_id, seq);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    last_seen TEXT,
    articles INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_last_seen ON stories (last_seen);
CREATE TABLE IF NOT EXISTS story_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    state BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS story_pending (
    story_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT OR IGNORE INTO story_pending (story_id, version) SELECT id, 0 FROM stories;
"""


def _run(db: sqlite3.Connection, statements: str) -> None:
    for statement in statements.split(";"):
        if statement.strip():
            db.execute(statement)


def _schema_3(db: sqlite3.Connection) -> None:
    """Schema 2 added fetch_state, index_pending and source_runs (created by the statements
    above, all IF NOT EXISTS, so a version-1 file migrates by running them again); schema 3
    gives each pending mark the version of the write that set it (``index_clock`` counts
    writes), so a mark is cleared only by the index write of that version."""
    _run(db, _ARTICLE_TABLES + _CRAWL_TABLES)
    columns = {r[1] for r in db.execute("PRAGMA table_info(index_pending)")}
    if "version" not in columns:  # schema 2: marks without versions
        db.execute("ALTER TABLE index_pending ADD COLUMN version INTEGER NOT NULL DEFAULT 0")


def _schema_4(db: sqlite3.Connection) -> None:
    _run(db, _STORY_TABLES)


def _schema_5(db: sqlite3.Connection) -> None:
    """Site templates (:data:`~tidings.core.store.site_templates.SITE_TEMPLATE_TABLES`)."""
    _run(db, SITE_TEMPLATE_TABLES)


#: The story journal (schema 6): the placements of each batch since the clusterer's last
#: snapshot (``story_state``, which a schema-5 file keeps as its snapshot).
_STORY_JOURNAL = """
CREATE TABLE IF NOT EXISTS story_journal (
    seq INTEGER PRIMARY KEY,
    entries BLOB NOT NULL
);
"""


def _schema_6(db: sqlite3.Connection) -> None:
    _run(db, _STORY_JOURNAL)


def _schema_7(db: sqlite3.Connection) -> None:
    """No new table: the phantom story members older versions stored are healed
    (:mod:`tidings.core.store.story_repair`)."""
    heal_phantom_members(db, SqliteDatabase.placeholders)


#: (version, step) in order: a file below a version gets that step; a schema change appends one
#: step here and one in :data:`tidings.core.store.postgres_db.MIGRATIONS`.
MIGRATIONS: tuple[tuple[int, Callable[[sqlite3.Connection], None]], ...] = (
    (3, _schema_3),
    (4, _schema_4),
    (5, _schema_5),
    (6, _schema_6),
    (7, _schema_7),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


class SqliteDatabase:
    """One connection to the store's file, safe to share between threads (one lock)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(
                str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                check_same_thread=False,
            )  # fmt: skip
        except sqlite3.DatabaseError as exc:  # a directory, a file we may not open
            raise StoreError(f"the SQLite store cannot be used: {self.path}: {exc}") from exc
        try:
            self.db.row_factory = sqlite3.Row
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._switch_to_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
            self._ensure_topic_rows()
        except BaseException as exc:
            self.db.close()
            if isinstance(exc, sqlite3.DatabaseError):  # not a database, a damaged file
                raise StoreError(f"the SQLite store cannot be used: {self.path}: {exc}") from exc
            raise

    def _switch_to_wal(self) -> None:
        """Put the file in WAL mode, waiting out another connection that holds it.

        Changing the journal mode needs the file to itself, and SQLite answers "database is
        locked" at once, without its busy handler, while another connection is creating or
        migrating the same new file; so several processes opening one fresh store retry here
        for as long as a writer would wait.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.005
        while True:
            try:
                mode = self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                    raise StoreError(f"cannot open {self.path}: {exc}") from exc
                time.sleep(pause)
                pause = min(pause * 2, 0.25)
        if mode.lower() != "wal":
            raise StoreError(f"cannot switch {self.path} to WAL mode")

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this Tidings "
                f"({SCHEMA_VERSION}); upgrade Tidings"
            )
        with self.write():
            current = self.db.execute("PRAGMA user_version").fetchone()[0]
            for step_version, step in MIGRATIONS:
                if step_version > current:
                    step(self.db)
                    self.db.execute(f"PRAGMA user_version = {step_version}")

    def _ensure_topic_rows(self) -> None:
        """Add the per-topic rows and their triggers to a database made without them."""
        found = "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?"
        if self.db.execute(found, ("article_topics_delete",)).fetchone():
            return
        with self.write():
            for statement in _TOPICS_SCHEMA:
                self.db.execute(statement)

    def write(self) -> _Transaction:
        """``with db.write() as conn:`` — one ``BEGIN IMMEDIATE`` transaction."""
        return _Transaction(self)

    #: The write transaction of shared store code: SQLite has one kind (no separate lock).
    transaction = write

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Rows of one read statement (outside any write transaction of this object)."""
        with self.lock:
            return self.db.execute(sql, params).fetchall()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one write statement in a transaction of its own (shared store code's interface,
        :class:`tidings.core.store.sql_db.SqlDatabase`)."""
        with self.write() as db:
            db.execute(sql, params)

    def select(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """:meth:`query`, for shared store code (``?`` is SQLite's own placeholder)."""
        return self.query(sql, tuple(params))

    @staticmethod
    def placeholders(sql: str) -> str:
        """Shared store SQL in this engine's placeholder style: SQLite's own ``?``."""
        return sql

    @staticmethod
    def pipelined(conn: sqlite3.Connection) -> nullcontext[sqlite3.Connection]:
        """Nothing to do: in process, a statement costs no round trip."""
        return nullcontext(conn)

    def close(self) -> None:
        with self.lock:
            self.db.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on an exception."""

    def __init__(self, database: SqliteDatabase) -> None:
        self.database = database

    def __enter__(self) -> sqlite3.Connection:
        self.database.lock.acquire()
        try:
            self.database.db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.database.lock.release()
            raise
        return self.database.db

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        try:
            self.database.db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.database.lock.release()
