"""The PostgreSQL store engine: one database shared by every host, every part of the contract
over one connection pool (see :mod:`tidings.core.store.postgres_db` for how it stays correct
when many crawler processes write at once)."""

from __future__ import annotations

from tidings.core.store.base import StoreEngine
from tidings.core.store.postgres_articles import PostgresArticles
from tidings.core.store.postgres_crawl import PostgresCrawlLog
from tidings.core.store.postgres_db import POOL_MAX, PostgresDatabase, where
from tidings.core.store.site_templates import SqlSiteTemplates
from tidings.core.store.sql_stories import SqlStories


class PostgresStore(PostgresArticles, PostgresCrawlLog, SqlStories, SqlSiteTemplates, StoreEngine):
    """PostgreSQL store of record at ``url`` (``postgresql://user@host:port/db``); one pool of
    up to ``pool_max`` connections per object, safe to share between threads."""

    def __init__(self, url: str, *, pool_max: int = POOL_MAX) -> None:
        self._pg = self._db = PostgresDatabase(url, pool_max=pool_max)
        self.url = url
        self.location = f"postgresql://{where(url)}"

    def close(self) -> None:
        self._pg.close()
