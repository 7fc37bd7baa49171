"""A story's span and ranking time (``last_seen``, tidings/core/stories/record.py) come from its
articles' publication dates; fetch times stand in only for a story with no dated article."""

from __future__ import annotations

from pathlib import Path

from story_corpus import as_records, corpus

from tidings.core.article import normalise
from tidings.core.store import Store
from tidings.core.stories.book import StoryBook
from tidings.core.stories.record import StoryRecord

TODAY = "2026-12-06T09:00:00+00:00"


def member(aid: str, published: str | None, fetched: str = TODAY) -> dict[str, object]:
    return {"id": aid, "title": f"Title {aid}", "published_at": published, "fetched_at": fetched}


def test_an_undated_article_does_not_move_the_story_to_its_fetch_time() -> None:
    story = StoryRecord("s1")
    story.add(member("a", "2026-11-01T08:00:00+00:00"), 0.5)
    story.add(member("b", None), 0.4)  # fetched five weeks later, no date of its own
    story.add(member("c", "2026-11-02T10:00:00+00:00"), 0.3)
    assert (story.first_seen, story.last_seen) == (
        "2026-11-01T08:00:00+00:00", "2026-11-02T10:00:00+00:00",
    )  # fmt: skip
    assert story.days == {"2026-11-01": 1, "2026-11-02": 1, "2026-12-06": 1}  # on the timeline


def test_a_story_without_dates_spans_its_fetch_times_until_a_dated_article_joins() -> None:
    story = StoryRecord("s2")
    story.add(member("a", None, "2026-12-05T07:00:00+00:00"), 0.5)
    story.add(member("b", None, TODAY), 0.5)
    assert (story.first_seen, story.last_seen) == ("2026-12-05T07:00:00+00:00", TODAY)
    story.add(member("c", "2026-12-01T12:00:00+00:00"), 0.5)
    assert story.first_seen == story.last_seen == "2026-12-01T12:00:00+00:00"
    again = StoryRecord.load(story.dump())  # as stored: the spans survive a round trip
    again.add(member("d", None), 0.5)
    assert again.last_seen == "2026-12-01T12:00:00+00:00"


def test_recent_stories_rank_by_publication_not_by_fetch(tmp_path: Path) -> None:
    """The corpus's quake was reported before the earnings stories; a late undated copy of
    a quake report, fetched after them all, leaves the quake where its dates put it."""
    records = [normalise(r) for r in as_records(corpus())]
    quake = next(r for r in records if r["url"].endswith("/q1"))
    late_copy = normalise({
        **{k: v for k, v in quake.items() if k not in ("id", "published_at", "fetched_at")},
        "url": "https://late.example/q1", "canonical_url": "https://late.example/q1",
        "fetched_at": TODAY,
    })  # fmt: skip
    with Store(tmp_path / "t.db") as store:
        book = StoryBook()
        for batch in (records, [late_copy]):
            book.place(store, batch)
            store.upsert(batch)
        assert late_copy["story_id"] == quake["story_id"]
        recent = store.recent_stories(10)
        assert recent[0]["id"] != quake["story_id"]
        story = store.story(quake["story_id"])
        assert story is not None and story["articles"] == 4
        assert story["last_seen"] == max(
            r["published_at"] for r in records if r["story_id"] == quake["story_id"]
        )
