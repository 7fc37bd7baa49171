"""Opaque paging cursors shared by the index backends.

A cursor is URL-safe base64 of a small JSON object, so clients pass it back untouched and
backends can change what is inside without breaking the API. Date-sorted pages continue after
the last hit's (sort key, id) so that articles arriving between pages cause no duplicates or
gaps; relevance pages carry an offset (scores shift when documents arrive, so a position is
the best a BM25 ranking offers).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from tidings.core.index.base import QueryError

#: Deepest relevance page reachable by offset (the same cap Elasticsearch puts on from+size).
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class DateCursor:
    """Continue strictly after the hit with this sort key and id (newest first)."""

    key: int
    id: str


@dataclass(frozen=True)
class OffsetCursor:
    """Continue at this position of a relevance ranking."""

    offset: int


Cursor = DateCursor | OffsetCursor


def encode_cursor(cursor: Cursor) -> str:
    """The opaque string form of a cursor."""
    if isinstance(cursor, DateCursor):
        payload: dict[str, object] = {"s": "date", "k": cursor.key, "i": cursor.id}
    else:
        payload = {"s": "relevance", "o": cursor.offset}
    raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(text: str, sort: str) -> Cursor:
    """Parse a cursor made by :func:`encode_cursor` for ``sort``; anything else is a QueryError."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise QueryError("invalid cursor") from None
    if not isinstance(payload, dict) or payload.get("s") != sort:
        raise QueryError("invalid cursor: it belongs to another query or sort order")
    if sort == "date":
        key, last_id = payload.get("k"), payload.get("i")
        if (
            isinstance(key, int)
            and not isinstance(key, bool)
            and key >= 0
            and isinstance(last_id, str)
        ):
            return DateCursor(key, last_id)
    else:
        offset = payload.get("o")
        if isinstance(offset, int) and not isinstance(offset, bool) and 0 <= offset <= MAX_OFFSET:
            return OffsetCursor(offset)
    raise QueryError("invalid cursor")
