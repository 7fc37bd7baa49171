"""The stories of the store of record: which story each article is in, and each story's record.

Stories live in the store's own database file, in four tables beside the articles:
``story_articles`` (article -> story, in the order placed), ``stories`` (one JSON record per
story, kept up to date as articles join), and the clusterer's running state, so the next writer
process continues where the last one stopped: ``story_snapshot`` and
``story_journal`` (the placements made since, one row per batch: each article's features and
story). A batch writes only its own journal row, so its cost does not grow with the corpus; a
new snapshot is taken when the journal since the last one outweighs it (the doubling rule, so
snapshots cost a bounded share per article), and a process behind the database replays only
the rows it has not seen. Writers call :meth:`place` on
each batch *before* storing it: new articles are placed by the online clusterer and every record
gets its ``story_id`` (an article keeps its story when it is stored again), so the stored
record, the index and the API all carry it. :meth:`reset` then ``tidings restory`` replays the
stored articles in the order they were first stored, which is the ingest order, so it gives the
same stories as the ingest path did.

One writer places at a time (``BEGIN IMMEDIATE``); a writer whose state is older than the
database's reloads it first, so two processes that take turns continue one stream.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import threading
import zlib
from pathlib import Path
from typing import Any

from tidings.core.stories.clustering import StoryClusterer, StoryParams
from tidings.core.stories.features import StoryFeatures, features_of
from tidings.core.stories.record import StoryRecord

_SCHEMA = """
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
DROP TABLE IF EXISTS story_state;  -- the whole state pickled per batch, before the journal
CREATE TABLE IF NOT EXISTS story_snapshot (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    state BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS story_journal (
    seq INTEGER PRIMARY KEY,  -- the stream position after the batch
    digest INTEGER NOT NULL,  -- CRC-32 of entries: a writer checks it continues this stream
    entries BLOB NOT NULL     -- pickled [(features, story id)] in placement order
);
"""
#: The journal is folded into a new snapshot once it outweighs the last one (or this, if larger).
MIN_SNAPSHOT_BYTES = 1 << 20
BUSY_TIMEOUT_S = 30.0


class StoryBook:
    """Story membership and story records in the store's SQLite file (its own connection)."""

    def __init__(self, path: Path | str, params: StoryParams | None = None) -> None:
        self.path = Path(path)
        self.params = params or StoryParams()
        self._lock = threading.RLock()
        self.db = sqlite3.connect(
            str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode = WAL")
        with self._lock:
            self.db.executescript(_SCHEMA)
        self._clusterer: StoryClusterer | None = None
        self._seq = -1  # the state's position in the stream; -1: not loaded
        self._digest = 0  # of the journal row that brought the state to ``_seq``
        self._snapshot_bytes = 0
        self._journal_bytes = 0  # journal written since the snapshot

    @classmethod
    def of(cls, store: Any) -> StoryBook:
        """The story book of a store (beside its database file)."""
        return cls(store.path)

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def __enter__(self) -> StoryBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writes ----------------------------------------------------------------------------
    def place(self, records: list[dict[str, Any]]) -> list[str]:
        """Give every record its ``story_id`` (placing the new ones); returns the new ids."""
        if not records:
            return []
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                placed = self._place(records)
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                self._seq = -1  # the in-memory state may have moved: reload next time
                raise
        return placed

    def _place(self, records: list[dict[str, Any]]) -> list[str]:
        clusterer = self._current_state()
        ids = [str(r["id"]) for r in records]
        known = self._stories_of(ids)
        placed: list[str] = []
        touched: dict[str, list[tuple[dict[str, Any], float]]] = {}
        journal: list[tuple[StoryFeatures, str]] = []
        for record in records:
            aid = str(record["id"])
            if aid in known:
                record["story_id"] = known[aid]
                continue
            feats = features_of(record)
            assignment = clusterer.add(record, feats)
            journal.append((feats, assignment.story_id))
            record["story_id"] = known[aid] = assignment.story_id
            self._seq += 1
            self.db.execute(
                "INSERT INTO story_articles (article_id, story_id, seq) VALUES (?, ?, ?)",
                (aid, assignment.story_id, self._seq),
            )
            touched.setdefault(assignment.story_id, []).append((record, assignment.title_fit))
            placed.append(aid)
        for story_id, joined in touched.items():
            self._update_record(story_id, joined)
        if placed:
            self._save_state(clusterer, journal)
        return placed

    def _update_record(self, story_id: str, joined: list[tuple[dict[str, Any], float]]) -> None:
        row = self.db.execute("SELECT record FROM stories WHERE id = ?", (story_id,)).fetchone()
        story = StoryRecord.load(json.loads(row[0])) if row else StoryRecord(story_id)
        for record, title_fit in joined:
            story.add(record, title_fit)
        self.db.execute(
            "INSERT INTO stories (id, last_seen, articles, record) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen, "
            "articles = excluded.articles, record = excluded.record",
            (story_id, story.last_seen, story.articles, json.dumps(story.dump())),
        )

    def _current_state(self) -> StoryClusterer:
        """The clusterer at the database's position: kept, caught up from the journal, or
        loaded from the snapshot plus the journal since."""
        if self._clusterer is None or not self._continues_journal():
            self._load_snapshot()
        rows = self.db.execute(
            "SELECT seq, digest, entries FROM story_journal WHERE seq > ? ORDER BY seq",
            (self._seq,),
        )
        for seq, digest, entries in rows:
            for feats, story_id in pickle.loads(entries):
                self._clusterer.replay(feats, story_id)
            self._seq, self._digest = seq, digest
            self._journal_bytes += len(entries)
        return self._clusterer

    def _load_snapshot(self) -> None:
        snapshot = self.db.execute("SELECT seq, state FROM story_snapshot WHERE id = 1").fetchone()
        if snapshot is None:
            self._clusterer, self._seq, self._snapshot_bytes = StoryClusterer(self.params), 0, 0
        else:
            self._clusterer = pickle.loads(snapshot[1])  # our own state, from our own file
            self._seq, self._snapshot_bytes = snapshot[0], len(snapshot[1])
        row = self.db.execute(
            "SELECT digest FROM story_journal WHERE seq = ?", (self._seq,)
        ).fetchone()
        self._digest, self._journal_bytes = (row[0] if row else 0), 0

    def _continues_journal(self) -> bool:
        """Whether the journal still holds the row this process last applied: the same
        position is not enough, another process may have reset and replayed meanwhile."""
        row = self.db.execute(
            "SELECT digest FROM story_journal WHERE seq = ?", (self._seq,)
        ).fetchone()
        return row is not None and row[0] == self._digest

    def _save_state(
        self, clusterer: StoryClusterer, journal: list[tuple[StoryFeatures, str]]
    ) -> None:
        entries = pickle.dumps(journal, protocol=pickle.HIGHEST_PROTOCOL)
        self._digest = zlib.crc32(entries)
        self.db.execute(
            "INSERT INTO story_journal (seq, digest, entries) VALUES (?, ?, ?)",
            (self._seq, self._digest, entries),
        )
        self._journal_bytes += len(entries)
        if self._journal_bytes >= max(self._snapshot_bytes, MIN_SNAPSHOT_BYTES):
            state = pickle.dumps(clusterer, protocol=pickle.HIGHEST_PROTOCOL)
            self.db.execute(
                "INSERT INTO story_snapshot (id, seq, state) VALUES (1, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, state = excluded.state",
                (self._seq, state),
            )
            # the row at the snapshot stays: a writer at that position checks it continues it
            self.db.execute("DELETE FROM story_journal WHERE seq < ?", (self._seq,))
            self._snapshot_bytes, self._journal_bytes = len(state), 0

    def reset(self) -> None:
        """Forget every story (``tidings restory`` then places the stored articles again)."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for table in ("story_articles", "stories", "story_snapshot", "story_journal"):
                    self.db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self._clusterer, self._seq = None, -1

    def forget(self, article_ids: list[str]) -> None:
        """Deleted articles leave their stories' member lists (the counts keep what was seen)."""
        with self._lock:
            self.db.executemany(
                "DELETE FROM story_articles WHERE article_id = ?", [(a,) for a in article_ids]
            )

    # -- reads -----------------------------------------------------------------------------
    def _stories_of(self, ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.db.execute(
                "SELECT article_id, story_id FROM story_articles "
                f"WHERE article_id IN ({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            out.update((row[0], row[1]) for row in rows)
        return out

    def stories_of(self, ids: list[str]) -> dict[str, str]:
        """article id -> story id, for the given articles that have one."""
        with self._lock:
            return self._stories_of(ids)

    def get(self, story_id: str) -> dict[str, Any] | None:
        """One story record with the ids of its stored articles, in the order they joined."""
        with self._lock:
            row = self.db.execute("SELECT record FROM stories WHERE id = ?", (story_id,)).fetchone()
            if row is None:
                return None
            members = self.db.execute(
                "SELECT article_id FROM story_articles WHERE story_id = ? ORDER BY seq",
                (story_id,),
            ).fetchall()
        return {**json.loads(row[0]), "article_ids": [m[0] for m in members]}

    def recent(
        self, limit: int = 1000, since: str | None = None, until: str | None = None
    ) -> list[dict[str, Any]]:
        """Story records seen last within [since, until], most recently seen first."""
        sql, params = "SELECT record FROM stories WHERE 1 = 1", []
        if since:
            sql, params = sql + " AND last_seen >= ?", [*params, since]
        if until:
            sql, params = sql + " AND last_seen <= ?", [*params, until]
        with self._lock:
            rows = self.db.execute(
                sql + " ORDER BY last_seen DESC, id LIMIT ?", (*params, limit)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def count(self) -> int:
        with self._lock:
            return int(self.db.execute("SELECT COUNT(*) FROM stories").fetchone()[0])
