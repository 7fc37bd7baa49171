"""The stories part of the store contract (``StoryStore`` in tidings/core/store/base.py), run on
every engine through the ``store``/``store_engines`` fixtures (SQLite, and PostgreSQL in a
cluster the tests start). Stories are placed by the real clusterer (``StoryBook``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from story_corpus import as_records, background, corpus

from tidings.core.article import normalise
from tidings.core.store import StoreEngine
from tidings.core.stories.book import StoryBook
from tidings.core.stories.clustering import StoryClusterer

StoreOpener = Callable[[], StoreEngine]

def records() -> list[dict[str, Any]]:
    """The story corpus as stored records (ids are hashes of their URLs)."""
    return [normalise(r) for r in as_records(background() + corpus())]


def name_of(rs: list[dict[str, Any]]) -> dict[str, str]:
    return {r["id"]: r["url"].rsplit("/", 1)[-1] for r in rs}


def groups(assigned: dict[str, str]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for aid, sid in assigned.items():
        by.setdefault(sid, set()).add(aid)
    return {frozenset(g) for g in by.values()}


def place_and_store(book: StoryBook, store: StoreEngine, batch: list[dict[str, Any]]) -> None:
    book.place(store, batch)
    store.upsert(batch, track_index=True)


def write_together(
    store_engines: StoreOpener,
    parts: list[Any],
    write: Callable[[StoryBook, StoreEngine, Any], None],
) -> list[BaseException]:
    """Run ``write(book, store, part)`` for each part in its own thread, each with its own book
    and store (as separate hosts), released together; returns what any of them raised. A thread
    that fails before the start breaks the barrier, so the others fail fast instead of waiting."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(parts), timeout=120)

    def run(part: Any) -> None:
        try:
            book, store = StoryBook(), store_engines()
            start.wait()
            write(book, store, part)
        except BaseException as exc:  # noqa: BLE001 - returned to the test, which asserts
            start.abort()
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_placed_stories_are_kept_and_read_back(store: StoreEngine) -> None:
    rs = records()
    place_and_store(StoryBook(), store, rs)
    names = name_of(rs)
    by_name = {names[r["id"]]: r["story_id"] for r in rs}
    assert by_name["q1"] == by_name["q2"] == by_name["q3"]
    assert by_name["e1"] == by_name["e3"] != by_name["e2"] == by_name["e4"]
    assert store.stories_of([r["id"] for r in rs]) == {r["id"]: r["story_id"] for r in rs}
    assert all(store.get(r["id"])["story_id"] == r["story_id"] for r in rs)  # type: ignore[index]

    quake = store.story(by_name["q1"])
    assert quake is not None and quake["articles"] == 3
    assert quake["article_ids"] == [r["id"] for r in rs if names[r["id"]].startswith("q")]
    assert quake["headline"] in {a["title"] for a in corpus() if a["id"].startswith("q")}
    assert sorted(quake["titles"]) == sorted(a["title"] for a in corpus() if a["id"][0] == "q")
    assert store.story("nosuch") is None

    ids = {r["story_id"] for r in rs}
    assert store.story_count() == len(ids)
    assert {s["id"] for batch in store.iter_stories(2) for s in batch} == ids
    assert [s["id"] for s in store.stories([by_name["e2"], "nosuch", by_name["q1"]])] == [
        by_name["e2"], by_name["q1"],
    ]  # fmt: skip
    recent = store.recent_stories(100)
    seen = [s["last_seen"] for s in recent]
    assert seen == sorted(seen, reverse=True)
    assert recent[0]["id"] == by_name["e4"]  # the last article of the corpus
    late, earlier = recent[0]["last_seen"], recent[1]["last_seen"]
    assert [s["id"] for s in store.recent_stories(100, since=late)] == [by_name["e4"]]
    assert recent[1]["id"] in {s["id"] for s in store.recent_stories(100, until=earlier)}
    assert by_name["e4"] not in {s["id"] for s in store.recent_stories(100, until=earlier)}


def test_an_article_stored_again_keeps_its_story(store: StoreEngine) -> None:
    rs = records()
    book = StoryBook()
    place_and_store(book, store, rs)
    before = store.story(rs[-1]["story_id"])
    again = [dict(rs[-1], title="Nvidia revenue soars (updated)")]
    again[0].pop("story_id")
    assert book.place(store, again) == []  # known: not placed twice
    assert again[0]["story_id"] == rs[-1]["story_id"]
    assert store.story(rs[-1]["story_id"]) == before


def test_writers_taking_turns_continue_one_stream(store_engines: StoreOpener) -> None:
    """Two store objects with their own books (two hosts) alternate batches: the stories are
    those of one clusterer reading every article in that order."""
    rs = records()
    hosts = [(StoryBook(), store_engines()), (StoryBook(), store_engines())]
    for n, start in enumerate(range(0, len(rs), 3)):
        book, store = hosts[n % 2]
        place_and_store(book, store, rs[start : start + 3])
    one = StoryClusterer()
    expected = {r["id"]: one.add(r).story_id for r in records()}
    assert hosts[0][1].stories_of(list(expected)) == expected


def test_concurrent_writers_place_every_article_once_in_one_stream(
    store_engines: StoreOpener,
) -> None:
    rs = records()
    rs += [
        dict(r, id=f"{r['id']}-{k}", url=f"{r['url']}/{k}", canonical_url=f"{r['url']}/{k}")
        for k in range(3)
        for r in rs
    ]
    halves = [rs[0::2], rs[1::2]]

    def write(book: StoryBook, store: StoreEngine, part: list[dict[str, Any]]) -> None:
        for i in range(0, len(part), 2):
            place_and_store(book, store, part[i : i + 2])

    assert write_together(store_engines, halves, write) == []
    store = store_engines()
    placed = store.stories_of([r["id"] for r in rs])
    assert len(placed) == len(rs)
    assert sum(s["articles"] for b in store.iter_stories() for s in b) == len(rs)
    with store.placing() as tx:
        position = tx.position()
    # one stream: each placement continued the other's state (a fork would repeat positions)
    assert position == len(rs)


def test_rival_writers_claiming_the_same_urls_leave_no_phantom_in_a_story(
    store_engines: StoreOpener,
) -> None:
    """Two hosts store the same URLs under different sources at once (``StoryBook.store``, as
    every writer does): whichever stores a URL first keeps it, the other is refused, and every
    story counts, lists and titles only what is stored, whatever order the hosts ran in."""
    ours = records()
    rivals = [
        dict(r, title=f"{r['title']} (rival)", source={"id": "rival", "name": "Rival"})
        for r in records()
    ]
    refused: list[list[str]] = [[], []]

    def write(book: StoryBook, store: StoreEngine, job: tuple[int, list[dict[str, Any]]]) -> None:
        n, part = job
        for i in range(0, len(part), 2):
            refused[n] += book.store(store, part[i : i + 2], track_index=True).result.refused

    assert write_together(store_engines, list(enumerate([ours, rivals])), write) == []
    assert sorted(refused[0] + refused[1]) == sorted(r["id"] for r in ours)  # one claim each
    store = store_engines()
    stored = {a["id"]: a for b in store.iter_articles() for a in b}
    assert len(stored) == len(ours) and all(a.get("story_id") for a in stored.values())
    assert store.stories_of(list(stored)) == {aid: a["story_id"] for aid, a in stored.items()}
    for batch in store.iter_stories():
        for story in batch:
            members = store.story(story["id"])["article_ids"]  # type: ignore[index]
            assert all(stored[aid]["story_id"] == story["id"] for aid in members)
            assert story["articles"] == len(members)
            titles = sorted(stored[aid]["title"] for aid in members)
            assert sorted(story["titles"]) == titles and story["headline"] in titles


def test_reset_forgets_stories_and_marks_their_documents_gone(store: StoreEngine) -> None:
    rs = records()
    book = StoryBook()
    place_and_store(book, store, rs)
    ids = {r["story_id"] for r in rs}
    store.mark_stories_indexed({p.story_id: p.version for p in store.pending_stories()})
    book.reset(store)
    assert store.story_count() == 0 and store.stories_of([r["id"] for r in rs]) == {}
    pending = store.pending_stories(1000)
    assert {p.story_id for p in pending} == ids and all(p.record is None for p in pending)
    again = [dict(r) for r in rs]
    book.place(store, again)
    assert {r["story_id"] for r in again} == ids  # the same stream again: the same stories
    assert all(p.record is not None for p in store.pending_stories(1000))


def test_story_marks_are_cleared_only_for_the_version_indexed(store: StoreEngine) -> None:
    rs = records()
    book = StoryBook()
    place_and_store(book, store, rs[:-1])
    first = {p.story_id: p.version for p in store.pending_stories()}
    assert set(first) == {r["story_id"] for r in rs[:-1]}
    assert all(p.record and p.record["id"] == p.story_id for p in store.pending_stories())
    place_and_store(book, store, rs[-1:])  # Nvidia grows after its mark was read
    store.mark_stories_indexed(first)
    [left] = store.pending_stories()
    assert left.story_id == rs[-1]["story_id"] and left.record["articles"] == 2  # type: ignore[index]


def test_assign_stories_writes_onto_the_latest_version(store_engines: StoreOpener) -> None:
    store, other = store_engines(), store_engines()
    rs = records()[:3]
    store.upsert(rs)
    newer = dict(rs[0], title="Rewritten by a crawler meanwhile")
    other.upsert([newer])  # another writer, after this one read its batch
    result = store.assign_stories(
        {rs[0]["id"]: "s-a", rs[1]["id"]: "s-b", "unknown": "s-c"}, track_index=True
    )
    assert sorted(result.updated) == sorted([rs[0]["id"], rs[1]["id"]])
    stored = store.get(rs[0]["id"])
    assert stored is not None
    assert stored["title"] == newer["title"] and stored["story_id"] == "s-a"
    assert {p.article_id for p in store.pending_writes()} == {rs[0]["id"], rs[1]["id"]}
    assert result.version is not None
    again = store.assign_stories({rs[1]["id"]: "s-b"})
    assert again.unchanged == [rs[1]["id"]] and again.articles == []


def test_a_deleted_article_leaves_its_story(store: StoreEngine) -> None:
    rs = records()
    place_and_store(StoryBook(), store, rs)
    nvidia, gone = rs[-1]["story_id"], rs[-1]["id"]
    store.delete([gone])
    assert gone not in store.stories_of([gone])
    story = store.story(nvidia)
    assert story is not None and gone not in story["article_ids"]
