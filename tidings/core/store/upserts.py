"""What an upsert decides, whatever the engine: batch order, identity, sources, changes, clusters.

Every engine stores the same outcome for the same batch because the decisions are made here, on
plain records and the stored row; the engine only reads that row, answers the cluster lookups
(:class:`tidings.core.fingerprint.CopyFinder`) and writes what :func:`plan_write` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.core.article import article_id, date_or_none, iso_utc, source_id
from tidings.core.fingerprint import (
    CopyFinder,
    cluster_for,
    content_hash,
    long_enough,
    record_fingerprint,
)
from tidings.core.store.base import UpsertResult

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
) -> Write | None:
    """What to write for one record of :func:`batch_by_id`, or None when nothing is (the id is
    then in ``result.refused`` or ``result.unchanged``).

    The record is completed in place: the stored id when its canonical URL is stored under
    another (one article per URL), its fingerprint when missing, and its cluster.
    """
    if stored is not None and stored.id != record["id"]:
        record["id"] = stored.id
    incoming_source = source_id(record)
    if stored is not None and stored.source_id and incoming_source not in (None, stored.source_id):
        result.refused.append(stored.id)  # another source's article: never overwritten or moved
        return None
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
