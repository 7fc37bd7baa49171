"""Healing a phantom story member (schema 7, tidings/core/store/story_repair.py) takes its
placement out of the clusterer's state too, when the journal still holds it: the healed store
then places the next article exactly as a store that never had the phantom, its state equal
field for field. A phantom already folded into a snapshot stays in the state (the documented
limit: a snapshot sums its members' vectors, which cannot be taken apart exactly)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from story_corpus import QUAKE, as_records, background, corpus

from tidings.core.article import normalise
from tidings.core.store import SqliteStore
from tidings.core.stories import book as book_module
from tidings.core.stories.book import StoryBook
from tidings.core.stories.clustering import StoryClusterer
from tidings.core.stories.ingest import close_books, store_with_stories


def shape(c: StoryClusterer) -> Any:
    """Everything the clusterer holds, orders included (recency, sketch and centroid order)."""
    return (
        c.docs,
        {view: counts.cells.tobytes() for view, counts in c.df.items()},
        [
            (s.id, s.size, {v: list(t.items()) for v, t in s.sums.items()}, s.first_seen,
             s.last_seen, dict(s.topics))
            for s in c.stories.values()
        ],  # fmt: skip
        [(t, list(p)) for t, p in vars(c.sketch)["_postings"].items()],
        [(s, list(t)) for s, t in vars(c.sketch)["_terms"].items()],
    )


#: Fetch times are fixed, so two stores filled a moment apart keep equal story records.
FETCHED = "2024-03-06T00:00:00Z"


def records() -> list[dict[str, Any]]:
    return [normalise({**r, "fetched_at": FETCHED}) for r in as_records(background() + corpus())]


def quake_report(outlet: str, title: str, day: str, dead: str, published: str) -> dict[str, Any]:
    return normalise({
        "url": f"https://{outlet}.example/{day.lower()}", "title": title,
        "body": QUAKE.format(m="7.6", day=day, n=dead, gov="Gamawan Fauzi"),
        "published_at": published, "fetched_at": FETCHED,
        "source": {"id": outlet, "name": outlet.title(), "domain": f"{outlet}.example"},
    })  # fmt: skip


def ghost() -> dict[str, Any]:
    """A quake report placed and never stored (the crash came before its upsert), as Tidings
    before schema 7 could leave one: it joins the quake story, whose centroid then holds it."""
    title = "Sumatra quake: Padang hospital full"
    return quake_report("ghost", title, "Wednesday", "1,100", "2024-03-04T05:30:00Z")


def later() -> dict[str, Any]:
    title = "Padang counts its dead after the quake"
    return quake_report("wire", title, "Thursday", "1,150", "2024-03-05T08:00:00Z")


def fill(path: Path, *, with_ghost: bool) -> dict[str, str]:
    """Store the records in two batches (a ghost placed between them, if asked), reopen as a
    schema-6 store would be (opening heals it); returns each stored article's story."""
    rows, stored = records(), []
    with SqliteStore(path) as store:
        stored += store_with_stories(store, rows[:8]).result.articles
        if with_ghost:
            StoryBook().place(store, [ghost()])  # placed, never stored
        stored += store_with_stories(store, rows[8:]).result.articles
        with store._db.write() as db:
            db.execute("PRAGMA user_version = 6")
    close_books()
    return {r["id"]: r["story_id"] for r in stored}


@pytest.fixture(autouse=True)
def _fresh_books() -> Any:
    close_books()
    yield
    close_books()


def test_a_healed_store_places_as_one_that_never_had_the_phantom(tmp_path: Path) -> None:
    placed = fill(tmp_path / "ghost.db", with_ghost=True)
    assert placed == fill(tmp_path / "clean.db", with_ghost=False)
    with SqliteStore(tmp_path / "ghost.db") as healed, SqliteStore(tmp_path / "clean.db") as clean:
        quake = placed[records()[6]["id"]]  # the first quake report's story
        assert shape(StoryBook().state(healed)) == shape(StoryBook().state(clean))
        [a] = store_with_stories(healed, [later()]).result.articles
        [b] = store_with_stories(clean, [later()]).result.articles
        assert a["story_id"] == b["story_id"] == quake
        assert healed.stories([quake]) == clean.stories([quake])
        close_books()
        assert shape(StoryBook().state(healed)) == shape(StoryBook().state(clean))


def test_without_the_heal_the_phantom_weighs_in_the_state(tmp_path: Path) -> None:
    """The check above can fail: the phantom joins the quake story and moves the state."""
    rows, phantom = records(), ghost()
    with SqliteStore(tmp_path / "ghost.db") as sick, SqliteStore(tmp_path / "clean.db") as clean:
        for store, extra in ((sick, [phantom]), (clean, [])):
            stored = store_with_stories(store, rows[:8]).result.articles
            if extra:
                StoryBook().place(store, extra)
            store_with_stories(store, rows[8:])
        [quake] = [a["story_id"] for a in stored if a["id"] == rows[6]["id"]]
        assert phantom["story_id"] == quake
        assert shape(StoryBook().state(sick)) != shape(StoryBook().state(clean))


def test_a_phantom_folded_into_a_snapshot_stays_in_the_state(tmp_path: Path) -> None:
    rows = records()
    with SqliteStore(tmp_path / "ghost.db") as store:
        store_with_stories(store, rows)
        StoryBook().place(store, [ghost()])
        folded = StoryBook().state(store)  # the ghost's placement, snapshotted
        with store.placing() as tx:
            tx.save_state(tx.position(), book_module.dump(folded))
        with store._db.write() as db:
            db.execute("PRAGMA user_version = 6")
    close_books()
    with SqliteStore(tmp_path / "ghost.db") as healed:
        kept = StoryBook().state(healed)
        assert shape(kept) == shape(folded)  # its features stay: nothing to take them from
        assert healed.stories_of([ghost()["id"]]) == {}  # while its member row is healed
