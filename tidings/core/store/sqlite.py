"""The SQLite store engine: one database file, every part of the contract over one connection."""

from __future__ import annotations

from pathlib import Path

from tidings.core.store.base import StoreEngine
from tidings.core.store.site_templates import SqlSiteTemplates
from tidings.core.store.sql_stories import SqlStories
from tidings.core.store.sqlite_articles import SqliteArticles
from tidings.core.store.sqlite_crawl import SqliteCrawlLog
from tidings.core.store.sqlite_db import SqliteDatabase


class SqliteStore(SqliteArticles, SqliteCrawlLog, SqlStories, SqlSiteTemplates, StoreEngine):
    """SQLite store of record (WAL; one connection per object, safe to share between threads)."""

    def __init__(self, path: Path) -> None:
        self._sql = self._db = SqliteDatabase(path)
        self.path = self._sql.path
        self.location = str(self.path.resolve())

    def close(self) -> None:
        self._sql.close()
