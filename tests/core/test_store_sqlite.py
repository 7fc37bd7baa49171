"""What is particular to the SQLite store engine: its file, schema versions and migrations, and
readers in other processes. What every engine promises is in
``tests/contract/test_store_contract.py``."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from support import pending_ids

from tidings.core.article import normalise
from tidings.core.store import SCHEMA_VERSION, Store, StoreError

WORDS = [f"w{i}" for i in range(500)]


def record(n: int, **extra: Any) -> dict[str, Any]:
    rng = random.Random(n)
    body = " ".join(rng.choice(WORDS) for _ in range(300))
    return normalise({"url": f"https://news{n}.example/story", "title": "T", "body": body, **extra})


def _rewrite(path: Path, *statements: str, version: int | None = None) -> None:
    """Make the file look as an older Tidings left it (statements, then ``user_version``)."""
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    if version is not None:
        db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.close()


def _topics(*ids: str) -> list[dict[str, Any]]:
    return [{"id": t, "score": 0.9, "origin": "model"} for t in ids]


def test_schema_is_created_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    Store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "fingerprint_bands", "crawl_errors"} <= tables
    db.close()
    _rewrite(path, version=99)
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def open_together(path: Path, openers: int) -> list[BaseException]:
    """Open ``openers`` stores on ``path`` from as many threads released at once."""
    errors: list[BaseException] = []
    start = threading.Barrier(openers, timeout=60)

    def open_it() -> None:
        try:
            start.wait()
            Store(path).close()
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(openers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_several_openers_of_one_new_file_all_get_a_store(tmp_path: Path) -> None:
    """Crawl workers and the API may open a store that does not exist yet at the same moment:
    switching the new file to WAL needs it alone, and SQLite answers "locked" at once then, so
    every opener must wait its turn rather than fail (it did, ~1 in 10 rounds of 4)."""
    for n in range(40):
        path = tmp_path / f"new{n}.db"
        assert open_together(path, 4) == [], f"round {n}"
        assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reader_in_another_process(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    with Store(path) as writer:
        writer.upsert([record(n) for n in range(3)])
        code = (
            "import sys; from pathlib import Path; from tidings.core.store import Store\n"
            "with Store(Path(sys.argv[1])) as s: print(s.count())"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "3"


def test_version_1_database_migrates_keeping_articles(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.upsert([record(1)])
    tables = ("fetch_state", "index_pending", "source_runs")  # a version-1 file lacks them
    _rewrite(path, *(f"DROP TABLE {table}" for table in tables), version=1)
    with Store(path) as s:
        assert s.count() == 1 and s.fetch_state("https://x.example/") is None
        assert pending_ids(s) == [] and s.source_health() == []
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
    db.close()


def test_version_3_database_migrates_keeping_its_stories_and_marking_them(tmp_path: Path) -> None:
    """A version-3 Tidings kept story tables of its own (the same shape) but no index marks for
    them: schema 4 keeps the stories and marks each one pending, so the index gets them."""
    from story_corpus import as_records, corpus

    from tidings.core.stories.book import StoryBook

    path = tmp_path / "old.db"
    rs = [normalise(r) for r in as_records(corpus())]
    with Store(path) as s:
        StoryBook().place(s, rs)
        s.upsert(rs)
    _rewrite(path, "DROP TABLE story_pending", version=3)
    with Store(path) as s:
        ids = {r["story_id"] for r in rs}
        assert s.story_count() == len(ids) == 3
        assert s.stories_of([r["id"] for r in rs]) == {r["id"]: r["story_id"] for r in rs}
        pending = s.pending_stories()
        assert {p.story_id for p in pending} == ids and all(p.record for p in pending)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_version_3_database_gains_the_site_templates(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.upsert([record(1)])
    _rewrite(path, "DROP TABLE site_lines", "DROP TABLE site_pages", version=3)
    with Store(path) as s:
        assert s.count() == 1 and s.site_lines("courier") == (0, {})
        s.add_site_lines("courier", 1, {42: 1}, keep=10)
        assert s.site_lines("courier") == (1, {42: 1})
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_database_without_topic_rows_gets_them_filled(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.upsert([record(1, topics=_topics("ai")), record(2, topics=_topics("ai", "law"))])
    triggers = (f"DROP TRIGGER article_topics_{t}" for t in ("insert", "update", "delete"))
    _rewrite(path, *triggers, "DROP TABLE article_topics")  # as made before topic rows existed
    with Store(path) as s:
        assert s.topic_counts() == [("ai", 2), ("law", 1)]
        s.upsert([record(3, topics=_topics("law"))])
        assert s.topic_counts() == [("ai", 2), ("law", 2)]


def test_version_2_database_migrates_keeping_its_pending_marks(tmp_path: Path) -> None:
    """Schema 2 marks had no version: they migrate as version 0, and any index write clears
    them."""
    path = tmp_path / "v2.db"
    with Store(path) as s:
        a = record(1)
        s.upsert([a])
    _rewrite(
        path,
        "DROP TABLE index_pending",
        "DROP TABLE index_clock",
        "CREATE TABLE index_pending (article_id TEXT PRIMARY KEY)",
        f"INSERT INTO index_pending VALUES ('{a['id']}')",
        version=2,
    )
    with Store(path) as s:
        [pending] = s.pending_writes()
        assert pending.article_id == a["id"] and pending.version == 0
        s.mark_indexed({a["id"]: pending.version})
        assert pending_ids(s) == []
        assert s.upsert([{**a, "title": "New"}], track_index=True).version == 1


@pytest.mark.parametrize("kind", ["garbage", "directory"])
def test_a_path_that_is_no_database_is_a_store_error_and_is_left_as_it_was(
    kind: str, tmp_path: Path
) -> None:
    """Every opener (CLI, API, crawler) gets the store's own error, not sqlite3's, and the
    file it could not use keeps every byte (nothing is migrated or switched to WAL)."""
    path = tmp_path / "tidings.db"
    garbage = b"not SQLite at all\n" * 400
    if kind == "garbage":
        path.write_bytes(garbage)
    else:
        path.mkdir()
    with pytest.raises(StoreError, match="the SQLite store cannot be used"):
        Store(path)
    if kind == "garbage":
        assert path.read_bytes() == garbage
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tidings.db"]
