"""Turn the many ways pages write dates into one: aware datetimes, stored as UTC ISO 8601.

Pages use ISO 8601 (with or without zone), RFC 822 (feeds), US-style bylines, Unix timestamps
and plain dates. :func:`parse_moment` keeps the offset the page wrote, because the day a reader
sees is the day in that offset (``00:30+01:00`` is the 19th there, the 18th in UTC); records
store :func:`to_iso`, the same instant in UTC. A value without a zone keeps its wall time and
is labelled UTC: a wrong hour beats a dropped date. A value that names no day ("May 2024") is
not a date: dateutil would fill the day in from today.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from dateutil import parser as dateutil_parser

#: Dates outside this range are parse accidents (page counters, 1970 epoch defaults).
EARLIEST_YEAR = 1995
LATEST_YEAR = 2100

_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>0?[1-9]|1[0-2])[/-](?P<d>0?[1-9]|[12]\d|3[01])(?=[-/_.]|$)"
)
_COMPACT_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?=[/_-])"
)
#: Zone abbreviations dateutil does not know; used in US and UK bylines. Whole seconds: dateutil
#: refuses a float offset (IST's 5.5 hours), and its TypeError cost every date written in IST.
_TZ_OFFSETS = {
    name: int(hours * 3600)
    for name, hours in {
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "IST": 5.5, "JST": 9, "AEST": 10,
        "AEDT": 11,
        "MEZ": 1, "MESZ": 2,  # German for CET / CEST
    }.items()
}  # fmt: skip
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
#: The zone of a value written without one: UTC for storage, but its day is the page's own
#: day, not a UTC day that a reader elsewhere might see shifted (see ``written_in_utc``).
FLOATING = timezone(timedelta(0), "floating")
#: Two fill-in dates that differ in day, month and year: what dateutil fills in differs too.
_DEFAULT_A = datetime(2001, 1, 1)
_DEFAULT_B = datetime(2002, 2, 2)


_NUMERIC_OFFSET = re.compile(
    r"^(?:UTC|GMT)?\s*(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?$", re.I
)


def tz_offset(name: str) -> int | None:
    """Seconds east of UTC for a zone a byline writes ("BST", "GMT+2", "+05:30"), else None."""
    name = name.strip("() ").upper()
    if name in ("UTC", "GMT", "Z"):
        return 0
    if name in _TZ_OFFSETS:
        return int(_TZ_OFFSETS[name])
    match = _NUMERIC_OFFSET.match(name)
    if not match or int(match["h"]) > 14:
        return None
    seconds = int(match["h"]) * 3600 + int(match["m"] or 0) * 60
    return -seconds if match["sign"] == "-" else seconds


def to_iso(dt: datetime) -> str:
    """An aware (or naive = UTC) datetime as the record's ISO 8601 UTC string."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0).isoformat()


def local_iso(dt: datetime) -> str:
    """An aware datetime as ISO 8601 in its own offset (the page's day stays the page's day)."""
    return dt.replace(microsecond=0).isoformat()


def _plausible(dt: datetime) -> bool:
    return EARLIEST_YEAR <= dt.year <= LATEST_YEAR


def _dateutil(text: str) -> datetime | None:
    """dateutil's reading, or None when it had to invent the day, month or year."""
    try:
        first = dateutil_parser.parse(text, default=_DEFAULT_A, tzinfos=_TZ_OFFSETS)
        second = dateutil_parser.parse(text, default=_DEFAULT_B, tzinfos=_TZ_OFFSETS)
    except (ValueError, OverflowError, TypeError):
        return None
    return first if first.date() == second.date() else None


def parse_moment(value: object) -> datetime | None:
    """One date value from a page or feed as an aware datetime in the offset it was written in."""
    if value is None:
        return None
    if isinstance(value, datetime):
        dt: datetime | None = value
    else:
        text = str(value).strip()
        if not text or len(text) > 64:
            return None
        dt = None
        if _EPOCH.match(text):
            dt = datetime.fromtimestamp(int(text[:10]), UTC)
        if dt is None:
            try:
                dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            except ValueError:
                dt = _dateutil(text)
    if dt is None or not _plausible(dt):
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=FLOATING)


def written_in_utc(dt: datetime) -> bool:
    """True for a time the page wrote in UTC ("Z", "+00:00"): its day may not be the reader's.

    Midnight is a date written as a date-time, not a converted time, so it is left out.
    """
    return (
        dt.tzinfo is not FLOATING
        and dt.utcoffset() == timedelta(0)
        and (dt.hour, dt.minute, dt.second) != (0, 0, 0)
    )


def parse_date(value: object) -> str | None:
    """Parse one date value from a page or feed into a UTC ISO string, or None if unreadable."""
    dt = parse_moment(value)
    return to_iso(dt) if dt is not None else None


def date_from_url(url: str) -> str | None:
    """:func:`url_day` as a UTC ISO string."""
    dt = url_day(url)
    return to_iso(dt) if dt is not None else None


def url_day(url: str | None) -> datetime | None:
    """A publication day written in the URL path, or None: ``/2026/11/25/``, ``/2026-11-25-``,
    ``/20261125/`` or ``/20261125-title``.

    A year and month without a day is ignored: a guessed day would look like a known one.
    """
    if not url:  # some pages come without a URL
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    path = path.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    match = _URL_DATE.search(path) or _COMPACT_URL_DATE.search(path)
    if not match:
        return None
    try:
        dt = datetime(int(match["y"]), int(match["m"]), int(match["d"]), tzinfo=FLOATING)
    except ValueError:
        return None
    return dt if _plausible(dt) else None
