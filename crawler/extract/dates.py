"""Turn the many ways pages write dates into one: UTC ISO 8601 strings.

Pages use ISO 8601 (with or without zone), RFC 822 (feeds), US-style bylines, Unix timestamps
and plain dates; anything without a zone is taken as UTC: a wrong hour beats a dropped date.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dateutil import parser as dateutil_parser

#: Dates outside this range are parse accidents (page counters, 1970 epoch defaults).
EARLIEST_YEAR = 1995
LATEST_YEAR = 2100

_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>0?[1-9]|1[0-2])[/-](?P<d>0?[1-9]|[12]\d|3[01])(?=[-/_.]|$)"
)
_COMPACT_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])/"
)
#: Zone abbreviations dateutil does not know; used in US and UK bylines.
_TZ_OFFSETS = {
    name: hours * 3600
    for name, hours in {
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "IST": 5.5, "JST": 9, "AEST": 10,
        "AEDT": 11,
    }.items()
}  # fmt: skip
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")


def to_iso(dt: datetime) -> str:
    """An aware (or naive = UTC) datetime as the record's ISO 8601 UTC string."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0).isoformat()


def _plausible(dt: datetime) -> bool:
    return EARLIEST_YEAR <= dt.year <= LATEST_YEAR


def parse_date(value: object) -> str | None:
    """Parse one date value from a page or feed into a UTC ISO string, or None if unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return to_iso(value) if _plausible(value) else None
    text = str(value).strip()
    if not text or len(text) > 64:
        return None
    dt: datetime | None = None
    if _EPOCH.match(text):
        seconds = int(text[:10])
        dt = datetime.fromtimestamp(seconds, UTC)
    if dt is None:
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            dt = None
    if dt is None:
        try:
            dt = dateutil_parser.parse(text, tzinfos=_TZ_OFFSETS)
        except (ValueError, OverflowError, TypeError):
            return None
    return to_iso(dt) if _plausible(dt) else None


def date_from_url(url: str) -> str | None:
    """A publication day written in the URL path (``/2026/11/25/``, ``/2026-11-25-``), or None.

    A year and month without a day is ignored: a guessed day would look like a known one.
    """
    path = url.split("?", 1)[0].split("#", 1)[0]
    path = path.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    match = _URL_DATE.search(path) or _COMPACT_URL_DATE.search(path)
    if not match:
        return None
    try:
        dt = datetime(int(match["y"]), int(match["m"]), int(match["d"]), tzinfo=UTC)
    except ValueError:
        return None
    return to_iso(dt) if _plausible(dt) else None
