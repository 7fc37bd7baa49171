"""The clusterer's state in the store, on every engine: a snapshot plus a journal of each
batch's placements (``StoryBook`` in tidings/core/stories/book.py, the ``story_journal`` table of
schema 6). A state loaded from them is the state of one process that placed everything; a second
writer catches up on the first's journal; a schema-5 store migrates keeping its state; a batch
with an article placement cannot read is stored all the same."""

from __future__ import annotations

import logging
import pickle
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from story_corpus import as_records, late_story, misplaced_member, synthetic, two_events_one_story

from tidings.core.article import normalise
from tidings.core.store import SqliteStore, StoreEngine
from tidings.core.stories import book
from tidings.core.stories.book import STATE_FORMAT, StoryBook
from tidings.core.stories.clustering import StoryClusterer

StoreOpener = Callable[[], StoreEngine]
EVENTS = 30


def articles(n: int) -> list[dict[str, Any]]:
    """The synthetic events as stored records: dated, with a topic, from three outlets."""
    out = []
    for i, a in enumerate(synthetic(n, EVENTS)):
        event = int(a["entities"][0]["key"].removeprefix("place"))
        out.append(normalise({
            **{k: v for k, v in a.items() if k != "id"},
            "url": f"https://news{i % 3}.example/{i}",
            "published_at": f"2026-11-{1 + event % 28:02d}T{i % 24:02d}:00:00Z",
            "topics": [{"id": f"topic{event % 4}", "score": 1.0}],
        }))  # fmt: skip
    return out


def batches(items: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [[dict(a) for a in items[i : i + size]] for i in range(0, len(items), size)]


def one_stream(items: list[dict[str, Any]]) -> tuple[StoryClusterer, dict[str, str]]:
    c = StoryClusterer()
    return c, {a["id"]: c.add(a).story_id for a in items}


def shape(c: StoryClusterer) -> Any:
    """Everything the clusterer holds, orders included (recency and sketch order matter)."""
    stories = [
        (s.id, s.size, s.sums, s.first_seen, s.last_seen, dict(s.topics))
        for s in c.stories.values()
    ]
    sketch = vars(c.sketch)
    return (
        c.docs,
        {view: counts.cells.tobytes() for view, counts in c.df.items()},
        stories,
        [(t, list(p)) for t, p in sketch["_postings"].items()],
        [(s, list(t)) for s, t in sketch["_terms"].items()],
    )


def place(b: StoryBook, store: StoreEngine, batch: list[dict[str, Any]]) -> dict[str, str]:
    b.place(store, batch)
    store.upsert(batch)
    return {a["id"]: a["story_id"] for a in batch}


def where(store: StoreEngine) -> tuple[int | None, int, int]:
    """(snapshot seq, journal rows after it, stream position)."""
    with store.placing() as tx:
        snap = tx.state_seq()
        return snap, len(tx.journal(snap or 0)), tx.position()


def test_a_state_loaded_from_snapshot_and_journal_is_the_one_process_state(
    store_engines: StoreOpener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(book, "MIN_SNAPSHOT_BYTES", 30_000)  # snapshots within 200 articles
    items = articles(200)
    writer = store_engines()
    snapshots = set()
    b = StoryBook()
    for batch in batches(items, 16):
        place(b, writer, batch)
        snapshots.add(where(writer)[0])
    snap, rows, position = where(writer)
    assert len(snapshots - {None}) >= 2  # snapshots were taken, and replaced
    assert snap is not None and rows > 0 and position == 200  # a snapshot, then journal rows
    one, _ = one_stream(items)
    assert shape(StoryBook().state(store_engines())) == shape(one)  # a new process, loaded


def test_a_second_writer_catches_up_on_the_first_ones_journal(
    store_engines: StoreOpener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(book, "MIN_SNAPSHOT_BYTES", 30_000)
    items = articles(240)
    hosts = [(StoryBook(), store_engines()), (StoryBook(), store_engines())]
    got: dict[str, str] = {}
    for i, batch in enumerate(batches(items, 16)):
        b, store = hosts[i % 3 == 2]  # the second host writes every third batch
        got |= place(b, store, batch)
    one, expected = one_stream(items)
    assert got == expected and len(set(got.values())) < 60
    assert shape(hosts[1][0].state(hosts[1][1])) == shape(one)


def final_stories(items: list[dict[str, Any]]) -> tuple[StoryClusterer, dict[str, str]]:
    """One process placing ``items``: its state, and every article's story after the moves."""
    c, now = StoryClusterer(), {}
    for a in items:
        placed = c.add(a)
        now[a["id"]] = placed.story_id
        for move in placed.moves:
            now.update(dict.fromkeys(move.moved, move.target))
    return c, now


#: streams that make each kind of move early on (by position: the move's article ``i``, and
#: ``j`` whose story it leaves or joins): a split (m2 leaves m0's story), a one-member story
#: folded (t joins A1's), a member re-homed (c leaves x1's story for y1's)
MOVES = {
    "split": (two_events_one_story, 2, 0, False),
    "fold": (late_story, 0, 1, True),
    "rehome": (misplaced_member, 2, 3, True),
}


@pytest.mark.parametrize("kind", list(MOVES))
def test_writers_taking_turns_replay_each_others_moves(
    store_engines: StoreOpener, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """A move (a split, a fold, a re-home) is made in one writer's batch; the other writer's
    catch-up (journal replay, and a snapshot taken mid-stream) makes the same move, so the
    stored stories and both states are one process's; a story a fold emptied is gone."""
    monkeypatch.setattr(book, "MIN_SNAPSHOT_BYTES", 30_000)
    stream, i, j, together = MOVES[kind]
    items = [normalise(r) for r in as_records(stream())] + articles(100)
    hosts = [(StoryBook(), store_engines()), (StoryBook(), store_engines())]
    named: set[str] = set()  # every story an article was placed in (a folded one too)
    for n, batch in enumerate(batches(items, 3)):
        b, store = hosts[n % 2]
        named |= set(place(b, store, batch).values())
    assert where(hosts[0][1])[0] is not None  # a snapshot was taken on the way
    one, expected = final_stories(items)
    assert (expected[items[i]["id"]] == expected[items[j]["id"]]) == together
    assert hosts[0][1].stories_of(list(expected)) == expected
    live = set(expected.values())
    for _, store in hosts:  # every story record is a live story's, with its members counted
        records = {r["id"]: r for r in store.stories(sorted(named | live))}
        assert {sid: r["articles"] for sid, r in records.items()} == Counter(expected.values())
    stored = {r["id"]: r["story_id"] for b in hosts[0][1].iter_articles() for r in b}
    assert stored == expected
    members = [(s.id, s.members) for s in one.stories.values()]
    for b, store in hosts:
        state = b.state(store)
        assert shape(state) == shape(one)
        assert [(s.id, s.members) for s in state.stories.values()] == members


def test_a_batch_writes_a_journal_row_of_its_own_size(store_engines: StoreOpener) -> None:
    store, b = store_engines(), StoryBook()
    sizes = []
    for batch in batches(articles(320), 32):
        place(b, store, batch)
        with store.placing() as tx:
            sizes.append(len(tx.journal(tx.position() - 1)[0][1]))
    # the tenth batch's row is about the first's (same batch size), not ten times it
    assert max(sizes) < 1.5 * min(sizes)
    assert where(store) == (None, 10, 320)  # a megabyte of journal has not accrued yet


def test_a_writer_notices_a_reset_and_restory_by_another(store_engines: StoreOpener) -> None:
    items = articles(160)
    (a, sa), (b, sb) = (StoryBook(), store_engines()), (StoryBook(), store_engines())
    for batch in batches(items[:96], 32):
        place(a, sa, batch)
    b.reset(sb)
    reordered = items[64:96] + items[:64]  # another process restories in another order
    for batch in batches(reordered, 32):
        b.place(sb, batch)
    got = place(a, sa, [dict(x) for x in items[96:]])  # a's memory is of the old stream
    _, expected = one_stream(reordered + items[96:])
    assert got == {x["id"]: expected[x["id"]] for x in items[96:]}


def _as_schema_5(store: StoreEngine) -> None:
    """What a schema-5 Tidings left: no journal table, the state saved whole after a batch."""
    with store._db.write() as db:  # type: ignore[attr-defined]
        db.execute("DROP TABLE story_journal")
        if isinstance(store, SqliteStore):
            db.execute("PRAGMA user_version = 5")
        else:
            db.execute("UPDATE schema_version SET version = 5")


def test_a_schema_5_store_migrates_and_continues_its_stream(store_engines: StoreOpener) -> None:
    items = articles(120)
    old, b = store_engines(), StoryBook()
    for batch in batches(items[:80], 40):
        place(b, old, batch)
    state = pickle.dumps((STATE_FORMAT, b.state(old)), protocol=pickle.HIGHEST_PROTOCOL)
    with old.placing() as tx:  # schema 5 saved the whole state after every batch
        tx.save_state(80, state)
    assert where(old) == (80, 0, 80)
    _as_schema_5(old)
    old.close()
    store = store_engines()  # opening migrates to schema 6
    got = place(StoryBook(), store, [dict(a) for a in items[80:]])
    _, expected = one_stream(items)
    assert got == {a["id"]: expected[a["id"]] for a in items[80:]}
    assert where(store) == (80, 1, 120)  # the old state is the snapshot; a journal row since


def test_an_article_that_cannot_be_placed_is_stored_without_a_story(
    store_engines: StoreOpener, caplog: pytest.LogCaptureFixture
) -> None:
    """A record story features cannot read (an empty body and a numeric summary, as ``tidings
    import`` stored before it checked types): the batch is stored, that article without a
    story, the rest placed."""
    store, b = store_engines(), StoryBook()
    items = articles(40)
    bad = normalise({
        "url": "https://odd.example/1", "title": "Numbers only", "body": "",
        "source": {"id": "odd", "name": "Odd", "domain": "odd.example"},
    })  # fmt: skip
    bad["summary"] = 5  # type: ignore[typeddict-item]
    batch = [dict(a) for a in items[:20]] + [bad] + [dict(a) for a in items[20:]]
    with caplog.at_level(logging.WARNING, logger="tidings.core.stories.book"):
        b.place(store, batch)
    result = store.upsert(batch)
    assert len(result.inserted) == 41  # nothing lost
    assert "story_id" not in bad and store.get(bad["id"]).get("story_id") is None  # type: ignore[union-attr]
    assert "1 article(s) of odd" in caplog.text and "AttributeError" in caplog.text
    placed = store.stories_of([a["id"] for a in batch])
    assert set(placed) == {a["id"] for a in items}
    _, expected = one_stream(items)  # the others are placed as if the bad one was not there
    assert placed == expected
    fixed = dict(bad, summary="Numbers only, now with a summary")
    assert b.place(store, [fixed]) == [bad["id"]]  # stored again, it is placed
