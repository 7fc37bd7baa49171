"""What an upsert decides, whatever the engine: batch order, identity, sources, changes, clusters.

Every engine stores the same outcome for the same batch because the decisions are made here, on
plain records and the stored row; the engine only reads that row, answers the cluster lookups
(:class:`tidings.core.fingerprint.CopyFinder`) and writes what :func:`plan_write` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from tidings.core.article import article_id, date_or_none, iso_utc, source_id, utc_now
from tidings.core.fingerprint import (
    CopyFinder,
    cluster_for,
    content_hash,
    long_enough,
    record_fingerprint,
)
from tidings.core.store.base import FetchState, UpsertResult

#: Gives a record the store keeps (writes, or finds unchanged) its ``story_id``, placing it
#: when new, in the upsert's transaction: a record the store refuses is never placed, so no
#: story counts an article that was not stored.
Placer = Callable[[dict[str, Any]], None]

#: Fields that may change without the article counting as changed (a re-crawl sets them anew).
VOLATILE_FIELDS = ("fetched_at", "cluster_id")


def column_date(value: object) -> str | None:
    """A date as the store's date columns keep it: UTC ISO 8601 (text order is time order),
    None when missing or unreadable. Cutoffs compared with those columns take the same form."""
    when = date_or_none(value)
    return iso_utc(when) if when else None


@dataclass(frozen=True)
class StoredArticle:
    """The stored row an incoming record is compared with (found by id or canonical URL)."""

    id: str
    content_hash: str
    cluster_id: str
    fingerprint: str | None
    source_id: str | None
    record: dict[str, Any]


@dataclass(frozen=True)
class Write:
    """One record to insert (``stored`` is None) or update, complete with id and cluster."""

    record: dict[str, Any]
    content_hash: str
    source_id: str | None
    stored: StoredArticle | None

    @property
    def id(self) -> str:
        return str(self.record["id"])

    def date(self, key: str) -> str | None:
        """The record's date ``key`` for its column (:func:`column_date`)."""
        return column_date(self.record.get(key))


def batch_by_id(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of the records with ids (derived from the canonical URL when missing) and
    canonical URLs, each id once with its last version, in the order of those last versions.

    Raises ``ValueError`` for a record with neither id nor URL (before anything is written).
    """
    batch: dict[str, dict[str, Any]] = {}
    for record in articles:
        record = dict(record)
        if not record.get("id"):
            url = record.get("canonical_url") or record.get("url")
            if not url:
                raise ValueError("an article needs an 'id' or a 'canonical_url'")
            record["id"] = article_id(str(url))
        record.setdefault("canonical_url", record.get("url") or record["id"])
        batch.pop(record["id"], None)
        batch[record["id"]] = record
    return list(batch.values())


def _same_record(stored: dict[str, Any], incoming: dict[str, Any]) -> bool:
    def strip(r: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in r.items() if k not in VOLATILE_FIELDS}

    return strip(stored) == strip(incoming)


def plan_write(
    record: dict[str, Any],
    stored: StoredArticle | None,
    copies: CopyFinder,
    result: UpsertResult,
    place: Placer | None = None,
) -> Write | None:
    """What to write for one record of :func:`batch_by_id`, or None when nothing is (the id is
    then in ``result.refused`` or ``result.unchanged``).

    The record is completed in place: the stored id when its canonical URL is stored under
    another (one article per URL), its story (``place``, once it is known not to be refused,
    and before the unchanged check, so an article stored without a story gets one), its
    fingerprint when missing, and its cluster.
    """
    if stored is not None and stored.id != record["id"]:
        record["id"] = stored.id
    incoming_source = source_id(record)
    if stored is not None and stored.source_id and incoming_source not in (None, stored.source_id):
        result.refused.append(stored.id)  # another source's article: never overwritten or moved
        return None
    if place is not None:
        place(record)
    if not record.get("fingerprint"):
        record["fingerprint"] = record_fingerprint(record)
    chash = content_hash(record)
    if stored is not None:
        if stored.content_hash == chash and _same_record(stored.record, record):
            result.unchanged.append(stored.id)
            return None
        if stored.fingerprint == record["fingerprint"]:
            record["cluster_id"] = stored.cluster_id  # same text: metadata changed, not cluster
            return Write(record, chash, incoming_source, stored)
    record["cluster_id"] = cluster_for(
        record["id"], record["fingerprint"], chash, long_enough(record), copies
    )
    return Write(record, chash, incoming_source, stored)


class Lookups(CopyFinder, Protocol):
    """What one upsert reads while it decides its batch: each record's stored row and the
    cluster lookups, each answered as of that record's turn (after the batch's earlier
    writes), whether asked one by one or read for the whole batch ahead."""

    def stored(self, record: dict[str, Any]) -> StoredArticle | None:
        """The stored row with the record's id, else with its canonical URL, or None."""

    def wrote(self, write: Write) -> None:
        """``write`` was just written (what later answers must take into account)."""


class RowLookups:
    """:class:`Lookups` asked of the database record by record (one statement each): right
    where a statement costs no round trip (SQLite, in process)."""

    def __init__(self, steps: UpsertSteps, db: Any) -> None:
        self._steps, self._db, self._copies = steps, db, steps._copies(db)

    def stored(self, record: dict[str, Any]) -> StoredArticle | None:
        return self._steps._stored(self._db, record)

    def exact_copy_cluster(self, chash: str, aid: str) -> str | None:
        return self._copies.exact_copy_cluster(chash, aid)

    def band_candidates(
        self, keys: Sequence[str], aid: str, limit: int
    ) -> list[tuple[str, str | None]]:
        return self._copies.band_candidates(keys, aid, limit)

    def wrote(self, write: Write) -> None:
        """Nothing to do: every answer is read after the writes before it."""


class UpsertSteps(Protocol):
    """What an engine does inside the one transaction of an upsert (``db`` is its connection);
    the engine's article store provides these (private: they are not the store's interface)."""

    def _stored(self, db: Any, record: dict[str, Any]) -> StoredArticle | None:
        """The stored row with the record's id, else with its canonical URL, or None."""

    def _copies(self, db: Any) -> CopyFinder:
        """The cluster lookups, on this transaction."""

    def _lookups(self, db: Any, batch: list[dict[str, Any]]) -> AbstractContextManager[Lookups]:
        """The reads of one batch's upsert (:class:`RowLookups` unless the engine reads the
        batch's rows ahead: PostgreSQL, where each statement is a round trip)."""

    def _write(self, db: Any, write: Write, now: str, result: UpsertResult) -> None:
        """Insert or update one article (with its band keys) and note it in ``result``."""

    def _mark_pending(self, db: Any, ids: list[str]) -> int:
        """Mark ``ids`` pending for the index under a new version; that version."""

    def _put_fetch_states(self, db: Any, states: Sequence[FetchState]) -> None:
        """Record the fetch states of the batch's pages."""


def run_upsert(
    transaction: AbstractContextManager[Any],
    steps: UpsertSteps,
    articles: list[dict[str, Any]],
    fetch_states: Sequence[FetchState] | None,
    track_index: bool,
    place: Placer | None = None,
) -> UpsertResult:
    """One upsert of the contract (:meth:`ArticleStore.upsert`), the same on every engine: the
    batch decided record by record with :func:`plan_write` (placed in stories by ``place``),
    written, marked and its fetch states recorded, all inside ``transaction``."""
    batch = batch_by_id(articles)
    result = UpsertResult()
    now = utc_now()
    with transaction as db, steps._lookups(db, batch) as lookups:
        for record in batch:
            write = plan_write(record, lookups.stored(record), lookups, result, place)
            if write is not None:
                steps._write(db, write, now, result)
                lookups.wrote(write)
        if track_index and result.articles:
            result.version = steps._mark_pending(db, [r["id"] for r in result.articles])
        steps._put_fetch_states(db, fetch_states or ())
    return result
