"""Store → index consistency: a write lost between the store and the index is redone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

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
            assert store.pending_index() == [] and index.count() == 3
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
        assert store.count() == 5 and len(store.pending_index()) == 5
        index = open_index(settings, writable=True)
        try:
            assert index.count() == 0
            assert index_pending(store, index) == 5
            assert index.count() == 5 and store.pending_index() == []
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
