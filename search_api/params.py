"""Parse and check query parameters, so bad input is a 400 naming the parameter, never a 500.

Every check collects its error instead of stopping at the first, so a client sees all that is
wrong with a request at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from werkzeug.datastructures import MultiDict

from search_api.problems import invalid_params
from tidings.core.index.base import SearchRequest

MAX_Q = 500
MAX_VALUE = 200  # one topic or source id
MAX_REPEAT = 50  # topic/source values per request
MAX_CURSOR = 2048
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
SORTS = ("relevance", "date")
#: Dates outside this range are rejected (index backends cannot represent all of year 1-9999).
MIN_DATE = datetime(1800, 1, 1, tzinfo=UTC)
MAX_DATE = datetime(2200, 1, 1, tzinfo=UTC)
_CURSOR_RE = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces: opaque but sane
_INT_RE = re.compile(r"[0-9]{1,6}")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class SearchParams:
    """A validated search: what the index runs and what the response echoes."""

    q: str = ""
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: datetime | None = None
    date_to: datetime | None = None
    sort: Literal["relevance", "date"] = "relevance"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None

    def to_request(self, *, highlight: bool = True) -> SearchRequest:
        return SearchRequest(
            q=self.q,
            topics=self.topics,
            sources=self.sources,
            date_from=self.date_from,
            date_to=self.date_to,
            sort=self.sort,
            limit=self.limit,
            cursor=self.cursor,
            highlight=highlight,
        )

    def echo(self) -> dict[str, Any]:
        """The query as understood (normalised dates, defaults filled), for the response."""
        return {
            "q": self.q,
            "topic": list(self.topics),
            "source": list(self.sources),
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "sort": self.sort,
            "limit": self.limit,
            "cursor": self.cursor,
        }


def parse_search(args: MultiDict[str, str]) -> SearchParams:
    """Validate ``q, topic*, source*, from, to, sort, limit, cursor``; raise a 400 Problem."""
    errors: list[tuple[str, str]] = []
    q = _text(args, "q", MAX_Q, errors).strip()
    topics = _repeated(args, "topic", errors)
    sources = _repeated(args, "source", errors)
    date_from = _date(args, "from", errors, end_of_day=False)
    date_to = _date(args, "to", errors, end_of_day=True)
    if date_from and date_to and date_from > date_to:
        errors.append(("from", "'from' is after 'to'"))
    sort = _single(args, "sort", errors) or "relevance"
    if sort not in SORTS:
        errors.append(("sort", f"must be one of: {', '.join(SORTS)}"))
    limit = parse_limit(args, errors)
    cursor = _cursor(args, errors)
    if errors:
        raise invalid_params(errors)
    return SearchParams(q, topics, sources, date_from, date_to, sort, limit, cursor)  # type: ignore[arg-type]


def parse_recent(args: MultiDict[str, str]) -> tuple[str | None, int]:
    """Validate ``topic`` (optional, single) and ``limit`` for recent lists and feeds."""
    errors: list[tuple[str, str]] = []
    topic = _text(args, "topic", MAX_VALUE, errors) or None
    limit = parse_limit(args, errors)
    if errors:
        raise invalid_params(errors)
    return topic, limit


def parse_limit(args: MultiDict[str, str], errors: list[tuple[str, str]]) -> int:
    raw = _single(args, "limit", errors)
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not _INT_RE.fullmatch(raw.strip()):
        errors.append(("limit", f"must be an integer from 1 to {MAX_LIMIT}"))
        return DEFAULT_LIMIT
    value = int(raw)
    if not 1 <= value <= MAX_LIMIT:
        errors.append(("limit", f"must be an integer from 1 to {MAX_LIMIT}"))
        return DEFAULT_LIMIT
    return value


def _single(args: MultiDict[str, str], name: str, errors: list[tuple[str, str]]) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        errors.append((name, "may be given only once"))
    return values[0] if values else None


def _text(args: MultiDict[str, str], name: str, limit: int, errors: list[tuple[str, str]]) -> str:
    value = _single(args, name, errors) or ""
    if len(value) > limit:
        errors.append((name, f"longer than {limit} characters"))
        return ""
    if _CONTROL_RE.search(value):
        errors.append((name, "contains control characters"))
        return ""
    return value


def _repeated(
    args: MultiDict[str, str], name: str, errors: list[tuple[str, str]]
) -> tuple[str, ...]:
    values = [v.strip() for v in args.getlist(name) if v.strip()]
    if len(values) > MAX_REPEAT:
        errors.append((name, f"given more than {MAX_REPEAT} times"))
        return ()
    for value in values:
        if len(value) > MAX_VALUE or _CONTROL_RE.search(value):
            errors.append((name, f"each value must be at most {MAX_VALUE} printable characters"))
            return ()
    return tuple(dict.fromkeys(values))


def _date(
    args: MultiDict[str, str], name: str, errors: list[tuple[str, str]], *, end_of_day: bool
) -> datetime | None:
    """ISO 8601 date or datetime in UTC; a bare date ``to`` means the end of that day."""
    raw = (_single(args, name, errors) or "").strip()
    if not raw:
        return None
    reason = "must be an ISO 8601 date (2024-05-01) or datetime (2024-05-01T12:00:00Z)"
    if len(raw) > 40:
        errors.append((name, reason))
        return None
    try:
        if not any(c in raw for c in "Tt :"):
            day = date.fromisoformat(raw)
            start = datetime.combine(day, time(), tzinfo=UTC)
            dt = start + timedelta(days=1, microseconds=-1) if end_of_day else start
        else:
            dt = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except OverflowError:
        errors.append((name, "is out of range"))
        return None
    except ValueError:
        errors.append((name, reason))
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        dt = dt.astimezone(UTC)
    except (OverflowError, ValueError):
        dt = MIN_DATE - timedelta(days=1)
    if not MIN_DATE <= dt <= MAX_DATE:
        errors.append((name, f"must be between {MIN_DATE.year} and {MAX_DATE.year - 1}"))
        return None
    return dt


def _cursor(args: MultiDict[str, str], errors: list[tuple[str, str]]) -> str | None:
    raw = _single(args, "cursor", errors)
    if raw is None or raw == "":
        return None
    if len(raw) > MAX_CURSOR or not _CURSOR_RE.match(raw):
        errors.append(("cursor", "not a cursor from a previous response"))
        return None
    return raw
