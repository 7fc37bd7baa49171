"""The store of record: every article once, with its near-duplicate cluster, and the crawl's
bookkeeping.

The search index is derived from the store and can be rebuilt from it, so this is where an
article's identity (id, canonical URL), its content hash and its cluster are decided.

* ``base.py`` — the contract (:class:`StoreEngine` = :class:`ArticleStore` + :class:`CrawlLog` +
  :class:`StoryStore` + :class:`SiteTemplateStore`) every engine implements;
  ``tests/contract/`` checks it on every engine.
* ``upserts.py`` — what an upsert decides, for every engine (the near-duplicate policy itself is
  in :mod:`tidings.core.fingerprint`).
* ``sql_*.py``, ``crawl_log.py``, ``site_templates.py``, ``story_repair.py`` — the SQL both
  engines share, written once against ``sql_db.py``'s :class:`SqlDatabase`.
* ``sqlite*.py`` — the SQLite engine: database and schema, articles, crawl log's health query.
* ``postgres*.py`` — the PostgreSQL engine (the same three parts, and an upsert's reads in one
  round trip), for a store shared by many hosts; ``copy.py`` moves a SQLite store into it
  (``tidings store copy``).
"""

from __future__ import annotations

from tidings.core.config import Settings
from tidings.core.store.base import (
    ArticleStore,
    CrawlLog,
    DeleteResult,
    FetchState,
    PendingWrite,
    StoreEngine,
    StoreError,
    UpsertResult,
)
from tidings.core.store.sqlite import SqliteStore
from tidings.core.store.sqlite_db import SCHEMA_VERSION

#: The default engine, opened by path (``Store(settings.db_path)``), as callers have always done.
Store = SqliteStore


def open_store(settings: Settings) -> StoreEngine:
    """The store the settings name: PostgreSQL at ``settings.store_url``
    (``TIDINGS_STORE_URL``, shared by every host) when set, else SQLite at ``settings.db_path``."""
    if settings.store_url:
        from tidings.core.store.postgres import PostgresStore  # psycopg only when asked for

        return PostgresStore(settings.store_url)
    return SqliteStore(settings.db_path)


__all__ = [
    "SCHEMA_VERSION",
    "ArticleStore",
    "CrawlLog",
    "DeleteResult",
    "FetchState",
    "PendingWrite",
    "SqliteStore",
    "Store",
    "StoreEngine",
    "StoreError",
    "UpsertResult",
    "open_store",
]
