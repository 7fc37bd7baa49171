"""Site templates in the store: per source, on how many crawled pages each body line appeared.

The crawler learns a site's template (menus, newsletter prompts, footers that extraction let
through) from the pages it extracts (:mod:`crawler.extract.site_memory`); keeping the counts
here lets the next crawl, on any host, start with them instead of relearning from its first
pages. Lines are 64-bit hashes, so the table holds numbers, never story text.

Counts are *added* (:meth:`SiteTemplateStore.add_site_lines`), never replaced: several crawler
processes learning the same source at once each add what they saw, and nothing is lost. The
statements are the same SQL on SQLite and PostgreSQL, so both engines share
:class:`SqlSiteTemplates`; :data:`SITE_TEMPLATE_TABLES` is schema version 5 on both.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping

from tidings.core.store.sql_db import SqlDatabase

#: Schema version 5: pages seen per source, and pages per (source, line key).
SITE_TEMPLATE_TABLES = """
CREATE TABLE IF NOT EXISTS site_pages (
    source_id TEXT PRIMARY KEY,
    pages BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS site_lines (
    source_id TEXT NOT NULL,
    line_key BIGINT NOT NULL,
    pages BIGINT NOT NULL,
    PRIMARY KEY (source_id, line_key)
)
"""

_ADD_PAGES = (
    "INSERT INTO site_pages (source_id, pages) VALUES (?, ?) "
    "ON CONFLICT (source_id) DO UPDATE SET pages = site_pages.pages + excluded.pages"
)
_ADD_LINE = (
    "INSERT INTO site_lines (source_id, line_key, pages) VALUES (?, ?, ?) "
    "ON CONFLICT (source_id, line_key) DO UPDATE SET pages = site_lines.pages + excluded.pages"
)


class SiteTemplateStore(ABC):
    """Per-source line counts of the pages crawled, for site templates."""

    @abstractmethod
    def site_lines(self, source_id: str) -> tuple[int, dict[int, int]]:
        """(pages seen, pages per line key) of one source; ``(0, {})`` for an unknown one."""

    @abstractmethod
    def add_site_lines(
        self, source_id: str, pages: int, lines: Mapping[int, int], *, keep: int
    ) -> None:
        """Add ``pages`` pages and each line's page count to what the source has, in one
        transaction. When the source then holds more than ``keep`` lines, those seen on one
        page only are forgotten (they are story lines until they recur)."""


class SqlSiteTemplates(SiteTemplateStore):
    """Site templates in ``site_pages`` and ``site_lines``; an engine sets ``_db``."""

    _db: SqlDatabase

    def site_lines(self, source_id: str) -> tuple[int, dict[int, int]]:
        pages = self._db.select("SELECT pages FROM site_pages WHERE source_id = ?", (source_id,))
        if not pages:
            return 0, {}
        rows = self._db.select(
            "SELECT line_key, pages FROM site_lines WHERE source_id = ?", (source_id,)
        )
        return int(pages[0]["pages"]), {int(r["line_key"]): int(r["pages"]) for r in rows}

    def add_site_lines(
        self, source_id: str, pages: int, lines: Mapping[int, int], *, keep: int
    ) -> None:
        ph = self._db.placeholders
        with self._db.transaction() as db:
            db.execute(ph(_ADD_PAGES), (source_id, pages))
            # in key order, so two PostgreSQL hosts adding to one source cannot deadlock
            rows = [(source_id, key, n) for key, n in sorted(lines.items())]
            db.cursor().executemany(ph(_ADD_LINE), rows)
            count = "SELECT count(*) AS n FROM site_lines WHERE source_id = ?"
            if db.execute(ph(count), (source_id,)).fetchone()["n"] > keep:
                db.execute(ph("DELETE FROM site_lines WHERE source_id = ? AND pages <= 1"),
                           (source_id,))  # fmt: skip
