"""A story state saved by another version of Tidings is not loaded: placing goes on (new
stories), nothing stored is lost, and a warning names `tidings restory`."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import pytest
from story_corpus import as_records, corpus

from tidings.core.article import normalise
from tidings.core.store import Store
from tidings.core.stories.book import STATE_FORMAT, StoryBook


def test_a_state_of_another_format_starts_afresh_and_loses_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records = [normalise(r) for r in as_records(corpus())]
    first, rest = records[:3], records[3:]
    with Store(tmp_path / "t.db") as store:
        StoryBook().place(store, first)
        store.upsert(first)
        with store.placing() as tx:  # what an older Tidings left: a bare pickled object
            tx.save_state(tx.position(), pickle.dumps({"an": "older clusterer"}))
        with caplog.at_level(logging.WARNING, logger="tidings.core.stories.book"):
            StoryBook().place(store, rest)
        store.upsert(rest)
        assert "tidings restory" in caplog.text
        placed = store.stories_of([r["id"] for r in records])
        assert set(placed) == {r["id"] for r in records}  # every article has a story
        assert all(placed[r["id"]] == r["story_id"] for r in first)  # old ones kept theirs
        with store.placing() as tx:  # and the state saved now is this version's
            assert pickle.loads(tx.state()[1])[0] == STATE_FORMAT  # type: ignore[index]
