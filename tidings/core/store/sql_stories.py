"""The story tables, written once for SQLite and PostgreSQL against
:class:`tidings.core.store.sql_db.SqlDatabase` (``?`` placeholders; both engines keep the same
``story_articles``, ``stories``, ``story_state`` (the clusterer's snapshot) and
``story_pending`` tables of schema 4, and ``story_journal`` (schema 6: the placements of each
batch since the snapshot).

Placing runs in the transaction that serialises article writes (``SqlDatabase.write``:
``BEGIN IMMEDIATE`` on SQLite, the articles advisory lock on PostgreSQL), so writers on many
hosts take turns and continue one stream of stories. The batch's upsert runs in that same
transaction (:meth:`SqlPlacement.upsert`), so what is placed is exactly what is stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, cast

from tidings.core.store.base import (
    FetchState,
    PendingStory,
    RecordsById,
    StoryPlacement,
    StoryStore,
    UpsertResult,
)
from tidings.core.store.sql_db import SqlDatabase
from tidings.core.store.sql_pages import (
    clear_marks,
    id_chunks,
    in_marks,
    keyset_pages,
    pending_rows,
)
from tidings.core.store.story_moves import origins, rewrite_stories
from tidings.core.store.upserts import Placer, UpsertSteps, run_upsert


class SqlStoryState:
    """The clusterer's snapshot and journal on one open write transaction ``db`` of either
    engine: what placing and schema 7's heal (which upserts nothing) both read and write."""

    def __init__(self, db: Any, placeholders: Callable[[str], str]) -> None:
        self.db, self._sql = db, placeholders

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.db.execute(self._sql(sql), params)

    def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.db.cursor().executemany(self._sql(sql), rows)

    def state(self) -> tuple[int, bytes] | None:
        row = self._run("SELECT seq, state FROM story_state WHERE id = 1").fetchone()
        return None if row is None else (int(row["seq"]), bytes(row["state"]))

    def state_seq(self) -> int | None:
        row = self._run("SELECT seq FROM story_state WHERE id = 1").fetchone()
        return None if row is None else int(row["seq"])

    def save_state(self, seq: int, state: bytes) -> None:
        self._run(
            "INSERT INTO story_state (id, seq, state) VALUES (1, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, state = excluded.state",
            (seq, state),
        )
        self._run("DELETE FROM story_journal WHERE seq <= ?", (seq,))

    def journal(self, after: int) -> list[tuple[int, bytes]]:
        rows = self._run(
            "SELECT seq, entries FROM story_journal WHERE seq > ? ORDER BY seq", (after,)
        ).fetchall()
        return [(int(row["seq"]), bytes(row["entries"])) for row in rows]

    def append_journal(self, seq: int, entries: bytes) -> None:
        self._run("INSERT INTO story_journal (seq, entries) VALUES (?, ?)", (seq, entries))

    def position(self) -> int:
        row = self._run(
            "SELECT max(seq) AS seq FROM (SELECT seq FROM story_state "
            "UNION ALL SELECT seq FROM story_journal) AS placed"
        ).fetchone()
        return int(row["seq"] or 0)


class SqlPlacement(SqlStoryState, StoryPlacement):
    """The story tables on one open write transaction ``db`` of either engine, with the
    engine's upsert ``steps`` so a batch is stored in the transaction that places it."""

    def __init__(self, db: Any, database: SqlDatabase, steps: UpsertSteps) -> None:
        super().__init__(db, database.placeholders)
        self._database, self._steps = database, steps

    def writes_together(self) -> AbstractContextManager[Any]:
        return self._database.pipelined(self.db)

    def stories_of(self, ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in id_chunks(ids):
            rows = self._run(
                "SELECT article_id, story_id FROM story_articles "
                f"WHERE article_id IN ({in_marks(len(chunk))})",
                chunk,
            ).fetchall()
            out.update((row["article_id"], row["story_id"]) for row in rows)
        return out

    def add_members(self, members: list[tuple[str, str, int]]) -> None:
        self._many(
            "INSERT INTO story_articles (article_id, story_id, seq) VALUES (?, ?, ?)", members
        )

    def records(self, story_ids: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for chunk in id_chunks(story_ids):
            rows = self._run(
                f"SELECT id, record FROM stories WHERE id IN ({in_marks(len(chunk))})", chunk
            ).fetchall()
            out.update((row["id"], json.loads(row["record"])) for row in rows)
        return out

    def put_records(self, records: list[dict[str, Any]], version: int) -> None:
        self._many(
            "INSERT INTO stories (id, last_seen, articles, record) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, "
            "articles = excluded.articles, record = excluded.record",
            [
                (r["id"], r.get("last_seen"), int(r.get("articles") or 0),
                 json.dumps(r, ensure_ascii=False))
                for r in records
            ],
        )  # fmt: skip
        _mark_stories(self, [r["id"] for r in records], version)

    def move_members(
        self, moves: Mapping[str, str], stories: list[str], version: int, batch: RecordsById
    ) -> UpsertResult:
        before = origins(self.db, self._sql, list(moves))
        self._many(
            "UPDATE story_articles SET story_id = ? WHERE article_id = ?",
            [(sid, aid) for aid, sid in moves.items()],
        )
        moved = write_story_ids(self.db, self._database, moves)
        if moved.articles:
            moved.version = self._steps._mark_pending(self.db, [r["id"] for r in moved.articles])
        rewrite_stories(self.db, self._sql, moves, before, stories, batch, moved.articles)
        _mark_stories(self, stories, version)
        return moved

    def upsert(
        self,
        articles: list[dict[str, Any]],
        place: Placer,
        *,
        fetch_states: list[FetchState] | None = None,
        track_index: bool = False,
    ) -> UpsertResult:
        return run_upsert(
            nullcontext(self.db), self._steps, articles, fetch_states, track_index, place
        )


def write_story_ids(db: Any, database: SqlDatabase, assignments: Mapping[str, str]) -> UpsertResult:
    """Write each article's ``story_id`` (``assignments``: article id -> story id) onto its
    stored record in the open write transaction ``db``; records already naming it are left
    unchanged. The result lists the changed records (``updated``, ``articles``)."""
    result = UpsertResult()
    ids = list(assignments)
    for chunk in id_chunks(ids):
        rows = db.execute(
            database.placeholders(
                f"SELECT id, record FROM articles WHERE id IN ({in_marks(len(chunk))})"
            ),
            chunk,
        ).fetchall()
        for row in rows:
            record = json.loads(row["record"])
            story_id = assignments[row["id"]]
            if record.get("story_id") == story_id:
                result.unchanged.append(row["id"])
                continue
            record["story_id"] = story_id
            db.execute(
                database.placeholders("UPDATE articles SET record = ? WHERE id = ?"),
                (json.dumps(record, ensure_ascii=False), row["id"]),
            )
            result.updated.append(row["id"])
            result.articles.append(record)
    return result


def _mark_stories(tx: SqlPlacement, ids: list[str], version: int) -> None:
    tx._many(
        "INSERT INTO story_pending (story_id, version) VALUES (?, ?) "
        "ON CONFLICT (story_id) DO UPDATE SET version = excluded.version",
        [(sid, version) for sid in ids],
    )


class SqlStories(StoryStore):
    """:class:`StoryStore` over an engine's ``_db``; the engine supplies ``_mark_pending``
    (articles' index marks, as for its upserts)."""

    _db: SqlDatabase
    _mark_pending: Callable[[Any, list[str]], int]

    @contextmanager
    def placing(self) -> Iterator[StoryPlacement]:
        with self._db.write() as db:
            # the engine's article store is mixed into the same class: its upsert steps
            yield SqlPlacement(db, self._db, cast(UpsertSteps, self))

    def stories_of(self, ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in id_chunks(list(ids)):
            rows = self._db.select(
                "SELECT article_id, story_id FROM story_articles "
                f"WHERE article_id IN ({in_marks(len(chunk))})",
                chunk,
            )
            out.update((row["article_id"], row["story_id"]) for row in rows)
        return out

    def story(self, story_id: str) -> dict[str, Any] | None:
        found = self.stories([story_id])
        if not found:
            return None
        members = self._db.select(
            "SELECT article_id FROM story_articles WHERE story_id = ? ORDER BY seq", (story_id,)
        )
        return {**found[0], "article_ids": [m["article_id"] for m in members]}

    def stories(self, ids: list[str]) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(ids))
        for chunk in id_chunks(unique):
            rows = self._db.select(
                f"SELECT id, record FROM stories WHERE id IN ({in_marks(len(chunk))})", chunk
            )
            found.update((row["id"], json.loads(row["record"])) for row in rows)
        return [found[sid] for sid in ids if sid in found]

    def recent_stories(
        self, limit: int = 1000, since: str | None = None, until: str | None = None
    ) -> list[dict[str, Any]]:
        sql, params = "SELECT record FROM stories WHERE 1 = 1", []
        if since:
            sql, params = sql + " AND last_seen >= ?", [*params, since]
        if until:
            sql, params = sql + " AND last_seen <= ?", [*params, until]
        rows = self._db.select(sql + " ORDER BY last_seen DESC, id LIMIT ?", (*params, limit))
        return [json.loads(row["record"]) for row in rows]

    def iter_stories(self, batch_size: int = 500) -> Iterator[list[dict[str, Any]]]:
        return keyset_pages(self._db, "stories", "id", "", batch_size)

    def story_count(self) -> int:
        return int(self._db.select("SELECT COUNT(*) AS n FROM stories")[0]["n"])

    def reset_stories(self) -> None:
        with self.placing() as tx:
            assert isinstance(tx, SqlPlacement)
            seq = tx.position() + 1
            gone = [row["id"] for row in tx._run("SELECT id FROM stories").fetchall()]
            for table in ("story_articles", "stories", "story_journal"):
                tx._run(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            tx.save_state(seq, b"")  # an empty state: the next placement starts afresh
            _mark_stories(tx, gone, seq)

    def assign_stories(
        self, assignments: Mapping[str, str], *, track_index: bool = False
    ) -> UpsertResult:
        with self._db.write() as db:
            result = write_story_ids(db, self._db, assignments)
            if track_index and result.articles:
                result.version = self._mark_pending(db, [r["id"] for r in result.articles])
        return result

    def pending_stories(self, limit: int = 500) -> list[PendingStory]:
        order = "p.version, p.story_id"
        rows = pending_rows(self._db, "story_pending", "story_id", "stories", order, limit)
        return [PendingStory(*row) for row in rows]

    def mark_stories_indexed(self, indexed: Mapping[str, int]) -> None:
        if not indexed:
            return
        with self._db.transaction() as db:
            clear_marks(db, self._db, "story_pending", "story_id", indexed)
