"""The database interface that store code shared by both engines is written against
(:mod:`tidings.core.store.crawl_log`, :mod:`tidings.core.store.sql_articles`): SQL with ``?``
placeholders, which :class:`~tidings.core.store.sqlite_db.SqliteDatabase` runs as it is and
:class:`~tidings.core.store.postgres_db.PostgresDatabase` converts once for psycopg."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


class SqlDatabase(Protocol):
    """What the shared store code needs of an engine's database: statements written with
    ``?`` placeholders (the engine converts them to its own style)."""

    def write(self) -> AbstractContextManager[Any]:
        """``with db.write() as conn:`` — the transaction that decides articles, clusters and
        index marks one writer at a time (PostgreSQL: under its articles lock)."""

    def transaction(self) -> AbstractContextManager[Any]:
        """``with db.transaction() as conn:`` — a write transaction without the articles lock."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one write statement in a transaction of its own."""

    def select(self, sql: str, params: Sequence[Any] = ()) -> Sequence[Mapping[str, Any]]:
        """Rows of one read statement, addressable by column name."""

    def placeholders(self, sql: str) -> str:
        """``sql`` in this engine's placeholder style, for statements run on a connection."""

    def pipelined(self, conn: Any) -> AbstractContextManager[Any]:
        """``with db.pipelined(conn):`` — the writes in the block go to the database together,
        without a wait each, and their errors are raised by the block's end at the latest."""
