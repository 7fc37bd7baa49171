"""Schema 7 heals the phantom story members older versions stored (tidings/core/store/
story_repair.py), on every engine: the phantoms are made as the old code made them (placed by the
real clusterer, then refused or never stored), the store is set back to schema 6 and opened."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from story_corpus import QUAKE, as_records, background, corpus

from tidings.core.article import normalise
from tidings.core.store import SqliteStore, StoreEngine
from tidings.core.stories.book import StoryBook
from tidings.core.stories.clustering import story_id_for
from tidings.core.stories.ingest import store_with_stories

StoreOpener = Callable[[], StoreEngine]

#: What a recount may choose anew when the phantom held the headline.
HEADLINE = ("headline", "headline_article_id", "headline_url", "headline_fit")


def _as_schema_6(store: StoreEngine) -> None:
    with store._db.write() as db:  # type: ignore[attr-defined]
        if isinstance(store, SqliteStore):
            db.execute("PRAGMA user_version = 6")
        else:
            db.execute("UPDATE schema_version SET version = 6")


def _articles(store: StoreEngine) -> dict[str, dict[str, Any]]:
    return {a["id"]: a for batch in store.iter_articles() for a in batch}


def _stories(store: StoreEngine) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for batch in store.iter_stories() for s in batch}


def _without(record: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in keys}


def _odd(url: str, title: str, body: str, outlet: str) -> dict[str, Any]:
    return normalise({
        "url": url, "title": title, "body": body, "published_at": "2024-03-05T09:00:00Z",
        "source": {"id": outlet, "name": outlet.title(), "domain": f"{outlet}.example"},
    })  # fmt: skip


def _phantoms(book: StoryBook, store: StoreEngine) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two phantoms, placed as Tidings before schema 7 placed them (``place``, then a separate
    upsert): a rival's claim on a URL another source holds without a story (refused: the member
    names a stored article that is in no story), and a placed record never stored (the member
    names no article)."""
    quake = dict(m="7.6", day="Wednesday", n="1,100", gov="Gamawan Fauzi")
    held = _odd("https://odd.example/held", "Numbers only", "A table\x00of figures.", "odd")
    store.upsert([held])  # stored without a story (as when its placement failed)
    rival = _odd(
        held["url"],
        "Deadly quake hits Sumatra as Padang earthquake toll rises and rescuers dig rubble",
        QUAKE.format(**quake),
        "rival",
    )
    book.place(store, [rival])
    assert store.upsert([rival]).refused == [held["id"]]
    ghost = _odd(
        "https://ghost.example/volcano", "Volcano erupts on Iceland's Reykjanes peninsula",
        "Lava from the Sundhnukur crater reached the edge of Grindavik, Iceland's Met Office "
        "said, after the town was evacuated overnight.", "ghost",
    )  # fmt: skip
    book.place(store, [ghost])  # the crash came before its upsert: never stored
    return rival, ghost


def test_opening_an_old_store_heals_its_phantom_members(
    store_engines: StoreOpener, caplog: pytest.LogCaptureFixture
) -> None:
    store, book = store_engines(), StoryBook()
    real = [normalise(r) for r in as_records(background() + corpus())]
    real[0]["body"] += " A stray\x00byte."  # PostgreSQL's JSON types refuse its escape
    for i in range(0, len(real), 4):
        store_with_stories(store, real[i : i + 4], track_index=True)
    clean = _stories(store)
    rival, ghost = _phantoms(book, store)
    quake_story = rival["story_id"]
    assert quake_story in clean and ghost["story_id"] not in clean
    sick = _stories(store)
    assert sick[quake_story]["articles"] == clean[quake_story]["articles"] + 1
    assert sick[quake_story]["headline"] == rival["title"]  # the phantom even took the headline
    store.mark_stories_indexed({p.story_id: p.version for p in store.pending_stories(1000)})
    articles, marks = _articles(store), store.pending_writes(1000)
    with store.placing() as tx:
        position = tx.position()
    _as_schema_6(store)
    store.close()

    healed = store_engines()  # opening migrates to schema 7
    assert _articles(healed) == articles and healed.pending_writes(1000) == marks  # untouched
    stories = _stories(healed)
    assert set(stories) == set(clean)  # the ghost's story held nothing stored: gone
    for sid, story in stories.items():
        assert _without(story, HEADLINE) == _without(clean[sid], HEADLINE)
        members = healed.story(sid)["article_ids"]  # type: ignore[index]
        assert all(articles[aid]["story_id"] == sid for aid in members)
        assert story["headline"] in {articles[aid]["title"] for aid in members}
        assert story["headline_article_id"] in members
    assert healed.stories_of([rival["id"], ghost["id"]]) == {}
    pending = {p.story_id: p for p in healed.pending_stories(1000)}
    assert set(pending) == {quake_story, ghost["story_id"]}  # only what the heal touched
    assert pending[quake_story].record == stories[quake_story]
    assert pending[ghost["story_id"]].record is None  # its index document goes
    with healed.placing() as tx:  # the heal took a position of its own for its marks
        assert tx.position() == position + 1 == pending[quake_story].version

    later = _odd("https://wire.example/q4", "Padang quake survivors", rival["body"], "wire")
    with caplog.at_level(logging.WARNING):  # the empty journal row replays as nothing
        [stored] = store_with_stories(healed, [later], track_index=True).result.articles
    assert stored["story_id"] == quake_story and "Another version" not in caplog.text
    [mark] = [p for p in healed.pending_stories(1000) if p.story_id == quake_story]
    assert mark.version > pending[quake_story].version  # newer than the heal's: kept
    assert mark.record["articles"] == clean[quake_story]["articles"] + 1  # type: ignore[index]


def test_a_writer_continues_after_the_heal(store_engines: StoreOpener) -> None:
    """The heal took the phantoms' placements out of the clusterer's state too (the journal
    still held them; see story_repair.py): the ghost's story is gone from it as from the
    store, so the same report stored later starts a story of its own, of stored articles."""
    store, book = store_engines(), StoryBook()
    real = [normalise(r) for r in as_records(background() + corpus())]
    store_with_stories(store, real)
    _, ghost = _phantoms(book, store)
    _as_schema_6(store)
    store.close()
    healed = store_engines()
    assert ghost["story_id"] not in StoryBook().state(healed).stories
    again = _odd("https://wire.example/volcano", ghost["title"], ghost["body"], "wire")
    [stored] = store_with_stories(healed, [again]).result.articles
    assert stored["story_id"] == story_id_for(stored["id"]) != ghost["story_id"]
    [story] = healed.stories([stored["story_id"]])
    assert story["articles"] == 1 and list(story["sources"]) == ["wire"]
    assert healed.story(stored["story_id"])["article_ids"] == [stored["id"]]  # type: ignore[index]
    assert healed.stories([ghost["story_id"]]) == []


def test_a_store_without_phantoms_migrates_unchanged(store_engines: StoreOpener) -> None:
    store = store_engines()
    store_with_stories(store, [normalise(r) for r in as_records(background() + corpus())])
    store.mark_stories_indexed({p.story_id: p.version for p in store.pending_stories(1000)})
    before = _stories(store)
    _as_schema_6(store)
    store.close()
    healed = store_engines()
    assert _stories(healed) == before and healed.pending_stories(1000) == []
