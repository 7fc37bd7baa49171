"""Story documents follow the store: an import writes them as stories grow, and ``tidings
reindex`` rebuilds them from the store, on both index backends."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from story_corpus import as_records, background, corpus

from tidings.cli.main import main
from tidings.core.config import Settings
from tidings.core.index import open_index
from tidings.core.index.stories import StoryQuery
from tidings.core.store import open_store
from tidings.core.stories.ingest import close_books


@pytest.fixture(params=["embedded", "elasticsearch"])
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    monkeypatch.delenv("TIDINGS_STORE_URL", raising=False)
    monkeypatch.setenv("TIDINGS_INDEX", request.param)
    if request.param == "elasticsearch":
        request.getfixturevalue("es_url")  # exports TIDINGS_ES_URL
        monkeypatch.setenv("TIDINGS_ES_INDEX", f"tidings-stories-{uuid.uuid4().hex[:12]}")
    yield Settings.from_env(home=tmp_path)
    close_books()
    if request.param == "elasticsearch":
        index = open_index(Settings.from_env(home=tmp_path), writable=True)
        index.drop()  # type: ignore[attr-defined]
        index.close()


def _import(settings: Settings, name: str, records: list[dict[str, object]]) -> None:
    data = settings.home / name
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert main(["--home", str(settings.home), "import", str(data), "--no-classify"]) == 0


def test_imports_write_story_documents_and_reindex_rebuilds_them(settings: Settings) -> None:
    records = as_records(background() + corpus())
    _import(settings, "a.jsonl", records[:-3])
    _import(settings, "b.jsonl", records[-3:])  # the quake and both earnings stories grow
    with open_store(settings) as store:
        stored = [r for b in store.iter_articles() for r in b]
        quake = next(r["story_id"] for r in stored if r["url"].endswith("/q3"))
        expected = {s["id"] for b in store.iter_stories() for s in b}
        assert store.pending_stories() == []
    index = open_index(settings, writable=True)
    try:
        assert set(index.stories.search(StoryQuery())) == expected
        assert index.stories.search(StoryQuery(q="rubble")) == [quake]  # q3's headline
        index.stories.clear()  # as if the index were lost
        assert index.stories.count() == 0
    finally:
        index.close()
    assert main(["--home", str(settings.home), "reindex"]) == 0
    index = open_index(settings)
    try:
        assert set(index.stories.search(StoryQuery())) == expected
        assert index.stories.search(StoryQuery(q="rubble")) == [quake]
    finally:
        index.close()
