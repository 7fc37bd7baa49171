"""Healing the phantom story members that Tidings before schema 7 could store (both engines).

Until a batch's upsert ran inside its placement transaction, a record the store refused (its
canonical URL is stored under another source) was placed all the same: ``story_articles``
kept a member whose story counted, titled and journalled an article that is not stored as
placed. Such a member names an article that does not exist, or one whose stored record names
no story or another one (the id is the canonical URL's, so the refused claim usually shares
the stored article's id, and that article was stored without a story). Schema 7 runs
:func:`heal_phantom_members` once, under the articles lock: it removes those rows, recounts
each touched story from the articles it really holds (or deletes a story left empty), and
marks them for the index under a stream position of its own (an empty journal row). No
article is changed or deleted, and nothing is re-clustered.

The story clusterer's state also held each phantom's placement: its document frequencies
counted the refused text and its story's centroid held it as a member. The heal takes the
placement back out when the journal still holds it (the member row's ``seq`` is its stream
position; a journal row at ``seq`` holds the placements up to it): the snapshot is replayed
with the journal less those placements and saved as a new snapshot at the heal's position
(:func:`tidings.core.stories.book.without_placements`), so every later placement is
re-weighted as if the phantom had never been placed, and the state equals that of a store
that never had it (tested), as long as the phantom changed no later article's story: those
placements are stored, and only ``tidings restory`` would revisit them. The replay costs what
a writer's catch-up costs (at most as much journal as the snapshot weighs), once. A phantom
placed before the last snapshot stays in the state: its features went with the journal rows
that snapshot folded in, and a snapshot keeps each story's members summed
into one centroid (pruned, and weighted with the IDF of each member's day) and its document
frequencies as counts, with no record of which member brought what, so one member cannot be
taken back out exactly; the text is the same URL's article as another source printed it, so
counting it as seen is true, and ``tidings restory`` rebuilds the state from stored articles
only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tidings.core.store.sql_stories import SqlStoryState
from tidings.core.store.story_recount import recount_story

#: How a stored record that names story ``sa.story_id`` reads (json.dumps' separators): rows
#: without it are checked in Python (the rest are in their story without parsing a record).
_NAMES_ITS_STORY = "a.record LIKE ('%\"story_id\": \"' || sa.story_id || '\"%')"


def phantom_members(db: Any, sql: Callable[[str], str]) -> list[tuple[str, str, int]]:
    """``(article_id, story_id, position)`` of every member row that no stored article bears
    out (no article has its id, or the stored record names no story or another one), with the
    stream position its placement took."""
    rows = db.execute(
        sql(
            "SELECT sa.article_id, sa.story_id, sa.seq, a.record FROM story_articles sa "
            "LEFT JOIN articles a ON a.id = sa.article_id "
            f"WHERE a.id IS NULL OR NOT {_NAMES_ITS_STORY} ORDER BY sa.seq"
        ),
        (),
    ).fetchall()
    return [
        (row["article_id"], row["story_id"], int(row["seq"]))
        for row in rows
        if row["record"] is None or json.loads(row["record"]).get("story_id") != row["story_id"]
    ]


def heal_phantom_members(db: Any, sql: Callable[[str], str]) -> list[str]:
    """Remove the phantom members in the open write transaction ``db`` (``sql`` turns ``?``
    into the engine's placeholders), recount the stories they were in, and mark those for
    the index; returns the touched story ids."""
    phantoms = phantom_members(db, sql)
    if not phantoms:
        return []
    db.cursor().executemany(
        sql("DELETE FROM story_articles WHERE article_id = ? AND story_id = ?"),
        [(article_id, story_id) for article_id, story_id, _ in phantoms],
    )
    touched = sorted({story_id for _, story_id, _ in phantoms})
    version = _take_position(db, sql)
    _forget_placements(db, sql, {position for _, _, position in phantoms}, version)
    for story_id in touched:
        recount_story(db, sql, story_id)
    db.cursor().executemany(
        sql(
            "INSERT INTO story_pending (story_id, version) VALUES (?, ?) "
            "ON CONFLICT (story_id) DO UPDATE SET version = excluded.version"
        ),
        [(story_id, version) for story_id in touched],
    )
    return touched


def _take_position(db: Any, sql: Callable[[str], str]) -> int:
    """Move the story stream on by one position with no placement in it (an empty journal
    row, which a book replays as nothing) and return it: the heal's pending marks carry it, so
    a mark read before the heal is older and every later placement's mark is newer."""
    state = SqlStoryState(db, sql)
    seq = state.position() + 1
    state.append_journal(seq, b"")
    return seq


def _forget_placements(
    db: Any, sql: Callable[[str], str], positions: set[int], version: int
) -> None:
    """Take the phantoms' placements out of the clusterer's state when the journal still holds
    them (placed after the last snapshot): the snapshot and the journal less those placements
    are folded into a new snapshot at the heal's position ``version``, so every book, whatever
    its position, reloads a state that never had them."""
    from tidings.core.stories.book import without_placements  # the state's format is theirs

    tx = SqlStoryState(db, sql)
    saved = tx.state()
    since = saved[0] if saved else 0
    if not any(position > since for position in positions):
        return  # folded into the snapshot: see the module docstring
    state = without_placements(saved[1] if saved else None, tx.journal(since), positions)
    if state is not None:
        tx.save_state(version, state)  # drops the journal it folds in
