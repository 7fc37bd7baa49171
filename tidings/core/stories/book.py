"""Placing articles into stories, with the story tables kept by the store of record.

The store (either engine) keeps the tables (:class:`tidings.core.store.base.StoryStore`):
which story each article is in, one record per story, the clusterer's running state, and the
index's pending marks for story documents. A :class:`StoryBook` keeps that state in memory
between batches. Writers call :meth:`StoryBook.place` on each batch *before* storing it: new
articles are placed by the online clusterer and every record gets its ``story_id`` (an article
keeps its story when it is stored again), so the stored record, the index and the API all
carry it. ``tidings restory`` resets the stories and places the stored articles again in the
order they were first stored, which is the ingest order, so it gives the same stories as the
ingest path did.

One writer places at a time across every process and host (:meth:`StoryStore.placing` holds
the lock that serialises article writes); a book whose state is older than the store's
reloads it first, so writers that take turns continue one stream.
"""

from __future__ import annotations

import pickle
import threading
from typing import Any

from tidings.core.store.base import StoryPlacement, StoryStore
from tidings.core.stories.clustering import StoryClusterer, StoryParams
from tidings.core.stories.record import StoryRecord


class StoryBook:
    """The story clusterer's state for one store's database, kept between batches."""

    def __init__(self, params: StoryParams | None = None) -> None:
        self.params = params or StoryParams()
        self._lock = threading.Lock()
        self._clusterer: StoryClusterer | None = None
        self._seq = -1  # the state's position in the stream; -1: not loaded

    # -- writes ----------------------------------------------------------------------------
    def place(self, store: StoryStore, records: list[dict[str, Any]]) -> list[str]:
        """Give every record its ``story_id`` (placing the new ones); returns the new ids."""
        if not records:
            return []
        with self._lock:
            try:
                with store.placing() as tx:
                    return self._place(tx, records)
            except BaseException:
                self._seq = -1  # the in-memory state may have moved: reload next time
                raise

    def _place(self, tx: StoryPlacement, records: list[dict[str, Any]]) -> list[str]:
        clusterer = self._current_state(tx)
        known = tx.stories_of([str(r["id"]) for r in records])
        placed: list[tuple[str, str, int]] = []
        touched: dict[str, list[tuple[dict[str, Any], float]]] = {}
        for record in records:
            aid = str(record["id"])
            if aid in known:
                record["story_id"] = known[aid]
                continue
            assignment = clusterer.add(record)
            record["story_id"] = known[aid] = assignment.story_id
            self._seq += 1
            placed.append((aid, assignment.story_id, self._seq))
            touched.setdefault(assignment.story_id, []).append((record, assignment.title_fit))
        if placed:
            tx.add_members(placed)
            tx.put_records(self._updated_records(tx, touched), self._seq)
            tx.save_state(self._seq, pickle.dumps(clusterer, protocol=pickle.HIGHEST_PROTOCOL))
        return [aid for aid, _, _ in placed]

    @staticmethod
    def _updated_records(
        tx: StoryPlacement, touched: dict[str, list[tuple[dict[str, Any], float]]]
    ) -> list[dict[str, Any]]:
        stored = tx.records(list(touched))
        out = []
        for story_id, joined in touched.items():
            saved = stored.get(story_id)
            story = StoryRecord.load(saved) if saved else StoryRecord(story_id)
            for record, title_fit in joined:
                story.add(record, title_fit)
            out.append(story.dump())
        return out

    def _current_state(self, tx: StoryPlacement) -> StoryClusterer:
        saved = tx.state()
        db_seq = saved[0] if saved else 0
        if self._clusterer is None or self._seq != db_seq:
            if saved is None or not saved[1]:
                self._clusterer = StoryClusterer(self.params)
            else:
                self._clusterer = pickle.loads(saved[1])  # our own state, from our own store
            self._seq = db_seq
        assert self._clusterer is not None
        return self._clusterer

    def reset(self, store: StoryStore) -> None:
        """Forget every story (``tidings restory`` then places the stored articles again)."""
        with self._lock:
            store.reset_stories()
            self._clusterer, self._seq = None, -1
