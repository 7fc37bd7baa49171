"""The story documents of every index backend (``IndexBackend.stories``: embedded tantivy and
Elasticsearch, a real node started once per session), through the same ``backends`` fixture as
the article contract. Story records are built as the store builds them (``StoryRecord``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from test_index_contract import Backends, backends  # noqa: F401 - the fixture, shared

from tidings.core.index import IndexBackend, IndexReadOnlyError
from tidings.core.index.stories import StoryQuery, story_document
from tidings.core.stories.record import StoryRecord


def story(sid: str, day: int, *titles: str, topic: str = "world", **extra: Any) -> dict[str, Any]:
    """A story record of one article per title, from outlets a, b, c..., on 2024-03-<day>."""
    record = StoryRecord(sid)
    for n, title in enumerate(titles):
        outlet = "abcdefgh"[n]
        record.add(
            {
                "id": f"{sid}-{n}",
                "title": title,
                "url": f"https://{outlet}.example/{sid}",
                "source": {"id": outlet, "name": f"Outlet {outlet.upper()}", "domain": None},
                "published_at": f"2024-03-{day:02d}T{n:02d}:00:00+00:00",
                "topics": [{"id": topic}],
                "entities": extra.get("entities", []),
            },
            title_fit=float(len(titles) - n),
        )
    return record.dump()


def corpus() -> list[dict[str, Any]]:
    padang = [{"key": "padang", "text": "Padang", "label": "GPE"}]
    return [
        story("quake", 4, "Deadly quake hits Sumatra", "Padang toll rises", entities=padang),
        story("baidu", 5, "Baidu revenue falls", "Baidu misses estimates", topic="business"),
        story("nvidia", 6, "Nvidia revenue soars", topic="business"),
        story("vote", 2, "Council approves tram line", "Tram vote passes", "Trams win"),
    ]


@pytest.fixture
def stories(backends: Backends) -> IndexBackend:  # noqa: F811 - the shared fixture
    index = backends.open(writable=True)
    index.stories.upsert(corpus())
    return index


def ids(index: IndexBackend, **query: Any) -> list[str]:
    return index.stories.search(StoryQuery(**query))


def test_every_story_is_found_most_recently_seen_first(stories: IndexBackend) -> None:
    assert ids(stories) == ["nvidia", "baidu", "quake", "vote"]
    assert ids(stories, limit=2) == ["nvidia", "baidu"]
    assert stories.stories.count() == 4


def test_words_match_the_headline_every_member_headline_and_entity_names(
    stories: IndexBackend,
) -> None:
    assert ids(stories, q="sumatra") == ["quake"]  # the headline
    assert ids(stories, q="toll") == ["quake"]  # another member's headline
    assert ids(stories, q="padang") == ["quake"]  # both, and the entity's name
    assert ids(stories, q="revenue") == ["nvidia", "baidu"]
    assert ids(stories, q="revenue -nvidia") == ["baidu"]  # the query language, unchanged
    assert ids(stories, q='"outlet c"') == ["vote"]  # source names
    assert ids(stories, q="zeppelin") == []


def test_filters_are_any_of_and_dates_bound_the_last_article(stories: IndexBackend) -> None:
    assert ids(stories, topics=("business",)) == ["nvidia", "baidu"]
    assert ids(stories, sources=("c",)) == ["vote"]
    assert ids(stories, sources=("b",), topics=("world",)) == ["quake", "vote"]
    assert ids(stories, entities=("padang",)) == ["quake"]
    assert ids(stories, q="revenue", topics=("world",)) == []
    day = datetime(2024, 3, 5, tzinfo=UTC)
    assert ids(stories, date_from=day) == ["nvidia", "baidu"]
    assert ids(stories, date_to=day) == ["quake", "vote"]  # baidu's last article: 01:00 on the 5th
    assert ids(stories, languages=("en",)) == []  # stories carry no language


def test_upsert_replaces_by_id_and_delete_removes(stories: IndexBackend) -> None:
    grown = story("vote", 7, "Council approves tram line", "Tram opening date set")
    stories.stories.upsert([grown])
    assert ids(stories)[0] == "vote" and ids(stories, q="opening") == ["vote"]
    assert ids(stories, q="win") == []  # the old document is gone
    stories.stories.delete(["vote", "nosuch"])
    assert ids(stories) == ["nvidia", "baidu", "quake"] and stories.stories.count() == 3


def test_rebuild_replaces_every_story_and_clear_empties(stories: IndexBackend) -> None:
    fresh = [story("storm", 9, "Storm closes ports"), story("quake", 4, "Quake hits Sumatra")]
    assert stories.stories.rebuild(iter([fresh[:1], fresh[1:]])) == 2
    assert ids(stories) == ["storm", "quake"] and ids(stories, q="toll") == []
    stories.stories.clear()
    assert ids(stories) == [] and stories.stories.count() == 0


def test_a_reader_sees_the_writers_stories_and_cannot_write(backends: Backends) -> None:  # noqa: F811
    writer = backends.open(writable=True)
    reader = backends.open(writable=False)
    writer.stories.upsert(corpus()[:1])
    assert ids(reader, q="padang") == ["quake"]
    with pytest.raises(IndexReadOnlyError):
        reader.stories.upsert(corpus())


def test_the_document_is_the_record_s_searchable_part() -> None:
    doc = story_document(corpus()[0])
    assert doc["title"] == "Deadly quake hits Sumatra" and "Padang toll rises" in doc["body"]
    assert doc["source"] == ["a", "b"] and doc["entities"] == ["padang"]
    assert doc["articles"] == 2 and doc["sources"] == 2
    assert doc["published"] == datetime(2024, 3, 4, 1, tzinfo=UTC)
    assert doc["first_seen"] == datetime(2024, 3, 4, 0, tzinfo=UTC)
