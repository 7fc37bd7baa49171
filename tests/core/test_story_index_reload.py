"""The story index's reader reloads as the article index's does: after a commit by any writer
(another process included), seen by the very next search; never when nothing was committed;
and at least once within the reload bound, whatever ``meta.json``'s stat says."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import tantivy

from tidings.core.index import embedded_reader, embedded_stories
from tidings.core.index.embedded_stories import EmbeddedStoryIndex
from tidings.core.index.stories import StoryQuery

#: Commits one story to the story index at argv[1] from another process, then exits.
WRITE_ONE = (
    "import sys; from pathlib import Path\n"
    "from tidings.core.index.embedded_stories import EmbeddedStoryIndex\n"
    "w = EmbeddedStoryIndex(Path(sys.argv[1]), writable=True)\n"
    "w.upsert([{'id': sys.argv[2], 'headline': 'harbour ' + sys.argv[2],\n"
    "           'last_seen': '2024-01-01T00:00:00+00:00'}])\n"
    "w.close()\n"
)


def story(n: int) -> dict[str, Any]:
    return {"id": f"s{n}", "headline": f"harbour story {n}", "last_seen": "2024-01-01T00:00:00Z"}


def harbour(index: EmbeddedStoryIndex) -> set[str]:
    return set(index.search(StoryQuery(q="harbour")))


class CountingIndex:
    """A tantivy index that counts its reloads (everything else passes through)."""

    def __init__(self, index: tantivy.Index) -> None:
        self._index = index
        self.reloads = 0

    def reload(self) -> None:
        self.reloads += 1
        self._index.reload()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


def test_a_story_another_process_commits_is_seen_by_the_next_search(tmp_path: Path) -> None:
    path = tmp_path / "stories"
    reader = EmbeddedStoryIndex(path)
    try:
        assert harbour(reader) == set() and reader.count() == 0
        for n in range(1, 4):
            subprocess.run([sys.executable, "-c", WRITE_ONE, str(path), f"p{n}"], check=True)
            assert harbour(reader) == {f"p{k}" for k in range(1, n + 1)}
            assert reader.count() == n
    finally:
        reader.close()


def test_each_commit_of_another_writer_is_seen_by_the_next_search(tmp_path: Path) -> None:
    """Quick successive commits (within one tick of the file clock, likely) and a delete."""
    path = tmp_path / "stories"
    with_writer = EmbeddedStoryIndex(path, writable=True)
    reader = EmbeddedStoryIndex(path)
    try:
        for n in range(1, 11):
            with_writer.upsert([story(n)])
            assert len(harbour(reader)) == n
        with_writer.delete(["s1"])
        assert "s1" not in harbour(reader) and reader.count() == 9
    finally:
        reader.close()
        with_writer.close()


def test_a_search_with_no_commit_since_the_last_does_not_reload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fails when every story search reloads (0.1-0.2 ms each, for nothing)."""
    opened: list[CountingIndex] = []
    real = embedded_stories.open_tantivy

    def counting(schema: tantivy.Schema, at: Path) -> CountingIndex:
        opened.append(CountingIndex(real(schema, at)))
        return opened[-1]

    monkeypatch.setattr(embedded_stories, "open_tantivy", counting)
    path = tmp_path / "stories"
    with_writer = EmbeddedStoryIndex(path, writable=True)
    reader = EmbeddedStoryIndex(path)
    try:
        with_writer.upsert([story(1)])
        assert harbour(reader) == {"s1"}
        before = opened[-1].reloads
        for _ in range(20):
            assert harbour(reader) == {"s1"} and reader.count() == 1
        assert opened[-1].reloads == before
        with_writer.upsert([story(2)])
        assert harbour(reader) == {"s1", "s2"}
        assert opened[-1].reloads == before + 1
    finally:
        reader.close()
        with_writer.close()


def test_a_commit_the_stat_misses_is_seen_within_the_reload_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit whose ``meta.json`` stat looks unchanged (here: always the same) is still seen
    once the reload bound (one second) has passed, and not before (the stat decides until then)."""
    assert embedded_reader.RELOAD_AT_LEAST_EVERY == 1.0
    monkeypatch.setattr(embedded_reader, "commit_generation", lambda path: (1, 2, 3))
    path = tmp_path / "stories"
    with_writer = EmbeddedStoryIndex(path, writable=True)
    reader = EmbeddedStoryIndex(path)
    try:
        assert harbour(reader) == set()  # the first search reloads, and starts the bound
        with_writer.upsert([story(1)])
        assert harbour(reader) == set()
        time.sleep(1.05)
        assert harbour(reader) == {"s1"}
    finally:
        reader.close()
        with_writer.close()
