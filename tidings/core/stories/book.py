"""Placing articles into stories, with the story tables kept by the store of record.

The store (either engine) keeps the tables (:class:`tidings.core.store.base.StoryStore`):
which story each article is in, one record per story, the clusterer's running state, and the
index's pending marks for story documents. A :class:`StoryBook` keeps that state in memory
between batches. Writers store each batch with :meth:`StoryBook.store`: the upsert runs in the
placement transaction and each record it keeps (never one it refuses: its URL is another
source's) is placed just before it is written, so no story counts an article that is not
stored. New articles are placed by the online clusterer and every record gets its ``story_id``
(an article keeps its story when it is stored again), so the stored record, the index and the
API all carry it. ``tidings restory`` resets the stories and places the stored articles again in the
order they were first stored, which is the ingest order, so it gives the same stories as the
ingest path did.

The state is persisted as a snapshot plus a journal: each batch writes one journal row with
its placements (each article's features and story, what :meth:`StoryClusterer.replay` needs),
so a batch's write does not grow with the corpus; a new snapshot (the pickled clusterer) is
taken only once the journal since the last one outweighs it, so snapshots cost a bounded share
per article. Opening means loading the snapshot and replaying the journal after it.

A join can move articles already placed (:meth:`StoryClusterer._settle`: a split, a one-member
story folded into the joined one, a member re-homed to a story that fits it better): the
placement reports which articles moved to which story, and the batch applies it in its own
transaction once its members and records are written (:meth:`StoryPlacement.move_members`):
the moved articles' member rows, their stored records' ``story_id`` and index marks, and both
stories' records counted again from their members (a story left with none is deleted). The
journal keeps the story each article joined and its id, so a replay makes the same moves.

One writer places at a time across every process and host (:meth:`StoryStore.placing` holds
the lock that serialises article writes); before placing, a book replays the journal rows
other writers added since its own position, or reloads the snapshot when one was taken (or
the stories were reset) past it, so writers that take turns continue one stream.

A placement that fails does not fail the batch: the articles it could not place are stored
without a ``story_id`` (logged per source, like tagging failures) and get one when they are
stored again or by ``tidings restory``; a failure past one record's features rolls the whole
transaction back and the batch is stored again without placing (:class:`PlacementError`).
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from tidings.core.article import source_id
from tidings.core.store.base import (
    FetchState,
    StoreEngine,
    StoryPlacement,
    StoryStore,
    UpsertResult,
)
from tidings.core.stories.clustering import Move, StoryClusterer, StoryParams
from tidings.core.stories.features import StoryFeatures, features_of
from tidings.core.stories.record import StoryRecord

logger = logging.getLogger(__name__)

#: The saved state's format; bump it when :class:`StoryClusterer`'s pickled shape changes, or
#: what a replay of its journal does (5: the steps after a join fold and re-home members, which
#: a journal of 4 did not). A state of another format is not loaded: new articles start new
#: stories (none is lost, and stories already stored keep their articles) until ``tidings
#: restory`` regroups them all.
STATE_FORMAT = 6
#: The journal is folded into a new snapshot once it outweighs the last one, or this much.
MIN_SNAPSHOT_BYTES = 1 << 20

#: One journal entry: an article's views, topics, date, the story it joined, its id and its
#: neighbours (plain values, so a row stays readable whatever shape the classes take; the id
#: names the member a replayed move takes, the neighbours spare the replay scoring candidates;
#: None: not recorded, the replay scores them).
Entry = tuple[dict[str, dict[str, float]], list[str], float | None, str, str, list[str] | None]


class StoryBook:
    """The story clusterer's state for one store's database, kept between batches."""

    def __init__(self, params: StoryParams | None = None) -> None:
        self.params = params or StoryParams()
        self._lock = threading.Lock()
        self._clusterer: StoryClusterer | None = None
        self._seq = -1  # the state's position in the stream; -1: not loaded
        self._snapshot_bytes = 0  # of the snapshot the state was loaded from (or saved as)
        self._journal_bytes = 0  # journal applied since that snapshot
        self._snapshot_due = False  # the saved snapshot is unusable: replace it

    # -- writes ----------------------------------------------------------------------------
    def store(
        self,
        store: StoreEngine,
        records: list[dict[str, Any]],
        *,
        fetch_states: list[FetchState] | None = None,
        track_index: bool = False,
    ) -> Stored:
        """Store a batch with each kept record placed in its story, in one transaction: the
        store decides record by record what it keeps, and only those are placed, so a record
        it refuses (its URL is another source's) joins no story. When placing fails the batch
        is stored all the same (logged): new articles without a story, the rest keep theirs."""
        batch = _Batch(self)
        try:
            with self._placing(store) as tx:
                batch.open(tx, records)
                result = tx.upsert(
                    records, batch.place, fetch_states=fetch_states, track_index=track_index
                )
                batch.finish(result)
        except PlacementError as exc:
            _keep_known_stories(store, records)
            result = store.upsert(records, fetch_states=fetch_states, track_index=track_index)
            _log_unplaced([r for r in result.articles if "story_id" not in r], _cause(exc))
        return Stored(result, batch.seconds, batch.cpu_seconds)

    def place(self, store: StoryStore, records: list[dict[str, Any]]) -> list[str]:
        """Give every record (all stored: ``tidings restory``) its ``story_id``, placing the
        new ones; returns the new ids. Records that could not be placed are left without one
        (and logged), never raised."""
        if not records:
            return []
        try:
            with self._placing(store) as tx:
                batch = _Batch(self)
                batch.open(tx, records)
                for record in records:
                    batch.place(record)
                batch.finish()
                return [aid for aid, _, _ in batch.placed]
        except Exception as exc:  # noqa: BLE001 - the batch is stored all the same, unplaced
            _keep_known_stories(store, records)
            _log_unplaced([r for r in records if "story_id" not in r], _cause(exc))
            return []

    @contextmanager
    def _placing(self, store: StoryStore) -> Iterator[StoryPlacement]:
        """The store's placement transaction, one thread of this process at a time; when
        anything in it fails the in-memory state is dropped (it may have moved past what the
        store kept), so the next use reloads it."""
        with self._lock:
            try:
                with store.placing() as tx:
                    yield tx
            except BaseException:
                self._clusterer, self._seq = None, -1
                raise

    def _persist(self, tx: StoryPlacement, clusterer: StoryClusterer, journal: list[Entry]) -> None:
        """One journal row for the batch, or a new snapshot once the journal outweighs the last."""
        entries = dump(journal)
        self._journal_bytes += len(entries)
        if self._snapshot_due or self._journal_bytes >= max(
            self._snapshot_bytes, MIN_SNAPSHOT_BYTES
        ):
            state = dump(clusterer)
            tx.save_state(self._seq, state)  # drops the journal it holds
            self._snapshot_bytes, self._journal_bytes, self._snapshot_due = len(state), 0, False
        else:
            tx.append_journal(self._seq, entries)

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

    # -- the state -------------------------------------------------------------------------
    def _current_state(self, tx: StoryPlacement) -> StoryClusterer:
        """The clusterer at the store's position: the one in memory caught up on the journal
        rows other writers added, or the snapshot and the journal after it when a snapshot
        (or a reset, which always moves the position on) is past this book's position."""
        if self._clusterer is None or self._seq < (tx.state_seq() or 0):
            self._load_snapshot(tx)
        assert self._clusterer is not None
        for seq, entries in tx.journal(self._seq):
            _replay_row(self._clusterer, seq, entries)
            self._seq = seq
            self._journal_bytes += len(entries)
        return self._clusterer

    def _load_snapshot(self, tx: StoryPlacement) -> None:
        saved = tx.state()
        loaded = _load_state(saved[1]) if saved and saved[1] else None
        self._snapshot_due = bool(saved and saved[1]) and loaded is None
        self._clusterer = loaded or StoryClusterer(self.params)
        self._seq = saved[0] if saved else 0
        self._snapshot_bytes = len(saved[1]) if saved else 0
        self._journal_bytes = 0

    def state(self, store: StoryStore) -> StoryClusterer:
        """The clusterer as of the store's position (loaded and caught up as for a placement)."""
        with self._placing(store) as tx:
            return self._current_state(tx)

    def reset(self, store: StoryStore) -> None:
        """Forget every story (``tidings restory`` then places the stored articles again)."""
        with self._lock:
            store.reset_stories()
            self._clusterer, self._seq = None, -1


class PlacementError(RuntimeError):
    """Placing a batch failed (the cause is chained); the batch is stored without it."""


def _cause(exc: Exception) -> Exception:
    """What to log for a failed placement: the error :class:`PlacementError` wraps, if any."""
    return (
        exc.__cause__
        if isinstance(exc, PlacementError) and isinstance(exc.__cause__, Exception)
        else exc
    )


class Stored(NamedTuple):
    """What :meth:`StoryBook.store` did, and the time placing took (wall and this thread's
    CPU seconds: on a loaded machine the wall time is mostly waiting for a core)."""

    result: UpsertResult
    seconds: float
    cpu_seconds: float


class _Batch:
    """One batch's placements inside a placement transaction: :meth:`place` each record the
    store keeps, in store order, then :meth:`finish` writes members, records and journal."""

    def __init__(self, book: StoryBook) -> None:
        self.book = book
        self.seconds = self.cpu_seconds = 0.0
        self.placed: list[tuple[str, str, int]] = []
        self._journal: list[Entry] = []
        self._failed: list[dict[str, Any]] = []
        self._first_error: Exception | None = None
        self._touched: dict[str, list[tuple[dict[str, Any], float]]] = {}
        self._known: dict[str, str] = {}
        self._asked: set[str] = set()
        self._records: dict[str, dict[str, Any]] = {}  # placed in this batch, by id
        self._moves: dict[str, str] = {}  # article id -> the story a move took it to
        self._moved_stories: set[str] = set()

    def open(self, tx: StoryPlacement, records: list[dict[str, Any]]) -> None:
        """Start placing ``records`` in ``tx``: the book's state, caught up with other
        writers, and the stories of those already placed (one query for the batch)."""
        self.tx = tx
        ids = [str(r["id"]) for r in records if r.get("id")]
        self._timed(lambda: self._open(tx, ids))

    def _open(self, tx: StoryPlacement, ids: list[str]) -> None:
        self._clusterer = self.book._current_state(tx)
        self._asked = set(ids)
        self._known.update(tx.stories_of(ids))

    def _timed(self, step: Callable[[], None]) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            step()
        except Exception as exc:
            raise PlacementError(str(exc)) from exc
        finally:
            self.seconds += time.perf_counter() - wall
            self.cpu_seconds += time.thread_time() - cpu

    def place(self, record: dict[str, Any]) -> None:
        """Give ``record`` its story: the one it is in when already placed, else a new
        placement (a record whose features fail is left without one, logged at the end)."""
        self._timed(lambda: self._place(record))

    def _place(self, record: dict[str, Any]) -> None:
        aid = str(record["id"])
        if aid not in self._asked:  # its id became the stored one's (same canonical URL)
            self._asked.add(aid)
            self._known.update(self.tx.stories_of([aid]))
        if aid in self._known:
            record["story_id"] = self._known[aid]
            return
        try:
            feats = features_of(record)
        except Exception as exc:  # noqa: BLE001 - bad input: store it unplaced, logged
            record.pop("story_id", None)
            self._failed.append(record)
            self._first_error = self._first_error or exc
            return
        assignment = self._clusterer.add(record, feats)
        self.book._seq += 1
        self.placed.append((aid, assignment.joined, self.book._seq))
        self._journal.append(journal_entry(feats, assignment.joined, aid, assignment.neighbours))
        self._touched.setdefault(assignment.joined, []).append((record, assignment.title_fit))
        self._records[aid] = record
        record["story_id"] = self._known[aid] = assignment.joined
        for move in assignment.moves:
            self._move(move)

    def _move(self, move: Move) -> None:
        """A join moved placed articles (a split, a one-member story folded in, a member
        re-homed): they (earlier batches' too) go to the move's target, and both stories are
        rebuilt from their members when the batch is written (a source left empty is
        deleted)."""
        self._moved_stories.update((move.source, move.target))
        for aid in move.moved:
            self._moves[aid] = self._known[aid] = move.target
            if aid in self._records:
                self._records[aid]["story_id"] = move.target

    def finish(self, result: UpsertResult | None = None) -> None:
        """Write the batch's placements (members, story records, journal, moves) and log
        failures; the articles a move took join ``result``'s records to index."""
        self._timed(lambda: self._finish(result))

    def _finish(self, result: UpsertResult | None) -> None:
        if self.placed:
            # the one read first (the story records; members are another table), then the
            # writes together: one round trip to a server for all of them, errors raised here
            records = self.book._updated_records(self.tx, self._touched)
            with self.tx.writes_together():
                self.tx.add_members(self.placed)
                self.tx.put_records(records, self.book._seq)
                self.book._persist(self.tx, self._clusterer, self._journal)
            if self._moves:  # after the members and records it rebuilds from are written
                moved = self.tx.move_members(
                    self._moves, sorted(self._moved_stories), self.book._seq, self._records
                )
                if result is not None:
                    _index_moved_too(result, moved)
        if self._failed:
            assert self._first_error is not None
            _log_unplaced(self._failed, self._first_error)


def _index_moved_too(result: UpsertResult, moved: UpsertResult) -> None:
    """Add the records a move took (as stored now) to the batch's records to index, under
    the moves' version: it is the later mark in this transaction, so marking the batch indexed
    at it clears both the batch's marks and the moves'."""
    if not moved.articles:
        return
    latest = {str(r["id"]): r for r in moved.articles}
    result.articles[:] = [latest.pop(str(r["id"]), r) for r in result.articles]
    result.articles.extend(latest.values())
    if result.version is not None:
        result.version = moved.version


def journal_entry(
    feats: StoryFeatures, story_id: str, article_id: str, neighbours: Iterable[str] | None = None
) -> Entry:
    """One placement as the journal keeps it (``story_id``: the story it joined)."""
    kept = None if neighbours is None else list(neighbours)
    return feats.views, sorted(feats.topics), feats.seen_at, story_id, article_id, kept


def _replay_row(
    clusterer: StoryClusterer, seq: int, entries: bytes, skip: Collection[int] = ()
) -> int:
    """Apply one journal row's placements to ``clusterer``, but those at the stream positions
    in ``skip``; returns how many it skipped. A row at ``seq`` holds the placements at the
    positions up to ``seq``, one each (an empty row is a position with none). With positions
    to skip, the neighbours are scored again: the stream without them may see others."""
    loaded = _load_entries(entries)
    skipped = 0
    for position, (views, topics, seen_at, story_id, aid, neighbours) in enumerate(
        loaded, seq - len(loaded) + 1
    ):
        if position in skip:
            skipped += 1
        else:
            feats = StoryFeatures(views, frozenset(topics), seen_at)
            clusterer.replay(feats, story_id, aid, None if skip else neighbours)
    return skipped


def without_placements(
    state: bytes | None, rows: Iterable[tuple[int, bytes]], positions: Collection[int]
) -> bytes | None:
    """The snapshot of a state (``state``, the snapshot, then the journal ``rows`` after it)
    that never made the placements at ``positions``: the snapshot replayed with the rows less
    those placements, so every placement after them is re-weighted as if they had never been
    made, exactly as the state of a stream without them. None when no row holds any of them
    (placements folded into ``state`` cannot be taken back out: see
    :mod:`tidings.core.store.story_repair`), or ``state`` is another version's (a book starts
    afresh from it anyway)."""
    clusterer = _load_state(state) if state else StoryClusterer()
    if clusterer is None:
        return None
    skipped = sum(_replay_row(clusterer, seq, entries, positions) for seq, entries in rows)
    return dump(clusterer) if skipped else None


def dump(saved: StoryClusterer | list[Entry]) -> bytes:
    """What the store keeps: a snapshot (the whole clusterer) or a journal row (one batch's
    placements), tagged with :data:`STATE_FORMAT` so :func:`_load` can refuse another
    version's bytes."""
    return pickle.dumps((STATE_FORMAT, saved), protocol=pickle.HIGHEST_PROTOCOL)


def _load_entries(entries: bytes) -> list[Entry]:
    """One journal row's placements; a row of another format is skipped, with a warning. An
    empty row is a position taken with no placement (the store's schema 7 heal)."""
    if not entries:
        return []
    return _load(entries, "a story journal row (skipped)") or []


def _load_state(state: bytes) -> StoryClusterer | None:
    """The clusterer saved by this version of Tidings, or None (new articles start new
    stories), with a warning, for a state an older version saved."""
    return _load(state, "the story state (new articles start new stories)")


def _load(saved: bytes, what: str) -> Any:
    """What this version of Tidings pickled (our own bytes, from our own store), or None, with
    a warning naming ``what``, for bytes another version wrote."""
    try:
        loaded = pickle.loads(saved)
    except Exception:  # noqa: BLE001 - an older class shape fails in many ways
        loaded = None
    if isinstance(loaded, tuple) and len(loaded) == 2 and loaded[0] == STATE_FORMAT:
        return loaded[1]
    logger.warning(
        "Another version of Tidings wrote %s; `tidings restory` regroups the stored articles",
        what,
    )
    return None


def _keep_known_stories(store: StoryStore, records: list[dict[str, Any]]) -> None:
    """After a failed placement: records already in a story keep it, the rest carry none."""
    try:
        known = store.stories_of([str(r["id"]) for r in records])
    except Exception:  # noqa: BLE001 - the store may be what failed: then none is known
        known = {}
    for record in records:
        if str(record["id"]) in known:
            record["story_id"] = known[str(record["id"])]
        else:
            record.pop("story_id", None)


def per_source(records: Iterable[dict[str, Any]]) -> Counter[str]:
    """How many of ``records`` each source has (``?`` for records without one)."""
    return Counter(source_id(r) or "?" for r in records)


def _log_unplaced(records: Iterable[dict[str, Any]], error: Exception) -> None:
    """One warning per source: how many of its articles are stored without a story, and why."""
    for source, n in sorted(per_source(records).items()):
        logger.warning(
            "story placement failed for %d article(s) of %s (%s: %s); stored without a story "
            "until stored again or `tidings restory`",
            n, source, type(error).__name__, error,
        )  # fmt: skip
