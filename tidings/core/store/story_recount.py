"""A story's record rebuilt from the articles its membership rows hold (both engines).

Placing keeps a record up to date by counting each joining article in; when members leave a
story (schema 7's heal of phantom members, or a split that moves part of a story to a new one)
the record is counted again from the stored members that remain, in placing order.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tidings.core.stories.record import StoryRecord


def recount_story(
    db: Any,
    sql: Callable[[str], str],
    story_id: str,
    batch: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Rebuild one story's record from its members (deleted when none is left): each as
    stored, or, not stored yet, as ``batch`` (id -> record: the placing batch's) holds it; a
    member neither has is left out."""
    batch = batch or {}
    rows = db.execute(
        sql(
            "SELECT sa.article_id, a.record FROM story_articles sa "
            "LEFT JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = ? ORDER BY sa.seq"
        ),
        (story_id,),
    ).fetchall()
    members = [
        json.loads(row["record"]) if row["record"] is not None else batch[row["article_id"]]
        for row in rows
        if row["record"] is not None or row["article_id"] in batch
    ]
    if not members:
        db.execute(sql("DELETE FROM stories WHERE id = ?"), (story_id,))
        return
    row = db.execute(sql("SELECT record FROM stories WHERE id = ?"), (story_id,)).fetchone()
    story = recounted(story_id, json.loads(row["record"]) if row else None, members)
    put_story(db, sql, story.dump())


def put_story(db: Any, sql: Callable[[str], str], record: Mapping[str, Any]) -> None:
    """Insert or replace one story record (by ``id``)."""
    db.execute(
        sql(
            "INSERT INTO stories (id, last_seen, articles, record) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, "
            "articles = excluded.articles, record = excluded.record"
        ),
        (record["id"], record.get("last_seen"), int(record.get("articles") or 0),
         json.dumps(record, ensure_ascii=False)),
    )  # fmt: skip


def recounted(
    story_id: str, old: Mapping[str, Any] | None, members: Sequence[Mapping[str, Any]]
) -> StoryRecord:
    """The record of ``members`` (stored articles, in placing order): counts, span, sources,
    entities and topics from them alone. The headline stays when its article is a member;
    when it was the phantom's, it goes to the member the ingest path would have preferred:
    the one whose headline best matches the members placed before it."""
    story = StoryRecord(story_id)
    kept = old.get("headline_article_id") if old else None
    keep = kept is not None and any(str(m.get("id")) == kept for m in members)
    fits = (
        [float(old["headline_fit"]) if str(m.get("id")) == kept else -math.inf for m in members]
        if keep and old is not None
        else _title_fits(members)
    )
    for member, fit in zip(members, fits, strict=True):
        story.add(member, fit)
    return story


def _title_fits(members: Sequence[Mapping[str, Any]]) -> list[float]:
    """Each member's mean headline cosine to the members before it (0 for the first), as the
    clusterer's ``title_fit`` is, over the headline's words (without the clusterer's IDF)."""
    from tidings.core.stories.features import sublinear, words
    from tidings.core.stories.vectors import unit

    vectors = [unit(sublinear(words(str(m.get("title") or "")))) for m in members]
    fits, total = [], Counter[str]()
    for i, vec in enumerate(vectors):
        fits.append(sum(w * total[t] for t, w in vec.items()) / i if i else 0.0)
        total.update(vec)
    return fits
