"""Store → index consistency: a write lost between the store and the index is redone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support import pending_ids

from tidings.core.article import normalise
from tidings.core.config import Settings
from tidings.core.index import open_index
from tidings.core.store import Store
from tidings.core.sync import index_pending, store_and_index

BODY = " ".join(["The council approved the new tram line after a long public consultation."] * 6)


def _records(n: int, start: int = 0) -> list[dict]:
    return [
        normalise({"url": f"https://city.example/{i}", "title": f"Tram news {i}", "body": BODY})
        for i in range(start, start + n)
    ]


def test_store_and_index_leaves_nothing_pending(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    with Store(settings.db_path) as store:
        index = open_index(settings, writable=True)
        try:
            result = store_and_index(store, index, _records(3))
            assert len(result.inserted) == 3
            assert pending_ids(store) == [] and index.count() == 3
        finally:
            index.close()


def test_a_crash_between_store_and_index_is_healed(tmp_path: Path) -> None:
    """The writer is SIGKILLed after the store commit and before the index write."""
    settings = Settings(home=tmp_path)
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from tidings.core.store import Store\n"
        "from tidings.core.article import normalise\n"
        f"body = {BODY!r}\n"
        "recs = [normalise({'url': f'https://city.example/{i}', 'title': f'Tram news {i}',"
        " 'body': body}) for i in range(5)]\n"
        f"store = Store(Path({str(settings.db_path)!r}))\n"
        "store.upsert(recs, track_index=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert done.returncode == -signal.SIGKILL
    with Store(settings.db_path) as store:
        assert store.count() == 5 and len(pending_ids(store)) == 5
        index = open_index(settings, writable=True)
        try:
            assert index.count() == 0
            assert index_pending(store, index) == 5
            assert index.count() == 5 and pending_ids(store) == []
        finally:
            index.close()


def test_import_heals_what_a_killed_writer_left(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    settings.home.mkdir()
    with Store(settings.db_path) as store:
        store.upsert(_records(4), track_index=True)  # as if killed before the index write
    src = tmp_path / "more.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in _records(2, start=10)))
    env = {**os.environ, "TIDINGS_HOME": str(settings.home)}
    done = subprocess.run(
        [sys.executable, "-m", "tidings", "import", str(src), "--no-classify"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    index = open_index(settings)
    try:
        assert index.count() == 6
    finally:
        index.close()


# -- two writers: a mark is cleared only for the version that was indexed ----------------------


class _SecondWriterDuringIndexWrite:
    """The real index; during its first write, a second writer (its own Store connection on the
    same file, as another process would have) stores something, so the two interleave exactly
    where a lost update would happen."""

    def __init__(self, index: object, second_write: object) -> None:
        self.index, self.second_write = index, second_write
        self.stories = index.stories  # type: ignore[attr-defined]

    def upsert(self, articles: list[dict]) -> None:
        self.index.upsert(articles)  # type: ignore[attr-defined]
        self._interleave()

    def delete(self, ids: list[str]) -> None:
        self.index.delete(ids)  # type: ignore[attr-defined]
        self._interleave()

    def _interleave(self) -> None:
        write, self.second_write = self.second_write, None
        if write is not None:
            write()  # type: ignore[operator]


def _titles_in_index(index: object, word: str) -> list[str]:
    from tidings.core.index import SearchRequest

    found = index.search(SearchRequest(q=word, limit=10, facets=()))  # type: ignore[attr-defined]
    return [hit.article["title"] for hit in found.hits]


def _second_writer(path: Path, record: dict) -> object:
    def write() -> None:
        with Store(path) as other:
            other.upsert([record], track_index=True)

    return write


def test_mark_indexed_keeps_a_newer_write_of_a_second_writer_pending(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    old = _records(1)[0]
    new = {**old, "title": "Tram news rewritten zeppelin"}
    with Store(settings.db_path) as store:
        index = open_index(settings, writable=True)
        try:
            racing = _SecondWriterDuringIndexWrite(index, _second_writer(settings.db_path, new))
            store_and_index(store, racing, [old])
            assert pending_ids(store) == [old["id"]], "the newer version was never indexed"
            assert index_pending(store, index) == 1
            assert _titles_in_index(index, "zeppelin") == [new["title"]]
            assert pending_ids(store) == []
        finally:
            index.close()


def test_index_pending_keeps_a_newer_write_of_a_second_writer_pending(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    old = _records(1)[0]
    new = {**old, "title": "Tram news rewritten zeppelin"}
    with Store(settings.db_path) as store:
        store.upsert([old], track_index=True)  # as if killed before the index write
        index = open_index(settings, writable=True)
        try:
            racing = _SecondWriterDuringIndexWrite(index, _second_writer(settings.db_path, new))
            index_pending(store, racing)
            assert _titles_in_index(index, "zeppelin") == [new["title"]]
            assert pending_ids(store) == []
        finally:
            index.close()


# -- deletions: tracked like writes, so an index failure never leaves a searchable ghost -------


class _IndexDown:
    """The real index, whose server goes away before a delete reaches it."""

    def __init__(self, index: object) -> None:
        self.index = index
        self.stories = index.stories  # type: ignore[attr-defined]

    def upsert(self, articles: list[dict]) -> None:
        self.index.upsert(articles)  # type: ignore[attr-defined]

    def delete(self, ids: list[str]) -> None:
        from tidings.core.index.base import IndexUnavailable

        raise IndexUnavailable("connection refused")


def test_a_delete_the_index_missed_is_healed_by_index_pending(tmp_path: Path) -> None:
    from tidings.core.index.base import IndexUnavailable
    from tidings.core.sync import delete_and_unindex

    settings = Settings(home=tmp_path)
    with Store(settings.db_path) as store:
        index = open_index(settings, writable=True)
        try:
            recs = _records(3)
            store_and_index(store, index, recs)
            gone = [recs[0]["id"], recs[1]["id"]]
            with pytest.raises(IndexUnavailable):
                delete_and_unindex(store, _IndexDown(index), gone)
            assert store.count() == 1 and sorted(pending_ids(store)) == sorted(gone)
            assert index.count() == 3  # the ghosts, until healed
            assert index_pending(store, index) == 2
            assert index.count() == 1 and pending_ids(store) == []
        finally:
            index.close()


def test_delete_and_unindex_leaves_nothing_pending(tmp_path: Path) -> None:
    from tidings.core.sync import delete_and_unindex

    settings = Settings(home=tmp_path)
    with Store(settings.db_path) as store:
        index = open_index(settings, writable=True)
        try:
            recs = _records(2)
            store_and_index(store, index, recs)
            assert delete_and_unindex(store, index, [recs[0]["id"], "missing"]) == 1
            assert store.count() == 1 and index.count() == 1 and pending_ids(store) == []
        finally:
            index.close()


def test_a_rewrite_after_a_delete_is_not_lost_to_the_delete_mark(tmp_path: Path) -> None:
    """Delete (index down), then the article comes back from a second writer before the healing
    pass: the index must end with the article, not without it."""
    from tidings.core.sync import delete_and_unindex

    settings = Settings(home=tmp_path)
    rec = _records(1)[0]
    with Store(settings.db_path) as store:
        index = open_index(settings, writable=True)
        try:
            store_and_index(store, index, [rec])
            racing = _SecondWriterDuringIndexWrite(index, _second_writer(settings.db_path, rec))
            delete_and_unindex(store, racing, [rec["id"]])
            assert pending_ids(store) == [rec["id"]]
            index_pending(store, index)
            assert index.count() == 1 and store.count() == 1
        finally:
            index.close()
