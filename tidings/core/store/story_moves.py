"""The story records a move changed, written from what moved (both engines).

A move (:meth:`tidings.core.stories.book.StoryBook.store`: a split, a one-member story folded
in, a member re-homed) takes members out of one story and into another. Counting both stories
again from every member read and decoded each member's whole stored record, so one article
joining a story of 1,000 cost 1,000 records. A story that gained or lost exactly one member is
now updated from that member's record (:mod:`tidings.core.stories.record_moves`), reading the
members placed before it only as far as placing order matters; any other story (made by the
move, emptied, changed more than once, or where the arithmetic cannot tell) is counted in full
(:func:`tidings.core.store.story_recount.recount_story`), as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from tidings.core.store.sql_pages import id_chunks, in_marks
from tidings.core.store.story_recount import put_story, recount_story
from tidings.core.stories.record_moves import joined, left

#: Members read at a time while looking back through a story (one page answers most questions).
PAGE = 64

Sql = Callable[[str], str]
Origins = dict[str, tuple[str, int]]


def origins(db: Any, sql: Sql, ids: Sequence[str]) -> Origins:
    """Each placed article's story and placing position, read before a move changes them."""
    out: Origins = {}
    for chunk in id_chunks(ids):
        rows = db.execute(
            sql(
                "SELECT article_id, story_id, seq FROM story_articles "
                f"WHERE article_id IN ({in_marks(len(chunk))})"
            ),
            chunk,
        ).fetchall()
        out.update((row["article_id"], (row["story_id"], int(row["seq"]))) for row in rows)
    return out


def rewrite_stories(
    db: Any,
    sql: Sql,
    moves: Mapping[str, str],
    before: Origins,
    stories: Sequence[str],
    batch: Mapping[str, Mapping[str, Any]],
    stored: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Bring the records of ``stories`` up to date after ``moves`` (article id -> story) took
    members from where ``before`` had them; each ends as a full recount would leave it.
    ``stored``: moved articles' records as the move just wrote them (not read again)."""
    members = _records(db, sql, [aid for aid in moves if aid in before], batch, stored)
    for story_id in stories:
        out = [a for a, (sid, _) in before.items() if sid == story_id and moves[a] != story_id]
        into = [a for a, sid in moves.items() if sid == story_id and before.get(a, ("",))[0] != sid]
        old = _stored(db, sql, story_id)
        if old is not None and not out and not into:
            continue  # only passed through: its members are the ones it was counted from
        changes, record = [*out, *into], None
        if old is not None and len(changes) == 1 and changes[0] in before:
            aid = changes[0]  # the one member that came or went
            record = _one_move(db, sql, old, members.get(aid), before[aid][1], bool(into), batch)
        if record is None:
            recount_story(db, sql, story_id, batch)
        else:
            put_story(db, sql, record)


def _one_move(
    db: Any,
    sql: Sql,
    old: dict[str, Any],
    member: Mapping[str, Any] | None,
    seq: int,
    came: bool,
    batch: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any] | None:
    """``old`` after ``member`` (at placing position ``seq``) came or went; None when only a
    full recount can tell (a member or the headline's member with no record to count)."""
    headline = old.get("headline_article_id")
    if member is None or not headline or not _present(db, sql, old["id"], headline, batch):
        return None
    earlier = Earlier(db, sql, old["id"], seq, batch)
    return joined(old, member, earlier) if came else left(old, member, earlier)


class Earlier:
    """The members of a story placed before ``seq``, in order (each as stored, or as ``batch``
    holds it; a member neither has is left out, as a recount leaves it), read a page at a time
    and decoded one at a time, only as far as an iteration goes, and kept for the next one."""

    def __init__(
        self, db: Any, sql: Sql, story_id: str, seq: int, batch: Mapping[str, Mapping[str, Any]]
    ) -> None:
        self._db, self._sql, self._story, self._seq, self._batch = db, sql, story_id, seq, batch
        self._rows: list[Mapping[str, Any] | str] = []  # decoded, or the stored JSON
        self._after, self._done, self._page_size = -1, False, PAGE // 4
        self.decoded = 0

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        i = 0
        while i < len(self._rows) or not self._done:
            if i == len(self._rows):
                self._page()
                continue
            row = self._rows[i]
            if isinstance(row, str):
                self.decoded += 1
                row = self._rows[i] = json.loads(row)
            yield row
            i += 1

    def _page(self) -> None:
        rows = self._db.execute(
            self._sql(
                "SELECT sa.seq, sa.article_id, a.record FROM story_articles sa "
                "LEFT JOIN articles a ON a.id = sa.article_id "
                "WHERE sa.story_id = ? AND sa.seq < ? AND sa.seq > ? ORDER BY sa.seq LIMIT ?"
            ),
            (self._story, self._seq, self._after, self._page_size),
        ).fetchall()
        self._done = len(rows) < self._page_size
        self._page_size = min(self._page_size * 2, PAGE)
        for row in rows:
            self._after = int(row["seq"])
            if row["record"] is not None:
                self._rows.append(str(row["record"]))
            elif row["article_id"] in self._batch:
                self._rows.append(self._batch[row["article_id"]])


def _records(
    db: Any,
    sql: Sql,
    ids: Sequence[str],
    batch: Mapping[str, Mapping[str, Any]],
    stored: Sequence[Mapping[str, Any]],
) -> dict[str, Mapping[str, Any]]:
    """The moved articles' records: as stored (``stored`` holds some already), else as the
    placing batch holds them."""
    out: dict[str, Mapping[str, Any]] = {aid: batch[aid] for aid in ids if aid in batch}
    wanted = set(ids)
    written = {str(r["id"]): r for r in stored if r["id"] in wanted}
    out.update(written)
    for chunk in id_chunks([aid for aid in ids if aid not in written]):
        rows = db.execute(
            sql(f"SELECT id, record FROM articles WHERE id IN ({in_marks(len(chunk))})"),
            chunk,
        ).fetchall()
        out.update((row["id"], json.loads(row["record"])) for row in rows)
    return out


def _stored(db: Any, sql: Sql, story_id: str) -> dict[str, Any] | None:
    row = db.execute(sql("SELECT record FROM stories WHERE id = ?"), (story_id,)).fetchone()
    return None if row is None else json.loads(row["record"])


def _present(
    db: Any, sql: Sql, story_id: str, article_id: str, batch: Mapping[str, Mapping[str, Any]]
) -> bool:
    """Whether ``article_id`` is a member of the story a recount would count (it has a record)."""
    row = db.execute(
        sql(
            "SELECT a.id FROM story_articles sa LEFT JOIN articles a ON a.id = sa.article_id "
            "WHERE sa.article_id = ? AND sa.story_id = ?"
        ),
        (article_id, story_id),
    ).fetchone()
    return row is not None and (row["id"] is not None or article_id in batch)
