"""One upsert's reads on PostgreSQL in one round trip for the whole batch, not three an article.

Each statement to a server is a round trip, and the upsert runs while its transaction holds
the articles lock (:mod:`tidings.core.store.postgres_db`), so on a LAN every round trip is
lock time that every other writer waits for (docs/benchmarks.md, "Store engines": 5 round
trips an article, about 1 ms each on a LAN). So the rows the batch's decisions read (each
record's stored row, the first articles with its content hash, the articles sharing its band
keys) are read ahead in one pipelined round trip, and the writes are pipelined behind them.

Answers must be those of the row-by-row reads (:class:`tidings.core.store.upserts.RowLookups`),
which see the batch's earlier writes. So every row a write in the batch touches marks its keys
(ids, canonical URLs, content hashes, band keys: before and after the write) as changed, and a
question about a changed key, or one the read-ahead did not cover, is asked of the database
then, exactly as before (the pipeline sends the writes before it). Batches of copies of each
other pay that extra round trip; a batch of different articles pays none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from tidings.core.fingerprint import MAX_CANDIDATES, bands, content_hash, record_fingerprint
from tidings.core.store.sql_articles import stored_article
from tidings.core.store.upserts import StoredArticle, UpsertSteps, Write

#: Rows read ahead per content hash: the first stored, and the next for when it is the asker.
FIRST_COPIES = 2

_STORED = (
    "SELECT id, canonical_url, content_hash, cluster_id, fingerprint, source_id, record "
    "FROM articles WHERE id = ANY(%s) OR canonical_url = ANY(%s)"
)
_COPIES = (
    "SELECT content_hash, id, cluster_id FROM (SELECT content_hash, id, cluster_id, seq, "
    "row_number() OVER (PARTITION BY content_hash ORDER BY seq) AS n FROM articles "
    "WHERE content_hash = ANY(%s)) AS first WHERE n <= %s ORDER BY seq"
)
#: Per band key its first stored articles, one more than a lookup may use: a key that fills
#: that many is asked of the database (which then picks its ``MAX_CANDIDATES``).
_BANDS = (
    "SELECT band, id, cluster_id, fingerprint, seq FROM (SELECT f.band, a.id, a.cluster_id, "
    "a.fingerprint, a.seq, row_number() OVER (PARTITION BY f.band ORDER BY a.seq) AS n "
    "FROM fingerprint_bands f JOIN articles a ON a.id = f.article_id "
    "WHERE f.band = ANY(%s)) AS shared WHERE n <= %s"
)


class BatchLookups:
    """:class:`tidings.core.store.upserts.Lookups` for one batch, read ahead in one round trip
    (``steps`` answers, row by row, what the read-ahead cannot)."""

    def __init__(
        self, db: psycopg.Connection[Any], steps: UpsertSteps, batch: list[dict[str, Any]]
    ) -> None:
        self._db, self._steps, self._copies = db, steps, steps._copies(db)
        for record in batch:  # plan_write's own fingerprint, computed once, ahead
            if not record.get("fingerprint"):
                record["fingerprint"] = record_fingerprint(record)
        hashes = list({content_hash(r) for r in batch})
        keys = list({key for r in batch if r["fingerprint"] for key in bands(r["fingerprint"])})
        with db.cursor() as stored, db.cursor() as copies, db.cursor() as shared:
            stored.execute(_STORED, ([r["id"] for r in batch], [r["canonical_url"] for r in batch]))
            copies.execute(_COPIES, (hashes, FIRST_COPIES))
            shared.execute(_BANDS, (keys, MAX_CANDIDATES + 1))
            stored_rows, copy_rows, band_rows = (
                stored.fetchall(),
                copies.fetchall(),
                shared.fetchall(),
            )  # one round trip: the pipeline sends the three, then waits once
        self._asked_ids = {r["id"] for r in batch}
        self._asked_urls = {r["canonical_url"] for r in batch}
        self._by_id = {row["id"]: row for row in stored_rows}
        self._by_url = {row["canonical_url"]: row for row in stored_rows}
        self._first: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in copy_rows:
            self._first[row["content_hash"]].append((row["id"], str(row["cluster_id"])))
        self._hashes = set(hashes)
        self._sharing: dict[str, list[dict[str, Any]]] = {key: [] for key in keys}
        for row in band_rows:
            self._sharing[row["band"]].append(row)
        # what the batch's writes changed: questions about these go to the database
        self._ids: set[str] = set()
        self._urls: set[str] = set()
        self._changed_hashes: set[str] = set()
        self._keys: set[str] = set()

    def stored(self, record: dict[str, Any]) -> StoredArticle | None:
        aid, url = record["id"], record["canonical_url"]
        if (
            aid in self._ids
            or url in self._urls
            or not (aid in self._asked_ids and url in self._asked_urls)
        ):
            return self._steps._stored(self._db, record)
        row = self._by_id.get(aid) or self._by_url.get(url)
        return None if row is None else stored_article(row)

    def exact_copy_cluster(self, chash: str, aid: str) -> str | None:
        if chash in self._changed_hashes or chash not in self._hashes:
            return self._copies.exact_copy_cluster(chash, aid)
        return next((cluster for other, cluster in self._first[chash] if other != aid), None)

    def band_candidates(
        self, keys: Sequence[str], aid: str, limit: int
    ) -> list[tuple[str, str | None]]:
        unread = any(k not in self._sharing or len(self._sharing[k]) > MAX_CANDIDATES for k in keys)
        if unread or not self._keys.isdisjoint(keys):
            return self._copies.band_candidates(keys, aid, limit)
        found = {row["id"]: row for k in keys for row in self._sharing[k] if row["id"] != aid}
        if len(found) > limit:  # the database picks which: ask it
            return self._copies.band_candidates(keys, aid, limit)
        rows = sorted(found.values(), key=lambda row: row["seq"])
        return [(str(row["cluster_id"]), row["fingerprint"]) for row in rows]

    def wrote(self, write: Write) -> None:
        self._ids.add(write.id)
        self._urls.add(write.record["canonical_url"])
        self._changed_hashes.add(write.content_hash)
        if write.record["fingerprint"]:
            self._keys.update(bands(write.record["fingerprint"]))
        if (old := write.stored) is not None:
            self._changed_hashes.add(old.content_hash)
            if old.fingerprint:
                self._keys.update(bands(old.fingerprint))
            known = self._by_id.get(old.id)
            if known is not None:
                self._urls.add(known["canonical_url"])
            else:  # its URL before the write is unknown: from now on every stored row is asked
                self._asked_ids.clear()


@contextmanager
def batch_lookups(
    db: psycopg.Connection[Any], steps: UpsertSteps, batch: list[dict[str, Any]]
) -> Iterator[BatchLookups]:
    """The batch's reads ahead, its writes pipelined behind them until the block ends."""
    with db.pipeline():
        yield BatchLookups(db, steps, batch)
