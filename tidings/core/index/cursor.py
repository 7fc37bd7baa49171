"""Opaque paging cursors shared by the index backends.

A cursor is URL-safe base64 of a small JSON object, so clients pass it back untouched and
backends can change what is inside without breaking the API. Date-sorted pages continue after
the last hit's (sort key, id) so that articles arriving between pages cause no duplicates or
gaps (Elasticsearch adds its point-in-time id). Relevance and collapsed pages carry an offset
plus ``asof``, the newest ingest stamp among the first page's matches: later pages leave out
articles indexed after it, so arrivals cannot shift the ranking under a reader (a keyset on
BM25 scores would not help: every arrival changes the term statistics and so the scores).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

from tidings.core.index.base import QueryError, SearchRequest

#: Deepest relevance page reachable by offset (the same cap Elasticsearch puts on from+size).
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class DateCursor:
    """Continue strictly after the hit with this sort key and id (newest first)."""

    key: int
    id: str
    pit: str | None = None  # Elasticsearch point in time the pages are read from


@dataclass(frozen=True)
class OffsetCursor:
    """Continue at this position of a relevance ranking."""

    offset: int
    asof: int | None = None  # ingest stamp: only articles indexed up to it


Cursor = DateCursor | OffsetCursor


def _natural(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def encode_cursor(cursor: Cursor, mode: str | None = None) -> str:
    """The opaque string form of a cursor for ``mode`` (default: its sort order).

    ``mode`` is what the cursor belongs to (``date``, ``relevance``, ``date+collapse``...), so a
    cursor from one kind of listing is refused by another.
    """
    mode = mode or ("date" if isinstance(cursor, DateCursor) else "relevance")
    if isinstance(cursor, DateCursor):
        payload: dict[str, object] = {"s": mode, "k": cursor.key, "i": cursor.id}
        if cursor.pit:
            payload["p"] = cursor.pit
    else:
        payload = {"s": mode, "o": cursor.offset}
        if cursor.asof is not None:
            payload["a"] = cursor.asof
    raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def cursor_mode(sort: str, collapse: str = "none") -> str:
    """The mode a listing's cursors are made for: collapsed listings page by offset.

    Collapsing copies keeps its original mode name (``date+collapse``), so cursors handed out
    before stories existed still work; each other grouping has its own.
    """
    if collapse == "none":
        return sort
    return f"{sort}+collapse" if collapse == "cluster" else f"{sort}+collapse={collapse}"


def request_mode(request: SearchRequest, by_date: bool) -> str:
    """The mode of ``request``'s cursors: its listing (:func:`cursor_mode`) and, after ``~``, a
    digest of what selects and ranks its hits, so a cursor handed back with other words or
    filters is refused instead of paging through another query from the same position."""
    chosen = [request.q.strip(), request.topics, request.sources, request.entities,
              request.languages, str(request.date_from), str(request.date_to),
              request.recency_boost and not by_date]  # fmt: skip
    digest = hashlib.sha256(json.dumps(chosen).encode("utf-8")).hexdigest()[:10]
    return f"{cursor_mode('date' if by_date else 'relevance', request.collapse)}~{digest}"


def decode_cursor(text: str, sort: str) -> Cursor:
    """Parse a cursor made by :func:`encode_cursor` for mode ``sort``; else a QueryError.

    A cursor of an older version, whose mode has no query digest, is read by its listing."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise QueryError("invalid cursor") from None
    given = payload.get("s") if isinstance(payload, dict) else None
    listing = sort.split("~")[0]
    if not isinstance(given, str) or given.split("~")[0] != listing:
        raise QueryError("invalid cursor: it belongs to another sort order or grouping")
    if "~" in given and given != sort:
        raise QueryError("invalid cursor: it belongs to another query (words, filters or dates)")
    sort = listing
    if sort == "date":
        key, last_id, pit = payload.get("k"), payload.get("i"), payload.get("p")
        if _natural(key) and isinstance(last_id, str) and (pit is None or isinstance(pit, str)):
            return DateCursor(key, last_id, pit)  # type: ignore[arg-type]
    else:
        offset, asof = payload.get("o"), payload.get("a")
        if _natural(offset) and offset <= MAX_OFFSET and (asof is None or _natural(asof)):  # type: ignore[operator]
            return OffsetCursor(offset, asof)  # type: ignore[arg-type]
    raise QueryError("invalid cursor")
