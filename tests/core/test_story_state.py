"""The clusterer's state in the store (tidings/core/stories/book.py journal + snapshot) and its
bounds (frequencies.py, candidates.py): a batch writes only its own placements, two writers
taking turns continue one stream, a reset is noticed, and memory stays bounded."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tidings.core.stories import StoryClusterer, StoryParams, book
from tidings.core.stories.book import StoryBook
from tidings.core.stories.candidates import CandidateSketch
from tidings.core.stories.features import features_of
from tidings.core.stories.frequencies import HashedCounts

EVENTS = 40


def articles(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Articles about ``EVENTS`` events, each with its own words and names, in shuffled order."""
    rng = random.Random(seed)
    common = [f"common{i}" for i in range(300)]
    out = []
    for i in range(n):
        event = rng.randrange(EVENTS)
        own = [f"ev{event}word{j}" for j in range(10)]
        text = [rng.choice(own) if rng.random() < 0.4 else rng.choice(common) for _ in range(60)]
        out.append({
            "id": f"a{i}",
            "title": " ".join(rng.sample(own, 3) + rng.sample(common, 2)),
            "body": f"Reports said Mayor Name{event} Place{event} spoke. " + " ".join(text),
            "entities": [{"key": f"place{event}", "label": "GPE", "text": f"Place{event}"}],
        })  # fmt: skip
    return out


def batches(items: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [[dict(a) for a in items[i : i + size]] for i in range(0, len(items), size)]


def one_stream(items: list[dict[str, Any]]) -> dict[str, str]:
    c = StoryClusterer()
    return {a["id"]: c.add(a).story_id for a in items}


def placed(b: StoryBook, batch: list[dict[str, Any]]) -> dict[str, str]:
    b.place(batch)
    return {a["id"]: a["story_id"] for a in batch}


def test_two_writers_taking_turns_continue_one_stream_across_snapshots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(book, "MIN_SNAPSHOT_BYTES", 20_000)  # several snapshots in 300 articles
    items = articles(300)
    got: dict[str, str] = {}
    snapshots = set()
    with StoryBook(tmp_path / "s.db") as a, StoryBook(tmp_path / "s.db") as b:
        for i, batch in enumerate(batches(items, 16)):
            got |= placed((a, b)[i % 3 == 2], batch)  # b writes every third batch
            row = a.db.execute("SELECT seq FROM story_snapshot").fetchone()
            snapshots.add(row[0] if row else None)
        journal_rows = a.db.execute("SELECT COUNT(*) FROM story_journal").fetchone()[0]
    assert got == one_stream(items)
    assert len(got) == 300 and len(set(got.values())) < 100
    assert len(snapshots - {None}) >= 2  # snapshots were taken, and replaced
    assert journal_rows < len(batches(items, 16))  # the journal before a snapshot is dropped


def test_a_new_process_continues_from_the_snapshot_and_journal(tmp_path: Path) -> None:
    items = articles(200)
    first, rest = items[:120], items[120:]
    with StoryBook(tmp_path / "s.db") as a:
        for batch in batches(first, 32):
            a.place(batch)
    got = {}
    with StoryBook(tmp_path / "s.db") as b:  # a later process: nothing in memory
        for batch in batches(rest, 32):
            got |= placed(b, batch)
    expected = one_stream(items)
    assert got == {a["id"]: expected[a["id"]] for a in rest}


def test_a_batch_writes_only_its_own_placements(tmp_path: Path) -> None:
    items = articles(640)
    sizes = []
    with StoryBook(tmp_path / "s.db") as b:
        for batch in batches(items, 32):
            b.place(batch)
            sizes.append(
                b.db.execute(
                    "SELECT length(entries) FROM story_journal ORDER BY seq DESC LIMIT 1"
                ).fetchone()[0]
            )
        snapshot = b.db.execute("SELECT seq FROM story_snapshot").fetchone()
    # the 20th batch's row is the size of the first's (same batch size), not 20 times it
    assert max(sizes) < 1.5 * min(sizes)
    assert snapshot is None  # a megabyte of journal has not accrued: no snapshot yet


def test_a_writer_notices_another_reset_and_restoried(tmp_path: Path) -> None:
    items = articles(160)
    with StoryBook(tmp_path / "s.db") as a, StoryBook(tmp_path / "s.db") as b:
        for batch in batches(items[:96], 32):
            a.place(batch)
        b.reset()
        reordered = items[64:96] + items[:64]  # another process restories another order
        for batch in batches(reordered, 32):
            b.place(batch)
        got = placed(a, [dict(x) for x in items[96:]])  # a's memory is of the old stream
    expected = one_stream(reordered + items[96:])
    assert got == {x["id"]: expected[x["id"]] for x in items[96:]}


def test_replay_moves_the_state_as_add_did() -> None:
    items = articles(120)
    online, replayed = StoryClusterer(), StoryClusterer()
    for a in items[:100]:
        feats = features_of(a)
        replayed.replay(feats, online.add(a, feats).story_id)
    rest = items[100:]
    assert [online.add(a).story_id for a in rest] == [replayed.add(a).story_id for a in rest]


def test_the_sketch_holds_at_most_its_terms_per_live_story() -> None:
    params = StoryParams(live_stories=10, sketch_terms_per_story=8)
    c = StoryClusterer(params)
    for a in articles(200):
        c.add(a)
    assert len(c.stories) == 10
    assert 0 < c.sketch.entries() <= 10 * 8
    sketch = CandidateSketch(per_term=4, per_story=2)
    sketch.post("s1", ["a", "b", "c"])  # s1 keeps its two latest terms
    assert sketch.candidates(["a"], 5) == [] and sketch.candidates(["c"], 5) == ["s1"]
    sketch.forget("s1")
    assert sketch.entries() == 0


def test_document_frequencies_take_fixed_memory() -> None:
    counts = HashedCounts(bits=4)
    for i in range(1000):
        counts.add([f"term{i}", "common"])
    assert len(counts.cells) == 16
    assert counts["common"] >= 1000  # shared cells only ever add: a common term stays common
    assert sum(counts.cells) == 2000 - sum(  # a document counts a shared cell once
        counts.cell(f"term{i}") == counts.cell("common") for i in range(1000)
    )
