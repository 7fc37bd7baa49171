"""Statements whose shape is the same for every table of both engines, written once against
:class:`tidings.core.store.sql_db.SqlDatabase`: a table's JSON records a page at a time
(keyset paging), the marks of the rows an index has yet to catch up with, and ids a
bounded ``IN (...)`` list at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tidings.core.store.sql_db import SqlDatabase

#: Ids per ``IN (...)`` list (SQLite's default limit on host parameters is far above it).
IN_CHUNK = 500


def id_chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    """``ids`` in slices of at most :data:`IN_CHUNK`, one ``IN (...)`` list each."""
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


def in_marks(n: int) -> str:
    """The ``?, ?, ...`` of an ``IN (...)`` list of ``n`` values."""
    return ",".join("?" * n)


def keyset_pages(
    db: SqlDatabase, table: str, key: str, after: Any, batch_size: int
) -> Iterator[list[dict[str, Any]]]:
    """Every JSON ``record`` of ``table`` in ``key`` order, ``batch_size`` at a time. Each page
    starts after the last key of the one before (not at an offset), so a page costs the same
    however deep it is and a row updated meanwhile keeps its place; ``after`` is below every
    key (``0`` for a row number, ``""`` for a text id)."""
    sql = f"SELECT {key} AS k, record FROM {table} WHERE {key} > ? ORDER BY {key} LIMIT ?"  # noqa: S608 - fixed names
    last = after
    while rows := db.select(sql, (last, batch_size)):
        last = rows[-1]["k"]
        yield [json.loads(row["record"]) for row in rows]


def pending_rows(
    db: SqlDatabase, marks: str, key: str, table: str, order: str, limit: int
) -> list[tuple[str, int, dict[str, Any] | None]]:
    """Up to ``limit`` marks of ``marks`` (``key``, ``version``) in ``order``, each with the
    JSON record of the ``table`` row it names, or None when that row is gone (deleted)."""
    rows = db.select(
        f"SELECT p.{key} AS id, p.version, r.record FROM {marks} p "  # noqa: S608 - fixed names
        f"LEFT JOIN {table} r ON r.id = p.{key} ORDER BY {order} LIMIT ?",
        (limit,),
    )
    return [
        (
            row["id"],
            int(row["version"]),
            None if row["record"] is None else json.loads(row["record"]),
        )
        for row in rows
    ]


def clear_marks(
    conn: Any, db: SqlDatabase, marks: str, key: str, indexed: Mapping[str, int]
) -> None:
    """Drop the marks of ``marks`` that the index caught up with (``indexed``: id → version
    written), in the open transaction ``conn``; a mark a newer write set stays."""
    conn.cursor().executemany(
        db.placeholders(f"DELETE FROM {marks} WHERE {key} = ? AND version <= ?"),  # noqa: S608 - fixed names
        sorted(indexed.items()),
    )
